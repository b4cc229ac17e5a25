import { Testing } from 'cdk8s';
import { BusinessScenario, RedisSentinel, RedisSentinelProps, Tier } from '../../lib';
import { RedisSentinelCluster, destroyAllClusters, assertRedisPodsAvailable } from '../components/redis/harness/cluster';
import {
  acknowledged,
  answeredOk,
  keyValue,
  longestOutageMs,
  majorityMovedAt,
  nonElectedWrites,
  okNotAcknowledged,
  okRate,
} from '../components/redis/harness/history';
import { LoadLog, WriteRecord } from '../components/redis/harness/load';
import { resolveEnv } from '../support/harness/manifest';
import { sleep } from '../support/harness/wait';
import { FaultRow, writeRow } from './report';

/**
 * What every fault test shares: the set it runs (synthesized by the real construct, never a hand-written copy), its
 * bootstrap, the load's verdict (acknowledged writes checked key by key on the final master), and the report row.
 */

/** Quotes and backslashes, which redis.conf and sentinel.conf read as escapes unless the scripts quote them. */
export const PASSWORD = 'fault+Pa55/"word\\x41=';
export const PASSWORD_SECRET = 'sessions-redis-auth';
const SECRETS = { [PASSWORD_SECRET]: { password: PASSWORD } };

/**
 * Shorter than the shipped CRITICAL timings (5000 / 10000 / 2), so that a failover takes seconds; scenarios that
 * must prove the shipped timings run with none of these.
 */
export const SHORT_TIMINGS: RedisSentinelProps = {
  downAfterMilliseconds: 4000,
  failoverTimeoutMilliseconds: 6000,
  minReplicasMaxLagSeconds: 1,
  handoverTimeoutSeconds: 15,
  minReadySeconds: 2,
};

/** Load before a fault, so the write rate is measured on a settled set. */
export const WARM_UP_MS = 3000;

/** The minimum write rate the issue asks of the load. */
export const MIN_WRITES_PER_SECOND = 200;

export type FaultScenario = (
  id: string,
  title: string,
  props: RedisSentinelProps,
  body: (context: FaultContext) => Promise<void>,
  timeoutMs: number,
) => void;

/**
 * A describe block of fault scenarios. They are independent (each builds its own set on its own network) and run
 * concurrently; REDIS_HARNESS_SERIAL=1 runs them one after another.
 */
export function describeFaults(title: string, scenarios: (scenario: FaultScenario) => void): void {
  const concurrent = process.env.REDIS_HARNESS_SERIAL === '1' ? test : test.concurrent;
  describe(title, () => {
    beforeAll(() => {
      assertRedisPodsAvailable();
    });
    afterAll(async () => {
      // Each scenario destroys its own set; this catches one that timed out in the middle.
      await destroyAllClusters();
    });
    scenarios((id, scenarioTitle, props, body, timeoutMs) =>
      concurrent(`${id}. ${scenarioTitle}`, () => withFaultCluster({ id, title: scenarioTitle }, props, body), timeoutMs),
    );
  });
}

/** Starts the load and lets it run for WARM_UP_MS. */
export async function startLoad(cluster: RedisSentinelCluster, name: string): Promise<void> {
  await cluster.startLoad({ name });
  await sleep(WARM_UP_MS);
}

/** The objects a CRITICAL-tier RedisSentinel `sessions` in namespace `shop` synthesizes to. */
export function synthesize(props: RedisSentinelProps): any[] {
  const app = Testing.app();
  const chart = new BusinessScenario(app, 'shop', {
    owner: 'team-a',
    namespace: 'shop',
    tier: Tier.CRITICAL,
    monitoringLabels: { release: 'kube-prometheus-stack' },
  });
  new RedisSentinel(chart, 'sessions', props);
  return Testing.synth(chart);
}

export interface FaultContext {
  readonly cluster: RedisSentinelCluster;
  /** Sets the scenario's report row; written when the test ends, passed or not. */
  report(row: Omit<FaultRow, 'id' | 'scenario' | 'timings' | 'passed'>): void;
}

/**
 * Runs `body` on a new set built from `props`; always destroys the set, writes the report row (with the outcome),
 * and adds the set's timeline and pod logs to a failure.
 */
export async function withFaultCluster(
  scenario: { readonly id: string; readonly title: string },
  props: RedisSentinelProps,
  body: (context: FaultContext) => Promise<void>,
): Promise<void> {
  const cluster = new RedisSentinelCluster({ objects: synthesize(props), name: 'sessions', secrets: SECRETS });
  let row: Omit<FaultRow, 'id' | 'scenario' | 'timings' | 'passed'> | undefined;
  let failure: unknown;
  try {
    await body({ cluster, report: (values) => (row = values) });
  } catch (error) {
    failure = error;
    if (error instanceof Error) {
      error.message += `\n${cluster.diagnostics()}`;
    }
  }
  try {
    await cluster.destroy();
  } catch (error) {
    if (!(failure instanceof Error)) {
      failure ??= error;
    } else {
      failure.message += `\n---- and then: ${String(error)}`;
    }
  }
  if (row) {
    writeRow({ ...row, id: scenario.id, scenario: scenario.title, timings: timings(cluster), passed: failure === undefined });
  }
  if (failure !== undefined) {
    throw failure;
  }
}

export interface SetTimings {
  readonly downAfterMs: number;
  readonly failoverTimeoutMs: number;
  readonly maxLagSeconds: number;
  readonly dataClass: string;
}

/** The timings the set's pods run with, read from the synthesized env and redis.conf. */
export function setTimings(cluster: RedisSentinelCluster): SetTimings {
  const workload = cluster.redisWorkload;
  const env = resolveEnv(workload.container, { name: `${workload.name}-0`, namespace: workload.namespace }, SECRETS);
  const redisConf = Object.values(cluster.manifest.configMaps).find((data) => data['redis.conf'] !== undefined)?.['redis.conf'] ?? '';
  return {
    downAfterMs: Number(env.DOWN_AFTER_MILLISECONDS),
    failoverTimeoutMs: Number(env.FAILOVER_TIMEOUT_MILLISECONDS),
    maxLagSeconds: Number(/^min-replicas-max-lag (\d+)$/m.exec(redisConf)?.[1]),
    dataClass: env.DATA_CLASS,
  };
}

function timings(cluster: RedisSentinelCluster): string {
  const { downAfterMs, failoverTimeoutMs, maxLagSeconds, dataClass } = setTimings(cluster);
  return `${downAfterMs} / ${failoverTimeoutMs} / ${maxLagSeconds} ${dataClass}`;
}

export interface Verdict {
  /** Acknowledged writes missing from the final master. */
  readonly lost: string[];
  /** Writes answered OK (acknowledged or not) missing from the final master. */
  readonly okMissing: string[];
  readonly row: Omit<FaultRow, 'id' | 'scenario' | 'timings' | 'passed'>;
}

/**
 * Checks a load against the final master, key by key, and computes the report row. `faultAt` starts the window in
 * which failover and unavailability are measured; the write rate is measured before it (or before `rateUntil`, when
 * the test disturbed the set earlier). With `since`, only writes answered from then on are checked (and counted).
 */
export async function verdict(
  cluster: RedisSentinelCluster,
  log: LoadLog,
  options: {
    readonly finalMaster: number;
    readonly faultAt: number;
    readonly oldMaster?: number;
    /** When the old master's failure or deletion began, when not at `faultAt`. */
    readonly failoverFrom?: number;
    readonly rateUntil?: number;
    readonly since?: number;
  },
): Promise<Verdict> {
  const checked = (writes: WriteRecord[]) => writes.filter((write) => write.answeredAt >= (options.since ?? 0));
  const expected = (writes: WriteRecord[]) => new Map(writes.map((write) => keyValue(log, write)));
  const acknowledgedWrites = checked(acknowledged(log));
  const lost = await cluster.missingKeys(options.finalMaster, expected(acknowledgedWrites));
  const okMissing = await cluster.missingKeys(options.finalMaster, expected(checked(answeredOk(log))));
  const firstOk = answeredOk(log)[0]?.answeredAt ?? log.startedAt;
  const failoverFrom = options.failoverFrom ?? options.faultAt;
  const movedAt = options.oldMaster === undefined ? undefined : majorityMovedAt(log, cluster.redisHost(options.oldMaster), failoverFrom);
  const row = {
    failoverSeconds: movedAt === undefined ? undefined : (movedAt - failoverFrom) / 1000,
    unavailableSeconds: longestOutageMs(log, options.faultAt, log.stoppedAt) / 1000,
    writesPerSecond: okRate(log, firstOk, options.rateUntil ?? options.faultAt),
    acknowledged: acknowledgedWrites.length,
    acknowledgedLost: lost.length,
    okNotAcknowledged: checked(okNotAcknowledged(log)).length,
    nonElected: nonElectedWrites(log).length,
  };
  cluster.note(`verdict: ${JSON.stringify(row)}`);
  return { lost, okMissing, row };
}
