/** How bad a finding is. Errors fail synthesis and, by default, the CLI. */
export enum Severity {
  ERROR = 'error',
  WARNING = 'warning',
  INFO = 'info',
}

/** A plain Kubernetes object, as synthesized or parsed from YAML. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
    readonly [key: string]: unknown;
  };
  readonly [key: string]: any;
}

/** One thing wrong with one object, as a rule sees it. */
export interface Violation {
  /** What is wrong, with the values involved. */
  readonly message: string;
  /** JSON path of the offending field, e.g. `spec.template.spec.containers[0].securityContext`; empty for the object. */
  readonly path: string;
}

/** The rule does not apply to this object (a kind it ignores, a pod without a Service, ...), with the reason. */
export interface NotApplicable {
  readonly notApplicable: string;
}

/** Compliant (an empty list), non-compliant (violations), or not applicable. */
export type RuleOutcome = readonly Violation[] | NotApplicable;

export function notApplicable(reason: string): NotApplicable {
  return { notApplicable: reason };
}

export function isNotApplicable(outcome: RuleOutcome): outcome is NotApplicable {
  return !Array.isArray(outcome);
}

/**
 * A best-practice rule: a pure function over one object and the index of every object checked with it.
 *
 * The id is stable (kebab-case): suppressions, reports and CI configuration refer to it.
 */
export interface Rule {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  /** Kinds the rule looks at; the engine never calls it for other kinds. */
  readonly targets: readonly string[];
  /** Why the rule exists: the failure it prevents. */
  readonly rationale: string;
  /** How to fix a violation. */
  readonly fix: string;
  /** Off-by-default rules run only when selected by id. */
  readonly enabledByDefault: boolean;
  /** A finding of this rule cannot be suppressed: no reason makes it acceptable. */
  readonly unsuppressible?: boolean;
  check(object: KubeObject, index: ManifestIndexReader): RuleOutcome;
}

/** Read access to every object of a run, built once, for rules that relate objects to each other. */
export interface ManifestIndexReader {
  readonly objects: readonly KubeObject[];
  ofKind(kind: string): readonly KubeObject[];
  find(kind: string, namespace: string | undefined, name: string): KubeObject | undefined;
  /** Every object of the run with the API group, kind, namespace and name of `object`, itself included. */
  sharingIdentity(object: KubeObject): readonly KubeObject[];
  /** Objects of `kind` in `namespace` whose label selector (at `spec.selector` or `spec.podSelector`) matches `labels`. */
  selecting(kind: string, namespace: string | undefined, labels: Readonly<Record<string, string>>): readonly KubeObject[];
  /** Pod templates (workloads) and Pods in `namespace` whose pod labels match `selector`. */
  podsMatching(namespace: string | undefined, selector: unknown): readonly KubeObject[];
}
