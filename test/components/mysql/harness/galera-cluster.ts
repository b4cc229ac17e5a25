import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Manifest, Secrets, Workload, readManifest, workload } from '../../../support/harness/manifest';
import { Attachment, PodNetwork } from '../../../support/harness/network';
import { ExecResult, HAPROXY_IMAGE_BINARIES, Pod } from '../../../support/harness/pod';
import { assertPodSandboxAvailable } from '../../../support/harness/preflight';
import { findBinary } from '../../../support/harness/system';
import { sleep, waitFor } from '../../../support/harness/wait';
import { MARIADB_IMAGE_BINARIES } from './image';
import type { CommitLoadSpec, CommitLog } from './commit-load';
import { SqlClient, SqlTarget } from './sql-client';

/**
 * A MysqlReplication with the MARIADB_11_4 engine, run from its synthesized manifests: each member pod is two harness
 * Pods (the database container and the Galera agent sidecar) sharing one network namespace and the pod's volumes;
 * the HAProxy pods of the writer endpoint run from their Deployment; a SQL client (sql-client.ts) in a namespace of
 * its own talks to them all, and serves the hosts file as DNS for HAProxy, which resolves the members itself.
 *
 * Everything the pods run (scripts, my.cnf, haproxy.cfg, env, probes, preStop) is what the construct emitted.
 *
 * GALERA_HARNESS_VERBOSE=1 prints each cluster's timeline as it goes; GALERA_HARNESS_KEEP=1 keeps the pods'
 * directories (under /var/tmp, not /tmp: every pod mounts its own tmp volume on /tmp and would not see them).
 */

const PATH_VARIABLES = ['SCRIPTS_DIR', 'CONFIG_DIR', 'DATA_DIR', 'RUN_DIR'] as const;
const BASE_DIR = '/var/tmp';

export interface GaleraClusterOptions {
  readonly objects: readonly any[];
  /** The construct id: StatefulSet `<name>-mysql`, proxies `<name>-proxy-deployment`. */
  readonly name: string;
  readonly secrets: Secrets;
  readonly clusterDomain?: string;
  /** A directory saved by `saveTemplate`: each member's data volume starts as a copy of it. @default - empty volumes */
  readonly template?: string;
}

/** One member pod: the database container and its agent sidecar. */
export class GaleraMember {
  constructor(
    readonly ordinal: number,
    readonly fqdn: string,
    readonly database: Pod,
    readonly agent: Pod,
    /** The application database (APPLICATION_DATABASE), where `insertRows` and `rowIds` use table `t`. */
    readonly applicationDatabase: string,
  ) {}

  get name(): string {
    return this.database.name;
  }

  get ip(): string {
    return this.database.ip;
  }

  get isRunning(): boolean {
    return this.database.isRunning;
  }

  /** SQL as root over the socket, inside the pod (like `kubectl exec`); tab-separated rows. */
  async sql(query: string, timeoutMs = 10_000): Promise<string> {
    const result = await this.database.exec(
      ['sh', '-c', 'MYSQL_PWD=$MYSQL_ROOT_PASSWORD exec mariadb --no-defaults -uroot -S "$RUN_DIR/mysqld.sock" -N -B -e "$1"', 'sql', query],
      timeoutMs,
    );
    if (result.code !== 0) {
      throw new Error(`${this.name}: ${query}: exit ${result.code ?? result.signal}: ${result.stderr.trim()}`);
    }
    return result.stdout.trim();
  }

  /** A global status variable, or undefined when the server does not answer. */
  async status(variable: string): Promise<string | undefined> {
    try {
      return (await this.sql(`SHOW GLOBAL STATUS LIKE '${variable}'`, 5000)).split('\t')[1];
    } catch {
      return undefined;
    }
  }

  /** `<wsrep_local_state> <wsrep_cluster_status> <wsrep_cluster_size>` in one query, or undefined when the server does not answer. */
  async wsrepView(): Promise<string | undefined> {
    try {
      const rows = await this.sql(
        "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME IN ('WSREP_LOCAL_STATE', 'WSREP_CLUSTER_STATUS', 'WSREP_CLUSTER_SIZE') " +
          "ORDER BY FIELD(VARIABLE_NAME, 'WSREP_LOCAL_STATE', 'WSREP_CLUSTER_STATUS', 'WSREP_CLUSTER_SIZE')",
        5000,
      );
      return rows.split('\n').join(' ');
    } catch {
      return undefined;
    }
  }

  /** GET `path` from the pod's agent, from inside the pod (from the agent container, which outlives a database crash). */
  async agentGet(path: string): Promise<{ code: number; body: string }> {
    const agentPort = this.agent.env.AGENT_PORT;
    const result = await this.agent.exec(
      [
        'perl',
        '-e',
        'use IO::Socket::INET; my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$ARGV[1]", Timeout => 3) or exit 2; ' +
          'print $s "GET $ARGV[0] HTTP/1.0\\r\\n\\r\\n"; local $/; print <$s>;',
        path,
        agentPort,
      ],
      5000,
    );
    const match = /^HTTP\/1\.0 (\d+)[^\n]*\r\n.*?\r\n\r\n(.*)$/s.exec(result.stdout);
    if (!match) {
      throw new Error(`${this.name}: GET ${path}: no HTTP answer (exit ${result.code}): ${result.stdout}${result.stderr}`);
    }
    return { code: Number(match[1]), body: match[2] };
  }

  /** The agent's GET /state as an object. */
  async state(): Promise<Record<string, string>> {
    const { body } = await this.agentGet('/state');
    return Object.fromEntries(
      body
        .trim()
        .split('\n')
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
  }

  /** Inserts ids `from`..`from + count - 1` into table t, one autocommitted statement each; all acknowledged on exit 0. */
  async insertRows(from: number, count: number): Promise<void> {
    const statements = Array.from({ length: count }, (_, i) => `INSERT INTO \`${this.applicationDatabase}\`.t (id) VALUES (${from + i});`).join(' ');
    await this.sql(statements, 60_000);
  }

  /** The ids in table t. */
  async rowIds(): Promise<number[]> {
    const rows = await this.sql(`SELECT id FROM \`${this.applicationDatabase}\`.t ORDER BY id`);
    return rows === '' ? [] : rows.split('\n').map(Number);
  }

  /** Runs a command in the database container, as `kubectl exec` would. */
  exec(command: readonly string[], timeoutMs: number): Promise<ExecResult> {
    return this.database.exec(command, timeoutMs);
  }

  /** A file on the data volume, or undefined. */
  dataFile(file: string): string | undefined {
    const path = join(this.database.volumeDir('data'), file);
    return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  }

  /** The start script's log lines of the database container's current start. */
  startLog(): string {
    return this.database.lastStartLog();
  }
}

export class GaleraCluster {
  readonly manifest: Manifest;
  readonly membersWorkload: Workload;
  readonly proxyWorkload: Workload;
  readonly members: GaleraMember[];
  readonly proxies: Pod[];
  readonly root: string;
  readonly hostsFile: string;
  readonly network: PodNetwork;
  readonly clientAttachment: Attachment;
  readonly passwords: Record<string, string>;
  readonly database: string;
  readonly applicationUser: string;
  readonly writerPort: number;
  private readonly records = new Map<string, string>();
  private readonly hostNames = new Map<string, string>();
  private readonly timeline: string[] = [];
  private readonly started = Date.now();
  private sqlClient?: SqlClient;
  private destroyed = false;

  constructor(options: GaleraClusterOptions) {
    const clusterDomain = options.clusterDomain ?? 'cluster.local';
    this.manifest = readManifest(options.objects);
    this.membersWorkload = workload(this.manifest, `${options.name}-mysql`);
    this.proxyWorkload = workload(this.manifest, `${options.name}-proxy-deployment`);
    const env = Object.fromEntries(
      this.membersWorkload.container.env.filter((variable: any) => variable.value !== undefined).map((v: any) => [v.name, v.value]),
    );
    this.database = env.APPLICATION_DATABASE;
    this.applicationUser = env.APPLICATION_USER;
    const secretName = this.membersWorkload.container.env.find((variable: any) => variable.name === 'MYSQL_ROOT_PASSWORD').valueFrom.secretKeyRef
      .name;
    this.passwords = options.secrets[secretName];
    this.writerPort = this.proxyWorkload.container.ports.find((port: any) => port.name === 'mysql-rw').containerPort;

    this.network = PodNetwork.create();
    this.root = mkdtempSync(join(BASE_DIR, `galera-harness-${options.name}-`));
    this.hostsFile = join(this.root, 'hosts');
    try {
      chmodSync(this.root, 0o755);
      this.writeHosts();
      this.clientAttachment = this.network.attach('client');
      const resolvConf = join(this.root, 'resolv.conf');
      writeFileSync(resolvConf, `nameserver ${this.clientAttachment.ip}\n`, { mode: 0o644 });
      const attach = (pod: string) => {
        const attachment = this.network.attach(pod);
        this.records.set(this.hostNames.get(pod)!, attachment.ip);
        this.writeHosts();
        return attachment;
      };
      const common = { configMaps: this.manifest.configMaps, secrets: options.secrets, hostsFile: this.hostsFile };
      this.members = Array.from({ length: this.membersWorkload.replicas }, (_, ordinal) => {
        const name = `${this.membersWorkload.name}-${ordinal}`;
        const fqdn = `${name}.${this.membersWorkload.serviceName}.${this.membersWorkload.namespace}.svc.${clusterDomain}`;
        this.hostNames.set(name, fqdn);
        const root = join(this.root, name);
        const databasePod = new Pod({
          ...common,
          name,
          workload: this.membersWorkload,
          root,
          networking: { attach, detach: (attachment) => this.network.detach(attachment) },
          pathVariables: PATH_VARIABLES,
          imageBinaries: MARIADB_IMAGE_BINARIES,
        });
        // The sidecar: the same pod directory (volumes), the database container's network namespace.
        const agentPod = new Pod({
          ...common,
          name,
          workload: this.membersWorkload,
          container: 'agent',
          root,
          networking: { attach: () => databasePod.attachment, detach: () => undefined },
          pathVariables: PATH_VARIABLES,
          imageBinaries: MARIADB_IMAGE_BINARIES,
        });
        if (options.template) {
          const data = databasePod.volumeDir('data');
          rmSync(data, { recursive: true, force: true });
          copyTree(join(options.template, String(ordinal)), data);
        }
        return new GaleraMember(ordinal, fqdn, databasePod, agentPod, this.database);
      });
      this.proxies = Array.from({ length: this.proxyWorkload.replicas }, (_, ordinal) => {
        const name = `${this.proxyWorkload.name}-${ordinal}`;
        this.hostNames.set(name, name);
        return new Pod({
          ...common,
          name,
          workload: this.proxyWorkload,
          root: join(this.root, name),
          networking: { attach, detach: (attachment) => this.network.detach(attachment) },
          pathVariables: [],
          imageBinaries: HAPROXY_IMAGE_BINARIES,
          resolvConf,
        });
      });
    } catch (error) {
      this.network.destroy();
      rmSync(this.root, { recursive: true, force: true });
      throw error;
    }
    this.note(
      `cluster at ${this.root}: members ${this.members.map((member) => member.ip).join(', ')}; proxies ${this.proxies.map((pod) => pod.ip).join(', ')}`,
    );
  }

  note(message: string): void {
    const line = `+${((Date.now() - this.started) / 1000).toFixed(2)}s ${message}`;
    this.timeline.push(line);
    if (process.env.GALERA_HARNESS_VERBOSE === '1') {
      console.log(line);
    }
  }

  /**
   * The test's SQL client, started on first use: the script tests, which talk to the members over their sockets, need
   * neither it nor the proxies.
   */
  get sql(): SqlClient {
    this.sqlClient ??= new SqlClient(this.clientAttachment, join(this.root, 'client.log'));
    return this.sqlClient;
  }

  /** Every member (agents first, as the kubelet starts a pod's containers together) and every proxy, at once. */
  async startAll(): Promise<void> {
    await this.sql.serveDns(this.hostsFile);
    await this.startMembers();
    await Promise.all(this.proxies.map((proxy) => proxy.start()));
    this.note('all pods started');
  }

  /** Starts every member at once; resolves, with the time it took, once all are Synced in one primary component. */
  async startSynced(timeoutMs: number): Promise<number> {
    await this.startMembers();
    const ms = await this.waitSynced(this.members, this.members.length, timeoutMs);
    this.note(`${this.members.length} members Synced after ${ms} ms`);
    return ms;
  }

  async startMembers(members: readonly GaleraMember[] = this.members): Promise<void> {
    await Promise.all(members.map((member) => this.startMember(member)));
  }

  async startMember(member: GaleraMember): Promise<void> {
    if (!member.agent.isRunning) {
      await member.agent.start();
    }
    await member.database.start();
    this.note(`${member.name} started`);
  }

  /** kill -9 of both containers: a lost node. */
  async crash(member: GaleraMember): Promise<void> {
    await Promise.all([member.database.kill(), member.agent.kill()]);
    this.note(`${member.name} crashed (kill -9)`);
  }

  /** kill -9 of the database container of each member (mariadbd and every process of it); the agents keep running. */
  async crashDatabase(...members: GaleraMember[]): Promise<void> {
    await Promise.all(members.map((member) => member.database.kill()));
    this.note(`database container of ${members.map((member) => member.name).join(', ')} crashed (kill -9)`);
  }

  /** A pod deletion: preStop, SIGTERM, SIGKILL at the end of the grace period; then the sidecar. */
  async terminate(member: GaleraMember): Promise<{ preStop?: ExecResult; killed: boolean }> {
    const { preStop, killed } = await member.database.terminate();
    await member.agent.terminate();
    this.note(`${member.name} terminated${killed ? ' (killed at the end of the grace period)' : ''}`);
    return { preStop, killed };
  }

  /** The stopped pod comes back as a new pod: same name, new address; `wipeData` loses its volume. */
  recreate(member: GaleraMember, options: { readonly wipeData?: boolean } = {}): void {
    member.database.recreate({ wipeClaims: options.wipeData ? ['data'] : [] });
    member.agent.recreate();
    this.note(`${member.name} recreated at ${member.ip}${options.wipeData ? ' with an empty volume' : ''}`);
  }

  cut(member: GaleraMember): void {
    this.network.cut(member.database.attachment);
    this.note(`${member.name} cut off the network`);
  }

  heal(member: GaleraMember): void {
    this.network.heal(member.database.attachment);
    this.note(`${member.name} back on the network`);
  }

  /** A direct link from the SQL client to `member`, so the test reaches it across a partition. */
  linkClientTo(member: GaleraMember): () => void {
    const unlink = this.network.sideLink(this.clientAttachment, member.database.attachment);
    this.note(`client linked directly to ${member.name}`);
    return () => {
      unlink();
      this.note(`direct link to ${member.name} removed`);
    };
  }

  /** Waits until every given member is Synced in a primary component of `size`; resolves with the time it took. */
  async waitSynced(members: readonly GaleraMember[], size: number, timeoutMs: number): Promise<number> {
    const started = Date.now();
    await waitFor(
      `${members.map((member) => member.name).join(', ')} Synced in a primary component of ${size}`,
      async () => {
        for (const member of members) {
          if (!member.database.isRunning) {
            throw new Error(`${member.name} is not running:\n${member.database.lastStartLog().slice(-4000)}`);
          }
        }
        const views = await Promise.all(members.map((member) => member.wsrepView()));
        return views.every((view) => view === `4 Primary ${size}`);
      },
      { timeoutMs, intervalMs: 500 },
    );
    return Date.now() - started;
  }

  /** Where each member's database log ends now, for `serverStarts`. */
  mark(): number[] {
    return this.members.map((member) => member.database.log().length);
  }

  /** The start-galera.sh lines that start mariadbd, of every member, since `mark` (every start by default). */
  serverStarts(since: readonly number[] = []): string[] {
    return this.members.flatMap((member, i) =>
      member.database
        .log()
        .slice(since[i] ?? 0)
        .split('\n')
        .filter((line) => line.includes('start-galera.sh: starting mariadbd')),
    );
  }

  /** Copies every member's data volume (owner and modes kept) to `dir`, for clusters made with `template: dir`; the members must be stopped. */
  saveTemplate(dir: string): void {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    for (const member of this.members) {
      copyTree(member.database.volumeDir('data'), join(dir, String(member.ordinal)));
    }
  }

  /** The application user's view through proxy `ordinal`'s read-write port (the Service kube-proxy would pick). */
  writerTarget(ordinal = 0): SqlTarget {
    return { host: this.proxies[ordinal].ip, port: this.writerPort, user: this.applicationUser, password: this.passwords['application-password'] };
  }

  /** The application user straight to a member's SQL port (as no client should, to prove what the member accepts). */
  memberTarget(member: GaleraMember): SqlTarget {
    return { host: member.ip, port: this.writerPort, user: this.applicationUser, password: this.passwords['application-password'] };
  }

  /** The member the writer endpoint sends writes to now, from `@@wsrep_node_name` through it. */
  async currentWriter(ordinal = 0): Promise<GaleraMember> {
    const rows = await this.sql.query(this.writerTarget(ordinal), 'SELECT @@wsrep_node_name AS member');
    const name = String(rows[0].member);
    const member = this.members.find((candidate) => candidate.name === name);
    if (!member) {
      throw new Error(`the writer endpoint answered from ${name}, which is no member`);
    }
    return member;
  }

  /** Creates the load's table through the writer endpoint, as the application would. */
  async createLoadTable(table: string): Promise<void> {
    await waitFor(
      `the writer endpoint to create ${table}`,
      async () => {
        await this.sql.query(
          this.writerTarget(),
          `CREATE TABLE IF NOT EXISTS \`${this.database}\`.\`${table}\` (seq BIGINT PRIMARY KEY, member VARCHAR(64) NOT NULL)`,
        );
        return true;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
  }

  loadSpec(table: string, overrides: Partial<CommitLoadSpec> = {}): CommitLoadSpec {
    return {
      endpoints: this.proxies.map((proxy) => ({ host: proxy.ip, port: this.writerPort })),
      user: this.applicationUser,
      password: this.passwords['application-password'],
      database: this.database,
      table,
      commitsPerSecond: 100,
      connections: 4,
      commandTimeoutMs: 5000,
      ...overrides,
    };
  }

  async startLoad(spec: CommitLoadSpec): Promise<void> {
    await this.sql.startLoad(spec);
    this.note(`load started: ${spec.commitsPerSecond} commits/s on ${spec.connections} connections`);
  }

  async stopLoad(): Promise<CommitLog> {
    const log = await this.sql.stopLoad();
    this.note(`load stopped: ${log.commits.filter((commit) => commit.reply === 'OK').length} of ${log.commits.length} commits acknowledged`);
    return log;
  }

  /** The rows of the load's table on `member`, read over its socket. */
  async rowsOn(member: GaleraMember, table: string): Promise<Map<number, string>> {
    const rows = await member.sql(`SELECT seq, member FROM \`${this.database}\`.\`${table}\``, 30_000);
    return new Map(rows === '' ? [] : rows.split('\n').map((line) => [Number(line.split('\t')[0]), line.split('\t')[1]]));
  }

  /** The timeline and the end of every container's log, for a failed test. */
  diagnostics(linesPerContainer = 40): string {
    const tail = (pod: Pod, label: string) => {
      const lines = pod.log().trimEnd().split('\n');
      return [
        `---- ${label} (${pod.ip}), last ${Math.min(lines.length, linesPerContainer)} of ${lines.length} lines`,
        ...lines.slice(-linesPerContainer),
      ];
    };
    return [
      '---- timeline',
      ...this.timeline,
      ...this.members.flatMap((member) => [...tail(member.database, `${member.name} mysql`), ...tail(member.agent, `${member.name} agent`)]),
      ...this.proxies.flatMap((proxy) => tail(proxy, proxy.name)),
    ].join('\n');
  }

  async destroy(): Promise<void> {
    if (this.destroyed) {
      return;
    }
    this.destroyed = true;
    const pods = [...this.members.flatMap((member) => [member.database, member.agent]), ...this.proxies];
    await Promise.allSettled(pods.map((pod) => pod.dispose()));
    await this.sqlClient?.close().catch(() => undefined);
    await sleep(100);
    this.network.destroy();
    if (process.env.GALERA_HARNESS_KEEP !== '1') {
      rmSync(this.root, { recursive: true, force: true });
    }
  }

  private writeHosts(): void {
    const lines = ['127.0.0.1 localhost', ...[...this.records].map(([host, ip]) => `${ip} ${host}`), ''];
    writeFileSync(this.hostsFile, lines.join('\n'), { mode: 0o644 });
  }
}

/** `cp -a`: the copy keeps owners (uid 999) and modes. */
function copyTree(from: string, to: string): void {
  const copied = spawnSync(findBinary('cp'), ['-a', from, to], { encoding: 'utf8' });
  if (copied.status !== 0) {
    throw new Error(`cp -a ${from} ${to}: ${copied.stderr}`);
  }
}

/** Runs `body` on a new cluster; always destroys it, and adds the timeline and the logs to a failure. */
export async function withGaleraCluster(options: GaleraClusterOptions, body: (cluster: GaleraCluster) => Promise<void>): Promise<void> {
  const cluster = new GaleraCluster(options);
  try {
    await body(cluster);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\n${cluster.diagnostics()}`, { cause: error });
  } finally {
    await cluster.destroy();
  }
}

/** Throws, saying what is missing, unless this machine can run Galera member pods (never skips). */
export function assertGaleraAvailable(): void {
  assertPodSandboxAvailable({
    component: 'The MariaDB Galera pods',
    binaries: [...MARIADB_IMAGE_BINARIES, ...HAPROXY_IMAGE_BINARIES],
    packages: ['mariadb-server', 'mariadb-client', 'mariadb-backup', 'galera-4', 'socat', 'haproxy'],
  });
  if (!existsSync('/usr/lib/galera/libgalera_smm.so')) {
    throw new Error(
      'The MariaDB Galera pods cannot run on this machine:\n- /usr/lib/galera/libgalera_smm.so is missing (Debian: apt-get install galera-4)',
    );
  }
}
