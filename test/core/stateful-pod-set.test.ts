import { Size, Testing } from 'cdk8s';
import { Chart } from 'cdk8s';
import { DEFAULT_POD_USER, PodManagementPolicy, PortRole, PvcRetention, StatefulPodSet, StatefulPodSetProps, ZoneSpread } from '../../lib';
import { findObject, Manifest } from '../support/scenario';

function podSetProps(overrides: Partial<StatefulPodSetProps> = {}): StatefulPodSetProps {
  return {
    identity: { name: 'db', instance: 'orders', component: 'server', partOf: 'shop' },
    annotations: { 'stability-blueprints.io/component': 'db' },
    podAnnotations: { 'stability-blueprints.io/config-hash': 'abc' },
    replicas: 5,
    quorum: 3,
    votesByMajority: true,
    podManagementPolicy: PodManagementPolicy.PARALLEL,
    minReadySeconds: 10,
    terminationGracePeriodSeconds: 60,
    containers: [{ name: 'db', image: 'db:1.0.0', volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
    volumes: [],
    volumeClaims: [{ name: 'data', size: Size.gibibytes(8), storageClassName: 'zonal-wffc' }],
    pvcRetentionWhenDeleted: PvcRetention.RETAIN,
    pvcRetentionWhenScaled: PvcRetention.RETAIN,
    scheduling: { zoneSpread: ZoneSpread.HARD, minDomains: 3, requiredHostAntiAffinity: true },
    podUser: DEFAULT_POD_USER,
    priorityClassName: 'stability-blueprints-critical',
    peerPorts: [{ name: 'db', port: 5000, appProtocol: 'tcp' }],
    ...overrides,
  };
}

function synthPodSet(overrides: Partial<StatefulPodSetProps> = {}): Manifest[] {
  const chart = new Chart(Testing.app(), 'test');
  new StatefulPodSet(chart, 'Db', podSetProps(overrides));
  return Testing.synth(chart);
}

describe('StatefulPodSet', () => {
  test('emits a StatefulSet with volume claim templates and retained claims', () => {
    // WHEN
    const statefulSet = findObject(synthPodSet(), 'StatefulSet', 'orders-server');

    // THEN
    expect(statefulSet.spec.serviceName).toBe('orders-server-headless');
    expect(statefulSet.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    expect(statefulSet.spec.podManagementPolicy).toBe('Parallel');
    expect(statefulSet.spec.minReadySeconds).toBe(10);
    expect(statefulSet.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
    expect(statefulSet.spec.volumeClaimTemplates).toEqual([
      expect.objectContaining({
        metadata: expect.objectContaining({ name: 'data' }),
        spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'zonal-wffc', resources: { requests: { storage: '8192Mi' } } },
      }),
    ]);
    expect(statefulSet.spec.selector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'db',
      'app.kubernetes.io/instance': 'orders',
      'app.kubernetes.io/component': 'server',
    });
  });

  test('the pod template runs restricted, without a service account token, at the given priority', () => {
    // WHEN
    const pod = findObject(synthPodSet(), 'StatefulSet', 'orders-server').spec.template;

    // THEN
    expect(pod.metadata.annotations['stability-blueprints.io/config-hash']).toBe('abc');
    expect(pod.spec.serviceAccountName).toBe('orders-server-pods');
    expect(pod.spec.automountServiceAccountToken).toBe(false);
    expect(pod.spec.priorityClassName).toBe('stability-blueprints-critical');
    expect(pod.spec.terminationGracePeriodSeconds).toBe(60);
    expect(pod.spec.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      fsGroup: 10001,
      fsGroupChangePolicy: 'OnRootMismatch',
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  test('a service account of its own, without an API token, so a mesh can tell the set apart', () => {
    // WHEN
    const account = findObject(synthPodSet(), 'ServiceAccount', 'orders-server-pods');

    // THEN
    expect(account.automountServiceAccountToken).toBe(false);
    expect(account.metadata.labels['app.kubernetes.io/component']).toBe('server');
  });

  test('the set describes itself for the component contract: workload, selector, account, ports, quorum', () => {
    // GIVEN
    const set = new StatefulPodSet(new Chart(Testing.app(), 'test'), 'Db', podSetProps());
    const port = { name: 'db', port: 5000, roles: [PortRole.CLIENT, PortRole.PEER], appProtocol: 'tcp', serverFirst: true };

    // WHEN
    const description = set.describe({ role: 'server', ports: [port], holdsData: true, votes: true });

    // THEN
    expect(description).toEqual({
      role: 'server',
      workloadKind: 'StatefulSet',
      workloadName: 'orders-server',
      selector: { 'app.kubernetes.io/name': 'db', 'app.kubernetes.io/instance': 'orders', 'app.kubernetes.io/component': 'server' },
      replicas: 5,
      serviceAccountName: 'orders-server-pods',
      ports: [port],
      holdsData: true,
      votes: true,
      minAvailable: 3,
    });
  });

  test('the headless Service publishes pods before they are ready, so peers find each other while starting', () => {
    // WHEN
    const service = findObject(synthPodSet(), 'Service', 'orders-server-headless');

    // THEN
    expect(service.spec).toEqual({
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: { 'app.kubernetes.io/name': 'db', 'app.kubernetes.io/instance': 'orders', 'app.kubernetes.io/component': 'server' },
      ports: [{ name: 'db', port: 5000, targetPort: 'db', appProtocol: 'tcp' }],
    });
  });

  test.each([
    [3, 2, 1],
    [5, 3, 2],
    [5, 4, 1],
    [1, 0, 1],
  ])('with %i pods and a quorum of %i, the PDB lets %i go at once and never blocks on unhealthy pods', (replicas, quorum, maxUnavailable) => {
    // WHEN
    const budget = findObject(synthPodSet({ replicas, quorum }), 'PodDisruptionBudget', 'orders-server-budget');

    // THEN
    expect(budget.metadata.annotations).toEqual(expect.objectContaining({ 'stability-blueprints.io/quorum': String(quorum) }));
    expect(budget.spec).toEqual({
      maxUnavailable,
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
      selector: { matchLabels: { 'app.kubernetes.io/name': 'db', 'app.kubernetes.io/instance': 'orders', 'app.kubernetes.io/component': 'server' } },
    });
  });

  test('every object carries the standard labels', () => {
    // WHEN
    const manifests = synthPodSet();

    // THEN
    for (const manifest of manifests) {
      expect(manifest.metadata.labels).toEqual({
        'app.kubernetes.io/name': 'db',
        'app.kubernetes.io/instance': 'orders',
        'app.kubernetes.io/component': 'server',
        'app.kubernetes.io/part-of': 'shop',
        'app.kubernetes.io/managed-by': 'stability-blueprints',
      });
    }
  });
});

describe('StatefulPodSet validation', () => {
  test.each([
    [3, 3],
    [2, 0],
  ])('fails on %i replicas with a quorum of %i: the disruption budget would block every drain or protect nothing', (replicas, quorum) => {
    expect(() => synthPodSet({ replicas, quorum })).toThrow(
      `test/Db: invalid quorum ${quorum}: from 1 to ${replicas - 1} (one fewer than the ${replicas} replicas), so the disruption budget allows an eviction`,
    );
  });

  test('a set of one pod (an arbiter) must keep none up', () => {
    expect(() => synthPodSet({ replicas: 1, quorum: 1 })).toThrow(
      'test/Db: invalid quorum 1: 0 for a set of one pod, so the disruption budget allows its eviction',
    );
  });
});
