import { BlueprintKeys } from '../core/labels';
import { ManifestIndex } from './manifest-index';
import { isNotApplicable, KubeObject, Rule, Severity } from './model';
import { podTemplateOf } from './selectors';

/** Where an object came from: a file and line (CLI) or a construct path (synthesis). */
export interface SourceLocation {
  readonly file?: string;
  /** 1-based line of the object's first line in `file`. */
  readonly line?: number;
  readonly constructPath?: string;
}

export interface CheckInput {
  readonly object: KubeObject;
  readonly location?: SourceLocation;
}

export interface ObjectRef {
  readonly kind: string;
  readonly namespace?: string;
  readonly name?: string;
}

export interface Finding {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly title: string;
  readonly message: string;
  /** JSON path of the offending field; empty for the object as a whole. */
  readonly path: string;
  readonly fix: string;
  readonly object: ObjectRef;
  readonly location?: SourceLocation;
  /** Present when a suppression with a reason covers the finding; it then never fails a run. */
  readonly suppression?: { readonly reason: string };
}

export type RuleRunStatus = 'passed' | 'failed' | 'not-applicable';

/** One rule run on one object, for reports that list every check (JUnit). */
export interface RuleRun {
  readonly input: CheckInput;
  readonly ruleId: string;
  readonly status: RuleRunStatus;
  /** Why the rule did not apply. */
  readonly reason?: string;
}

export interface CheckReport {
  readonly inputs: readonly CheckInput[];
  readonly rules: readonly Rule[];
  readonly findings: readonly Finding[];
  readonly runs: readonly RuleRun[];
}

/** A finding that is not suppressed and at or above `level` fails a run. */
export type FailLevel = 'error' | 'warning' | 'never';

const SEVERITY_RANK: Record<Severity, number> = { [Severity.ERROR]: 2, [Severity.WARNING]: 1, [Severity.INFO]: 0 };

export function failingFindings(report: CheckReport, level: FailLevel): Finding[] {
  if (level === 'never') {
    return [];
  }
  const threshold = level === 'error' ? SEVERITY_RANK[Severity.ERROR] : SEVERITY_RANK[Severity.WARNING];
  return report.findings.filter((finding) => !finding.suppression && SEVERITY_RANK[finding.severity] >= threshold);
}

/** The engine's own rules: findings about the run itself. They cannot be suppressed. */
export const RULE_FAILED: Rule = {
  id: 'rule-failed',
  title: 'A rule could not judge the object',
  severity: Severity.ERROR,
  targets: [],
  rationale: 'A rule that throws would otherwise pass the object silently, or crash the whole run.',
  fix: 'Report the error with the object that caused it; meanwhile skip the rule with --skip or fix the malformed field.',
  enabledByDefault: true,
  unsuppressible: true,
  check: () => [],
};

export const INVALID_SUPPRESSION: Rule = {
  id: 'invalid-suppression',
  title: 'A suppression names a known rule and gives a reason',
  severity: Severity.ERROR,
  targets: [],
  rationale: 'A suppression without a reason cannot be audited, and one naming an unknown rule hides nothing it meant to.',
  fix: `Write one "rule-id: reason of at least 10 characters" per line in the ${BlueprintKeys.SUPPRESS} annotation, for a rule that can be suppressed.`,
  enabledByDefault: true,
  unsuppressible: true,
  check: () => [],
};

const MIN_REASON_LENGTH = 10;

export interface CheckOptions {
  /** Run only these rule ids (off-by-default rules included). */
  readonly only?: readonly string[];
  /** Do not run these rule ids. */
  readonly skip?: readonly string[];
}

/** The rules a run uses; throws on an unknown id, naming it and the known ones. */
export function selectRules(catalog: readonly Rule[], options: CheckOptions = {}): Rule[] {
  const known = new Set(catalog.map((rule) => rule.id));
  for (const id of [...(options.only ?? []), ...(options.skip ?? [])]) {
    if (!known.has(id)) {
      throw new Error(`unknown rule id "${id}"; known rules: ${[...known].sort().join(', ')}`);
    }
  }
  const skipped = new Set(options.skip ?? []);
  const only = options.only && options.only.length > 0 ? new Set(options.only) : undefined;
  return catalog.filter((rule) => !skipped.has(rule.id) && (only ? only.has(rule.id) : rule.enabledByDefault));
}

/**
 * Runs `rules` over every input. Linear in the number of objects: each rule sees only the kinds it targets, and
 * rules that relate objects go through an index built once.
 */
export function runChecks(inputs: readonly CheckInput[], rules: readonly Rule[], catalog: readonly Rule[] = rules): CheckReport {
  const index = new ManifestIndex(inputs.map((input) => input.object));
  const rulesByKind = new Map<string, Rule[]>();
  for (const rule of rules) {
    for (const kind of rule.targets) {
      const list = rulesByKind.get(kind) ?? [];
      list.push(rule);
      rulesByKind.set(kind, list);
    }
  }
  const knownRules = new Map(catalog.map((rule) => [rule.id, rule]));
  const findings: Finding[] = [];
  const runs: RuleRun[] = [];

  for (const input of inputs) {
    const { object } = input;
    const ref = objectRef(object);
    const suppressions = readSuppressions(object, knownRules);
    for (const problem of suppressions.problems) {
      findings.push(findingOf(INVALID_SUPPRESSION, ref, input, problem.message, problem.path));
    }
    for (const rule of rulesByKind.get(object.kind) ?? []) {
      let violations;
      try {
        const outcome = rule.check(object, index);
        if (isNotApplicable(outcome)) {
          runs.push({ input, ruleId: rule.id, status: 'not-applicable', reason: outcome.notApplicable });
          continue;
        }
        violations = outcome;
      } catch (error) {
        findings.push(findingOf(RULE_FAILED, ref, input, `rule ${rule.id} failed on this object: ${(error as Error).message}`, ''));
        runs.push({ input, ruleId: rule.id, status: 'failed' });
        continue;
      }
      runs.push({ input, ruleId: rule.id, status: violations.length === 0 ? 'passed' : 'failed' });
      const reason = rule.unsuppressible ? undefined : suppressions.reasons.get(rule.id);
      for (const violation of violations) {
        findings.push({ ...findingOf(rule, ref, input, violation.message, violation.path), ...(reason ? { suppression: { reason } } : {}) });
      }
    }
  }
  return { inputs, rules, findings, runs };
}

export function objectRef(object: KubeObject): ObjectRef {
  return { kind: object.kind, namespace: object.metadata?.namespace, name: object.metadata?.name };
}

/** `Kind/namespace/name`, or `Kind/name` for an object without a namespace. */
export function formatObjectRef(ref: ObjectRef): string {
  return [ref.kind, ref.namespace, ref.name ?? '(unnamed)'].filter((part) => part !== undefined).join('/');
}

function findingOf(rule: Rule, object: ObjectRef, input: CheckInput, message: string, path: string): Finding {
  return { ruleId: rule.id, severity: rule.severity, title: rule.title, message, path, fix: rule.fix, object, location: input.location };
}

interface SuppressionProblem {
  readonly message: string;
  readonly path: string;
}

interface Suppressions {
  readonly reasons: Map<string, string>;
  readonly problems: SuppressionProblem[];
}

/**
 * Suppressions written on the object or its pod template, one `rule-id: reason` per line of the
 * `stability-blueprints.io/suppress` annotation.
 */
function readSuppressions(object: KubeObject, knownRules: ReadonlyMap<string, Rule>): Suppressions {
  const reasons = new Map<string, string>();
  const problems: SuppressionProblem[] = [];
  const template = podTemplateOf(object);
  const sources = [
    { annotations: object.metadata?.annotations, path: 'metadata.annotations' },
    ...(template && template.path !== '' ? [{ annotations: template.metadata.annotations, path: `${template.path}.metadata.annotations` }] : []),
  ];
  for (const source of sources) {
    const value = source.annotations?.[BlueprintKeys.SUPPRESS];
    if (value === undefined) {
      continue;
    }
    const path = `${source.path}["${BlueprintKeys.SUPPRESS}"]`;
    if (typeof value !== 'string') {
      problems.push({ path, message: 'the suppress annotation must be a string of "rule-id: reason" lines' });
      continue;
    }
    for (const line of value.split('\n').map((text) => text.trim())) {
      if (line === '') {
        continue;
      }
      const separator = line.indexOf(':');
      const id = (separator < 0 ? line : line.slice(0, separator)).trim();
      const reason = separator < 0 ? '' : line.slice(separator + 1).trim();
      const rule = knownRules.get(id);
      if (!rule) {
        problems.push({ path, message: `suppression of unknown rule "${id}"` });
      } else if (rule.unsuppressible) {
        problems.push({ path, message: `rule "${id}" cannot be suppressed` });
      } else if (reason.length < MIN_REASON_LENGTH) {
        problems.push({
          path,
          message: `suppression of "${id}" needs a reason of at least ${MIN_REASON_LENGTH} characters, got ${JSON.stringify(reason)}`,
        });
      } else {
        reasons.set(id, reason);
      }
    }
  }
  return { reasons, problems };
}
