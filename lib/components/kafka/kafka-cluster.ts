import { ApiObject, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { BlueprintComponent, ComponentContract, ComponentPort, DiskFlush, PortRole } from '../../core/component';
import { clientEnvPrefix, serviceHost } from '../../core/client-env';
import { ComponentFiles } from '../../core/component-files';
import { execProbe, plainEnv, podIdentityEnv } from '../../core/container';
import { BlueprintKeys, standardLabels, WorkloadIdentity } from '../../core/labels';
import { ComponentNetworkPolicy } from '../../core/network-policy';
import { Peer } from '../../core/peer';
import { dataStoreResources } from '../../core/resources';
import { restrictedContainerSecurityContext } from '../../core/security';
import { PodManagementPolicy, PvcRetention, StatefulPodSet } from '../../core/stateful-pod-set';
import { DataClass } from '../../core/tier';
import { ComponentMonitoring, METRICS_PORT_NAME } from '../../observability/component-monitoring';
import { BusinessScenario } from '../../scenario/business-scenario';
import {
  clientSettings,
  KafkaClientProfile,
  KafkaConfigInput,
  renderBrokerProperties,
  renderClientProperties,
  renderControllerProperties,
} from './config';
import {
  JMX_EXPORTER_JAR_PATH,
  KAFKA_BROKER_COMPONENT,
  KAFKA_CONTROLLER_COMPONENT,
  KafkaAlertInput,
  kafkaAlertRules,
  kafkaDashboard,
  kafkaJmxExporterConfig,
  kafkaSeriesSelectors,
} from './observability';
import {
  KAFKA_BROKER_SESSION_TIMEOUT_MILLISECONDS,
  KAFKA_CLIENT_PORT,
  KAFKA_CONTROLLER_NODE_ID_OFFSET,
  KAFKA_CONTROLLER_PORT,
  KafkaClusterPlan,
  KafkaRolePlan,
  KAFKA_REPLICATION_PORT,
  resolveKafkaClusterPlan,
} from './plan';
import { KafkaClusterProps, RackSource } from './props';

export const KAFKA_CLUSTER_COMPONENT = 'kafka-cluster';

const SCRIPTS_DIR = '/scripts';
const CONFIG_DIR = '/config';
const DATA_VOLUME_DIR = '/var/lib/kafka';
/** A directory below the volume's root, which may hold lost+found: Kafka takes every entry of a log dir for a partition. */
const DATA_DIR = `${DATA_VOLUME_DIR}/data`;
const RUN_DIR = '/run/kafka';
const RACK_DIR = '/run/kafka-rack';
const TOKEN_DIR = '/run/kubernetes-api';
const JMX_EXPORTER_DIR = '/opt/jmx-exporter';
const KAFKA_BIN_DIR = '/opt/kafka/bin';
const SCRIPT_FILES = ['kafka-common.sh', 'start-kafka.sh', 'probe-kafka.sh', 'rack-from-node.sh'] as const;
/** The projected token's lifetime: the init container reads the node once, right after the pod starts. */
const TOKEN_EXPIRATION_SECONDS = 600;
/** A broker that restarts rejoins the ISRs before the next one rolls; this is the margin after it is ready. */
const BROKER_MIN_READY_SECONDS = 30;
const CONTROLLER_TERMINATION_GRACE_SECONDS = 60;

/**
 * An Apache Kafka 4.x cluster in KRaft mode that keeps every acknowledged record through the loss of a broker, its
 * node or its zone: dedicated controllers (3 or 5) hold the metadata quorum, brokers (3 or more) the partitions, every
 * partition has `replicationFactor` copies in different zones (`broker.rack`), and an `acks=all` producer hears OK only
 * once `minInsyncReplicas` of them hold the record. Unclean leader election stays off, so an out-of-sync copy never
 * becomes the leader and discards acknowledged records.
 *
 * Each volume is formatted once, for the cluster's id; a volume formatted for another cluster keeps its pod from
 * starting. Brokers are ready only once RUNNING and, after a restart, caught up, so a rolling update never takes a
 * second broker down while the first one's partitions are under-replicated.
 */
export class KafkaCluster extends BlueprintComponent {
  public readonly plan: KafkaClusterPlan;
  public readonly contract: ComponentContract;
  public readonly controllers: StatefulPodSet;
  public readonly brokers: StatefulPodSet;
  /** A ClusterIP Service over the brokers: clients bootstrap from it, then reach each broker by its advertised name. */
  public readonly bootstrapServiceName: string;
  /** The ConfigMap with `client.properties`, the producer and consumer settings teams should use. */
  public readonly clientProfileConfigMapName: string;
  private readonly brokerPolicy: ComponentNetworkPolicy;

  constructor(scope: Construct, id: string, props: KafkaClusterProps = {}) {
    super(scope, id);
    const scenario = BusinessScenario.of(this);
    const plan = resolveKafkaClusterPlan(this.node.path, id, props, scenario);
    this.plan = plan;
    this.bootstrapServiceName = `${plan.name}-bootstrap`;
    this.clientProfileConfigMapName = `${plan.name}-kafka-client`;

    const annotations = {
      ...scenario.annotationsFor(KAFKA_CLUSTER_COMPONENT),
      [BlueprintKeys.TIER]: plan.tier,
      [BlueprintKeys.DATA_CLASS]: plan.dataClass,
    };
    const identity = (component: string): WorkloadIdentity => ({ name: 'kafka', instance: plan.name, component, partOf: scenario.scenarioName });
    const controllerIdentity = identity(KAFKA_CONTROLLER_COMPONENT);
    const brokerIdentity = identity(KAFKA_BROKER_COMPONENT);
    const metadata = (workload: WorkloadIdentity, name: string, role: string) => ({
      name,
      labels: standardLabels(workload),
      annotations: { ...annotations, [BlueprintKeys.ROLE]: role },
    });
    const controllerSet = `${plan.name}-${KAFKA_CONTROLLER_COMPONENT}`;
    const controllerService = `${controllerSet}-headless`;
    const racks = plan.rackSource !== RackSource.NONE;

    const configInput: KafkaConfigInput = {
      clusterName: plan.name,
      dataDir: DATA_DIR,
      clientPort: KAFKA_CLIENT_PORT,
      replicationPort: KAFKA_REPLICATION_PORT,
      controllerPort: KAFKA_CONTROLLER_PORT,
      replicationFactor: plan.replicationFactor,
      minInsyncReplicas: plan.minInsyncReplicas,
      brokerSessionTimeoutMilliseconds: KAFKA_BROKER_SESSION_TIMEOUT_MILLISECONDS,
      racks,
    };
    const files = new ComponentFiles(this, 'Files', {
      metadata: (name, role) => metadata(brokerIdentity, name, role),
      configMapName: `${plan.name}-kafka-config`,
      config: {
        'broker.properties': renderBrokerProperties(configInput),
        'controller.properties': renderControllerProperties(configInput),
        'jmx-exporter.yaml': kafkaJmxExporterConfig(),
      },
      scriptsMapName: `${plan.name}-kafka-scripts`,
      scriptsDirectory: `${__dirname}/scripts`,
      scriptFiles: SCRIPT_FILES,
    });
    const clientProfile = this.clientProfile();
    new k8s.KubeConfigMap(this, 'ClientProfile', {
      metadata: metadata(brokerIdentity, this.clientProfileConfigMapName, 'client-profile'),
      data: { 'client.properties': renderClientProperties(plan.name, clientProfile) },
    });

    const securityContext = restrictedContainerSecurityContext(plan.podUser);
    const script = (file: string, ...args: string[]) => ['sh', `${SCRIPTS_DIR}/${file}`, ...args];
    // bash: the probe reads the agent's metrics through /dev/tcp, the image having neither curl nor wget.
    const probe = (role: string, kind: string) => ['bash', `${SCRIPTS_DIR}/probe-kafka.sh`, role, kind];
    const jmxExporterJar = `${JMX_EXPORTER_DIR}/jmx_prometheus_javaagent.jar`;
    const podEnv = (role: string, rolePlan: KafkaRolePlan, headlessService: string): k8s.EnvVar[] => [
      ...podIdentityEnv(),
      ...plainEnv({
        CLUSTER_ID: plan.clusterId,
        CLUSTER_DOMAIN: scenario.clusterDomain,
        HEADLESS_SERVICE: headlessService,
        CONTROLLERS: plan.controllers.replicas,
        CONTROLLER_STATEFULSET: controllerSet,
        CONTROLLER_SERVICE: controllerService,
        // No KAFKA_ prefix: the image's wrapper, and check rules, read KAFKA_* variables as broker properties.
        CONTROLLER_NODE_ID_OFFSET: KAFKA_CONTROLLER_NODE_ID_OFFSET,
        CONTROLLER_PORT: KAFKA_CONTROLLER_PORT,
        CLIENT_PORT: KAFKA_CLIENT_PORT,
        REPLICATION_PORT: KAFKA_REPLICATION_PORT,
        METRICS_PORT: plan.metricsPort,
        DATA_DIR,
        CONFIG_DIR,
        SCRIPTS_DIR,
        RUN_DIR,
        // The image installs Kafka under /opt/kafka and puts none of its tools on the PATH.
        BIN_DIR: KAFKA_BIN_DIR,
        CAUGHT_UP_MARKER: `${RUN_DIR}/caught-up`,
        HEAP_MEBIBYTES: rolePlan.heapMebibytes,
        JMX_EXPORTER_JAR: jmxExporterJar,
        // kafka-run-class.sh writes its logs under LOG_DIR; the root filesystem is read-only.
        LOG_DIR: '/tmp/kafka-logs',
        ...(role === KAFKA_BROKER_COMPONENT ? { RACK_SOURCE: plan.rackSource, RACK_FILE: `${RACK_DIR}/rack.id`, ZONE_LABEL: plan.zoneLabel } : {}),
      }),
      ...(role === KAFKA_BROKER_COMPONENT && plan.rackSource === RackSource.POD_LABEL
        ? [{ name: 'POD_ZONE', valueFrom: { fieldRef: { fieldPath: `metadata.labels['${plan.zoneLabel}']` } } }]
        : []),
    ];
    const mounts: k8s.VolumeMount[] = [
      { name: 'data', mountPath: DATA_VOLUME_DIR },
      ...files.mounts(CONFIG_DIR, SCRIPTS_DIR),
      { name: 'run', mountPath: RUN_DIR },
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'jmx-exporter', mountPath: JMX_EXPORTER_DIR, readOnly: true },
    ];
    const jmxExporterInit: k8s.Container = {
      name: 'jmx-exporter',
      image: plan.exporterImage,
      imagePullPolicy: 'IfNotPresent',
      command: ['cp', JMX_EXPORTER_JAR_PATH, jmxExporterJar],
      resources: dataStoreResources(50, Size.mebibytes(64)),
      securityContext,
      volumeMounts: [{ name: 'jmx-exporter', mountPath: JMX_EXPORTER_DIR }],
    };
    const sharedVolumes: k8s.Volume[] = [
      ...files.volumes(),
      { name: 'run', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('16Mi') } },
      { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('1Gi') } },
      { name: 'jmx-exporter', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } },
    ];
    const metricsContainerPort = { name: METRICS_PORT_NAME, containerPort: plan.metricsPort, protocol: 'TCP' };
    const tcpProbe = (port: string, periodSeconds: number, failureThreshold: number): k8s.Probe => ({
      tcpSocket: { port: k8s.IntOrString.fromString(port) },
      periodSeconds,
      timeoutSeconds: 5,
      failureThreshold,
    });
    // Log recovery after an unclean stop reads every segment: the startup budget covers a large volume.
    const startupBudgetSeconds = 3600;

    const controller: k8s.Container = {
      name: 'kafka',
      image: plan.image,
      imagePullPolicy: 'IfNotPresent',
      command: script('start-kafka.sh', KAFKA_CONTROLLER_COMPONENT),
      ports: [{ name: 'kafka-ctrl', containerPort: KAFKA_CONTROLLER_PORT, protocol: 'TCP' }, metricsContainerPort],
      env: podEnv(KAFKA_CONTROLLER_COMPONENT, plan.controllers, controllerService),
      resources: dataStoreResources(plan.controllers.cpuMillis, plan.controllers.memory),
      securityContext,
      volumeMounts: mounts,
      startupProbe: tcpProbe('kafka-ctrl', 10, startupBudgetSeconds / 10),
      livenessProbe: tcpProbe('kafka-ctrl', 10, 6),
      // A JVM tool per check: rarely, and with the time a JVM needs to start.
      readinessProbe: execProbe(probe(KAFKA_CONTROLLER_COMPONENT, 'readiness'), {
        periodSeconds: 30,
        timeoutSeconds: 25,
        failureThreshold: 2,
      }),
    };
    this.controllers = new StatefulPodSet(this, 'Controllers', {
      identity: controllerIdentity,
      annotations: { ...annotations, [BlueprintKeys.ROLE]: KAFKA_CONTROLLER_COMPONENT },
      podAnnotations: { [`${BlueprintKeys.COMPONENT}-config-hash`]: files.hash },
      replicas: plan.controllers.replicas,
      // The budget allows one eviction: with 5 voters a second would leave no margin during a roll.
      quorum: plan.controllers.replicas - 1,
      votesByMajority: true,
      // Voters find each other before any is ready; an ordered start would wait for controller 0 after an outage.
      podManagementPolicy: PodManagementPolicy.PARALLEL,
      minReadySeconds: 10,
      terminationGracePeriodSeconds: CONTROLLER_TERMINATION_GRACE_SECONDS,
      initContainers: [jmxExporterInit],
      containers: [controller],
      volumes: sharedVolumes,
      volumeClaims: [{ name: 'data', size: plan.controllers.storageSize, storageClassName: plan.storageClassName }],
      pvcRetentionWhenDeleted: PvcRetention.RETAIN,
      pvcRetentionWhenScaled: PvcRetention.RETAIN,
      scheduling: plan.scheduling,
      podUser: plan.podUser,
      priorityClassName: plan.priorityClassName,
      peerPorts: [{ name: 'kafka-ctrl', port: KAFKA_CONTROLLER_PORT, appProtocol: 'tcp' }],
    });

    const brokerSet = `${plan.name}-${KAFKA_BROKER_COMPONENT}`;
    const brokerService = `${brokerSet}-headless`;
    const readsNode = plan.rackSource === RackSource.NODE_LABEL;
    const rackInit: k8s.Container = {
      name: 'rack',
      image: plan.rackInitImage,
      imagePullPolicy: 'IfNotPresent',
      command: script('rack-from-node.sh'),
      env: [
        { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        ...plainEnv({ ZONE_LABEL: plan.zoneLabel, RACK_FILE: `${RACK_DIR}/rack.id`, TOKEN_DIR }),
      ],
      resources: dataStoreResources(50, Size.mebibytes(32)),
      securityContext,
      volumeMounts: [
        { name: 'scripts', mountPath: SCRIPTS_DIR, readOnly: true },
        { name: 'rack', mountPath: RACK_DIR },
        { name: 'kubernetes-api', mountPath: TOKEN_DIR, readOnly: true },
      ],
    };
    const broker: k8s.Container = {
      name: 'kafka',
      image: plan.image,
      imagePullPolicy: 'IfNotPresent',
      command: script('start-kafka.sh', KAFKA_BROKER_COMPONENT),
      ports: [
        { name: 'kafka-client', containerPort: KAFKA_CLIENT_PORT, protocol: 'TCP' },
        { name: 'kafka-repl', containerPort: KAFKA_REPLICATION_PORT, protocol: 'TCP' },
        metricsContainerPort,
      ],
      env: podEnv(KAFKA_BROKER_COMPONENT, plan.brokers, brokerService),
      resources: dataStoreResources(plan.brokers.cpuMillis, plan.brokers.memory),
      securityContext,
      volumeMounts: [...mounts, ...(readsNode ? [{ name: 'rack', mountPath: RACK_DIR, readOnly: true }] : [])],
      startupProbe: execProbe(probe(KAFKA_BROKER_COMPONENT, 'startup'), {
        periodSeconds: 15,
        timeoutSeconds: 15,
        failureThreshold: startupBudgetSeconds / 15,
      }),
      livenessProbe: tcpProbe('kafka-repl', 10, 6),
      readinessProbe: execProbe(probe(KAFKA_BROKER_COMPONENT, 'readiness'), {
        periodSeconds: 10,
        timeoutSeconds: 5,
        failureThreshold: 3,
      }),
    };
    this.brokers = new StatefulPodSet(this, 'Brokers', {
      identity: brokerIdentity,
      annotations: { ...annotations, [BlueprintKeys.ROLE]: KAFKA_BROKER_COMPONENT },
      podAnnotations: { [`${BlueprintKeys.COMPONENT}-config-hash`]: files.hash },
      replicas: plan.brokers.replicas,
      // One broker at a time: with min.insync.replicas below the replication factor, every partition keeps a writable ISR.
      quorum: plan.brokers.replicas - 1,
      votesByMajority: false,
      podManagementPolicy: PodManagementPolicy.PARALLEL,
      minReadySeconds: BROKER_MIN_READY_SECONDS,
      terminationGracePeriodSeconds: plan.terminationGracePeriodSeconds,
      initContainers: [...(readsNode ? [rackInit] : []), jmxExporterInit],
      containers: [broker],
      volumes: [
        ...sharedVolumes,
        ...(readsNode
          ? [
              { name: 'rack', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Mi') } },
              {
                name: 'kubernetes-api',
                projected: {
                  defaultMode: 0o440,
                  sources: [
                    { serviceAccountToken: { path: 'token', expirationSeconds: TOKEN_EXPIRATION_SECONDS } },
                    { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
                  ],
                },
              },
            ]
          : []),
      ],
      volumeClaims: [{ name: 'data', size: plan.brokers.storageSize, storageClassName: plan.storageClassName }],
      pvcRetentionWhenDeleted: PvcRetention.RETAIN,
      pvcRetentionWhenScaled: PvcRetention.RETAIN,
      scheduling: plan.scheduling,
      podUser: plan.podUser,
      priorityClassName: plan.priorityClassName,
      peerPorts: [
        { name: 'kafka-client', port: KAFKA_CLIENT_PORT, appProtocol: 'tcp' },
        { name: 'kafka-repl', port: KAFKA_REPLICATION_PORT, appProtocol: 'tcp' },
      ],
    });
    if (readsNode) {
      this.defineNodeReader(scenario.namespace as string, metadata(brokerIdentity, '', 'rack'));
    }

    new k8s.KubeService(this, 'BootstrapService', {
      metadata: metadata(brokerIdentity, this.bootstrapServiceName, 'bootstrap'),
      spec: {
        type: 'ClusterIP',
        selector: this.brokers.selector,
        ports: [{ name: 'kafka-client', port: KAFKA_CLIENT_PORT, targetPort: k8s.IntOrString.fromString('kafka-client'), appProtocol: 'tcp' }],
      },
    });

    const controllerPods = Peer.podsLabelled(this.controllers.selector);
    const brokerPods = Peer.podsLabelled(this.brokers.selector);
    const metricsPorts = plan.metrics ? [plan.metricsPort] : [];
    new ComponentNetworkPolicy(this, 'ControllerNetworkPolicy', {
      metadata: metadata(controllerIdentity, `${controllerSet}-policy`, KAFKA_CONTROLLER_COMPONENT),
      podSelector: this.controllers.selector,
      ingress: [
        { peer: controllerPods, ports: [KAFKA_CONTROLLER_PORT] },
        { peer: brokerPods, ports: [KAFKA_CONTROLLER_PORT] },
      ],
      egress: [{ peer: controllerPods, ports: [KAFKA_CONTROLLER_PORT] }],
      metricsPorts,
      monitoring: scenario.monitoring,
    });
    this.brokerPolicy = new ComponentNetworkPolicy(this, 'BrokerNetworkPolicy', {
      metadata: metadata(brokerIdentity, `${brokerSet}-policy`, KAFKA_BROKER_COMPONENT),
      podSelector: this.brokers.selector,
      ingress: [{ peer: brokerPods, ports: [KAFKA_REPLICATION_PORT] }],
      egress: [
        { peer: brokerPods, ports: [KAFKA_REPLICATION_PORT] },
        { peer: controllerPods, ports: [KAFKA_CONTROLLER_PORT] },
      ],
      metricsPorts,
      monitoring: scenario.monitoring,
      kubernetesApiEgress: readsNode,
    });

    if (plan.metrics) {
      const input = alertInput(plan, scenario.namespace);
      const selectors = kafkaSeriesSelectors(input);
      new ComponentMonitoring(this, 'Monitoring', {
        identity: identity('monitoring'),
        annotations,
        monitoringLabels: { ...scenario.monitoringLabels, ...plan.monitoringLabels },
        namePrefix: `${plan.name}-kafka`,
        podSelector: { 'app.kubernetes.io/name': 'kafka', 'app.kubernetes.io/instance': plan.name },
        groupName: `${KAFKA_CLUSTER_COMPONENT}.${scenario.scenarioName}.${plan.name}`,
        rules: kafkaAlertRules(input, selectors),
        alertLabels: { owner: scenario.owner, scenario: scenario.scenarioName, tier: plan.tier, component: KAFKA_CLUSTER_COMPONENT },
        dashboardFileName: `kafka-${plan.name}.json`,
        dashboard: kafkaDashboard(input, selectors, `Kafka ${scenario.scenarioName}/${plan.name}`),
      });
    }
    this.contract = this.describeContract();
  }

  /**
   * The ClusterRole that lets the brokers' init container read their node's zone label, and its binding. Nodes are
   * cluster-scoped, so no Role can grant it; `get` on nodes reveals node labels, addresses and capacity, nothing
   * that changes the cluster. The token is mounted in the init container alone.
   */
  private defineNodeReader(namespace: string, base: k8s.ObjectMeta): void {
    const name = `${namespace}-${this.plan.name}-kafka-node-reader`;
    const role = new k8s.KubeClusterRole(this, 'NodeReader', {
      metadata: { ...base, name },
      rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }],
    });
    const binding = new k8s.KubeClusterRoleBinding(this, 'NodeReaderBinding', {
      metadata: { ...base, name: `${name}-binding` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [{ kind: 'ServiceAccount', name: this.brokers.serviceAccountName, namespace }],
    });
    // The chart puts its namespace on every object; a cluster-scoped one has none.
    for (const clusterScoped of [role, binding]) {
      ApiObject.of(clusterScoped).addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    }
  }

  private clientProfile(): KafkaClientProfile {
    const { namespace, clusterDomain } = BusinessScenario.of(this);
    return {
      bootstrapServers: `${serviceHost(this.bootstrapServiceName, namespace, clusterDomain)}:${KAFKA_CLIENT_PORT}`,
      deliveryTimeoutMilliseconds: this.plan.deliveryTimeoutMilliseconds,
    };
  }

  /** The contract: controllers that vote on the metadata, brokers that hold every partition `replicationFactor` times. */
  private describeContract(): ComponentContract {
    const { plan } = this;
    const port = (name: string, number: number, roles: PortRole[], appProtocol: string): ComponentPort => ({
      name,
      port: number,
      roles,
      appProtocol,
      // Kafka clients speak first (ApiVersions).
      serverFirst: false,
    });
    const metrics = port(METRICS_PORT_NAME, plan.metricsPort, [PortRole.METRICS], 'http');
    const tolerated = plan.minInsyncReplicas - 1;
    const systemOfRecord = plan.dataClass === DataClass.SYSTEM_OF_RECORD;
    return {
      component: KAFKA_CLUSTER_COMPONENT,
      name: plan.name,
      tier: plan.tier,
      podSets: [
        this.controllers.describe({
          role: KAFKA_CONTROLLER_COMPONENT,
          ports: [port('kafka-ctrl', KAFKA_CONTROLLER_PORT, [PortRole.PEER], 'tcp'), metrics],
          holdsData: true,
          votes: true,
        }),
        this.brokers.describe({
          role: KAFKA_BROKER_COMPONENT,
          ports: [
            port('kafka-client', KAFKA_CLIENT_PORT, [PortRole.CLIENT], 'tcp'),
            port('kafka-repl', KAFKA_REPLICATION_PORT, [PortRole.PEER], 'tcp'),
            metrics,
          ],
          holdsData: true,
          votes: false,
        }),
      ],
      quorum: {
        votingRole: KAFKA_CONTROLLER_COMPONENT,
        voters: plan.controllers.replicas,
        votersForFailover: plan.controllerQuorum,
        dataRole: KAFKA_BROKER_COMPONENT,
        dataPodsForWrites: plan.minInsyncReplicas,
        description:
          `${plan.controllerQuorum} of ${plan.controllers.replicas} controllers elect partition leaders; a partition accepts ` +
          `acks=all records while ${plan.minInsyncReplicas} of its ${plan.replicationFactor} replicas are in sync`,
      },
      durability: {
        dataClass: plan.dataClass,
        acknowledgedCopies: plan.minInsyncReplicas,
        flushedToDisk: DiskFlush.BY_THE_OPERATING_SYSTEM,
        survives:
          `the loss of ${tolerated} broker(s), their nodes or, with racks, their zone` +
          (systemOfRecord ? '; a power loss of every in-sync replica at once may lose the last seconds' : ''),
      },
      failoverBudget: {
        detectionSeconds: Math.ceil(KAFKA_BROKER_SESSION_TIMEOUT_MILLISECONDS / 1000),
        writesResumeWithinSeconds: plan.failoverBudgetSeconds,
        description: 'broker.session.timeout.ms fences the lost broker, then the controllers elect leaders from the ISR',
      },
    };
  }

  /**
   * The environment a producer or consumer needs, named after the Kafka client properties:
   *
   * - `<prefix>BOOTSTRAP_SERVERS`: the bootstrap Service; clients then reach each broker by its advertised name.
   * - `<prefix>ACKS` (`all`), `<prefix>ENABLE_IDEMPOTENCE` (`true`), `<prefix>MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION`,
   *   `<prefix>DELIVERY_TIMEOUT_MS`, `<prefix>REQUEST_TIMEOUT_MS`: an acknowledged record is on `minInsyncReplicas`
   *   brokers, and a retry never writes it twice.
   * - `<prefix>SECURITY_PROTOCOL`, `<prefix>ISOLATION_LEVEL` (`read_committed`, for consumers).
   *
   * The same settings are in the `client.properties` of `clientProfileConfigMapName`. The workload also needs
   * `allowFrom(Peer.workload(...))`.
   *
   * @param prefix prefix of the variable names, a valid environment variable name start
   */
  public clientEnv(prefix = 'KAFKA_'): Record<string, kplus.EnvValue> {
    clientEnvPrefix(this.node.path, prefix);
    return Object.fromEntries(
      clientSettings(this.clientProfile()).map(([key, value]) => [
        `${prefix}${key.toUpperCase().replace(/\./g, '_')}`,
        kplus.EnvValue.fromValue(value),
      ]),
    );
  }

  /**
   * Lets `peer` connect to the brokers' client listener (bootstrap Service and every broker).
   *
   * @mutating
   */
  public allowFrom(peer: Peer): void {
    this.brokerPolicy.allowFrom(peer, [KAFKA_CLIENT_PORT]);
  }
}

function alertInput(plan: KafkaClusterPlan, namespace: string | undefined): KafkaAlertInput {
  return {
    name: plan.name,
    brokers: plan.brokers.replicas,
    controllers: plan.controllers.replicas,
    minInsyncReplicas: plan.minInsyncReplicas,
    tier: plan.tier,
    dataClass: plan.dataClass,
    namespace,
  };
}
