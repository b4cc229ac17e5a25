import { haproxyTcpPreamble } from '../../core/haproxy';
import { DataClass } from '../../core/tier';

/**
 * What my.cnf of the MARIADB_11_4 (Galera) engine depends on. Everything a pod alone knows (its name and address, the
 * member list, its server id, the SST password, the paths under its volumes) is written by start-galera.sh into
 * `$RUN_DIR/pod.cnf`, which `!include`s this file and is the file mariadbd reads (`--defaults-file`).
 */
export interface GaleraConfigInput {
  /** `wsrep_cluster_name`: a node refuses to join a cluster of another name. */
  readonly clusterName: string;
  /** SYSTEM_OF_RECORD flushes the redo log and the binary log at every commit; CACHE once a second. */
  readonly dataClass: DataClass;
  readonly mysqlPort: number;
  /** Group communication (gmcast) port. IST listens on the next port (Galera's default), SST_PORT is in pod.cnf. */
  readonly galeraPort: number;
  readonly innodbBufferPoolBytes: number;
  /**
   * The write-set cache a donor serves IST from: a node that was away for less than what it holds rejoins by IST
   * (seconds) instead of a full SST (a copy of the data).
   */
  readonly gcacheBytes: number;
  /** Binary log retention (`binlog_expire_logs_seconds`). */
  readonly binlogExpireSeconds: number;
  /**
   * `wsrep_gtid_domain_id`, the same on every node. Each node's own `gtid_domain_id` (for writes that Galera does not
   * replicate) is its server_id, so this must be below SERVER_ID_OFFSET + 1.
   */
  readonly wsrepGtidDomainId: number;
  /**
   * `evs.suspect_timeout`: silence after which a peer is suspected and, once the others agree, dropped from the view;
   * a partitioned minority becomes non-primary (refuses every query) this long after the cut, plus at most a
   * second. `evs.inactive_timeout` is three times this, and `evs.install_timeout` half of that.
   */
  readonly suspectTimeoutSeconds: number;
  /** `wsrep_provider`: the Galera library. */
  readonly wsrepProvider: string;
}

/** Applier threads per node: write sets that touch different rows apply, and group-commit, together. */
const GALERA_APPLIER_THREADS = 4;

/** my.cnf: the [mysqld] options every node of the cluster shares. */
export function renderGaleraCnf(input: GaleraConfigInput): string {
  if (input.suspectTimeoutSeconds < 1) {
    throw new Error(`suspectTimeoutSeconds must be at least 1, got ${input.suspectTimeoutSeconds}`);
  }
  const systemOfRecord = input.dataClass === DataClass.SYSTEM_OF_RECORD;
  const inactiveSeconds = input.suspectTimeoutSeconds * 3;
  const providerOptions = [
    `gmcast.listen_addr=tcp://0.0.0.0:${input.galeraPort}`,
    `gcache.size=${input.gcacheBytes}`,
    // After a crash the cache is rebuilt from the file, so the most advanced node can serve IST to the others
    // instead of a full SST for each.
    'gcache.recover=yes',
    // The last primary component is written to gvwstate.dat; after a crash of all of its members they form it again
    // by themselves once they all see each other, with no bootstrap.
    'pc.recovery=TRUE',
    'pc.weight=1',
    'evs.keepalive_period=PT1S',
    'evs.inactive_check_period=PT0.5S',
    `evs.suspect_timeout=PT${input.suspectTimeoutSeconds}S`,
    `evs.inactive_timeout=PT${inactiveSeconds}S`,
    `evs.install_timeout=PT${inactiveSeconds / 2}S`,
  ].join(';');
  return [
    '# Shared by every node; start-galera.sh writes $RUN_DIR/pod.cnf, which includes this file and adds what only',
    '# the pod knows, and starts mariadbd with --defaults-file=$RUN_DIR/pod.cnf.',
    '[mysqld]',
    `port=${input.mysqlPort}`,
    'bind_address=*',
    // Every account is 'localhost' (the socket: root, monitor, the SST user) or '%' (the application), so no grant
    // needs a host name, and a slow or failing DNS lookup never stalls a connection.
    'skip_name_resolve=ON',
    'character_set_server=utf8mb4',
    'default_storage_engine=InnoDB',
    'tmpdir=/tmp',
    `innodb_buffer_pool_size=${input.innodbBufferPoolBytes}`,
    // Galera applies row events in parallel, with no table locks: interleaved auto-increment and row format.
    'innodb_autoinc_lock_mode=2',
    'binlog_format=ROW',
    `innodb_flush_log_at_trx_commit=${systemOfRecord ? 1 : 2}`,
    `sync_binlog=${systemOfRecord ? 1 : 0}`,
    'log_bin=binlog',
    'log_slave_updates=ON',
    `binlog_expire_logs_seconds=${input.binlogExpireSeconds}`,
    'gtid_strict_mode=ON',
    // Every node is writable: HAProxy sends writes to one node at a time, and a node that is not in the primary
    // component refuses every query by itself (wsrep_ready=OFF), so read_only would only delay a writer failover.
    'read_only=OFF',
    'wsrep_on=ON',
    // Appliers in parallel: one applier thread flushes each write set alone (two fsyncs with a durable binary log)
    // and a rejoining node, catching up on what it missed while the cluster keeps committing, never gets there.
    `wsrep_slave_threads=${GALERA_APPLIER_THREADS}`,
    `wsrep_provider=${input.wsrepProvider}`,
    `wsrep_cluster_name=${input.clusterName}`,
    'wsrep_sst_method=mariabackup',
    'wsrep_gtid_mode=ON',
    `wsrep_gtid_domain_id=${input.wsrepGtidDomainId}`,
    `wsrep_provider_options="${providerOptions}"`,
    '',
  ].join('\n');
}

/** What the HAProxy writer endpoint depends on. */
export interface GaleraProxyInput {
  /** The StatefulSet: its pods are `<statefulSet>-<ordinal>`, the backend servers. */
  readonly statefulSet: string;
  readonly headlessService: string;
  /** The pods' namespace. */
  readonly namespace: string;
  readonly clusterDomain: string;
  readonly members: number;
  /** The database port of each pod (MYSQL_PORT). */
  readonly mysqlPort: number;
  /** Each pod's galera-agent port (AGENT_PORT), where HAProxy checks GET /writer and GET /reader. */
  readonly agentPort: number;
  /** The single-writer frontend. */
  readonly writerPort: number;
  /** The every-synced-node frontend. */
  readonly readerPort: number;
  /** `monitor-uri /healthz`, for the proxy's own probes. */
  readonly healthPort: number;
  /** The Prometheus exporter (`/metrics`). */
  readonly metricsPort: number;
  /** Client connections one proxy holds. */
  readonly maxConnections: number;
  /** Milliseconds between two checks of a server. */
  readonly checkIntervalMilliseconds: number;
  /** Failed checks that mark a server down (and close its sessions). */
  readonly fall: number;
  /** Passed checks in a row that bring a server back; a former writer takes writes back only after these. */
  readonly rise: number;
  /** Idle timeout of a client connection (and of its server side), seconds. */
  readonly clientTimeoutSeconds: number;
}

/**
 * haproxy.cfg of the endpoint in front of the Galera nodes.
 *
 * mysql-rw (the writer) sends every connection to one node: pod 0 while its agent answers 200 to GET /writer (Synced,
 * Primary, ready, not draining), else the first of the others, in order, that does (`backup`), so all writes go to
 * one node at a time and never conflict in certification. A server marked down (`fall` failed checks) has its
 * sessions closed, so clients reconnect to the next writer at once.
 *
 * Failback: a node that comes back is checked 200 only once it is Synced again (it has caught up by IST or SST), and
 * takes writes back only after `rise` checks in a row; pod 0 then closes the sessions left on the backups
 * (`on-marked-up shutdown-backup-sessions`), so the writes do not stay split over two nodes. No stick table: the
 * proxies are several and share no table (a Deployment's pods have no stable names for `peers`), so a proxy that
 * missed a flap would stay pinned to another writer than the others for good; the fixed order makes every proxy pick
 * the same node.
 *
 * mysql-ro (the readers) balances over every Synced node (GET /reader), fewest connections first.
 *
 * Servers are found by their stable DNS names at run time (a rescheduled pod comes back with another address), with
 * `init-addr last,libc,none` so HAProxy starts while pods do not resolve yet.
 */
export function renderGaleraProxyConf(input: GaleraProxyInput): string {
  const fqdn = (ordinal: number) => `${input.statefulSet}-${ordinal}.${input.headlessService}.${input.namespace}.svc.${input.clusterDomain}`;
  const server = (ordinal: number) => `  server ${input.statefulSet}-${ordinal} ${fqdn(ordinal)}:${input.mysqlPort}`;
  const ordinals = Array.from({ length: input.members }, (_, ordinal) => ordinal);
  const writers = ordinals.map((ordinal) => `${server(ordinal)}${ordinal === 0 ? ' on-marked-up shutdown-backup-sessions' : ' backup'}`);
  const defaultServer = [
    `  default-server check port ${input.agentPort} inter ${input.checkIntervalMilliseconds} fall ${input.fall} rise ${input.rise}`,
    'on-marked-down shutdown-sessions resolvers cluster init-addr last,libc,none resolve-prefer ipv4',
  ].join(' ');
  return [
    ...haproxyTcpPreamble({ maxConnections: input.maxConnections, idleTimeout: `${input.clientTimeoutSeconds}s` }),
    'frontend mysql-rw',
    `  bind :::${input.writerPort} v4v6`,
    '  default_backend writer',
    '',
    'backend writer',
    '  option httpchk',
    '  http-check send meth GET uri /writer ver HTTP/1.0',
    '  http-check expect status 200',
    defaultServer,
    ...writers,
    '',
    'frontend mysql-ro',
    `  bind :::${input.readerPort} v4v6`,
    '  default_backend readers',
    '',
    'backend readers',
    '  balance leastconn',
    '  option httpchk',
    '  http-check send meth GET uri /reader ver HTTP/1.0',
    '  http-check expect status 200',
    defaultServer,
    ...ordinals.map(server),
    '',
    'frontend health',
    '  mode http',
    '  timeout client 5s',
    `  bind :::${input.healthPort} v4v6`,
    '  monitor-uri /healthz',
    '',
    'frontend metrics',
    '  mode http',
    '  timeout client 5s',
    `  bind :::${input.metricsPort} v4v6`,
    '  http-request use-service prometheus-exporter if { path /metrics }',
    '',
  ].join('\n');
}
