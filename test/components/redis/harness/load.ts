import { resolve } from '../../../support/harness/dns';
import { RespConnection, RespErrorReply, RespValue, pairs } from './resp';

/**
 * The write load of a fault test, run by the client agent (client-agent.ts) inside the client's network namespace.
 * Three loops share one clock:
 *
 * - writers: `connections` connections write unique, sequenced keys `w:<name>:<seq>` at `writesPerSecond` in total,
 *   each SET pipelined with `WAIT 1 <waitTimeoutMs>` on the same connection, to the master a majority of the sentinels
 *   names (as a Sentinel-aware client does). A write is acknowledged when WAIT answered at least 1.
 * - the sentinel poller: every `pollIntervalMs`, what each sentinel says about the master set (master, config epoch,
 *   a failover in progress and the replica it promotes). history.ts derives from it which node was the elected
 *   master at any moment.
 * - probes: every `probeIntervalMs`, a plain SET to every Redis pod, master or not. A pod that was not the elected
 *   master and still answers OK took a write it should have refused, whatever a client would have done.
 *
 * Nodes are addressed by their DNS names, resolved through the cluster's hosts file at every (re)connect, so the load
 * follows a pod that comes back with a new address the way a client resolving the headless Service would.
 */

export interface LoadSpec {
  /** Key prefix: keys are `w:<name>:<seq>`, probe keys `p:<name>:<pod>:<n>`. */
  readonly name: string;
  readonly writesPerSecond: number;
  readonly connections: number;
  readonly waitTimeoutMs: number;
  /** Deadline of one command, WAIT included; a write without an answer by then has an unknown outcome. */
  readonly commandTimeoutMs: number;
  readonly pollIntervalMs: number;
  readonly probeIntervalMs: number;
  readonly hostsFile: string;
  readonly redisHosts: readonly string[];
  readonly redisPort: number;
  readonly sentinelHosts: readonly string[];
  readonly sentinelPort: number;
  readonly masterSet: string;
  readonly password?: string;
  /**
   * Hosts the writers connect to instead of the master a sentinel majority names, e.g. the master endpoint's proxies:
   * writer `i` writes through `endpoints[i % n]`, and reconnects to it after an error, like a client of a Service.
   */
  readonly endpoints?: readonly string[];
}

export interface WriteRecord {
  readonly seq: number;
  /** DNS name of the node written to (with `endpoints`, of the endpoint written through). */
  readonly node: string;
  readonly sentAt: number;
  readonly answeredAt: number;
  /** `OK`, an error reply, or what went wrong on the connection. */
  readonly reply: string;
  /** WAIT's answer, when SET answered OK. */
  readonly replicas?: number;
}

export interface ProbeRecord {
  readonly node: string;
  readonly sentAt: number;
  readonly answeredAt: number;
  readonly reply: string;
}

/** What one sentinel said about the master set; `error` when it did not answer. */
export interface SentinelView {
  readonly master?: string;
  readonly configEpoch?: number;
  readonly failoverState?: string;
  /** The replica a failover in progress promotes. */
  readonly promoted?: string;
  readonly error?: string;
}

export interface SentinelSample {
  readonly startedAt: number;
  readonly endedAt: number;
  /** One view per sentinel, by ordinal. */
  readonly views: readonly SentinelView[];
}

export interface LoadLog {
  readonly spec: LoadSpec;
  readonly startedAt: number;
  readonly stoppedAt: number;
  readonly writes: readonly WriteRecord[];
  readonly probes: readonly ProbeRecord[];
  readonly samples: readonly SentinelSample[];
}

/** A failover promotes its replica from `send_slaveof_noone` on; until then the old master is still the elected one. */
const PROMOTING_STATES = new Set(['send_slaveof_noone', 'wait_promotion', 'reconf_slaves', 'update_config']);
const CONNECT_TIMEOUT_MS = 500;
const SENTINEL_TIMEOUT_MS = 400;
const RETRY_PAUSE_MS = 50;
const PACE_CATCH_UP_MS = 250;

const sleep = (milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds));

/** The master a majority of all sentinels names, or undefined. */
export function majorityMaster(views: readonly SentinelView[]): string | undefined {
  const votes = new Map<string, number>();
  for (const view of views) {
    if (view.master !== undefined) {
      votes.set(view.master, (votes.get(view.master) ?? 0) + 1);
    }
  }
  return [...votes].find(([, count]) => count >= Math.floor(views.length / 2) + 1)?.[0];
}

export class Load {
  private readonly writes: WriteRecord[] = [];
  private readonly probes: ProbeRecord[] = [];
  private readonly samples: SentinelSample[] = [];
  private readonly loops: Promise<void>[] = [];
  private readonly startedAt = Date.now();
  private stopped = false;
  private nextSeq = 0;
  private nextWriteAt = Date.now();
  /** The master the writers write to: the latest one a sentinel majority named. */
  private target: string | undefined;
  private readonly firstSample: Promise<void>;

  constructor(private readonly spec: LoadSpec) {
    let sampled: () => void = () => undefined;
    this.firstSample = new Promise((resolve) => (sampled = resolve));
    this.loops.push(this.pollSentinels(sampled));
    for (let i = 0; i < spec.connections; i++) {
      this.loops.push(this.writer(i));
    }
    for (const node of spec.redisHosts) {
      this.loops.push(this.prober(node));
    }
  }

  /** Resolves once the poller has asked every sentinel once. */
  started(): Promise<void> {
    return this.firstSample;
  }

  async stop(): Promise<LoadLog> {
    this.stopped = true;
    await Promise.all(this.loops);
    return { spec: this.spec, startedAt: this.startedAt, stoppedAt: Date.now(), writes: this.writes, probes: this.probes, samples: this.samples };
  }

  private async writer(index: number): Promise<void> {
    const { endpoints } = this.spec;
    let connection: { node: string; resp: RespConnection } | undefined;
    const drop = () => {
      connection?.resp.close();
      connection = undefined;
    };
    while (!this.stopped) {
      await this.pace();
      const node = endpoints && endpoints.length > 0 ? endpoints[index % endpoints.length] : this.target;
      if (this.stopped || node === undefined) {
        await sleep(RETRY_PAUSE_MS);
        continue;
      }
      if (connection?.node !== node) {
        drop();
        try {
          connection = { node, resp: await this.connect(node, this.spec.redisPort, this.spec.commandTimeoutMs) };
        } catch {
          await sleep(RETRY_PAUSE_MS);
          continue;
        }
      }
      const seq = this.nextSeq++;
      const sentAt = Date.now();
      const set = connection.resp.send('SET', `w:${this.spec.name}:${seq}`, `v${seq}`);
      const wait = connection.resp.send('WAIT', 1, this.spec.waitTimeoutMs);
      const [setReply, waitReply] = await Promise.allSettled([set, wait]);
      const reply = setReply.status === 'fulfilled' ? describe(setReply.value) : `connection: ${String(setReply.reason?.message ?? setReply.reason)}`;
      const replicas = reply === 'OK' && waitReply.status === 'fulfilled' && typeof waitReply.value === 'number' ? waitReply.value : undefined;
      this.writes.push({ seq, node, sentAt, answeredAt: Date.now(), reply, replicas });
      if (setReply.status === 'rejected' || waitReply.status === 'rejected') {
        drop();
      }
      if (reply !== 'OK') {
        await sleep(RETRY_PAUSE_MS);
      }
    }
    drop();
  }

  /**
   * Spaces writes `1000 / writesPerSecond` ms apart across all writers. Writes a stall held back (the agent's own
   * process starved of CPU on a loaded machine, a slow reconnect) are made up for only within PACE_CATCH_UP_MS, so the
   * offered rate survives short stalls and an outage is never followed by a burst of the writes it held back.
   */
  private async pace(): Promise<void> {
    const now = Date.now();
    const at = Math.max(this.nextWriteAt, now - PACE_CATCH_UP_MS);
    this.nextWriteAt = at + 1000 / this.spec.writesPerSecond;
    if (at > now) {
      await sleep(at - now);
    }
  }

  private async prober(node: string): Promise<void> {
    let connection: RespConnection | undefined;
    for (let n = 0; !this.stopped; n++) {
      const sentAt = Date.now();
      let reply: string;
      try {
        connection ??= await this.connect(node, this.spec.redisPort, this.spec.commandTimeoutMs);
        reply = describe(await connection.send('SET', `p:${this.spec.name}:${node}:${n}`, String(n)));
      } catch (error) {
        reply = `connection: ${(error as Error).message}`;
        connection?.close();
        connection = undefined;
      }
      this.probes.push({ node, sentAt, answeredAt: Date.now(), reply });
      await sleep(Math.max(0, sentAt + this.spec.probeIntervalMs - Date.now()));
    }
    connection?.close();
  }

  private async pollSentinels(sampled: () => void): Promise<void> {
    const connections: (RespConnection | undefined)[] = this.spec.sentinelHosts.map(() => undefined);
    const ask = async (i: number): Promise<SentinelView> => {
      try {
        connections[i] ??= await this.connect(this.spec.sentinelHosts[i], this.spec.sentinelPort, SENTINEL_TIMEOUT_MS);
        const master = pairs(await connections[i]!.send('SENTINEL', 'MASTER', this.spec.masterSet));
        const failoverState = master['failover-state'];
        let promoted: string | undefined;
        if (failoverState !== undefined && PROMOTING_STATES.has(failoverState)) {
          const replicas = await connections[i]!.send('SENTINEL', 'REPLICAS', this.spec.masterSet);
          const chosen = (Array.isArray(replicas) ? replicas.map(pairs) : []).find((replica) => replica.flags.split(',').includes('promoted'));
          promoted = chosen?.ip;
        }
        return { master: master.ip, configEpoch: Number(master['config-epoch']), failoverState, promoted };
      } catch (error) {
        connections[i]?.close();
        connections[i] = undefined;
        return { error: (error as Error).message };
      }
    };
    while (!this.stopped) {
      const startedAt = Date.now();
      const views = await Promise.all(this.spec.sentinelHosts.map((_, i) => ask(i)));
      this.samples.push({ startedAt, endedAt: Date.now(), views });
      const majority = majorityMaster(views);
      if (majority !== undefined) {
        this.target = majority;
      }
      sampled();
      await sleep(Math.max(0, startedAt + this.spec.pollIntervalMs - Date.now()));
    }
    connections.forEach((connection) => connection?.close());
  }

  private async connect(host: string, port: number, timeoutMs: number): Promise<RespConnection> {
    const address = resolve(this.spec.hostsFile, host);
    if (address === undefined) {
      throw new Error(`${host} does not resolve`);
    }
    return RespConnection.open(address, port, { password: this.spec.password, timeoutMs, connectTimeoutMs: CONNECT_TIMEOUT_MS });
  }
}

function describe(reply: RespValue): string {
  return reply instanceof RespErrorReply ? reply.message : String(reply);
}
