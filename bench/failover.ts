/**
 * `npm run bench:failover`: the failover time of each tier at its shipped timings. For each tier a SYSTEM_OF_RECORD
 * set (a CACHE for BEST_EFFORT, whose two pods are too few for a system of record) with a master endpoint runs in the
 * pod harness with real redis-server, redis-sentinel and haproxy processes (as root, like the fault suite), under
 * the fault load of 250 writes/s; the master is killed with SIGKILL, and the script prints, per run:
 *
 * - failover: from the kill to the first sentinel sample in which a majority names another master;
 * - unavailable: the longest time without an acknowledged write, for a Sentinel-aware client;
 * - endpoint: from the kill until both HAProxy pods of the master endpoint forward to the new master.
 *
 * `RUNS=<n>` repeats each tier (default 1). Figures vary with the machine's load; compare tiers within one run.
 */
import { Testing } from 'cdk8s';
import { BusinessScenario, DataClass, RedisSentinel, Tier } from '../lib';
import { RedisSentinelCluster, assertRedisPodsAvailable } from '../test/components/redis/harness/cluster';
import { longestOutageMs, majorityMovedAt } from '../test/components/redis/harness/history';
import { sleep } from '../test/support/harness/wait';

const SECRETS = { 'sessions-redis-auth': { password: 'bench Pa55word' } };
const WARM_UP_MS = 3000;

interface Measurement {
  readonly tier: Tier;
  readonly timings: string;
  readonly failoverSeconds: number;
  readonly unavailableSeconds: number;
  readonly endpointSeconds: number;
}

async function measure(tier: Tier): Promise<Measurement> {
  const scenario = new BusinessScenario(Testing.app(), 'shop', { owner: 'bench', namespace: 'shop', tier });
  const dataClass = tier === Tier.BEST_EFFORT ? DataClass.CACHE : DataClass.SYSTEM_OF_RECORD;
  const { plan } = new RedisSentinel(scenario, 'sessions', { dataClass, masterEndpoint: true, monitoringLabels: { release: 'bench' } });
  const cluster = new RedisSentinelCluster({ objects: Testing.synth(scenario), name: 'sessions', secrets: SECRETS });
  try {
    await cluster.bootstrap(60_000);
    await cluster.waitForEndpointRouting(0, 30_000);
    await cluster.startLoad({ name: 'bench' });
    await sleep(WARM_UP_MS);

    const faultAt = Date.now();
    await cluster.redis[0].kill();
    const budgetMs = plan.downAfterMilliseconds + 2 * plan.failoverTimeoutMilliseconds + 10_000;
    const master = await cluster.waitForNewMaster(0, budgetMs);
    await cluster.waitForEndpointRouting(master, 30_000);
    const endpointSeconds = (Date.now() - faultAt) / 1000;
    await cluster.waitForTopology(master, 60_000);
    await sleep(2000);
    const log = await cluster.stopLoad();
    const movedAt = majorityMovedAt(log, cluster.redisHost(0), faultAt) ?? Number.NaN;
    return {
      tier,
      timings: `${plan.downAfterMilliseconds / 1000} s / ${plan.failoverTimeoutMilliseconds / 1000} s ${plan.dataClass}`,
      failoverSeconds: (movedAt - faultAt) / 1000,
      unavailableSeconds: longestOutageMs(log, faultAt, log.stoppedAt) / 1000,
      endpointSeconds,
    };
  } finally {
    await cluster.destroy();
  }
}

async function main(): Promise<void> {
  assertRedisPodsAvailable();
  const runs = Number(process.env.RUNS ?? 1);
  if (!Number.isInteger(runs) || runs < 1) {
    throw new Error(`RUNS=${process.env.RUNS}: a whole number of at least 1`);
  }
  console.log('tier         down-after / failover-timeout   failover s   unavailable s   endpoint s');
  for (const tier of [Tier.CRITICAL, Tier.HIGH, Tier.STANDARD, Tier.BEST_EFFORT]) {
    for (let run = 0; run < runs; run++) {
      const m = await measure(tier);
      console.log(
        `${m.tier.padEnd(12)} ${m.timings.padEnd(31)} ${m.failoverSeconds.toFixed(1).padStart(10)} ${m.unavailableSeconds
          .toFixed(1)
          .padStart(15)} ${m.endpointSeconds.toFixed(1).padStart(12)}`,
      );
    }
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
