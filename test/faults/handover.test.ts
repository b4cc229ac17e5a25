import { RedisSentinelCluster } from '../components/redis/harness/cluster';
import { majorityMovedAt } from '../components/redis/harness/history';
import { Pod } from '../support/harness/pod';
import { expectSuccess } from '../support/harness/system';
import { pairs } from '../components/redis/harness/resp';
import { sleep, waitFor } from '../support/harness/wait';
import { MIN_WRITES_PER_SECOND, PASSWORD, PASSWORD_SECRET, SHORT_TIMINGS, describeFaults, startLoad, verdict } from './support';

/**
 * Planned changes under load: a deletion of the master, pods coming back with new addresses, a rolling update of
 * every pod. Pods are terminated the way the kubelet does it (preStop hook, SIGTERM, SIGKILL after the grace period)
 * and created again by "the StatefulSet" with a new network namespace, and so a new address.
 */

/** Deletes a pod the way the kubelet does, then creates it again (same claims, new address) and starts it. */
async function deleteAndRecreate(cluster: RedisSentinelCluster, pod: Pod) {
  cluster.note(`deleting ${pod.name}: preStop, SIGTERM`);
  const termination = await pod.terminate();
  cluster.note(
    `${pod.name} exited ${termination.exit.code ?? termination.exit.signal}${termination.killed ? ' (SIGKILL after the grace period)' : ''}`,
  );
  pod.recreate();
  await pod.start();
  cluster.note(`${pod.name} created again at ${pod.ip}`);
  return termination;
}

/** Waits until the pod's readiness probe passes, and still passes `minReadySeconds` later (a StatefulSet's "available"). */
async function waitAvailable(pod: Pod, minReadySeconds: number, timeoutMs: number): Promise<void> {
  const ready = async () => (await pod.probe('readiness')).code === 0;
  await waitFor(
    `${pod.name} to be ready for ${minReadySeconds} s`,
    async () => {
      if (!(await ready())) {
        return false;
      }
      await sleep(minReadySeconds * 1000);
      return ready();
    },
    { timeoutMs, intervalMs: 1000 },
  );
}

/**
 * A StatefulSet rolling update (podManagementPolicy Parallel does not change it): from the highest ordinal down, each
 * pod deleted and created again once every pod of the set is available. Resolves with when each pod's deletion began.
 */
async function rollingUpdate(cluster: RedisSentinelCluster, pods: readonly Pod[], minReadySeconds: number): Promise<Map<Pod, number>> {
  const deletedAt = new Map<Pod, number>();
  for (const pod of [...pods].reverse()) {
    for (const other of pods) {
      await waitAvailable(other, 0, 120_000);
    }
    deletedAt.set(pod, Date.now());
    const termination = await deleteAndRecreate(cluster, pod);
    expect(termination.killed).toBe(false);
    if (termination.preStop) {
      expectSuccess(termination.preStop);
    }
    await waitAvailable(pod, minReadySeconds, 120_000);
  }
  return deletedAt;
}

/**
 * Both StatefulSets rolled at once, as a change of the pod template on both does (the config hash, a new password
 * version); resolves with the settled master and when each Redis pod's deletion began.
 */
async function rollEveryPod(cluster: RedisSentinelCluster): Promise<{ master: number; redisDeletedAt: Map<Pod, number> }> {
  const [redisDeletedAt] = await Promise.all([
    rollingUpdate(cluster, cluster.redis, cluster.redisWorkload.minReadySeconds),
    rollingUpdate(cluster, cluster.sentinels, cluster.sentinelWorkload.minReadySeconds),
  ]);
  await waitFor('a sentinel majority to name a master', () => cluster.consensusMaster(), { timeoutMs: 30_000 });
  return { master: await cluster.waitForSettledMaster(60_000), redisDeletedAt };
}

/** For every Redis pod and sentinel, whether `password` authenticates (redis-cli PING from the client network). */
async function authenticates(cluster: RedisSentinelCluster, password: string): Promise<Record<string, boolean>> {
  const answers = await Promise.all(
    cluster.pods.map(async (pod) => {
      const port = cluster.sentinels.includes(pod) ? cluster.sentinelPort : cluster.redisPort;
      const result = await cluster.runClient(
        ['redis-cli', '--no-auth-warning', '-h', pod.ip, '-p', String(port), 'PING'],
        { REDISCLI_AUTH: password },
        5000,
      );
      return [pod.name, result.stdout.trim() === 'PONG'] as const;
    }),
  );
  return Object.fromEntries(answers);
}

/** Every sentinel knows every other pod of the set by its name and reaches it: no instance is down or disconnected. */
async function sentinelsReachEveryone(cluster: RedisSentinelCluster, master: number): Promise<boolean> {
  for (let i = 0; i < cluster.sentinels.length; i++) {
    const replicas = (await cluster.sentinelReplicas(i)).filter((replica) => replica.flags === 'slave' && replica['master-link-status'] === 'ok');
    const expectedReplicas = cluster.redis.filter((pod) => pod.ordinal !== master).map((pod) => cluster.fqdn(pod));
    if (!expectedReplicas.every((host) => replicas.some((replica) => replica.ip === host))) {
      return false;
    }
    const peers = await cluster.sentinelCommand(i, 'SENTINEL', 'SENTINELS', cluster.masterSet);
    const reachable = (Array.isArray(peers) ? peers.map(pairs) : []).filter((peer) => peer.flags === 'sentinel');
    if (reachable.length !== cluster.sentinels.length - 1) {
      return false;
    }
  }
  return true;
}

/** TCP states of a connection in use or being opened; the others are history (TIME_WAIT) or being torn down. */
const ACTIVE_STATES = ['ESTABLISHED', 'SYN_SENT', 'SYN_RECV'];

/** Connections of the running pods, in use or being opened, to one of `addresses`, as `pod: local -> remote (state)`. */
function connectionsTo(cluster: RedisSentinelCluster, addresses: readonly string[]): string[] {
  return cluster.pods
    .filter((pod) => pod.isRunning)
    .flatMap((pod) => pod.connections())
    .filter((socket) => ACTIVE_STATES.includes(socket.state) && addresses.includes(socket.remote.split(':')[0]))
    .map((socket) => `${socket.pod}: ${socket.local} -> ${socket.remote} (${socket.state})`);
}

describeFaults('fault scenarios: planned changes', (scenario) => {
  scenario(
    '3',
    'graceful deletion of the master (preStop, SIGTERM)',
    SHORT_TIMINGS,
    async ({ cluster, report }) => {
      await cluster.bootstrap();
      await startLoad(cluster, 'delete');

      const faultAt = Date.now();
      const pod = cluster.redis[0];
      const termination = await deleteAndRecreate(cluster, pod);
      await cluster.waitForNewMaster(0, 5000);
      const master = await cluster.waitForSettledMaster(60_000);
      await sleep(2000);
      const log = await cluster.stopLoad();
      const result = await verdict(cluster, log, { finalMaster: master, faultAt, oldMaster: 0 });
      report(result.row);

      expect(termination.preStop).toBeDefined();
      expectSuccess(termination.preStop!);
      expect(termination.killed).toBe(false);
      expect(termination.preStop?.stderr).toContain(`handed over to ${cluster.redisHost(master)}`);
      // Mastership moved before the process exited.
      expect(majorityMovedAt(log, cluster.redisHost(0), faultAt)).toBeLessThan(termination.exit.at);
      // Every write answered OK, acknowledged or not, is on the final master.
      expect(result.okMissing).toEqual([]);
      expect(result.lost).toEqual([]);
      expect(result.row.nonElected).toBe(0);
      expect(result.row.writesPerSecond).toBeGreaterThanOrEqual(MIN_WRITES_PER_SECOND);
      expect(pod.lastStartLog()).toContain(`starting as a replica of ${cluster.redisHost(master)}`);
    },
    180_000,
  );

  scenario(
    '7',
    'pods come back under the same name with a new address',
    SHORT_TIMINGS,
    async ({ cluster, report }) => {
      await cluster.bootstrap();
      await startLoad(cluster, 'address');
      const oldAddresses: string[] = [];

      // A replica deleted and created again elsewhere.
      const replica = cluster.redis[2];
      oldAddresses.push(replica.ip);
      await deleteAndRecreate(cluster, replica);
      await cluster.waitForTopology(0, 60_000);

      // The master's node dies, and the pod is created again on another node with the same claim, at once: it must
      // not come back as a second master (bitnami/charts#5418), and everything must follow it to its new address.
      const faultAt = Date.now();
      const old = cluster.redis[0];
      oldAddresses.push(old.ip);
      await old.kill();
      old.recreate();
      await old.start();
      cluster.note(`pod 0 killed and created again at ${old.ip}`);
      const settled = cluster.waitForFailover(0, 60_000);
      const roles = await cluster.sampleRoles(0, settled);
      const master = await settled;

      // A sentinel's node dies too; the sentinel comes back with its state, elsewhere.
      const sentinel = cluster.sentinels[1];
      oldAddresses.push(sentinel.ip);
      await sentinel.kill();
      sentinel.recreate();
      await sentinel.start();
      cluster.note(`sentinel 1 created again at ${sentinel.ip}`);

      // Nothing stays pointed at an old address: every pod has given up its connections (and connection attempts) to
      // them, and every sentinel reaches every pod at its new one.
      const movedAt = Date.now();
      await waitFor(
        'no pod to use an old address, and every sentinel to reach every pod',
        async () => connectionsTo(cluster, oldAddresses).length === 0 && (await sentinelsReachEveryone(cluster, master)),
        { timeoutMs: 60_000, intervalMs: 250 },
      );
      cluster.note(`nothing points at an old address ${Date.now() - movedAt} ms after the sentinel moved`);
      await cluster.waitForTopology(master, 60_000);
      await sleep(2000);
      const log = await cluster.stopLoad();
      const result = await verdict(cluster, log, { finalMaster: master, faultAt, oldMaster: 0 });
      report(result.row);

      expect(oldAddresses.filter((address) => cluster.pods.some((pod) => pod.ip === address))).toEqual([]);
      expect(roles).not.toContain('master');
      expect(await cluster.sentinelMasters()).toEqual(cluster.sentinels.map(() => cluster.redisHost(master)));
      expect(connectionsTo(cluster, oldAddresses)).toEqual([]);
      expect(result.lost).toEqual([]);
      expect(result.row.nonElected).toBe(0);
      expect(result.row.writesPerSecond).toBeGreaterThanOrEqual(MIN_WRITES_PER_SECOND);
    },
    180_000,
  );

  scenario(
    '8',
    'rolling restart of every pod, master included',
    SHORT_TIMINGS,
    async ({ cluster, report }) => {
      await cluster.bootstrap();
      await startLoad(cluster, 'rolling');

      const faultAt = Date.now();
      const { master, redisDeletedAt } = await rollEveryPod(cluster);
      await sleep(2000);
      const log = await cluster.stopLoad();
      const result = await verdict(cluster, log, { finalMaster: master, faultAt, oldMaster: 0, failoverFrom: redisDeletedAt.get(cluster.redis[0]) });
      report(result.row);

      expect(master).not.toBe(0);
      expect(result.okMissing).toEqual([]);
      expect(result.lost).toEqual([]);
      expect(result.row.nonElected).toBe(0);
      expect(result.row.writesPerSecond).toBeGreaterThanOrEqual(MIN_WRITES_PER_SECOND);
    },
    300_000,
  );

  scenario(
    '14',
    'password change in three rolling restarts under load: the new password also accepted, then used, then the old one dropped',
    { ...SHORT_TIMINGS, passwordSecretVersion: '1' },
    async ({ cluster, report }) => {
      const NEW_PASSWORD = 'rotated Pa55 "word\\';
      const everyPod = (value: boolean) => Object.fromEntries(cluster.pods.map((pod) => [pod.name, value]));
      await cluster.bootstrap();
      await startLoad(cluster, 'rotation');
      const faultAt = Date.now();

      // Step 1: the new password is also accepted; every pod and client still sends the old one.
      cluster.setSecrets({ [PASSWORD_SECRET]: { password: PASSWORD, 'also-accepted-password': NEW_PASSWORD } });
      await rollEveryPod(cluster);
      expect(await authenticates(cluster, NEW_PASSWORD)).toEqual(everyPod(true));

      // Step 2: the pods send the new password and still accept the old one, which the load keeps using.
      cluster.setSecrets({ [PASSWORD_SECRET]: { password: NEW_PASSWORD, 'also-accepted-password': PASSWORD } });
      await rollEveryPod(cluster);
      expect(await authenticates(cluster, PASSWORD)).toEqual(everyPod(true));
      const oldClientLog = await cluster.stopLoad();

      // Clients move to the new password; step 3 drops the old one.
      await cluster.usePassword(NEW_PASSWORD);
      await startLoad(cluster, 'rotation-new');
      cluster.setSecrets({ [PASSWORD_SECRET]: { password: NEW_PASSWORD } });
      const { master } = await rollEveryPod(cluster);
      await sleep(2000);
      const newClientLog = await cluster.stopLoad();

      expect(await authenticates(cluster, PASSWORD)).toEqual(everyPod(false));
      expect(await authenticates(cluster, NEW_PASSWORD)).toEqual(everyPod(true));
      const before = await verdict(cluster, oldClientLog, { finalMaster: master, faultAt, oldMaster: 0 });
      const after = await verdict(cluster, newClientLog, { finalMaster: master, faultAt: newClientLog.startedAt });
      report({
        ...before.row,
        acknowledged: before.row.acknowledged + after.row.acknowledged,
        acknowledgedLost: before.lost.length + after.lost.length,
      });
      for (const result of [before, after]) {
        expect(result.lost).toEqual([]);
        expect(result.okMissing).toEqual([]);
        expect(result.row.nonElected).toBe(0);
      }
      expect(before.row.writesPerSecond).toBeGreaterThanOrEqual(MIN_WRITES_PER_SECOND);
      await cluster.waitForTopology(master, 30_000);
    },
    600_000,
  );
});
