import { okNotAcknowledged } from '../components/redis/harness/history';
import { RespErrorReply } from '../components/redis/harness/resp';
import { sleep, waitFor } from '../support/harness/wait';
import { MIN_WRITES_PER_SECOND, describeFaults, setTimings, startLoad, verdict } from './support';

/**
 * A real network partition: the switch side of the master's link goes down, so the master loses its replicas and
 * every sentinel, while the test client keeps a direct link to it (a client on the master's side of the partition,
 * the one that can lose writes).
 */

describeFaults('fault scenarios: partition', (scenario) => {
  scenario(
    '4',
    'the master cut off from its replicas and sentinels',
    {},
    async ({ cluster, report }) => {
      const { downAfterMs, failoverTimeoutMs, maxLagSeconds } = setTimings(cluster);
      await cluster.bootstrap();
      const pod = cluster.redis[0];
      const host = cluster.redisHost(0);
      const unlink = cluster.linkClientTo(pod);
      await startLoad(cluster, 'partition');

      const faultAt = Date.now();
      cluster.cut(pod);
      // Alone, the master refuses writes once its replicas have been silent for longer than min-replicas-max-lag: the
      // lag counts whole seconds, and the master recounts its good replicas once a second.
      const refusedAt = await waitFor(
        'the isolated master to refuse writes',
        async () => {
          const reply = await cluster.redisCommand(0, 'SET', 'partition:probe', 'x');
          return reply instanceof RespErrorReply && reply.message.startsWith('NOREPLICAS') ? Date.now() : undefined;
        },
        { timeoutMs: (maxLagSeconds + 5) * 1000, intervalMs: 50 },
      );
      cluster.note(`the isolated master refuses writes ${refusedAt - faultAt} ms after the cut`);
      const master = await cluster.waitForNewMaster(0, downAfterMs + failoverTimeoutMs);
      await sleep(2000);

      cluster.heal(pod);
      unlink();
      // The sentinels turn the old master into a replica of the new one.
      await cluster.waitForTopology(master, 60_000);
      await sleep(2000);
      const log = await cluster.stopLoad();
      const result = await verdict(cluster, log, { finalMaster: master, faultAt, oldMaster: 0 });
      report(result.row);

      expect(refusedAt - faultAt).toBeLessThanOrEqual((maxLagSeconds + 2) * 1000);
      expect(result.lost).toEqual([]);
      expect(result.row.nonElected).toBe(0);
      expect(result.row.writesPerSecond).toBeGreaterThanOrEqual(MIN_WRITES_PER_SECOND);
      // Writes the isolated master answered OK but could not replicate: at most what the load sends during max-lag.
      const isolatedOk = okNotAcknowledged(log).filter((write) => write.node === host && write.sentAt >= faultAt);
      expect(result.row.okNotAcknowledged).toBe(isolatedOk.length);
      expect(isolatedOk.length).toBeLessThanOrEqual(result.row.writesPerSecond * maxLagSeconds);
    },
    180_000,
  );
});
