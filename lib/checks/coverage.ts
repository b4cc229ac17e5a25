import type { CoverageRow } from './catalog-doc';

/**
 * How the catalog covers each check of kube-score (KS), kube-linter (KL), Polaris (PO) and the Kyverno policy library
 * (KY), row by row of the merged matrix in the reference notes (checks-and-cdk.md §1): adopted as is, adapted (and
 * how), or rejected (and why). Every rule id named here is in RULE_CATALOG.
 */
export const COVERAGE: readonly CoverageRow[] = [
  {
    row: 1,
    asserted: 'StatefulSet is targeted by a PDB',
    tools: 'KS statefulset-has-poddisruptionbudget; KY require-pdb',
    decision: 'adopted',
    ruleIds: ['statefulset-has-pdb', 'pdb-preserves-quorum'],
    note:
      'An error, skipped below 2 replicas as in kube-score. A set annotated with a quorum is left to pdb-preserves-quorum, which ' +
      'also checks the budget against the quorum.',
  },
  {
    row: 2,
    asserted: 'Deployment is targeted by a PDB',
    tools: 'KS deployment-has-poddisruptionbudget; PO missingPodDisruptionBudget; KY require-pdb',
    decision: 'adapted',
    ruleIds: ['deployment-has-pdb'],
    note: "A warning rather than kube-score's critical: stateless pods evicted together come back within seconds. Skipped below 2 replicas.",
  },
  {
    row: 3,
    asserted: 'PDB sets minAvailable or maxUnavailable',
    tools: 'KS poddisruptionbudget-has-policy',
    decision: 'adopted',
    ruleIds: ['pdb-has-policy'],
    note:
      'A budget with neither field is accepted and then blocks every eviction. Also flags both fields at once and a value that is ' +
      'neither an integer nor a percentage, which the API server refuses.',
  },
  {
    row: 4,
    asserted: 'PDB does not block all evictions',
    tools: 'KL pdb-max-unavailable; PO pdbDisruptionsIsZero; KY pdb-maxunavailable',
    decision: 'adopted',
    ruleIds: ['pdb-allows-eviction'],
    note: 'maxUnavailable 0 or 0% and minAvailable 100% are flagged whatever the workload.',
  },
  {
    row: 5,
    asserted: "PDB minAvailable < the workload's replicas",
    tools: 'KL pdb-min-available; KY pdb-minavailable, require-replicas-allow-disruption, deployment-replicas-higher-than-pdb',
    decision: 'adopted',
    ruleIds: ['pdb-allows-eviction'],
    note: 'Computed for each workload the budget selects, with percentages rounded up as the eviction API does.',
  },
  {
    row: 6,
    asserted: 'PDB sets unhealthyPodEvictionPolicy',
    tools: 'KL pdb-unhealthy-pod-eviction-policy',
    decision: 'adapted',
    ruleIds: ['pdb-unhealthy-pod-eviction-policy'],
    note: 'Requires AlwaysAllow, not merely a value: with IfHealthyBudget a pod that never becomes ready blocks the drain that would move it.',
  },
  {
    row: 7,
    asserted: 'PDB percentages are reasonable',
    tools: 'KY require-reasonable-pdbs',
    decision: 'adapted',
    ruleIds: ['pdb-allows-eviction', 'pdb-preserves-quorum'],
    note:
      'Replaced by exact arithmetic: the budget lets one pod go, and keeps the quorum of a voting set. No fixed percentage band ' +
      'fits both 3 and 30 replicas.',
  },
  {
    row: 8,
    asserted: 'PDB minAvailable <= HPA minReplicas',
    tools: 'PO pdbMinAvailableGreaterThanHPAMinReplicas',
    decision: 'adapted',
    ruleIds: ['pdb-allows-eviction'],
    note: 'pdb-allows-eviction counts an autoscaled workload at its HPA minReplicas, where the budget is tightest.',
  },
  {
    row: 9,
    asserted: 'StatefulSet has host pod anti-affinity',
    tools: 'KS statefulset-has-host-podantiaffinity; KL no-anti-affinity',
    decision: 'adapted',
    ruleIds: ['host-anti-affinity'],
    note:
      'One rule for StatefulSets and Deployments. A topology spread constraint on hosts, zones or regions counts like anti-affinity. ' +
      'A warning, since the default scheduler spreading already applies.',
  },
  {
    row: 10,
    asserted: 'Deployment has host pod anti-affinity',
    tools: 'KS deployment-has-host-podantiaffinity; KL no-anti-affinity; KY create-pod-antiaffinity',
    decision: 'adapted',
    ruleIds: ['host-anti-affinity'],
    note: 'The same rule as row 9.',
  },
  {
    row: 11,
    asserted: 'topologySpreadConstraints present',
    tools: 'PO topologySpreadConstraint; KY topologyspreadconstraints-policy, spread-pods-across-topology',
    decision: 'adapted',
    ruleIds: ['critical-zone-spread', 'host-anti-affinity'],
    note: 'Required (on zones, hard, minDomains 3) for the CRITICAL tier only; elsewhere pod anti-affinity separates replicas as well.',
  },
  {
    row: 12,
    asserted: 'Spread constraints are well-formed',
    tools: 'KS pod-topology-spread-constraints',
    decision: 'adopted',
    ruleIds: ['topology-spread-well-formed'],
    note: "Also requires the labelSelector to match the pod's own labels: otherwise the constraint counts other pods and spreads nothing.",
  },
  {
    row: 13,
    asserted: 'Multiple replicas',
    tools: 'KS deployment-replicas; KL minimum-three-replicas; PO deploymentMissingReplicas; KY require-deployments-have-multiple-replicas',
    decision: 'adapted',
    ruleIds: ['workload-has-multiple-replicas', 'quorum-is-majority'],
    note:
      'StatefulSets included, minimum 2 (a voting set needs an odd number of at least 3, from quorum-is-majority). Not applicable ' +
      'to an autoscaled workload, which hpa-min-replicas judges.',
  },
  {
    row: 14,
    asserted: 'PriorityClass set',
    tools: 'KL priority-class-name; PO priorityClassNotSet; KY require-pod-priorityclassname',
    decision: 'adopted',
    ruleIds: ['pod-priority-class'],
    note: 'For long-running workloads (Deployment, StatefulSet, DaemonSet); Jobs are meant to be preempted.',
  },
  {
    row: 15,
    asserted: 'Node affinity set',
    tools: 'KL no-node-affinity',
    decision: 'rejected',
    ruleIds: [],
    note: 'Node labels belong to one cluster: a blueprint requiring node affinity would not schedule on clusters without those labels.',
  },
  {
    row: 16,
    asserted: 'RollingUpdate strategy',
    tools: 'KS deployment-strategy; KL no-rolling-update-strategy',
    decision: 'rejected',
    ruleIds: [],
    note:
      'RollingUpdate is the default of Deployments and StatefulSets, so another strategy is always a deliberate choice, and the ' +
      'right one for a single writer on a ReadWriteOnce volume (Recreate) or an operator-driven rollout (OnDelete).',
  },
  {
    row: 17,
    asserted: 'HPA minReplicas >= 2',
    tools: 'KS horizontalpodautoscaler-replicas; KL hpa-minimum-three-replicas; PO hpaMinAvailability',
    decision: 'adopted',
    ruleIds: ['hpa-min-replicas'],
    note: 'Minimum 2, as kube-score and Polaris.',
  },
  {
    row: 18,
    asserted: 'HPA max > min',
    tools: 'PO hpaMaxAvailability',
    decision: 'rejected',
    ruleIds: [],
    note: 'Equal bounds pin the size, a legitimate way to freeze scaling without deleting the autoscaler; it costs no availability.',
  },
  {
    row: 19,
    asserted: 'HPA targets an existing object',
    tools: 'KS horizontalpodautoscaler-has-target; KL dangling-horizontalpodautoscaler',
    decision: 'adopted',
    ruleIds: ['hpa-has-target'],
    note: 'The target must be among the checked objects of the same namespace.',
  },
  {
    row: 20,
    asserted: 'HPA-managed Deployment has no static replicas',
    tools: 'KS deployment-targeted-by-hpa-does-not-have-replicas-configured',
    decision: 'adopted',
    ruleIds: ['hpa-target-has-no-replicas'],
    note: 'StatefulSets included.',
  },
  {
    row: 21,
    asserted: 'StatefulSet serviceName points at an existing headless Service',
    tools: 'KS statefulset-has-servicename',
    decision: 'adopted',
    ruleIds: ['statefulset-headless-service'],
    note:
      'Fails when the Service is not among the checked objects, as kube-score does: blueprints always emit it with the StatefulSet. ' +
      'Also requires the Service to select the pods, without which they get no DNS names.',
  },
  {
    row: 22,
    asserted: 'Selector matches pod-template labels',
    tools: 'KS statefulset-/deployment-pod-selector-labels-match-template-metadata-labels; KL mismatching-selector',
    decision: 'adopted',
    ruleIds: ['selector-matches-template-labels', 'schema-valid'],
    note: 'For Deployments, StatefulSets, DaemonSets and ReplicaSets.',
  },
  {
    row: 23,
    asserted: 'StorageClass specified',
    tools: 'KY require-storageclass',
    decision: 'adapted',
    ruleIds: ['volume-claim-storage-class'],
    note: 'Off by default (a warning when enabled): the cluster default class is often the right one, and a blueprint cannot know class names.',
  },
  {
    row: 24,
    asserted: 'Label app.kubernetes.io/instance == metadata.name',
    tools: 'PO metadataAndInstanceMismatched',
    decision: 'rejected',
    ruleIds: ['required-labels'],
    note:
      'app.kubernetes.io/instance names a component instance, which spans several objects (cart-cache-redis and cart-cache-sentinel ' +
      'are both instance cart-cache); tying it to each object name would break that grouping. Its presence is required by required-labels.',
  },
  {
    row: 25,
    asserted: 'Required labels / valid label values',
    tools: 'KS label-values; KL required-label-owner, required-annotation-email; KY require-labels',
    decision: 'adapted',
    ruleIds: ['required-labels', 'schema-valid'],
    note:
      'app.kubernetes.io/name and app.kubernetes.io/instance on every object and pod template; label value syntax is checked by ' +
      'schema-valid. The owner is the stability-blueprints.io/owner annotation BusinessScenario writes, not a required label.',
  },
  {
    row: 26,
    asserted: 'Readiness probe present',
    tools: 'KS pod-probes; KL no-readiness-probe; PO readinessProbeMissing; KY require-probes',
    decision: 'adapted',
    ruleIds: ['pod-readiness-probe'],
    note:
      'Only for pods a Service selects, as kube-score, and only on the containers serving a port the Service forwards, so sidecars ' +
      'need none. An error.',
  },
  {
    row: 27,
    asserted: 'Liveness probe present',
    tools: 'KS pod-probes; KL no-liveness-probe; PO livenessProbeMissing; KY require-probes',
    decision: 'rejected',
    ruleIds: [],
    note:
      'A wrong liveness probe restarts a data store that is only slow (loading its dataset, a full resync) and the restarts ' +
      "cascade; kube-score's own advice is not to add one without a reason. Blueprints add one where the component has a safe check.",
  },
  {
    row: 28,
    asserted: 'Readiness and liveness probes are not identical',
    tools: 'KS pod-probes-identical; KY ensure-probes-different',
    decision: 'adopted',
    ruleIds: ['probes-not-identical'],
    note: 'Compares the handler (command, path, port, host, scheme), not the timings: the same check with other timings still restarts a slow pod.',
  },
  {
    row: 29,
    asserted: 'Probe targets a port the container exposes',
    tools: 'KL liveness-port, readiness-port, startup-port',
    decision: 'adopted',
    ruleIds: ['probe-port-exposed'],
    note: 'Port names and numbers, for readiness, liveness and startup probes.',
  },
  {
    row: 30,
    asserted: 'CPU requests (and limits) set',
    tools: 'KS container-resources; KL unset-cpu-requirements; PO cpuRequestsMissing, cpuLimitsMissing; KY require-pod-requests-limits',
    decision: 'adapted',
    ruleIds: ['container-resource-requests'],
    note:
      'CPU requests required; CPU limits rejected: CFS throttling of a single-threaded store stalls replication and health ' +
      'checks, and the probes then fail a healthy pod.',
  },
  {
    row: 31,
    asserted: 'Memory requests/limits set',
    tools: 'KS container-resources; KL unset-memory-requirements; PO memoryRequestsMissing, memoryLimitsMissing; KY require-pod-requests-limits',
    decision: 'adopted',
    ruleIds: ['container-resource-requests', 'container-memory-limit'],
    note: 'Requests and limit, init containers included; a request defaults to the limit when only the limit is set, as in Kubernetes.',
  },
  {
    row: 32,
    asserted: 'requests == limits (Guaranteed QoS)',
    tools: 'KS container-resource-requests-equal-limits, container-cpu-/memory-requests-equal-limits; KY memory-requests-equal-limits',
    decision: 'adapted',
    ruleIds: ['data-store-memory-limit-equals-request'],
    note:
      'Memory only, StatefulSets only, a warning: a store above its memory request is evicted first under node pressure. CPU ' +
      'equality would need a CPU limit (row 30).',
  },
  {
    row: 33,
    asserted: 'Ephemeral-storage request and limit',
    tools: 'KS container-ephemeral-storage-request-and-limit',
    decision: 'rejected',
    ruleIds: [],
    note:
      'Blueprints bound local disk per volume (emptyDir sizeLimit) under a read-only root filesystem; a container ' +
      'ephemeral-storage limit also counts container logs, so a log burst would evict a data-store pod.',
  },
  {
    row: 34,
    asserted: 'Non-root user',
    tools:
      'KS container-security-context-user-group-id; KL run-as-non-root; PO runAsRootAllowed; KY require-run-as-nonroot, require-run-as-non-root-user',
    decision: 'adopted',
    ruleIds: ['container-non-root', 'container-high-user-id'],
    note: 'Split in two: running as root is an error; a user or group ID below 10000 (kube-score) is a warning.',
  },
  {
    row: 35,
    asserted: 'Not privileged',
    tools: 'KS container-security-context-privileged; KL privileged-container; PO runAsPrivileged; KY disallow-privileged-containers',
    decision: 'adopted',
    ruleIds: ['container-not-privileged'],
    note: 'An error that cannot be suppressed.',
  },
  {
    row: 36,
    asserted: 'Read-only root filesystem',
    tools: 'KS container-security-context-readonlyrootfilesystem; KL no-read-only-root-fs; PO notReadOnlyRootFilesystem; KY require-ro-rootfs',
    decision: 'adopted',
    ruleIds: ['container-read-only-root-filesystem'],
    note: 'A warning.',
  },
  {
    row: 37,
    asserted: 'allowPrivilegeEscalation: false',
    tools: 'KL privilege-escalation-container; PO privilegeEscalationAllowed; KY disallow-privilege-escalation',
    decision: 'adopted',
    ruleIds: ['container-no-privilege-escalation'],
    note: 'An error; unset counts as true, which is what it means.',
  },
  {
    row: 38,
    asserted: 'Capabilities: drop ALL / NET_RAW, no dangerous adds',
    tools:
      'KL drop-net-raw-capability; PO dangerousCapabilities, insecureCapabilities; ' +
      'KY require-drop-all, require-drop-cap-net-raw, disallow-capabilities(-strict)',
    decision: 'adopted',
    ruleIds: ['container-drops-all-capabilities', 'container-no-dangerous-capabilities'],
    note: 'Dropping ALL (which covers NET_RAW) is a warning; adding a capability outside the Pod Security baseline set is an error.',
  },
  {
    row: 39,
    asserted: 'Seccomp / LSM hardening',
    tools: 'KS container-seccomp-profile; PO linuxHardening; KY restrict-seccomp(-strict), restrict-apparmor-profiles, disallow-selinux',
    decision: 'adapted',
    ruleIds: ['pod-seccomp-profile'],
    note:
      "RuntimeDefault or Localhost required, a warning (kube-score's is optional). AppArmor and SELinux are not required: they " +
      'depend on the node OS.',
  },
  {
    row: 40,
    asserted: 'No hostNetwork/hostPID/hostIPC',
    tools: 'KL host-network, host-pid, host-ipc; PO hostNetworkSet, hostPIDSet, hostIPCSet; KY disallow-host-namespaces',
    decision: 'adopted',
    ruleIds: ['pod-no-host-namespaces'],
    note: 'An error that cannot be suppressed; Windows hostProcess is judged here too.',
  },
  {
    row: 41,
    asserted: 'No hostPath / sensitive host mounts',
    tools: 'KL sensitive-host-mounts, docker-sock, writable-host-mount; PO hostPathSet; KY disallow-host-path, disallow-cri-sock-mount',
    decision: 'adopted',
    ruleIds: ['pod-no-host-path'],
    note: 'Any hostPath, not only sensitive paths: an error that cannot be suppressed, since it also ties the data to one node.',
  },
  {
    row: 42,
    asserted: 'No hostPort',
    tools: 'KL privileged-ports; PO hostPortSet; KY disallow-host-ports',
    decision: 'adopted',
    ruleIds: ['container-no-host-port'],
    note: "A warning. kube-linter's privileged-ports is not adopted: with all capabilities dropped a process cannot bind a port below 1024 anyway.",
  },
  {
    row: 43,
    asserted: 'procMount default / safe sysctls / no hostProcess',
    tools: 'KL unsafe-proc-mount, unsafe-sysctls; PO procMount, hostProcess; KY disallow-proc-mount, restrict-sysctls, disallow-host-process',
    decision: 'adopted',
    ruleIds: ['pod-no-unsafe-sysctls-or-proc-mount', 'pod-no-host-namespaces'],
    note: 'The Kubernetes list of safe sysctls; hostProcess is judged with the host namespaces.',
  },
  {
    row: 44,
    asserted: 'Restricted volume types',
    tools: 'KY restrict-volume-types',
    decision: 'adopted',
    ruleIds: ['pod-restricted-volume-types'],
    note: 'A warning; hostPath is left to pod-no-host-path.',
  },
  {
    row: 45,
    asserted: 'Pod is selected by a NetworkPolicy (ingress and egress)',
    tools: 'KS pod-networkpolicy; KL non-isolated-pod; PO missingNetworkPolicy; KY add-network-policy, add-networkpolicy-dns',
    decision: 'adapted',
    ruleIds: ['pod-network-policy'],
    note:
      "Coverage adds up across policies, as kube-score counts it; Polaris's single-policy rule would fail cdk8s-plus output, which " +
      'writes one policy per direction. A warning.',
  },
  {
    row: 46,
    asserted: 'NetworkPolicy selects at least one pod',
    tools: 'KS networkpolicy-targets-pod; KL dangling-networkpolicy, dangling-networkpolicypeer-podselector',
    decision: 'adopted',
    ruleIds: ['network-policy-selects-pods'],
    note:
      'An empty podSelector is not applicable: it selects the whole namespace. Peer selectors are not checked: peers often live ' +
      'in other manifests.',
  },
  {
    row: 47,
    asserted: 'NetworkPolicy podSelector is not empty',
    tools: 'KY restrict-networkpolicy-empty-podselector',
    decision: 'rejected',
    ruleIds: [],
    note: 'An empty podSelector is how a namespace-wide default-deny policy is written; forbidding it removes the safest baseline.',
  },
  {
    row: 48,
    asserted: 'Service selects pods',
    tools: 'KS service-targets-pod; KL dangling-service',
    decision: 'adopted',
    ruleIds: ['service-selects-pods'],
    note: 'A warning: the pods may come from other manifests.',
  },
  {
    row: 49,
    asserted: 'Service is not NodePort / forbidden types',
    tools: 'KS service-type; KL exposed-services; KY restrict-node-port, restrict-service-external-ips',
    decision: 'adapted',
    ruleIds: ['service-type-not-node-port'],
    note: 'NodePort is a warning and LoadBalancer is allowed; externalIPs are left to admission control, where the cluster can forbid them.',
  },
  {
    row: 50,
    asserted: 'Service / target port names valid',
    tools: 'KL invalid-target-ports',
    decision: 'adapted',
    ruleIds: ['service-target-port-exists', 'schema-valid'],
    note:
      'A named targetPort must be a container port name of every selected workload, or that workload gets no endpoint; the name ' +
      'syntax is checked by schema-valid.',
  },
  {
    row: 51,
    asserted: 'automountServiceAccountToken: false',
    tools: 'PO automountServiceAccountToken; KY restrict-automount-sa-token',
    decision: 'adapted',
    ruleIds: ['automount-service-account-token-disabled'],
    note: 'An explicit true counts as a declared need, and a ServiceAccount of the manifests that disables automounting satisfies it. A warning.',
  },
  {
    row: 52,
    asserted: 'Not the default SA / SA exists / no deprecated serviceAccount field',
    tools: 'KL default-service-account, non-existent-service-account, deprecated-service-account-field',
    decision: 'adapted',
    ruleIds: ['no-deprecated-service-account-field'],
    note:
      'Only the deprecated field. The default ServiceAccount is harmless without a mounted token (row 51), and ServiceAccounts are ' +
      'often created with the namespace, outside the checked manifests.',
  },
  {
    row: 53,
    asserted: 'No secrets in env vars',
    tools: 'KL env-var-secret, read-secret-from-env-var; PO sensitiveContainerEnvVar',
    decision: 'adapted',
    ruleIds: ['container-no-literal-secret-env', 'secret-has-no-literal-data'],
    note:
      'Literal values of secret-named variables are errors; secretKeyRef in env is allowed (read-secret-from-env-var rejected: ' +
      'blueprints pass the Redis password that way). Added: no Secret with literal data in the manifests.',
  },
  {
    row: 54,
    asserted: 'Image tag pinned (not latest)',
    tools: 'KS container-image-tag; KL latest-tag; PO tagNotSpecified; KY disallow-latest-tag',
    decision: 'adopted',
    ruleIds: ['image-tag-pinned'],
    note: 'A digest counts as pinned. An error.',
  },
  {
    row: 55,
    asserted: 'imagePullPolicy: Always',
    tools: 'KS container-image-pull-policy; PO pullPolicyNotAlways',
    decision: 'rejected',
    ruleIds: ['image-tag-pinned'],
    note:
      'Pinned tags with IfNotPresent keep a node able to restart pods while the registry is down; Always makes every restart ' +
      'depend on the registry. What Always guards against, a moving tag, image-tag-pinned rules out.',
  },
  {
    row: 56,
    asserted: 'No duplicate env var keys',
    tools: 'KS environment-variable-key-duplication; KL duplicate-env-var',
    decision: 'adopted',
    ruleIds: ['container-no-duplicate-env'],
    note: 'An error: server-side apply rejects the list.',
  },
  {
    row: 57,
    asserted: 'No deprecated API versions / no default namespace',
    tools: 'KS stable-version; KL no-extensions-v1beta, use-namespace; KY check-deprecated-apis, disallow-default-namespace',
    decision: 'adapted',
    ruleIds: ['no-deprecated-api-version'],
    note:
      'API versions removed up to Kubernetes 1.32 are errors. A namespace is not required: it is often set at deploy time ' +
      '(kubectl -n, kustomize).',
  },
];
