import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataClass } from '../../../../lib/core/tier';
import { renderGaleraCnf } from '../../../../lib/components/mysql/galera-config';
import { Workload } from '../../redis/harness/manifest';
import { Attachment, PodNetwork } from '../../redis/harness/network';
import { ExecResult, Pod } from '../../redis/harness/pod';
import { findBinary } from '../../redis/harness/system';
import { sleep } from '../../redis/harness/wait';
import { MARIADB_IMAGE_BINARIES } from '../harness/image';

/**
 * Three (or more) MariaDB Galera "pods" as real process trees, built with the Redis harness's Pod and PodNetwork
 * (see test/components/redis/harness/README.md): each pod has its own network namespace and address on a private
 * bridge, its own PID and mount namespaces, a hosts file that resolves every pod's FQDN, a read-only root, uid and
 * gid 999 (the mariadb image's mysql user), and the env of the pod interface (the lead's StatefulSet), written here
 * by hand in `databaseContainer` since the construct that emits it is built at the same time.
 *
 * A pod is two containers, as in the StatefulSet: the database (`sh /scripts/start-galera.sh`, which exec's
 * mariadbd) and the agent sidecar (`perl /scripts/galera-agent.pl`), two harness Pods with the same root: they share
 * the pod's network namespace and volumes (the data volume read-only for the agent), and each has its own PID and
 * mount namespaces (no shareProcessNamespace).
 *
 * Pod directories are under /var/tmp, not /tmp: every pod mounts its own tmp volume on /tmp and would not see them.
 */

const ROOT = '/var/tmp/galera-lab';
export const NAMESPACE = 'shop';
export const NAME = 'orders';
export const STATEFULSET = `${NAME}-mysql`;
export const SERVICE = `${NAME}-mysql-headless`;
const CLUSTER_DOMAIN = 'cluster.local';
export const SECRET = 'orders-mysql-credentials';
export const PASSWORDS = {
  'root-password': 'root+Pa55/"quote\\back',
  'replication-password': "repl'Pa55\\word",
  'monitor-password': 'monitor Pa55"word',
  'application-password': 'app-Pa55word',
};
/** Seconds between two HAProxy checks, times the failed checks that mark a server down (prestop-galera.sh waits this). */
const PROXY_CHECK_INTERVAL_MILLISECONDS = 1000;
const PROXY_CHECK_FALL = 2;
export const TERMINATION_GRACE_PERIOD_SECONDS = 60;

function envValue(name: string, value: string | number) {
  return { name, value: String(value) };
}

function secretEnv(name: string, key: string) {
  return { name, valueFrom: { secretKeyRef: { name: SECRET, key } } };
}

const MOUNTS = {
  data: '/var/lib/mysql',
  config: '/config',
  scripts: '/scripts',
  run: '/run/mysqld',
  tmp: '/tmp',
};

function podEnv(members: number, dataClass: DataClass) {
  return [
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    envValue('MYSQL_STATEFULSET', STATEFULSET),
    envValue('MYSQL_SERVICE', SERVICE),
    envValue('CLUSTER_DOMAIN', CLUSTER_DOMAIN),
    envValue('MEMBERS', members),
    envValue('MYSQL_PORT', 3306),
    envValue('SERVER_ID_OFFSET', 1000),
    envValue('CLUSTER_NAME', NAME),
    envValue('DATA_DIR', MOUNTS.data),
    envValue('CONFIG_DIR', MOUNTS.config),
    envValue('SCRIPTS_DIR', MOUNTS.scripts),
    envValue('RUN_DIR', MOUNTS.run),
    envValue('DATA_CLASS', dataClass),
    envValue('TERMINATION_GRACE_PERIOD_SECONDS', TERMINATION_GRACE_PERIOD_SECONDS),
    envValue('HANDOVER_TIMEOUT_SECONDS', 30),
    secretEnv('MYSQL_ROOT_PASSWORD', 'root-password'),
    secretEnv('MYSQL_REPLICATION_PASSWORD', 'replication-password'),
    secretEnv('MYSQL_MONITOR_PASSWORD', 'monitor-password'),
    secretEnv('MYSQL_APPLICATION_PASSWORD', 'application-password'),
    envValue('REPLICATION_USER', 'replication'),
    envValue('MONITOR_USER', 'monitor'),
    envValue('APPLICATION_USER', 'app'),
    envValue('APPLICATION_DATABASE', NAME),
    envValue('GALERA_PORT', 4567),
    envValue('IST_PORT', 4568),
    envValue('SST_PORT', 4444),
    envValue('AGENT_PORT', 9200),
    envValue('WSREP_PROVIDER', '/usr/lib/galera/libgalera_smm.so'),
    envValue('PROXY_CHECK_INTERVAL_MILLISECONDS', PROXY_CHECK_INTERVAL_MILLISECONDS),
    envValue('PROXY_CHECK_FALL', PROXY_CHECK_FALL),
  ];
}

function probe(kind: string, timeoutSeconds: number) {
  return { exec: { command: ['sh', '/scripts/probe-galera.sh', kind] }, timeoutSeconds };
}

/** The pod as the StatefulSet declares it: the database container and the agent sidecar. */
function workload(members: number, dataClass: DataClass): Workload {
  const env = podEnv(members, dataClass);
  const mount = (name: keyof typeof MOUNTS, readOnly = false) => ({ name, mountPath: MOUNTS[name], ...(readOnly ? { readOnly } : {}) });
  const database = {
    name: 'mysql',
    command: ['sh', '/scripts/start-galera.sh'],
    env,
    volumeMounts: [mount('data'), mount('config', true), mount('scripts', true), mount('run'), mount('tmp')],
    startupProbe: probe('startup', 5),
    readinessProbe: probe('readiness', 5),
    livenessProbe: probe('liveness', 5),
    lifecycle: { preStop: { exec: { command: ['sh', '/scripts/prestop-galera.sh'] } } },
  };
  const agent = {
    name: 'agent',
    command: ['perl', '/scripts/galera-agent.pl'],
    env,
    volumeMounts: [mount('data', true), mount('config', true), mount('scripts', true), mount('run'), mount('tmp')],
  };
  return {
    kind: 'StatefulSet',
    name: STATEFULSET,
    namespace: NAMESPACE,
    serviceName: SERVICE,
    replicas: members,
    terminationGracePeriodSeconds: TERMINATION_GRACE_PERIOD_SECONDS,
    minReadySeconds: 0,
    container: database,
    sidecars: ['agent'],
    containers: [database, agent],
    volumes: {
      data: { name: 'data' },
      config: { name: 'config', configMap: { name: `${STATEFULSET}-config`, defaultMode: 0o444 } },
      scripts: { name: 'scripts', configMap: { name: `${STATEFULSET}-scripts`, defaultMode: 0o555 } },
      run: { name: 'run', emptyDir: { medium: 'Memory' } },
      tmp: { name: 'tmp', emptyDir: {} },
    },
    claimNames: ['data'],
    runAsUser: 999,
    runAsGroup: 999,
    fsGroup: 999,
    readOnlyRootFilesystem: true,
  };
}

function scriptsConfigMap(): Record<string, string> {
  const dir = join(__dirname, '../../../../lib/components/mysql/scripts');
  return Object.fromEntries(
    readdirSync(dir)
      .filter((file) => /galera/.test(file))
      .map((file) => [file, readFileSync(join(dir, file), 'utf8')]),
  );
}

export interface GaleraLabOptions {
  readonly members?: number;
  readonly dataClass?: DataClass;
  /** A label for the directory and the namespaces. */
  readonly label: string;
  /** A directory saved by `saveTemplate`: each pod's data volume starts as a copy of it. @default - empty volumes */
  readonly template?: string;
}

/** One pod: the database container and its agent sidecar. */
export class GaleraPod {
  constructor(
    readonly ordinal: number,
    readonly fqdn: string,
    readonly database: Pod,
    readonly agent: Pod,
  ) {}

  get name(): string {
    return this.database.name;
  }

  /** Runs SQL as root through the socket, inside the pod; tab-separated rows. */
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

  /** `wsrep_local_state wsrep_cluster_status wsrep_cluster_size` in one query, or undefined when the server does not answer. */
  async wsrepView(): Promise<string | undefined> {
    try {
      const rows = await this.sql(
        "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME IN ('WSREP_LOCAL_STATE', 'WSREP_CLUSTER_STATUS', 'WSREP_CLUSTER_SIZE') ORDER BY FIELD(VARIABLE_NAME, 'WSREP_LOCAL_STATE', 'WSREP_CLUSTER_STATUS', 'WSREP_CLUSTER_SIZE')",
        5000,
      );
      return rows.split('\n').join(' ');
    } catch {
      return undefined;
    }
  }

  /** A wsrep status variable, or undefined when the server does not answer. */
  async status(variable: string): Promise<string | undefined> {
    try {
      return (await this.sql(`SHOW GLOBAL STATUS LIKE '${variable}'`, 5000)).split('\t')[1];
    } catch {
      return undefined;
    }
  }

  /** GET `path` from the pod's agent, from inside the pod: status code and body. */
  async agentGet(path: string): Promise<{ code: number; body: string }> {
    const result = await this.database.exec(
      [
        'perl',
        '-e',
        'use IO::Socket::INET; my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:9200", Timeout => 3) or exit 2; ' +
          'print $s "GET $ARGV[0] HTTP/1.0\\r\\n\\r\\n"; local $/; print <$s>;',
        path,
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

  /** Inserts rows `from`..`from + count - 1` into orders.t, one autocommitted statement each; all acknowledged on exit 0. */
  async insertRows(from: number, count: number): Promise<void> {
    const statements = Array.from({ length: count }, (_, i) => `INSERT INTO orders.t (id) VALUES (${from + i});`).join(' ');
    await this.sql(statements, 60_000);
  }

  /** The ids in orders.t. */
  async rowIds(): Promise<number[]> {
    const rows = await this.sql('SELECT id FROM orders.t ORDER BY id');
    return rows === '' ? [] : rows.split('\n').map(Number);
  }

  /** Runs a pod script in the database container, as `kubectl exec` would. */
  exec(command: readonly string[], timeoutMs: number): Promise<ExecResult> {
    return this.database.exec(command, timeoutMs);
  }

  /** A file on the data volume, or undefined. */
  dataFile(file: string): string | undefined {
    const path = join(this.database.volumeDir('data'), file);
    return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  }

  /** The start script's log lines of the current container. */
  startLog(): string {
    return this.database.lastStartLog();
  }
}

export class GaleraLab {
  readonly pods: GaleraPod[];
  readonly root: string;
  private readonly network: PodNetwork;
  private readonly hostsFile: string;
  private readonly notes: string[] = [];
  private readonly started = Date.now();

  constructor(options: GaleraLabOptions) {
    const members = options.members ?? 3;
    const dataClass = options.dataClass ?? DataClass.SYSTEM_OF_RECORD;
    this.root = join(ROOT, `${process.pid}-${options.label}`);
    rmSync(this.root, { recursive: true, force: true });
    mkdirSync(this.root, { recursive: true, mode: 0o755 });
    this.hostsFile = join(this.root, 'hosts');
    writeFileSync(this.hostsFile, '127.0.0.1 localhost\n', { mode: 0o644 });
    this.network = PodNetwork.create();
    const configMaps = {
      [`${STATEFULSET}-config`]: {
        'my.cnf': renderGaleraCnf({
          clusterName: NAME,
          dataClass,
          mysqlPort: 3306,
          galeraPort: 4567,
          innodbBufferPoolBytes: 32 * 1024 * 1024,
          gcacheBytes: 64 * 1024 * 1024,
          binlogExpireSeconds: 86_400,
          wsrepGtidDomainId: 1,
          suspectTimeoutSeconds: 3,
          wsrepProvider: '/usr/lib/galera/libgalera_smm.so',
        }),
      },
      [`${STATEFULSET}-scripts`]: scriptsConfigMap(),
    };
    const pod = workload(members, dataClass);
    const secrets = { [SECRET]: PASSWORDS };
    const pathVariables = ['SCRIPTS_DIR', 'CONFIG_DIR', 'DATA_DIR', 'RUN_DIR'];
    const hosts: string[] = [];
    this.pods = Array.from({ length: members }, (_, ordinal) => {
      const name = `${STATEFULSET}-${ordinal}`;
      const fqdn = `${name}.${SERVICE}.${NAMESPACE}.svc.${CLUSTER_DOMAIN}`;
      const podRoot = join(this.root, name);
      let attachment: Attachment | undefined;
      const databasePod = new Pod({
        name,
        workload: pod,
        configMaps,
        secrets,
        root: podRoot,
        networking: {
          attach: (label) => (attachment = this.network.attach(label)),
          detach: (old) => this.network.detach(old),
        },
        hostsFile: this.hostsFile,
        pathVariables,
        imageBinaries: MARIADB_IMAGE_BINARIES,
      });
      // The sidecar: the same pod root (its volumes), the pod's network namespace.
      const agentPod = new Pod({
        name,
        workload: pod,
        container: 'agent',
        configMaps,
        secrets,
        root: podRoot,
        networking: { attach: () => attachment!, detach: () => undefined },
        hostsFile: this.hostsFile,
        pathVariables,
        imageBinaries: MARIADB_IMAGE_BINARIES,
      });
      if (options.template) {
        const data = databasePod.volumeDir('data');
        rmSync(data, { recursive: true, force: true });
        copyTree(join(options.template, String(ordinal)), data);
      }
      hosts.push(`${databasePod.ip} ${fqdn} ${name}`);
      return new GaleraPod(ordinal, fqdn, databasePod, agentPod);
    });
    writeFileSync(this.hostsFile, ['127.0.0.1 localhost', ...hosts, ''].join('\n'), { mode: 0o644 });
  }

  /** Adds a line to the lab's timeline (printed on failure, and by GALERA_LAB_VERBOSE=1). */
  note(line: string): void {
    const entry = `+${((Date.now() - this.started) / 1000).toFixed(1)}s ${line}`;
    this.notes.push(entry);
    if (process.env.GALERA_LAB_VERBOSE === '1') {
      process.stderr.write(`[galera-lab] ${entry}\n`);
    }
  }

  timeline(): string {
    return this.notes.join('\n');
  }

  /** Starts the agent (once) and the database container of each given pod. */
  async start(...pods: GaleraPod[]): Promise<void> {
    for (const pod of pods) {
      if (!pod.agent.isRunning) {
        await pod.agent.start();
      }
      await pod.database.start();
      this.note(`started ${pod.name}`);
    }
  }

  /** kill -9 of the database container: mariadbd (PID 1) and every process of that container. */
  async crash(...pods: GaleraPod[]): Promise<void> {
    await Promise.all(pods.map((pod) => pod.database.kill()));
    this.note(`crashed ${pods.map((pod) => pod.name).join(', ')}`);
  }

  /** Cuts the pod's link to every other pod (packets are lost, as with a pulled cable). */
  cut(pod: GaleraPod): void {
    this.network.cut(pod.database.attachment);
    this.note(`cut ${pod.name} off`);
  }

  heal(pod: GaleraPod): void {
    this.network.heal(pod.database.attachment);
    this.note(`healed ${pod.name}`);
  }

  /** A graceful stop of the pod: the database container's preStop, SIGTERM, then the agent. */
  async stop(pod: GaleraPod): Promise<{ preStop?: ExecResult; killed: boolean }> {
    const { preStop, killed } = await pod.database.terminate();
    await pod.agent.terminate();
    this.note(`stopped ${pod.name}${killed ? ' (killed at the end of the grace period)' : ''}`);
    return { preStop, killed };
  }

  /** The first boot of all pods; resolves with how long it took for all to be synced. */
  async firstBoot(): Promise<number> {
    await this.start(...this.pods);
    // Two SSTs, one after the other, each at least 15 s (a 10 s sleep in the SST script); minutes on a busy machine.
    const ms = await this.waitSynced(this.pods, this.pods.length, 300_000);
    this.note(`first boot: ${this.pods.length} nodes synced after ${ms} ms`);
    return ms;
  }

  /**
   * Starts every pod of a lab made from a template (a cluster whose nodes all crashed at once: they form their last
   * primary component again, with no state transfer); resolves once all are synced.
   */
  async resume(): Promise<void> {
    await Promise.all(this.pods.map((pod) => this.start(pod)));
    const ms = await this.waitSynced(this.pods, this.pods.length, 180_000);
    this.note(`resumed from the template: synced after ${ms} ms`);
  }

  /** Where each pod's log ends now, for `serverStarts`. */
  mark(): number[] {
    return this.pods.map((pod) => pod.database.log().length);
  }

  /** The start-galera.sh lines that start mariadbd, of every pod, since `mark` (every start by default). */
  serverStarts(since: readonly number[] = []): string[] {
    return this.pods.flatMap((pod, i) =>
      pod.database
        .log()
        .slice(since[i] ?? 0)
        .split('\n')
        .filter((line) => line.includes('start-galera.sh: starting mariadbd')),
    );
  }

  /** Waits until every given pod's server is Synced in a primary component of `size`; resolves with how long it took. */
  async waitSynced(pods: readonly GaleraPod[], size: number, timeoutMs: number): Promise<number> {
    const started = Date.now();
    for (;;) {
      const views = await Promise.all(pods.map((pod) => pod.wsrepView()));
      if (views.every((view) => view === `4 Primary ${size}`)) {
        return Date.now() - started;
      }
      for (const pod of pods) {
        if (!pod.database.isRunning) {
          throw new Error(`${pod.name} exited while waiting for it to be synced:\n${pod.database.lastStartLog().slice(-6000)}`);
        }
      }
      if (Date.now() - started > timeoutMs) {
        throw new Error(`not synced after ${timeoutMs} ms (wsrep_local_state wsrep_cluster_status wsrep_cluster_size): ${JSON.stringify(views)}`);
      }
      await sleep(1000);
    }
  }

  /**
   * Copies every pod's data volume (owner and modes kept) to `dir`, for labs created with `template: dir`. The pods
   * must be stopped.
   */
  saveTemplate(dir: string): void {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    for (const pod of this.pods) {
      copyTree(pod.database.volumeDir('data'), join(dir, String(pod.ordinal)));
    }
  }

  /** What went wrong, for a failed test: the timeline and the end of every container's log. */
  report(): string {
    return [
      `timeline:\n${this.timeline()}`,
      ...this.pods.flatMap((pod) => [
        `---- ${pod.name} database (last 4000 chars):\n${pod.database.log().slice(-4000)}`,
        `---- ${pod.name} agent (last 1000 chars):\n${pod.agent.log().slice(-1000)}`,
      ]),
    ].join('\n');
  }

  /** Kills every container, removes the namespaces and, unless GALERA_LAB_KEEP=1, the directories. */
  async destroy(): Promise<void> {
    for (const pod of this.pods) {
      await pod.database.dispose();
      await pod.agent.dispose();
    }
    this.network.destroy();
    if (process.env.GALERA_LAB_KEEP !== '1') {
      rmSync(this.root, { recursive: true, force: true });
    }
  }
}

/** `cp -a`: the copy keeps owners (uid 999) and modes. */
function copyTree(from: string, to: string): void {
  const copied = spawnSync(findBinary('cp'), ['-a', from, to], { encoding: 'utf8' });
  if (copied.status !== 0) {
    throw new Error(`cp -a ${from} ${to}: ${copied.stderr}`);
  }
}

/** Runs `body` on a new lab; always destroys it, and adds the timeline and the logs to a failure. */
export async function withLab(options: GaleraLabOptions, body: (lab: GaleraLab) => Promise<void>): Promise<void> {
  const lab = new GaleraLab(options);
  try {
    await body(lab);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\n${lab.report()}`, { cause: error });
  } finally {
    await lab.destroy();
  }
}

/** Throws, saying what is missing, unless this machine can run Galera pods (never skips). */
export function assertGaleraLabAvailable(): void {
  const problems: string[] = [];
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    problems.push('the lab must run as root (namespaces, bind mounts, uid 999)');
  }
  for (const binary of ['unshare', 'nsenter', 'setpriv', 'ip', ...MARIADB_IMAGE_BINARIES]) {
    try {
      findBinary(binary);
    } catch {
      problems.push(`${binary} is not installed (Debian: apt-get install mariadb-server mariadb-backup galera-4 socat)`);
    }
  }
  if (!existsSync('/usr/lib/galera/libgalera_smm.so')) {
    problems.push('/usr/lib/galera/libgalera_smm.so is missing (apt-get install galera-4)');
  }
  if (problems.length > 0) {
    throw new Error(`The Galera script tests cannot run on this machine:\n- ${problems.join('\n- ')}`);
  }
}
