/** Prefix of every label and annotation that stability-blueprints writes. */
export const LABEL_PREFIX = 'stability-blueprints.io';

/** Annotation and label keys read by the checks; components write them so any manifest can be judged. */
export const BlueprintKeys = {
  COMPONENT: `${LABEL_PREFIX}/component`,
  ROLE: `${LABEL_PREFIX}/role`,
  TIER: `${LABEL_PREFIX}/tier`,
  SCENARIO: `${LABEL_PREFIX}/scenario`,
  OWNER: `${LABEL_PREFIX}/owner`,
  DATA_CLASS: `${LABEL_PREFIX}/data-class`,
  /** On a workload and its PDB: pods that must stay up for the set to keep serving and deciding. */
  QUORUM: `${LABEL_PREFIX}/quorum`,
  /** On a workload whose pods vote (`majority`): its size must be odd and its quorum a majority. */
  CONSENSUS: `${LABEL_PREFIX}/consensus`,
  SUPPRESS: `${LABEL_PREFIX}/suppress`,
  /** On a database workload: the engine its members run (`mysql-8.4`, `mariadb-11.4`). */
  ENGINE: `${LABEL_PREFIX}/engine`,
  /** On the objects of a MongoDB set with an arbiter: why it runs one instead of a data-bearing member. */
  ARBITER_REASON: `${LABEL_PREFIX}/component-arbiter-reason`,
} as const;

export const MANAGED_BY = 'stability-blueprints';

/** What identifies one set of pods of one component instance. */
export interface WorkloadIdentity {
  /** `app.kubernetes.io/name`, the application, e.g. `redis`. */
  readonly name: string;
  /** `app.kubernetes.io/instance`, unique per component instance. */
  readonly instance: string;
  /** `app.kubernetes.io/component`, the role of these pods in the instance, e.g. `sentinel`. */
  readonly component: string;
  /** `app.kubernetes.io/part-of`, the business scenario. */
  readonly partOf: string;
}

/** The labels that select the pods of one workload; stable for the life of the workload (StatefulSet selectors are immutable). */
export function selectorLabels(identity: WorkloadIdentity): Record<string, string> {
  return {
    'app.kubernetes.io/name': identity.name,
    'app.kubernetes.io/instance': identity.instance,
    'app.kubernetes.io/component': identity.component,
  };
}

/** Every standard label, for every object of a workload. */
export function standardLabels(identity: WorkloadIdentity): Record<string, string> {
  return {
    ...selectorLabels(identity),
    'app.kubernetes.io/part-of': identity.partOf,
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
}
