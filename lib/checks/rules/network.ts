import { KubeObject, ManifestIndexReader, notApplicable, Rule, RuleOutcome, Severity } from '../model';
import { containersOf, POD_KINDS, violation } from '../pod-helpers';
import { isRecord, podTemplateOf } from '../selectors';

/** The directions a NetworkPolicy restricts: its policyTypes, or as the API defaults them, Ingress plus Egress when it has egress rules. */
function restrictedDirections(policy: KubeObject): string[] {
  const types = policy.spec?.policyTypes;
  return Array.isArray(types) ? types : ['Ingress', ...(policy.spec?.egress !== undefined ? ['Egress'] : [])];
}

function names(objects: readonly KubeObject[]): string {
  return objects.map((object) => object.metadata?.name).join(', ');
}

export const POD_NETWORK_POLICY: Rule = {
  id: 'pod-network-policy',
  title: 'Every pod is isolated by NetworkPolicies for both ingress and egress',
  severity: Severity.WARNING,
  targets: [...POD_KINDS],
  rationale:
    'A pod no NetworkPolicy selects accepts connections from every pod of the cluster and opens connections anywhere: one ' +
    'compromised pod reaches the data store directly. Coverage adds up across policies, as kube-score counts it, because ' +
    'cdk8s-plus and the blueprints write one policy per direction or peer.',
  fix: 'Select the pods with NetworkPolicies whose policyTypes include Ingress and Egress, allowing only the peers the pods need.',
  enabledByDefault: true,
  check(object, index): RuleOutcome {
    const template = podTemplateOf(object);
    if (!template) {
      return notApplicable('no pod template');
    }
    const policies = index.selecting('NetworkPolicy', object.metadata?.namespace, template.metadata.labels ?? {});
    if (policies.length === 0) {
      return [violation('', 'no NetworkPolicy selects the pods: every pod of the cluster may connect to them, and they to anything')];
    }
    const restricted = new Set(policies.flatMap(restrictedDirections));
    const open = ['Ingress', 'Egress'].filter((direction) => !restricted.has(direction));
    return open.length === 0
      ? []
      : [
          violation(
            '',
            `the NetworkPolicies selecting the pods (${names(policies)}) leave ` +
              `${open.map((direction) => direction.toLowerCase()).join(' and ')} open`,
          ),
        ];
  },
};

export const NETWORK_POLICY_SELECTS_PODS: Rule = {
  id: 'network-policy-selects-pods',
  title: 'A NetworkPolicy selects at least one pod of the same manifests',
  severity: Severity.WARNING,
  targets: ['NetworkPolicy'],
  rationale: 'A policy whose podSelector matches no pod (a typo, a relabelled workload) isolates nothing, while the manifests look isolated.',
  fix: 'Make spec.podSelector match the pod template labels of the workload it is meant for.',
  enabledByDefault: true,
  check(object, index): RuleOutcome {
    const selector = object.spec?.podSelector;
    const expressions = isRecord(selector) && Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
    const matchLabels = isRecord(selector) && isRecord(selector.matchLabels) ? selector.matchLabels : {};
    if (expressions.length === 0 && Object.keys(matchLabels).length === 0) {
      return notApplicable('an empty podSelector selects every pod of the namespace');
    }
    const namespace = object.metadata?.namespace;
    return index.podsMatching(namespace, selector).length > 0
      ? []
      : [
          violation(
            'spec.podSelector',
            `the podSelector ${JSON.stringify(selector)} selects no pod among the checked objects of namespace ${namespace ?? '(none)'}`,
          ),
        ];
  },
};

/** The pods a Service forwards to, or why it has none of its own to check. */
function selectedPods(service: KubeObject, index: ManifestIndexReader): readonly KubeObject[] | string {
  if (service.spec?.type === 'ExternalName') {
    return 'an ExternalName Service selects no pods';
  }
  const selector = service.spec?.selector;
  if (!isRecord(selector) || Object.keys(selector).length === 0) {
    return 'no selector: the endpoints are managed outside the Service';
  }
  return index.podsMatching(service.metadata?.namespace, { matchLabels: selector });
}

export const SERVICE_SELECTS_PODS: Rule = {
  id: 'service-selects-pods',
  title: 'A Service selects at least one pod of the same manifests',
  severity: Severity.WARNING,
  targets: ['Service'],
  rationale:
    'A Service whose selector matches no pod has no endpoints: its clients get connection refused. A warning, because the pods may ' +
    'be deployed from other manifests.',
  fix: 'Make spec.selector match the pod template labels of the workload behind the Service.',
  enabledByDefault: true,
  check(object, index): RuleOutcome {
    const pods = selectedPods(object, index);
    if (typeof pods === 'string') {
      return notApplicable(pods);
    }
    return pods.length > 0
      ? []
      : [
          violation(
            'spec.selector',
            `the selector ${JSON.stringify(object.spec.selector)} selects no pod among the checked objects of its namespace`,
          ),
        ];
  },
};

export const SERVICE_TYPE_NOT_NODE_PORT: Rule = {
  id: 'service-type-not-node-port',
  title: 'No Service is of type NodePort',
  severity: Severity.WARNING,
  targets: ['Service'],
  rationale:
    "A NodePort opens the port on every node's address, outside any NetworkPolicy of the pod network on many plugins, and makes " +
    'clients depend on node addresses that change with every node replacement. LoadBalancer Services are fine.',
  fix: 'Use a ClusterIP Service inside the cluster, and a LoadBalancer Service or an Ingress from outside.',
  enabledByDefault: true,
  check(object): RuleOutcome {
    return object.spec?.type === 'NodePort' ? [violation('spec.type', 'the Service is of type NodePort: the port opens on every node')] : [];
  },
};

export const SERVICE_TARGET_PORT_EXISTS: Rule = {
  id: 'service-target-port-exists',
  title: 'A named targetPort of a Service is a port name of every workload it selects',
  severity: Severity.ERROR,
  targets: ['Service'],
  rationale:
    'A named targetPort resolves to each pod through its container port names; the pods that do not declare the name get no ' +
    'endpoint for that port, so the clients of a misspelt name get connection refused from every pod.',
  fix: 'Name the container port as the Service targetPort names it, or target the port number.',
  enabledByDefault: true,
  check(object, index): RuleOutcome {
    const pods = selectedPods(object, index);
    if (typeof pods === 'string') {
      return notApplicable(pods);
    }
    if (pods.length === 0) {
      return notApplicable('selects no pod among the checked objects (see service-selects-pods)');
    }
    const ports: any[] = Array.isArray(object.spec?.ports) ? object.spec.ports : [];
    return ports.flatMap((port, position) => {
      const name = port?.targetPort;
      if (typeof name !== 'string') {
        return [];
      }
      const lacking = pods.filter((pod) => {
        const template = podTemplateOf(pod);
        return (
          !template || !containersOf(template).some(({ container }) => (container?.ports ?? []).some((declared: any) => declared?.name === name))
        );
      });
      return lacking.length === 0
        ? []
        : [
            violation(
              `spec.ports[${position}].targetPort`,
              `targetPort "${name}" is not a container port name of ${lacking.map((pod) => `${pod.kind} ${pod.metadata?.name}`).join(', ')}`,
            ),
          ];
    });
  },
};

export const NETWORK_RULES: readonly Rule[] = [
  POD_NETWORK_POLICY,
  NETWORK_POLICY_SELECTS_PODS,
  SERVICE_SELECTS_PODS,
  SERVICE_TYPE_NOT_NODE_PORT,
  SERVICE_TARGET_PORT_EXISTS,
];
