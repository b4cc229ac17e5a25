import { Rule, RuleOutcome, Severity } from '../model';
import { violation } from '../pod-helpers';
import { validateManifest } from '../schema/strict-schema';

/**
 * The built-in Kubernetes kinds that deployable manifests contain, for rules that look at every object.
 *
 * The engine dispatches by kind and calls a rule only for the kinds it targets, so "every object" has to be spelled
 * out. The list is the kinds kubernetes-models knows, less the request-only kinds no manifest applies (reviews,
 * Eviction, Scale, TokenRequest, Binding, DeploymentRollback) and the objects the cluster creates or allocates itself
 * (Event, Node, Lease, ControllerRevision, ComponentStatus, CSINode, CSIStorageCapacity, VolumeAttachment, IPAddress,
 * ServiceCIDR, CertificateSigningRequest, PodTemplate), plus the custom resources whose model package the strict schema
 * loads. Other custom resources are not in it: the strict schema knows them only once registered.
 */
export const MANIFEST_KINDS: readonly string[] = [
  'APIService',
  'ClusterRole',
  'ClusterRoleBinding',
  'ConfigMap',
  'CronJob',
  'CSIDriver',
  'CustomResourceDefinition',
  'DaemonSet',
  'Deployment',
  'EndpointSlice',
  'Endpoints',
  'FlowSchema',
  'HorizontalPodAutoscaler',
  'Ingress',
  'IngressClass',
  'Job',
  'LimitRange',
  'MutatingWebhookConfiguration',
  'Namespace',
  'NetworkPolicy',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'Pod',
  'PodDisruptionBudget',
  'PodSecurityPolicy',
  'PriorityClass',
  'PriorityLevelConfiguration',
  'ReplicaSet',
  'ReplicationController',
  'ResourceQuota',
  'Role',
  'RoleBinding',
  'RuntimeClass',
  'Secret',
  'Service',
  'ServiceAccount',
  'StatefulSet',
  'StorageClass',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'ValidatingWebhookConfiguration',
  // Custom resources whose model package the strict schema loads (monitoring.coreos.com).
  'PodMonitor',
  'PrometheusRule',
  'ServiceMonitor',
];

export const SCHEMA_VALID: Rule = {
  id: 'schema-valid',
  title: 'The object is valid against the strict Kubernetes schema',
  severity: Severity.ERROR,
  targets: MANIFEST_KINDS,
  rationale:
    'The API server rejects a malformed object at apply time, half-way through a rollout, and silently drops an unknown field: a ' +
    'misspelt securityContext or probe is then simply not there, and every other rule judged a field the cluster never sees.',
  fix: 'Correct the field at the reported path: its type, its spelling, or the value the API server requires.',
  enabledByDefault: true,
  check(object): RuleOutcome {
    return validateManifest(object).map((found) => violation(found.path, found.message));
  },
};

export const SCHEMA_RULES: readonly Rule[] = [SCHEMA_VALID];
