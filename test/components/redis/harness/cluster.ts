import { chmodSync, closeSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Manifest, Secrets, Workload, readManifest, resolveEnv, workload } from './manifest';
import { Pod, processExists } from './pod';
import { RespConnection, RespErrorReply, RespValue, command, pairs, parseInfo } from './resp';
import { sleep, waitFor } from './wait';

/**
 * A RedisSentinel set run from synthesized manifests: one harness Pod per Redis and per sentinel replica, a hosts
 * file standing in for the headless Services' DNS records, and helpers to observe the set from outside (as a
 * client would: by address, with the password).
 *
 * Addresses: cluster `subnet` s gives Redis pod i the address 127.0.s.(1+i) and sentinel i 127.0.s.(101+i), all
 * on the loopback interface (Linux routes all of 127.0.0.0/8 to lo), with the emitted ports. Several clusters
 * with different subnets can run at the same time: each has its own hosts file, bind-mounted only in its pods.
 */

/** The env variables that hold in-container paths; the only container env the harness changes (with POD_*). */
export const PATH_VARIABLES = ['SCRIPTS_DIR', 'CONFIG_DIR', 'DATA_DIR', 'RUN_DIR'] as const;

/** Where pod directories go. Not under /tmp: each pod gets its own `tmp` volume bind-mounted on /tmp. */
const BASE_DIR = '/var/tmp';

export interface ClusterOptions {
  /** Synthesized objects, e.g. `chart.toJson()`. */
  readonly objects: readonly any[];
  /** The construct id: StatefulSets `<name>-redis` and `<name>-sentinel`. */
  readonly name: string;
  /** The Secrets the pods read (the password). */
  readonly secrets: Secrets;
  /** Third octet of the cluster's loopback addresses. @default - the first one free (see allocateSubnet) */
  readonly subnet?: number;
  /** The cluster DNS domain the hosts file serves. @default 'cluster.local' */
  readonly clusterDomain?: string;
}

export interface Replication {
  readonly role: string;
  readonly masterHost?: string;
  readonly linkUp: boolean;
  readonly syncInProgress: boolean;
  readonly offset: number;
  readonly fields: Record<string, string>;
}

const liveClusters = new Set<RedisSentinelCluster>();

/** Destroys every cluster not destroyed yet (for afterEach/afterAll, after a failed or timed-out test). */
export async function destroyAllClusters(): Promise<void> {
  await Promise.all([...liveClusters].map((cluster) => cluster.destroy()));
}

export class RedisSentinelCluster {
  readonly manifest: Manifest;
  readonly redisWorkload: Workload;
  readonly sentinelWorkload: Workload;
  readonly root: string;
  readonly hostsFile: string;
  readonly redis: Pod[];
  readonly sentinels: Pod[];
  readonly redisPort: number;
  readonly sentinelPort: number;
  readonly masterSet: string;
  readonly password: string | undefined;
  /** Third octet of the cluster's addresses, 127.0.<subnet>.x. */
  readonly subnet: number;
  private readonly started = Date.now();
  private readonly timeline: string[] = [];
  private readonly records = new Map<string, string>();
  private readonly hosts = new Map<Pod, string>();
  private destroyed = false;

  constructor(options: ClusterOptions) {
    const clusterDomain = options.clusterDomain ?? 'cluster.local';
    this.manifest = readManifest(options.objects);
    this.redisWorkload = workload(this.manifest, `${options.name}-redis`);
    this.sentinelWorkload = workload(this.manifest, `${options.name}-sentinel`);
    this.redisPort = containerPort(this.redisWorkload);
    this.sentinelPort = containerPort(this.sentinelWorkload);
    const env = resolveEnv(
      this.redisWorkload.container,
      { name: `${this.redisWorkload.statefulSetName}-0`, namespace: this.redisWorkload.namespace },
      options.secrets,
    );
    this.masterSet = env.MASTER_SET;
    this.password = env.REDIS_PASSWORD;

    sweepAbandonedClusters();
    const subnet = allocateSubnet(options.subnet);
    this.subnet = subnet;
    this.root = mkdtempSync(join(BASE_DIR, `redis-harness-${options.name}-`));
    this.hostsFile = join(this.root, 'hosts');
    try {
      chmodSync(this.root, 0o755);
      writeFileSync(join(this.root, OWNER_FILE), String(process.pid));

      const makePods = (set: Workload, firstHost: number) =>
        Array.from({ length: set.replicas }, (_, ordinal) => {
          const name = `${set.statefulSetName}-${ordinal}`;
          const ip = `127.0.${subnet}.${firstHost + ordinal}`;
          const host = `${name}.${set.serviceName}.${set.namespace}.svc.${clusterDomain}`;
          this.records.set(host, ip);
          const pod = new Pod({
            name,
            workload: set,
            configMaps: this.manifest.configMaps,
            secrets: options.secrets,
            root: join(this.root, name),
            ip,
            hostsFile: this.hostsFile,
            pathVariables: PATH_VARIABLES,
          });
          this.hosts.set(pod, host);
          return pod;
        });
      this.redis = makePods(this.redisWorkload, 1);
      this.sentinels = makePods(this.sentinelWorkload, 101);
      this.writeHosts();
    } catch (error) {
      releaseSubnet(subnet);
      rmSync(this.root, { recursive: true, force: true });
      throw error;
    }
    liveClusters.add(this);
    this.note(`cluster at ${this.root}: redis ${this.redis.map((p) => p.ip).join(', ')}; sentinels ${this.sentinels.map((p) => p.ip).join(', ')}`);
  }

  /** Every pod, sentinels first. */
  get pods(): Pod[] {
    return [...this.sentinels, ...this.redis];
  }

  /** The FQDN of Redis pod `ordinal`, as the pods announce it. */
  redisHost(ordinal: number): string {
    return this.fqdn(this.redis[ordinal]);
  }

  /** The Redis ordinal of an announced FQDN, or undefined for a name that is no Redis pod of the set. */
  redisOrdinal(host: string | undefined): number | undefined {
    const index = this.redis.findIndex((pod) => this.fqdn(pod) === host);
    return index < 0 ? undefined : index;
  }

  /**
   * Changes the DNS record of a pod (undefined removes it), as when a pod is rescheduled. The file is rewritten in
   * place: the pods see it through a bind mount of this very inode.
   */
  setRecord(pod: Pod, ip: string | undefined): void {
    const host = this.fqdn(pod);
    if (ip === undefined) {
      this.records.delete(host);
    } else {
      this.records.set(host, ip);
    }
    this.writeHosts();
  }

  /** Starts every sentinel and every Redis pod at the same time (podManagementPolicy Parallel). */
  async startAll(): Promise<void> {
    this.note('starting all pods');
    await Promise.all(this.pods.map((pod) => pod.start()));
  }

  /** Appends a line to the cluster's timeline (shown with the logs when a test fails). */
  note(message: string): void {
    const line = `+${((Date.now() - this.started) / 1000).toFixed(2)}s ${message}`;
    this.timeline.push(line);
    if (process.env.REDIS_HARNESS_VERBOSE === '1') {
      console.log(line);
    }
  }

  // ---- Talking to the pods as a client would ----------------------------------------------------------------

  redisCommand(ordinal: number, ...args: (string | number)[]): Promise<RespValue> {
    return command(this.redis[ordinal].ip, this.redisPort, args, { password: this.password, timeoutMs: 2000 });
  }

  sentinelCommand(ordinal: number, ...args: (string | number)[]): Promise<RespValue> {
    return command(this.sentinels[ordinal].ip, this.sentinelPort, args, { password: this.password, timeoutMs: 2000 });
  }

  /** Runs commands in one MULTI/EXEC on pod `ordinal`: their replies describe a single instant. */
  async redisTransaction(ordinal: number, ...commands: (string | number)[][]): Promise<RespValue[]> {
    const connection = await RespConnection.open(this.redis[ordinal].ip, this.redisPort, { password: this.password, timeoutMs: 2000 });
    try {
      await connection.send('MULTI');
      for (const args of commands) {
        const queued = await connection.send(...args);
        if (queued !== 'QUEUED') {
          throw new Error(`${args.join(' ')} in MULTI on pod ${ordinal}: ${String(queued)}`);
        }
      }
      const replies = await connection.send('EXEC');
      if (!Array.isArray(replies)) {
        throw new Error(`EXEC on pod ${ordinal}: ${String(replies)}`);
      }
      return replies;
    } finally {
      connection.close();
    }
  }

  async replication(ordinal: number): Promise<Replication> {
    return toReplication(await this.redisCommand(ordinal, 'INFO', 'replication'));
  }

  /** The master each sentinel names (undefined for a sentinel that does not answer or names none). */
  async sentinelMasters(): Promise<(string | undefined)[]> {
    return Promise.all(
      this.sentinels.map(async (_, i) => {
        try {
          const reply = await this.sentinelCommand(i, 'SENTINEL', 'get-master-addr-by-name', this.masterSet);
          return Array.isArray(reply) && typeof reply[0] === 'string' ? reply[0] : undefined;
        } catch {
          return undefined;
        }
      }),
    );
  }

  /** The Redis ordinal a majority of all sentinels names as master, or undefined. */
  async consensusMaster(): Promise<number | undefined> {
    const masters = await this.sentinelMasters();
    const votes = new Map<string, number>();
    for (const master of masters) {
      if (master !== undefined) {
        votes.set(master, (votes.get(master) ?? 0) + 1);
      }
    }
    for (const [host, count] of votes) {
      if (count >= Math.floor(this.sentinels.length / 2) + 1) {
        return this.redisOrdinal(host);
      }
    }
    return undefined;
  }

  /** SENTINEL REPLICAS of the master set, as each sentinel sees them. */
  async sentinelReplicas(sentinel: number): Promise<Record<string, string>[]> {
    const reply = await this.sentinelCommand(sentinel, 'SENTINEL', 'REPLICAS', this.masterSet);
    if (!Array.isArray(reply)) {
      throw new Error(`SENTINEL REPLICAS: ${String(reply)}`);
    }
    return reply.map(pairs);
  }

  /**
   * Waits until the set has settled with `master` as master: a sentinel majority names it, it says role:master,
   * every other running Redis pod is its replica with a synced link, and the master counts them all as good replicas.
   */
  private runningReplicaCount(master: number): number {
    return [...this.redis.entries()].filter(([ordinal, pod]) => ordinal !== master && pod.isRunning).length;
  }

  async waitForTopology(master: number, timeoutMs: number): Promise<void> {
    await waitFor(
      `pod ${master} as master, the other running pods as its synced replicas`,
      async () => {
        const consensus = await this.consensusMaster();
        if (consensus !== master) {
          return false;
        }
        const masterState = await this.replication(master);
        if (masterState.role !== 'master') {
          return false;
        }
        // With min-replicas-to-write, a master whose replicas have not acknowledged yet answers NOREPLICAS.
        const goodReplicas = masterState.fields.min_slaves_good_slaves;
        if (goodReplicas !== undefined && Number(goodReplicas) < this.runningReplicaCount(master)) {
          return false;
        }
        for (const [ordinal, pod] of this.redis.entries()) {
          if (ordinal === master || !pod.isRunning) {
            continue;
          }
          const state = await this.replication(ordinal);
          if (state.role !== 'slave' || state.masterHost !== this.redisHost(master) || !state.linkUp || state.syncInProgress) {
            return false;
          }
        }
        return true;
      },
      { timeoutMs, intervalMs: 100 },
    );
    this.note(`topology settled: master ${master}`);
  }

  /**
   * Waits until every sentinel knows `count` replicas of `master` that it could promote: linked, not down, with a
   * priority other than 0. Sentinels refresh a replica's INFO only every 10 s, so after a start or a failover
   * this can take that long; a failover requested before then may be refused (-NOGOODSLAVE).
   */
  async waitForPromotableReplicas(master: number, count: number, timeoutMs: number): Promise<void> {
    const host = this.redisHost(master);
    await waitFor(
      `every sentinel to know ${count} promotable replicas of pod ${master}`,
      async () => {
        for (let i = 0; i < this.sentinels.length; i++) {
          const masterView = pairs(await this.sentinelCommand(i, 'SENTINEL', 'MASTER', this.masterSet));
          if (masterView.name === undefined || masterView.ip !== host) {
            return false;
          }
          const good = (await this.sentinelReplicas(i)).filter(
            (replica) =>
              !/s_down|o_down|disconnected/.test(replica.flags) && replica['master-link-status'] === 'ok' && replica['slave-priority'] !== '0',
          );
          if (good.length < count) {
            return false;
          }
        }
        return true;
      },
      { timeoutMs, intervalMs: 200 },
    );
    this.note(`sentinels know ${count} promotable replicas of pod ${master}`);
  }

  /**
   * Writes `count` keys to the master, each followed by `WAIT 1 1000` on the same connection, and returns the
   * keys at least one replica acknowledged: the writes the set has promised to keep.
   */
  async writeAcknowledged(master: number, prefix: string, count: number): Promise<Map<string, string>> {
    const acknowledged = new Map<string, string>();
    const connection = await RespConnection.open(this.redis[master].ip, this.redisPort, { password: this.password, timeoutMs: 3000 });
    try {
      for (let i = 0; i < count; i++) {
        const key = `${prefix}:${i}`;
        const value = `${prefix}-value-${i}-${Date.now()}`;
        const set = await connection.send('SET', key, value);
        if (set !== 'OK') {
          throw new Error(`SET ${key} on pod ${master}: ${String(set)}`);
        }
        const replicas = await connection.send('WAIT', 1, 1000);
        if (typeof replicas === 'number' && replicas >= 1) {
          acknowledged.set(key, value);
        }
      }
    } finally {
      connection.close();
    }
    this.note(`wrote ${count} keys ${prefix}:* to pod ${master}, ${acknowledged.size} acknowledged by a replica`);
    return acknowledged;
  }

  /** The keys of `expected` that pod `ordinal` does not hold with the expected value. */
  async missingKeys(ordinal: number, expected: Map<string, string>): Promise<string[]> {
    const keys = [...expected.keys()];
    if (keys.length === 0) {
      return [];
    }
    const values = await this.redisCommand(ordinal, 'MGET', ...keys);
    if (!Array.isArray(values)) {
      throw new Error(`MGET on pod ${ordinal}: ${String(values)}`);
    }
    return keys.filter((key, i) => values[i] !== expected.get(key));
  }

  /**
   * Samples pod `ordinal`'s role every `intervalMs` until `stop` resolves; returns every role it answered with
   * (an unreachable pod answers nothing). Lets a test assert that a restarted pod never served as master.
   */
  async sampleRoles(ordinal: number, stop: Promise<unknown>, intervalMs = 25): Promise<string[]> {
    let done = false;
    void stop.finally(() => (done = true)).catch(() => undefined);
    const roles: string[] = [];
    while (!done) {
      try {
        const role = (await this.replication(ordinal)).role;
        if (roles[roles.length - 1] !== role) {
          this.note(`pod ${ordinal} answers role:${role}`);
        }
        roles.push(role);
      } catch {
        // not up (yet)
      }
      await sleep(intervalMs);
    }
    return roles;
  }

  // ---- Diagnostics and cleanup ------------------------------------------------------------------------------

  /** The timeline and the tail of every pod's log, for a failure message. */
  diagnostics(linesPerPod = 60): string {
    const parts = ['---- timeline', ...this.timeline];
    for (const pod of this.pods) {
      const lines = pod.log().trimEnd().split('\n');
      parts.push(
        `---- ${pod.name} (${pod.ip}), last ${Math.min(lines.length, linesPerPod)} of ${lines.length} log lines`,
        ...lines.slice(-linesPerPod),
      );
    }
    return parts.join('\n');
  }

  /**
   * Kills every pod (SIGKILL of each PID 1 takes its whole process tree), checks that nothing listens on the
   * cluster's addresses any more, and removes the directories (kept with REDIS_HARNESS_KEEP=1).
   */
  async destroy(): Promise<void> {
    if (this.destroyed) {
      return;
    }
    this.destroyed = true;
    liveClusters.delete(this);
    const errors: string[] = [];
    await Promise.all(
      this.pods.map((pod) =>
        pod.dispose().catch((error) => {
          errors.push(String(error));
        }),
      ),
    );
    const addresses = new Set(this.pods.map((pod) => pod.ip));
    const stillListening = listeningSockets().filter((socket) => addresses.has(socket.ip));
    if (stillListening.length > 0) {
      errors.push(`still listening after cleanup: ${stillListening.map((s) => `${s.ip}:${s.port}`).join(', ')}`);
    }
    releaseSubnet(this.subnet);
    if (process.env.REDIS_HARNESS_KEEP === '1') {
      rmSync(join(this.root, OWNER_FILE), { force: true });
      console.log(`REDIS_HARNESS_KEEP=1: kept ${this.root}`);
    } else {
      rmSync(this.root, { recursive: true, force: true });
    }
    if (errors.length > 0) {
      throw new Error(`cleanup of ${this.root}: ${errors.join('; ')}`);
    }
  }

  /** The pod's DNS name, `<pod>.<headless service>.<namespace>.svc.<cluster domain>`. */
  fqdn(pod: Pod): string {
    const host = this.hosts.get(pod);
    if (host === undefined) {
      throw new Error(`${pod.name} is not a pod of this cluster`);
    }
    return host;
  }

  private writeHosts(): void {
    const lines = ['127.0.0.1 localhost', '::1 localhost ip6-localhost ip6-loopback', ...[...this.records].map(([host, ip]) => `${ip} ${host}`), ''];
    writeFileSync(this.hostsFile, lines.join('\n'), { mode: 0o644 });
  }
}

/** Replication state from an INFO replication reply. */
export function toReplication(reply: RespValue): Replication {
  const fields = parseInfo(reply);
  return {
    role: fields.role,
    masterHost: fields.master_host,
    linkUp: fields.master_link_status === 'up',
    syncInProgress: fields.master_sync_in_progress === '1',
    offset: Number(fields.master_repl_offset ?? fields.slave_repl_offset ?? 0),
    fields,
  };
}

function containerPort(set: Workload): number {
  const port = set.container.ports?.[0]?.containerPort;
  if (typeof port !== 'number') {
    throw new Error(`${set.statefulSetName}: no container port`);
  }
  return port;
}

/** TCP sockets in LISTEN state, from /proc/net/tcp (IPv4). */
export function listeningSockets(): { ip: string; port: number }[] {
  const result: { ip: string; port: number }[] = [];
  const lines = readFileSync('/proc/net/tcp', 'utf8').trim().split('\n').slice(1);
  for (const line of lines) {
    const fields = line.trim().split(/\s+/);
    if (fields[3] !== '0A') {
      continue;
    }
    const [hexIp, hexPort] = fields[1].split(':');
    const ip = [3, 2, 1, 0].map((i) => parseInt(hexIp.slice(i * 2, i * 2 + 2), 16)).join('.');
    result.push({ ip, port: parseInt(hexPort, 16) });
  }
  return result;
}

/** The PID of the test process that owns a cluster directory; removed from directories kept on purpose. */
const OWNER_FILE = 'owner.pid';

/**
 * Removes the directories of clusters whose test process died without cleaning up (its pods died with it: see
 * the parent-death signals in pod.ts). Directories kept with REDIS_HARNESS_KEEP=1 have no owner file and stay.
 */
function sweepAbandonedClusters(): void {
  for (const entry of readdirSync(BASE_DIR)) {
    if (!entry.startsWith('redis-harness-') || entry.endsWith('.lock')) {
      continue;
    }
    const dir = join(BASE_DIR, entry);
    let owner: number;
    try {
      owner = Number(readFileSync(join(dir, OWNER_FILE), 'utf8').trim());
    } catch {
      continue;
    }
    if (owner > 0 && owner !== process.pid && !processExists(owner)) {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

const heldSubnets = new Set<number>();
const subnetLock = (subnet: number) => join(BASE_DIR, `redis-harness-subnet-${subnet}.lock`);

/**
 * Reserves a third octet for a cluster's addresses, so clusters of concurrent tests, and of other test processes
 * on the machine (two developers running the suite, a CI run), never share an address: a lock file per subnet
 * holding the owner's PID (a lock whose owner is gone is taken over), and no socket already listening in it.
 */
export function allocateSubnet(preferred?: number): number {
  const candidates = preferred === undefined ? Array.from({ length: 240 }, (_, i) => 10 + i) : [preferred];
  const listening = listeningSockets();
  for (const subnet of candidates) {
    if (listening.some((socket) => socket.ip.startsWith(`127.0.${subnet}.`))) {
      continue;
    }
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(subnetLock(subnet), 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        heldSubnets.add(subnet);
        return subnet;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw error;
        }
        const owner = Number(readFileSync(subnetLock(subnet), 'utf8').trim() || '0');
        if ((owner === process.pid && heldSubnets.has(subnet)) || (owner !== process.pid && owner > 0 && processExists(owner))) {
          break;
        }
        rmSync(subnetLock(subnet), { force: true });
      }
    }
  }
  throw new Error(`no free subnet for a harness cluster${preferred === undefined ? '' : ` (asked for 127.0.${preferred}.x)`}`);
}

export function releaseSubnet(subnet: number): void {
  if (heldSubnets.delete(subnet)) {
    rmSync(subnetLock(subnet), { force: true });
  }
}

process.on('exit', () => {
  for (const subnet of heldSubnets) {
    rmSync(subnetLock(subnet), { force: true });
  }
});

/** Re-exported for tests that check an error reply. */
export { RespErrorReply };
