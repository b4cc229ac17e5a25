import { DataClass } from '../../../lib/core/tier';
import { GroupReplicationConfigInput, renderGroupReplicationCnf } from '../../../lib/components/mysql/gr-config';

const INPUT: GroupReplicationConfigInput = {
  dataClass: DataClass.SYSTEM_OF_RECORD,
  mysqlPort: 3306,
  adminPort: 33062,
  groupName: '0c6b3a50-6f0e-5a4e-9c6e-2f1d8e7a9b10',
  innodbBufferPoolBytes: 1024 * 1024 * 1024,
  binlogExpireSeconds: 604800,
  memberExpelTimeoutSeconds: 5,
  unreachableMajorityTimeoutSeconds: 30,
  autorejoinTries: 3,
};

const REFMAN = 'https://dev.mysql.com/doc/refman/8.4/en';
const GR_VARIABLES = `${REFMAN}/group-replication-system-variables.html`;

/** Allowed values of an option: an enumeration, or a whole number in a range, as the 8.4 reference states them. */
type Allowed = readonly string[] | { readonly min: number; readonly max: number } | 'path' | 'address' | 'uuid' | 'plugin-library';

/**
 * Every key my.cnf sets, with its MySQL 8.4 reference name, the value we render, what 8.4 allows, and the page of
 * the 8.4 Reference Manual it was checked against (searched in the docs corpus, dev.mysql.com/doc/refman/8.4/en/).
 */
const KEYS: ReadonlyArray<readonly [key: string, value: string, allowed: Allowed, url: string]> = [
  ['datadir', '/var/lib/mysql', 'path', `${REFMAN}/server-system-variables.html#sysvar_datadir`],
  ['socket', '/run/mysqld/mysqld.sock', 'path', `${REFMAN}/server-system-variables.html#sysvar_socket`],
  ['pid_file', '/run/mysqld/mysqld.pid', 'path', `${REFMAN}/server-system-variables.html#sysvar_pid_file`],
  ['mysqlx_socket', '/run/mysqld/mysqlx.sock', 'path', `${REFMAN}/x-plugin-options-system-variables.html#sysvar_mysqlx_socket`],
  ['tmpdir', '/tmp', 'path', `${REFMAN}/server-system-variables.html#sysvar_tmpdir`],
  ['port', '3306', { min: 0, max: 65535 }, `${REFMAN}/server-system-variables.html#sysvar_port`],
  ['bind_address', '*', 'address', `${REFMAN}/server-system-variables.html#sysvar_bind_address`],
  ['admin_port', '33062', { min: 0, max: 65535 }, `${REFMAN}/server-system-variables.html#sysvar_admin_port`],
  ['skip_name_resolve', 'ON', ['ON', 'OFF'], `${REFMAN}/server-system-variables.html#sysvar_skip_name_resolve`],
  ['mysql_native_password', 'OFF', ['ON', 'OFF'], `${REFMAN}/native-pluggable-authentication.html`],
  ['performance_schema', 'ON', ['ON', 'OFF'], `${REFMAN}/performance-schema-system-variables.html#sysvar_performance_schema`],
  ['innodb_buffer_pool_size', '1073741824', { min: 5242880, max: 2 ** 64 - 1 }, `${REFMAN}/innodb-parameters.html#sysvar_innodb_buffer_pool_size`],
  ['innodb_flush_log_at_trx_commit', '1', ['0', '1', '2'], `${REFMAN}/innodb-parameters.html#sysvar_innodb_flush_log_at_trx_commit`],
  ['sync_binlog', '1', { min: 0, max: 4294967295 }, `${REFMAN}/replication-options-binary-log.html#sysvar_sync_binlog`],
  ['gtid_mode', 'ON', ['OFF', 'OFF_PERMISSIVE', 'ON_PERMISSIVE', 'ON'], `${REFMAN}/replication-options-gtids.html#sysvar_gtid_mode`],
  ['enforce_gtid_consistency', 'ON', ['OFF', 'ON', 'WARN'], `${REFMAN}/replication-options-gtids.html#sysvar_enforce_gtid_consistency`],
  ['log_bin', 'binlog', 'path', `${REFMAN}/replication-options-binary-log.html#option_mysqld_log-bin`],
  ['log_replica_updates', 'ON', ['ON', 'OFF'], `${REFMAN}/replication-options-binary-log.html#sysvar_log_replica_updates`],
  [
    'binlog_expire_logs_seconds',
    '604800',
    { min: 0, max: 4294967295 },
    `${REFMAN}/replication-options-binary-log.html#sysvar_binlog_expire_logs_seconds`,
  ],
  ['super_read_only', 'ON', ['ON', 'OFF'], `${REFMAN}/server-system-variables.html#sysvar_super_read_only`],
  ['skip_replica_start', 'ON', ['ON', 'OFF'], `${REFMAN}/replication-options-replica.html#sysvar_skip_replica_start`],
  ['plugin_load_add', 'group_replication.so', 'plugin-library', `${REFMAN}/group-replication-configuring-instances.html`],
  ['plugin_load_add', 'mysql_clone.so', 'plugin-library', `${REFMAN}/clone-plugin-installation.html`],
  ['group_replication_group_name', INPUT.groupName, 'uuid', `${GR_VARIABLES}#sysvar_group_replication_group_name`],
  ['group_replication_start_on_boot', 'OFF', ['ON', 'OFF'], `${GR_VARIABLES}#sysvar_group_replication_start_on_boot`],
  ['group_replication_single_primary_mode', 'ON', ['ON', 'OFF'], `${GR_VARIABLES}#sysvar_group_replication_single_primary_mode`],
  [
    'group_replication_consistency',
    'BEFORE_ON_PRIMARY_FAILOVER',
    ['EVENTUAL', 'BEFORE_ON_PRIMARY_FAILOVER', 'BEFORE', 'AFTER', 'BEFORE_AND_AFTER'],
    `${GR_VARIABLES}#sysvar_group_replication_consistency`,
  ],
  [
    'group_replication_exit_state_action',
    'ABORT_SERVER',
    ['ABORT_SERVER', 'OFFLINE_MODE', 'READ_ONLY'],
    `${REFMAN}/group-replication-responses-failure-exit.html`,
  ],
  ['group_replication_member_expel_timeout', '5', { min: 0, max: 3600 }, `${REFMAN}/group-replication-responses-failure-expel.html`],
  [
    'group_replication_unreachable_majority_timeout',
    '30',
    { min: 0, max: 31536000 },
    `${GR_VARIABLES}#sysvar_group_replication_unreachable_majority_timeout`,
  ],
  ['group_replication_autorejoin_tries', '3', { min: 0, max: 2016 }, `${REFMAN}/group-replication-responses-failure-rejoin.html`],
  ['group_replication_communication_stack', 'MYSQL', ['XCOM', 'MYSQL'], `${REFMAN}/group-replication-connection-security.html`],
  ['group_replication_paxos_single_leader', 'ON', ['ON', 'OFF'], `${REFMAN}/group-replication-single-consensus-leader.html`],
];

/** Removed in 8.4, or renamed from master/slave terms (mysqld-version-reference optvar-changes-8-4.html; mysql-nutshell.html). */
const REMOVED_OR_OLD_NAMES = [
  'binlog_transaction_dependency_tracking',
  'default_authentication_plugin',
  'transaction_write_set_extraction',
  'master_info_repository',
  'relay_log_info_repository',
  'log_slave_updates',
  'skip_slave_start',
  'slave_',
  'master_',
  'rpl_semi_sync_master',
  'group_replication_bootstrap_group',
  'group_replication_ip_whitelist',
  'expire_logs_days',
];

function options(cnf: string): Array<[string, string]> {
  return cnf
    .split('\n')
    .filter((line) => /^[a-z_]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]);
}

describe('renderGroupReplicationCnf', () => {
  const cnf = renderGroupReplicationCnf(INPUT);

  test.each(KEYS.map(([key, value, allowed, url]) => ({ key, value, allowed, url })))(
    '$key=$value is a MySQL 8.4 option with that value allowed ($url)',
    ({ key, value, allowed, url }) => {
      // GIVEN the rendered my.cnf  WHEN the key is looked up  THEN it has the value, one 8.4 allows
      expect(options(cnf)).toContainEqual([key, value]);
      if (Array.isArray(allowed)) {
        expect(allowed).toContain(value);
      } else if (typeof allowed === 'object') {
        const range = allowed as { min: number; max: number };
        expect(Number(value)).toBeGreaterThanOrEqual(range.min);
        expect(Number(value)).toBeLessThanOrEqual(range.max);
      } else if (allowed === 'uuid') {
        expect(value).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      } else if (allowed === 'plugin-library') {
        expect(value).toMatch(/^[a-z_]+\.so$/);
      } else {
        expect(value).not.toBe('');
      }
      expect(url.startsWith('https://dev.mysql.com/doc/refman/8.4/en/')).toBe(true);
    },
  );

  test('sets no key the table does not check, and each key once (plugin_load_add once per plugin)', () => {
    const rendered = options(cnf);
    expect(rendered).toHaveLength(KEYS.length);
    expect(rendered.map(([key, value]) => `${key}=${value}`).sort()).toEqual(KEYS.map(([key, value]) => `${key}=${value}`).sort());
  });

  test.each(REMOVED_OR_OLD_NAMES)('does not name %s (removed in 8.4, or the old replication terms)', (name) => {
    expect(cnf).not.toContain(name);
  });

  test('ends by including the per-pod options written by start-mysql.sh', () => {
    expect(cnf.trimEnd().split('\n').at(-1)).toBe('!include /run/mysqld/pod.cnf');
    expect(cnf.split('\n')[2]).toBe('[mysqld]');
  });

  test('a CACHE leaves flushing of the redo log and the binary log to the OS', () => {
    const cache = options(renderGroupReplicationCnf({ ...INPUT, dataClass: DataClass.CACHE }));
    expect(cache).toContainEqual(['innodb_flush_log_at_trx_commit', '2']);
    expect(cache).toContainEqual(['sync_binlog', '0']);
  });

  test('renders the tier values it is given', () => {
    const tuned = options(
      renderGroupReplicationCnf({ ...INPUT, memberExpelTimeoutSeconds: 0, unreachableMajorityTimeoutSeconds: 0, autorejoinTries: 0 }),
    );
    expect(tuned).toContainEqual(['group_replication_member_expel_timeout', '0']);
    expect(tuned).toContainEqual(['group_replication_unreachable_majority_timeout', '0']);
    expect(tuned).toContainEqual(['group_replication_autorejoin_tries', '0']);
  });

  test.each<[string, Partial<GroupReplicationConfigInput>, string]>([
    ['a group name that is no UUID', { groupName: 'orders' }, 'groupName must be a lower-case UUID, got "orders"'],
    [
      'an expel timeout above 3600 s',
      { memberExpelTimeoutSeconds: 3601 },
      'memberExpelTimeoutSeconds must be a whole number from 0 to 3600, got 3601',
    ],
    [
      'a fractional majority timeout',
      { unreachableMajorityTimeoutSeconds: 1.5 },
      'unreachableMajorityTimeoutSeconds must be a whole number from 0 to 31536000, got 1.5',
    ],
    ['too many rejoin tries', { autorejoinTries: 2017 }, 'autorejoinTries must be a whole number from 0 to 2016, got 2017'],
  ])('throws for %s', (_name, change, message) => {
    expect(() => renderGroupReplicationCnf({ ...INPUT, ...change })).toThrow(message);
  });
});
