import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckInput } from '../../lib';
import { listManifestFiles, loadManifests, loadPaths, ManifestLoadError, STDIN_NAME } from '../../lib/checks/load';

/** `Kind/name@line` for each loaded object: what a report would point at. */
function located(inputs: CheckInput[]): string[] {
  return inputs.map((input) => `${input.object.kind}/${input.object.metadata?.name}@${input.location?.line}`);
}

function load(content: string, path = 'in.yaml'): string[] {
  return located(loadManifests({ path, content }));
}

function loadError(content: string, path = 'in.yaml'): string {
  try {
    loadManifests({ path, content });
  } catch (error) {
    expect(error).toBeInstanceOf(ManifestLoadError);
    return (error as Error).message;
  }
  throw new Error('expected a ManifestLoadError');
}

describe('loadManifests', () => {
  test('reads a helm template stream: empty and comment-only documents are skipped and every object keeps its line', () => {
    // GIVEN what `helm template` prints: a `# Source:` header per template, some templates rendering nothing
    const stream = [
      '---', //                                   1
      '# Source: shop/templates/empty.yaml', //   2
      '---', //                                   3
      '# Source: shop/templates/service.yaml', // 4
      'apiVersion: v1', //                        5
      'kind: Service', //                         6
      'metadata:', //                             7
      '  name: redis', //                         8
      '---', //                                   9
      '', //                                      10
      '---', //                                   11
      '# only a comment', //                      12
      '# and another', //                         13
      '...', //                                   14
      '---', //                                   15
      '# Source: shop/templates/statefulset.yaml', // 16
      '', //                                      17
      'apiVersion: apps/v1', //                   18
      'kind: StatefulSet', //                     19
      'metadata: {name: redis}', //               20
      '---', //                                   21
    ].join('\n');

    // THEN
    expect(load(stream)).toEqual(['Service/redis@5', 'StatefulSet/redis@18']);
  });

  test('every object records its file', () => {
    expect(loadManifests({ path: 'deploy/a.yaml', content: 'apiVersion: v1\nkind: Pod\n' })[0].location).toEqual({ file: 'deploy/a.yaml', line: 1 });
  });

  test('expands kind: List and other *List kinds into items, each at its own line', () => {
    // GIVEN
    const list = [
      'apiVersion: v1', //                   1
      'kind: List', //                       2
      'items:', //                           3
      '  - apiVersion: v1', //               4
      '    kind: Service', //                5
      '    metadata: {name: a}', //          6
      '  -', //                              7
      '    apiVersion: v1', //               8
      '    kind: ConfigMapList', //          9
      '    items:', //                       10
      '      - apiVersion: v1', //           11
      '        kind: ConfigMap', //          12
      '        metadata: {name: b}', //      13
      '---', //                              14
      '- {apiVersion: v1, kind: Pod, metadata: {name: c}}', // 15
      '- {apiVersion: v1, kind: Pod, metadata: {name: d}}', // 16
    ].join('\n');

    // THEN
    expect(load(list)).toEqual(['Service/a@4', 'ConfigMap/b@11', 'Pod/c@15', 'Pod/d@16']);
  });

  test('a *List kind without items is an object like any other', () => {
    expect(load('apiVersion: example.com/v1\nkind: ShoppingList\nmetadata: {name: weekly}\n')).toEqual(['ShoppingList/weekly@1']);
  });

  test('reads JSON: one object, a kind: List and a plain array', () => {
    // GIVEN
    const object = '{\n  "apiVersion": "v1",\n  "kind": "Service",\n  "metadata": {"name": "a\\/b\\u00e9"}\n}\n';
    const list =
      '{"apiVersion": "v1", "kind": "List", "items": [\n  {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}},\n\n  {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "q"}}\n]}';
    const array = '[\n{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "r"}}\n]';

    // THEN
    expect(load(object, 'a.json')).toEqual(['Service/a/bé@1']);
    expect(load(list, 'list.json')).toEqual(['Pod/p@2', 'Pod/q@4']);
    expect(load(array, 'array.json')).toEqual(['Pod/r@2']);
  });

  test('reads values the way kubectl does: YAML 1.1 octal and booleans, but dates and h:mm stay strings', () => {
    // WHEN
    const [{ object }] = loadManifests({
      path: 'in.yaml',
      content: 'apiVersion: v1\nkind: ConfigMap\nspec:\n  mode: 0644\n  enabled: yes\n  date: 2024-01-31\n  time: 12:30\n',
    });

    // THEN
    expect(object.spec).toEqual({ mode: 420, enabled: true, date: '2024-01-31', time: '12:30' });
  });

  test('resolves anchors and merge keys', () => {
    // WHEN
    const inputs = loadManifests({
      path: 'in.yaml',
      content: 'apiVersion: v1\nkind: Pod\nmetadata:\n  labels: &labels {app: a}\n  annotations:\n    <<: *labels\n    extra: x\n',
    });

    // THEN
    expect(inputs[0].object.metadata).toEqual({ labels: { app: 'a' }, annotations: { app: 'a', extra: 'x' } });
  });

  test('a text with no object at all is an error (a directory walk allows such files: see loadPaths)', () => {
    expect(loadError('')).toBe('in.yaml: no Kubernetes object in the input (it is empty or only comments)');
    expect(loadError('---\n# Source: shop/templates/empty.yaml\n---\n')).toBe(
      'in.yaml: no Kubernetes object in the input (it is empty or only comments)',
    );
  });

  test.each([
    [
      'a YAML syntax error, at its line',
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a: b\n',
      'in.yaml:4: YAML syntax error: Nested mappings are not allowed in compact mappings',
    ],
    [
      'a syntax error in a later document, at its line in the stream',
      'apiVersion: v1\nkind: Pod\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  - a\n  b: c\n',
      'in.yaml:8: YAML syntax error: All mapping items must start at the same column',
    ],
    ['a duplicate key', 'apiVersion: v1\nkind: Pod\nkind: Service\n', 'in.yaml:3: YAML syntax error: Map keys must be unique'],
    [
      'a tab as indentation',
      'apiVersion: v1\nkind: Pod\nmetadata:\n\tname: a\n',
      'in.yaml:4: YAML syntax error: Tabs are not allowed as indentation',
    ],
  ])('%s', (_case, content, message) => {
    expect(loadError(content)).toBe(message);
  });

  test.each([
    [
      'a document that is a string',
      'apiVersion: v1\nkind: Pod\n---\njust text\n',
      'in.yaml:4: the document is not a Kubernetes object (a mapping): it is the string "just text"',
    ],
    ['a document that is a number', '---\n\n42\n', 'in.yaml:3: the document is not a Kubernetes object (a mapping): it is the number 42'],
    [
      'a document without apiVersion',
      'apiVersion: v1\nkind: Pod\n---\n# Source: x\nkind: Service\nmetadata: {name: a}\n',
      'in.yaml:5: the document has no apiVersion; every Kubernetes object needs apiVersion and kind',
    ],
    [
      'a document without kind',
      'apiVersion: v1\nmetadata: {name: a}\n',
      'in.yaml:1: the document has no kind; every Kubernetes object needs apiVersion and kind',
    ],
    [
      'a kind that is not a string',
      'apiVersion: v1\nkind: 3\n',
      'in.yaml:1: the document has no kind (found the number 3); every Kubernetes object needs apiVersion and kind',
    ],
    [
      'a List item without kind',
      'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n- apiVersion: v1\n  metadata: {name: b}\n',
      'in.yaml:6: items[1] has no kind; every Kubernetes object needs apiVersion and kind',
    ],
    [
      'a List item that is not a mapping',
      'apiVersion: v1\nkind: List\nitems:\n- null\n',
      'in.yaml:4: items[0] is not a Kubernetes object (a mapping): it is null',
    ],
    ['an item of a top-level sequence that is a sequence', '- []\n', 'in.yaml:1: item 0 is not a Kubernetes object (a mapping): it is a sequence'],
    [
      'a List item that is itself a sequence',
      'apiVersion: v1\nkind: List\nitems:\n- - a\n',
      'in.yaml:4: items[0] is not a Kubernetes object (a mapping): it is a sequence',
    ],
    [
      'a binary file, at the line of its first NUL byte',
      'apiVersion: v1\nkind: Pod\n\u0000\u0001\u0002',
      'in.yaml:3: binary content (a NUL byte); expected UTF-8 YAML or JSON text',
    ],
  ])('%s', (_case, content, message) => {
    expect(loadError(content)).toBe(message);
  });

  test('an alias bomb is refused with a message, not expanded', () => {
    // GIVEN each level doubles the one before
    const levels = Array.from({ length: 30 }, (_, level) => `l${level + 1}: &l${level + 1} [*l${level}, *l${level}]`);
    const content = ['apiVersion: v1', 'kind: ConfigMap', 'l0: &l0 x', ...levels].join('\n');

    // THEN
    expect(loadError(content)).toMatch(/^in\.yaml:1: cannot read the document: /);
  });

  test('loads many documents in time linear in their number', () => {
    // GIVEN 10,000 small objects in one stream
    const count = 10_000;
    const content = Array.from(
      { length: count },
      (_, index) => `---\n# Source: t/${index}.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${index}}\n`,
    ).join('');

    // WHEN
    const started = Date.now();
    const inputs = loadManifests({ path: 'big.yaml', content });

    // THEN the last object is at its line, and the whole stream loads in seconds
    expect(inputs).toHaveLength(count);
    expect(inputs[count - 1].location?.line).toBe(5 * (count - 1) + 3);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('loadPaths', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'load-paths-'));
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  function write(relative: string, content: string | Buffer): void {
    mkdirSync(join(root, relative, '..'), { recursive: true });
    writeFileSync(join(root, relative), content);
  }

  async function loadError(paths: string[], readStdin?: () => Promise<string>): Promise<string> {
    const error = await loadPaths(paths, { cwd: root, readStdin }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ManifestLoadError);
    return (error as Error).message;
  }

  test('walks directories recursively in sorted order, reading *.yaml, *.yml and *.json, skipping hidden entries and cdk8s metadata', async () => {
    // GIVEN
    write('manifests/b/service.yml', 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\n');
    write('manifests/a.yaml', '# Source: rendered nothing\n');
    write('manifests/c.JSON', '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}');
    write('manifests/README.md', '# not a manifest');
    write('manifests/.hidden.yaml', 'not: kubernetes\n');
    write('manifests/.git/config.yaml', 'not: kubernetes\n');
    write('manifests/construct-metadata.json', '{"version": "1.0.0", "resources": {}}');
    write('pod.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n');

    // WHEN
    const inputs = await loadPaths(['manifests', 'pod.yaml'], { cwd: root });

    // THEN
    expect(await listManifestFiles(join(root, 'manifests'))).toEqual(['a.yaml', join('b', 'service.yml'), 'c.JSON']);
    expect(inputs.map((input) => input.location)).toEqual([
      { file: join('manifests', 'b', 'service.yml'), line: 1 },
      { file: join('manifests', 'c.JSON'), line: 1 },
      { file: 'pod.yaml', line: 1 },
    ]);
  });

  test('- reads standard input, named <stdin>', async () => {
    // WHEN
    const inputs = await loadPaths(['-'], { cwd: root, readStdin: async () => '---\napiVersion: v1\nkind: Pod\n' });

    // THEN
    expect(inputs.map((input) => input.location)).toEqual([{ file: STDIN_NAME, line: 2 }]);
  });

  test('names the file and line of bad input in a directory', async () => {
    // GIVEN
    write('manifests/ok.yaml', 'apiVersion: v1\nkind: Pod\n');
    write('manifests/nested/bad.yaml', 'apiVersion: v1\nkind: Pod\n---\nkind: Service\n');

    // THEN
    expect(await loadError(['manifests'])).toBe(
      `${join('manifests', 'nested', 'bad.yaml')}:4: the document has no apiVersion; every Kubernetes object needs apiVersion and kind`,
    );
  });

  test('a binary file is named with the line of its first NUL byte', async () => {
    // GIVEN
    write('image.yaml', Buffer.from([0x61, 0x3a, 0x0a, 0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]));

    // THEN
    expect(await loadError(['image.yaml'])).toBe('image.yaml:2: binary content (a NUL byte); expected UTF-8 YAML or JSON text');
  });

  test.each([
    ['a missing file', ['missing.yaml'], 'missing.yaml: no such file or directory'],
    ['an empty file named on the command line', ['empty.yaml'], 'empty.yaml: no Kubernetes object in the input (it is empty or only comments)'],
    ['a directory without any object', ['empty-dir'], 'empty-dir: no Kubernetes object in any *.yaml, *.yml, *.json file of the directory'],
    ['- without standard input', ['-'], '<stdin>: standard input is not available'],
  ])('%s', async (_case, paths, message) => {
    // GIVEN
    write('empty.yaml', '');
    write('empty-dir/only-comments.yaml', '# nothing rendered\n');

    // THEN
    expect(await loadError(paths)).toBe(message);
  });

  test('empty standard input is an error naming <stdin>', async () => {
    expect(await loadError(['-'], async () => '')).toBe('<stdin>: no Kubernetes object in the input (it is empty or only comments)');
  });
});
