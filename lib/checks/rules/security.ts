/**
 * Pod and container security rules, after the Pod Security Standards (baseline and restricted).
 *
 * Three rules cannot be suppressed, because no reason makes them acceptable for a workload of this library:
 * `container-not-privileged`, `pod-no-host-namespaces` and `pod-no-host-path`. Each gives the pod the node itself (every
 * device, the node's network or processes, its filesystem), so one compromised or buggy data store becomes a compromised
 * node with every other tenant on it. A run can still skip them by id, which is visible in its configuration.
 */
import { Rule, RuleOutcome, Severity, Violation } from '../model';
import { ContainerAt, containersOf, POD_KINDS, podSpecPath, violation, withPodTemplate } from '../pod-helpers';
import { PodTemplate } from '../selectors';

/** Below this, a user or group ID may be one of the node's own (system users, the first human accounts). */
const MIN_UNPRIVILEGED_ID = 10000;

/** Capabilities the Pod Security baseline lets a container add: none of them reaches beyond the container. */
const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

const CONFINING_SECCOMP_PROFILES = ['RuntimeDefault', 'Localhost'];

/** The namespaced sysctls Kubernetes deems safe: they affect only the pod, so every kubelet allows them. */
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.ping_group_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);

/** Volume types the restricted Pod Security level allows: none of them exposes node or network storage the pod does not own. */
const RESTRICTED_VOLUME_TYPES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);

const HOST_NAMESPACES = { hostNetwork: 'network', hostPID: 'process', hostIPC: 'IPC' } as const;

/** A field a container inherits from the pod security context: its value and where it is set (the container when unset). */
function inherited(template: PodTemplate, at: ContainerAt, field: string): { value: unknown; path: string } {
  const own = at.container?.securityContext?.[field];
  if (own !== undefined) {
    return { value: own, path: `${at.path}.securityContext.${field}` };
  }
  const pod = template.spec.securityContext?.[field];
  return pod !== undefined
    ? { value: pod, path: `${podSpecPath(template)}.securityContext.${field}` }
    : { value: undefined, path: `${at.path}.securityContext.${field}` };
}

function eachContainer(check: (at: ContainerAt, template: PodTemplate) => Violation[]): Rule['check'] {
  return (object): RuleOutcome => withPodTemplate(object, (template) => containersOf(template).flatMap((at) => check(at, template)));
}

function named(at: ContainerAt): string {
  return `container "${at.container?.name}"`;
}

export const CONTAINER_NON_ROOT: Rule = {
  id: 'container-non-root',
  title: 'Every container runs as a non-root user',
  severity: Severity.ERROR,
  targets: [...POD_KINDS],
  rationale:
    'Root in a container is root on the node for every kernel bug and every mounted path; with runAsNonRoot the kubelet refuses to ' +
    'start an image that would run as root.',
  fix: 'Set runAsNonRoot: true and a non-zero runAsUser, on the pod or on each container.',
  enabledByDefault: true,
  check: eachContainer((at, template) => {
    const user = inherited(template, at, 'runAsUser');
    if (user.value === 0) {
      return [violation(user.path, `${named(at)} runs as root (runAsUser 0)`)];
    }
    const nonRoot = inherited(template, at, 'runAsNonRoot');
    if (nonRoot.value === true || (typeof user.value === 'number' && user.value > 0)) {
      return [];
    }
    return [violation(nonRoot.path, `${named(at)} may run as root: neither runAsNonRoot: true nor a non-zero runAsUser is set on it or on the pod`)];
  }),
};

export const CONTAINER_HIGH_USER_ID: Rule = {
  id: 'container-high-user-id',
  title: `Every container runs with a user and group ID of at least ${MIN_UNPRIVILEGED_ID}`,
  severity: Severity.WARNING,
  targets: [...POD_KINDS],
  rationale:
    `An ID below ${MIN_UNPRIVILEGED_ID} may be a user of the node itself, so a container escape lands with that user's files and rights; ` +
    'an unset ID is whatever the image chose, which changes with the image.',
  fix: `Set runAsUser and runAsGroup to ${MIN_UNPRIVILEGED_ID} or more (stability-blueprints uses 10001), on the pod or on each container.`,
  enabledByDefault: true,
  check: eachContainer((at, template) =>
    (['runAsUser', 'runAsGroup'] as const).flatMap((field) => {
      const { value, path } = inherited(template, at, field);
      if (typeof value === 'number' && value >= MIN_UNPRIVILEGED_ID) {
        return [];
      }
      return [
        violation(
          path,
          value === undefined
            ? `${named(at)} sets no ${field}: the image decides`
            : `${named(at)} has ${field} ${value}, below ${MIN_UNPRIVILEGED_ID}`,
        ),
      ];
    }),
  ),
};

export const CONTAINER_NOT_PRIVILEGED: Rule = {
  id: 'container-not-privileged',
  title: 'No container is privileged',
  severity: Severity.ERROR,
  targets: [...POD_KINDS],
  rationale: 'A privileged container has every capability and every device of the node: it is the node. No data store needs that.',
  fix: 'Remove securityContext.privileged, and add the one capability actually needed if any (from the Pod Security baseline set).',
  enabledByDefault: true,
  unsuppressible: true,
  check: eachContainer((at) =>
    at.container?.securityContext?.privileged === true
      ? [violation(`${at.path}.securityContext.privileged`, `${named(at)} is privileged: it has every capability and device of the node`)]
      : [],
  ),
};

export const CONTAINER_READ_ONLY_ROOT_FILESYSTEM: Rule = {
  id: 'container-read-only-root-filesystem',
  title: 'Every container has a read-only root filesystem',
  severity: Severity.WARNING,
  targets: [...POD_KINDS],
  rationale:
    'A writable root filesystem lets an intruder drop tools into the image, and lets the process write data where no volume, size ' +
    'limit or backup sees it: the data is lost on restart and the writes can fill the node disk.',
  fix: 'Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir (with a sizeLimit) or a volume where the process writes.',
  enabledByDefault: true,
  check: eachContainer((at) => {
    const value = at.container?.securityContext?.readOnlyRootFilesystem;
    return value === true
      ? []
      : [
          violation(
            `${at.path}.securityContext.readOnlyRootFilesystem`,
            `${named(at)} has a writable root filesystem (readOnlyRootFilesystem ${value ?? 'unset'})`,
          ),
        ];
  }),
};

export const CONTAINER_NO_PRIVILEGE_ESCALATION: Rule = {
  id: 'container-no-privilege-escalation',
  title: 'No container can gain privileges (allowPrivilegeEscalation: false)',
  severity: Severity.ERROR,
  targets: [...POD_KINDS],
  rationale: 'Unless it is false, a setuid binary in the image lets the process become root again, undoing runAsNonRoot.',
  fix: 'Set securityContext.allowPrivilegeEscalation: false on every container.',
  enabledByDefault: true,
  check: eachContainer((at) => {
    const value = at.container?.securityContext?.allowPrivilegeEscalation;
    return value === false
      ? []
      : [
          violation(
            `${at.path}.securityContext.allowPrivilegeEscalation`,
            `${named(at)} allows privilege escalation (allowPrivilegeEscalation ${value ?? 'unset, which means true'})`,
          ),
        ];
  }),
};

function capabilityName(capability: unknown): string {
  return String(capability).toUpperCase().replace(/^CAP_/, '');
}

export const CONTAINER_DROPS_ALL_CAPABILITIES: Rule = {
  id: 'container-drops-all-capabilities',
  title: 'Every container drops all capabilities',
  severity: Severity.WARNING,
  targets: [...POD_KINDS],
  rationale:
    'The default capability set includes NET_RAW (spoofed packets on the pod network), CHOWN and DAC_OVERRIDE (ignoring file ' +
    'permissions), none of which a data store needs; dropping ALL and adding back what is needed keeps a compromise inside the process.',
  fix: 'Set securityContext.capabilities.drop: [ALL], and add back only what the process needs (e.g. NET_BIND_SERVICE).',
  enabledByDefault: true,
  check: eachContainer((at) => {
    const drop = at.container?.securityContext?.capabilities?.drop;
    return Array.isArray(drop) && drop.some((capability) => capabilityName(capability) === 'ALL')
      ? []
      : [
          violation(
            `${at.path}.securityContext.capabilities.drop`,
            `${named(at)} does not drop ALL capabilities (drop: ${JSON.stringify(drop ?? [])})`,
          ),
        ];
  }),
};

export const CONTAINER_NO_DANGEROUS_CAPABILITIES: Rule = {
  id: 'container-no-dangerous-capabilities',
  title: 'No container adds a capability beyond the Pod Security baseline set',
  severity: Severity.ERROR,
  targets: [...POD_KINDS],
  rationale:
    'SYS_ADMIN, NET_ADMIN, SYS_PTRACE, SYS_MODULE and the other capabilities outside the baseline set reach beyond the container: ' +
    'mounting filesystems, reconfiguring the node network, reading other processes, loading kernel modules.',
  fix: `Add only capabilities from the baseline set: ${[...BASELINE_CAPABILITIES].join(', ')}.`,
  enabledByDefault: true,
  check: eachContainer((at) => {
    const add = at.container?.securityContext?.capabilities?.add;
    const dangerous = (Array.isArray(add) ? add : []).map(capabilityName).filter((capability) => !BASELINE_CAPABILITIES.has(capability));
    return dangerous.length === 0
      ? []
      : [violation(`${at.path}.securityContext.capabilities.add`, `${named(at)} adds ${dangerous.join(', ')}, beyond the Pod Security baseline set`)];
  }),
};

export const POD_SECCOMP_PROFILE: Rule = {
  id: 'pod-seccomp-profile',
  title: 'Every container runs under the RuntimeDefault or a Localhost seccomp profile',
  severity: Severity.WARNING,
  targets: [...POD_KINDS],
  rationale:
    'Without a seccomp profile a container may make every system call, including the rarely used ones behind most container ' +
    'escapes; the kubelet applies RuntimeDefault by itself only when its SeccompDefault setting is on, which it is not by default.',
  fix: 'Set securityContext.seccompProfile.type: RuntimeDefault on the pod (or Localhost with a profile of your own).',
  enabledByDefault: true,
  check(object): RuleOutcome {
    return withPodTemplate(object, (template) => {
      const podPath = `${podSpecPath(template)}.securityContext.seccompProfile`;
      const podProfile = template.spec.securityContext?.seccompProfile?.type;
      const found: Violation[] = [];
      const inheritingUnconfined: string[] = [];
      for (const at of containersOf(template)) {
        const own = at.container?.securityContext?.seccompProfile?.type;
        if (own !== undefined && !CONFINING_SECCOMP_PROFILES.includes(own)) {
          found.push(violation(`${at.path}.securityContext.seccompProfile.type`, `${named(at)} runs under the seccomp profile ${own}`));
        } else if (own === undefined && !CONFINING_SECCOMP_PROFILES.includes(podProfile)) {
          inheritingUnconfined.push(`"${at.container?.name}"`);
        }
      }
      if (inheritingUnconfined.length > 0) {
        const containers = `container${inheritingUnconfined.length === 1 ? '' : 's'} ${inheritingUnconfined.join(', ')}`;
        found.unshift(
          violation(
            podPath,
            podProfile === undefined
              ? `no seccomp profile on the pod or on ${containers}: they run Unconfined`
              : `the pod seccomp profile ${podProfile} applies to ${containers}`,
          ),
        );
      }
      return found;
    });
  },
};

export const POD_NO_HOST_NAMESPACES: Rule = {
  id: 'pod-no-host-namespaces',
  title: "No pod shares the node's network, process or IPC namespace",
  severity: Severity.ERROR,
  targets: [...POD_KINDS],
  rationale:
    "A pod in the node's namespaces sees and reaches everything the node does: every process (and its secrets in /proc), every " +
    'local port and the node network identity, so a compromise of the pod is a compromise of the node. Also hostProcess on Windows.',
  fix: 'Remove hostNetwork, hostPID, hostIPC and windowsOptions.hostProcess; expose ports through a Service instead.',
  enabledByDefault: true,
  unsuppressible: true,
  check(object): RuleOutcome {
    return withPodTemplate(object, (template) => {
      const specPath = podSpecPath(template);
      const found = Object.entries(HOST_NAMESPACES)
        .filter(([field]) => template.spec[field] === true)
        .map(([field, namespace]) => violation(`${specPath}.${field}`, `${field} is true: the pods share the node's ${namespace} namespace`));
      if (template.spec.securityContext?.windowsOptions?.hostProcess === true) {
        found.push(violation(`${specPath}.securityContext.windowsOptions.hostProcess`, 'hostProcess is true: the pods run as processes of the node'));
      }
      for (const at of containersOf(template)) {
        if (at.container?.securityContext?.windowsOptions?.hostProcess === true) {
          found.push(violation(`${at.path}.securityContext.windowsOptions.hostProcess`, `${named(at)} runs as a process of the node (hostProcess)`));
        }
      }
      return found;
    });
  },
};

function volumesOf(template: PodTemplate): any[] {
  return Array.isArray(template.spec.volumes) ? template.spec.volumes : [];
}

export const POD_NO_HOST_PATH: Rule = {
  id: 'pod-no-host-path',
  title: 'No pod mounts a path of the node (hostPath)',
  severity: Severity.ERROR,
  targets: [...POD_KINDS],
  rationale:
    'A hostPath volume exposes the node filesystem (the container runtime socket, kubelet credentials, the data of other pods) and ties ' +
    "the pod's data to one node: the data is gone when the pod is rescheduled elsewhere.",
  fix: 'Use a PersistentVolumeClaim (volumeClaimTemplates for a StatefulSet) for data, and an emptyDir for scratch space.',
  enabledByDefault: true,
  unsuppressible: true,
  check(object): RuleOutcome {
    return withPodTemplate(object, (template) =>
      volumesOf(template).flatMap((volume, position) =>
        volume?.hostPath
          ? [
              violation(
                `${podSpecPath(template)}.volumes[${position}].hostPath`,
                `volume "${volume.name}" mounts the node path ${JSON.stringify(volume.hostPath.path)}`,
              ),
            ]
          : [],
      ),
    );
  },
};

export const CONTAINER_NO_HOST_PORT: Rule = {
  id: 'container-no-host-port',
  title: 'No container binds a port of the node (hostPort)',
  severity: Severity.WARNING,
  targets: [...POD_KINDS],
  rationale:
    'A hostPort lets only one replica run per node and fails scheduling once every node has one, bypasses the NetworkPolicies ' +
    "of the pod network on some plugins, and puts the node's address into client configuration.",
  fix: 'Remove hostPort and reach the pods through a Service (a LoadBalancer one from outside the cluster).',
  enabledByDefault: true,
  check: eachContainer((at) =>
    (Array.isArray(at.container?.ports) ? at.container.ports : []).flatMap((port: any, position: number) =>
      port?.hostPort ? [violation(`${at.path}.ports[${position}].hostPort`, `${named(at)} binds port ${port.hostPort} of the node`)] : [],
    ),
  ),
};

export const POD_NO_UNSAFE_SYSCTLS_OR_PROC_MOUNT: Rule = {
  id: 'pod-no-unsafe-sysctls-or-proc-mount',
  title: 'No pod sets an unsafe sysctl or unmasks /proc',
  severity: Severity.WARNING,
  targets: [...POD_KINDS],
  rationale:
    'An unsafe sysctl affects the whole node and every kubelet refuses the pod (SysctlForbidden) unless allow-listed on each node, ' +
    'so the pod fails to start on a node not prepared for it; procMount Unmasked exposes the kernel settings /proc normally hides.',
  fix: `Set only the safe sysctls (${[...SAFE_SYSCTLS].join(', ')}) and leave procMount unset or Default.`,
  enabledByDefault: true,
  check(object): RuleOutcome {
    return withPodTemplate(object, (template) => {
      const sysctls: any[] = Array.isArray(template.spec.securityContext?.sysctls) ? template.spec.securityContext.sysctls : [];
      const found = sysctls.flatMap((sysctl, position) =>
        SAFE_SYSCTLS.has(sysctl?.name)
          ? []
          : [
              violation(
                `${podSpecPath(template)}.securityContext.sysctls[${position}].name`,
                `sysctl ${sysctl?.name} is not one of the safe sysctls`,
              ),
            ],
      );
      for (const at of containersOf(template)) {
        const procMount = at.container?.securityContext?.procMount;
        if (procMount !== undefined && procMount !== 'Default') {
          found.push(violation(`${at.path}.securityContext.procMount`, `${named(at)} uses procMount ${procMount}: /proc is not masked`));
        }
      }
      return found;
    });
  },
};

export const POD_RESTRICTED_VOLUME_TYPES: Rule = {
  id: 'pod-restricted-volume-types',
  title: 'Pods use only the volume types of the restricted Pod Security level',
  severity: Severity.WARNING,
  targets: [...POD_KINDS],
  rationale:
    'In-tree network volumes (nfs, iscsi, rbd, cephfs...) mount storage the pod does not own with node credentials, outside the ' +
    'access control and snapshots of a CSI driver, and most are deprecated or removed.',
  fix: `Use only ${[...RESTRICTED_VOLUME_TYPES].join(', ')} volumes; a PersistentVolumeClaim reaches any storage through its CSI driver.`,
  enabledByDefault: true,
  check(object): RuleOutcome {
    return withPodTemplate(object, (template) =>
      volumesOf(template).flatMap((volume, position) =>
        Object.keys(volume ?? {})
          // hostPath is left to pod-no-host-path, which reports it as an error.
          .filter((type) => type !== 'name' && type !== 'hostPath' && !RESTRICTED_VOLUME_TYPES.has(type))
          .map((type) =>
            violation(
              `${podSpecPath(template)}.volumes[${position}].${type}`,
              `volume "${volume.name}" is of type ${type}, outside the restricted types`,
            ),
          ),
      ),
    );
  },
};

export const SECURITY_RULES: readonly Rule[] = [
  CONTAINER_NON_ROOT,
  CONTAINER_HIGH_USER_ID,
  CONTAINER_NOT_PRIVILEGED,
  CONTAINER_READ_ONLY_ROOT_FILESYSTEM,
  CONTAINER_NO_PRIVILEGE_ESCALATION,
  CONTAINER_DROPS_ALL_CAPABILITIES,
  CONTAINER_NO_DANGEROUS_CAPABILITIES,
  POD_SECCOMP_PROFILE,
  POD_NO_HOST_NAMESPACES,
  POD_NO_HOST_PATH,
  CONTAINER_NO_HOST_PORT,
  POD_NO_UNSAFE_SYSCTLS_OR_PROC_MOUNT,
  POD_RESTRICTED_VOLUME_TYPES,
];
