import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { BlueprintComponent, ComponentContract, ComponentPort, DiskFlush, PortRole } from '../../core/component';
import { clientEnvPrefix, serviceHost } from '../../core/client-env';
import { ComponentFiles } from '../../core/component-files';
import { configHash } from '../../core/config';
import { execProbe, plainEnv, podIdentityEnv } from '../../core/container';
import { BlueprintKeys, standardLabels, WorkloadIdentity } from '../../core/labels';
import { ComponentNetworkPolicy } from '../../core/network-policy';
import { Peer } from '../../core/peer';
import { dataStoreResources } from '../../core/resources';
import { SecretKeyReference, secretEnvs } from '../../core/secrets';
import { restrictedContainerSecurityContext } from '../../core/security';
import { PodManagementPolicy, PvcRetention, StatefulPodSet } from '../../core/stateful-pod-set';
import { StatelessPodSet } from '../../core/stateless-pod-set';
import { DataClass } from '../../core/tier';
import { ComponentMonitoring, METRICS_PORT_NAME } from '../../observability/component-monitoring';
import { BusinessScenario } from '../../scenario/business-scenario';
import { GaleraConfigInput, GaleraProxyInput, renderGaleraCnf, renderGaleraProxyConf } from './galera-config';
import { GroupReplicationConfigInput, renderGroupReplicationCnf } from './gr-config';
import {
  MysqlAlertInput,
  mysqlAlertRules,
  mysqlDashboard,
  MysqlExporterInput,
  mysqlExporterContainer,
  mysqlLagThresholdSeconds,
  mysqlSeriesSelectors,
} from './observability';
import {
  GALERA_AGENT_PORT,
  GALERA_IST_PORT,
  GALERA_PORT,
  GALERA_SST_PORT,
  GROUP_REPLICATION_SUSPICION_SECONDS,
  MYSQL_ADMIN_PORT,
  MysqlReplicationPlan,
  PROXY_HEALTH_PORT,
  PROXY_METRICS_PORT,
  resolveMysqlReplicationPlan,
  SERVER_ID_OFFSET,
} from './plan';
import { MysqlEngine, MysqlReplicationProps } from './props';

export const MYSQL_REPLICATION_COMPONENT = 'mysql-replication';

const SCRIPTS_DIR = '/scripts';
const CONFIG_DIR = '/config';
const DATA_DIR = '/var/lib/mysql';
const RUN_DIR = '/run/mysqld';
const GALERA_SCRIPTS = [
  'galera-common.sh',
  'start-galera.sh',
  'galera-agent.pl',
  'probe-galera.sh',
  'prestop-galera.sh',
  'reboot-cluster-galera.sh',
] as const;
const GROUP_REPLICATION_SCRIPTS = [
  'gr-common.sh',
  'start-mysql.sh',
  'gr-agent.sh',
  'probe-mysql.sh',
  'prestop-mysql.sh',
  'reboot-cluster-mysql.sh',
] as const;
const ROUTER_SCRIPT = 'start-router.sh';
/** Where the mariadb image's galera-4 package installs the provider. */
const WSREP_PROVIDER = '/usr/lib/galera/libgalera_smm.so';
/** The Secret keys the team fills; `router-password` only for MYSQL_8_4. */
export const CREDENTIAL_KEYS = {
  MYSQL_ROOT_PASSWORD: 'root-password',
  MYSQL_REPLICATION_PASSWORD: 'replication-password',
  MYSQL_MONITOR_PASSWORD: 'monitor-password',
  MYSQL_APPLICATION_PASSWORD: 'application-password',
} as const;
const ROUTER_CREDENTIAL_KEY = 'router-password';

/**
 * A MySQL-family database that keeps every committed transaction through the loss of a member, a node or a zone,
 * and fails over by itself: every member votes, a majority decides, and no controller needs write access to the
 * Kubernetes API.
 *
 * - `MysqlEngine.MYSQL_8_4`: Group Replication, single primary, as an InnoDB Cluster; a transaction commits once a
 *   majority of the members has it. MySQL Router pods route read-write and read-only connections.
 * - `MysqlEngine.MARIADB_11_4`: Galera 4; a transaction commits once the primary component has certified it. HAProxy
 *   pods send writes to one Synced member at a time, so concurrent writers never conflict on a hot row.
 *
 * Neither engine bootstraps a cluster twice: the group or the primary component is created on the first boot only,
 * and after a complete outage the members wait for the runbook (`reboot-cluster-*.sh`, see the README), which
 * starts from the most advanced member.
 */
export class MysqlReplication extends BlueprintComponent {
  public readonly plan: MysqlReplicationPlan;
  public readonly contract: ComponentContract;
  /** The database pods. */
  public readonly members: StatefulPodSet;
  /** The Router (MYSQL_8_4) or HAProxy (MARIADB_11_4) pods clients connect to. */
  public readonly endpoint: StatelessPodSet;
  private readonly endpointPolicy: ComponentNetworkPolicy;

  constructor(scope: Construct, id: string, props: MysqlReplicationProps = {}) {
    super(scope, id);
    const scenario = BusinessScenario.of(this);
    const plan = resolveMysqlReplicationPlan(this.node.path, id, props, scenario);
    this.plan = plan;
    const galera = plan.engine === MysqlEngine.MARIADB_11_4;

    const annotations = {
      ...scenario.annotationsFor(MYSQL_REPLICATION_COMPONENT),
      [BlueprintKeys.TIER]: plan.tier,
      [BlueprintKeys.DATA_CLASS]: plan.dataClass,
      [BlueprintKeys.ENGINE]: plan.engine,
    };
    const identity = (component: string): WorkloadIdentity => ({ name: 'mysql', instance: plan.name, component, partOf: scenario.scenarioName });
    const membersIdentity = identity('mysql');
    const metadata = (workload: WorkloadIdentity, name: string, role: string) => ({
      name,
      labels: standardLabels(workload),
      annotations: { ...annotations, [BlueprintKeys.ROLE]: role },
    });
    const statefulSetName = `${plan.name}-mysql`;
    const headlessServiceName = `${statefulSetName}-headless`;

    const files = new ComponentFiles(this, 'Files', {
      metadata: (name, role) => metadata(membersIdentity, name, role),
      configMapName: `${plan.name}-mysql-config`,
      config: { 'my.cnf': galera ? renderGaleraCnf(galeraConfigInput(plan)) : renderGroupReplicationCnf(groupReplicationConfigInput(plan)) },
      scriptsMapName: `${plan.name}-mysql-scripts`,
      scriptsDirectory: `${__dirname}/scripts`,
      scriptFiles: galera ? GALERA_SCRIPTS : GROUP_REPLICATION_SCRIPTS,
    });

    const credentials = (keys: Record<string, string>): Record<string, SecretKeyReference> =>
      Object.fromEntries(Object.entries(keys).map(([variable, key]) => [variable, { secretName: plan.credentialsSecretName, key }]));
    const memberCredentials = galera ? CREDENTIAL_KEYS : { ...CREDENTIAL_KEYS, MYSQL_ROUTER_PASSWORD: ROUTER_CREDENTIAL_KEY };
    const engineEnv: Record<string, string | number> = galera
      ? {
          GALERA_PORT,
          IST_PORT: GALERA_IST_PORT,
          SST_PORT: GALERA_SST_PORT,
          AGENT_PORT: GALERA_AGENT_PORT,
          WSREP_PROVIDER: '/usr/lib/galera/libgalera_smm.so',
        }
      : { GROUP_NAME: plan.groupName, ROUTER_USER: 'router', ADMIN_PORT: MYSQL_ADMIN_PORT };
    const env = [
      ...podIdentityEnv(),
      // admin_address takes the pod's own address (start-mysql.sh).
      ...(galera ? [] : [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }]),
      ...plainEnv({
        MYSQL_STATEFULSET: statefulSetName,
        MYSQL_SERVICE: headlessServiceName,
        CLUSTER_DOMAIN: scenario.clusterDomain,
        MEMBERS: plan.members,
        MYSQL_PORT: plan.port,
        SERVER_ID_OFFSET,
        CLUSTER_NAME: plan.name,
        DATA_DIR,
        CONFIG_DIR,
        SCRIPTS_DIR,
        RUN_DIR,
        DATA_CLASS: plan.dataClass,
        TERMINATION_GRACE_PERIOD_SECONDS: plan.terminationGracePeriodSeconds,
        HANDOVER_TIMEOUT_SECONDS: plan.handoverTimeoutSeconds,
        REPLICATION_USER: 'replication',
        MONITOR_USER: 'monitor',
        APPLICATION_USER: plan.applicationUser,
        APPLICATION_DATABASE: plan.database,
        ...engineEnv,
      }),
      ...secretEnvs(credentials(memberCredentials)),
    ];
    const securityContext = restrictedContainerSecurityContext(plan.podUser);
    const script = (file: string, ...args: string[]) => [file.endsWith('.pl') ? 'perl' : 'sh', `${SCRIPTS_DIR}/${file}`, ...args];
    const mounts: k8s.VolumeMount[] = [
      { name: 'data', mountPath: DATA_DIR },
      ...files.mounts(CONFIG_DIR, SCRIPTS_DIR),
      { name: 'run', mountPath: RUN_DIR },
      { name: 'tmp', mountPath: '/tmp' },
    ];
    const sqlPort = { name: 'mysql', containerPort: plan.port, protocol: 'TCP' };
    const peerContainerPorts = galera
      ? [
          { name: 'galera', containerPort: GALERA_PORT, protocol: 'TCP' },
          { name: 'galera-ist', containerPort: GALERA_IST_PORT, protocol: 'TCP' },
          { name: 'galera-sst', containerPort: GALERA_SST_PORT, protocol: 'TCP' },
        ]
      : // With the MYSQL communication stack the group talks over the SQL port.
        [{ name: 'mysql-admin', containerPort: MYSQL_ADMIN_PORT, protocol: 'TCP' }];
    const probeScript = galera ? 'probe-galera.sh' : 'probe-mysql.sh';
    // A joiner copies the whole data set (SST or clone) before it answers: the startup budget covers a large one.
    const startupBudgetSeconds = 3600;
    const database: k8s.Container = {
      name: 'mysql',
      image: plan.image,
      imagePullPolicy: 'IfNotPresent',
      command: script(galera ? 'start-galera.sh' : 'start-mysql.sh'),
      ports: [sqlPort, ...peerContainerPorts],
      env,
      resources: dataStoreResources(plan.cpuMillis, plan.memory),
      securityContext,
      volumeMounts: mounts,
      startupProbe: execProbe(script(probeScript, 'startup'), { periodSeconds: 10, timeoutSeconds: 5, failureThreshold: startupBudgetSeconds / 10 }),
      livenessProbe: execProbe(script(probeScript, 'liveness'), { periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 }),
      readinessProbe: execProbe(script(probeScript, 'readiness'), { periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 2 }),
      lifecycle: { preStop: { exec: { command: script(galera ? 'prestop-galera.sh' : 'prestop-mysql.sh') } } },
    };
    const agent: k8s.Container = {
      name: 'agent',
      image: plan.image,
      imagePullPolicy: 'IfNotPresent',
      command: script(galera ? 'galera-agent.pl' : 'gr-agent.sh'),
      ...(galera
        ? {
            ports: [{ name: 'galera-agent', containerPort: GALERA_AGENT_PORT, protocol: 'TCP' }],
            // Serving is all it does: its answers (including 503) are what peers and HAProxy read.
            readinessProbe: {
              tcpSocket: { port: k8s.IntOrString.fromString('galera-agent') },
              periodSeconds: 10,
              timeoutSeconds: 2,
              failureThreshold: 3,
            },
          }
        : {}),
      env,
      resources: dataStoreResources(50, Size.mebibytes(galera ? 64 : 256)),
      securityContext,
      volumeMounts: mounts,
    };
    const containers = [database, agent, ...(plan.metrics ? [mysqlExporterContainer(exporterInput(plan), securityContext)] : [])];

    this.members = new StatefulPodSet(this, 'Members', {
      identity: membersIdentity,
      annotations: { ...annotations, [BlueprintKeys.ROLE]: 'mysql' },
      podAnnotations: { [`${BlueprintKeys.COMPONENT}-config-hash`]: files.hash },
      replicas: plan.members,
      quorum: plan.quorum,
      votesByMajority: true,
      // Members find each other before any is ready; an ordered start would wait for pod 0 forever after an outage.
      podManagementPolicy: PodManagementPolicy.PARALLEL,
      minReadySeconds: 10,
      terminationGracePeriodSeconds: plan.terminationGracePeriodSeconds,
      containers,
      volumes: [
        ...files.volumes(),
        { name: 'run', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('16Mi') } },
        { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('1Gi') } },
      ],
      volumeClaims: [{ name: 'data', size: plan.storageSize, storageClassName: plan.storageClassName }],
      pvcRetentionWhenDeleted: PvcRetention.RETAIN,
      pvcRetentionWhenScaled: PvcRetention.RETAIN,
      scheduling: plan.scheduling,
      podUser: plan.podUser,
      priorityClassName: plan.priorityClassName,
      peerPorts: [
        { name: 'mysql', port: plan.port, appProtocol: 'mysql' },
        ...peerContainerPorts.map((port) => ({ name: port.name, port: port.containerPort, appProtocol: 'tcp' })),
        ...(galera ? [{ name: 'galera-agent', port: GALERA_AGENT_PORT, appProtocol: 'http' }] : []),
      ],
    });

    const endpoint = this.defineEndpoint(scenario, identity(plan.endpoint.kind), annotations, securityContext);
    this.endpoint = endpoint;

    const memberPods = Peer.podsLabelled(this.members.selector);
    const endpointPods = Peer.podsLabelled(endpoint.selector);
    const peerPortNumbers = [plan.port, ...peerContainerPorts.map((port) => port.containerPort)];
    const metricsPorts = plan.metrics ? [plan.metricsPort] : [];
    new ComponentNetworkPolicy(this, 'MembersNetworkPolicy', {
      metadata: metadata(membersIdentity, `${plan.name}-mysql-policy`, 'mysql'),
      podSelector: this.members.selector,
      ingress: [
        { peer: memberPods, ports: galera ? [...peerPortNumbers, GALERA_AGENT_PORT] : peerPortNumbers },
        { peer: endpointPods, ports: galera ? [plan.port, GALERA_AGENT_PORT] : [plan.port, 33060] },
      ],
      egress: [{ peer: memberPods, ports: galera ? [...peerPortNumbers, GALERA_AGENT_PORT] : peerPortNumbers }],
      metricsPorts,
      monitoring: scenario.monitoring,
    });
    this.endpointPolicy = new ComponentNetworkPolicy(this, 'EndpointNetworkPolicy', {
      metadata: metadata(identity(plan.endpoint.kind), `${plan.name}-${plan.endpoint.kind}-policy`, plan.endpoint.kind),
      podSelector: endpoint.selector,
      ingress: [],
      egress: [{ peer: memberPods, ports: galera ? [plan.port, GALERA_AGENT_PORT] : [plan.port, 33060] }],
      metricsPorts: galera ? [PROXY_METRICS_PORT] : [],
      monitoring: scenario.monitoring,
    });

    if (plan.metrics) {
      const selectors = mysqlSeriesSelectors(alertInput(plan, scenario.namespace));
      new ComponentMonitoring(this, 'Monitoring', {
        identity: identity('monitoring'),
        annotations,
        monitoringLabels: { ...scenario.monitoringLabels, ...plan.monitoringLabels },
        namePrefix: `${plan.name}-mysql`,
        podSelector: { 'app.kubernetes.io/name': 'mysql', 'app.kubernetes.io/instance': plan.name },
        groupName: `${MYSQL_REPLICATION_COMPONENT}.${scenario.scenarioName}.${plan.name}`,
        rules: mysqlAlertRules(alertInput(plan, scenario.namespace), selectors),
        alertLabels: { owner: scenario.owner, scenario: scenario.scenarioName, tier: plan.tier, component: MYSQL_REPLICATION_COMPONENT },
        dashboardFileName: `mysql-${plan.name}.json`,
        dashboard: mysqlDashboard(alertInput(plan, scenario.namespace), selectors, `MySQL ${scenario.scenarioName}/${plan.name}`),
      });
    }
    this.contract = this.describeContract();
  }

  /** The Router or HAProxy pods, their configuration, and their Service: what clients connect to. */
  private defineEndpoint(
    scenario: BusinessScenario,
    identity: WorkloadIdentity,
    annotations: Record<string, string>,
    securityContext: k8s.SecurityContext,
  ): StatelessPodSet {
    const { plan } = this;
    const galera = plan.engine === MysqlEngine.MARIADB_11_4;
    const { readWritePort, readOnlyPort, kind } = plan.endpoint;
    const configMapName = `${plan.name}-${kind}-config`;
    const data: Record<string, string> = galera
      ? { 'haproxy.cfg': renderGaleraProxyConf(proxyConfigInput(plan, scenario.clusterDomain)) }
      : new ComponentFiles(this, 'RouterFiles', {
          metadata: (name, role) => ({ name, labels: standardLabels(identity), annotations: { ...annotations, [BlueprintKeys.ROLE]: role } }),
          configMapName,
          config: {},
          scriptsMapName: `${plan.name}-router-scripts`,
          scriptsDirectory: `${__dirname}/scripts`,
          scriptFiles: [ROUTER_SCRIPT],
        }).scripts;
    if (galera) {
      new k8s.KubeConfigMap(this, 'ProxyConfig', {
        metadata: { name: configMapName, labels: standardLabels(identity), annotations: { ...annotations, [BlueprintKeys.ROLE]: 'config' } },
        data,
      });
    }
    const ports = [
      { name: 'mysql-rw', containerPort: readWritePort, protocol: 'TCP' },
      { name: 'mysql-ro', containerPort: readOnlyPort, protocol: 'TCP' },
      ...(galera
        ? [
            { name: 'health', containerPort: PROXY_HEALTH_PORT, protocol: 'TCP' },
            { name: 'metrics', containerPort: PROXY_METRICS_PORT, protocol: 'TCP' },
          ]
        : []),
    ];
    const readiness: k8s.Probe = {
      tcpSocket: { port: k8s.IntOrString.fromString('mysql-rw') },
      periodSeconds: 5,
      timeoutSeconds: 2,
      failureThreshold: 2,
    };
    const liveness: k8s.Probe = galera
      ? { httpGet: { path: '/healthz', port: k8s.IntOrString.fromString('health') }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 }
      : // Router answers on both ports while it runs; readiness already watches the read-write one.
        { tcpSocket: { port: k8s.IntOrString.fromString('mysql-ro') }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 6 };
    const container: k8s.Container = {
      name: kind,
      image: plan.endpoint.image,
      imagePullPolicy: 'IfNotPresent',
      command: galera ? ['haproxy', '-W', '-db', '-f', '/config/haproxy.cfg'] : ['sh', `${SCRIPTS_DIR}/${ROUTER_SCRIPT}`],
      ports,
      env: galera
        ? podIdentityEnv()
        : [
            ...podIdentityEnv(),
            ...plainEnv({
              MYSQL_STATEFULSET: `${plan.name}-mysql`,
              MYSQL_SERVICE: `${plan.name}-mysql-headless`,
              CLUSTER_DOMAIN: scenario.clusterDomain,
              MEMBERS: plan.members,
              MYSQL_PORT: plan.port,
              CLUSTER_NAME: plan.name,
              ROUTER_USER: 'router',
            }),
            ...secretEnvs({ MYSQL_ROUTER_PASSWORD: { secretName: plan.credentialsSecretName, key: ROUTER_CREDENTIAL_KEY } }),
          ],
      resources: dataStoreResources(200, Size.mebibytes(256)),
      securityContext,
      volumeMounts: galera
        ? [{ name: 'config', mountPath: CONFIG_DIR, readOnly: true }]
        : [
            { name: 'scripts', mountPath: SCRIPTS_DIR, readOnly: true },
            { name: 'tmp', mountPath: '/tmp' },
          ],
      startupProbe: { ...readiness, failureThreshold: 60 },
      livenessProbe: liveness,
      // Ready while it accepts connections, whether or not a primary is reachable behind it: a proxy taken out of
      // the Service during a failover would come back only a readiness period after the new primary.
      readinessProbe: readiness,
      lifecycle: { preStop: { exec: { command: ['sleep', '5'] } } },
    };
    return new StatelessPodSet(this, 'Endpoint', {
      identity,
      annotations: { ...annotations, [BlueprintKeys.ROLE]: kind },
      podAnnotations: { [`${BlueprintKeys.COMPONENT}-config-hash`]: configHash(data) },
      replicas: plan.endpoint.replicas,
      terminationGracePeriodSeconds: 15,
      containers: [container],
      volumes: galera
        ? [{ name: 'config', configMap: { name: configMapName, defaultMode: 0o444 } }]
        : [
            { name: 'scripts', configMap: { name: `${plan.name}-router-scripts`, defaultMode: 0o444 } },
            // Router writes its keyring there: memory, never a node's disk.
            { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('64Mi') } },
          ],
      scheduling: plan.scheduling,
      podUser: plan.podUser,
      priorityClassName: plan.priorityClassName,
      servicePorts: [
        { name: 'mysql-rw', port: readWritePort, appProtocol: 'mysql' },
        { name: 'mysql-ro', port: readOnlyPort, appProtocol: 'mysql' },
      ],
    });
  }

  /**
   * The contract: members that all hold the data and vote, commits that need a majority, the proxies in front.
   */
  private describeContract(): ComponentContract {
    const { plan } = this;
    const galera = plan.engine === MysqlEngine.MARIADB_11_4;
    const port = (name: string, number: number, roles: PortRole[], appProtocol: string, serverFirst: boolean): ComponentPort => ({
      name,
      port: number,
      roles,
      appProtocol,
      serverFirst,
    });
    const metrics = plan.metrics ? [port(METRICS_PORT_NAME, plan.metricsPort, [PortRole.METRICS], 'http', false)] : [];
    const peerPorts = galera
      ? [
          port('galera', GALERA_PORT, [PortRole.PEER], 'tcp', false),
          port('galera-ist', GALERA_IST_PORT, [PortRole.PEER], 'tcp', false),
          port('galera-sst', GALERA_SST_PORT, [PortRole.PEER], 'tcp', false),
          port('galera-agent', GALERA_AGENT_PORT, [PortRole.PEER, PortRole.HEALTH], 'http', false),
        ]
      : [port('mysql-admin', MYSQL_ADMIN_PORT, [PortRole.PEER], 'mysql', true)];
    const systemOfRecord = plan.dataClass === DataClass.SYSTEM_OF_RECORD;
    const { readWritePort, readOnlyPort, kind } = plan.endpoint;
    return {
      component: MYSQL_REPLICATION_COMPONENT,
      name: plan.name,
      tier: plan.tier,
      podSets: [
        this.members.describe({
          role: 'mysql',
          // The SQL port serves the proxies and, for the members themselves, clone, SST donors and the agents' checks.
          ports: [port('mysql', plan.port, [PortRole.PEER], 'mysql', true), ...peerPorts, ...metrics],
          holdsData: true,
          votes: true,
        }),
        this.endpoint.describe({
          role: kind,
          ports: [
            port('mysql-rw', readWritePort, [PortRole.CLIENT], 'mysql', true),
            port('mysql-ro', readOnlyPort, [PortRole.CLIENT], 'mysql', true),
            ...(galera
              ? [
                  port('health', PROXY_HEALTH_PORT, [PortRole.HEALTH], 'http', false),
                  port('metrics', PROXY_METRICS_PORT, [PortRole.METRICS], 'http', false),
                ]
              : []),
          ],
          holdsData: false,
          votes: false,
        }),
      ],
      quorum: {
        votingRole: 'mysql',
        voters: plan.members,
        votersForFailover: plan.quorum,
        dataRole: 'mysql',
        dataPodsForWrites: plan.quorum,
        description: galera
          ? `a primary component of ${plan.quorum} of ${plan.members} members certifies every commit; a minority refuses queries`
          : `${plan.quorum} of ${plan.members} members agree on every transaction; a minority cannot commit and leaves the group`,
      },
      durability: {
        dataClass: plan.dataClass,
        acknowledgedCopies: plan.quorum,
        flushedToDisk: systemOfRecord ? DiskFlush.BEFORE_ACKNOWLEDGEMENT : DiskFlush.WITHIN_A_SECOND,
        survives: systemOfRecord
          ? `the loss of ${plan.members - plan.quorum} member(s), their nodes or their zone, and a crash of every member at once`
          : `the loss of ${plan.members - plan.quorum} member(s); a crash of every member at once may lose the last second`,
      },
      failoverBudget: {
        detectionSeconds: Math.ceil(plan.failureDetectionMilliseconds / 1000),
        writesResumeWithinSeconds: plan.failoverBudgetSeconds,
        description: galera
          ? 'evs.suspect_timeout removes the lost member from the primary component, HAProxy moves writes after 2 failed checks'
          : 'the 5 s suspicion and member_expel_timeout, an election, then Router follows the new primary',
      },
    };
  }

  /**
   * The environment an application needs to connect:
   *
   * - `<prefix>HOST`: the endpoint Service (Router or HAProxy), never a member.
   * - `<prefix>PORT`: read-write connections (to the primary or the writer), `<prefix>READ_ONLY_PORT`: read-only ones,
   *   spread over the members (they may lag).
   * - `<prefix>DATABASE`, `<prefix>USER`, and `<prefix>PASSWORD` as a reference to the Secret's key.
   *
   * The workload also needs `allowFrom(Peer.workload(...))`.
   *
   * @param prefix prefix of the variable names, a valid environment variable name start
   */
  public clientEnv(prefix = 'MYSQL_'): Record<string, kplus.EnvValue> {
    clientEnvPrefix(this.node.path, prefix);
    const { plan } = this;
    const { namespace, clusterDomain } = BusinessScenario.of(this);
    const service = this.endpoint.serviceName;
    return {
      [`${prefix}HOST`]: kplus.EnvValue.fromValue(serviceHost(service, namespace, clusterDomain)),
      [`${prefix}PORT`]: kplus.EnvValue.fromValue(String(plan.endpoint.readWritePort)),
      [`${prefix}READ_ONLY_PORT`]: kplus.EnvValue.fromValue(String(plan.endpoint.readOnlyPort)),
      [`${prefix}DATABASE`]: kplus.EnvValue.fromValue(plan.database),
      [`${prefix}USER`]: kplus.EnvValue.fromValue(plan.applicationUser),
      [`${prefix}PASSWORD`]: kplus.EnvValue.fromSecretValue(
        {
          secret: kplus.Secret.fromSecretName(this, 'ClientPasswordSecret', plan.credentialsSecretName),
          key: CREDENTIAL_KEYS.MYSQL_APPLICATION_PASSWORD,
        },
        { optional: false },
      ),
    };
  }

  /**
   * Lets `peer` connect to the endpoint's read-write and read-only ports. The members admit only the endpoint.
   *
   * @mutating
   */
  public allowFrom(peer: Peer): void {
    this.endpointPolicy.allowFrom(peer, [this.plan.endpoint.readWritePort, this.plan.endpoint.readOnlyPort]);
  }
}

/** HAProxy checks every member's agent each second; two failures move the writer (prestop-galera.sh waits for it). */
const PROXY_CHECK_INTERVAL_MILLISECONDS = 1000;
const PROXY_CHECK_FALL = 2;
const PROXY_CHECK_RISE = 2;
const PROXY_MAX_CONNECTIONS = 4000;
/** Pooled connections stay open for long; TCP keepalives notice dead peers. */
const PROXY_CLIENT_TIMEOUT_SECONDS = 3600;
const GCACHE_BYTES = 512 * 1024 * 1024;
/** The GTID domain of the replicated (Galera) writes; each node's own domain is its server_id, above SERVER_ID_OFFSET. */
const WSREP_GTID_DOMAIN_ID = 1;
/** Group Replication's own defaults for rejoining after an expel (8.4: 3 tries, 5 minutes apart). */
const AUTOREJOIN_TRIES = 3;

function galeraConfigInput(plan: MysqlReplicationPlan): GaleraConfigInput {
  return {
    clusterName: plan.name,
    dataClass: plan.dataClass,
    mysqlPort: plan.port,
    galeraPort: GALERA_PORT,
    innodbBufferPoolBytes: plan.bufferPoolBytes,
    gcacheBytes: GCACHE_BYTES,
    binlogExpireSeconds: plan.binlogRetentionSeconds,
    wsrepGtidDomainId: WSREP_GTID_DOMAIN_ID,
    suspectTimeoutSeconds: Math.ceil(plan.failureDetectionMilliseconds / 1000),
    wsrepProvider: WSREP_PROVIDER,
  };
}

function proxyConfigInput(plan: MysqlReplicationPlan, clusterDomain: string): GaleraProxyInput {
  return {
    statefulSet: `${plan.name}-mysql`,
    headlessService: `${plan.name}-mysql-headless`,
    // HAProxy substitutes the proxy pod's own namespace (downward API), the members' namespace, at start.
    namespace: '${POD_NAMESPACE}',
    clusterDomain,
    members: plan.members,
    mysqlPort: plan.port,
    agentPort: GALERA_AGENT_PORT,
    writerPort: plan.endpoint.readWritePort,
    readerPort: plan.endpoint.readOnlyPort,
    healthPort: PROXY_HEALTH_PORT,
    metricsPort: PROXY_METRICS_PORT,
    maxConnections: PROXY_MAX_CONNECTIONS,
    checkIntervalMilliseconds: PROXY_CHECK_INTERVAL_MILLISECONDS,
    fall: PROXY_CHECK_FALL,
    rise: PROXY_CHECK_RISE,
    clientTimeoutSeconds: PROXY_CLIENT_TIMEOUT_SECONDS,
  };
}

function groupReplicationConfigInput(plan: MysqlReplicationPlan): GroupReplicationConfigInput {
  const detectionSeconds = Math.ceil(plan.failureDetectionMilliseconds / 1000);
  return {
    dataClass: plan.dataClass,
    mysqlPort: plan.port,
    adminPort: MYSQL_ADMIN_PORT,
    groupName: plan.groupName,
    innodbBufferPoolBytes: plan.bufferPoolBytes,
    binlogExpireSeconds: plan.binlogRetentionSeconds,
    memberExpelTimeoutSeconds: detectionSeconds - GROUP_REPLICATION_SUSPICION_SECONDS,
    // A member cut off from the majority leaves the group soon after the majority expelled it, and stops serving.
    unreachableMajorityTimeoutSeconds: detectionSeconds + 5,
    autorejoinTries: AUTOREJOIN_TRIES,
  };
}

function exporterInput(plan: MysqlReplicationPlan): MysqlExporterInput {
  return {
    engine: plan.engine,
    image: plan.exporterImage,
    port: plan.metricsPort,
    credentialsSecretName: plan.credentialsSecretName,
    runVolumeName: 'run',
  };
}

function alertInput(plan: MysqlReplicationPlan, namespace: string | undefined): MysqlAlertInput {
  return {
    name: plan.name,
    engine: plan.engine,
    members: plan.members,
    quorum: plan.quorum,
    tier: plan.tier,
    dataClass: plan.dataClass,
    endpointReplicas: plan.endpoint.replicas,
    lagThresholdSeconds: mysqlLagThresholdSeconds(plan.tier),
    namespace,
  };
}
