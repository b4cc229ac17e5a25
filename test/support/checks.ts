import { KubeObject, Rule, runChecks } from '../../lib';

/** What one rule says about one object among `objects`: its violations as `path: message`, or the not-applicable reason. */
export function judge(rule: Rule, objects: KubeObject[], target: KubeObject = objects[0]): string[] | { notApplicable: string } {
  const report = runChecks(
    objects.map((object) => ({ object })),
    [rule],
  );
  const run = report.runs.find((candidate) => candidate.input.object === target && candidate.ruleId === rule.id);
  if (!run) {
    throw new Error(`${rule.id} did not run on ${target.kind}/${target.metadata?.name}`);
  }
  if (run.status === 'not-applicable') {
    return { notApplicable: run.reason ?? '' };
  }
  return report.findings
    .filter((finding) => finding.object.name === target.metadata?.name && finding.object.kind === target.kind)
    .map((finding) => `${finding.path}: ${finding.message}`);
}

/** A StatefulSet with the given pod labels, annotations and spec fields. */
export function statefulSet(
  name: string,
  options: { annotations?: Record<string, string>; replicas?: number; podSpec?: object; spec?: object } = {},
): KubeObject {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: 'shop', annotations: options.annotations ?? {} },
    spec: {
      replicas: options.replicas ?? 3,
      serviceName: name,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'main', image: 'main:1.0.0' }], ...options.podSpec } },
      ...options.spec,
    },
  };
}

export function disruptionBudget(name: string, selector: Record<string, string>, policy: object): KubeObject {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, namespace: 'shop' },
    spec: { selector: { matchLabels: selector }, ...policy },
  };
}
