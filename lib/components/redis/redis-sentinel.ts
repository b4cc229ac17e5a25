import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { BlueprintComponent, ComponentContract, DiskFlush, PortRole } from '../../core/component';
import { clientEnvPrefix, serviceHost } from '../../core/client-env';
import { ComponentFiles } from '../../core/component-files';
import { configHash, readAssets } from '../../core/config';
import { execProbe, plainEnv, podIdentityEnv, secretEnv } from '../../core/container';
import { majority } from '../../core/disruption-budget';
import { BlueprintKeys, LABEL_PREFIX, standardLabels, WorkloadIdentity } from '../../core/labels';
import { ComponentNetworkPolicy } from '../../core/network-policy';
import { Peer } from '../../core/peer';
import { dataStoreResources } from '../../core/resources';
import { restrictedContainerSecurityContext } from '../../core/security';
import { PodManagementPolicy, PvcRetention, StatefulPodSet } from '../../core/stateful-pod-set';
import { StatelessPodSet } from '../../core/stateless-pod-set';
import { DataClass } from '../../core/tier';
import { ComponentMonitoring, METRICS_PORT_NAME } from '../../observability/component-monitoring';
import { BusinessScenario } from '../../scenario/business-scenario';
import { renderMasterEndpointConf, renderRedisConf, renderSentinelConf } from './config';
import { exporterContainer, redisAlertRules, redisDashboard, seriesSelectors } from './observability';
import { RedisSentinelPlan, resolveRedisSentinelPlan } from './plan';
import { AppendFsync, RedisSentinelProps } from './props';

export const REDIS_SENTINEL_COMPONENT = 'redis-sentinel';
const SCRIPT_FILES = ['common.sh', 'start-redis.sh', 'start-sentinel.sh', 'prestop-redis.sh', 'probe-redis.sh', 'probe-sentinel.sh'] as const;
const SCRIPTS_DIR = '/scripts';
const CONFIG_DIR = '/config';
const DATA_DIR = '/data';
const RUN_DIR = '/run/redis';
/** Sentinel `replica-priority` of a replica that may be promoted; 0 is reserved for replicas that must not be. */
const REPLICA_PRIORITY = 100;
const MASTER_ENDPOINT_SCRIPT = 'start-haproxy.sh';
const MASTER_ENDPOINT_HEALTH_PORT = 8404;
/** On the pod templates: a new password version rolls the pods, which read the Secret only when they start. */
export const PASSWORD_VERSION_ANNOTATION = `${LABEL_PREFIX}/password-version`;

/**
 * Redis with Sentinel: a master with replicas, and a separate set of sentinels that fail it over.
 *
 * Sentinels run as a StatefulSet of their own rather than as sidecars of the Redis pods: losing the master's pod
 * then never also takes a voter away at the moment a vote is needed; the sentinel count is independent of the
 * number of data copies; sentinels get their own disruption budget and spread; and restarting a sentinel (or
 * changing its settings) never restarts Redis. Each sentinel keeps its state on a small volume, so it remembers the
 * last master across a full outage.
 *
 * Clients discover the master through the sentinels (`clientEnv()` gives a workload their addresses, the master set
 * and the password), never through a load-balanced Service over Redis pods, which would send writes to replicas.
 */
export class RedisSentinel extends BlueprintComponent {
  public readonly plan: RedisSentinelPlan;
  public readonly contract: ComponentContract;
  /** A ClusterIP Service over the sentinels, for clients that take one sentinel address. */
  public readonly sentinelServiceName: string;
  public readonly masterSetName: string;
  public readonly redis: StatefulPodSet;
  public readonly sentinel: StatefulPodSet;
  /** The HAProxy pods of the master endpoint, with `masterEndpoint: true`. */
  public readonly masterEndpoint?: StatelessPodSet;
  private readonly redisPolicy: ComponentNetworkPolicy;
  private readonly sentinelPolicy: ComponentNetworkPolicy;
  private readonly masterEndpointPolicy?: ComponentNetworkPolicy;

  constructor(scope: Construct, id: string, props: RedisSentinelProps = {}) {
    super(scope, id);
    const scenario = BusinessScenario.of(this);
    const plan = resolveRedisSentinelPlan(this.node.path, id, props, scenario);
    this.plan = plan;
    this.masterSetName = plan.masterSetName;
    this.sentinelServiceName = `${plan.name}-sentinel-service`;

    const annotations = {
      ...scenario.annotationsFor(REDIS_SENTINEL_COMPONENT),
      [BlueprintKeys.TIER]: plan.tier,
      [BlueprintKeys.DATA_CLASS]: plan.dataClass,
    };
    const identity = (component: string): WorkloadIdentity => ({ name: 'redis', instance: plan.name, component, partOf: scenario.scenarioName });
    const redisIdentity = identity('redis');
    const sentinelIdentity = identity('sentinel');
    const metadata = (workload: WorkloadIdentity, name: string, role: string) => ({
      name,
      labels: standardLabels(workload),
      annotations: { ...annotations, [BlueprintKeys.ROLE]: role },
    });

    const files = new ComponentFiles(this, 'Files', {
      metadata: (name, role) => metadata(redisIdentity, name, role),
      configMapName: `${plan.name}-redis-config`,
      config: { 'redis.conf': renderRedisConf(plan), 'sentinel.conf': renderSentinelConf(plan) },
      scriptsMapName: `${plan.name}-redis-scripts`,
      scriptsDirectory: `${__dirname}/scripts`,
      scriptFiles: SCRIPT_FILES,
    });
    const version = plan.passwordSecret?.version;
    const passwordVersion: Record<string, string> = version === undefined ? {} : { [PASSWORD_VERSION_ANNOTATION]: version };
    const podAnnotations = { [`${BlueprintKeys.COMPONENT}-config-hash`]: files.hash, ...passwordVersion };

    const passwordEnv = plan.passwordSecret ? [secretEnv('REDIS_PASSWORD', plan.passwordSecret.name, plan.passwordSecret.key)] : [];
    const sharedEnv = [
      ...podIdentityEnv(),
      ...plainEnv({
        MASTER_SET: plan.masterSetName,
        REDIS_PORT: plan.redisPort,
        SENTINEL_PORT: plan.sentinelPort,
        REDIS_STATEFULSET: `${plan.name}-redis`,
        REDIS_SERVICE: `${plan.name}-redis-headless`,
        SENTINEL_STATEFULSET: `${plan.name}-sentinel`,
        SENTINEL_SERVICE: `${plan.name}-sentinel-headless`,
        REPLICAS: plan.replicas,
        SENTINELS: plan.sentinels,
        QUORUM: plan.quorum,
        CLUSTER_DOMAIN: scenario.clusterDomain,
        DATA_CLASS: plan.dataClass,
        DOWN_AFTER_MILLISECONDS: plan.downAfterMilliseconds,
        FAILOVER_TIMEOUT_MILLISECONDS: plan.failoverTimeoutMilliseconds,
        PARALLEL_SYNCS: plan.parallelSyncs,
        REPLICA_PRIORITY,
        HANDOVER_TIMEOUT_SECONDS: plan.handoverTimeoutSeconds,
        TERMINATION_GRACE_PERIOD_SECONDS: plan.terminationGracePeriodSeconds,
        SCRIPTS_DIR,
        CONFIG_DIR,
        DATA_DIR,
        RUN_DIR,
      }),
      ...passwordEnv,
      ...(plan.passwordSecret
        ? [secretEnv('REDIS_ALSO_ACCEPTED_PASSWORD', plan.passwordSecret.name, plan.passwordSecret.alsoAcceptedKey, { optional: true })]
        : []),
    ];
    const script = (file: string, ...args: string[]) => ['sh', `${SCRIPTS_DIR}/${file}`, ...args];
    const mounts = (dataVolume: string): k8s.VolumeMount[] => [
      { name: dataVolume, mountPath: DATA_DIR },
      ...files.mounts(CONFIG_DIR, SCRIPTS_DIR),
      { name: 'run', mountPath: RUN_DIR },
      { name: 'tmp', mountPath: '/tmp' },
    ];
    const sharedVolumes: k8s.Volume[] = [
      ...files.volumes(),
      { name: 'run', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Mi') } },
      { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('16Mi') } },
    ];
    const securityContext = restrictedContainerSecurityContext(plan.podUser);
    const retention = { pvcRetentionWhenDeleted: PvcRetention.RETAIN, pvcRetentionWhenScaled: PvcRetention.RETAIN };
    // Start and preStop scripts wait on each other across pods; ordered start would deadlock a full restart.
    const podManagementPolicy = PodManagementPolicy.PARALLEL;
    const startupBudgetSeconds = Math.ceil(plan.failoverTimeoutMilliseconds / 1000) + 300;

    this.redis = new StatefulPodSet(this, 'Redis', {
      identity: redisIdentity,
      annotations: { ...annotations, [BlueprintKeys.ROLE]: 'redis' },
      podAnnotations,
      replicas: plan.replicas,
      quorum: plan.redisQuorum,
      votesByMajority: false,
      podManagementPolicy,
      minReadySeconds: plan.minReadySeconds,
      terminationGracePeriodSeconds: plan.terminationGracePeriodSeconds,
      containers: [
        {
          name: 'redis',
          image: plan.image,
          imagePullPolicy: 'IfNotPresent',
          command: script('start-redis.sh'),
          ports: [{ name: 'redis', containerPort: plan.redisPort, protocol: 'TCP' }],
          env: sharedEnv,
          resources: dataStoreResources(plan.cpuMillis, plan.memory),
          securityContext,
          volumeMounts: mounts('data'),
          startupProbe: execProbe(script('probe-redis.sh', 'liveness'), {
            periodSeconds: 5,
            timeoutSeconds: 5,
            failureThreshold: Math.ceil(startupBudgetSeconds / 5),
          }),
          livenessProbe: execProbe(script('probe-redis.sh', 'liveness'), { periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 }),
          readinessProbe: execProbe(script('probe-redis.sh', 'readiness'), { periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 2 }),
          lifecycle: { preStop: { exec: { command: script('prestop-redis.sh') } } },
        },
        ...(plan.metrics ? [exporterContainer(plan, plan.redisPort, securityContext)] : []),
      ],
      volumes: plan.persistentData
        ? sharedVolumes
        : [{ name: 'data', emptyDir: { sizeLimit: k8s.Quantity.fromString(`${plan.memory.toMebibytes()}Mi`) } }, ...sharedVolumes],
      volumeClaims: plan.persistentData ? [{ name: 'data', size: plan.storageSize, storageClassName: plan.storageClassName }] : [],
      ...retention,
      scheduling: plan.scheduling,
      podUser: plan.podUser,
      priorityClassName: plan.priorityClassName,
      peerPorts: [{ name: 'redis', port: plan.redisPort, appProtocol: 'redis' }],
    });

    this.sentinel = new StatefulPodSet(this, 'Sentinel', {
      identity: sentinelIdentity,
      annotations: { ...annotations, [BlueprintKeys.ROLE]: 'sentinel' },
      podAnnotations,
      replicas: plan.sentinels,
      quorum: plan.quorum,
      votesByMajority: true,
      podManagementPolicy,
      minReadySeconds: plan.minReadySeconds,
      terminationGracePeriodSeconds: plan.sentinelTerminationGracePeriodSeconds,
      containers: [
        {
          name: 'sentinel',
          image: plan.image,
          imagePullPolicy: 'IfNotPresent',
          command: script('start-sentinel.sh'),
          ports: [{ name: 'sentinel', containerPort: plan.sentinelPort, protocol: 'TCP' }],
          env: sharedEnv,
          resources: dataStoreResources(plan.sentinelCpuMillis, plan.sentinelMemory),
          securityContext,
          volumeMounts: mounts('sentinel-data'),
          startupProbe: execProbe(script('probe-sentinel.sh', 'liveness'), { periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 60 }),
          livenessProbe: execProbe(script('probe-sentinel.sh', 'liveness'), { periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 }),
          readinessProbe: execProbe(script('probe-sentinel.sh', 'readiness'), { periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 2 }),
        },
        ...(plan.metrics ? [exporterContainer(plan, plan.sentinelPort, securityContext)] : []),
      ],
      volumes: sharedVolumes,
      volumeClaims: [{ name: 'sentinel-data', size: plan.sentinelStorageSize, storageClassName: plan.storageClassName }],
      ...retention,
      scheduling: plan.scheduling,
      podUser: plan.podUser,
      priorityClassName: plan.priorityClassName,
      peerPorts: [{ name: 'sentinel', port: plan.sentinelPort, appProtocol: 'redis' }],
    });

    new k8s.KubeService(this, 'SentinelService', {
      metadata: metadata(sentinelIdentity, this.sentinelServiceName, 'sentinel'),
      spec: {
        type: 'ClusterIP',
        selector: this.sentinel.selector,
        ports: [{ name: 'sentinel', port: plan.sentinelPort, targetPort: k8s.IntOrString.fromString('sentinel'), appProtocol: 'redis' }],
      },
    });

    const metricsPorts = plan.metrics ? [plan.metricsPort] : [];
    const redisPods = Peer.podsLabelled(this.redis.selector);
    const sentinelPods = Peer.podsLabelled(this.sentinel.selector);
    this.redisPolicy = new ComponentNetworkPolicy(this, 'RedisNetworkPolicy', {
      metadata: metadata(redisIdentity, `${plan.name}-redis-policy`, 'redis'),
      podSelector: this.redis.selector,
      ingress: [
        { peer: redisPods, ports: [plan.redisPort] },
        { peer: sentinelPods, ports: [plan.redisPort] },
      ],
      egress: [
        { peer: redisPods, ports: [plan.redisPort] },
        { peer: sentinelPods, ports: [plan.sentinelPort] },
      ],
      metricsPorts,
      monitoring: scenario.monitoring,
    });
    this.sentinelPolicy = new ComponentNetworkPolicy(this, 'SentinelNetworkPolicy', {
      metadata: metadata(sentinelIdentity, `${plan.name}-sentinel-policy`, 'sentinel'),
      podSelector: this.sentinel.selector,
      ingress: [
        { peer: sentinelPods, ports: [plan.sentinelPort] },
        { peer: redisPods, ports: [plan.sentinelPort] },
      ],
      egress: [
        { peer: redisPods, ports: [plan.redisPort] },
        { peer: sentinelPods, ports: [plan.sentinelPort] },
      ],
      metricsPorts,
      monitoring: scenario.monitoring,
    });

    if (plan.masterEndpoint) {
      const endpoint = this.defineMasterEndpoint(plan.masterEndpoint, {
        scenario,
        identity: identity('master'),
        annotations,
        passwordVersion,
        passwordEnv,
        securityContext,
        redisPods,
      });
      this.masterEndpoint = endpoint.pods;
      this.masterEndpointPolicy = endpoint.policy;
      this.redisPolicy.allowFrom(Peer.podsLabelled(endpoint.pods.selector), [plan.redisPort]);
    }

    if (plan.metrics) {
      this.defineMonitoring(scenario, annotations, { name: 'redis', instance: plan.name, component: 'monitoring', partOf: scenario.scenarioName });
    }
    this.contract = this.describeContract();
  }

  /**
   * The HAProxy pods of the master endpoint with their configuration and NetworkPolicy. They read the same password
   * as Redis, and roll with the same password version.
   */
  private defineMasterEndpoint(
    endpoint: NonNullable<RedisSentinelPlan['masterEndpoint']>,
    context: {
      readonly scenario: BusinessScenario;
      readonly identity: WorkloadIdentity;
      readonly annotations: Record<string, string>;
      readonly passwordVersion: Record<string, string>;
      readonly passwordEnv: k8s.EnvVar[];
      readonly securityContext: k8s.SecurityContext;
      readonly redisPods: Peer;
    },
  ): { pods: StatelessPodSet; policy: ComponentNetworkPolicy } {
    const { plan } = this;
    const { scenario, identity } = context;
    const configMapName = `${plan.name}-master-config`;
    const data = {
      'haproxy.cfg': renderMasterEndpointConf(plan, scenario.clusterDomain, plan.redisPort, MASTER_ENDPOINT_HEALTH_PORT),
      ...readAssets(`${__dirname}/scripts`, [MASTER_ENDPOINT_SCRIPT]),
    };
    const metadata = (name: string, role: string) => ({
      name,
      labels: standardLabels(identity),
      annotations: { ...context.annotations, [BlueprintKeys.ROLE]: role },
    });
    new k8s.KubeConfigMap(this, 'MasterEndpointConfig', { metadata: metadata(configMapName, 'config'), data });
    const health: k8s.Probe = { httpGet: { path: '/healthz', port: k8s.IntOrString.fromString('health') }, periodSeconds: 5, timeoutSeconds: 2 };
    const pods = new StatelessPodSet(this, 'MasterEndpoint', {
      identity,
      annotations: { ...context.annotations, [BlueprintKeys.ROLE]: 'master-endpoint' },
      podAnnotations: { [`${BlueprintKeys.COMPONENT}-config-hash`]: configHash(data), ...context.passwordVersion },
      replicas: endpoint.replicas,
      // Long enough for the preStop pause: the Service stops sending new connections before HAProxy exits.
      terminationGracePeriodSeconds: 15,
      containers: [
        {
          name: 'haproxy',
          image: endpoint.image,
          imagePullPolicy: 'IfNotPresent',
          command: ['sh', `${CONFIG_DIR}/${MASTER_ENDPOINT_SCRIPT}`],
          ports: [
            { name: 'redis', containerPort: plan.redisPort, protocol: 'TCP' },
            { name: 'health', containerPort: MASTER_ENDPOINT_HEALTH_PORT, protocol: 'TCP' },
          ],
          env: [...podIdentityEnv(), ...plainEnv({ CONFIG_DIR }), ...context.passwordEnv],
          resources: dataStoreResources(100, Size.mebibytes(128)),
          securityContext: context.securityContext,
          volumeMounts: [{ name: 'config', mountPath: CONFIG_DIR, readOnly: true }],
          startupProbe: { ...health, failureThreshold: 12 },
          livenessProbe: { ...health, failureThreshold: 3 },
          // Ready while it accepts connections, master or not: a proxy taken out of the Service during a failover
          // would come back only a readiness period after the new master, which only lengthens the outage.
          readinessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('redis') }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 2 },
          lifecycle: { preStop: { exec: { command: ['sleep', '5'] } } },
        },
      ],
      volumes: [{ name: 'config', configMap: { name: configMapName, defaultMode: 0o444 } }],
      scheduling: plan.scheduling,
      podUser: plan.podUser,
      priorityClassName: plan.priorityClassName,
      servicePorts: [{ name: 'redis', port: plan.redisPort, appProtocol: 'redis' }],
    });
    const policy = new ComponentNetworkPolicy(this, 'MasterEndpointNetworkPolicy', {
      metadata: metadata(`${plan.name}-master-policy`, 'master-endpoint'),
      podSelector: pods.selector,
      ingress: [],
      egress: [{ peer: context.redisPods, ports: [plan.redisPort] }],
      metricsPorts: [],
      monitoring: scenario.monitoring,
    });
    return { pods, policy };
  }

  /** A PodMonitor for every pod of the set, its alerts, and its dashboard. */
  private defineMonitoring(scenario: BusinessScenario, annotations: Record<string, string>, identity: WorkloadIdentity): void {
    const { plan } = this;
    const selectors = seriesSelectors(plan, scenario.namespace);
    new ComponentMonitoring(this, 'Monitoring', {
      identity,
      annotations,
      monitoringLabels: { ...scenario.monitoringLabels, ...plan.monitoringLabels },
      namePrefix: `${plan.name}-redis`,
      podSelector: { 'app.kubernetes.io/name': 'redis', 'app.kubernetes.io/instance': plan.name },
      groupName: `redis-sentinel.${scenario.scenarioName}.${plan.name}`,
      rules: redisAlertRules(plan, selectors),
      alertLabels: { owner: scenario.owner, scenario: scenario.scenarioName, tier: plan.tier, component: REDIS_SENTINEL_COMPONENT },
      dashboardFileName: `redis-${plan.name}.json`,
      dashboard: redisDashboard(plan, selectors, `Redis ${scenario.scenarioName}/${plan.name}`),
    });
  }

  /**
   * The contract: the data pods (client and replication port), the sentinels that vote, the master endpoint; a write
   * needs the master and `minReplicasToWrite` replicas within the lag; a failover needs a majority of the sentinels.
   */
  private describeContract(): ComponentContract {
    const { plan } = this;
    const metrics = plan.metrics
      ? [{ name: METRICS_PORT_NAME, port: plan.metricsPort, roles: [PortRole.METRICS], appProtocol: 'http', serverFirst: false }]
      : [];
    const redisPort = { name: 'redis', port: plan.redisPort, roles: [PortRole.CLIENT, PortRole.PEER], appProtocol: 'redis', serverFirst: false };
    const sentinelPort = {
      name: 'sentinel',
      port: plan.sentinelPort,
      roles: [PortRole.CLIENT, PortRole.PEER],
      appProtocol: 'redis',
      serverFirst: false,
    };
    const endpoint = this.masterEndpoint;
    const systemOfRecord = plan.dataClass === DataClass.SYSTEM_OF_RECORD;
    const acknowledgedCopies = 1 + plan.minReplicasToWrite;
    return {
      component: REDIS_SENTINEL_COMPONENT,
      name: plan.name,
      tier: plan.tier,
      podSets: [
        this.redis.describe({ role: 'redis', ports: [redisPort, ...metrics], holdsData: plan.persistentData, votes: false }),
        this.sentinel.describe({ role: 'sentinel', ports: [sentinelPort, ...metrics], holdsData: false, votes: true }),
        ...(endpoint
          ? [
              endpoint.describe({
                role: 'master-endpoint',
                ports: [
                  { ...redisPort, roles: [PortRole.CLIENT] },
                  { name: 'health', port: MASTER_ENDPOINT_HEALTH_PORT, roles: [PortRole.HEALTH], appProtocol: 'http', serverFirst: false },
                ],
                holdsData: false,
                votes: false,
              }),
            ]
          : []),
      ],
      quorum: {
        votingRole: 'sentinel',
        voters: plan.sentinels,
        votersForFailover: Math.max(plan.quorum, majority(plan.sentinels)),
        dataRole: 'redis',
        dataPodsForWrites: acknowledgedCopies,
        description:
          `${plan.quorum} of ${plan.sentinels} sentinels agree the master is down, a majority authorizes the failover; ` +
          `the master accepts writes while ${plan.minReplicasToWrite} replica(s) lag at most ${plan.minReplicasMaxLagSeconds} s`,
      },
      durability: {
        dataClass: plan.dataClass,
        acknowledgedCopies,
        flushedToDisk: !systemOfRecord
          ? DiskFlush.NEVER
          : plan.appendFsync === AppendFsync.ALWAYS
            ? DiskFlush.BEFORE_ACKNOWLEDGEMENT
            : DiskFlush.WITHIN_A_SECOND,
        survives: systemOfRecord
          ? `the loss of one pod, node or zone, for a write the client confirmed with WAIT ${plan.minReplicasToWrite}`
          : 'nothing: a cache refills from its source',
      },
      failoverBudget: {
        detectionSeconds: Math.ceil(plan.downAfterMilliseconds / 1000),
        writesResumeWithinSeconds: Math.ceil((plan.downAfterMilliseconds + plan.failoverTimeoutMilliseconds) / 1000),
        description: 'down-after, then one sentinel election and promotion within failover-timeout',
      },
    };
  }

  /**
   * The environment a Sentinel-aware client (Lettuce, Jedis, redis-py, go-redis, ioredis) needs to reach the master:
   *
   * - `<prefix>SENTINELS`: every sentinel pod as `host:port`, comma-separated, in the form of Spring's
   *   `spring.data.redis.sentinel.nodes`. The pods' stable names rather than the Service, so a client can ask
   *   another sentinel when one does not answer.
   * - `<prefix>MASTER_SET`: the name to ask the sentinels for.
   * - `<prefix>PASSWORD`, with password authentication: a reference to the Secret's key, never its value. Redis and
   *   the sentinels both require it (`AUTH <password>` to each; Spring: `password` and `sentinel.password`).
   * - `<prefix>MASTER_ENDPOINT`, with `masterEndpoint: true`: `host:port` of the master endpoint's Service, for a
   *   client that is not Sentinel-aware (it needs the same password).
   *
   * The workload also needs `allowFrom(Peer.workload(...))` to pass the set's NetworkPolicies.
   *
   * @param prefix prefix of the variable names, a valid environment variable name start
   */
  public clientEnv(prefix = 'REDIS_'): Record<string, kplus.EnvValue> {
    clientEnvPrefix(this.node.path, prefix);
    const { plan } = this;
    const { namespace, clusterDomain } = BusinessScenario.of(this);
    const sentinels = Array.from(
      { length: plan.sentinels },
      (_, ordinal) => `${this.sentinel.podHost(ordinal, namespace, clusterDomain)}:${plan.sentinelPort}`,
    );
    const env: Record<string, kplus.EnvValue> = {
      [`${prefix}SENTINELS`]: kplus.EnvValue.fromValue(sentinels.join(',')),
      [`${prefix}MASTER_SET`]: kplus.EnvValue.fromValue(plan.masterSetName),
    };
    if (this.masterEndpoint) {
      const service = this.masterEndpoint.serviceName;
      const host = serviceHost(service, namespace, clusterDomain);
      env[`${prefix}MASTER_ENDPOINT`] = kplus.EnvValue.fromValue(`${host}:${plan.redisPort}`);
    }
    if (plan.passwordSecret) {
      env[`${prefix}PASSWORD`] = kplus.EnvValue.fromSecretValue(
        { secret: kplus.Secret.fromSecretName(this, 'ClientPasswordSecret', plan.passwordSecret.name), key: plan.passwordSecret.key },
        { optional: false },
      );
    }
    return env;
  }

  /**
   * Lets `peer` use the set: ask the sentinels for the master, and connect to Redis and to the master endpoint.
   *
   * @mutating
   */
  public allowFrom(peer: Peer): void {
    this.redisPolicy.allowFrom(peer, [this.plan.redisPort]);
    this.sentinelPolicy.allowFrom(peer, [this.plan.sentinelPort]);
    this.masterEndpointPolicy?.allowFrom(peer, [this.plan.redisPort]);
  }
}
