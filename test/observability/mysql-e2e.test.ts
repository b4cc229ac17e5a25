/**
 * The Galera alerts against real metrics: three real MariaDB Galera nodes on loopback addresses of their own, Debian's
 * prometheus-mysqld-exporter 0.14 beside each with the sidecar's flags, and a real Prometheus that scrapes the exporters
 * with the labels the PodMonitor adds and evaluates the rules mysqlAlertRules returns. One node is killed with SIGKILL:
 * MysqlInstanceDown must go pending and fire for its pod while the quorum alerts stay quiet; the node restarts and the
 * alert resolves.
 *
 * The pod scripts are not used: mariadbd is started directly, with a minimal Galera configuration (rsync state
 * transfer, tiny buffers). The rules are built with `delaySeconds: 5` instead of the tier's 60 s, so the test sees
 * pending, firing and resolved within a few minutes; the expressions are the ones the PrometheusRule carries.
 */

import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { DataClass, Tier } from '../../lib';
import { MysqlEngine } from '../../lib/components/mysql/props';
import {
  GALERA_WRITER_BACKEND,
  MYSQL_METRICS_PORT,
  MYSQL_MONITOR_USER,
  mysqlAlertRules,
  MysqlAlertInput,
  mysqlExporterContainer,
  mysqlLagThresholdSeconds,
  mysqlSeriesSelectors,
} from '../../lib/components/mysql/observability';
import { toPrometheusRule } from '../../lib/observability/monitoring';
import { requireBinary } from './namespaced-process';

const WORK_DIR = '/tmp/alerts-helper-e2e';
const NAMESPACE = 'shop';
const NAME = 'orders';
/** Loopback addresses of the test's own: node N listens on 127.0.78.(N+1), Prometheus on 127.0.78.20. */
const nodeAddress = (ordinal: number) => `127.0.78.${ordinal + 1}`;
const SQL_PORT = 23406;
const GALERA_PORT = 24667;
const IST_PORT = 24668;
const SST_PORT = 24544;
const PROMETHEUS_ADDRESS = '127.0.78.20:29290';
/** HAProxy, as the writer endpoint's pod runs it: the writer backend, and the built-in exporter on the metrics port. */
const PROXY_ADDRESS = '127.0.78.21';
const PROXY_METRICS_PORT = 8405;
/** A password the DSN must carry unescaped: no '@' or '/', which the DSN syntax reserves. */
const MONITOR_PASSWORD = 'e2e#Mon+itor=1';
const DELAY_SECONDS = 5;
const MEMBERS = 3;

const INPUT: MysqlAlertInput = {
  name: NAME,
  engine: MysqlEngine.MARIADB_11_4,
  members: MEMBERS,
  quorum: 2,
  tier: Tier.CRITICAL,
  dataClass: DataClass.SYSTEM_OF_RECORD,
  endpointReplicas: 1,
  lagThresholdSeconds: mysqlLagThresholdSeconds(Tier.CRITICAL),
  namespace: NAMESPACE,
  delaySeconds: DELAY_SECONDS,
};

interface AlertSample {
  readonly labels: Record<string, string>;
  readonly state: 'pending' | 'firing';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const result = await probe();
      if (result !== undefined) {
        return result;
      }
    } catch (error) {
      lastError = error;
    }
    await sleep(500);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

/** A long-running process the test started, under setpriv: its parent-death signal kills it if the test process dies first. */
class Helper {
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    command: readonly string[],
    readonly logFile: string,
    env: NodeJS.ProcessEnv = {},
  ) {
    const log = openSync(logFile, 'a');
    try {
      this.child = spawn('setpriv', [...command], { stdio: ['ignore', log, log], env: { PATH: process.env.PATH, ...env } });
    } finally {
      closeSync(log);
    }
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  logTail(lines = 20): string {
    return existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '(no log)';
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!this.running) {
      return;
    }
    this.child.kill(signal);
    const exited = await Promise.race([this.exited.then(() => true), sleep(15_000).then(() => false)]);
    if (!exited) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }
}

/** One Galera node: its directory, configuration and mariadbd. */
class GaleraNode {
  readonly dir: string;
  readonly address: string;
  readonly socket: string;
  server?: Helper;

  constructor(readonly ordinal: number) {
    this.dir = join(WORK_DIR, `node${ordinal}`);
    this.address = nodeAddress(ordinal);
    this.socket = join(this.dir, 'mysqld.sock');
  }

  get pod(): string {
    return `${NAME}-mysql-${this.ordinal}`;
  }

  private get configFile(): string {
    return join(this.dir, 'my.cnf');
  }

  prepare(): void {
    mkdirSync(this.dir, { recursive: true });
    const cluster = Array.from({ length: MEMBERS }, (_, ordinal) => `${nodeAddress(ordinal)}:${GALERA_PORT}`).join(',');
    writeFileSync(
      this.configFile,
      [
        '[mysqld]',
        `datadir=${this.dir}/data`,
        `socket=${this.socket}`,
        `pid-file=${this.dir}/mysqld.pid`,
        `log-error=${this.dir}/error.log`,
        `bind-address=${this.address}`,
        `port=${SQL_PORT}`,
        'innodb_buffer_pool_size=32M',
        'innodb_log_file_size=16M',
        'performance_schema=OFF',
        'skip-name-resolve',
        'binlog_format=ROW',
        'innodb_autoinc_lock_mode=2',
        'wsrep_on=ON',
        'wsrep_provider=/usr/lib/galera/libgalera_smm.so',
        'wsrep_cluster_name=alerts-e2e',
        `wsrep_cluster_address=gcomm://${cluster}`,
        `wsrep_node_address=${this.address}:${GALERA_PORT}`,
        `wsrep_node_name=${this.pod}`,
        'wsrep_sst_method=rsync',
        `wsrep_sst_receive_address=${this.address}:${SST_PORT}`,
        `wsrep_provider_options="gmcast.listen_addr=tcp://${this.address}:${GALERA_PORT};ist.recv_addr=${this.address}:${IST_PORT};gcache.size=16M"`,
        '',
      ].join('\n'),
    );
    execFileSync('mariadb-install-db', [`--defaults-file=${this.configFile}`, '--user=mysql', '--auth-root-authentication-method=socket'], {
      stdio: 'pipe',
    });
    execFileSync('chown', ['-R', 'mysql:mysql', this.dir]);
  }

  /** Starts mariadbd as the mysql user (the rsync daemon of a state transfer then reads the data as its owner). */
  start(bootstrap: boolean): void {
    this.server = new Helper(
      `mariadbd ${this.pod}`,
      [
        '--reuid=mysql',
        '--regid=mysql',
        '--clear-groups',
        '--pdeathsig',
        'KILL',
        '--',
        'mariadbd',
        `--defaults-file=${this.configFile}`,
        ...(bootstrap ? ['--wsrep-new-cluster'] : []),
      ],
      join(this.dir, 'mariadbd.out'),
    );
  }

  status(name: string): string | undefined {
    try {
      return execFileSync('mariadb', ['-S', this.socket, '-N', '-B', '-e', `SHOW GLOBAL STATUS LIKE '${name}'`], {
        encoding: 'utf8',
        timeout: 5000,
        stdio: 'pipe',
      })
        .trim()
        .split('\t')[1];
    } catch {
      return undefined;
    }
  }

  sql(statement: string): void {
    execFileSync('mariadb', ['-S', this.socket, '-e', statement], { timeout: 10_000, stdio: 'pipe' });
  }

  async waitSynced(timeoutMs: number): Promise<void> {
    await waitFor(`${this.pod} to be Synced`, async () => (this.status('wsrep_local_state') === '4' ? true : undefined), timeoutMs);
  }

  diagnostics(): string {
    const log = join(this.dir, 'error.log');
    return `---- ${this.pod}\n${existsSync(log) ? readFileSync(log, 'utf8').trimEnd().split('\n').slice(-15).join('\n') : '(no error log)'}`;
  }
}

function portInUse(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port, timeout: 500 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

async function query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const response = await fetch(`http://${PROMETHEUS_ADDRESS}/api/v1/query?query=${encodeURIComponent(expr)}`, { signal: AbortSignal.timeout(3000) });
  const reply = (await response.json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
  if (response.status !== 200 || reply.status !== 'success') {
    throw new Error(`query ${expr}: HTTP ${response.status} ${JSON.stringify(reply)}`);
  }
  return reply.data.result;
}

async function alerts(name: string): Promise<AlertSample[]> {
  return (await query(`ALERTS{alertname="${name}"}`)).map(({ metric }) => {
    const { alertstate, ...labels } = metric;
    return { labels, state: alertstate as AlertSample['state'] };
  });
}

describe('Galera alerts end to end: mysqld_exporter 0.14 and Prometheus on three real Galera nodes', () => {
  const nodes = Array.from({ length: MEMBERS }, (_, ordinal) => new GaleraNode(ordinal));
  const helpers: Helper[] = [];

  beforeAll(() => {
    requireBinary('/usr/sbin/mariadbd', 'mariadb-server');
    requireBinary('/usr/lib/galera/libgalera_smm.so', 'galera-4');
    requireBinary('/usr/bin/prometheus-mysqld-exporter', 'prometheus-mysqld-exporter');
    requireBinary('/usr/bin/prometheus', 'prometheus');
    requireBinary('/usr/sbin/haproxy', 'haproxy');
  });

  afterAll(async () => {
    await Promise.all([...helpers, ...nodes.flatMap((node) => (node.server ? [node.server] : []))].map((helper) => helper.stop()));
    rmSync(WORK_DIR, { recursive: true, force: true });
  }, 60_000);

  test('a node killed: MysqlInstanceDown goes pending then fires for its pod, the quorum alerts stay quiet, and it resolves once the node is back', async () => {
    for (const [host, port] of [
      ...nodes.flatMap((node) => [SQL_PORT, GALERA_PORT, MYSQL_METRICS_PORT].map((p) => [node.address, p] as const)),
      ['127.0.78.20', 29290] as const,
    ]) {
      if (await portInUse(host, port)) {
        throw new Error(`${host}:${port} is already in use: stop whatever listens there (a previous run?) before running this test`);
      }
    }
    rmSync(WORK_DIR, { recursive: true, force: true });
    mkdirSync(WORK_DIR, { recursive: true });
    const timings: Record<string, number> = {};
    const started = Date.now();
    const mark = (what: string) => (timings[what] = Date.now() - started);
    try {
      // The cluster: the first node bootstraps it; the others join by rsync state transfer, one after the other.
      for (const node of nodes) {
        node.prepare();
      }
      nodes[0].start(true);
      await nodes[0].waitSynced(30_000);
      // The bootstrap creates the monitor user once, as the pods' bootstrap does; Galera replicates it to the joiners.
      nodes[0].sql(
        `CREATE USER '${MYSQL_MONITOR_USER}'@'localhost' IDENTIFIED BY '${MONITOR_PASSWORD}' WITH MAX_USER_CONNECTIONS 10; ` +
          `GRANT PROCESS, REPLICA MONITOR ON *.* TO '${MYSQL_MONITOR_USER}'@'localhost'`,
      );
      for (const node of nodes.slice(1)) {
        node.start(false);
        await node.waitSynced(60_000);
      }
      mark('clusterSynced');

      // The exporters, with the sidecar's flags: 0.14 has no --mysqld.address/--mysqld.username, so their values go into
      // the DATA_SOURCE_NAME it reads instead, and the listen address is the node's own.
      const sidecar = mysqlExporterContainer(
        {
          engine: MysqlEngine.MARIADB_11_4,
          image: 'debian',
          port: MYSQL_METRICS_PORT,
          credentialsSecretName: 'orders-credentials',
          runVolumeName: 'run',
        },
        {},
      );
      const args = sidecar.args ?? [];
      expect(args.filter((arg) => arg.startsWith('--mysqld.'))).toEqual([
        '--mysqld.address=unix:///run/mysqld/mysqld.sock',
        `--mysqld.username=${MYSQL_MONITOR_USER}`,
      ]);
      expect(sidecar.env).toEqual([expect.objectContaining({ name: 'MYSQLD_EXPORTER_PASSWORD' })]);
      const exporterArgs = args.filter((arg) => !arg.startsWith('--mysqld.'));
      for (const node of nodes) {
        helpers.push(
          new Helper(
            `exporter ${node.pod}`,
            [
              '--pdeathsig',
              'KILL',
              '--',
              '/usr/bin/prometheus-mysqld-exporter',
              ...exporterArgs.map((arg) =>
                arg.startsWith('--web.listen-address=') ? `--web.listen-address=${node.address}:${MYSQL_METRICS_PORT}` : arg,
              ),
            ],
            join(WORK_DIR, `exporter-${node.ordinal}.log`),
            { DATA_SOURCE_NAME: `${MYSQL_MONITOR_USER}:${MONITOR_PASSWORD}@unix(${node.socket})/` },
          ),
        );
      }

      writeFileSync(join(WORK_DIR, 'haproxy.cfg'), haproxyConfig(nodes));
      helpers.push(
        new Helper('haproxy', ['--pdeathsig', 'KILL', '--', '/usr/sbin/haproxy', '-f', join(WORK_DIR, 'haproxy.cfg')], join(WORK_DIR, 'haproxy.log')),
      );

      const groups = [
        {
          name: `mysql-replication.${NAMESPACE}.${NAME}`,
          rules: mysqlAlertRules(INPUT, mysqlSeriesSelectors(INPUT)).map((rule) => toPrometheusRule(rule, { tier: INPUT.tier })),
        },
      ];
      writeFileSync(join(WORK_DIR, 'rules.yml'), stringify({ groups }));
      writeFileSync(
        join(WORK_DIR, 'prometheus.yml'),
        stringify({
          global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
          rule_files: [join(WORK_DIR, 'rules.yml')],
          scrape_configs: [
            {
              // The PodMonitor's job name and the labels it adds: namespace, pod, container, endpoint and the pod labels.
              job_name: `${NAMESPACE}/${NAME}-mysql-monitor`,
              static_configs: nodes.map((node) => ({
                targets: [`${node.address}:${MYSQL_METRICS_PORT}`],
                labels: {
                  namespace: NAMESPACE,
                  pod: node.pod,
                  container: 'metrics',
                  endpoint: 'metrics',
                  app_kubernetes_io_instance: NAME,
                  app_kubernetes_io_component: 'mysql',
                },
              })),
            },
            {
              job_name: `${NAMESPACE}/${NAME}-mysql-monitor-proxy`,
              static_configs: [
                {
                  targets: [`${PROXY_ADDRESS}:${PROXY_METRICS_PORT}`],
                  labels: {
                    namespace: NAMESPACE,
                    pod: `${NAME}-proxy-0`,
                    container: 'proxy',
                    endpoint: 'metrics',
                    app_kubernetes_io_instance: NAME,
                    app_kubernetes_io_component: 'proxy',
                  },
                },
              ],
            },
          ],
        }),
      );
      helpers.push(
        new Helper(
          'prometheus',
          [
            '--pdeathsig',
            'KILL',
            '--',
            '/usr/bin/prometheus',
            `--config.file=${join(WORK_DIR, 'prometheus.yml')}`,
            `--storage.tsdb.path=${join(WORK_DIR, 'tsdb')}`,
            `--web.listen-address=${PROMETHEUS_ADDRESS}`,
          ],
          join(WORK_DIR, 'prometheus.log'),
        ),
      );

      const selector = mysqlSeriesSelectors(INPUT).members;
      await waitFor(
        'Prometheus to scrape three Synced members of a cluster of 3',
        async () => {
          const synced = await query(
            `mysql_global_status_wsrep_local_state${selector} == 4 and on (instance) mysql_global_status_wsrep_cluster_size${selector} == 3`,
          );
          return synced.length === MEMBERS ? true : undefined;
        },
        30_000,
      );
      mark('scraped');
      // Longer than every rule's `for`, so that a rule that holds on a healthy cluster would show up.
      await sleep((DELAY_SECONDS + 3) * 1000);
      expect(await query('ALERTS')).toEqual([]);

      const killed = nodes[2];
      await killed.server?.stop('SIGKILL');
      const killedAt = Date.now();
      mark('killed');

      // Until MysqlInstanceDown fires and for a few seconds after, the quorum alerts must never appear.
      const seenStates = new Set<string>();
      const quorumAlerts: AlertSample[] = [];
      const watchUntil = async (done: () => Promise<boolean>, timeoutMs: number) => {
        const deadline = Date.now() + timeoutMs;
        while (Date.now() < deadline) {
          for (const alert of await alerts('MysqlInstanceDown')) {
            seenStates.add(`${alert.labels.pod}:${alert.state}`);
          }
          for (const name of [
            'GaleraClusterBelowQuorum',
            'GaleraNoPrimaryComponent',
            'GaleraNonPrimaryComponent',
            'GaleraWriterEndpointDown',
            'GaleraProxyWriterDown',
          ]) {
            quorumAlerts.push(...(await alerts(name)));
          }
          if (await done()) {
            return;
          }
          await sleep(250);
        }
        throw new Error(`timed out; MysqlInstanceDown states seen: ${[...seenStates].join(', ')}`);
      };
      await watchUntil(async () => seenStates.has(`${killed.pod}:firing`), 30_000);
      mark('instanceDownFiring');
      const firing = await alerts('MysqlInstanceDown');
      expect(firing).toEqual([
        {
          state: 'firing',
          labels: expect.objectContaining({
            alertname: 'MysqlInstanceDown',
            pod: killed.pod,
            namespace: NAMESPACE,
            severity: 'critical',
            tier: INPUT.tier,
          }),
        },
      ]);
      expect([...seenStates]).toEqual([`${killed.pod}:pending`, `${killed.pod}:firing`]);
      // The survivors drop the killed node from the view (evs suspect timeout, 5 s): the warning, not the quorum alert.
      await watchUntil(async () => (await alerts('GaleraClusterBelowMembers')).some((alert) => alert.state === 'firing'), 30_000);
      mark('belowMembersFiring');
      expect((Date.now() - killedAt) / 1000).toBeGreaterThan(DELAY_SECONDS);
      expect(quorumAlerts).toEqual([]);
      // HAProxy's checks saw the killed node go; the writer stays on node 0.
      expect((await query(`haproxy_server_status{server="${killed.pod}", state="DOWN"}`)).map((sample) => sample.value[1])).toEqual(['1']);

      killed.start(false);
      await killed.waitSynced(75_000);
      mark('rejoined');
      await waitFor(
        'MysqlInstanceDown and GaleraClusterBelowMembers to resolve',
        async () => ((await query('ALERTS')).length === 0 ? true : undefined),
        30_000,
      );
      mark('resolved');
    } catch (error) {
      if (error instanceof Error) {
        error.message += `\ntimings (ms since start): ${JSON.stringify(timings)}\n${nodes.map((node) => node.diagnostics()).join('\n')}\n${helpers
          .map((helper) => `---- ${helper.name}\n${helper.logTail(10)}`)
          .join('\n')}`;
      }
      throw error;
    }
  }, 180_000);
});

/** The writer backend of galera-config.ts in miniature: one server at a time (the others are backups), checked every second. */
function haproxyConfig(nodes: readonly GaleraNode[]): string {
  return [
    'defaults',
    '  mode tcp',
    '  timeout connect 2s',
    '  timeout client 30s',
    '  timeout server 30s',
    'frontend metrics',
    '  mode http',
    `  bind ${PROXY_ADDRESS}:${PROXY_METRICS_PORT}`,
    '  http-request use-service prometheus-exporter if { path /metrics }',
    'frontend mysql-rw',
    `  bind ${PROXY_ADDRESS}:${SQL_PORT}`,
    `  default_backend ${GALERA_WRITER_BACKEND}`,
    `backend ${GALERA_WRITER_BACKEND}`,
    ...nodes.map((node) => `  server ${node.pod} ${node.address}:${SQL_PORT} check inter 1s${node.ordinal === 0 ? '' : ' backup'}`),
    '',
  ].join('\n');
}
