import { Size, SizeRoundingBehavior } from 'cdk8s';
import { MonitoringPlan, PodPlacementPlan, resolveMonitoring, resolvePodPlacement } from '../../core/component-props';
import { isDnsLabel } from '../../core/dns';
import { majority } from '../../core/disruption-budget';
import { propValidator, resolveTierAndDataClass } from '../../core/prop-validation';
import { DataClass, dataClassProfile, Tier, tierProfile } from '../../core/tier';
import type { BusinessScenario } from '../../scenario/business-scenario';
import { REDIS_EXPORTER_IMAGE } from './observability';
import { AppendFsync, EvictionPolicy, RedisSentinelProps } from './props';

/** The Redis image shipped and its version; the fault tests run Debian's Redis 7.0.15 (see the README). */
export const REDIS_IMAGE = 'redis:7.4.11-bookworm';
/** The HAProxy image of the master endpoint; the tests run Debian's HAProxy 2.6.12 (see the README). */
export const HAPROXY_IMAGE = 'haproxy:3.2.19';
/** Proxies of the master endpoint: one keeps serving while the other is drained or rolled. */
export const MASTER_ENDPOINT_REPLICAS = 2;

const MEBIBYTE = 1024 * 1024;
/** `maxmemory` share of the memory request; the rest is replica output buffers, fork copy-on-write and fragmentation. */
const MAXMEMORY_SHARE = 0.5;
/** Share of the memory request for the output buffers of all replicas together. */
const REPLICA_BUFFERS_SHARE = 0.2;
/** Share of the memory request for the replication backlog (outside maxmemory, like the replica buffers). */
const REPLICATION_BACKLOG_SHARE = 0.1;
const DEFAULT_REPLICA_OUTAGE_TO_RESUME_SECONDS = 60;
/** Derived names are at most this long plus `-sentinel-headless`, and must stay DNS labels. */
const MAX_NAME_LENGTH = 43;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;
/** Seconds between min-replicas-max-lag and down-after: see resolveRedisSentinelPlan. */
const MAX_LAG_MARGIN_SECONDS = 3;

/** Every knob of a RedisSentinel, resolved once from props, scenario, tier and data class. */
export interface RedisSentinelPlan extends PodPlacementPlan, MonitoringPlan {
  readonly name: string;
  readonly masterSetName: string;
  readonly tier: Tier;
  readonly dataClass: DataClass;
  readonly replicas: number;
  readonly sentinels: number;
  readonly quorum: number;
  /**
   * Redis pods that must stay up: the master plus `minReplicasToWrite`, and a majority of the data copies, but
   * always one fewer than all of them so a node drain can proceed.
   */
  readonly redisQuorum: number;
  readonly redisPort: number;
  readonly sentinelPort: number;
  readonly downAfterMilliseconds: number;
  readonly failoverTimeoutMilliseconds: number;
  readonly parallelSyncs: number;
  readonly minReplicasToWrite: number;
  readonly minReplicasMaxLagSeconds: number;
  readonly persistentData: boolean;
  readonly appendFsync: AppendFsync;
  readonly evictionPolicy: EvictionPolicy;
  readonly memory: Size;
  readonly cpuMillis: number;
  readonly maxmemoryBytes: number;
  readonly replicaOutputBufferBytes: number;
  /** `repl-backlog-size`: `peakWriteMebibytesPerSecond` x `replicaOutageToResumeSeconds`, whole MiB. */
  readonly replicationBacklogBytes: number;
  readonly storageSize: Size;
  readonly storageClassName?: string;
  readonly sentinelStorageSize: Size;
  readonly sentinelMemory: Size;
  readonly sentinelCpuMillis: number;
  readonly passwordSecret?: {
    readonly name: string;
    readonly key: string;
    /** A second password the servers accept but never send, for changing the password without downtime. */
    readonly alsoAcceptedKey: string;
    readonly version?: string;
  };
  readonly masterEndpoint?: { readonly image: string; readonly replicas: number };
  readonly handoverTimeoutSeconds: number;
  readonly shutdownTimeoutSeconds: number;
  readonly terminationGracePeriodSeconds: number;
  readonly sentinelTerminationGracePeriodSeconds: number;
  readonly minReadySeconds: number;
  readonly image: string;
}

export function resolveRedisSentinelPlan(path: string, id: string, props: RedisSentinelProps, scenario: BusinessScenario): RedisSentinelPlan {
  const validator = propValidator(path);
  const { fail, wholeNumber, mebibytes, imageReference } = validator;

  const secretKey = (prop: string, key: string): string => {
    if (typeof key !== 'string' || !SECRET_KEY.test(key) || key.length > 253) {
      fail(prop, key, 'a Secret key: letters, digits, "-", "_" and "."');
    }
    return key;
  };

  validator.dnsLabelId(id, MAX_NAME_LENGTH);
  const { tier, dataClass } = resolveTierAndDataClass(validator, props, scenario);
  const tierDefaults = tierProfile(tier);
  const dataDefaults = dataClassProfile(dataClass);

  const sentinels = wholeNumber('sentinels', props.sentinels ?? 3, 0);
  if (sentinels < 3 || sentinels % 2 === 0) {
    fail('sentinels', sentinels, 'an odd number of at least 3, so that a majority of the sentinels survives the loss of one');
  }
  const quorum = wholeNumber('quorum', props.quorum ?? majority(sentinels), 0);
  if (quorum < majority(sentinels) || quorum > sentinels - 1) {
    fail('quorum', quorum, `from ${majority(sentinels)} (a majority of ${sentinels} sentinels) to ${sentinels - 1} (one sentinel may be down)`);
  }

  const minReplicasToWrite = wholeNumber('minReplicasToWrite', props.minReplicasToWrite ?? dataDefaults.minSyncReplicas, 0);
  const replicas = wholeNumber('replicas', props.replicas ?? tierDefaults.replicas, 1);
  if (replicas < minReplicasToWrite + 2) {
    const keepsWriting = 'so the master keeps accepting writes while one replica is down';
    if (props.minReplicasToWrite !== undefined) {
      const replicasSource = props.replicas === undefined ? `, the ${tier} tier's default` : '';
      fail(
        'minReplicasToWrite',
        minReplicasToWrite,
        `at most replicas - 2 = ${replicas - 2} (replicas ${replicas}${replicasSource}), ${keepsWriting}`,
      );
    }
    fail(
      'replicas',
      replicas,
      `at least minReplicasToWrite + 2 = ${minReplicasToWrite + 2} (minReplicasToWrite ${minReplicasToWrite}), ${keepsWriting}`,
    );
  }
  if (tier === Tier.CRITICAL && replicas < 3) {
    fail('replicas', replicas, 'at least 3 in the CRITICAL tier, so a failover leaves a master and a replica');
  }

  const redisPort = wholeNumber('redisPort', props.redisPort ?? 6379, 1, 65535);
  const sentinelPort = wholeNumber('sentinelPort', props.sentinelPort ?? 26379, 1, 65535);
  if (redisPort === sentinelPort) {
    if (props.sentinelPort === undefined) {
      fail('redisPort', redisPort, `a port other than sentinelPort (${sentinelPort})`);
    }
    fail('sentinelPort', sentinelPort, `a port other than redisPort (${redisPort})`);
  }
  const metricsPort = wholeNumber('metricsPort', props.metricsPort ?? 9121, 1, 65535);
  if (metricsPort === redisPort || metricsPort === sentinelPort) {
    fail('metricsPort', metricsPort, `a port other than redisPort (${redisPort}) and sentinelPort (${sentinelPort})`);
  }

  const masterSetName = props.masterSetName ?? id;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(masterSetName)) {
    fail('masterSetName', masterSetName, 'letters, digits, ".", "_" and "-", at most 63 characters, starting with a letter or digit');
  }

  const downAfterMilliseconds = wholeNumber('downAfterMilliseconds', props.downAfterMilliseconds ?? tierDefaults.failureDetectionMilliseconds, 1000);
  const failoverTimeoutMilliseconds = wholeNumber(
    'failoverTimeoutMilliseconds',
    props.failoverTimeoutMilliseconds ?? tierDefaults.failoverTimeoutMilliseconds,
    1000,
  );
  const parallelSyncs = wholeNumber('parallelSyncs', props.parallelSyncs ?? 1, 1);
  // An isolated master stops taking writes at most max-lag + 2 s after its replicas' last acknowledgement (the lag
  // counts whole seconds, and the master recounts its good replicas once a second), which can come up to 1 s before
  // the cut; the sentinels start a failover no sooner than down-after - 1 s after it (their last PONG can be 1 s old).
  const maxLagLimit = Math.floor(downAfterMilliseconds / 1000) - MAX_LAG_MARGIN_SECONDS;
  if (minReplicasToWrite > 0 && maxLagLimit < 1) {
    fail(
      'downAfterMilliseconds',
      downAfterMilliseconds,
      `at least ${(1 + MAX_LAG_MARGIN_SECONDS) * 1000} with minReplicasToWrite ${minReplicasToWrite}, so an isolated master (min-replicas-max-lag at least 1 s) stops taking writes before a failover starts`,
    );
  }
  const minReplicasMaxLagSeconds = wholeNumber('minReplicasMaxLagSeconds', props.minReplicasMaxLagSeconds ?? Math.max(1, maxLagLimit), 1);
  if (minReplicasToWrite > 0 && minReplicasMaxLagSeconds > maxLagLimit) {
    fail(
      'minReplicasMaxLagSeconds',
      minReplicasMaxLagSeconds,
      `at most ${maxLagLimit} (downAfterMilliseconds ${downAfterMilliseconds} in seconds, minus ${MAX_LAG_MARGIN_SECONDS}), so an isolated master stops taking writes before a failover starts`,
    );
  }

  if (props.appendFsync !== undefined && !dataDefaults.persistentData) {
    fail('appendFsync', props.appendFsync, 'only with DataClass.SYSTEM_OF_RECORD: a CACHE keeps no append-only file');
  }
  const evictionPolicy = props.evictionPolicy ?? (dataDefaults.evictsWhenFull ? EvictionPolicy.ALLKEYS_LRU : EvictionPolicy.NO_EVICTION);
  if (!dataDefaults.evictsWhenFull && evictionPolicy !== EvictionPolicy.NO_EVICTION) {
    fail('evictionPolicy', evictionPolicy, 'EvictionPolicy.NO_EVICTION for DataClass.SYSTEM_OF_RECORD: a system of record never drops keys');
  }

  const memory = props.memory ?? Size.gibibytes(1);
  const memoryMebibytes = mebibytes('memory', memory, 64);
  const memoryBytes = memoryMebibytes * MEBIBYTE;
  const maxmemoryBytes = props.maxmemory === undefined ? Math.floor(memoryBytes * MAXMEMORY_SHARE) : props.maxmemory.toMebibytes() * MEBIBYTE;
  if (maxmemoryBytes > memoryBytes || maxmemoryBytes <= 0) {
    fail('maxmemory', `${maxmemoryBytes / MEBIBYTE}Mi`, `more than 0 and at most the memory request (${memoryBytes / MEBIBYTE}Mi)`);
  }
  const replicationBacklogBytes = resolveReplicationBacklog(props, memoryBytes, fail);
  const cpuMillis = wholeNumber('cpuMillis', props.cpuMillis ?? 500, 1);
  if (props.storageSize !== undefined && !dataDefaults.persistentData) {
    fail(
      'storageSize',
      `${props.storageSize.toMebibytes({ rounding: SizeRoundingBehavior.NONE })}Mi`,
      'only with DataClass.SYSTEM_OF_RECORD: a CACHE keeps its data in memory, on no volume',
    );
  }

  const handoverTimeoutSeconds = wholeNumber('handoverTimeoutSeconds', props.handoverTimeoutSeconds ?? 30, 1);
  const shutdownTimeoutSeconds = wholeNumber('shutdownTimeoutSeconds', props.shutdownTimeoutSeconds ?? 10, 0);
  const minimumGrace = handoverTimeoutSeconds + shutdownTimeoutSeconds + 5;
  const terminationGracePeriodSeconds = wholeNumber('terminationGracePeriodSeconds', props.terminationGracePeriodSeconds ?? minimumGrace, 0);
  if (terminationGracePeriodSeconds < minimumGrace) {
    fail(
      'terminationGracePeriodSeconds',
      terminationGracePeriodSeconds,
      `at least handoverTimeoutSeconds + shutdownTimeoutSeconds + 5 = ${minimumGrace}, or SIGKILL cuts the handover short`,
    );
  }

  const placement = resolvePodPlacement(validator, props, tierDefaults, scenario);
  const passwordAuthentication = props.passwordAuthentication ?? true;
  const passwordSecretName = props.passwordSecretName ?? `${id}-redis-auth`;
  if (passwordAuthentication && !isDnsLabel(passwordSecretName, 253)) {
    fail('passwordSecretName', passwordSecretName, 'the name of a Secret: lower-case letters, digits and "-"');
  }
  if (!passwordAuthentication) {
    for (const prop of ['passwordSecretName', 'passwordSecretKey', 'passwordSecretAlsoAcceptedKey', 'passwordSecretVersion'] as const) {
      if (props[prop] !== undefined) {
        fail(prop, props[prop], 'only with passwordAuthentication: true (without a password there is no Secret to read)');
      }
    }
  }
  const passwordSecretKey = secretKey('passwordSecretKey', props.passwordSecretKey ?? 'password');
  const alsoAcceptedKey = secretKey('passwordSecretAlsoAcceptedKey', props.passwordSecretAlsoAcceptedKey ?? 'also-accepted-password');
  if (alsoAcceptedKey === passwordSecretKey) {
    fail('passwordSecretAlsoAcceptedKey', alsoAcceptedKey, `a key other than passwordSecretKey ${JSON.stringify(passwordSecretKey)}`);
  }
  const passwordSecretVersion = props.passwordSecretVersion;
  if (passwordSecretVersion !== undefined && (typeof passwordSecretVersion !== 'string' || passwordSecretVersion.trim() === '')) {
    fail('passwordSecretVersion', passwordSecretVersion, 'a non-empty string, changed whenever the Secret changes');
  }
  if (props.masterEndpoint !== undefined && typeof props.masterEndpoint !== 'boolean') {
    fail('masterEndpoint', props.masterEndpoint, 'true or false');
  }
  const masterEndpointImage = props.masterEndpointImage ?? HAPROXY_IMAGE;
  if (props.masterEndpointImage !== undefined && props.masterEndpoint !== true) {
    fail('masterEndpointImage', props.masterEndpointImage, 'only with masterEndpoint: true');
  }
  imageReference('masterEndpointImage', masterEndpointImage, 'haproxy:3.2.19');

  return {
    name: id,
    masterSetName,
    tier,
    dataClass,
    replicas,
    sentinels,
    quorum,
    redisQuorum: Math.min(replicas - 1, Math.max(minReplicasToWrite + 1, majority(replicas))),
    redisPort,
    sentinelPort,
    downAfterMilliseconds,
    failoverTimeoutMilliseconds,
    parallelSyncs,
    minReplicasToWrite,
    minReplicasMaxLagSeconds,
    persistentData: dataDefaults.persistentData,
    appendFsync: props.appendFsync ?? AppendFsync.EVERY_SECOND,
    evictionPolicy,
    memory,
    cpuMillis,
    maxmemoryBytes,
    replicaOutputBufferBytes: Math.floor((memoryBytes * REPLICA_BUFFERS_SHARE) / Math.max(1, replicas - 1)),
    replicationBacklogBytes,
    storageSize: props.storageSize ?? Size.mebibytes(memory.toMebibytes() * 4),
    storageClassName: props.storageClassName,
    sentinelStorageSize: props.sentinelStorageSize ?? Size.mebibytes(256),
    sentinelMemory: props.sentinelMemory ?? Size.mebibytes(128),
    sentinelCpuMillis: wholeNumber('sentinelCpuMillis', props.sentinelCpuMillis ?? 50, 1),
    passwordSecret: passwordAuthentication
      ? { name: passwordSecretName, key: passwordSecretKey, alsoAcceptedKey, version: passwordSecretVersion }
      : undefined,
    masterEndpoint: props.masterEndpoint === true ? { image: masterEndpointImage, replicas: MASTER_ENDPOINT_REPLICAS } : undefined,
    handoverTimeoutSeconds,
    shutdownTimeoutSeconds,
    terminationGracePeriodSeconds,
    sentinelTerminationGracePeriodSeconds: 10,
    minReadySeconds: wholeNumber('minReadySeconds', props.minReadySeconds ?? 10, 0),
    image: props.image ?? REDIS_IMAGE,
    ...placement,
    ...resolveMonitoring(props, REDIS_EXPORTER_IMAGE, metricsPort),
  };
}

/**
 * The backlog that lets a replica away for `replicaOutageToResumeSeconds` at `peakWriteMebibytesPerSecond` resume
 * with a partial resync. Given explicitly, both must fit in REPLICATION_BACKLOG_SHARE of the memory; by default the
 * outage shrinks to what fits.
 */
function resolveReplicationBacklog(
  props: RedisSentinelProps,
  memoryBytes: number,
  fail: (prop: string, value: unknown, allowed: string) => never,
): number {
  const rate = props.peakWriteMebibytesPerSecond ?? 1;
  if (!Number.isFinite(rate) || rate <= 0) {
    fail('peakWriteMebibytesPerSecond', rate, 'a number of MiB per second above 0');
  }
  const capMebibytes = Math.floor((memoryBytes * REPLICATION_BACKLOG_SHARE) / MEBIBYTE);
  const seconds = props.replicaOutageToResumeSeconds;
  if (seconds === undefined) {
    return Math.max(1, Math.min(capMebibytes, Math.ceil(rate * DEFAULT_REPLICA_OUTAGE_TO_RESUME_SECONDS))) * MEBIBYTE;
  }
  if (!Number.isInteger(seconds) || seconds < 1) {
    fail('replicaOutageToResumeSeconds', seconds, 'a whole number of seconds, at least 1');
  }
  const backlogMebibytes = Math.max(1, Math.ceil(rate * seconds));
  if (backlogMebibytes > capMebibytes) {
    fail(
      'replicaOutageToResumeSeconds',
      seconds,
      `at most ${Math.floor(capMebibytes / rate)} at peakWriteMebibytesPerSecond ${rate}: the backlog (${backlogMebibytes}Mi) must fit in a tenth of memory (${capMebibytes}Mi of ${memoryBytes / MEBIBYTE}Mi)`,
    );
  }
  return backlogMebibytes * MEBIBYTE;
}
