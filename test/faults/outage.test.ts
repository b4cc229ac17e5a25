import { AppendFsync, DataClass } from '../../lib';
import { RedisSentinelCluster } from '../components/redis/harness/cluster';
import { sleep } from '../support/harness/wait';
import { MIN_WRITES_PER_SECOND, SHORT_TIMINGS, describeFaults, setTimings, startLoad, verdict } from './support';

/**
 * A full outage: every Redis and sentinel pod stops at once (a power loss: SIGKILL), then all start at once, as
 * podManagementPolicy Parallel starts them.
 */

/** Kills every pod at once and starts them all again; resolves with the roles each Redis pod answered until settled. */
async function outage(
  cluster: RedisSentinelCluster,
  settle: () => Promise<number>,
): Promise<{ master: number; roles: string[][]; restartedAt: number }> {
  await Promise.all(cluster.pods.map((pod) => pod.kill()));
  cluster.note('every pod killed');
  await sleep(1000);
  const restartedAt = Date.now();
  await cluster.startAll();
  const settled = settle();
  const roles = await Promise.all(cluster.redis.map((pod) => cluster.sampleRoles(pod.ordinal, settled)));
  return { master: await settled, roles, restartedAt };
}

describeFaults('fault scenarios: full outage', (scenario) => {
  // Every copy at once, under load: only appendfsync always keeps every acknowledged write. With the default
  // everysec, the writes of the last second or two before it may be in memory only (Redis holds writes back while a
  // slow fsync runs): a CI run on a busy disk lost 200 of them in a scenario that killed every pod 0.1 s after writing.
  scenario(
    '6a',
    'every pod stops at once, then all start at once (appendFsync ALWAYS)',
    { ...SHORT_TIMINGS, appendFsync: AppendFsync.ALWAYS },
    async ({ cluster, report }) => {
      await cluster.bootstrap();
      await startLoad(cluster, 'outage');
      const disturbedAt = Date.now();
      // Move the master off pod 0 first, so the master the sentinels last recorded is not the one a new set starts with.
      const preStop = await cluster.redis[0].preStop();
      expect(preStop.code).toBe(0);
      const recorded = await cluster.waitForNewMaster(0, 30_000);
      cluster.redis[0].signal('SIGTERM');
      await cluster.redis[0].waitExit(30_000);
      await cluster.redis[0].start();
      await cluster.waitForTopology(recorded, 60_000);
      await sleep(2000);

      const faultAt = Date.now();
      const { master, roles } = await outage(cluster, async () => {
        await cluster.waitForTopology(recorded, 90_000);
        return recorded;
      });
      await sleep(2000);
      const log = await cluster.stopLoad();
      const result = await verdict(cluster, log, { finalMaster: master, faultAt, rateUntil: disturbedAt });
      report(result.row);

      // Exactly one master: no other pod ever answered as master after the restart.
      expect(roles.flatMap((answers, ordinal) => (ordinal !== recorded && answers.includes('master') ? [ordinal] : []))).toEqual([]);
      expect(result.lost).toEqual([]);
      expect(result.row.nonElected).toBe(0);
      expect(result.row.writesPerSecond).toBeGreaterThanOrEqual(MIN_WRITES_PER_SECOND);
    },
    240_000,
  );

  scenario(
    '6b',
    'CACHE: every pod stops at once, then all start at once; twice',
    { ...SHORT_TIMINGS, dataClass: DataClass.CACHE },
    async ({ cluster, report }) => {
      const { failoverTimeoutMs } = setTimings(cluster);
      await cluster.bootstrap();
      await startLoad(cluster, 'cache-outage');

      // The sentinels last recorded pod 0: every node is empty, and pod 0 starts as master after failover-timeout.
      const faultAt = Date.now();
      const first = await outage(cluster, async () => {
        await cluster.waitForTopology(0, failoverTimeoutMs + 60_000);
        return 0;
      });
      const firstMs = Date.now() - first.restartedAt;
      const firstStart = cluster.redis[0].lastStartLog();

      // After a handover to another pod, that pod is the one the sentinels last recorded, and the one that comes back.
      await cluster.waitForPromotableReplicas(0, 2, 30_000);
      expect((await cluster.redis[0].preStop()).code).toBe(0);
      const recorded = await cluster.waitForNewMaster(0, 30_000);
      cluster.redis[0].signal('SIGTERM');
      await cluster.redis[0].waitExit(30_000);
      await cluster.redis[0].start();
      await cluster.waitForTopology(recorded, 60_000);
      const second = await outage(cluster, async () => {
        await cluster.waitForTopology(recorded, failoverTimeoutMs + 60_000);
        return recorded;
      });
      const secondMs = Date.now() - second.restartedAt;
      await sleep(2000);
      const log = await cluster.stopLoad();
      // A cache keeps nothing across a full outage: only writes acknowledged after the last one must be on the master.
      const result = await verdict(cluster, log, { finalMaster: recorded, faultAt, since: second.restartedAt });
      report(result.row);

      expect(first.master).toBe(0);
      expect(firstMs).toBeGreaterThanOrEqual(failoverTimeoutMs);
      expect(firstStart).toContain('starting as master: every node of the cache is empty');
      expect(secondMs).toBeGreaterThanOrEqual(failoverTimeoutMs);
      expect(cluster.redis[recorded].lastStartLog()).toContain('starting as master: every node of the cache is empty');
      const otherMasters = (outcome: { roles: string[][] }, master: number) =>
        outcome.roles.flatMap((answers, ordinal) => (ordinal !== master && answers.includes('master') ? [ordinal] : []));
      expect(otherMasters(first, 0)).toEqual([]);
      expect(otherMasters(second, recorded)).toEqual([]);
      expect(result.lost).toEqual([]);
      expect(result.row.nonElected).toBe(0);
      expect(result.row.writesPerSecond).toBeGreaterThanOrEqual(MIN_WRITES_PER_SECOND);
    },
    300_000,
  );
});
