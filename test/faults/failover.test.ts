import { DataClass } from '../../lib';
import { RedisSentinelCluster } from '../components/redis/harness/cluster';
import { acknowledged, keyValue } from '../components/redis/harness/history';
import { LoadLog } from '../components/redis/harness/load';
import { sleep } from '../support/harness/wait';
import { MIN_WRITES_PER_SECOND, SHORT_TIMINGS, describeFaults, setTimings, startLoad, verdict } from './support';

/**
 * Unplanned failures under load, run against real redis-server and redis-sentinel processes with the manifests
 * RedisSentinel emits (see ../components/redis/harness/README.md): a master killed, a master restarted faster than
 * the sentinels notice, a sentinel lost.
 */

/** Every pod of the set holds every acknowledged write: no node was the source that wiped the others. */
async function expectEveryPodHolds(cluster: RedisSentinelCluster, log: LoadLog): Promise<void> {
  const expected = new Map(acknowledged(log).map((write) => keyValue(log, write)));
  for (const pod of cluster.redis) {
    expect({ pod: pod.name, missing: await cluster.missingKeys(pod.ordinal, expected) }).toEqual({ pod: pod.name, missing: [] });
  }
}

/**
 * Kills the master (pod 0), starts it again at once, and follows it until the set has settled around another master:
 * the restarted pod must never answer as master. `wipe` empties its data volume first, as a lost disk would.
 */
async function restartMasterFast(cluster: RedisSentinelCluster, name: string, wipe: boolean) {
  await cluster.bootstrap();
  await startLoad(cluster, name);
  const pod = cluster.redis[0];
  const faultAt = Date.now();
  await pod.kill();
  if (wipe) {
    pod.wipeVolume('data');
  }
  await pod.start();
  const restartMs = Date.now() - faultAt;
  cluster.note(`pod 0 killed and started again${wipe ? ' with an empty data volume' : ''} in ${restartMs} ms`);
  const settled = cluster.waitForFailover(0, 60_000);
  const roles = await cluster.sampleRoles(0, settled);
  const master = await settled;
  await sleep(2000);
  const log = await cluster.stopLoad();
  return { master, restartMs, roles, log, faultAt };
}

describeFaults('fault scenarios: failures', (scenario) => {
  scenario(
    '1',
    'kill -9 of the master under load',
    {},
    async ({ cluster, report }) => {
      const { downAfterMs, failoverTimeoutMs } = setTimings(cluster);
      await cluster.bootstrap();
      await startLoad(cluster, 'kill');

      const faultAt = Date.now();
      await cluster.redis[0].kill();
      cluster.note('pod 0 killed (SIGKILL)');
      const budgetMs = downAfterMs + failoverTimeoutMs;
      const master = await cluster.waitForNewMaster(0, budgetMs);
      const failoverMs = Date.now() - faultAt;
      await cluster.waitForTopology(master, 30_000);
      await sleep(2000);
      const log = await cluster.stopLoad();

      // The kubelet restarts the container: it comes back as a replica of the new master.
      await cluster.redis[0].start();
      await cluster.waitForTopology(master, 60_000);
      const result = await verdict(cluster, log, { finalMaster: master, faultAt, oldMaster: 0 });
      report(result.row);

      expect(failoverMs).toBeLessThanOrEqual(budgetMs);
      expect(result.lost).toEqual([]);
      expect(result.row.nonElected).toBe(0);
      expect(result.row.writesPerSecond).toBeGreaterThanOrEqual(MIN_WRITES_PER_SECOND);
      expect(cluster.redis[0].lastStartLog()).toContain(`starting as a replica of ${cluster.redisHost(master)}`);
    },
    180_000,
  );

  for (const [id, wipe] of [
    ['2a', false],
    ['2b', true],
  ] as const) {
    scenario(
      id,
      `the killed master restarted at once, before the sentinels can notice, ${wipe ? 'with an empty data directory' : 'with its data'}`,
      SHORT_TIMINGS,
      async ({ cluster, report }) => {
        const { master, restartMs, roles, log, faultAt } = await restartMasterFast(cluster, `restart-${id}`, wipe);
        const result = await verdict(cluster, log, { finalMaster: master, faultAt, oldMaster: 0 });
        report(result.row);

        // The premise: back before any sentinel can see it down (their last PONG may be a second old at the kill).
        expect(restartMs).toBeLessThan(setTimings(cluster).downAfterMs - 1000);
        expect(roles).not.toContain('master');
        expect(cluster.redis[0].lastStartLog()).not.toContain('starting as master');
        expect(cluster.redis[0].lastStartLog()).toContain(`starting as a replica of ${cluster.redisHost(master)}`);
        expect(result.lost).toEqual([]);
        expect(result.row.nonElected).toBe(0);
        expect(result.row.writesPerSecond).toBeGreaterThanOrEqual(MIN_WRITES_PER_SECOND);
        await expectEveryPodHolds(cluster, log);
      },
      180_000,
    );
  }

  scenario(
    '5',
    'one sentinel dies; the master fails after it',
    SHORT_TIMINGS,
    async ({ cluster, report }) => {
      await cluster.bootstrap();
      await startLoad(cluster, 'sentinel');
      await cluster.sentinels[2].kill();
      cluster.note('sentinel 2 killed (SIGKILL)');
      // The two sentinels left are a majority: they still name the master, and the set keeps taking writes.
      await sleep(2000);
      expect(await cluster.consensusMaster()).toBe(0);

      const faultAt = Date.now();
      await cluster.redis[0].kill();
      cluster.note('pod 0 killed (SIGKILL)');
      const master = await cluster.waitForNewMaster(0, 60_000);
      await cluster.waitForTopology(master, 30_000);
      await sleep(2000);
      const log = await cluster.stopLoad();

      await cluster.redis[0].start();
      await cluster.sentinels[2].start();
      await cluster.waitForTopology(master, 60_000);
      const result = await verdict(cluster, log, { finalMaster: master, faultAt, oldMaster: 0 });
      report(result.row);

      expect(result.lost).toEqual([]);
      expect(result.row.nonElected).toBe(0);
      expect(result.row.writesPerSecond).toBeGreaterThanOrEqual(MIN_WRITES_PER_SECOND);
      expect(await cluster.sentinelMasters()).toEqual(cluster.sentinels.map(() => cluster.redisHost(master)));
    },
    180_000,
  );

  scenario(
    '9',
    'CACHE: the master restarted empty, before the sentinels can notice',
    { ...SHORT_TIMINGS, dataClass: DataClass.CACHE },
    async ({ cluster, report }) => {
      const { master, roles, log, faultAt } = await restartMasterFast(cluster, 'cache-restart', false);
      const result = await verdict(cluster, log, { finalMaster: master, faultAt, oldMaster: 0 });
      report(result.row);

      expect(roles).not.toContain('master');
      expect(cluster.redis[0].lastStartLog()).not.toContain('starting as master');
      expect(result.lost).toEqual([]);
      expect(result.row.nonElected).toBe(0);
      expect(result.row.writesPerSecond).toBeGreaterThanOrEqual(MIN_WRITES_PER_SECOND);
      await expectEveryPodHolds(cluster, log);
    },
    180_000,
  );
});
