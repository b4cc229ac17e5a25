import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Rule, RULE_CATALOG } from '../../lib';
import { CHECK_USAGE, runCheckCommand } from '../../lib/cli/check';
import { main, MAIN_USAGE } from '../../lib/cli/main';
import { FAKE_CATALOG } from '../support/fake-rules';

const ROOT = join(__dirname, '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'cli');
const PACKAGE_VERSION: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;

interface Outcome {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

function buffer() {
  const chunks: string[] = [];
  return { write: (chunk: string) => chunks.push(chunk), text: () => chunks.join('') };
}

/** Runs the command in-process over the fixtures, with the fake rule catalog unless told otherwise. */
async function check(argv: string[], options: { stdin?: string; catalog?: readonly Rule[]; cwd?: string } = {}): Promise<Outcome> {
  const stdout = buffer();
  const stderr = buffer();
  const status = await runCheckCommand(argv, {
    stdout,
    stderr,
    cwd: options.cwd ?? FIXTURES,
    catalog: options.catalog ?? FAKE_CATALOG,
    stdin: options.stdin === undefined ? undefined : Readable.from([options.stdin]),
  });
  return { status, stdout: stdout.text(), stderr: stderr.text() };
}

describe('stability-blueprints check', () => {
  let scratch: string;

  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'check-command-'));
  });

  afterEach(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  describe('exit status', () => {
    test('0 when nothing is at or above --fail-on', async () => {
      expect(await check(['healthy.yaml'])).toEqual({
        status: 0,
        stdout: 'No findings.\n\n2 objects, 4 rules: 0 errors, 0 warnings, 0 suppressed\n',
        stderr: '',
      });
    });

    test('1 over a StatefulSet without a PodDisruptionBudget, naming the rule, the object and where it starts', async () => {
      // WHEN
      const outcome = await check(['statefulset-without-pdb.yaml']);

      // THEN
      expect(outcome.status).toBe(1);
      expect(outcome.stdout).toContain(
        [
          'statefulset-without-pdb.yaml:22 StatefulSet/shop/orders-db',
          '  error   [needs-pdb] no PodDisruptionBudget in the namespace',
          '          fix: Add a PodDisruptionBudget that selects the pods.',
        ].join('\n'),
      );
      expect(outcome.stdout).toMatch(/\n2 objects, 4 rules: 1 error, 0 warnings, 0 suppressed\n$/);
    });

    test('--fail-on warning fails on a warning, --fail-on never on nothing, and the findings are reported either way', async () => {
      // WHEN
      const byDefault = await check(['warning-only.yaml']);
      const atWarning = await check(['warning-only.yaml', '--fail-on', 'warning']);
      const never = await check(['--fail-on=never', 'statefulset-without-pdb.yaml']);

      // THEN
      expect([byDefault.status, atWarning.status, never.status]).toEqual([0, 1, 0]);
      expect(byDefault.stdout).toContain('[enough-replicas] spec.replicas: 1 replicas, fewer than 3');
      expect(never.stdout).toContain('[needs-pdb]');
    });

    test('a suppressed finding is reported, marked with its reason, and never fails the run', async () => {
      // WHEN
      const outcome = await check(['suppressed.yaml', '--fail-on', 'warning']);

      // THEN
      expect(outcome.status).toBe(0);
      expect(outcome.stdout).toBe(
        [
          'suppressed.yaml:2 StatefulSet/shop/cache',
          '  error   [needs-pdb] no PodDisruptionBudget in the namespace (suppressed: a cache, rebuilt from the database after any eviction)',
          '',
          '1 object, 4 rules: 0 errors, 0 warnings, 1 suppressed',
          '',
        ].join('\n'),
      );
    });
  });

  describe('rule selection', () => {
    test('--skip leaves a rule out and --rule runs only the rules named, off-by-default ones included', async () => {
      // WHEN
      const skipped = await check(['statefulset-without-pdb.yaml', '--skip', 'needs-pdb']);
      const only = await check(['statefulset-without-pdb.yaml', '--rule', 'enough-replicas']);
      const offByDefault = await check(['statefulset-without-pdb.yaml', '--rule', 'image-digest', '--rule', 'needs-pdb']);

      // THEN
      expect(skipped.status).toBe(0);
      expect(skipped.stdout).toMatch(/3 rules: 0 errors/);
      expect(only.status).toBe(0);
      expect(only.stdout).toMatch(/1 rule: 0 errors/);
      expect(offByDefault.status).toBe(1);
      expect(offByDefault.stdout).toContain('  info    [image-digest] spec.template.spec.containers[0].image: not pinned by digest');
      expect(offByDefault.stdout).toMatch(/2 rules: 1 error, 0 warnings, 1 info, 0 suppressed\n$/);
    });

    test.each([['--rule'], ['--skip']])('an unknown rule id given to %s exits 2 naming it', async (option) => {
      // WHEN
      const outcome = await check(['healthy.yaml', option, 'no-such-rule']);

      // THEN
      expect(outcome.status).toBe(2);
      expect(outcome.stdout).toBe('');
      expect(outcome.stderr).toBe(
        'error: unknown rule id "no-such-rule"; known rules: enough-replicas, image-digest, invalid-suppression, needs-pdb, rule-failed\n',
      );
    });
  });

  describe('inputs', () => {
    test('a directory is read recursively; files without objects and hidden entries are skipped', async () => {
      // WHEN
      const outcome = await check(['manifests', '--format', 'json']);

      // THEN
      expect(outcome.status).toBe(0);
      expect(JSON.parse(outcome.stdout).summary).toMatchObject({ objects: 3, errors: 0, warnings: 0 });
    });

    test('- reads standard input, and findings point at <stdin> and the line', async () => {
      // WHEN
      const outcome = await check(['-'], { stdin: readFileSync(join(FIXTURES, 'statefulset-without-pdb.yaml'), 'utf8') });

      // THEN
      expect(outcome.status).toBe(1);
      expect(outcome.stdout).toContain('<stdin>:22 StatefulSet/shop/orders-db');
    });

    test('-- ends the options, so a file may start with a dash', async () => {
      // GIVEN
      writeFileSync(join(scratch, '--odd.yaml'), readFileSync(join(FIXTURES, 'healthy.yaml')));

      // THEN
      expect((await check(['--', '--odd.yaml'], { cwd: scratch })).status).toBe(0);
    });

    test.each([
      ['a missing file', 'missing.yaml', undefined, 'error: missing.yaml: no such file or directory\n'],
      [
        'malformed YAML',
        'bad.yaml',
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a: b\n',
        'error: bad.yaml:4: YAML syntax error: Nested mappings are not allowed in compact mappings\n',
      ],
      [
        'a document without kind',
        'no-kind.yaml',
        'apiVersion: v1\nkind: Pod\n---\napiVersion: v1\nmetadata: {name: a}\n',
        'error: no-kind.yaml:4: the document has no kind; every Kubernetes object needs apiVersion and kind\n',
      ],
      [
        'a binary file',
        'logo.yaml',
        '\u0089PNG\r\n\u001a\n\u0000\u0000',
        'error: logo.yaml:3: binary content (a NUL byte); expected UTF-8 YAML or JSON text\n',
      ],
      [
        'no Kubernetes object at all',
        'empty.yaml',
        '---\n# Source: shop/templates/pdb.yaml\n',
        'error: empty.yaml: no Kubernetes object in the input (it is empty or only comments)\n',
      ],
    ])('%s exits 2 with the file and line, and no stack trace', async (_case, file, content, message) => {
      // GIVEN
      if (content !== undefined) {
        writeFileSync(join(scratch, file), content);
      }

      // WHEN
      const outcome = await check([file], { cwd: scratch });

      // THEN
      expect(outcome).toEqual({ status: 2, stdout: '', stderr: message });
    });
  });

  describe('usage', () => {
    test.each([
      [[], 'no input: name files, directories, or - for standard input'],
      [['--bogus', 'a.yaml'], 'unknown option --bogus'],
      [['-x', 'a.yaml'], 'unknown option -x'],
      [['a.yaml', '--format'], 'option --format needs a value'],
      [['--output', '--format', 'json', 'a.yaml'], 'option --output needs a value'],
      [['--rule=', 'a.yaml'], 'option --rule needs a value'],
      [['--format', 'xml', 'a.yaml'], 'option --format must be one of text, json, sarif, junit; got "xml"'],
      [['--fail-on=sometimes', 'a.yaml'], 'option --fail-on must be one of error, warning, never; got "sometimes"'],
      [['--format', 'json', '--format=text', 'a.yaml'], 'option --format given more than once'],
      [['-', '-'], '- (standard input) can be named only once'],
    ])('%j is a usage error: exit 2, the message and the usage on stderr', async (argv, message) => {
      expect(await check(argv)).toEqual({ status: 2, stdout: '', stderr: `error: ${message}\n\n${CHECK_USAGE}` });
    });

    test('--help prints the usage and exits 0', async () => {
      expect(await check(['--help'])).toEqual({ status: 0, stdout: CHECK_USAGE, stderr: '' });
      expect(CHECK_USAGE).toContain('--output FILE                   write the report to FILE; standard output then gets only the summary line');
    });
  });

  describe('formats and --output', () => {
    test('json, sarif and junit reports on standard output, with the same exit status', async () => {
      // WHEN
      const json = await check(['statefulset-without-pdb.yaml', '--format', 'json']);
      const sarif = await check(['statefulset-without-pdb.yaml', '--format', 'sarif']);
      const junit = await check(['statefulset-without-pdb.yaml', '--format', 'junit']);

      // THEN
      expect([json.status, sarif.status, junit.status]).toEqual([1, 1, 1]);
      expect(JSON.parse(json.stdout)).toMatchObject({ tool: { version: PACKAGE_VERSION }, failed: true, findings: [{ ruleId: 'needs-pdb' }] });
      const [result] = JSON.parse(sarif.stdout).runs[0].results;
      expect(result).toMatchObject({
        ruleId: 'needs-pdb',
        level: 'error',
        locations: [
          {
            physicalLocation: { artifactLocation: { uri: 'statefulset-without-pdb.yaml' }, region: { startLine: 22 } },
            logicalLocations: [{ fullyQualifiedName: 'StatefulSet/shop/orders-db', kind: 'resource' }],
          },
        ],
      });
      expect(junit.stdout).toContain(
        '<testcase classname="StatefulSet/shop/orders-db" name="needs-pdb" file="statefulset-without-pdb.yaml">\n      <failure type="error"',
      );
    });

    test('--output writes the report to the file and only the summary to standard output', async () => {
      // GIVEN
      const output = join(scratch, 'report.sarif');

      // WHEN
      const outcome = await check(['statefulset-without-pdb.yaml', '--format', 'sarif', '--output', output]);

      // THEN
      expect(outcome).toEqual({
        status: 1,
        stdout: `2 objects, 4 rules: 1 error, 0 warnings, 0 suppressed; sarif report written to ${output}\n`,
        stderr: '',
      });
      expect(JSON.parse(readFileSync(output, 'utf8')).runs[0].results).toHaveLength(1);
    });

    test('--output resolves a relative file against the working directory', async () => {
      // WHEN
      const outcome = await check([join(FIXTURES, 'healthy.yaml'), '--output', 'report.txt'], { cwd: scratch });

      // THEN
      expect(outcome.status).toBe(0);
      expect(readFileSync(join(scratch, 'report.txt'), 'utf8')).toBe('No findings.\n\n2 objects, 4 rules: 0 errors, 0 warnings, 0 suppressed\n');
    });

    test('an --output file that cannot be written exits 2', async () => {
      // WHEN
      const outcome = await check(['healthy.yaml', '--output', join(scratch, 'missing-dir', 'report.txt')]);

      // THEN
      expect(outcome.status).toBe(2);
      expect(outcome.stderr).toMatch(/^error: cannot write the report to .*missing-dir\/report\.txt: ENOENT/);
    });
  });
});

describe('stability-blueprints', () => {
  async function run(argv: string[]): Promise<Outcome> {
    const stdout = buffer();
    const stderr = buffer();
    const status = await main(argv, { stdout, stderr, cwd: FIXTURES, catalog: FAKE_CATALOG });
    return { status, stdout: stdout.text(), stderr: stderr.text() };
  }

  test('dispatches check, prints help and the version, and refuses an unknown or missing command', async () => {
    expect((await run(['check', 'healthy.yaml'])).status).toBe(0);
    expect(await run(['--help'])).toEqual({ status: 0, stdout: MAIN_USAGE, stderr: '' });
    expect(await run(['--version'])).toEqual({ status: 0, stdout: `${PACKAGE_VERSION}\n`, stderr: '' });
    expect(await run(['lint'])).toEqual({ status: 2, stdout: '', stderr: `error: unknown command "lint"\n\n${MAIN_USAGE}` });
    expect(await run([])).toEqual({ status: 2, stdout: '', stderr: `error: no command\n\n${MAIN_USAGE}` });
  });

  test('the bin runs as a user would run it, and bad input gets a message, not a stack trace', () => {
    // GIVEN the command as installed, run through tsx instead of a build
    const command = (...args: string[]) =>
      spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'lib', 'cli', 'bin.ts'), ...args], { cwd: FIXTURES, encoding: 'utf8' });

    // WHEN
    const good = command('check', '--fail-on', 'never', 'statefulset-without-pdb.yaml');
    const bad = command('check', 'missing.yaml');

    // THEN
    expect(good.stderr).toBe('');
    expect(good.stdout).toMatch(/^2 objects, \d+ rules: \d+ errors?, \d+ warnings?, 0 suppressed$/m);
    expect(good.status).toBe(0);
    expect(bad).toMatchObject({ status: 2, stdout: '', stderr: 'error: missing.yaml: no such file or directory\n' });
  });

  test('a reader that closes the pipe early ends the command quietly, with the exit status of the check', () => {
    // GIVEN a report of many lines, read only up to its first line
    const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
    const bin = join(ROOT, 'lib', 'cli', 'bin.ts');

    // WHEN
    const piped = spawnSync(
      'sh',
      ['-c', '{ "$0" "$1" check manifests statefulset-without-pdb.yaml --format sarif; echo "exit $?" >&2; } | head -c 1', tsx, bin],
      { cwd: FIXTURES, encoding: 'utf8' },
    );

    // THEN the first character, no stack trace, and the status of a check that found an error
    expect(piped).toMatchObject({ stdout: '{', stderr: 'exit 1\n' });
  });

  test('over the real rule catalog, a StatefulSet without a PodDisruptionBudget exits 1 naming the rule and the object', async () => {
    // GIVEN the rule of the real catalog for it
    const ruleId = 'statefulset-has-pdb';
    expect(RULE_CATALOG.map((rule) => rule.id)).toContain(ruleId);

    // WHEN
    const everyRule = await check(['statefulset-without-pdb.yaml'], { catalog: RULE_CATALOG });
    const thatRuleOnly = await check(['statefulset-without-pdb.yaml', '--rule', ruleId], { catalog: RULE_CATALOG });

    // THEN
    expect(everyRule.status).toBe(1);
    expect(everyRule.stdout).toContain('statefulset-without-pdb.yaml:22 StatefulSet/shop/orders-db\n');
    expect(everyRule.stdout).toContain(`  error   [${ruleId}] no PodDisruptionBudget selects the pods`);
    expect(thatRuleOnly.status).toBe(1);
    expect(thatRuleOnly.stdout).toMatch(/: 1 error, 0 warnings, 0 suppressed\n$/);
  });
});

describe('stability-blueprints check over a directory', () => {
  let directory: string;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'check-directory-'));
  });

  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  test('two files that define one object: exit 1, the rule names each copy where it starts', async () => {
    // GIVEN two scenarios' files, written apart, that both define ConfigMap shop/cart-config
    const configMap = (owner: string) =>
      ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: cart-config', '  namespace: shop', 'data:', `  owner: ${owner}`, ''].join('\n');
    writeFileSync(join(directory, '0001-checkout.k8s.yaml'), configMap('team-checkout'));
    writeFileSync(join(directory, '0002-flash-sale.k8s.yaml'), `---\n${configMap('team-promotions')}`);

    // WHEN
    const outcome = await check([directory, '--rule', 'object-defined-once'], { catalog: RULE_CATALOG });

    // THEN
    const finding =
      '  error   [object-defined-once] metadata.name: 2 objects are ConfigMap/shop/cart-config (v1): applying them keeps only the last\n';
    expect(outcome.status).toBe(1);
    expect(outcome.stdout).toContain(`0001-checkout.k8s.yaml:1 ConfigMap/shop/cart-config\n${finding}`);
    expect(outcome.stdout).toContain(`0002-flash-sale.k8s.yaml:2 ConfigMap/shop/cart-config\n${finding}`);
    expect(outcome.stdout).toMatch(/2 objects, 1 rule: 2 errors, 0 warnings, 0 suppressed\n$/);
  });
});
