import type { KubeObject } from './model';

type Labels = Readonly<Record<string, string>>;

interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: string;
  readonly values?: readonly string[];
}

/** A Kubernetes LabelSelector (`matchLabels` and `matchExpressions`); anything malformed matches nothing. */
export function selectorMatches(selector: unknown, labels: Labels): boolean {
  if (!isRecord(selector)) {
    return false;
  }
  const matchLabels = selector.matchLabels;
  if (matchLabels !== undefined) {
    if (!isRecord(matchLabels) || !Object.entries(matchLabels).every(([key, value]) => labels[key] === value)) {
      return false;
    }
  }
  const expressions = selector.matchExpressions;
  if (expressions === undefined) {
    return true;
  }
  return Array.isArray(expressions) && expressions.every((expression) => requirementMatches(expression as LabelSelectorRequirement, labels));
}

function requirementMatches(requirement: LabelSelectorRequirement, labels: Labels): boolean {
  const present = Object.prototype.hasOwnProperty.call(labels, requirement.key);
  const values = requirement.values ?? [];
  switch (requirement.operator) {
    case 'In':
      return present && values.includes(labels[requirement.key]);
    case 'NotIn':
      return !present || !values.includes(labels[requirement.key]);
    case 'Exists':
      return present;
    case 'DoesNotExist':
      return !present;
    default:
      return false;
  }
}

/** The label selector of an object that selects pods, in LabelSelector form (a Service's map included). */
export function podSelectorOf(object: KubeObject): unknown {
  switch (object.kind) {
    case 'Service':
      return isRecord(object.spec?.selector) ? { matchLabels: object.spec.selector } : undefined;
    case 'NetworkPolicy':
      return object.spec?.podSelector;
    default:
      return object.spec?.selector;
  }
}

export interface PodTemplate {
  readonly metadata: { readonly labels?: Labels; readonly annotations?: Labels };
  readonly spec: any;
  /** JSON path of the template, e.g. `spec.template`; empty for a Pod. */
  readonly path: string;
}

/** The pod template of a workload, or the pod itself; undefined for objects that run no pods. */
export function podTemplateOf(object: KubeObject): PodTemplate | undefined {
  switch (object.kind) {
    case 'Pod':
      return isRecord(object.spec) ? { metadata: object.metadata ?? {}, spec: object.spec, path: '' } : undefined;
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'ReplicationController':
    case 'Job':
      return templateAt(object.spec?.template, 'spec.template');
    case 'CronJob':
      return templateAt(object.spec?.jobTemplate?.spec?.template, 'spec.jobTemplate.spec.template');
    default:
      return undefined;
  }
}

function templateAt(template: unknown, path: string): PodTemplate | undefined {
  if (!isRecord(template) || !isRecord(template.spec)) {
    return undefined;
  }
  const metadata = isRecord(template.metadata) ? (template.metadata as PodTemplate['metadata']) : {};
  return { metadata, spec: template.spec, path };
}

export function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
