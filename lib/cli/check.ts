import { existsSync, promises as fs, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { RULE_CATALOG } from '../checks/catalog';
import { CheckReport, FailLevel, failingFindings, runChecks, selectRules } from '../checks/engine';
import { loadPaths, ManifestLoadError } from '../checks/load';
import type { Rule } from '../checks/model';
import * as json from '../checks/reporters/json';
import * as junit from '../checks/reporters/junit';
import * as sarif from '../checks/reporters/sarif';
import * as text from '../checks/reporters/text';

/** What a command talks to: process streams in the real binary, buffers in tests. */
export interface CliIo {
  readonly stdout: { write(chunk: string): unknown };
  readonly stderr: { write(chunk: string): unknown };
  /** Read only when an input is `-`. */
  readonly stdin?: AsyncIterable<string | Buffer>;
  /** Relative input and output paths are resolved against it, and reports name files relative to it. */
  readonly cwd: string;
  /** The rules `--rule` and `--skip` choose from; the full catalog unless a caller brings its own. */
  readonly catalog?: readonly Rule[];
}

export const ExitCode = {
  /** No unsuppressed finding at or above --fail-on. */
  OK: 0,
  FINDINGS: 1,
  /** Bad usage or bad input: nothing was checked. */
  USAGE: 2,
} as const;

const FORMATS = ['text', 'json', 'sarif', 'junit'] as const;
type ReportFormat = (typeof FORMATS)[number];
const FAIL_LEVELS: readonly FailLevel[] = ['error', 'warning', 'never'];

export const CHECK_USAGE = `Usage: stability-blueprints check [options] <file|dir|->...

Checks Kubernetes manifests against the stability-blueprints rules.

Inputs are YAML (multi-document streams such as helm template output) or JSON files, with kind: List
expanded. A directory is read recursively for *.yaml, *.yml and *.json files, skipping hidden entries;
- reads standard input.

Options:
  --format text|json|sarif|junit  report format (default: text)
  --output FILE                   write the report to FILE; standard output then gets only the summary line
  --fail-on error|warning|never   exit 1 when an unsuppressed finding is at or above this severity
                                  (default: error); suppressed findings are reported but never fail
  --rule ID                       run only this rule, even one that is off by default (repeatable)
  --skip ID                       do not run this rule (repeatable)
  -h, --help                      show this help

Exit status: 0 nothing fails at --fail-on, 1 some finding does, 2 bad usage or bad input (nothing checked).
`;

class UsageError extends Error {}

interface CheckArguments {
  readonly paths: readonly string[];
  readonly format: ReportFormat;
  readonly output?: string;
  readonly failOn: FailLevel;
  readonly only: readonly string[];
  readonly skip: readonly string[];
  readonly help: boolean;
}

const SINGLE_VALUE_OPTIONS = ['--format', '--output', '--fail-on'] as const;
const REPEATABLE_OPTIONS = ['--rule', '--skip'] as const;
type SingleValueOption = (typeof SINGLE_VALUE_OPTIONS)[number];
type RepeatableOption = (typeof REPEATABLE_OPTIONS)[number];

/** Strict: an unknown option, a missing value or a single-value option given twice is a usage error. */
function parseCheckArguments(argv: readonly string[]): CheckArguments {
  const single = new Map<SingleValueOption, string>();
  const repeated: Record<RepeatableOption, string[]> = { '--rule': [], '--skip': [] };
  const paths: string[] = [];
  let help = false;
  let optionsEnded = false;
  for (let position = 0; position < argv.length; position++) {
    const argument = argv[position];
    if (optionsEnded || argument === '-' || !argument.startsWith('-')) {
      paths.push(argument);
      continue;
    }
    if (argument === '--') {
      optionsEnded = true;
      continue;
    }
    if (argument === '-h' || argument === '--help') {
      help = true;
      continue;
    }
    const equals = argument.indexOf('=');
    const name = equals >= 0 ? argument.slice(0, equals) : argument;
    const isSingle = (SINGLE_VALUE_OPTIONS as readonly string[]).includes(name);
    if (!isSingle && !(REPEATABLE_OPTIONS as readonly string[]).includes(name)) {
      throw new UsageError(`unknown option ${name}`);
    }
    const value = equals >= 0 ? argument.slice(equals + 1) : argv[++position];
    if (value === undefined || value === '' || value.startsWith('-')) {
      throw new UsageError(`option ${name} needs a value`);
    }
    if (!isSingle) {
      repeated[name as RepeatableOption].push(value);
    } else if (single.has(name as SingleValueOption)) {
      throw new UsageError(`option ${name} given more than once`);
    } else {
      single.set(name as SingleValueOption, value);
    }
  }
  if (help) {
    return { paths, format: 'text', failOn: 'error', only: [], skip: [], help };
  }
  if (paths.length === 0) {
    throw new UsageError('no input: name files, directories, or - for standard input');
  }
  if (paths.filter((path) => path === '-').length > 1) {
    throw new UsageError('- (standard input) can be named only once');
  }
  return {
    paths,
    format: oneOf('--format', single.get('--format') ?? 'text', FORMATS),
    output: single.get('--output'),
    failOn: oneOf('--fail-on', single.get('--fail-on') ?? 'error', FAIL_LEVELS),
    only: repeated['--rule'],
    skip: repeated['--skip'],
    help,
  };
}

function oneOf<T extends string>(option: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`option ${option} must be one of ${allowed.join(', ')}; got ${JSON.stringify(value)}`);
  }
  return value as T;
}

/** `stability-blueprints check`: returns the exit status; a usage or input error is a message on stderr, never a stack trace. */
export async function runCheckCommand(argv: readonly string[], io: CliIo): Promise<number> {
  let args: CheckArguments;
  try {
    args = parseCheckArguments(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`error: ${error.message}\n\n${CHECK_USAGE}`);
      return ExitCode.USAGE;
    }
    throw error;
  }
  if (args.help) {
    io.stdout.write(CHECK_USAGE);
    return ExitCode.OK;
  }

  const catalog = io.catalog ?? RULE_CATALOG;
  let rules: Rule[];
  try {
    rules = selectRules(catalog, { only: args.only, skip: args.skip });
  } catch (error) {
    io.stderr.write(`error: ${(error as Error).message}\n`);
    return ExitCode.USAGE;
  }

  let report: CheckReport;
  try {
    const stdin = io.stdin;
    const inputs = await loadPaths(args.paths, { cwd: io.cwd, readStdin: stdin && (() => readAll(stdin)) });
    report = runChecks(inputs, rules, catalog);
  } catch (error) {
    if (error instanceof ManifestLoadError) {
      io.stderr.write(`error: ${error.message}\n`);
      return ExitCode.USAGE;
    }
    throw error;
  }

  const content = formatReport(report, args, io.cwd);
  if (args.output === undefined) {
    io.stdout.write(content);
  } else {
    try {
      await fs.writeFile(resolve(io.cwd, args.output), content);
    } catch (error) {
      io.stderr.write(`error: cannot write the report to ${args.output}: ${(error as Error).message}\n`);
      return ExitCode.USAGE;
    }
    io.stdout.write(`${text.formatSummary(text.summarize(report))}; ${args.format} report written to ${args.output}\n`);
  }
  return failingFindings(report, args.failOn).length > 0 ? ExitCode.FINDINGS : ExitCode.OK;
}

function formatReport(report: CheckReport, args: CheckArguments, cwd: string): string {
  const toolVersion = packageVersion();
  switch (args.format) {
    case 'text':
      return text.format(report);
    case 'json':
      return json.format(report, { failOn: args.failOn, toolVersion });
    case 'sarif':
      return sarif.format(report, { toolVersion, cwd });
    case 'junit':
      return junit.format(report, { failOn: args.failOn });
  }
}

async function readAll(stream: AsyncIterable<string | Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }
  // Decoded once at the end: a chunk boundary may split a multi-byte character.
  return Buffer.concat(chunks).toString('utf8');
}

/** The version in our package.json, found upwards from this file: it sits at a different depth in the sources and in the build. */
export function packageVersion(): string {
  for (let directory = __dirname; ; directory = dirname(directory)) {
    const candidate = join(directory, 'package.json');
    if (existsSync(candidate)) {
      const manifest = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (manifest.name === 'stability-blueprints' && manifest.version) {
        return manifest.version;
      }
    }
    if (dirname(directory) === directory) {
      return 'unknown';
    }
  }
}
