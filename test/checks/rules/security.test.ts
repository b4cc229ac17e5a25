import { KubeObject, Rule, runChecks } from '../../../lib';
import {
  CONTAINER_DROPS_ALL_CAPABILITIES,
  CONTAINER_HIGH_USER_ID,
  CONTAINER_NO_DANGEROUS_CAPABILITIES,
  CONTAINER_NO_HOST_PORT,
  CONTAINER_NO_PRIVILEGE_ESCALATION,
  CONTAINER_NON_ROOT,
  CONTAINER_NOT_PRIVILEGED,
  CONTAINER_READ_ONLY_ROOT_FILESYSTEM,
  POD_NO_HOST_NAMESPACES,
  POD_NO_HOST_PATH,
  POD_NO_UNSAFE_SYSCTLS_OR_PROC_MOUNT,
  POD_RESTRICTED_VOLUME_TYPES,
  POD_SECCOMP_PROFILE,
  SECURITY_RULES,
} from '../../../lib/checks/rules/security';
import { judge, statefulSet } from '../../support/checks';

const POD_SECURITY = { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } };
const CONTAINER_SECURITY = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };

/** A StatefulSet hardened as the blueprints harden theirs, with the given container and pod security context fields on top. */
function hardened(containerSecurity: object = {}, podSecurity: object = {}, podSpec: object = {}): KubeObject {
  return statefulSet('store', {
    podSpec: {
      securityContext: { ...POD_SECURITY, ...podSecurity },
      containers: [{ name: 'redis', image: 'redis:7.4.8', securityContext: { ...CONTAINER_SECURITY, ...containerSecurity } }],
      ...podSpec,
    },
  });
}

const CONTAINER = 'spec.template.spec.containers[0]';

test('the security rules a reason cannot suppress: privileged containers, host namespaces and hostPath', () => {
  expect(SECURITY_RULES.filter((rule: Rule) => rule.unsuppressible).map((rule) => rule.id)).toEqual([
    'container-not-privileged',
    'pod-no-host-namespaces',
    'pod-no-host-path',
  ]);
});

describe('container-non-root: every container runs as a non-root user', () => {
  test('Compliance 1: runAsNonRoot on the pod', () => {
    expect(judge(CONTAINER_NON_ROOT, [hardened()])).toEqual([]);
  });

  test('Compliance 2: a non-zero runAsUser on the container alone', () => {
    expect(judge(CONTAINER_NON_ROOT, [hardened({ runAsUser: 10001 }, { runAsNonRoot: undefined, runAsUser: undefined })])).toEqual([]);
  });

  test('Noncompliance 1: root, set on the container over a non-root pod', () => {
    expect(judge(CONTAINER_NON_ROOT, [hardened({ runAsUser: 0 })])).toEqual([
      `${CONTAINER}.securityContext.runAsUser: container "redis" runs as root (runAsUser 0)`,
    ]);
  });

  test('Noncompliance 2: nothing says non-root', () => {
    expect(judge(CONTAINER_NON_ROOT, [hardened({}, { runAsNonRoot: undefined, runAsUser: undefined })])).toEqual([
      `${CONTAINER}.securityContext.runAsNonRoot: container "redis" may run as root: neither runAsNonRoot: true nor a non-zero runAsUser is set ` +
        'on it or on the pod',
    ]);
  });

  test('Noncompliance 3: runAsNonRoot false on the pod', () => {
    expect(judge(CONTAINER_NON_ROOT, [hardened({}, { runAsNonRoot: false, runAsUser: undefined })])).toEqual([
      'spec.template.spec.securityContext.runAsNonRoot: container "redis" may run as root: neither runAsNonRoot: true nor a non-zero runAsUser ' +
        'is set on it or on the pod',
    ]);
  });
});

describe('container-high-user-id: every container runs with a user and group ID of at least 10000', () => {
  test('Compliance 1: set on the pod', () => {
    expect(judge(CONTAINER_HIGH_USER_ID, [hardened()])).toEqual([]);
  });

  test('Compliance 2: the container overrides a low pod ID', () => {
    expect(judge(CONTAINER_HIGH_USER_ID, [hardened({ runAsUser: 20000 }, { runAsUser: 999 })])).toEqual([]);
  });

  test('Noncompliance 1: the image user of the official Redis image', () => {
    expect(judge(CONTAINER_HIGH_USER_ID, [hardened({}, { runAsUser: 999, runAsGroup: 999 })])).toEqual([
      'spec.template.spec.securityContext.runAsUser: container "redis" has runAsUser 999, below 10000',
      'spec.template.spec.securityContext.runAsGroup: container "redis" has runAsGroup 999, below 10000',
    ]);
  });

  test('Noncompliance 2: no group', () => {
    expect(judge(CONTAINER_HIGH_USER_ID, [hardened({}, { runAsGroup: undefined })])).toEqual([
      `${CONTAINER}.securityContext.runAsGroup: container "redis" sets no runAsGroup: the image decides`,
    ]);
  });
});

describe('container-not-privileged: no container is privileged', () => {
  test('Compliance: privileged false', () => {
    expect(judge(CONTAINER_NOT_PRIVILEGED, [hardened({ privileged: false })])).toEqual([]);
  });

  test('a suppression annotation cannot hide it', () => {
    const store = hardened({ privileged: true });
    store.spec.template.metadata.annotations = { 'stability-blueprints.io/suppress': 'container-not-privileged: the vendor image needs it' };
    const report = runChecks([{ object: store }], [CONTAINER_NOT_PRIVILEGED]);
    expect(report.findings.map(({ ruleId, message, suppression }) => ({ ruleId, message, suppression }))).toEqual([
      { ruleId: 'invalid-suppression', message: 'rule "container-not-privileged" cannot be suppressed', suppression: undefined },
      {
        ruleId: 'container-not-privileged',
        message: 'container "redis" is privileged: it has every capability and device of the node',
        suppression: undefined,
      },
    ]);
  });

  test('Noncompliance: a privileged init container', () => {
    const store = hardened({}, {}, { initContainers: [{ name: 'sysctl', image: 'busybox:1.36', securityContext: { privileged: true } }] });
    expect(judge(CONTAINER_NOT_PRIVILEGED, [store])).toEqual([
      'spec.template.spec.initContainers[0].securityContext.privileged: container "sysctl" is privileged: it has every capability and ' +
        'device of the node',
    ]);
  });
});

describe('container-read-only-root-filesystem: every container has a read-only root filesystem', () => {
  test('Compliance: read-only', () => {
    expect(judge(CONTAINER_READ_ONLY_ROOT_FILESYSTEM, [hardened()])).toEqual([]);
  });

  test('Noncompliance 1: unset', () => {
    expect(judge(CONTAINER_READ_ONLY_ROOT_FILESYSTEM, [hardened({ readOnlyRootFilesystem: undefined })])).toEqual([
      `${CONTAINER}.securityContext.readOnlyRootFilesystem: container "redis" has a writable root filesystem (readOnlyRootFilesystem unset)`,
    ]);
  });

  test('Noncompliance 2: false', () => {
    expect(judge(CONTAINER_READ_ONLY_ROOT_FILESYSTEM, [hardened({ readOnlyRootFilesystem: false })])).toEqual([
      `${CONTAINER}.securityContext.readOnlyRootFilesystem: container "redis" has a writable root filesystem (readOnlyRootFilesystem false)`,
    ]);
  });
});

describe('container-no-privilege-escalation: no container can gain privileges', () => {
  test('Compliance: false', () => {
    expect(judge(CONTAINER_NO_PRIVILEGE_ESCALATION, [hardened()])).toEqual([]);
  });

  test('Noncompliance 1: unset, which means true', () => {
    expect(judge(CONTAINER_NO_PRIVILEGE_ESCALATION, [hardened({ allowPrivilegeEscalation: undefined })])).toEqual([
      `${CONTAINER}.securityContext.allowPrivilegeEscalation: container "redis" allows privilege escalation ` +
        '(allowPrivilegeEscalation unset, which means true)',
    ]);
  });

  test('Noncompliance 2: true', () => {
    expect(judge(CONTAINER_NO_PRIVILEGE_ESCALATION, [hardened({ allowPrivilegeEscalation: true })])).toEqual([
      `${CONTAINER}.securityContext.allowPrivilegeEscalation: container "redis" allows privilege escalation (allowPrivilegeEscalation true)`,
    ]);
  });
});

describe('container-drops-all-capabilities: every container drops all capabilities', () => {
  test('Compliance: drop ALL, add back NET_BIND_SERVICE', () => {
    expect(judge(CONTAINER_DROPS_ALL_CAPABILITIES, [hardened({ capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } })])).toEqual([]);
  });

  test('Noncompliance 1: only NET_RAW dropped', () => {
    expect(judge(CONTAINER_DROPS_ALL_CAPABILITIES, [hardened({ capabilities: { drop: ['NET_RAW'] } })])).toEqual([
      `${CONTAINER}.securityContext.capabilities.drop: container "redis" does not drop ALL capabilities (drop: ["NET_RAW"])`,
    ]);
  });

  test('Noncompliance 2: no capabilities field', () => {
    expect(judge(CONTAINER_DROPS_ALL_CAPABILITIES, [hardened({ capabilities: undefined })])).toEqual([
      `${CONTAINER}.securityContext.capabilities.drop: container "redis" does not drop ALL capabilities (drop: [])`,
    ]);
  });
});

describe('container-no-dangerous-capabilities: no container adds a capability beyond the Pod Security baseline set', () => {
  test('Compliance: baseline capabilities', () => {
    expect(judge(CONTAINER_NO_DANGEROUS_CAPABILITIES, [hardened({ capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE', 'CHOWN'] } })])).toEqual(
      [],
    );
  });

  test('Noncompliance: SYS_ADMIN and NET_ADMIN, one spelled with its CAP_ prefix', () => {
    expect(
      judge(CONTAINER_NO_DANGEROUS_CAPABILITIES, [hardened({ capabilities: { drop: ['ALL'], add: ['CAP_SYS_ADMIN', 'NET_ADMIN', 'KILL'] } })]),
    ).toEqual([`${CONTAINER}.securityContext.capabilities.add: container "redis" adds SYS_ADMIN, NET_ADMIN, beyond the Pod Security baseline set`]);
  });
});

describe('pod-seccomp-profile: every container runs under the RuntimeDefault or a Localhost seccomp profile', () => {
  test('Compliance 1: RuntimeDefault on the pod', () => {
    expect(judge(POD_SECCOMP_PROFILE, [hardened()])).toEqual([]);
  });

  test('Compliance 2: Localhost on the container', () => {
    const store = hardened({ seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/redis.json' } }, { seccompProfile: undefined });
    expect(judge(POD_SECCOMP_PROFILE, [store])).toEqual([]);
  });

  test('Noncompliance 1: no profile anywhere', () => {
    expect(judge(POD_SECCOMP_PROFILE, [hardened({}, { seccompProfile: undefined })])).toEqual([
      'spec.template.spec.securityContext.seccompProfile: no seccomp profile on the pod or on container "redis": they run Unconfined',
    ]);
  });

  test('Noncompliance 2: Unconfined on the container over a confined pod', () => {
    expect(judge(POD_SECCOMP_PROFILE, [hardened({ seccompProfile: { type: 'Unconfined' } })])).toEqual([
      `${CONTAINER}.securityContext.seccompProfile.type: container "redis" runs under the seccomp profile Unconfined`,
    ]);
  });

  test('Noncompliance 3: Unconfined on the pod, inherited by two containers', () => {
    const store = hardened({}, { seccompProfile: { type: 'Unconfined' } });
    store.spec.template.spec.containers.push({ name: 'exporter', image: 'redis-exporter:1.62.0', securityContext: CONTAINER_SECURITY });
    expect(judge(POD_SECCOMP_PROFILE, [store])).toEqual([
      'spec.template.spec.securityContext.seccompProfile: the pod seccomp profile Unconfined applies to containers "redis", "exporter"',
    ]);
  });
});

describe("pod-no-host-namespaces: no pod shares the node's network, process or IPC namespace", () => {
  test('Compliance: host namespaces explicitly off', () => {
    expect(judge(POD_NO_HOST_NAMESPACES, [hardened({}, {}, { hostNetwork: false, hostPID: false, hostIPC: false })])).toEqual([]);
  });

  test('Noncompliance 1: hostNetwork and hostPID', () => {
    expect(judge(POD_NO_HOST_NAMESPACES, [hardened({}, {}, { hostNetwork: true, hostPID: true })])).toEqual([
      "spec.template.spec.hostNetwork: hostNetwork is true: the pods share the node's network namespace",
      "spec.template.spec.hostPID: hostPID is true: the pods share the node's process namespace",
    ]);
  });

  test('Noncompliance 2: a Windows host process container', () => {
    expect(judge(POD_NO_HOST_NAMESPACES, [hardened({ windowsOptions: { hostProcess: true } })])).toEqual([
      `${CONTAINER}.securityContext.windowsOptions.hostProcess: container "redis" runs as a process of the node (hostProcess)`,
    ]);
  });
});

describe('pod-no-host-path: no pod mounts a path of the node', () => {
  test('Compliance: emptyDir and a claim', () => {
    const volumes = [
      { name: 'tmp', emptyDir: { sizeLimit: '16Mi' } },
      { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
    ];
    expect(judge(POD_NO_HOST_PATH, [hardened({}, {}, { volumes })])).toEqual([]);
  });

  test('Noncompliance: the container runtime socket', () => {
    const volumes = [
      { name: 'tmp', emptyDir: {} },
      { name: 'sock', hostPath: { path: '/run/containerd/containerd.sock' } },
    ];
    expect(judge(POD_NO_HOST_PATH, [hardened({}, {}, { volumes })])).toEqual([
      'spec.template.spec.volumes[1].hostPath: volume "sock" mounts the node path "/run/containerd/containerd.sock"',
    ]);
  });
});

describe('container-no-host-port: no container binds a port of the node', () => {
  test('Compliance: a container port only', () => {
    const store = hardened();
    store.spec.template.spec.containers[0].ports = [{ name: 'redis', containerPort: 6379 }];
    expect(judge(CONTAINER_NO_HOST_PORT, [store])).toEqual([]);
  });

  test('Noncompliance: a hostPort', () => {
    const store = hardened();
    store.spec.template.spec.containers[0].ports = [
      { name: 'redis', containerPort: 6379 },
      { name: 'bus', containerPort: 16379, hostPort: 16379 },
    ];
    expect(judge(CONTAINER_NO_HOST_PORT, [store])).toEqual([`${CONTAINER}.ports[1].hostPort: container "redis" binds port 16379 of the node`]);
  });
});

describe('pod-no-unsafe-sysctls-or-proc-mount: no pod sets an unsafe sysctl or unmasks /proc', () => {
  test('Compliance: a safe sysctl and the default procMount', () => {
    const store = hardened({ procMount: 'Default' }, { sysctls: [{ name: 'net.ipv4.tcp_keepalive_time', value: '60' }] });
    expect(judge(POD_NO_UNSAFE_SYSCTLS_OR_PROC_MOUNT, [store])).toEqual([]);
  });

  test('Noncompliance: somaxconn, which needs a kubelet allow-list, and an unmasked /proc', () => {
    const store = hardened({ procMount: 'Unmasked' }, { sysctls: [{ name: 'net.core.somaxconn', value: '1024' }] });
    expect(judge(POD_NO_UNSAFE_SYSCTLS_OR_PROC_MOUNT, [store])).toEqual([
      'spec.template.spec.securityContext.sysctls[0].name: sysctl net.core.somaxconn is not one of the safe sysctls',
      `${CONTAINER}.securityContext.procMount: container "redis" uses procMount Unmasked: /proc is not masked`,
    ]);
  });
});

describe('pod-restricted-volume-types: pods use only the volume types of the restricted Pod Security level', () => {
  test('Compliance: configMap, secret, projected, emptyDir', () => {
    const volumes = [
      { name: 'config', configMap: { name: 'config' } },
      { name: 'auth', secret: { secretName: 'auth' } },
      { name: 'token', projected: { sources: [] } },
      { name: 'tmp', emptyDir: {} },
    ];
    expect(judge(POD_RESTRICTED_VOLUME_TYPES, [hardened({}, {}, { volumes })])).toEqual([]);
  });

  test('Noncompliance: an nfs volume (hostPath left to pod-no-host-path)', () => {
    const volumes = [
      { name: 'backup', nfs: { server: 'nas', path: '/backup' } },
      { name: 'logs', hostPath: { path: '/var/log' } },
    ];
    expect(judge(POD_RESTRICTED_VOLUME_TYPES, [hardened({}, {}, { volumes })])).toEqual([
      'spec.template.spec.volumes[0].nfs: volume "backup" is of type nfs, outside the restricted types',
    ]);
  });
});
