import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { registerKind, SchemaValidationError, SchemaViolation, validateManifest } from '../../../lib/checks/schema/strict-schema';

type Manifest = Record<string, unknown>;

/** A fresh object per use: structuredClone keeps shared references shared, so a fixture edit would leak into the selector. */
function selectorLabels(): Record<string, string> {
  return { 'app.kubernetes.io/name': 'redis', 'app.kubernetes.io/instance': 'cache' };
}

function statefulSet(): Manifest {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'redis', namespace: 'cache', labels: { ...selectorLabels(), 'app.kubernetes.io/part-of': 'checkout' } },
    spec: {
      replicas: 3,
      serviceName: 'redis-headless',
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: selectorLabels() },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 1 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Delete' },
      template: {
        metadata: { labels: selectorLabels(), annotations: { 'checksum/config': 'abc123' } },
        spec: {
          priorityClassName: 'stateful-critical',
          securityContext: {
            runAsUser: 999,
            runAsNonRoot: true,
            fsGroup: 999,
            fsGroupChangePolicy: 'OnRootMismatch',
            seccompProfile: { type: 'RuntimeDefault' },
          },
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              minDomains: 3,
              topologyKey: 'topology.kubernetes.io/zone',
              whenUnsatisfiable: 'DoNotSchedule',
              labelSelector: { matchLabels: selectorLabels() },
            },
          ],
          containers: [
            {
              name: 'redis',
              image: 'redis:7.2',
              ports: [{ name: 'redis', containerPort: 6379 }],
              resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '512Mi' } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              readinessProbe: { exec: { command: ['redis-cli', 'ping'] }, periodSeconds: 5 },
              livenessProbe: { tcpSocket: { port: 'redis' } },
              volumeMounts: [
                { name: 'data', mountPath: '/data' },
                { name: 'config', mountPath: '/etc/redis' },
              ],
            },
          ],
          volumes: [{ name: 'config', configMap: { name: 'redis-config' } }],
        },
      },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } } }],
    },
  };
}

function headlessService(): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'redis-headless', namespace: 'cache' },
    spec: {
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: selectorLabels(),
      ports: [{ name: 'redis', port: 6379, targetPort: 'redis' }],
    },
  };
}

function podDisruptionBudget(): Manifest {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'redis', namespace: 'cache' },
    spec: { maxUnavailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow', selector: { matchLabels: selectorLabels() } },
  };
}

function networkPolicy(): Manifest {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'redis', namespace: 'cache' },
    spec: {
      podSelector: { matchLabels: selectorLabels() },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/part-of': 'checkout' } } }], ports: [{ protocol: 'TCP', port: 6379 }] }],
      egress: [{ to: [{ podSelector: { matchLabels: selectorLabels() } }], ports: [{ protocol: 'TCP', port: 'redis' }] }],
    },
  };
}

function configMap(): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'redis-config', namespace: 'cache' },
    data: { 'redis.conf': 'appendonly yes\n', 'sentinel.conf': 'port 26379\n' },
  };
}

function priorityClass(): Manifest {
  return {
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name: 'stateful-critical' },
    value: 1000000,
    preemptionPolicy: 'PreemptLowerPriority',
    description: 'Stateful tiers that must not be preempted by stateless ones',
  };
}

/**
 * A deep copy of `manifest` with the field at `path` set to `value`, or removed when `value` is undefined.
 * `path` uses the same syntax as SchemaViolation paths, so each fixture reads like the violation it expects.
 */
function withField(manifest: Manifest, path: string, value: unknown): Manifest {
  const copy = structuredClone(manifest);
  const keys = [...path.matchAll(/([A-Za-z_$][\w$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g)].map(
    ([, name, index, quoted]) => name ?? (index !== undefined ? Number(index) : (JSON.parse(quoted) as string)),
  );
  const last = keys.pop()!;
  const parent = keys.reduce<Record<string | number, unknown>>((node, key) => node[key] as Record<string | number, unknown>, copy);
  if (value === undefined) {
    delete parent[last];
  } else {
    parent[last] = value;
  }
  return copy;
}

function withFields(manifest: Manifest, fields: Record<string, unknown>): Manifest {
  return Object.entries(fields).reduce((changed, [path, value]) => withField(changed, path, value), manifest);
}

const POD = 'spec.template.spec';
const CONTAINER = `${POD}.containers[0]`;
const SPREAD = `${POD}.topologySpreadConstraints[0]`;

describe('validateManifest', () => {
  test('a compliant StatefulSet, headless Service, PDB, NetworkPolicy, ConfigMap and PriorityClass have no violations', () => {
    // GIVEN
    const manifests = [statefulSet(), headlessService(), podDisruptionBudget(), networkPolicy(), configMap(), priorityClass()];

    // WHEN
    const violations = manifests.map(validateManifest);

    // THEN
    expect(violations).toEqual([[], [], [], [], [], []]);
  });

  test('manifests synthesized by cdk8s-plus have no violations', () => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'chart');
    const service = new kplus.Service(chart, 'service', { clusterIP: 'None', ports: [{ name: 'redis', port: 6379 }] });
    const redis = new kplus.StatefulSet(chart, 'redis', {
      service,
      replicas: 3,
      containers: [{ image: 'redis:7.2', portNumber: 6379, resources: { memory: { request: Size.mebibytes(512), limit: Size.mebibytes(512) } } }],
    });
    redis.scheduling.spread({ topology: kplus.Topology.ZONE });
    new kplus.NetworkPolicy(chart, 'policy', { selector: redis }).addIngressRule(kplus.Pods.all(chart, 'all-pods'), [
      kplus.NetworkPolicyPort.tcp(6379),
    ]);
    new kplus.ConfigMap(chart, 'config', { data: { 'redis.conf': 'appendonly yes' } });

    // WHEN
    const violations = Testing.synth(chart).map(validateManifest);

    // THEN
    expect(violations.flat()).toEqual([]);
  });

  describe('input that is not a known manifest', () => {
    test.each<[string, unknown, SchemaViolation[]]>([
      ['a non-object', 'kind: StatefulSet', [{ path: '', message: 'must be an object' }]],
      ['an array', [statefulSet()], [{ path: '', message: 'must be an object' }]],
      [
        'an object without apiVersion and kind',
        { metadata: { name: 'redis' } },
        [
          { path: 'apiVersion', message: 'required field "apiVersion" is missing' },
          { path: 'kind', message: 'required field "kind" is missing' },
        ],
      ],
      ['a non-string kind', { apiVersion: 'v1', kind: 42 }, [{ path: 'kind', message: 'must be of type string' }]],
      [
        'an unknown kind',
        { apiVersion: 'apps/v1', kind: 'StatefullSet' },
        [{ path: 'kind', message: 'unknown apiVersion/kind "apps/v1/StatefullSet"' }],
      ],
      [
        'an unknown apiVersion',
        { apiVersion: 'apps/v2', kind: 'StatefulSet' },
        [{ path: 'kind', message: 'unknown apiVersion/kind "apps/v2/StatefulSet"' }],
      ],
      [
        'a nested type name',
        { apiVersion: 'apps/v1', kind: 'StatefulSetSpec' },
        [{ path: 'kind', message: 'unknown apiVersion/kind "apps/v1/StatefulSetSpec"' }],
      ],
      [
        'a path in apiVersion',
        { apiVersion: '../../../package.json', kind: 'X' },
        [{ path: 'kind', message: 'unknown apiVersion/kind "../../../package.json/X"' }],
      ],
    ])('%s gives a violation instead of throwing', (_description, input, expected) => {
      // GIVEN an input that cannot be looked up

      // WHEN
      const violations = validateManifest(input);

      // THEN
      expect(violations).toEqual(expected);
    });
  });

  describe('unknown fields', () => {
    test('a securityContext typo inside a container is rejected', () => {
      // GIVEN
      const manifest = withField(statefulSet(), `${CONTAINER}.securityContex`, { runAsUser: 999 });

      // WHEN
      const violations = validateManifest(manifest);

      // THEN
      expect(violations).toEqual([{ path: `${CONTAINER}.securityContex`, message: 'unknown field "securityContex"' }]);
    });

    test('a minDomains typo inside topologySpreadConstraints is rejected', () => {
      // GIVEN
      const manifest = withFields(statefulSet(), { [`${SPREAD}.minDomains`]: undefined, [`${SPREAD}.minDomain`]: 3 });

      // WHEN
      const violations = validateManifest(manifest);

      // THEN
      expect(violations).toEqual([{ path: `${SPREAD}.minDomain`, message: 'unknown field "minDomain"' }]);
    });

    test('unknown fields are found at the top level, in ObjectMeta and in list items of every kind', () => {
      // GIVEN
      const manifests = [
        withField(configMap(), 'datas', { a: 'b' }),
        withField(headlessService(), 'metadata.label', { a: 'b' }),
        withField(networkPolicy(), 'spec.ingress[0].from[0].podSelectors', {}),
      ];

      // WHEN
      const violations = manifests.map(validateManifest);

      // THEN
      expect(violations).toEqual([
        [{ path: 'datas', message: 'unknown field "datas"' }],
        [{ path: 'metadata.label', message: 'unknown field "label"' }],
        [{ path: 'spec.ingress[0].from[0].podSelectors', message: 'unknown field "podSelectors"' }],
      ]);
    });

    test('a field first seen after the schema was cached is still checked', () => {
      // GIVEN a StatefulSet kind already validated without init containers
      validateManifest(statefulSet());
      const initContainer = {
        name: 'init',
        image: 'busybox',
        securityContex: {},
        volumeMounts: [{ name: 'data', mountPath: '/data', readonly: true }],
      };
      const manifest = withField(statefulSet(), `${POD}.initContainers`, [initContainer]);

      // WHEN
      const violations = validateManifest(manifest);

      // THEN
      expect(violations).toEqual([
        { path: `${POD}.initContainers[0].securityContex`, message: 'unknown field "securityContex"' },
        { path: `${POD}.initContainers[0].volumeMounts[0].readonly`, message: 'unknown field "readonly"' },
      ]);
    });

    test('a deeply frozen manifest is validated', () => {
      // GIVEN
      const deepFreeze = (value: unknown): unknown => {
        if (typeof value === 'object' && value !== null) {
          Object.values(value).forEach(deepFreeze);
          Object.freeze(value);
        }
        return value;
      };
      const daemonSet = {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'agent' },
        spec: {
          selector: { matchLabels: { app: 'agent' } },
          template: {
            metadata: { labels: { app: 'agent' } },
            spec: { containers: [{ name: 'agent', image: 'agent:1', imagePullPolice: 'Always' }] },
          },
        },
      };

      // WHEN
      const violations = validateManifest(deepFreeze(daemonSet));

      // THEN
      expect(violations).toEqual([{ path: `${CONTAINER}.imagePullPolice`, message: 'unknown field "imagePullPolice"' }]);
    });

    test('labels, annotations, selectors and ConfigMap data accept arbitrary keys', () => {
      // GIVEN
      const manifests = [
        withFields(statefulSet(), {
          'metadata.labels["example.com/any-key"]': 'value',
          'metadata.annotations': { 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'prometheus.io/scrape': 'true' },
          [`${POD}.nodeSelector`]: { 'node.kubernetes.io/instance-type': 'm5.large' },
        }),
        withField(configMap(), 'data', { 'application.properties': 'a=b', 'log4j2.xml': '<x/>', key_with_underscores: 'v' }),
        withField(configMap(), 'binaryData', { 'keystore.p12': 'AAEC' }),
        withField(headlessService(), 'spec.selector', { 'statefulset.kubernetes.io/pod-name': 'redis-0' }),
      ];

      // WHEN
      const violations = manifests.map(validateManifest);

      // THEN
      expect(violations).toEqual([[], [], [], []]);
    });

    test('quantities and int-or-string values pass', () => {
      // GIVEN
      const manifests = [
        withFields(statefulSet(), {
          [`${CONTAINER}.resources`]: { requests: { cpu: 0.5, memory: '512Mi', 'ephemeral-storage': '1G' }, limits: { cpu: '1', memory: '1Gi' } },
          'spec.updateStrategy.rollingUpdate.maxUnavailable': '25%',
          [`${CONTAINER}.readinessProbe`]: { httpGet: { path: '/health', port: 8080 } },
        }),
        withField(podDisruptionBudget(), 'spec.maxUnavailable', '25%'),
        withFields(podDisruptionBudget(), { 'spec.maxUnavailable': undefined, 'spec.minAvailable': 2 }),
      ];

      // WHEN
      const violations = manifests.map(validateManifest);

      // THEN
      expect(violations).toEqual([[], [], []]);
    });

    test('a registered custom resource kind is validated with its own schema', () => {
      // GIVEN a validator shaped like ajv standalone output: it reads every declared property and enumerates maps only
      const validateBackup = (data: unknown): boolean => {
        const errors: SchemaValidationError[] = [];
        const backup = data as Record<string, unknown>;
        for (const field of ['apiVersion', 'kind', 'metadata', 'spec']) {
          void backup[field];
        }
        const spec = backup.spec as Record<string, unknown>;
        if (spec.schedule === undefined) {
          errors.push({ instancePath: '/spec', keyword: 'required', params: { missingProperty: 'schedule' } });
        }
        for (const key in spec.retention as Record<string, unknown>) {
          void (spec.retention as Record<string, unknown>)[key];
        }
        validateBackup.errors = errors;
        return errors.length === 0;
      };
      validateBackup.errors = null as SchemaValidationError[] | null;
      registerKind('backup.example.com/v1', 'Backup', validateBackup);
      const backup = {
        apiVersion: 'backup.example.com/v1',
        kind: 'Backup',
        metadata: { name: 'nightly' },
        spec: { schedul: '0 3 * * *', retention: { daily: 7, weekly: 4 } },
      };

      // WHEN
      const violations = validateManifest(backup);

      // THEN
      expect(violations).toEqual([
        { path: 'spec.schedule', message: 'required field "schedule" is missing' },
        { path: 'spec.schedul', message: 'unknown field "schedul"' },
      ]);
    });
  });

  describe('schema and API server rules', () => {
    test.each<[string, Manifest, SchemaViolation]>([
      // PodDisruptionBudget
      [
        'a PDB with both minAvailable and maxUnavailable',
        withField(podDisruptionBudget(), 'spec.minAvailable', 2),
        { path: 'spec.maxUnavailable', message: 'minAvailable and maxUnavailable cannot be both set' },
      ],
      [
        'a PDB with an unknown unhealthyPodEvictionPolicy',
        withField(podDisruptionBudget(), 'spec.unhealthyPodEvictionPolicy', 'Always'),
        { path: 'spec.unhealthyPodEvictionPolicy', message: 'must be one of "AlwaysAllow", "IfHealthyBudget"' },
      ],
      [
        'a PDB with more than 100% unavailable',
        withField(podDisruptionBudget(), 'spec.maxUnavailable', '150%'),
        { path: 'spec.maxUnavailable', message: 'must not be greater than 100%' },
      ],
      [
        'a PDB with an int-or-string of the wrong type',
        withField(podDisruptionBudget(), 'spec.maxUnavailable', true),
        { path: 'spec.maxUnavailable', message: 'must match exactly one allowed form (must be of type string; must be of type integer)' },
      ],
      // topology spread constraints
      [
        'minDomains with whenUnsatisfiable ScheduleAnyway',
        withField(statefulSet(), `${SPREAD}.whenUnsatisfiable`, 'ScheduleAnyway'),
        { path: `${SPREAD}.minDomains`, message: 'can only be used when whenUnsatisfiable is "DoNotSchedule"' },
      ],
      [
        'minDomains of zero',
        withField(statefulSet(), `${SPREAD}.minDomains`, 0),
        { path: `${SPREAD}.minDomains`, message: 'must be greater than zero' },
      ],
      ['maxSkew of zero', withField(statefulSet(), `${SPREAD}.maxSkew`, 0), { path: `${SPREAD}.maxSkew`, message: 'must be greater than zero' }],
      [
        'an unknown whenUnsatisfiable',
        withFields(statefulSet(), { [`${SPREAD}.minDomains`]: undefined, [`${SPREAD}.whenUnsatisfiable`]: 'Never' }),
        { path: `${SPREAD}.whenUnsatisfiable`, message: 'must be one of "DoNotSchedule", "ScheduleAnyway"' },
      ],
      [
        'two constraints on the same topologyKey and whenUnsatisfiable',
        withField(statefulSet(), `${POD}.topologySpreadConstraints[1]`, {
          maxSkew: 2,
          topologyKey: 'topology.kubernetes.io/zone',
          whenUnsatisfiable: 'DoNotSchedule',
        }),
        {
          path: `${POD}.topologySpreadConstraints[1]`,
          message: 'duplicate constraint for topologyKey "topology.kubernetes.io/zone" and whenUnsatisfiable "DoNotSchedule"',
        },
      ],
      // StatefulSet
      [
        'a selector that does not match the template labels',
        withField(statefulSet(), 'spec.template.metadata.labels["app.kubernetes.io/instance"]', 'session'),
        { path: 'spec.template.metadata.labels', message: '`selector` does not match template `labels`' },
      ],
      [
        'a selector expression that does not match the template labels',
        withField(statefulSet(), 'spec.selector', { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }),
        { path: 'spec.template.metadata.labels', message: '`selector` does not match template `labels`' },
      ],
      ['an empty selector', withField(statefulSet(), 'spec.selector', {}), { path: 'spec.selector', message: 'empty selector is invalid' }],
      [
        'a missing selector',
        withField(statefulSet(), 'spec.selector', undefined),
        { path: 'spec.selector', message: 'required field "selector" is missing' },
      ],
      [
        'an In selector expression without values',
        withField(statefulSet(), 'spec.selector.matchExpressions', [{ key: 'app.kubernetes.io/name', operator: 'In', values: [] }]),
        { path: 'spec.selector.matchExpressions[0].values', message: 'must be specified when operator is "In" or "NotIn"' },
      ],
      [
        'an unknown persistentVolumeClaimRetentionPolicy',
        withField(statefulSet(), 'spec.persistentVolumeClaimRetentionPolicy.whenScaled', 'Keep'),
        { path: 'spec.persistentVolumeClaimRetentionPolicy.whenScaled', message: 'must be one of "Retain", "Delete"' },
      ],
      [
        'an unknown podManagementPolicy',
        withField(statefulSet(), 'spec.podManagementPolicy', 'Ordered'),
        { path: 'spec.podManagementPolicy', message: 'must be one of "OrderedReady", "Parallel"' },
      ],
      [
        'an unknown updateStrategy type',
        withField(statefulSet(), 'spec.updateStrategy', { type: 'Recreate' }),
        { path: 'spec.updateStrategy.type', message: 'must be one of "OnDelete", "RollingUpdate"' },
      ],
      [
        'rollingUpdate settings with the OnDelete strategy',
        withField(statefulSet(), 'spec.updateStrategy.type', 'OnDelete'),
        { path: 'spec.updateStrategy.rollingUpdate', message: 'only allowed for updateStrategy "RollingUpdate"' },
      ],
      ['negative replicas', withField(statefulSet(), 'spec.replicas', -1), { path: 'spec.replicas', message: 'must be greater than or equal to 0' }],
      ['a string replica count', withField(statefulSet(), 'spec.replicas', '3'), { path: 'spec.replicas', message: 'must be of type integer' }],
      [
        'a pod template restartPolicy other than Always',
        withField(statefulSet(), `${POD}.restartPolicy`, 'OnFailure'),
        { path: `${POD}.restartPolicy`, message: 'must be one of "Always"' },
      ],
      // containers
      [
        'a volumeMount that names no volume nor volumeClaimTemplate',
        withField(statefulSet(), `${CONTAINER}.volumeMounts[0].name`, 'date'),
        { path: `${CONTAINER}.volumeMounts[0].name`, message: 'no volume or volumeClaimTemplate named "date"' },
      ],
      [
        'an init container named like a container',
        withField(statefulSet(), `${POD}.initContainers`, [{ name: 'redis', image: 'busybox' }]),
        { path: `${CONTAINER}.name`, message: 'duplicate container name "redis"' },
      ],
      [
        'a container port name longer than 15 characters',
        withField(statefulSet(), `${CONTAINER}.ports[0].name`, 'redis-replication'),
        { path: `${CONTAINER}.ports[0].name`, message: 'must be 1 to 15 characters long' },
      ],
      [
        'two container ports with the same name',
        withField(statefulSet(), `${CONTAINER}.ports[1]`, { name: 'redis', containerPort: 16379 }),
        { path: `${CONTAINER}.ports[1].name`, message: 'duplicate port name "redis"' },
      ],
      [
        'a memory limit below the request',
        withField(statefulSet(), `${CONTAINER}.resources.limits.memory`, '256Mi'),
        { path: `${CONTAINER}.resources.requests.memory`, message: 'must be less than or equal to memory limit of 256Mi' },
      ],
      [
        'a malformed quantity',
        withField(statefulSet(), `${CONTAINER}.resources.limits.memory`, '512MB'),
        {
          path: `${CONTAINER}.resources.limits.memory`,
          message: 'must match exactly one allowed form (must be of type number; must match format "quantity")',
        },
      ],
      [
        'a probe without a handler',
        withField(statefulSet(), `${CONTAINER}.livenessProbe`, { periodSeconds: 10 }),
        { path: `${CONTAINER}.livenessProbe`, message: 'must specify exactly one handler (exec, grpc, httpGet, tcpSocket), found none' },
      ],
      [
        'a probe with two handlers',
        withField(statefulSet(), `${CONTAINER}.readinessProbe.tcpSocket`, { port: 6379 }),
        { path: `${CONTAINER}.readinessProbe`, message: 'must specify exactly one handler (exec, grpc, httpGet, tcpSocket), found exec, tcpSocket' },
      ],
      [
        'a liveness probe successThreshold other than 1',
        withField(statefulSet(), `${CONTAINER}.livenessProbe.successThreshold`, 2),
        { path: `${CONTAINER}.livenessProbe.successThreshold`, message: 'must be 1' },
      ],
      [
        'a probe on an init container that is not a sidecar',
        withField(statefulSet(), `${POD}.initContainers`, [{ name: 'init', image: 'busybox', readinessProbe: { exec: { command: ['true'] } } }]),
        { path: `${POD}.initContainers[0].readinessProbe`, message: 'may not be set for init containers without restartPolicy "Always"' },
      ],
      [
        'two volumes with the same name',
        withField(statefulSet(), `${POD}.volumes[1]`, { name: 'config', emptyDir: {} }),
        { path: `${POD}.volumes[1].name`, message: 'duplicate volume name "config"' },
      ],
      [
        'a negative resource request',
        withField(statefulSet(), `${CONTAINER}.resources.requests.cpu`, '-250m'),
        { path: `${CONTAINER}.resources.requests.cpu`, message: 'must be greater than or equal to 0' },
      ],
      // security contexts
      [
        'a negative container runAsUser',
        withField(statefulSet(), `${CONTAINER}.securityContext.runAsUser`, -1),
        { path: `${CONTAINER}.securityContext.runAsUser`, message: 'must be between 0 and 2147483647, inclusive' },
      ],
      [
        'a negative pod runAsUser',
        withField(statefulSet(), `${POD}.securityContext.runAsUser`, -1),
        { path: `${POD}.securityContext.runAsUser`, message: 'must be between 0 and 2147483647, inclusive' },
      ],
      [
        'an unknown fsGroupChangePolicy',
        withField(statefulSet(), `${POD}.securityContext.fsGroupChangePolicy`, 'OnMismatch'),
        { path: `${POD}.securityContext.fsGroupChangePolicy`, message: 'must be one of "Always", "OnRootMismatch"' },
      ],
      [
        'an unknown seccompProfile type',
        withField(statefulSet(), `${POD}.securityContext.seccompProfile.type`, 'Default'),
        { path: `${POD}.securityContext.seccompProfile.type`, message: 'must be one of "Localhost", "RuntimeDefault", "Unconfined"' },
      ],
      [
        'a Localhost seccompProfile without a profile',
        withField(statefulSet(), `${POD}.securityContext.seccompProfile.type`, 'Localhost'),
        { path: `${POD}.securityContext.seccompProfile.localhostProfile`, message: 'required when type is "Localhost"' },
      ],
      // names, labels and annotations
      [
        'a name that is not a DNS-1123 subdomain',
        withField(statefulSet(), 'metadata.name', 'Redis_Cache'),
        {
          path: 'metadata.name',
          message:
            'must be a DNS-1123 subdomain: at most 253 lowercase alphanumeric characters, "-" or ".", starting and ending with an alphanumeric character',
        },
      ],
      [
        'a Service name that is not a DNS-1035 label',
        withField(headlessService(), 'metadata.name', 'redis.headless'),
        {
          path: 'metadata.name',
          message:
            'must be a DNS-1035 label: at most 63 lowercase alphanumeric characters or "-", starting with a letter and ending with an alphanumeric',
        },
      ],
      [
        'a namespace that is not a DNS-1123 label',
        withField(configMap(), 'metadata.namespace', 'cache.prod'),
        {
          path: 'metadata.namespace',
          message:
            'must be a DNS-1123 label: at most 63 lowercase alphanumeric characters or "-", starting and ending with an alphanumeric character',
        },
      ],
      [
        'a label value longer than 63 characters',
        withField(configMap(), 'metadata.labels', { team: 'x'.repeat(64) }),
        { path: 'metadata.labels.team', message: 'invalid label value: must be no more than 63 characters' },
      ],
      [
        'a label value with a forbidden character',
        withField(configMap(), 'metadata.labels', { team: 'checkout team' }),
        {
          path: 'metadata.labels.team',
          message:
            'invalid label value: must be empty or consist of alphanumeric characters, "-", "_" or ".", starting and ending with an alphanumeric',
        },
      ],
      [
        'a label key with an invalid prefix',
        withField(configMap(), 'metadata.labels', { 'Example.com/team': 'checkout' }),
        { path: 'metadata.labels["Example.com/team"]', message: 'invalid label key: the prefix before "/" must be a DNS-1123 subdomain' },
      ],
      [
        'a pod template label key with an invalid name',
        withField(statefulSet(), 'spec.template.metadata.labels["-team"]', 'checkout'),
        {
          path: 'spec.template.metadata.labels["-team"]',
          message: 'invalid label key: the name must consist of alphanumeric characters, "-", "_" or ".", starting and ending with an alphanumeric',
        },
      ],
      [
        'an annotation key with an invalid name',
        withField(configMap(), 'metadata.annotations', { 'example.com/': 'x' }),
        { path: 'metadata.annotations["example.com/"]', message: 'invalid annotation key: the name must be 1 to 63 characters long' },
      ],
      // Service
      [
        'a headless LoadBalancer Service',
        withField(headlessService(), 'spec.type', 'LoadBalancer'),
        { path: 'spec.clusterIP', message: 'may not be "None" for LoadBalancer services' },
      ],
      [
        'a headless NodePort Service',
        withField(headlessService(), 'spec.type', 'NodePort'),
        { path: 'spec.clusterIP', message: 'may not be "None" for NodePort services' },
      ],
      [
        'a Service selector that is not a map',
        withField(headlessService(), 'spec.selector', ['redis']),
        { path: 'spec.selector', message: 'must be of type object' },
      ],
      [
        'an unnamed port of a multi-port Service',
        withField(headlessService(), 'spec.ports[1]', { port: 26379 }),
        { path: 'spec.ports[1].name', message: 'required when a Service has more than one port' },
      ],
      // NetworkPolicy, ConfigMap, PriorityClass
      [
        'an unknown NetworkPolicy policyType',
        withField(networkPolicy(), 'spec.policyTypes[1]', 'Outgress'),
        { path: 'spec.policyTypes[1]', message: 'must be one of "Egress", "Ingress"' },
      ],
      [
        'a NetworkPolicy peer with both ipBlock and podSelector',
        withField(networkPolicy(), 'spec.egress[0].to[0].ipBlock', { cidr: '10.0.0.0/8' }),
        { path: 'spec.egress[0].to[0].ipBlock', message: 'may not be combined with podSelector or namespaceSelector in the same peer' },
      ],
      [
        'a ConfigMap key in both data and binaryData',
        withField(configMap(), 'binaryData', { 'redis.conf': 'AAEC' }),
        { path: 'binaryData["redis.conf"]', message: 'duplicate of key "redis.conf" in data' },
      ],
      [
        'a ConfigMap key with a slash',
        withField(configMap(), 'data', { 'conf/redis.conf': 'x' }),
        {
          path: 'data["conf/redis.conf"]',
          message: 'must consist of at most 253 alphanumeric characters, "-", "_" or ".", and may not be "." or start with ".."',
        },
      ],
      [
        'a user-defined PriorityClass above one billion',
        withField(priorityClass(), 'value', 2000000000),
        { path: 'value', message: 'must not be greater than 1000000000 for a user-defined priority class' },
      ],
    ])('rejects %s', (_description, manifest, expected) => {
      // GIVEN a compliant fixture with one non-compliant field

      // WHEN
      const violations = validateManifest(manifest);

      // THEN
      expect(violations).toEqual([expected]);
    });

    test('a StatefulSet without serviceName is valid (optional since Kubernetes 1.28)', () => {
      // GIVEN
      const manifest = withField(statefulSet(), 'spec.serviceName', undefined);

      // WHEN
      const violations = validateManifest(manifest);

      // THEN
      expect(violations).toEqual([]);
    });

    test('a sidecar init container may have probes', () => {
      // GIVEN
      const sidecar = {
        name: 'exporter',
        image: 'redis-exporter:1',
        restartPolicy: 'Always',
        readinessProbe: { httpGet: { path: '/', port: 9121 } },
      };
      const manifest = withField(statefulSet(), `${POD}.initContainers`, [sidecar]);

      // WHEN
      const violations = validateManifest(manifest);

      // THEN
      expect(violations).toEqual([]);
    });

    test('a Secret may repeat a data key in stringData, which overrides it', () => {
      // GIVEN
      const secret = {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'redis-auth' },
        data: { password: 'c2VjcmV0' },
        stringData: { password: 'secret' },
      };

      // WHEN
      const violations = validateManifest(secret);

      // THEN
      expect(violations).toEqual([]);
    });

    test('RBAC names may contain colons', () => {
      // GIVEN
      const clusterRole = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'system:redis-operator' }, rules: [] };

      // WHEN
      const violations = validateManifest(clusterRole);

      // THEN
      expect(violations).toEqual([]);
    });
  });

  describe('custom resources of the prometheus-operator (monitoring.coreos.com)', () => {
    const serviceMonitor = (endpoint: object) => ({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: 'sessions-redis', namespace: 'shop', labels: { release: 'prometheus' } },
      spec: { selector: { matchLabels: { 'app.kubernetes.io/name': 'redis' } }, endpoints: [endpoint] },
    });

    test('a valid ServiceMonitor passes', () => {
      expect(validateManifest(serviceMonitor({ port: 'metrics', interval: '15s' }))).toEqual([]);
    });

    test('an unknown field in a ServiceMonitor endpoint is reported', () => {
      expect(validateManifest(serviceMonitor({ port: 'metrics', intervall: '15s' }))).toEqual([
        { path: 'spec.endpoints[0].intervall', message: 'unknown field "intervall"' },
      ]);
    });

    test('a PrometheusRule without groups fails the schema', () => {
      // GIVEN
      const rule = { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'redis-alerts' }, spec: { group: [] } };

      // WHEN
      const violations = validateManifest(rule);

      // THEN
      expect(violations).toContainEqual({ path: 'spec.group', message: 'unknown field "group"' });
    });
  });
});
