import { RedisSentinelCluster } from '../components/redis/harness/cluster';
import { acknowledged } from '../components/redis/harness/history';
import { LoadLog } from '../components/redis/harness/load';
import { sleep } from '../support/harness/wait';
import { MIN_WRITES_PER_SECOND, SHORT_TIMINGS, WARM_UP_MS, describeFaults, setTimings, verdict } from './support';

/**
 * The master endpoint (`masterEndpoint: true`): its HAProxy pods run Debian's haproxy with the synthesized
 * haproxy.cfg and start script, and resolve the Redis pods at run time through a DNS server over the harness's
 * records. The load writes only through the proxies, as a client that is not Sentinel-aware would.
 */

const PROPS = { ...SHORT_TIMINGS, masterEndpoint: true };

/** Writes through the proxy that a replica refused: the proxy sent them to a replica. */
function refusedAsReplica(log: LoadLog) {
  return log.writes.filter((write) => write.reply.startsWith('READONLY'));
}

/** Writes acknowledged through each proxy from `since` on, by proxy name. */
function acknowledgedThroughEach(cluster: RedisSentinelCluster, log: LoadLog, since: number): Record<string, number> {
  return Object.fromEntries(
    cluster
      .masterEndpointHosts()
      .map((proxy) => [proxy, acknowledged(log).filter((write) => write.node === proxy && write.answeredAt >= since).length]),
  );
}

/** Kills the master under a load through the proxies; returns when every proxy forwards to the new master. */
async function killMasterThroughEndpoint(cluster: RedisSentinelCluster, name: string) {
  const { downAfterMs, failoverTimeoutMs } = setTimings(cluster);
  await cluster.waitForEndpointRouting(0, 30_000);
  await cluster.startLoad({ name, endpoints: cluster.masterEndpointHosts() });
  await sleep(WARM_UP_MS);

  const faultAt = Date.now();
  await cluster.redis[0].kill();
  cluster.note('pod 0 killed (SIGKILL)');
  const master = await cluster.waitForNewMaster(0, downAfterMs + failoverTimeoutMs);
  await cluster.waitForEndpointRouting(master, 10_000);
  const routedAt = Date.now();
  cluster.note(`every proxy forwards to the new master ${routedAt - faultAt} ms after the kill`);

  // The kubelet restarts the container: it comes back as a replica, which the proxies must never forward to.
  await cluster.redis[0].start();
  await cluster.waitForTopology(master, 60_000);
  await sleep(3000);
  const log = await cluster.stopLoad();
  return { master, faultAt, routedAt, log };
}

describeFaults('fault scenarios: the master endpoint', (scenario) => {
  scenario(
    '13a',
    'kill -9 of the master under a load written only through the master endpoint (HAProxy)',
    PROPS,
    async ({ cluster, report }) => {
      await cluster.bootstrap();
      const { master, faultAt, routedAt, log } = await killMasterThroughEndpoint(cluster, 'proxy-kill');
      const result = await verdict(cluster, log, { finalMaster: master, faultAt, oldMaster: 0 });
      report(result.row);

      expect(master).not.toBe(0);
      expect(result.lost).toEqual([]);
      expect(result.row.nonElected).toBe(0);
      expect(refusedAsReplica(log)).toEqual([]);
      expect(result.row.writesPerSecond).toBeGreaterThanOrEqual(MIN_WRITES_PER_SECOND);
      for (const [proxy, count] of Object.entries(acknowledgedThroughEach(cluster, log, routedAt))) {
        expect({ proxy, afterFailover: count > 0 }).toEqual({ proxy, afterFailover: true });
      }
      expect(await cluster.routedBy(0)).toBe(master);
    },
    180_000,
  );

  scenario(
    '13b',
    'the replicas come back at new addresses, then the master is killed: the proxies follow the new master to its new address',
    PROPS,
    async ({ cluster, report }) => {
      await cluster.bootstrap();
      for (const replica of cluster.redis.slice(1)) {
        const oldAddress = replica.ip;
        await replica.kill();
        replica.recreate();
        await replica.start();
        cluster.note(`${replica.name} created again at ${replica.ip} (was ${oldAddress})`);
      }
      await cluster.waitForTopology(0, 60_000);
      await cluster.waitForPromotableReplicas(0, cluster.redis.length - 1, 30_000);

      const { master, faultAt, routedAt, log } = await killMasterThroughEndpoint(cluster, 'proxy-moved');
      const result = await verdict(cluster, log, { finalMaster: master, faultAt, oldMaster: 0 });
      report(result.row);

      expect(result.lost).toEqual([]);
      expect(result.row.nonElected).toBe(0);
      expect(refusedAsReplica(log)).toEqual([]);
      for (const [proxy, count] of Object.entries(acknowledgedThroughEach(cluster, log, routedAt))) {
        expect({ proxy, afterFailover: count > 0 }).toEqual({ proxy, afterFailover: true });
      }
    },
    180_000,
  );
});
