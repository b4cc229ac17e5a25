import { Chart } from 'cdk8s';
import { RULE_CATALOG } from '../checks/catalog';
import { CheckReport, FailLevel, failingFindings, Finding, formatObjectRef, runChecks, selectRules } from '../checks/engine';
import type { KubeObject } from '../checks/model';
import { Suppressions } from '../checks/suppressions';

/** What a matcher checks: a chart (synthesized without stopping at errors) or manifests. */
export type CheckSubject = Chart | readonly KubeObject[];

export interface PassOptions {
  /** @default 'error' */
  readonly failOn?: FailLevel;
  /** Rule ids not to run. */
  readonly skipRules?: readonly string[];
}

export interface RuleTarget {
  readonly kind?: string;
  readonly name?: string;
  readonly namespace?: string;
}

interface MatcherResult {
  readonly pass: boolean;
  readonly message: () => string;
}

/** Runs the default catalog over a chart's manifests, or over manifests, and returns every finding. */
export function checkSubject(subject: CheckSubject, skipRules: readonly string[] = []): CheckReport {
  let manifests: readonly KubeObject[];
  if (Array.isArray(subject)) {
    manifests = subject;
  } else {
    const chart = subject as Chart;
    Suppressions.applyTo(chart);
    // Chart.prototype.toJson, not the chart's own: a BusinessScenario stops at the first error, a matcher reports them all.
    manifests = Chart.prototype.toJson.call(chart);
  }
  return runChecks(
    manifests.map((object) => ({ object })),
    selectRules(RULE_CATALOG, { skip: skipRules }),
    RULE_CATALOG,
  );
}

function describeFinding(finding: Finding): string {
  const suppressed = finding.suppression ? ` (suppressed: ${finding.suppression.reason})` : '';
  return `  [${finding.severity}] ${finding.ruleId} ${formatObjectRef(finding.object)}${finding.path ? ` at ${finding.path}` : ''}: ${finding.message}${suppressed}`;
}

function matchesTarget(finding: Finding, target: RuleTarget): boolean {
  return (
    (target.kind === undefined || finding.object.kind === target.kind) &&
    (target.name === undefined || finding.object.name === target.name) &&
    (target.namespace === undefined || finding.object.namespace === target.namespace)
  );
}

/** Jest matchers for product teams' policy tests. */
export const stabilityMatchers = {
  /** Passes when no unsuppressed finding is at or above `failOn` (errors by default). */
  toPassStabilityChecks(subject: CheckSubject, options: PassOptions = {}): MatcherResult {
    const failing = failingFindings(checkSubject(subject, options.skipRules), options.failOn ?? 'error');
    return {
      pass: failing.length === 0,
      message: () =>
        failing.length === 0
          ? 'expected stability check findings, found none'
          : `expected no stability check findings at or above ${options.failOn ?? 'error'}, found ${failing.length}:\n${failing.map(describeFinding).join('\n')}`,
    };
  },

  /** Passes when `ruleId` reports a finding (suppressed or not) on an object matching `target`. */
  toViolateRule(subject: CheckSubject, ruleId: string, target: RuleTarget = {}): MatcherResult {
    if (!RULE_CATALOG.some((rule) => rule.id === ruleId)) {
      throw new Error(`unknown rule id "${ruleId}"`);
    }
    const report = checkSubject(subject);
    const matching = report.findings.filter((finding) => finding.ruleId === ruleId && matchesTarget(finding, target));
    const others = report.findings.filter((finding) => finding.ruleId === ruleId && !matchesTarget(finding, target));
    return {
      pass: matching.length > 0,
      message: () =>
        matching.length > 0
          ? `expected ${ruleId} not to report ${JSON.stringify(target)}, but it did:\n${matching.map(describeFinding).join('\n')}`
          : `expected ${ruleId} to report ${JSON.stringify(target)}; it reported ${others.length === 0 ? 'nothing' : `only:\n${others.map(describeFinding).join('\n')}`}`,
    };
  },
};

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Jest's matcher types live in this namespace
  namespace jest {
    interface Matchers<R> {
      toPassStabilityChecks(options?: PassOptions): R;
      toViolateRule(ruleId: string, target?: RuleTarget): R;
    }
  }
}

const globalExpect = (globalThis as { expect?: { extend(matchers: object): void } }).expect;
if (globalExpect) {
  globalExpect.extend(stabilityMatchers);
}
