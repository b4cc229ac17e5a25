import { Testing } from 'cdk8s';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BusinessScenario, DataClass, RedisSentinel, RedisSentinelProps, Tier } from '../../../lib';
import { RedisSentinelCluster, destroyAllClusters, toReplication, withCluster, assertRedisPodsAvailable } from './harness/cluster';
import { Pod } from '../../support/harness/pod';
import { pairs } from './harness/resp';
import { expectSuccess } from '../../support/harness/system';
import { sleep, waitFor } from '../../support/harness/wait';

/**
 * Runs the scripts RedisSentinel emits, unmodified, against real redis-server and redis-sentinel processes. Each
 * pod of the synthesized StatefulSets is a process tree in its own network, PID and mount namespace, with its own
 * address, user and read-only root; see harness/README.md for what is faithful to a real pod and what is not.
 *
 * The scenarios are independent (each builds its own set on its own addresses) and run concurrently to keep the
 * suite short; REDIS_HARNESS_SERIAL=1 runs them one after another, REDIS_HARNESS_VERBOSE=1 prints each set's
 * timeline as it goes, REDIS_HARNESS_KEEP=1 keeps the pods' directories (logs, data) under /var/tmp.
 */

/** Quotes and backslashes, which redis.conf and sentinel.conf read as escapes unless the scripts quote them. */
const PASSWORD = 'harness+Pa55/"word\\x41=';
const SECRETS = { 'sessions-redis-auth': { password: PASSWORD } };
const scenario = process.env.REDIS_HARNESS_SERIAL === '1' ? test : test.concurrent;

const DOWN_AFTER_MS = 4000;
/** A pod killed and started again within this is back before any sentinel can see it down (a PONG may be 1 s old). */
const UNNOTICED_RESTART_MS = DOWN_AFTER_MS - 1000;

/** Short timings, so that failovers take seconds. */
function synthesize(props: RedisSentinelProps): any[] {
  const app = Testing.app();
  const chart = new BusinessScenario(app, 'shop', { owner: 'team-a', namespace: 'shop', tier: Tier.CRITICAL });
  new RedisSentinel(chart, 'sessions', {
    downAfterMilliseconds: DOWN_AFTER_MS,
    failoverTimeoutMilliseconds: 6000,
    minReplicasMaxLagSeconds: 1,
    handoverTimeoutSeconds: 15,
    passwordAuthentication: true,
    ...props,
  });
  return chart.toJson();
}

/** Runs `body` on a new set of the props; always destroys it, and adds the set's timeline and pod logs to a failure. */
function withSet(props: RedisSentinelProps, body: (cluster: RedisSentinelCluster) => Promise<void>): Promise<void> {
  return withCluster({ objects: synthesize(props), name: 'sessions', secrets: SECRETS }, body);
}

beforeAll(() => {
  assertRedisPodsAvailable();
});

afterAll(async () => {
  // Each scenario destroys its own set; this catches a scenario that timed out in the middle.
  await destroyAllClusters();
});

describe('RedisSentinel scripts against real Redis and Sentinel processes', () => {
  scenario(
    'bootstrap: pod 0 becomes master, pods 1 and 2 its replicas, every probe passes',
    async () => {
      await withSet({}, async (cluster) => {
        await cluster.bootstrap();
        // Each pod listens in its own network namespace, on the emitted port only, on every address as configured.
        const port = (pod: Pod) => (cluster.redis.includes(pod) ? cluster.redisPort : cluster.sentinelPort);
        expect(cluster.listening()).toEqual(Object.fromEntries(cluster.pods.map((pod) => [pod.name, [`0.0.0.0:${port(pod)}`, `[::]:${port(pod)}`]])));
        expect(await cluster.sentinelMasters()).toEqual([cluster.redisHost(0), cluster.redisHost(0), cluster.redisHost(0)]);
        for (const pod of cluster.redis) {
          expectSuccess(await pod.probe('startup'));
          expectSuccess(await pod.probe('liveness'));
          expectSuccess(await pod.probe('readiness'));
        }
        for (const pod of cluster.sentinels) {
          expectSuccess(await pod.probe('startup'));
          expectSuccess(await pod.probe('liveness'));
          expectSuccess(await pod.probe('readiness'));
        }
        expect(cluster.redis[0].lastStartLog()).toContain('starting as master: a new set');
        for (const replica of [1, 2]) {
          expect(cluster.redis[replica].lastStartLog()).toContain(`starting as a replica of ${cluster.redisHost(0)}`);
        }
      });
    },
    60_000,
  );

  scenario(
    'preStop of the master hands over without losing an acknowledged write; the old master returns as a replica',
    async () => {
      await withSet({}, async (cluster) => {
        // Until the sentinels have seen the replicas' raised priority they refuse a failover (-NOGOODSLAVE): bootstrap
        // waits for it.
        await cluster.bootstrap();
        const acknowledged = await cluster.writeAcknowledged(0, 'handover', 200);
        expect(acknowledged.size).toBe(200);

        const master = cluster.redis[0];
        cluster.note('running the preStop hook of pod 0');
        const preStop = await master.preStop();
        cluster.note(`preStop exited ${preStop.code} after ${preStop.durationMs} ms`);
        expectSuccess(preStop);

        const newMaster = await cluster.consensusMaster();
        expect(newMaster === 1 || newMaster === 2).toBe(true);
        expect(preStop.stderr).toContain(`handed over to ${cluster.redisHost(newMaster!)}`);
        expect(await cluster.missingKeys(newMaster!, acknowledged)).toEqual([]);
        // The old master keeps writes paused until it stops: a write sent to it now is never accepted.
        expect(await cluster.redisCommand(0, 'SET', 'late', 'write').catch((error: Error) => error.message)).not.toBe('OK');

        cluster.note('SIGTERM to pod 0');
        master.signal('SIGTERM');
        expect(await master.waitExit(cluster.redisWorkload.terminationGracePeriodSeconds * 1000)).toBeDefined();
        expect(await cluster.redisCommand(newMaster!, 'GET', 'late')).toBeNull();

        // The pod is created again: same claim, new emptyDirs.
        master.recreate();
        await master.start();
        await cluster.waitForTopology(newMaster!, 30_000);
        expect(master.lastStartLog()).toContain(`starting as a replica of ${cluster.redisHost(newMaster!)}`);
        expect(await cluster.missingKeys(0, acknowledged)).toEqual([]);
        expectSuccess(await master.probe('readiness'));
      });
    },
    90_000,
  );

  scenario(
    'a master restarted with its data before the sentinels can notice never serves as master; a replica is promoted and no acknowledged write is lost',
    async () => {
      await withSet({}, async (cluster) => {
        await cluster.bootstrap();
        const acknowledged = await cluster.writeAcknowledged(0, 'crash', 200);
        expect(acknowledged.size).toBe(200);

        const master = cluster.redis[0];
        const killed = Date.now();
        await master.kill();
        await master.start();
        const restartMs = Date.now() - killed;
        cluster.note(`pod 0 killed and started again in ${restartMs} ms`);
        expect(restartMs).toBeLessThan(UNNOTICED_RESTART_MS);
        expect(existsSync(join(master.volumeDir('data'), 'appendonlydir'))).toBe(true);

        const settled = cluster.waitForFailover(0, 30_000);
        const roles = await cluster.sampleRoles(0, settled);
        const newMaster = await settled;
        expect(roles).not.toContain('master');
        expect(master.lastStartLog()).not.toContain('starting as master');
        expect(master.lastStartLog()).toContain(`starting as a replica of ${cluster.redisHost(newMaster)}`);
        expect(await cluster.missingKeys(newMaster, acknowledged)).toEqual([]);
        expect(await cluster.missingKeys(0, acknowledged)).toEqual([]);
      });
    },
    90_000,
  );

  scenario(
    'a master restarted while the sentinels still name it, after a peer was promoted, waits and never serves as master',
    async () => {
      await withSet({}, async (cluster) => {
        await cluster.bootstrap();
        const acknowledged = await cluster.writeAcknowledged(0, 'promoted', 200);
        expect(acknowledged.size).toBe(200);

        // The window this reproduces lasts a moment in a real failover: the leader has promoted pod 1, pointed pod 2
        // at it and ended its failover, and the other sentinels, a majority, still name pod 0 until its hello
        // reaches them. Here the sentinels are kept from failing over while the promotion is done by hand, so the
        // window stays open until the test closes it.
        const setDownAfter = (milliseconds: number) =>
          Promise.all(
            cluster.sentinels.map((_, i) =>
              cluster.sentinelCommand(i, 'SENTINEL', 'SET', cluster.masterSet, 'down-after-milliseconds', milliseconds),
            ),
          );
        await setDownAfter(600_000);
        const master = cluster.redis[0];
        await master.kill();
        expect(await cluster.redisCommand(1, 'REPLICAOF', 'NO', 'ONE')).toBe('OK');
        expect(await cluster.redisCommand(2, 'REPLICAOF', cluster.redisHost(1), cluster.redisPort)).toBe('OK');
        await waitFor('pod 2 to replicate from pod 1', async () => (await cluster.replication(2)).linkUp, { timeoutMs: 10_000 });
        cluster.note('pod 0 killed; pod 1 promoted by hand, pod 2 its replica; every sentinel still names pod 0');
        expect(await cluster.consensusMaster()).toBe(0);

        await master.start();
        const waited = waitFor(
          'pod 0 to wait for the sentinels',
          async () => master.lastStartLog().includes(`${cluster.redisHost(1)} answers role:master`),
          {
            timeoutMs: 15_000,
            intervalMs: 50,
          },
        );
        const rolesWhileWaiting = await cluster.sampleRoles(
          0,
          waited.then(() => sleep(3000)),
        );
        expect(rolesWhileWaiting).not.toContain('master');

        await setDownAfter(2000);
        const settled = cluster.waitForFailover(0, 30_000);
        const roles = await cluster.sampleRoles(0, settled);
        const newMaster = await settled;
        expect(roles).not.toContain('master');
        expect(master.lastStartLog()).not.toContain('starting as master');
        expect(master.lastStartLog()).toContain(`starting as a replica of ${cluster.redisHost(newMaster)}`);
        for (const ordinal of [0, 1, 2]) {
          expect(await cluster.missingKeys(ordinal, acknowledged)).toEqual([]);
        }
      });
    },
    90_000,
  );

  scenario(
    'a SYSTEM_OF_RECORD replica restarted with an empty data dir runs with replica-priority 0 until its first sync',
    async () => {
      await withSet({}, async (cluster) => {
        await cluster.bootstrap();
        const acknowledged = await cluster.writeAcknowledged(0, 'empty', 100);
        expect(acknowledged.size).toBe(100);

        const replica = cluster.redis[2];
        await replica.kill();
        replica.recreate({ wipeClaims: ['data'] });
        await replica.start();
        cluster.note('pod 2 started again with an empty data volume');

        // Sample priority, link and data in one MULTI/EXEC each time: until the first sync is complete every sample
        // must carry priority 0, and the first one with 100 must show a synced link and the data.
        const samples: { priority: string; linkUp: boolean; syncing: boolean; keys: number }[] = [];
        const synced = await waitFor(
          'replica-priority 100 on pod 2',
          async () => {
            const [config, info, keys] = await cluster.redisTransaction(
              2,
              ['CONFIG', 'GET', 'replica-priority'],
              ['INFO', 'replication'],
              ['DBSIZE'],
            );
            const replication = toReplication(info);
            const sample = {
              priority: pairs(config)['replica-priority'],
              linkUp: replication.linkUp,
              syncing: replication.syncInProgress,
              keys: Number(keys),
            };
            if (samples.length === 0 || samples[samples.length - 1].priority !== sample.priority) {
              cluster.note(`pod 2: ${JSON.stringify(sample)}`);
            }
            samples.push(sample);
            return sample.priority === '100' ? sample : undefined;
          },
          { timeoutMs: 30_000, intervalMs: 50 },
        );

        expect(readFileSync(join(replica.volumeDir('run'), 'redis.conf'), 'utf8')).toMatch(/^replica-priority 0$/m);
        expect(samples[0].priority).toBe('0');
        expect(samples.filter((s) => !s.linkUp || s.syncing || s.keys < acknowledged.size).every((s) => s.priority === '0')).toBe(true);
        expect(synced).toMatchObject({ linkUp: true, syncing: false });
        expect(synced.keys).toBeGreaterThanOrEqual(acknowledged.size);
        expect(await cluster.missingKeys(2, acknowledged)).toEqual([]);
        // The script logs just after CONFIG SET, so the line may trail the sample that saw the new priority.
        await waitFor('the first-sync log line of pod 2', async () => replica.lastStartLog().includes('first sync done; replica-priority 100'), {
          timeoutMs: 5000,
          intervalMs: 50,
        });
      });
    },
    90_000,
  );

  scenario(
    'CACHE: a master restarted empty before the sentinels can notice does not become master, and the replicas keep their keys',
    async () => {
      await withSet({ dataClass: DataClass.CACHE }, async (cluster) => {
        await cluster.bootstrap();
        const acknowledged = await cluster.writeAcknowledged(0, 'cache', 200);
        expect(acknowledged.size).toBe(200);

        const master = cluster.redis[0];
        const killed = Date.now();
        await master.kill();
        // A CACHE keeps nothing on disk: the restarted container starts empty.
        expect(['dump.rdb', 'appendonlydir'].filter((file) => existsSync(join(master.volumeDir('data'), file)))).toEqual([]);
        await master.start();
        const restartMs = Date.now() - killed;
        cluster.note(`pod 0 killed and started again, empty, in ${restartMs} ms`);
        expect(restartMs).toBeLessThan(UNNOTICED_RESTART_MS);

        const settled = cluster.waitForFailover(0, 30_000);
        const roles = await cluster.sampleRoles(0, settled);
        const newMaster = await settled;
        expect(roles).not.toContain('master');
        expect(master.lastStartLog()).not.toContain('starting as master');
        const otherReplica = 3 - newMaster;
        expect(await cluster.missingKeys(newMaster, acknowledged)).toEqual([]);
        expect(await cluster.missingKeys(otherReplica, acknowledged)).toEqual([]);
        expect(await cluster.missingKeys(0, acknowledged)).toEqual([]);
      });
    },
    90_000,
  );
});
