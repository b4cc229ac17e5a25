import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { KubeObject, Rule, runChecks } from '../../lib';
import { RULE_CATALOG } from '../../lib/checks/catalog';
import { formatObjectRef, selectRules } from '../../lib/checks/engine';
import { Severity } from '../../lib/checks/model';

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

/**
 * A team's own voting StatefulSet (with its headless Service) that follows every rule but one: no
 * PodDisruptionBudget protects its quorum, so exactly `pdb-preserves-quorum` fires.
 */
export function defineVotersWithoutBudget(scope: Construct): k8s.KubeStatefulSet {
  const labels = { 'app.kubernetes.io/name': 'voters', 'app.kubernetes.io/instance': 'voters' };
  new k8s.KubeService(scope, 'voters-headless', {
    metadata: { name: 'voters', labels },
    spec: { clusterIp: 'None', selector: labels, ports: [{ name: 'vote', port: 7000, targetPort: k8s.IntOrString.fromString('vote') }] },
  });
  new k8s.KubeNetworkPolicy(scope, 'voters-policy', {
    metadata: { name: 'voters', labels },
    spec: {
      podSelector: { matchLabels: labels },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: { matchLabels: labels } }], ports: [{ port: k8s.IntOrString.fromNumber(7000) }] }],
      egress: [{ to: [{ podSelector: { matchLabels: labels } }], ports: [{ port: k8s.IntOrString.fromNumber(7000) }] }],
    },
  });
  const memory = k8s.Quantity.fromString('128Mi');
  return new k8s.KubeStatefulSet(scope, 'voters', {
    metadata: { name: 'voters', labels, annotations: { 'stability-blueprints.io/quorum': '2', 'stability-blueprints.io/consensus': 'majority' } },
    spec: {
      replicas: 3,
      serviceName: 'voters',
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          automountServiceAccountToken: false,
          priorityClassName: 'stability-blueprints-high',
          securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                { weight: 100, podAffinityTerm: { labelSelector: { matchLabels: labels }, topologyKey: 'kubernetes.io/hostname' } },
              ],
            },
          },
          containers: [
            {
              name: 'voter',
              image: 'voter:1.0.0',
              ports: [{ name: 'vote', containerPort: 7000 }],
              readinessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('vote') } },
              resources: { requests: { cpu: k8s.Quantity.fromString('100m'), memory }, limits: { memory } },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
            },
          ],
        },
      },
    },
  });
}

/** Findings at `severity` of every default rule of the catalog over `objects`, one readable line each. */
export function catalogFindings(objects: readonly any[], severity: Severity): string[] {
  const report = runChecks(
    objects.map((object) => ({ object })),
    selectRules(RULE_CATALOG),
    RULE_CATALOG,
  );
  return report.findings
    .filter((finding) => finding.severity === severity)
    .map((finding) => `${finding.ruleId} ${formatObjectRef(finding.object)} ${finding.path}: ${finding.message}`);
}
