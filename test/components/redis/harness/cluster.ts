import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Args, ClientAgent } from './client';
import { LoadLog, LoadSpec } from './load';
import { Manifest, Secrets, Workload, readManifest, resolveEnv, workload } from '../../../support/harness/manifest';
import { Attachment, PodNetwork } from '../../../support/harness/network';
import { HAPROXY_IMAGE_BINARIES, Pod, PodOptions } from '../../../support/harness/pod';
import { assertPodSandboxAvailable } from '../../../support/harness/preflight';
import { RespErrorReply, RespValue, pairs, parseInfo } from './resp';
import { ExecResult, SYSTEM_PATH, findBinary, processExists, runCollecting } from '../../../support/harness/system';
import { sleep, waitFor } from '../../../support/harness/wait';

/**
 * A RedisSentinel set run from synthesized manifests: one harness Pod per Redis and per sentinel replica, each in a
 * network namespace of its own on the set's private network (network.ts), a hosts file standing in for the headless
 * Services' DNS records, and a test client (client.ts) in a namespace of its own on the same network, through which
 * the helpers below observe the set from outside as a client would: by address, with the password.
 *
 * Addresses come from the set's own /24 of 198.18.0.0/15, handed out in order: sentinels first, then Redis pods,
 * then the client; a pod created again (`pod.recreate()`) gets the next free address, and the hosts file follows. Several sets can run at the same time: each has its own network and hosts file.
 */

/** The env variables that hold in-container paths; the only container env the harness changes (with POD_*). */
export const PATH_VARIABLES = ['SCRIPTS_DIR', 'CONFIG_DIR', 'DATA_DIR', 'RUN_DIR'] as const;

/** Where pod directories go. Not under /tmp: each pod gets its own `tmp` volume bind-mounted on /tmp. */
const BASE_DIR = '/var/tmp';
/** Keys per MGET when checking writes key by key. */
const MGET_BATCH = 500;

/** Binaries on the scripts' PATH. All of them are in the official redis:7.4 bookworm image (REDIS_IMAGE, Debian 12 base). */
export const REDIS_IMAGE_BINARIES = [
  'redis-server',
  'redis-sentinel',
  'redis-cli',
  'sh',
  'timeout',
  'getent',
  'date',
  'sed',
  'grep',
  'tr',
  'head',
  'tail',
  'sort',
  'uniq',
  'sleep',
  'mkdir',
  'mv',
  'cp',
  'rm',
  'cat',
  'cut',
  'wc',
  'ls',
  'id',
  'env',
  'true',
  'false',
] as const;

/** Throws, saying what is missing, unless this machine can run Redis pods and the master endpoint (never skips). */
export function assertRedisPodsAvailable(): void {
  assertPodSandboxAvailable({
    component: 'The Redis pods',
    binaries: [...REDIS_IMAGE_BINARIES, ...HAPROXY_IMAGE_BINARIES],
    packages: ['redis-server', 'redis-sentinel', 'redis-tools', 'haproxy'],
  });
}

/** The Redis image's WORKDIR. */
const REDIS_IMAGE_WORKDIR = '/data';

export interface ClusterOptions {
  /** Synthesized objects, e.g. `chart.toJson()`. */
  readonly objects: readonly any[];
  /** The construct id: StatefulSets `<name>-redis` and `<name>-sentinel`. */
  readonly name: string;
  /** The Secrets the pods read (the password). */
  readonly secrets: Secrets;
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

/** Runs `body` on a new set; always destroys it, and adds the set's timeline and pod logs to a failure. */
export async function withCluster(options: ClusterOptions, body: (cluster: RedisSentinelCluster) => Promise<void>): Promise<void> {
  const cluster = new RedisSentinelCluster(options);
  try {
    await body(cluster);
  } catch (error) {
    if (error instanceof Error) {
      error.message += `\n${cluster.diagnostics()}`;
    }
    throw error;
  } finally {
    await cluster.destroy();
  }
}

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
  readonly network: PodNetwork;
  /** The test client's namespace. */
  readonly clientAttachment: Attachment;
  /** The master endpoint's HAProxy pods (`masterEndpoint: true`), `<set>-master-<n>`; empty without one. */
  readonly masterEndpoint: Pod[];
  private readonly resolvConf: string;
  private readonly client: ClientAgent;
  private readonly started = Date.now();
  private readonly timeline: string[] = [];
  private readonly records = new Map<string, string>();
  private readonly hosts = new Map<string, string>();
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
      { name: `${this.redisWorkload.name}-0`, namespace: this.redisWorkload.namespace },
      options.secrets,
    );
    this.masterSet = env.MASTER_SET;
    this.password = env.REDIS_PASSWORD;

    sweepAbandonedClusters();
    this.network = PodNetwork.create();
    this.root = mkdtempSync(join(BASE_DIR, `redis-harness-${options.name}-`));
    this.hostsFile = join(this.root, 'hosts');
    try {
      chmodSync(this.root, 0o755);
      writeFileSync(join(this.root, OWNER_FILE), String(process.pid));
      this.writeHosts();
      const networking = {
        attach: (pod: string) => {
          const attachment = this.network.attach(pod);
          this.records.set(this.hosts.get(pod)!, attachment.ip);
          this.writeHosts();
          return attachment;
        },
        detach: (attachment: Attachment) => this.network.detach(attachment),
      };
      // A Deployment's pods have no DNS names of their own: a proxy's name here stands in for the Service in front
      // of them (the test picks the proxy, as kube-proxy would).
      const makePods = (set: Workload, podOptions: Pick<PodOptions, 'pathVariables' | 'imageBinaries' | 'imageWorkdir' | 'resolvConf'>) =>
        Array.from({ length: set.replicas }, (_, ordinal) => {
          const name = `${set.name}-${ordinal}`;
          this.hosts.set(name, `${name}.${set.serviceName || set.name}.${set.namespace}.svc.${clusterDomain}`);
          return new Pod({
            name,
            workload: set,
            configMaps: this.manifest.configMaps,
            secrets: options.secrets,
            root: join(this.root, name),
            networking,
            hostsFile: this.hostsFile,
            ...podOptions,
          });
        });
      const redisImage = { pathVariables: PATH_VARIABLES, imageBinaries: REDIS_IMAGE_BINARIES, imageWorkdir: REDIS_IMAGE_WORKDIR };
      this.sentinels = makePods(this.sentinelWorkload, redisImage);
      this.redis = makePods(this.redisWorkload, redisImage);
      this.clientAttachment = this.network.attach('client');
      this.resolvConf = join(this.root, 'resolv.conf');
      writeFileSync(this.resolvConf, `nameserver ${this.clientAttachment.ip}\n`, { mode: 0o644 });
      const endpointName = `${options.name}-master-deployment`;
      const endpoint = endpointName in this.manifest.workloads ? workload(this.manifest, endpointName) : undefined;
      this.masterEndpoint = endpoint
        ? makePods(endpoint, { pathVariables: ['CONFIG_DIR'], imageBinaries: HAPROXY_IMAGE_BINARIES, resolvConf: this.resolvConf })
        : [];
      this.client = new ClientAgent(this.clientAttachment, join(this.root, 'client.log'), this.password);
    } catch (error) {
      this.network.destroy();
      rmSync(this.root, { recursive: true, force: true });
      throw error;
    }
    liveClusters.add(this);
    this.note(`cluster at ${this.root}: redis ${this.redis.map((p) => p.ip).join(', ')}; sentinels ${this.sentinels.map((p) => p.ip).join(', ')}`);
  }

  /** Every pod: the sentinels, the Redis pods, then the master endpoint's proxies. */
  get pods(): Pod[] {
    return [...this.sentinels, ...this.redis, ...this.masterEndpoint];
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
   * Changes the DNS record of a pod (undefined removes it). The file is rewritten in place: the pods see it through a
   * bind mount of this very inode.
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
    if (this.masterEndpoint.length > 0) {
      await this.serveDns();
    }
    await Promise.all(this.pods.map((pod) => pod.start()));
  }

  /**
   * Serves the hosts file as DNS from the test client's address, which every pod's resolv.conf names: the master
   * endpoint's HAProxy resolves the Redis pods itself, at run time, so a rescheduled pod's new address reaches it.
   */
  async serveDns(): Promise<void> {
    await this.client.serveDns(this.hostsFile);
  }

  /** Changes the Secrets every pod reads from its next start on (a changed Secret, before the pods roll). */
  setSecrets(secrets: Secrets): void {
    for (const pod of this.pods) {
      pod.setSecrets(secrets);
    }
    this.note(
      `Secrets changed: ${Object.entries(secrets)
        .map(([name, keys]) => `${name} {${Object.keys(keys).join(', ')}}`)
        .join(', ')}`,
    );
  }

  /** The password the test client authenticates with from now on (new connections, and loads started later). */
  async usePassword(password: string): Promise<void> {
    await this.client.setPassword(password);
    this.note('the test client authenticates with another password');
  }

  /** Partitions a pod: the switch side of its link goes down. */
  cut(pod: Pod): void {
    this.network.cut(pod.attachment);
    this.note(`${pod.name} cut off the network`);
  }

  heal(pod: Pod): void {
    this.network.heal(pod.attachment);
    this.note(`${pod.name} back on the network`);
  }

  /**
   * A direct link between the test client and `pod`, so the client keeps reaching the pod when a partition cuts it
   * off from everything else (a client on the pod's side of the partition). Returns a function removing it.
   */
  linkClientTo(pod: Pod): () => void {
    const unlink = this.network.sideLink(this.clientAttachment, pod.attachment);
    this.note(`client linked directly to ${pod.name}`);
    let linked = true;
    return () => {
      if (linked) {
        linked = false;
        unlink();
        this.note(`direct link from the client to ${pod.name} removed`);
      }
    };
  }

  /** Listening sockets in every running pod's namespace, by pod name. */
  listening(): Record<string, string[]> {
    return Object.fromEntries(this.pods.filter((pod) => pod.isRunning).map((pod) => [pod.name, pod.listening().sort()]));
  }

  /** Starts a write load through the test client (see load.ts). */
  async startLoad(options: Pick<LoadSpec, 'name'> & Partial<LoadSpec>): Promise<void> {
    await this.client.startLoad({
      writesPerSecond: 250,
      connections: 8,
      waitTimeoutMs: 1000,
      commandTimeoutMs: 3000,
      pollIntervalMs: 100,
      probeIntervalMs: 100,
      hostsFile: this.hostsFile,
      redisHosts: this.redis.map((pod) => this.fqdn(pod)),
      redisPort: this.redisPort,
      sentinelHosts: this.sentinels.map((pod) => this.fqdn(pod)),
      sentinelPort: this.sentinelPort,
      masterSet: this.masterSet,
      ...options,
    });
    this.note(`load ${options.name} started`);
  }

  async stopLoad(): Promise<LoadLog> {
    const log = await this.client.stopLoad();
    this.note(`load ${log.spec.name} stopped: ${log.writes.length} writes, ${log.probes.length} probes, ${log.samples.length} sentinel samples`);
    return log;
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

  redisCommand(ordinal: number, ...args: Args): Promise<RespValue> {
    return this.client.command(this.redis[ordinal].ip, this.redisPort, args, 2000);
  }

  sentinelCommand(ordinal: number, ...args: Args): Promise<RespValue> {
    return this.client.command(this.sentinels[ordinal].ip, this.sentinelPort, args, 2000);
  }

  /**
   * Runs `command` as a workload of the cluster would: in the client's network namespace, with the cluster's hosts
   * file on /etc/hosts (pod names resolve as through cluster DNS), and with exactly `env` (plus PATH).
   */
  runClient(command: readonly string[], env: Record<string, string>, timeoutMs: number): Promise<ExecResult> {
    const argv = [
      findBinary('nsenter'),
      `--net=${this.clientAttachment.path}`,
      '--',
      findBinary('unshare'),
      '--mount',
      '--propagation',
      'private',
      '--',
      findBinary('sh'),
      '-c',
      'mount --bind "$1" /etc/hosts && shift && exec "$@"',
      'sh',
      this.hostsFile,
      findBinary('env'),
      '-i',
      `PATH=${SYSTEM_PATH}`,
      ...Object.entries(env).map(([key, value]) => `${key}=${value}`),
      ...command,
    ];
    return runCollecting(command, argv, timeoutMs);
  }

  /** The master endpoint's proxies by their names, for `startLoad({ endpoints })`. */
  masterEndpointHosts(): string[] {
    return this.masterEndpoint.map((pod) => this.fqdn(pod));
  }

  /**
   * The Redis pod that proxy `index` of the master endpoint forwards a new connection to (the pod's own announced
   * name, asked through the proxy), or undefined when it forwards to none.
   */
  async routedBy(index: number): Promise<number | undefined> {
    try {
      const reply = await this.client.command(this.masterEndpoint[index].ip, this.redisPort, ['CONFIG', 'GET', 'replica-announce-ip'], 2000);
      return Array.isArray(reply) ? this.redisOrdinal(String(reply[1])) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Waits until every proxy of the master endpoint forwards new connections to pod `master`. */
  async waitForEndpointRouting(master: number, timeoutMs: number): Promise<void> {
    await waitFor(
      `every proxy of the master endpoint to forward to pod ${master}`,
      async () => (await Promise.all(this.masterEndpoint.map((_, index) => this.routedBy(index)))).every((routed) => routed === master),
      { timeoutMs, intervalMs: 100 },
    );
    this.note(`every proxy forwards to pod ${master}`);
  }

  /** Runs commands in one MULTI/EXEC on pod `ordinal`: their replies describe a single instant. */
  async redisTransaction(ordinal: number, ...commands: Args[]): Promise<RespValue[]> {
    const replies = await this.client.session(this.redis[ordinal].ip, this.redisPort, [['MULTI'], ...commands, ['EXEC']], 2000);
    commands.forEach((args, i) => {
      if (replies[i + 1] !== 'QUEUED') {
        throw new Error(`${args.join(' ')} in MULTI on pod ${ordinal}: ${String(replies[i + 1])}`);
      }
    });
    const results = replies[replies.length - 1];
    if (!Array.isArray(results)) {
      throw new Error(`EXEC on pod ${ordinal}: ${String(results)}`);
    }
    return results;
  }

  async replication(ordinal: number): Promise<Replication> {
    return toReplication(await this.redisCommand(ordinal, 'INFO', 'replication'));
  }

  /**
   * Waits until each given pod has written its append-only file buffer and has no fsync pending (INFO persistence).
   * With appendfsync everysec Redis holds writes back in memory while a slow fsync runs, for up to 2 s: a scenario that
   * then kills every copy at once, to test something else, must wait for this first.
   */
  async waitAppendOnlyWritten(ordinals: readonly number[], timeoutMs = 10_000): Promise<void> {
    await waitFor(
      `the append-only files of pods ${ordinals.join(', ')} to be written`,
      async () => {
        const persistence = await Promise.all(ordinals.map(async (ordinal) => parseInfo(await this.redisCommand(ordinal, 'INFO', 'persistence'))));
        return persistence.every((fields) => fields.aof_enabled === '1' && fields.aof_buffer_length === '0' && fields.aof_pending_bio_fsync === '0');
      },
      { timeoutMs, intervalMs: 100 },
    );
    this.note(`append-only files of pods ${ordinals.join(', ')} written`);
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
   * Starts every pod at once and waits until pod 0 is master with synced replicas that every sentinel could promote
   * (sentinels refresh a replica's priority once a second; a replica that started empty has priority 0 until synced).
   */
  async bootstrap(timeoutMs = 30_000): Promise<void> {
    await this.startAll();
    await this.waitForTopology(0, timeoutMs);
    await this.waitForPromotableReplicas(0, this.redis.length - 1, timeoutMs);
  }

  /** Waits until a sentinel majority names a master other than `old`; returns its ordinal. */
  async waitForNewMaster(old: number, timeoutMs: number): Promise<number> {
    const master = await waitFor(
      `a sentinel majority to name a master other than pod ${old}`,
      async () => {
        const consensus = await this.consensusMaster();
        return consensus !== undefined && consensus !== old ? consensus : undefined;
      },
      { timeoutMs, intervalMs: 100 },
    );
    this.note(`a sentinel majority names pod ${master}`);
    return master;
  }

  /** Waits for a sentinel majority to name a master other than `old`, then for the set to settle on it; returns it. */
  async waitForFailover(old: number, timeoutMs: number): Promise<number> {
    const master = await this.waitForNewMaster(old, timeoutMs);
    await this.waitForTopology(master, timeoutMs);
    return master;
  }

  /**
   * Waits until the set has settled with `master` as master: a sentinel majority names it, it says role:master,
   * every other running Redis pod is its replica with a synced link, and the master counts them all as good replicas.
   */
  private runningReplicaCount(master: number): number {
    return [...this.redis.entries()].filter(([ordinal, pod]) => ordinal !== master && pod.isRunning).length;
  }

  async waitForTopology(master: number, timeoutMs: number): Promise<void> {
    await waitFor(`pod ${master} as master, the other running pods as its synced replicas`, () => this.settledOn(master), {
      timeoutMs,
      intervalMs: 100,
    });
    this.note(`topology settled: master ${master}`);
  }

  /**
   * Waits until the set has settled on whichever master a sentinel majority names, and returns it. After a pod moved
   * to a new address, a sentinel that still held the old address may run one more failover (a Sentinel behaviour the
   * scripts cannot prevent); what must hold is that the set settles and keeps every acknowledged write.
   */
  async waitForSettledMaster(timeoutMs: number): Promise<number> {
    const master = await waitFor(
      'a sentinel majority to name a master, with the other running pods as its synced replicas',
      async () => {
        const consensus = await this.consensusMaster();
        return consensus !== undefined && (await this.settledOn(consensus)) ? consensus : undefined;
      },
      { timeoutMs, intervalMs: 100 },
    );
    this.note(`topology settled: master ${master}`);
    return master;
  }

  private async settledOn(master: number): Promise<boolean> {
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
  }

  /**
   * Waits until every sentinel knows `count` replicas of `master` that it could promote: linked, not down, with a
   * priority other than 0. Sentinels refresh a replica's INFO once a second (every 10 s until start-sentinel.sh has
   * set the period), so after a start or a failover this takes a moment; a failover requested before then may be
   * refused (-NOGOODSLAVE).
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
   * Writes `count` keys to the master, each followed by `WAIT <replicas> 1000` on the same connection, and returns
   * the keys that many replicas acknowledged. With the default of 1 these are the writes the set has promised to
   * keep; a scenario that also wipes a replica asks for every replica, so that the data it expects to survive is
   * still on a pod it keeps.
   */
  async writeAcknowledged(master: number, prefix: string, count: number, replicas = 1): Promise<Map<string, string>> {
    const acknowledged = new Map<string, string>();
    const writes = Array.from({ length: count }, (_, i) => [`${prefix}:${i}`, `${prefix}-value-${i}-${Date.now()}`]);
    const replies = await this.client.session(
      this.redis[master].ip,
      this.redisPort,
      writes.flatMap(([key, value]) => [
        ['SET', key, value],
        ['WAIT', replicas, 1000],
      ]),
      3000,
    );
    writes.forEach(([key, value], i) => {
      const [set, acknowledgedBy] = [replies[2 * i], replies[2 * i + 1]];
      if (set !== 'OK') {
        throw new Error(`SET ${key} on pod ${master}: ${String(set)}`);
      }
      if (typeof acknowledgedBy === 'number' && acknowledgedBy >= replicas) {
        acknowledged.set(key, value);
      }
    });
    this.note(`wrote ${count} keys ${prefix}:* to pod ${master}, ${acknowledged.size} acknowledged by ${replicas} replica(s)`);
    return acknowledged;
  }

  /** The keys of `expected` that pod `ordinal` does not hold with the expected value, checked key by key. */
  async missingKeys(ordinal: number, expected: Map<string, string>): Promise<string[]> {
    const keys = [...expected.keys()];
    const batches = Array.from({ length: Math.ceil(keys.length / MGET_BATCH) }, (_, i) => keys.slice(i * MGET_BATCH, (i + 1) * MGET_BATCH));
    if (batches.length === 0) {
      return [];
    }
    const replies = await this.client.session(
      this.redis[ordinal].ip,
      this.redisPort,
      batches.map((batch) => ['MGET', ...batch]),
      5000,
    );
    return batches.flatMap((batch, b) => {
      const values = replies[b];
      if (!Array.isArray(values)) {
        throw new Error(`MGET on pod ${ordinal}: ${String(values)}`);
      }
      return batch.filter((key, i) => values[i] !== expected.get(key));
    });
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
   * Kills every pod (SIGKILL of each PID 1 takes its whole process tree) and the test client, checks that nothing
   * listens in any of the set's namespaces any more, removes the namespaces (network.ts checks that none and no
   * mount of them is left) and the directories (kept with REDIS_HARNESS_KEEP=1).
   */
  async destroy(): Promise<void> {
    if (this.destroyed) {
      return;
    }
    this.destroyed = true;
    liveClusters.delete(this);
    const errors: string[] = [];
    const attempt = async (what: () => unknown) => {
      try {
        await what();
      } catch (error) {
        errors.push(String(error));
      }
    };
    await Promise.all([...this.pods.map((pod) => attempt(() => pod.dispose())), attempt(() => this.client.close())]);
    for (const attachment of [...this.pods.map((pod) => pod.attachment), this.clientAttachment]) {
      await attempt(() => {
        const listening = this.network.listening(attachment);
        if (listening.length > 0) {
          throw new Error(`still listening in ${attachment.namespace} after cleanup: ${listening.join(', ')}`);
        }
      });
    }
    await attempt(() => this.network.destroy());
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
    const host = this.hosts.get(pod.name);
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
    throw new Error(`${set.name}: no container port`);
  }
  return port;
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

/** Re-exported for tests that check an error reply. */
export { RespErrorReply };
