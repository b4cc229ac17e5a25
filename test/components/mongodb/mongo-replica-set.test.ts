import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { BlueprintComponent, DataClass, DiskFlush, MongoReplicaSet, MongoReplicaSetProps, Peer, PortRole, Tier } from '../../../lib';
import { validateManifest } from '../../../lib/checks/schema/strict-schema';
import { findObject, Manifest, testScenario } from '../../support/scenario';

function synthMongo(props: MongoReplicaSetProps = {}, tier = Tier.CRITICAL): Manifest[] {
  const scenario = testScenario({ tier });
  new MongoReplicaSet(scenario, 'catalog', props);
  return Testing.synth(scenario);
}

const podSpec = (manifests: Manifest[], set: string) => findObject(manifests, 'StatefulSet', set).spec.template.spec;
const container = (manifests: Manifest[], set: string, name: string) =>
  [...(podSpec(manifests, set).initContainers ?? []), ...podSpec(manifests, set).containers].find((candidate: any) => candidate.name === name);
const intendedSet = (manifests: Manifest[]) => JSON.parse(findObject(manifests, 'ConfigMap', 'catalog-mongodb-config').data['replica-set.json']);
const PSA: MongoReplicaSetProps = {
  allowArbiter: true,
  arbiterReason: 'a rebuildable cache: two data members are enough',
  dataClass: DataClass.CACHE,
};

describe('MongoReplicaSet', () => {
  test('defaults: 3 data-bearing voting members in the CRITICAL tier', () => {
    expect(synthMongo()).toMatchSnapshot();
  });

  test('the objects: the members, their headless Service, budget and policy, the files and the monitoring', () => {
    // WHEN
    const objects = synthMongo().map((manifest) => `${manifest.kind}/${manifest.metadata.name}`);

    // THEN
    expect(objects).toEqual([
      'ConfigMap/catalog-mongodb-config',
      'ConfigMap/catalog-mongodb-scripts',
      'ServiceAccount/catalog-mongod-pods',
      'Service/catalog-mongod-headless',
      'StatefulSet/catalog-mongod',
      'PodDisruptionBudget/catalog-mongod-budget',
      'NetworkPolicy/catalog-mongod-policy',
      'PodMonitor/catalog-mongodb-monitor',
      'PrometheusRule/catalog-mongodb-alerts',
      'ConfigMap/catalog-mongodb-dashboard',
    ]);
  });

  test.each<[string, MongoReplicaSetProps, Tier]>([
    ['defaults', {}, Tier.CRITICAL],
    [
      '5 members, a delayed hidden member, no metrics',
      { members: 5, hiddenMembers: 2, hiddenMemberDelaySeconds: 3600, metrics: false },
      Tier.CRITICAL,
    ],
    ['an arbiter set', PSA, Tier.HIGH],
  ])('every object passes strict schema validation: %s', (_case, props, tier) => {
    // WHEN
    const violations = synthMongo(props, tier).flatMap((manifest) =>
      validateManifest(manifest).map((violation) => `${manifest.kind}/${manifest.metadata.name} ${violation.path}: ${violation.message}`),
    );

    // THEN
    expect(violations).toEqual([]);
  });

  test('mongod: the configuration file, the key from an init container, keyFile authorization, the cache from the memory limit', () => {
    // WHEN
    const manifests = synthMongo();
    const conf = findObject(manifests, 'ConfigMap', 'catalog-mongodb-config').data['mongod.conf'];

    // THEN
    expect(conf).toContain('replSetName: catalog\n');
    expect(conf).toContain('  keyFile: /run/mongodb-keyfile/keyfile\n  authorization: enabled\n');
    expect(conf).toContain('  bindIpAll: true\n');
    // Half of 4Gi less 1Gi.
    expect(conf).toContain('      cacheSizeGB: 1.5\n');
    expect(conf).toContain('shutdownTimeoutMillisForSignaledShutdown: 15000');
    expect(conf).not.toContain('oplogSizeMB');
    const keyfile = container(manifests, 'catalog-mongod', 'keyfile');
    expect(keyfile.command).toEqual(['sh', '/scripts/install-keyfile.sh']);
    const spec = podSpec(manifests, 'catalog-mongod');
    expect(spec.volumes.find((volume: any) => volume.name === 'keyfile-secret')).toEqual({
      name: 'keyfile-secret',
      secret: { secretName: 'catalog-mongodb-keyfile', defaultMode: 0o400 },
    });
    expect(spec.volumes.find((volume: any) => volume.name === 'keyfile').emptyDir.medium).toBe('Memory');
    const mongod = container(manifests, 'catalog-mongod', 'mongod');
    expect(mongod.command).toEqual(['sh', '/scripts/start-mongod.sh']);
    expect(mongod.resources).toEqual({ requests: { cpu: '1000m', memory: '4096Mi' }, limits: { memory: '4096Mi' } });
    expect(mongod.volumeMounts.find((mount: any) => mount.name === 'keyfile')).toEqual({
      name: 'keyfile',
      mountPath: '/run/mongodb-keyfile',
      readOnly: true,
    });
    expect(spec.automountServiceAccountToken).toBe(false);
  });

  test('the intended set: pod 0 initiates; members by pod and headless Service, never by address (percona/percona-server-mongodb-operator#2087); voters, hidden members and the arbiter', () => {
    // WHEN
    const intended = intendedSet(synthMongo({ members: 5, hiddenMembers: 1, hiddenMemberDelaySeconds: 600 }));

    // THEN
    expect(intended.initiator).toBe('catalog-mongod-0');
    expect(intended.settings).toEqual({ electionTimeoutMillis: 10000, heartbeatIntervalMillis: 2000, chainingAllowed: true });
    expect(intended.members).toEqual([
      ...[0, 1, 2, 3, 4].map((ordinal) => ({
        id: ordinal,
        pod: `catalog-mongod-${ordinal}`,
        service: 'catalog-mongod-headless',
        kind: 'voter',
        config: { priority: 1, votes: 1 },
      })),
      {
        id: 8,
        pod: 'catalog-mongod-hidden-0',
        service: 'catalog-mongod-hidden-headless',
        kind: 'hidden',
        config: { hidden: true, priority: 0, votes: 0, secondaryDelaySecs: 600 },
      },
    ]);
    expect(intendedSet(synthMongo(PSA, Tier.HIGH)).members.map((member: any) => [member.pod, member.kind, member.config])).toEqual([
      ['catalog-mongod-0', 'voter', { priority: 1, votes: 1 }],
      ['catalog-mongod-1', 'voter', { priority: 1, votes: 1 }],
      ['catalog-arbiter-0', 'arbiter', { arbiterOnly: true, priority: 0, votes: 1 }],
    ]);
  });

  test('members start in parallel, publish addresses before ready, roll one at a time and spread over zones and nodes (mongodb/mongodb-kubernetes-operator#953)', () => {
    // WHEN
    const manifests = synthMongo();
    const set = findObject(manifests, 'StatefulSet', 'catalog-mongod');

    // THEN
    expect(set.spec.podManagementPolicy).toBe('Parallel');
    expect(findObject(manifests, 'Service', 'catalog-mongod-headless').spec.publishNotReadyAddresses).toBe(true);
    expect(findObject(manifests, 'PodDisruptionBudget', 'catalog-mongod-budget').spec.maxUnavailable).toBe(1);
    expect(set.metadata.annotations).toMatchObject({ 'stability-blueprints.io/quorum': '2', 'stability-blueprints.io/consensus': 'majority' });
    expect(set.spec.template.spec.topologySpreadConstraints[0]).toMatchObject({
      topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable: 'DoNotSchedule',
      minDomains: 3,
    });
    expect(set.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
    expect(set.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
  });

  test('probes: readiness from hello, liveness and startup from ping, a step-down in preStop within a 90 s grace period', () => {
    // WHEN
    const manifests = synthMongo();
    const mongod = container(manifests, 'catalog-mongod', 'mongod');

    // THEN
    expect(mongod.readinessProbe.exec.command).toEqual(['sh', '/scripts/probe-mongod.sh', 'readiness']);
    expect(mongod.livenessProbe.exec.command).toEqual(['sh', '/scripts/probe-mongod.sh', 'liveness']);
    expect(mongod.startupProbe).toMatchObject({
      exec: { command: ['sh', '/scripts/probe-mongod.sh', 'liveness'] },
      periodSeconds: 10,
      failureThreshold: 360,
    });
    expect(mongod.lifecycle.preStop.exec.command).toEqual(['sh', '/scripts/prestop-mongod.sh']);
    expect(mongod.env).toEqual(
      expect.arrayContaining([
        { name: 'STEP_DOWN_SECONDS', value: '60' },
        { name: 'STEP_DOWN_CATCH_UP_SECONDS', value: '20' },
      ]),
    );
    expect(podSpec(manifests, 'catalog-mongod').terminationGracePeriodSeconds).toBe(90);
  });

  test('passwords come from the Secret the team names, never from the manifests; the exporter reads the monitor user', () => {
    // WHEN
    const manifests = synthMongo({ credentialsSecretName: 'catalog-users', keyFileSecretName: 'catalog-key' });
    const secretKeys = (name: string) =>
      container(manifests, 'catalog-mongod', name)
        .env.filter((variable: any) => variable.valueFrom?.secretKeyRef)
        .map((variable: any) => [variable.name, variable.valueFrom.secretKeyRef.name, variable.valueFrom.secretKeyRef.key]);

    // THEN
    expect(secretKeys('mongod')).toEqual([['MONGODB_ROOT_PASSWORD', 'catalog-users', 'root-password']]);
    expect(secretKeys('rs-agent')).toEqual([
      ['MONGODB_ROOT_PASSWORD', 'catalog-users', 'root-password'],
      ['MONGODB_MONITOR_PASSWORD', 'catalog-users', 'monitor-password'],
      ['MONGODB_APPLICATION_PASSWORD', 'catalog-users', 'application-password'],
    ]);
    expect(secretKeys('metrics')).toEqual([['MONGODB_PASSWORD', 'catalog-users', 'monitor-password']]);
    expect(podSpec(manifests, 'catalog-mongod').volumes.find((volume: any) => volume.name === 'keyfile-secret').secret.secretName).toBe(
      'catalog-key',
    );
    const plainPasswords = manifests
      .filter((manifest) => manifest.kind === 'StatefulSet')
      .flatMap((manifest) => [...(manifest.spec.template.spec.initContainers ?? []), ...manifest.spec.template.spec.containers])
      .flatMap((candidate: any) => candidate.env ?? [])
      .filter((variable: any) => /PASSWORD/.test(variable.name) && !variable.valueFrom?.secretKeyRef);
    expect(plainPasswords).toEqual([]);
  });

  test('hidden members: a StatefulSet of their own, non-voting; one of them suppresses the replica-count warning with its reason', () => {
    // WHEN
    const manifests = synthMongo({ hiddenMembers: 1 });
    const hidden = findObject(manifests, 'StatefulSet', 'catalog-mongod-hidden');

    // THEN
    expect(hidden.spec.replicas).toBe(1);
    expect(hidden.metadata.annotations['stability-blueprints.io/consensus']).toBeUndefined();
    expect(hidden.metadata.annotations['stability-blueprints.io/suppress']).toBe(
      'workload-has-multiple-replicas: a member outside the data-bearing voters: the set keeps serving and electing without it (an arbiter, or a hidden backup member)',
    );
    expect(findObject(manifests, 'PodDisruptionBudget', 'catalog-mongod-hidden-budget').spec.maxUnavailable).toBe(1);
  });

  test('an arbiter set: 2 data members and an arbiter without a volume, exporter or consensus annotation on the even member set; the reason on every object', () => {
    // WHEN
    const manifests = synthMongo(PSA, Tier.HIGH);
    const members = findObject(manifests, 'StatefulSet', 'catalog-mongod');
    const arbiter = findObject(manifests, 'StatefulSet', 'catalog-arbiter');

    // THEN
    expect(members.spec.replicas).toBe(2);
    expect(members.metadata.annotations['stability-blueprints.io/consensus']).toBeUndefined();
    expect(arbiter.spec.replicas).toBe(1);
    expect(arbiter.spec.volumeClaimTemplates).toEqual([]);
    expect(arbiter.spec.template.spec.containers.map((candidate: any) => candidate.name)).toEqual(['mongod', 'rs-agent']);
    expect(arbiter.metadata.annotations['stability-blueprints.io/component-arbiter-reason']).toBe('a rebuildable cache: two data members are enough');
  });

  test('network: members admit each other and declared clients on 27017, monitoring on the metrics port', () => {
    // GIVEN
    const scenario = testScenario();
    const catalog = new MongoReplicaSet(scenario, 'catalog');
    const api = new kplus.Deployment(scenario, 'catalog-api', { containers: [{ image: 'registry.example/catalog-api:1.0' }] });

    // WHEN
    catalog.allowFrom(Peer.workload(api));
    const policy = findObject(Testing.synth(scenario), 'NetworkPolicy', 'catalog-mongod-policy');

    // THEN
    const ingress = policy.spec.ingress.map((rule: any) => [rule.from[0].podSelector.matchLabels, rule.ports.map((port: any) => port.port)]);
    expect(ingress).toEqual([
      [{ 'app.kubernetes.io/name': 'mongodb', 'app.kubernetes.io/instance': 'catalog' }, [27017]],
      [expect.objectContaining({}), [9216]],
      [api.matchLabels, [27017]],
    ]);
    expect(policy.spec.egress[0]).toEqual({
      to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'mongodb', 'app.kubernetes.io/instance': 'catalog' } } }],
      ports: [{ protocol: 'TCP', port: 27017 }],
    });
  });

  test('the client: a seed list of the voters, the set, majority writes and reads, and the password from the Secret', () => {
    // GIVEN
    const catalog = new MongoReplicaSet(testScenario(), 'catalog');

    // WHEN
    const env = catalog.clientEnv();

    // THEN
    expect(Object.keys(env)).toEqual(['MONGODB_URI', 'MONGODB_DATABASE', 'MONGODB_USERNAME', 'MONGODB_PASSWORD']);
    expect(catalog.connectionString()).toBe(
      'mongodb://catalog-mongod-0.catalog-mongod-headless.shop.svc.cluster.local:27017,catalog-mongod-1.catalog-mongod-headless.shop.svc.cluster.local:27017,' +
        'catalog-mongod-2.catalog-mongod-headless.shop.svc.cluster.local:27017/catalog?replicaSet=catalog&authSource=admin&w=majority&journal=true' +
        '&readConcernLevel=majority&retryWrites=true&retryReads=true&serverSelectionTimeoutMS=24000',
    );
    expect(env.MONGODB_PASSWORD.valueFrom).toMatchObject({ secretKeyRef: { name: 'catalog-mongodb-credentials', key: 'application-password' } });
  });

  test('the contract: members vote and hold the data; a write is acknowledged by a majority, journaled', () => {
    // GIVEN
    const scenario = testScenario();
    new MongoReplicaSet(scenario, 'catalog', { members: 5, hiddenMembers: 1 });

    // WHEN
    const [component] = BlueprintComponent.all(scenario);

    // THEN
    expect(component.contract.podSets.map((set) => [set.role, set.replicas, set.votes, set.holdsData, set.minAvailable])).toEqual([
      ['mongod', 5, true, true, 4],
      ['mongod-hidden', 1, false, true, 0],
    ]);
    expect(component.contract.podSets[0].ports.map((port) => [port.name, port.roles])).toEqual([
      ['mongodb', [PortRole.CLIENT, PortRole.PEER]],
      ['metrics', [PortRole.METRICS]],
    ]);
    expect(component.contract.quorum).toMatchObject({ voters: 5, votersForFailover: 3, dataPodsForWrites: 3 });
    expect(component.contract.durability).toMatchObject({
      dataClass: DataClass.SYSTEM_OF_RECORD,
      acknowledgedCopies: 3,
      flushedToDisk: DiskFlush.BEFORE_ACKNOWLEDGEMENT,
      survives: 'the loss of 2 member(s), their nodes or their zone, with every acknowledged write',
    });
    expect(component.contract.failoverBudget).toMatchObject({ detectionSeconds: 10, writesResumeWithinSeconds: 12 });
  });
});
