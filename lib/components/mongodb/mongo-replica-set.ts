import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { BlueprintComponent, ComponentContract, ComponentPort, DiskFlush, PortRole } from '../../core/component';
import { clientEnvPrefix } from '../../core/client-env';
import { ComponentFiles } from '../../core/component-files';
import { execProbe, plainEnv, podIdentityEnv } from '../../core/container';
import { BlueprintKeys, standardLabels, WorkloadIdentity } from '../../core/labels';
import { ComponentNetworkPolicy } from '../../core/network-policy';
import { Peer } from '../../core/peer';
import { dataStoreResources } from '../../core/resources';
import { secretEnvs } from '../../core/secrets';
import { restrictedContainerSecurityContext } from '../../core/security';
import { PodManagementPolicy, PvcRetention, StatefulPodSet } from '../../core/stateful-pod-set';
import { DataClass } from '../../core/tier';
import { ComponentMonitoring } from '../../observability/component-monitoring';
import { BusinessScenario } from '../../scenario/business-scenario';
import { Suppressions } from '../../checks/suppressions';
import { IntendedMember, intendedMember, MemberKind, renderIntendedReplicaSet, renderMongodConfig } from './config';
import {
  MONGODB_HIDDEN_COMPONENT,
  MONGODB_MEMBER_COMPONENT,
  MongoAlertInput,
  mongoAlertRules,
  mongoDashboard,
  mongodbExporterContainer,
  mongoSeriesSelectors,
} from './observability';
import { MONGODB_MONITOR_USER, MONGODB_PORT, MONGODB_ROOT_USER, MongoReplicaSetPlan, resolveMongoReplicaSetPlan } from './plan';
import { MongoReplicaSetProps } from './props';

export const MONGO_REPLICA_SET_COMPONENT = 'mongo-replica-set';
export const MONGODB_ARBITER_COMPONENT = 'arbiter';

const SCRIPTS_DIR = '/scripts';
const CONFIG_DIR = '/config';
const DATA_DIR = '/data/db';
const KEYFILE_DIR = '/run/mongodb-keyfile';
const KEYFILE_SECRET_DIR = '/run/mongodb-keyfile-secret';
const SCRIPT_FILES = [
  'mongodb-common.sh',
  'install-keyfile.sh',
  'start-mongod.sh',
  'rs-agent.sh',
  'rs-agent.js',
  'probe-mongod.sh',
  'prestop-mongod.sh',
] as const;
/** The Secret keys the team fills, by the variable the pods read them into. */
export const MONGODB_CREDENTIAL_KEYS = {
  MONGODB_ROOT_PASSWORD: 'root-password',
  MONGODB_MONITOR_PASSWORD: 'monitor-password',
  MONGODB_APPLICATION_PASSWORD: 'application-password',
} as const;
/** How long a stepped-down primary stays unelectable: the roll of its pod ends well before. */
const STEP_DOWN_SECONDS = 60;
/** How long a stepping-down primary waits for a secondary to hold every write. */
const STEP_DOWN_CATCH_UP_SECONDS = 20;
/** A member that restarts reaches SECONDARY and catches up on the oplog before the next one rolls. */
const MIN_READY_SECONDS = 20;

/**
 * A MongoDB 8.0 replica set that never starts a second set and never loses a write acknowledged with the default
 * write concern, `w: majority` (journaled): 3, 5 or 7 data-bearing members vote, a majority elects the primary, and
 * a write is acknowledged once a majority holds it on disk, so the loss of a minority of members, their nodes or
 * their zone loses no acknowledged write.
 *
 * An agent beside each mongod brings the member into the set: only pod 0 may initiate it, and only while every member
 * answers and none has a configuration; every other member joins through the primary without a vote and gets it once
 * SECONDARY. A member whose volume was lost gives up its vote before its mongod starts, so it cannot elect a member
 * that lacks acknowledged writes.
 */
export class MongoReplicaSet extends BlueprintComponent {
  public readonly plan: MongoReplicaSetPlan;
  public readonly contract: ComponentContract;
  /** The data-bearing voting members. */
  public readonly members: StatefulPodSet;
  public readonly hiddenMembers?: StatefulPodSet;
  public readonly arbiter?: StatefulPodSet;
  private readonly memberPolicy: ComponentNetworkPolicy;

  constructor(scope: Construct, id: string, props: MongoReplicaSetProps = {}) {
    super(scope, id);
    const scenario = BusinessScenario.of(this);
    const plan = resolveMongoReplicaSetPlan(this.node.path, id, props, scenario);
    this.plan = plan;

    const annotations = {
      ...scenario.annotationsFor(MONGO_REPLICA_SET_COMPONENT),
      [BlueprintKeys.TIER]: plan.tier,
      [BlueprintKeys.DATA_CLASS]: plan.dataClass,
      ...(plan.arbiterReason ? { [BlueprintKeys.ARBITER_REASON]: plan.arbiterReason } : {}),
    };
    const identity = (component: string): WorkloadIdentity => ({ name: 'mongodb', instance: plan.name, component, partOf: scenario.scenarioName });
    const metadata = (workload: WorkloadIdentity, name: string, role: string) => ({
      name,
      labels: standardLabels(workload),
      annotations: { ...annotations, [BlueprintKeys.ROLE]: role },
    });
    const memberIdentity = identity(MONGODB_MEMBER_COMPONENT);
    const setName = (component: string) => `${plan.name}-${component}`;
    const headless = (component: string) => `${setName(component)}-headless`;
    const intendedMembers = (kind: MemberKind, component: string, count: number, firstId: number): IntendedMember[] =>
      Array.from({ length: count }, (_, ordinal) =>
        intendedMember(kind, firstId + ordinal, `${setName(component)}-${ordinal}`, headless(component), plan.hiddenMemberDelaySeconds),
      );
    // Member ids: voters by ordinal, the arbiter after the most voters a set may have, hidden members after it.
    const intended = [
      ...intendedMembers(MemberKind.VOTER, MONGODB_MEMBER_COMPONENT, plan.members, 0),
      ...intendedMembers(MemberKind.ARBITER, MONGODB_ARBITER_COMPONENT, plan.arbiter ? 1 : 0, 7),
      ...intendedMembers(MemberKind.HIDDEN, MONGODB_HIDDEN_COMPONENT, plan.hiddenMembers, 8),
    ];

    const files = new ComponentFiles(this, 'Files', {
      metadata: (name, role) => metadata(memberIdentity, name, role),
      configMapName: `${plan.name}-mongodb-config`,
      config: {
        'mongod.conf': renderMongodConfig({
          replicaSetName: plan.replicaSetName,
          port: MONGODB_PORT,
          dataDir: DATA_DIR,
          keyFile: `${KEYFILE_DIR}/keyfile`,
          wiredTigerCacheMebibytes: plan.wiredTigerCacheMebibytes,
          oplogSizeMebibytes: plan.oplogSizeMebibytes,
        }),
        'replica-set.json': renderIntendedReplicaSet({
          replicaSetName: plan.replicaSetName,
          port: MONGODB_PORT,
          initiator: intended[0].pod,
          settings: {
            electionTimeoutMillis: plan.electionTimeoutMilliseconds,
            heartbeatIntervalMillis: 2000,
            // Secondaries may sync from secondaries; majority commit still counts every voter that holds a write.
            chainingAllowed: true,
          },
          members: intended,
        }),
      },
      scriptsMapName: `${plan.name}-mongodb-scripts`,
      scriptsDirectory: `${__dirname}/scripts`,
      scriptFiles: SCRIPT_FILES,
    });

    const securityContext = restrictedContainerSecurityContext(plan.podUser);
    const script = (file: string, ...args: string[]) => ['sh', `${SCRIPTS_DIR}/${file}`, ...args];
    const credentials = (variables: (keyof typeof MONGODB_CREDENTIAL_KEYS)[]) =>
      secretEnvs(
        Object.fromEntries(
          variables.map((variable) => [variable, { secretName: plan.credentialsSecretName, key: MONGODB_CREDENTIAL_KEYS[variable] }]),
        ),
      );
    const baseEnv = [
      ...podIdentityEnv(),
      ...plainEnv({
        CLUSTER_DOMAIN: scenario.clusterDomain,
        MONGODB_PORT,
        DATA_DIR,
        CONFIG_DIR,
        SCRIPTS_DIR,
        // mongosh writes its logs and history under HOME; the root file system is read-only.
        HOME: '/tmp',
        MONGODB_ROOT_USER,
      }),
      ...credentials(['MONGODB_ROOT_PASSWORD']),
    ];
    const mounts: k8s.VolumeMount[] = [
      { name: 'data', mountPath: DATA_DIR },
      ...files.mounts(CONFIG_DIR, SCRIPTS_DIR),
      { name: 'keyfile', mountPath: KEYFILE_DIR, readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
    ];
    const volumes = (dataOnVolume: boolean): k8s.Volume[] => [
      ...files.volumes(),
      { name: 'keyfile-secret', secret: { secretName: plan.keyFileSecretName, defaultMode: 0o400 } },
      { name: 'keyfile', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Mi') } },
      { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('1Gi') } },
      // The arbiter holds no data: after a restart it takes the configuration from the primary's heartbeat.
      ...(dataOnVolume ? [] : [{ name: 'data', emptyDir: { sizeLimit: k8s.Quantity.fromString('1Gi') } }]),
    ];
    const keyFileInit: k8s.Container = {
      name: 'keyfile',
      image: plan.image,
      imagePullPolicy: 'IfNotPresent',
      command: script('install-keyfile.sh'),
      env: plainEnv({ SCRIPTS_DIR, KEYFILE_SECRET_DIR, KEYFILE_SECRET_NAME: plan.keyFileSecretName, KEYFILE: `${KEYFILE_DIR}/keyfile` }),
      resources: dataStoreResources(50, Size.mebibytes(32)),
      securityContext,
      volumeMounts: [
        { name: 'scripts', mountPath: SCRIPTS_DIR, readOnly: true },
        { name: 'keyfile-secret', mountPath: KEYFILE_SECRET_DIR, readOnly: true },
        { name: 'keyfile', mountPath: KEYFILE_DIR },
      ],
    };
    // Recovery after an unclean stop, or an initial sync of a large data set, comes before mongod answers.
    const startupBudgetSeconds = 3600;
    const mongod = (memory: Size, cpuMillis: number): k8s.Container => ({
      name: 'mongod',
      image: plan.image,
      imagePullPolicy: 'IfNotPresent',
      command: script('start-mongod.sh'),
      ports: [{ name: 'mongodb', containerPort: MONGODB_PORT, protocol: 'TCP' }],
      env: [...baseEnv, ...plainEnv({ STEP_DOWN_SECONDS, STEP_DOWN_CATCH_UP_SECONDS })],
      resources: dataStoreResources(cpuMillis, memory),
      securityContext,
      volumeMounts: mounts,
      // mongosh starts a JavaScript runtime per check: the timeouts leave it room.
      startupProbe: execProbe(script('probe-mongod.sh', 'liveness'), {
        periodSeconds: 10,
        timeoutSeconds: 10,
        failureThreshold: startupBudgetSeconds / 10,
      }),
      livenessProbe: execProbe(script('probe-mongod.sh', 'liveness'), { periodSeconds: 20, timeoutSeconds: 10, failureThreshold: 6 }),
      readinessProbe: execProbe(script('probe-mongod.sh', 'readiness'), { periodSeconds: 10, timeoutSeconds: 10, failureThreshold: 3 }),
      lifecycle: { preStop: { exec: { command: script('prestop-mongod.sh') } } },
    });
    const agent: k8s.Container = {
      name: 'rs-agent',
      image: plan.image,
      imagePullPolicy: 'IfNotPresent',
      command: script('rs-agent.sh'),
      env: [
        ...baseEnv,
        ...plainEnv({ MONGODB_MONITOR_USER, MONGODB_APPLICATION_USER: plan.applicationUser, MONGODB_DATABASE: plan.database }),
        ...credentials(['MONGODB_MONITOR_PASSWORD', 'MONGODB_APPLICATION_PASSWORD']),
      ],
      resources: dataStoreResources(50, Size.mebibytes(256)),
      securityContext,
      volumeMounts: files.mounts(CONFIG_DIR, SCRIPTS_DIR).concat([{ name: 'tmp', mountPath: '/tmp' }]),
    };
    const exporter = mongodbExporterContainer(
      {
        image: plan.exporterImage,
        mongodPort: MONGODB_PORT,
        port: plan.metricsPort,
        user: MONGODB_MONITOR_USER,
        password: { secretName: plan.credentialsSecretName, key: MONGODB_CREDENTIAL_KEYS.MONGODB_MONITOR_PASSWORD },
      },
      securityContext,
    );
    const dataContainers = (memory: Size, cpuMillis: number) => [mongod(memory, cpuMillis), agent, ...(plan.metrics ? [exporter] : [])];
    const podSetProps = (component: string, replicas: number) => ({
      identity: identity(component),
      annotations: { ...annotations, [BlueprintKeys.ROLE]: component },
      podAnnotations: { [`${BlueprintKeys.COMPONENT}-config-hash`]: files.hash },
      replicas,
      // One pod at a time: a second would leave no margin while the first catches up.
      quorum: replicas - 1,
      // Members find each other before any is ready; an ordered start would wait for pod 0 after an outage.
      podManagementPolicy: PodManagementPolicy.PARALLEL,
      minReadySeconds: MIN_READY_SECONDS,
      terminationGracePeriodSeconds: plan.terminationGracePeriodSeconds,
      initContainers: [keyFileInit],
      pvcRetentionWhenDeleted: PvcRetention.RETAIN,
      pvcRetentionWhenScaled: PvcRetention.RETAIN,
      scheduling: plan.scheduling,
      podUser: plan.podUser,
      priorityClassName: plan.priorityClassName,
      peerPorts: [{ name: 'mongodb', port: MONGODB_PORT, appProtocol: 'mongo' }],
    });
    const claim = { name: 'data', size: plan.storageSize, storageClassName: plan.storageClassName };

    this.members = new StatefulPodSet(this, 'Members', {
      ...podSetProps(MONGODB_MEMBER_COMPONENT, plan.members),
      // With an arbiter the voters span two workloads, and this one alone is even.
      votesByMajority: !plan.arbiter,
      containers: dataContainers(plan.memory, plan.cpuMillis),
      volumes: volumes(true),
      volumeClaims: [claim],
    });
    if (plan.hiddenMembers > 0) {
      this.hiddenMembers = new StatefulPodSet(this, 'HiddenMembers', {
        ...podSetProps(MONGODB_HIDDEN_COMPONENT, plan.hiddenMembers),
        votesByMajority: false,
        containers: dataContainers(plan.memory, plan.cpuMillis),
        volumes: volumes(true),
        volumeClaims: [claim],
      });
    }
    if (plan.arbiter) {
      this.arbiter = new StatefulPodSet(this, 'Arbiter', {
        ...podSetProps(MONGODB_ARBITER_COMPONENT, 1),
        votesByMajority: false,
        containers: [mongod(Size.mebibytes(512), 100), agent],
        volumes: volumes(false),
        volumeClaims: [],
      });
    }

    for (const single of [this.arbiter, plan.hiddenMembers === 1 ? this.hiddenMembers : undefined]) {
      if (single) {
        Suppressions.add(
          single,
          'workload-has-multiple-replicas',
          'a member outside the data-bearing voters: the set keeps serving and electing without it (an arbiter, or a hidden backup member)',
        );
      }
    }

    const sets = [this.members, this.hiddenMembers, this.arbiter].filter((set): set is StatefulPodSet => set !== undefined);
    const replicaSetPods = Peer.podsLabelled({ 'app.kubernetes.io/name': 'mongodb', 'app.kubernetes.io/instance': plan.name });
    const metricsPorts = plan.metrics ? [plan.metricsPort] : [];
    const policies = sets.map(
      (set) =>
        new ComponentNetworkPolicy(this, `${set.node.id}NetworkPolicy`, {
          metadata: metadata(
            identity(set.selector['app.kubernetes.io/component']),
            `${set.name}-policy`,
            set.selector['app.kubernetes.io/component'],
          ),
          podSelector: set.selector,
          // Every member talks to every other one: heartbeats, replication, and the agents' hello and reconfig.
          ingress: [{ peer: replicaSetPods, ports: [MONGODB_PORT] }],
          egress: [{ peer: replicaSetPods, ports: [MONGODB_PORT] }],
          metricsPorts: set === this.arbiter ? [] : metricsPorts,
          monitoring: scenario.monitoring,
        }),
    );
    this.memberPolicy = policies[0];

    if (plan.metrics) {
      const input = alertInput(plan, scenario.namespace);
      const selectors = mongoSeriesSelectors(input);
      new ComponentMonitoring(this, 'Monitoring', {
        identity: identity('monitoring'),
        annotations,
        monitoringLabels: { ...scenario.monitoringLabels, ...plan.monitoringLabels },
        namePrefix: `${plan.name}-mongodb`,
        podSelector: { 'app.kubernetes.io/name': 'mongodb', 'app.kubernetes.io/instance': plan.name },
        groupName: `${MONGO_REPLICA_SET_COMPONENT}.${scenario.scenarioName}.${plan.name}`,
        rules: mongoAlertRules(input, selectors),
        alertLabels: { owner: scenario.owner, scenario: scenario.scenarioName, tier: plan.tier, component: MONGO_REPLICA_SET_COMPONENT },
        dashboardFileName: `mongodb-${plan.name}.json`,
        dashboard: mongoDashboard(input, selectors, `MongoDB ${scenario.scenarioName}/${plan.name}`),
      });
    }
    this.contract = this.describeContract();
  }

  /** The seed list of the connection string: every voting member (drivers then follow the set's `hello`). */
  public seedHosts(): string[] {
    const { namespace, clusterDomain } = BusinessScenario.of(this);
    return Array.from({ length: this.plan.members }, (_, ordinal) => `${this.members.podHost(ordinal, namespace, clusterDomain)}:${MONGODB_PORT}`);
  }

  /**
   * The connection string without credentials: the seed list, the replica set, `w=majority` with `journal=true`,
   * majority reads and retryable writes and reads, and the application user's authentication database.
   */
  public connectionString(): string {
    const options = [
      `replicaSet=${this.plan.replicaSetName}`,
      'authSource=admin',
      'w=majority',
      'journal=true',
      'readConcernLevel=majority',
      'retryWrites=true',
      'retryReads=true',
      // A failover takes up to the budget; the driver waits that long for a new primary before failing a write.
      `serverSelectionTimeoutMS=${this.plan.failoverBudgetSeconds * 2 * 1000}`,
    ];
    return `mongodb://${this.seedHosts().join(',')}/${this.plan.database}?${options.join('&')}`;
  }

  /**
   * The environment an application needs: `<prefix>URI` (connectionString(), no credentials), `<prefix>DATABASE`,
   * `<prefix>USERNAME` and `<prefix>PASSWORD` (from the credentials Secret). The workload also needs
   * `allowFrom(Peer.workload(...))`.
   *
   * @param prefix prefix of the variable names, a valid environment variable name start
   */
  public clientEnv(prefix = 'MONGODB_'): Record<string, kplus.EnvValue> {
    clientEnvPrefix(this.node.path, prefix);
    return {
      [`${prefix}URI`]: kplus.EnvValue.fromValue(this.connectionString()),
      [`${prefix}DATABASE`]: kplus.EnvValue.fromValue(this.plan.database),
      [`${prefix}USERNAME`]: kplus.EnvValue.fromValue(this.plan.applicationUser),
      [`${prefix}PASSWORD`]: kplus.EnvValue.fromSecretValue(
        {
          secret: kplus.Secret.fromSecretName(this, 'ClientPasswordSecret', this.plan.credentialsSecretName),
          key: MONGODB_CREDENTIAL_KEYS.MONGODB_APPLICATION_PASSWORD,
        },
        { optional: false },
      ),
    };
  }

  /**
   * Lets `peer` connect to the data-bearing voting members, which drivers find through the set's `hello`.
   *
   * @mutating
   */
  public allowFrom(peer: Peer): void {
    this.memberPolicy.allowFrom(peer, [MONGODB_PORT]);
  }

  /** The contract: voters that elect the primary by majority; a write is acknowledged once a majority holds it. */
  private describeContract(): ComponentContract {
    const { plan } = this;
    const mongoPort = (roles: PortRole[]): ComponentPort => ({
      name: 'mongodb',
      port: MONGODB_PORT,
      roles,
      // The client speaks first (hello).
      appProtocol: 'mongo',
      serverFirst: false,
    });
    const metrics: ComponentPort = { name: 'metrics', port: plan.metricsPort, roles: [PortRole.METRICS], appProtocol: 'http', serverFirst: false };
    const dataPorts = (roles: PortRole[]) => [mongoPort(roles), ...(plan.metrics ? [metrics] : [])];
    const tolerated = plan.voters - plan.votersForElection;
    return {
      component: MONGO_REPLICA_SET_COMPONENT,
      name: plan.name,
      tier: plan.tier,
      podSets: [
        this.members.describe({ role: MONGODB_MEMBER_COMPONENT, ports: dataPorts([PortRole.CLIENT, PortRole.PEER]), holdsData: true, votes: true }),
        ...(this.arbiter
          ? [this.arbiter.describe({ role: MONGODB_ARBITER_COMPONENT, ports: [mongoPort([PortRole.PEER])], holdsData: false, votes: true })]
          : []),
        ...(this.hiddenMembers
          ? [this.hiddenMembers.describe({ role: MONGODB_HIDDEN_COMPONENT, ports: dataPorts([PortRole.PEER]), holdsData: true, votes: false })]
          : []),
      ],
      quorum: {
        votingRole: MONGODB_MEMBER_COMPONENT,
        voters: plan.voters,
        votersForFailover: plan.votersForElection,
        dataRole: MONGODB_MEMBER_COMPONENT,
        dataPodsForWrites: plan.acknowledgingMembers,
        description:
          `${plan.votersForElection} of ${plan.voters} voters elect the primary; a w: majority write is acknowledged once ` +
          `${plan.acknowledgingMembers} data-bearing members hold it${plan.arbiter ? ' (the arbiter holds none, so with a member down writes wait)' : ''}`,
      },
      durability: {
        dataClass: plan.dataClass,
        acknowledgedCopies: plan.acknowledgingMembers,
        // w: majority waits for the journal of each acknowledging member (writeConcernMajorityJournalDefault).
        flushedToDisk: DiskFlush.BEFORE_ACKNOWLEDGEMENT,
        survives: plan.arbiter
          ? 'the loss of no data-bearing member without stalling majority writes; an acknowledged write survives the loss of one member'
          : `the loss of ${tolerated} member(s), their nodes or their zone${plan.dataClass === DataClass.SYSTEM_OF_RECORD ? ', with every acknowledged write' : ''}`,
      },
      failoverBudget: {
        detectionSeconds: Math.ceil(plan.electionTimeoutMilliseconds / 1000),
        writesResumeWithinSeconds: plan.failoverBudgetSeconds,
        description: 'the secondaries call an election after electionTimeoutMillis without the primary; the most up-to-date electable one wins',
      },
    };
  }
}

function alertInput(plan: MongoReplicaSetPlan, namespace: string | undefined): MongoAlertInput {
  return {
    name: plan.name,
    members: plan.members,
    hiddenMembers: plan.hiddenMembers,
    hiddenMemberDelaySeconds: plan.hiddenMemberDelaySeconds,
    arbiter: plan.arbiter,
    tier: plan.tier,
    dataClass: plan.dataClass,
    namespace,
  };
}
