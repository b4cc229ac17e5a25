import { DataClass } from '../../core/tier';

/** Where start-mysql.sh writes the per-pod options (RUN_DIR of the pod interface); my.cnf ends by including it. */
export const GROUP_REPLICATION_POD_CNF = '/run/mysqld/pod.cnf';

/**
 * What my.cnf of the MYSQL_8_4 (Group Replication single-primary, InnoDB Cluster) engine depends on. Everything a
 * pod alone knows (server_id, report_host, admin_address, group_replication_local_address and the group seeds) is
 * written by start-mysql.sh into {@link GROUP_REPLICATION_POD_CNF}; the passwords are in no option file at all.
 */
export interface GroupReplicationConfigInput {
  /** SYSTEM_OF_RECORD flushes the redo log and the binary log at every commit; CACHE leaves both to the OS. */
  readonly dataClass: DataClass;
  /** The SQL port (MYSQL_PORT); with the MYSQL communication stack it carries the group's traffic too. */
  readonly mysqlPort: number;
  /** `admin_port` of the administrative interface (ADMIN_PORT); start-mysql.sh sets its `admin_address`. */
  readonly adminPort: number;
  /** `group_replication_group_name`: a UUID, the same on every member (GROUP_NAME). */
  readonly groupName: string;
  readonly innodbBufferPoolBytes: number;
  /** Binary log retention (`binlog_expire_logs_seconds`): how long a member may be away and still rejoin incrementally. */
  readonly binlogExpireSeconds: number;
  /**
   * `group_replication_member_expel_timeout`, seconds: how long the group waits, after its fixed 5 s suspicion, before
   * it expels an unreachable member (and, if that member was the primary, elects another).
   */
  readonly memberExpelTimeoutSeconds: number;
  /**
   * `group_replication_unreachable_majority_timeout`, seconds: how long a member that lost contact with the majority
   * waits before it leaves the group (and takes the exit state action); 0 waits forever.
   */
  readonly unreachableMajorityTimeoutSeconds: number;
  /** `group_replication_autorejoin_tries`: rejoin attempts (five minutes apart) of an expelled member before it exits. */
  readonly autorejoinTries: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function nonNegativeInteger(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new Error(`${name} must be a whole number from 0 to ${max}, got ${value}`);
  }
}

/** my.cnf: the [mysqld] options every member shares; it ends by including the pod's own options. */
export function renderGroupReplicationCnf(input: GroupReplicationConfigInput): string {
  if (!UUID.test(input.groupName)) {
    throw new Error(`groupName must be a lower-case UUID, got ${JSON.stringify(input.groupName)}`);
  }
  // The ranges MySQL 8.4 accepts for these variables (group-replication-system-variables.html).
  nonNegativeInteger('memberExpelTimeoutSeconds', input.memberExpelTimeoutSeconds, 3600);
  nonNegativeInteger('unreachableMajorityTimeoutSeconds', input.unreachableMajorityTimeoutSeconds, 31536000);
  nonNegativeInteger('autorejoinTries', input.autorejoinTries, 2016);
  const systemOfRecord = input.dataClass === DataClass.SYSTEM_OF_RECORD;
  return [
    '# Shared by every member; start-mysql.sh writes the included pod.cnf (server_id, report_host, admin_address,',
    '# group_replication_local_address, group_replication_group_seeds) and starts mysqld with --defaults-file=<this file>.',
    '[mysqld]',
    'datadir=/var/lib/mysql',
    'socket=/run/mysqld/mysqld.sock',
    'pid_file=/run/mysqld/mysqld.pid',
    'mysqlx_socket=/run/mysqld/mysqlx.sock',
    'tmpdir=/tmp',
    `port=${input.mysqlPort}`,
    'bind_address=*',
    `admin_port=${input.adminPort}`,
    // Every account is 'localhost' (root, through the socket) or '%' (AdminAPI's recovery and router accounts, the
    // cluster administrator, monitor, the application), so no grant needs a host name and no connection waits on DNS.
    'skip_name_resolve=ON',
    // 8.4 leaves the deprecated plugin off by default; stated so that no option file can turn it on unnoticed.
    'mysql_native_password=OFF',
    'performance_schema=ON',
    `innodb_buffer_pool_size=${input.innodbBufferPoolBytes}`,
    `innodb_flush_log_at_trx_commit=${systemOfRecord ? 1 : 2}`,
    `sync_binlog=${systemOfRecord ? 1 : 0}`,
    'gtid_mode=ON',
    'enforce_gtid_consistency=ON',
    'log_bin=binlog',
    'log_replica_updates=ON',
    `binlog_expire_logs_seconds=${input.binlogExpireSeconds}`,
    // relay_log_recovery stays at its default (OFF): it acts on asynchronous replication channels, and there are none
    // here; the group_replication_applier channel's relay log is the plugin's, and a member that restarts rejoins
    // through distributed recovery.
    // Every start is fenced: Group Replication lifts super_read_only on the primary only.
    'super_read_only=ON',
    'skip_replica_start=ON',
    'plugin_load_add=group_replication.so',
    'plugin_load_add=mysql_clone.so',
    `group_replication_group_name=${input.groupName}`,
    // The agent (through AdminAPI, manualStartOnBoot) decides when a member starts Group Replication, never mysqld.
    'group_replication_start_on_boot=OFF',
    'group_replication_single_primary_mode=ON',
    // A new primary holds new transactions until it has applied its backlog: no read of stale data after a failover.
    'group_replication_consistency=BEFORE_ON_PRIMARY_FAILOVER',
    // ABORT_SERVER, not 8.4's default OFFLINE_MODE: a member that leaves the group involuntarily (expelled, a lost
    // majority past unreachable_majority_timeout, an applier error) and has used up its auto-rejoin tries stops
    // mysqld, so the kubelet restarts the container and gr-agent.sh rejoins the fresh server (or re-clones it). With
    // OFFLINE_MODE the process would stay up, fenced, refusing clients, and never rejoin by itself: a pod Running and
    // live that holds no replica until a person notices. mysql-operator (cluster_controller.py) and Percona
    // (ps-entrypoint.sh) choose ABORT_SERVER for the same reason.
    'group_replication_exit_state_action=ABORT_SERVER',
    `group_replication_member_expel_timeout=${input.memberExpelTimeoutSeconds}`,
    `group_replication_unreachable_majority_timeout=${input.unreachableMajorityTimeoutSeconds}`,
    `group_replication_autorejoin_tries=${input.autorejoinTries}`,
    // The group travels over the SQL port with the server's own TLS and authentication: no extra port, no allowlist.
    'group_replication_communication_stack=MYSQL',
    // Single-primary: one consensus leader (the primary) instead of every member proposing, which cuts messages
    // per transaction. Takes effect when the group starts; AdminAPI's createCluster sets it too (paxosSingleLeader).
    'group_replication_paxos_single_leader=ON',
    '',
    `!include ${GROUP_REPLICATION_POD_CNF}`,
    '',
  ].join('\n');
}
