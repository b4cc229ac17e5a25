/**
 * The synthesized Redis alerts, run by promtool against the series that redis_exporter and the PodMonitor produce.
 * Each scenario describes the pods of a set over time; the series, their labels and their staleness follow from it the
 * way Prometheus would record them, so no test hand-writes a series that the exporter could not produce.
 */

import { join } from 'node:path';
import { Testing } from 'cdk8s';
import { BusinessScenario, DataClass, RedisSentinel, RedisSentinelProps, Tier } from '../../lib';
import type { AlertSpec, CaseTiming, ExpectedAlert, Labels, RuleExpectation, Sample, Scenario } from '../support/promtool';
import {
  alertScenarioInput,
  componentAlert as setAlert,
  firesDelayed,
  promtoolRuleSetTests,
  promtoolWorkDir,
  quietThroughout,
  scenarioTestGroup,
  seriesName,
  STEP,
} from '../support/promtool';
import { findObject } from '../support/scenario';

/** When trouble starts in a scenario: the samples before it give counters and ranges a history. */
const FAULT_AT = 120;
const ROUTING = { owner: 'team-checkout', scenario: 'shop', component: 'redis-sentinel' };

interface SynthesizedRule {
  readonly alert: string;
  readonly for: string;
  readonly annotations: Labels;
}

/** What the rules and the series of one Redis set depend on. */
interface RedisSet {
  readonly namespace: string;
  readonly name: string;
  /** Second octet of the set's pod IPs, so two sets never share an `instance`. */
  readonly subnet: number;
  readonly tier: Tier;
  readonly dataClass: DataClass;
  readonly replicas: number;
  readonly sentinels: number;
  readonly quorum: number;
  readonly masterSetName: string;
  readonly redisPort: number;
  readonly metricsPort: number;
  readonly maxmemoryBytes: number;
}

/** One Redis pod at one moment, as its exporter reports it. */
interface RedisPod {
  /** Bumped when a deleted pod is replaced: the new pod has a new IP, so new series. */
  readonly generation: number;
  /** Prometheus reaches the exporter. */
  readonly scraped: boolean;
  /** The exporter reaches Redis. */
  readonly serving: boolean;
  readonly role: 'master' | 'slave';
  readonly masterOrdinal: number;
  readonly linkUp: boolean;
  readonly memoryUsedBytes: number;
  readonly maxmemoryBytes: number;
  readonly rejectedConnections: number;
  readonly aofWriteOk: boolean;
  readonly aofRewriteOk: boolean;
  readonly snapshotOk: boolean;
}

/** One Sentinel pod at one moment, as its exporter reports it. */
interface SentinelPod {
  readonly generation: number;
  readonly scraped: boolean;
  readonly serving: boolean;
  /** `redis_sentinel_master_ok_sentinels`: the sentinels this one sees healthy, itself included. */
  readonly okSentinels: number;
  readonly masterOrdinal: number;
}

/** The pods of a set over time; undefined while a pod does not exist. */
interface World {
  readonly redis: (ordinal: number, seconds: number) => RedisPod | undefined;
  readonly sentinel: (ordinal: number, seconds: number) => SentinelPod | undefined;
}

/** What the cases of one alert are built from: the set under test, the rule's `for`, and the scenarios' length. */
interface CaseContext extends CaseTiming {
  readonly set: RedisSet;
}

// ---------------------------------------------------------------------------------------------------------------
// Series, as the PodMonitor labels them and the exporter names them.

function targetLabels(set: RedisSet, component: 'redis' | 'sentinel', ordinal: number, generation = 0): Labels {
  const firstHost = component === 'redis' ? 10 : 50;
  return {
    namespace: set.namespace,
    app_kubernetes_io_instance: set.name,
    app_kubernetes_io_component: component,
    pod: `${set.name}-${component}-${ordinal}`,
    container: 'metrics',
    endpoint: 'metrics',
    instance: `10.${set.subnet}.${generation}.${firstHost + ordinal}:${set.metricsPort}`,
    job: `${set.namespace}/${set.name}-redis`,
  };
}

/** The name a replica follows its master by: start-redis.sh announces pod DNS names. */
function redisHost(set: RedisSet, ordinal: number): string {
  return `${set.name}-redis-${ordinal}.${set.name}-redis-headless.${set.namespace}.svc.cluster.local`;
}

/** `up` (Prometheus reached the exporter) and, once it did, `redis_up` (the exporter reached the process). */
function reachabilitySamples(target: Labels, pod: { readonly scraped: boolean; readonly serving: boolean }): Sample[] {
  const up: Sample = [seriesName('up', target), pod.scraped ? 1 : 0];
  return pod.scraped ? [up, [seriesName('redis_up', target), pod.serving ? 1 : 0]] : [up];
}

/** What one scrape of a Redis pod records; a series the exporter leaves out goes stale. */
function redisSamples(set: RedisSet, ordinal: number, pod: RedisPod): Sample[] {
  const target = targetLabels(set, 'redis', ordinal, pod.generation);
  const reachability = reachabilitySamples(target, pod);
  if (!pod.scraped || !pod.serving) {
    return reachability;
  }
  const info = { ...target, redis_mode: 'standalone', redis_version: '7.0.15', role: pod.role, tcp_port: String(set.redisPort) };
  const link = { ...target, master_host: redisHost(set, pod.masterOrdinal), master_port: String(set.redisPort) };
  return [
    ...reachability,
    [seriesName('redis_instance_info', info), 1],
    ...(pod.role === 'slave' ? [[seriesName('redis_master_link_up', link), pod.linkUp ? 1 : 0] as const] : []),
    [seriesName('redis_memory_used_bytes', target), Math.round(pod.memoryUsedBytes)],
    [seriesName('redis_memory_max_bytes', target), pod.maxmemoryBytes],
    [seriesName('redis_rejected_connections_total', target), pod.rejectedConnections],
    [seriesName('redis_aof_last_write_status', target), pod.aofWriteOk ? 1 : 0],
    [seriesName('redis_aof_last_bgrewrite_status', target), pod.aofRewriteOk ? 1 : 0],
    [seriesName('redis_rdb_last_bgsave_status', target), pod.snapshotOk ? 1 : 0],
  ];
}

/** A sentinel's INFO has no role, so its `redis_instance_info` has none either. */
function sentinelSamples(set: RedisSet, ordinal: number, pod: SentinelPod): Sample[] {
  const target = targetLabels(set, 'sentinel', ordinal, pod.generation);
  const reachability = reachabilitySamples(target, pod);
  if (!pod.scraped || !pod.serving) {
    return reachability;
  }
  const master = { master_name: set.masterSetName, master_address: `${redisHost(set, pod.masterOrdinal)}:${set.redisPort}` };
  return [
    ...reachability,
    [seriesName('redis_instance_info', { ...target, redis_mode: 'sentinel', redis_version: '7.0.15', tcp_port: '26379' }), 1],
    [seriesName('redis_sentinel_master_ok_sentinels', { ...target, ...master }), pod.okSentinels],
  ];
}

function scrape(set: RedisSet, world: World, seconds: number): Sample[] {
  const samples: Sample[] = [];
  for (let ordinal = 0; ordinal < set.replicas; ordinal++) {
    const pod = world.redis(ordinal, seconds);
    samples.push(...(pod ? redisSamples(set, ordinal, pod) : []));
  }
  for (let ordinal = 0; ordinal < set.sentinels; ordinal++) {
    const pod = world.sentinel(ordinal, seconds);
    samples.push(...(pod ? sentinelSamples(set, ordinal, pod) : []));
  }
  return samples;
}

// ---------------------------------------------------------------------------------------------------------------
// Worlds: a healthy set, and the trouble each scenario adds to it from FAULT_AT on.

function healthyRedis(set: RedisSet, ordinal: number): RedisPod {
  return {
    generation: 0,
    scraped: true,
    serving: true,
    role: ordinal === 0 ? 'master' : 'slave',
    masterOrdinal: 0,
    linkUp: true,
    memoryUsedBytes: set.maxmemoryBytes / 2,
    maxmemoryBytes: set.maxmemoryBytes,
    rejectedConnections: 0,
    aofWriteOk: true,
    aofRewriteOk: true,
    snapshotOk: true,
  };
}

function healthySentinel(set: RedisSet): SentinelPod {
  return { generation: 0, scraped: true, serving: true, okSentinels: set.sentinels, masterOrdinal: 0 };
}

function healthyWorld(set: RedisSet): World {
  return { redis: (ordinal) => healthyRedis(set, ordinal), sentinel: () => healthySentinel(set) };
}

type Trouble<Pod> = (pod: Pod, ordinal: number, sinceFault: number) => Pod | undefined;

function redisTrouble(set: RedisSet, trouble: Trouble<RedisPod>): World {
  return {
    ...healthyWorld(set),
    redis: (ordinal, seconds) => (seconds < FAULT_AT ? healthyRedis(set, ordinal) : trouble(healthyRedis(set, ordinal), ordinal, seconds - FAULT_AT)),
  };
}

function sentinelTrouble(set: RedisSet, trouble: Trouble<SentinelPod>): World {
  return {
    ...healthyWorld(set),
    sentinel: (ordinal, seconds) => (seconds < FAULT_AT ? healthySentinel(set) : trouble(healthySentinel(set), ordinal, seconds - FAULT_AT)),
  };
}

const healthy = (set: RedisSet): Scenario<World> => ({ name: 'a healthy set', world: healthyWorld(set) });

/**
 * The master's Redis crashes; the sentinels promote redis-1 after 30 s and the other replicas resynchronise with it;
 * the old master restarts with its old role after 45 s and is demoted 30 s later. Every condition lasts at most 45 s,
 * less than the shortest tier delay (60 s), so nothing may page.
 */
function failover(set: RedisSet): Scenario<World> {
  const promotedAfter = 30;
  const restartedAfter = 45;
  const demotedAfter = 75;
  const resyncSeconds = 15;
  const follow = (pod: RedisPod, switchedAfter: number, sinceFault: number): RedisPod => ({
    ...pod,
    role: 'slave',
    masterOrdinal: 1,
    linkUp: sinceFault >= switchedAfter + resyncSeconds,
  });
  return {
    name: 'a failover that completes within the alert delay',
    world: {
      ...redisTrouble(set, (pod, ordinal, sinceFault) => {
        if (ordinal === 0) {
          return sinceFault < restartedAfter ? { ...pod, serving: false } : sinceFault < demotedAfter ? pod : follow(pod, demotedAfter, sinceFault);
        }
        if (sinceFault < promotedAfter) {
          return { ...pod, linkUp: false };
        }
        return ordinal === 1 ? { ...pod, role: 'master' } : follow(pod, promotedAfter, sinceFault);
      }),
      sentinel: (_, seconds) => ({ ...healthySentinel(set), masterOrdinal: seconds >= FAULT_AT + promotedAfter ? 1 : 0 }),
    },
  };
}

/** The last `lost` sentinel pods are deleted; the others see them down one scrape later. */
function sentinelsGone(set: RedisSet, lost: number): Scenario<World> {
  const remaining = set.sentinels - lost;
  return {
    name: `${lost} of ${set.sentinels} sentinel pods are gone, ${remaining} remain (quorum ${set.quorum})`,
    world: sentinelTrouble(set, (pod, ordinal, sinceFault) =>
      ordinal >= remaining ? undefined : { ...pod, okSentinels: sinceFault >= STEP ? remaining : set.sentinels },
    ),
  };
}

const sentinelProcessesDown = (set: RedisSet): Scenario<World> => ({
  name: 'every sentinel process is down while its exporter still answers',
  world: sentinelTrouble(set, (pod) => ({ ...pod, serving: false })),
});

/** The last sentinel loses its peers; the others still see each other and can fail over. */
const sentinelCutOff = (set: RedisSet): Scenario<World> => ({
  name: `${set.name}-sentinel-${set.sentinels - 1} is cut off from its peers; the other ${set.sentinels - 1} see each other`,
  world: sentinelTrouble(set, (pod, ordinal) => ({ ...pod, okSentinels: ordinal === set.sentinels - 1 ? 1 : set.sentinels - 1 })),
});

const sentinelReplaced = (set: RedisSet, delay: number): Scenario<World> => ({
  name: `${set.name}-sentinel-0 is replaced within the alert delay`,
  world: sentinelTrouble(set, (pod, ordinal, sinceFault) => {
    const replacing = sinceFault < delay - 2 * STEP;
    if (ordinal === 0) {
      return replacing ? undefined : { ...pod, generation: 1 };
    }
    return replacing && sinceFault >= STEP ? { ...pod, okSentinels: set.sentinels - 1 } : pod;
  }),
});

/** Another set in which every alert would fire: none of its series may reach the alerts of the set under test. */
function brokenNeighbour(set: RedisSet): World {
  return {
    redis: (ordinal, seconds) => {
      const pod = healthyRedis(set, ordinal);
      switch (ordinal) {
        case 0:
          return {
            ...pod,
            memoryUsedBytes: set.maxmemoryBytes,
            rejectedConnections: seconds / STEP,
            aofWriteOk: false,
            aofRewriteOk: false,
            snapshotOk: false,
          };
        case 1:
          return { ...pod, role: 'master' };
        case 2:
          return { ...pod, linkUp: false };
        default:
          return { ...pod, serving: false };
      }
    },
    sentinel: (ordinal) => (ordinal === 0 ? { ...healthySentinel(set), okSentinels: 1 } : { ...healthySentinel(set), serving: false }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The cases of each alert: when it must fire, with which labels and summary, and when it must stay quiet.

/** Quiet until the rule's `for` has passed since FAULT_AT (pending, for a rule with one), then firing. */
const firesAfterDelay = (delay: number, scenario: Scenario<World>, alerts: ExpectedAlert[]) => firesDelayed(FAULT_AT, delay, scenario, alerts);

function redisPodAlert(set: RedisSet, ordinal: number, summary: string, labels: Labels = {}): ExpectedAlert {
  return { labels: { ...targetLabels(set, 'redis', ordinal), ...labels }, summary };
}

const redisPod = (set: RedisSet, ordinal: number) => `${set.name}-redis-${ordinal}`;
const critical = 'critical';
const warning = 'warning';

const ALERTS: Record<string, AlertSpec<CaseContext, World>> = {
  RedisInstanceDown: {
    severity: critical,
    cases: ({ set, delay, horizon }) => [
      firesAfterDelay(
        delay,
        {
          name: `Redis on ${redisPod(set, 2)} stops answering and the exporter of ${redisPod(set, 1)} cannot be scraped`,
          world: redisTrouble(set, (pod, ordinal) => (ordinal === 1 ? { ...pod, scraped: false } : ordinal === 2 ? { ...pod, serving: false } : pod)),
        },
        [1, 2].map((ordinal) => redisPodAlert(set, ordinal, `Redis ${set.name}: ${redisPod(set, ordinal)} is down`)),
      ),
      quietThroughout(horizon, {
        name: `Redis on ${redisPod(set, 2)} restarts within the alert delay`,
        world: redisTrouble(set, (pod, ordinal, sinceFault) => (ordinal === 2 && sinceFault < delay - 2 * STEP ? { ...pod, serving: false } : pod)),
      }),
    ],
  },
  RedisInstanceMissing: {
    severity: critical,
    cases: ({ set, delay, horizon }) => [
      firesAfterDelay(
        delay,
        {
          name: `${redisPod(set, 2)} is deleted and not replaced`,
          world: redisTrouble(set, (pod, ordinal) => (ordinal === 2 ? undefined : pod)),
        },
        [setAlert(`Redis ${set.name}: fewer than ${set.replicas} pods are scraped`)],
      ),
      quietThroughout(horizon, {
        name: `${redisPod(set, 2)} is replaced, with a new IP, within the alert delay`,
        world: redisTrouble(set, (pod, ordinal, sinceFault) => {
          if (ordinal !== 2) {
            return pod;
          }
          return sinceFault < delay - 2 * STEP ? undefined : { ...pod, generation: 1 };
        }),
      }),
    ],
  },
  RedisNoMaster: {
    severity: critical,
    cases: ({ set, delay }) => [
      firesAfterDelay(
        delay,
        {
          name: 'the master fails and no replica is promoted',
          world: redisTrouble(set, (pod, ordinal) => (ordinal === 0 ? { ...pod, serving: false } : { ...pod, linkUp: false })),
        },
        [setAlert(`Redis ${set.name} has no master`)],
      ),
    ],
  },
  RedisMultipleMasters: {
    severity: critical,
    cases: ({ set, delay }) => [
      firesAfterDelay(
        delay,
        {
          name: `${redisPod(set, 1)} is promoted while the old master, cut off from the sentinels, keeps its role`,
          world: redisTrouble(set, (pod, ordinal) =>
            ordinal === 1 ? { ...pod, role: 'master' } : ordinal === 0 ? pod : { ...pod, masterOrdinal: 1 },
          ),
        },
        [setAlert(`Redis ${set.name} has more than one master`)],
      ),
    ],
  },
  RedisReplicationBroken: {
    severity: critical,
    cases: ({ set, delay, horizon }) => [
      firesAfterDelay(
        delay,
        {
          name: `${redisPod(set, 1)} loses its link to the master`,
          world: redisTrouble(set, (pod, ordinal) => (ordinal === 1 ? { ...pod, linkUp: false } : pod)),
        },
        [
          redisPodAlert(set, 1, `Redis ${set.name}: replica ${redisPod(set, 1)} is not replicating`, {
            master_host: redisHost(set, 0),
            master_port: String(set.redisPort),
          }),
        ],
      ),
      quietThroughout(horizon, {
        name: `${redisPod(set, 1)} resynchronises within the alert delay`,
        world: redisTrouble(set, (pod, ordinal, sinceFault) => (ordinal === 1 && sinceFault < delay - 2 * STEP ? { ...pod, linkUp: false } : pod)),
      }),
    ],
  },
  RedisSentinelQuorumAtRisk: {
    severity: warning,
    cases: ({ set, delay, horizon }) => {
      const atRisk = [setAlert(`Redis ${set.name}: one more lost sentinel stops failover`)];
      const marginAboveQuorum = set.sentinels - set.quorum;
      return [
        firesAfterDelay(delay, sentinelsGone(set, marginAboveQuorum), atRisk),
        firesAfterDelay(delay, sentinelProcessesDown(set), atRisk),
        set.sentinels - 1 > set.quorum ? quietThroughout(horizon, sentinelCutOff(set)) : firesAfterDelay(delay, sentinelCutOff(set), atRisk),
        ...(marginAboveQuorum > 1 ? [quietThroughout(horizon, sentinelsGone(set, marginAboveQuorum - 1))] : []),
        quietThroughout(horizon, sentinelReplaced(set, delay)),
      ];
    },
  },
  RedisSentinelQuorumLost: {
    severity: critical,
    cases: ({ set, delay, horizon }) => {
      const lost = [setAlert(`Redis ${set.name}: sentinels cannot fail over`)];
      return [
        firesAfterDelay(delay, sentinelsGone(set, set.sentinels - set.quorum + 1), lost),
        firesAfterDelay(delay, sentinelProcessesDown(set), lost),
        quietThroughout(horizon, sentinelsGone(set, set.sentinels - set.quorum)),
        quietThroughout(horizon, sentinelCutOff(set)),
        quietThroughout(horizon, sentinelReplaced(set, delay)),
      ];
    },
  },
  RedisMemoryNearMaxmemory: {
    severity: ({ set }) => (set.dataClass === DataClass.SYSTEM_OF_RECORD ? 'critical' : 'warning'),
    cases: ({ set, delay, horizon }) => [
      firesAfterDelay(
        delay,
        {
          name: `${redisPod(set, 0)} uses 95% of maxmemory`,
          world: redisTrouble(set, (pod, ordinal) => (ordinal === 0 ? { ...pod, memoryUsedBytes: pod.maxmemoryBytes * 0.95 } : pod)),
        },
        [redisPodAlert(set, 0, `Redis ${set.name}: ${redisPod(set, 0)} uses over 90% of maxmemory`)],
      ),
      quietThroughout(horizon, {
        name: `${redisPod(set, 1)} uses 85% of maxmemory and ${redisPod(set, 2)}, without a maxmemory limit, more than the others' limit`,
        world: redisTrouble(set, (pod, ordinal) => {
          if (ordinal === 1) {
            return { ...pod, memoryUsedBytes: pod.maxmemoryBytes * 0.85 };
          }
          return ordinal === 2 ? { ...pod, memoryUsedBytes: pod.maxmemoryBytes * 2, maxmemoryBytes: 0 } : pod;
        }),
      }),
    ],
  },
  RedisRejectedConnections: {
    severity: warning,
    cases: ({ set, delay, horizon }) => [
      firesAfterDelay(
        delay,
        {
          name: `${redisPod(set, 0)} rejects 3 connections at maxclients`,
          world: redisTrouble(set, (pod, ordinal) => (ordinal === 0 ? { ...pod, rejectedConnections: 3 } : pod)),
        },
        [redisPodAlert(set, 0, `Redis ${set.name}: ${redisPod(set, 0)} rejected connections`)],
      ),
      quietThroughout(horizon, {
        name: `${redisPod(set, 1)} rejected connections long ago, then restarts and its counter resets`,
        world: {
          ...healthyWorld(set),
          redis: (ordinal, seconds) => {
            const pod = healthyRedis(set, ordinal);
            if (ordinal !== 1) {
              return pod;
            }
            return seconds < FAULT_AT ? { ...pod, rejectedConnections: 7 } : seconds < FAULT_AT + STEP ? { ...pod, serving: false } : pod;
          },
        },
      }),
    ],
  },
  RedisWaitingForMissingMaster: {
    severity: critical,
    cases: ({ set, delay, horizon }) => [
      firesAfterDelay(
        delay,
        {
          name: `the pod of the master ${redisPod(set, 0)} is gone and the replicas, which never synced, keep following it`,
          world: redisTrouble(set, (pod, ordinal) => (ordinal === 0 ? undefined : { ...pod, linkUp: false })),
        },
        [
          {
            labels: { master_pod: redisPod(set, 0) },
            summary: `Redis ${set.name} waits for ${redisPod(set, 0)}, which holds its data and is not running`,
          },
        ],
      ),
      quietThroughout(horizon, {
        name: `the master ${redisPod(set, 0)} runs but does not answer (not gone: RedisNoMaster's case)`,
        world: redisTrouble(set, (pod, ordinal) => (ordinal === 0 ? { ...pod, serving: false } : { ...pod, linkUp: false })),
      }),
      quietThroughout(horizon, {
        name: `the pod of the master ${redisPod(set, 0)} is gone and a replica that holds the data takes over within the delay`,
        world: redisTrouble(set, (pod, ordinal, sinceFault) => {
          if (ordinal === 0) {
            return undefined;
          }
          if (sinceFault < delay - 2 * STEP) {
            return { ...pod, linkUp: false };
          }
          return ordinal === 1 ? { ...pod, role: 'master' } : { ...pod, masterOrdinal: 1 };
        }),
      }),
    ],
  },
  RedisPersistenceFailing: {
    severity: critical,
    cases: ({ set, delay }) => [
      firesAfterDelay(
        delay,
        {
          name: `an AOF rewrite fails on ${redisPod(set, 0)} and a snapshot on ${redisPod(set, 1)}`,
          world: redisTrouble(set, (pod, ordinal) =>
            ordinal === 0 ? { ...pod, aofRewriteOk: false } : ordinal === 1 ? { ...pod, snapshotOk: false } : pod,
          ),
        },
        [0, 1].map((ordinal) => redisPodAlert(set, ordinal, `Redis ${set.name}: ${redisPod(set, ordinal)} failed to persist`)),
      ),
      firesAfterDelay(
        delay,
        {
          name: `${redisPod(set, 0)} cannot write its AOF (disk full) and refuses writes`,
          world: redisTrouble(set, (pod, ordinal) => (ordinal === 0 ? { ...pod, aofWriteOk: false } : pod)),
        },
        [redisPodAlert(set, 0, `Redis ${set.name}: ${redisPod(set, 0)} failed to persist`)],
      ),
    ],
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Synthesis and promtool.

interface SetUnderTest {
  readonly title: string;
  readonly props: RedisSentinelProps;
}

const SETS: readonly SetUnderTest[] = [
  { title: 'a CRITICAL SYSTEM_OF_RECORD set', props: {} },
  { title: 'a STANDARD CACHE set', props: { tier: Tier.STANDARD, dataClass: DataClass.CACHE } },
  { title: 'a HIGH set with 4 Redis pods and 5 sentinels', props: { tier: Tier.HIGH, replicas: 4, sentinels: 5 } },
];

function synthesize(props: RedisSentinelProps): { set: RedisSet; groups: { name: string; rules: SynthesizedRule[] }[] } {
  const scenario = new BusinessScenario(Testing.app(), 'shop', { owner: 'team-checkout', namespace: 'shop', tier: Tier.CRITICAL });
  const { plan } = new RedisSentinel(scenario, 'sessions', props);
  const rule = findObject(scenario.toJson(), 'PrometheusRule', 'sessions-redis-alerts');
  const set: RedisSet = {
    namespace: 'shop',
    name: plan.name,
    subnet: 1,
    tier: plan.tier,
    dataClass: plan.dataClass,
    replicas: plan.replicas,
    sentinels: plan.sentinels,
    quorum: plan.quorum,
    masterSetName: plan.masterSetName,
    redisPort: plan.redisPort,
    metricsPort: plan.metricsPort,
    maxmemoryBytes: plan.maxmemoryBytes,
  };
  return { set, groups: rule.spec.groups };
}

function neighbours(set: RedisSet): (readonly [RedisSet, World])[] {
  const neighbourSets = [
    { ...set, name: 'carts', subnet: 2, replicas: 4, sentinels: 3, quorum: 2, masterSetName: 'carts' },
    { ...set, namespace: 'staging', subnet: 3, replicas: 4, sentinels: 3, quorum: 2 },
  ];
  return neighbourSets.map((neighbour) => [neighbour, brokenNeighbour(neighbour)] as const);
}

function seconds(duration: string): number {
  const [, amount, unit] = /^(\d+)([sm])$/.exec(duration) ?? [];
  if (amount === undefined) {
    throw new Error(`unexpected duration ${duration}`);
  }
  return Number(amount) * (unit === 'm' ? 60 : 1);
}

/** A promtool test group of the scenario, next to the broken neighbours, with the expectations of some rules. */
function setTestGroup(set: RedisSet, scenario: Scenario<World>, horizon: number, expectations: readonly RuleExpectation[]): object {
  return scenarioTestGroup(scenario, set, neighbours(set), scrape, horizon, { ...ROUTING, tier: set.tier }, expectations);
}

const workDir = promtoolWorkDir('redis-alerts-');

describe.each(SETS)('promtool on the alerts of $title', ({ title, props }) => {
  const { set, groups } = synthesize(props);
  const rules = groups.flatMap((group) => group.rules);
  const slowestDelay = Math.max(...rules.map((rule) => seconds(rule.for)));
  // Long enough to see a condition that outlasts the slowest delay fire, and a shorter one pass without firing.
  const horizon = FAULT_AT + 2 * slowestDelay + 120;

  promtoolRuleSetTests(
    join(workDir, title.replace(/\W+/g, '-')),
    () =>
      alertScenarioInput({
        groups,
        rules,
        horizon,
        routine: [healthy(set), failover(set)],
        specs: ALERTS,
        context: (rule) => ({ set, delay: seconds(rule.for), horizon }),
        testGroup: (scenario, expectations) => setTestGroup(set, scenario, horizon, expectations),
      }),
    {
      ruleCount: rules.length,
      routine: 'no alert fires for a healthy set next to broken sets (another instance, another namespace), nor during a failover within the delay',
      alerts: rules.map((rule) => rule.alert),
      specsName: 'ALERTS',
    },
  );
});
