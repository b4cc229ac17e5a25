import { Testing } from 'cdk8s';
import { BlueprintComponent, DataClass, DiskFlush, MysqlEngine, MysqlReplication, MysqlReplicationProps, Peer, PortRole, Tier } from '../../../lib';
import { validateManifest } from '../../../lib/checks/schema/strict-schema';
import { findObject, Manifest, testScenario } from '../../support/scenario';

function synthDatabase(props: MysqlReplicationProps = {}, tier = Tier.CRITICAL): Manifest[] {
  const scenario = testScenario({ tier });
  new MysqlReplication(scenario, 'orders', props);
  return Testing.synth(scenario);
}

const galera = { engine: MysqlEngine.MARIADB_11_4 };
const container = (manifests: Manifest[], workload: string, name: string) => {
  const object = manifests.find((manifest) => ['StatefulSet', 'Deployment'].includes(manifest.kind) && manifest.metadata.name === workload);
  return object!.spec.template.spec.containers.find((candidate: any) => candidate.name === name);
};
const envOf = (manifests: Manifest[], workload: string, name: string): Record<string, any> =>
  Object.fromEntries(container(manifests, workload, name).env.map((variable: any) => [variable.name, variable.value ?? variable.valueFrom]));

describe('MysqlReplication', () => {
  test('defaults: MySQL 8.4 Group Replication in the CRITICAL tier', () => {
    expect(synthDatabase()).toMatchSnapshot();
  });

  test('defaults: MariaDB 11.4 Galera in the CRITICAL tier', () => {
    expect(synthDatabase(galera)).toMatchSnapshot();
  });

  test.each<[string, MysqlReplicationProps, string[]]>([
    [
      'MYSQL_8_4',
      {},
      [
        'ConfigMap/orders-mysql-config',
        'ConfigMap/orders-mysql-scripts',
        'ServiceAccount/orders-mysql-pods',
        'Service/orders-mysql-headless',
        'StatefulSet/orders-mysql',
        'PodDisruptionBudget/orders-mysql-budget',
        'ConfigMap/orders-router-config',
        'ConfigMap/orders-router-scripts',
        'ServiceAccount/orders-router-pods',
        'Service/orders-router',
        'Deployment/orders-router-deployment',
        'PodDisruptionBudget/orders-router-budget',
        'NetworkPolicy/orders-mysql-policy',
        'NetworkPolicy/orders-router-policy',
        'PodMonitor/orders-mysql-monitor',
        'PrometheusRule/orders-mysql-alerts',
        'ConfigMap/orders-mysql-dashboard',
      ],
    ],
    [
      'MARIADB_11_4',
      galera,
      [
        'ConfigMap/orders-mysql-config',
        'ConfigMap/orders-mysql-scripts',
        'ServiceAccount/orders-mysql-pods',
        'Service/orders-mysql-headless',
        'StatefulSet/orders-mysql',
        'PodDisruptionBudget/orders-mysql-budget',
        'ConfigMap/orders-proxy-config',
        'ServiceAccount/orders-proxy-pods',
        'Service/orders-proxy',
        'Deployment/orders-proxy-deployment',
        'PodDisruptionBudget/orders-proxy-budget',
        'NetworkPolicy/orders-mysql-policy',
        'NetworkPolicy/orders-proxy-policy',
        'PodMonitor/orders-mysql-monitor',
        'PrometheusRule/orders-mysql-alerts',
        'ConfigMap/orders-mysql-dashboard',
      ],
    ],
  ])('%s: members in a StatefulSet, the proxies in a Deployment, config, policies and monitoring', (_engine, props, objects) => {
    // WHEN
    const manifests = synthDatabase(props);

    // THEN
    expect(manifests.map((manifest) => `${manifest.kind}/${manifest.metadata.name}`)).toEqual(objects);
    for (const manifest of manifests) {
      expect(manifest.metadata.annotations).toEqual(
        expect.objectContaining({
          'stability-blueprints.io/component': 'mysql-replication',
          'stability-blueprints.io/engine': props.engine ?? 'mysql-8.4',
          'stability-blueprints.io/data-class': 'system-of-record',
        }),
      );
    }
  });

  test.each([
    ['MYSQL_8_4', {}],
    ['MARIADB_11_4', galera],
  ])('%s: 3 voting members with retained volumes, a budget that keeps a majority, hard zone spread', (_engine, props) => {
    // WHEN
    const manifests = synthDatabase(props);

    // THEN
    const statefulSet = findObject(manifests, 'StatefulSet', 'orders-mysql');
    expect(statefulSet.spec.replicas).toBe(3);
    expect(statefulSet.spec.podManagementPolicy).toBe('Parallel');
    expect(statefulSet.metadata.annotations).toEqual(
      expect.objectContaining({ 'stability-blueprints.io/quorum': '2', 'stability-blueprints.io/consensus': 'majority' }),
    );
    expect(statefulSet.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    expect(findObject(manifests, 'PodDisruptionBudget', 'orders-mysql-budget').spec.maxUnavailable).toBe(1);
    expect(statefulSet.spec.template.spec.topologySpreadConstraints[0]).toEqual(
      expect.objectContaining({ topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', minDomains: 3 }),
    );
    expect(findObject(manifests, 'Service', 'orders-mysql-headless').spec.publishNotReadyAddresses).toBe(true);
  });

  test('every password comes from the Secret the team names, none from a manifest', () => {
    // WHEN
    const manifests = synthDatabase({ credentialsSecretName: 'orders-db-passwords' });

    // THEN
    const env = envOf(manifests, 'orders-mysql', 'mysql');
    for (const [variable, key] of [
      ['MYSQL_ROOT_PASSWORD', 'root-password'],
      ['MYSQL_REPLICATION_PASSWORD', 'replication-password'],
      ['MYSQL_MONITOR_PASSWORD', 'monitor-password'],
      ['MYSQL_APPLICATION_PASSWORD', 'application-password'],
      ['MYSQL_ROUTER_PASSWORD', 'router-password'],
    ]) {
      expect(env[variable]).toEqual({ secretKeyRef: { name: 'orders-db-passwords', key, optional: false } });
    }
    expect(JSON.stringify(manifests)).not.toMatch(/password"\s*:\s*"[^{]/i);
  });

  test('the members run the engine-specific scripts with the pod identity, peers and ports', () => {
    // WHEN
    const mysql = synthDatabase();
    const mariadb = synthDatabase(galera);

    // THEN
    expect(container(mysql, 'orders-mysql', 'mysql').command).toEqual(['sh', '/scripts/start-mysql.sh']);
    expect(container(mysql, 'orders-mysql', 'agent').command).toEqual(['sh', '/scripts/gr-agent.sh']);
    expect(container(mariadb, 'orders-mysql', 'mysql').command).toEqual(['sh', '/scripts/start-galera.sh']);
    expect(container(mariadb, 'orders-mysql', 'agent').command).toEqual(['perl', '/scripts/galera-agent.pl']);
    expect(envOf(mysql, 'orders-mysql', 'mysql')).toEqual(
      expect.objectContaining({
        MYSQL_STATEFULSET: 'orders-mysql',
        MYSQL_SERVICE: 'orders-mysql-headless',
        MEMBERS: '3',
        ADMIN_PORT: '33062',
        APPLICATION_DATABASE: 'orders',
        POD_NAME: { fieldRef: { fieldPath: 'metadata.name' } },
      }),
    );
    expect(envOf(mariadb, 'orders-mysql', 'mysql')).toEqual(
      expect.objectContaining({ GALERA_PORT: '4567', SST_PORT: '4444', AGENT_PORT: '9200', WSREP_PROVIDER: '/usr/lib/galera/libgalera_smm.so' }),
    );
    const scripts = findObject(mariadb, 'ConfigMap', 'orders-mysql-scripts').data;
    expect(Object.keys(scripts).sort()).toEqual([
      'galera-agent.pl',
      'galera-common.sh',
      'prestop-galera.sh',
      'probe-galera.sh',
      'reboot-cluster-galera.sh',
      'start-galera.sh',
    ]);
  });

  test('clients get the endpoint Service, both ports, the database, the user and a reference to the password', () => {
    // GIVEN
    const scenario = testScenario();
    const database = new MysqlReplication(scenario, 'orders', galera);

    // WHEN
    const env = database.clientEnv('ORDERS_DB_');

    // THEN
    expect(Object.fromEntries(Object.entries(env).map(([name, value]) => [name, value.value ?? value.valueFrom?.secretKeyRef]))).toEqual({
      ORDERS_DB_HOST: 'orders-proxy.shop.svc.cluster.local',
      ORDERS_DB_PORT: '3306',
      ORDERS_DB_READ_ONLY_PORT: '3307',
      ORDERS_DB_DATABASE: 'orders',
      ORDERS_DB_USER: 'app',
      ORDERS_DB_PASSWORD: expect.objectContaining({ key: 'application-password' }),
    });
  });

  test('the members admit only each other, the proxies and the monitoring; allowFrom admits a client to the proxies only', () => {
    // GIVEN
    const scenario = testScenario();
    const database = new MysqlReplication(scenario, 'orders', galera);
    const client = { 'app.kubernetes.io/name': 'cart' };

    // WHEN
    database.allowFrom(Peer.podsLabelled(client));
    const manifests = Testing.synth(scenario);

    // THEN
    const members = findObject(manifests, 'NetworkPolicy', 'orders-mysql-policy').spec;
    const ingressPeers = members.ingress.map(
      (rule: any) =>
        rule.from[0].podSelector.matchLabels['app.kubernetes.io/component'] ?? rule.from[0].podSelector.matchLabels['app.kubernetes.io/name'],
    );
    expect(ingressPeers).toEqual(['mysql', 'proxy', 'prometheus']);
    const proxies = findObject(manifests, 'NetworkPolicy', 'orders-proxy-policy').spec;
    expect(proxies.ingress.at(-1)).toEqual({
      from: [{ podSelector: { matchLabels: client } }],
      ports: [
        { protocol: 'TCP', port: 3306 },
        { protocol: 'TCP', port: 3307 },
      ],
    });
  });

  test.each<[string, MysqlReplicationProps]>([
    ['MYSQL_8_4', {}],
    ['MARIADB_11_4', galera],
  ])('%s contract: voting data members, proxies, commits on a majority, on disk before the acknowledgement', (_engine, props) => {
    // GIVEN
    const scenario = testScenario();

    // WHEN
    const database = new MysqlReplication(scenario, 'orders', props);

    // THEN
    const { contract } = database;
    expect(BlueprintComponent.all(scenario)).toEqual([database]);
    expect(contract.podSets.map((set) => [set.role, set.workloadKind, set.serviceAccountName, set.holdsData, set.votes])).toEqual([
      ['mysql', 'StatefulSet', 'orders-mysql-pods', true, true],
      [
        props.engine === MysqlEngine.MARIADB_11_4 ? 'proxy' : 'router',
        'Deployment',
        `orders-${props.engine === MysqlEngine.MARIADB_11_4 ? 'proxy' : 'router'}-pods`,
        false,
        false,
      ],
    ]);
    expect(
      contract.podSets[1].ports
        .filter((port) => port.roles.includes(PortRole.CLIENT))
        .every((port) => port.serverFirst && port.appProtocol === 'mysql'),
    ).toBe(true);
    expect(contract.quorum).toEqual(expect.objectContaining({ voters: 3, votersForFailover: 2, dataPodsForWrites: 2 }));
    expect(contract.durability).toEqual(
      expect.objectContaining({ dataClass: DataClass.SYSTEM_OF_RECORD, acknowledgedCopies: 2, flushedToDisk: DiskFlush.BEFORE_ACKNOWLEDGEMENT }),
    );
    expect(contract.failoverBudget.detectionSeconds).toBe(5);
    expect(contract.failoverBudget.writesResumeWithinSeconds).toBe(props.engine === MysqlEngine.MARIADB_11_4 ? 8 : 7);
  });

  test.each<[string, Tier, MysqlReplicationProps]>([
    ['MYSQL_8_4, CRITICAL system of record', Tier.CRITICAL, {}],
    ['MYSQL_8_4, STANDARD cache, 5 members, no metrics', Tier.STANDARD, { dataClass: DataClass.CACHE, members: 5, metrics: false }],
    ['MARIADB_11_4, CRITICAL system of record', Tier.CRITICAL, galera],
    ['MARIADB_11_4, HIGH, 3 proxies', Tier.HIGH, { ...galera, endpointReplicas: 3 }],
  ])('%s: every object is strictly valid against the Kubernetes schema', (_case, tier, props) => {
    // WHEN
    const violations = synthDatabase(props, tier).flatMap((manifest) =>
      validateManifest(manifest).map((violation) => `${manifest.kind}/${manifest.metadata.name} ${violation.path}: ${violation.message}`),
    );

    // THEN
    expect(violations).toEqual([]);
  });
});
