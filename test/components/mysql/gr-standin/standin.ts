/**
 * Stand-ins for mysqlsh, mysql, mysqld and mysqlrouter: no registry here ships MySQL 8.4, MySQL Shell
 * or MySQL Router, so the pod scripts run against these. They replay the outputs the sources below document, against
 * the state in $GR_STANDIN_WORLD (see world.ts), and record every call so that a test can assert what a script did.
 * They prove the scripts' decisions on documented outputs; they are not MySQL.
 *
 * Sources (stored copies read for this file):
 * - mysql/mysql-shell, tag 8.4.8: modules/adminapi/common/preconditions.cc (the getCluster() errors on a standalone
 *   server and the no-quorum error), modules/adminapi/mod_dba.cc (createCluster on a server with metadata, the
 *   getCluster() no-quorum warning), modules/adminapi/common/gtid_validations.cc (the rejoin NOTEs on an empty or
 *   purged GTID set and the non-interactive "'recoveryMethod' option must be set" error),
 *   modules/adminapi/dba/reboot_cluster_from_complete_outage.cc (reboot errors and success line),
 *   modules/adminapi/cluster/rejoin_instance.cc (rejoin success line), modules/adminapi/cluster/status.cc (status
 *   texts), modules/adminapi/common/dba_errors.h (MYSQLSH error codes), modules/adminapi/common/common.h (option names).
 * - percona/percona-server-mysql-operator cmd/bootstrap/gr/group_replication.go and pkg/innodbcluster/innodbcluster.go
 *   (the messages its bootstrap matches, the cluster.status() JSON fields it reads: defaultReplicaSet.status,
 *   topology[].address/status/memberRole, "(MISSING)").
 * - mysql/mysql-operator mysqloperator/controller/diagnose.py (status().defaultReplicaSet.status starting with "OK"
 *   means quorum) and innodbcluster/router-entrypoint-run.sh.tpl (two passwords on stdin for --bootstrap --account).
 * - MySQL 8.4 Reference Manual: client error messages 2002/2003/1045 (client-error-reference.html,
 *   server-error-reference.html), group_replication_set_as_primary() ("Primary server switched to:",
 *   group-replication-functions-for-new-primary.html), GTID_SUBSET() (gtid-functions.html), `mysql -B` printing a
 *   line break in a value as \n (mysql-command-options.html, --batch); canonical/mysql-k8s-operator#260 (Router's
 *   bootstrap refusal without quorum).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createContext, runInContext } from 'node:vm';
import { Member, World, gtidSubset, gtids, loadWorld, lockWorld, saveWorld, unlockWorld } from './world';

const WORLD_PATH = process.env.GR_STANDIN_WORLD ?? '';
if (!existsSync(WORLD_PATH)) {
  process.stderr.write(`stand-in: no world at ${JSON.stringify(WORLD_PATH)} (GR_STANDIN_WORLD)\n`);
  process.exit(2);
}
lockWorld(WORLD_PATH);
process.on('exit', () => unlockWorld(WORLD_PATH));
const world: World = loadWorld(WORLD_PATH);
const caller = process.env.POD_NAME ?? '';
const [tool, ...argv] = process.argv.slice(2);

function record(host: string, op: string, detail = ''): void {
  world.calls.push({ tool, pod: caller, host, op, detail, argv });
}

function finish(code: number): never {
  saveWorld(WORLD_PATH, world);
  process.exit(code);
}

function member(host: string): Member | undefined {
  return world.members.find((m) => m.host === host);
}

function address(m: Member): string {
  return `${m.host}:${world.port}`;
}

function memberAt(addr: string): Member {
  const found = world.members.find((m) => address(m) === addr);
  if (!found) throw new ShellError(`stand-in: no member ${addr}`);
  return found;
}

/** The caller's own server: the pod's ordinal indexes the member list. */
function localMember(): Member {
  return world.members[Number(caller.slice(caller.lastIndexOf('-') + 1))];
}

function view(): Member[] {
  return world.members.filter((m) => m.inView);
}

function hasQuorum(): boolean {
  const inView = view();
  return inView.filter((m) => m.up && m.state === 'ONLINE').length * 2 > inView.length;
}

function primary(): Member | undefined {
  return view().find((m) => m.up && m.role === 'PRIMARY');
}

/** An AdminAPI error as mysqlsh prints an uncaught one: "<Class.method>: <text> (MYSQLSH <code>)" or "(RuntimeError)". */
class ShellError extends Error {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
  }

  printed(): string {
    return this.code === undefined ? `${this.message} (RuntimeError)` : `${this.message} (MYSQLSH ${this.code})`;
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// mysqlsh --no-wizard --js --passwords-from-stdin --uri user@host:port -e CODE
// ---------------------------------------------------------------------------------------------------------------------

/** createCluster() options MySQL Shell 8.4 accepts (common.h); an unknown one is an ArgumentError. */
const CREATE_CLUSTER_OPTIONS = [
  'communicationStack',
  'groupName',
  'localAddress',
  'paxosSingleLeader',
  'manualStartOnBoot',
  'exitStateAction',
  'memberWeight',
  'expelTimeout',
  'consistency',
  'autoRejoinTries',
  'gtidSetIsComplete',
  'multiPrimary',
  'force',
  'adoptFromGR',
  'ipAllowlist',
  'memberSslMode',
  'disableClone',
  'replicationAllowedHost',
  'memberAuthType',
  'certIssuer',
  'certSubject',
  'transactionSizeLimit',
];
const ADD_INSTANCE_OPTIONS = ['recoveryMethod', 'recoveryProgress', 'localAddress', 'label', 'exitStateAction', 'memberWeight', 'autoRejoinTries'];
const REBOOT_OPTIONS = ['force', 'primary', 'dryRun', 'switchCommunicationStack', 'ipAllowlist', 'localAddress', 'timeout', 'paxosSingleLeader'];

function checkOptions(method: string, options: Record<string, unknown> | undefined, allowed: string[]): void {
  const unknown = Object.keys(options ?? {}).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw new ShellError(`${method}: Argument #2: Invalid options: ${unknown.join(', ')}`);
  }
}

function mysqlsh(): never {
  const uri = argv[argv.indexOf('--uri') + 1];
  const code = argv[argv.indexOf('-e') + 1];
  const [user, hostPort] = uri.split('@');
  const host = hostPort.split(':')[0];
  const password = argv.includes('--passwords-from-stdin') ? readFileSync(0, 'utf8').split('\n')[0] : '';
  const out: string[] = [];
  const err: string[] = [];
  const target = member(host);
  if (!target?.up) {
    record(host, 'connect', 'refused');
    process.stderr.write(`MySQL Error 2003 (HY000): Can't connect to MySQL server on '${host}:${world.port}' (111)\n`);
    finish(1);
  }
  if (user !== world.users.admin || password !== world.passwords.admin) {
    record(host, 'connect', 'access denied');
    process.stderr.write(`MySQL Error 1045 (28000): Access denied for user '${user}'@'${caller}' (using password: YES)\n`);
    finish(1);
  }
  const session = target;

  const cluster = (name: string) => ({
    status: () => {
      record(host, 'cluster.status');
      return { clusterName: name, defaultReplicaSet: statusOf(session) };
    },
    addInstance: (addr: string, options?: Record<string, unknown>) => {
      record(host, 'cluster.addInstance', JSON.stringify({ addr, options }));
      checkOptions('Cluster.addInstance', options, ADD_INSTANCE_OPTIONS);
      requireQuorum('Cluster.addInstance');
      const joiner = memberAt(addr);
      if (options?.recoveryMethod !== 'clone') {
        throw new ShellError("Cluster.addInstance: 'recoveryMethod' option must be set to 'clone' or 'incremental'", 51167);
      }
      const donor = primary()!;
      out.push(`NOTE: ${addr} is being cloned from ${address(donor)}`, '* Clone process has finished');
      joiner.gtidExecuted = donor.gtidExecuted;
      joiner.gtidPurged = donor.gtidPurged;
      joiner.metadata = true;
      joiner.accounts = [...donor.accounts];
      Object.assign(joiner, { state: 'ONLINE', role: 'SECONDARY', inView: true });
      world.metadataMembers.push(addr);
      out.push(`The instance '${addr}' was successfully added to the cluster.`);
    },
    rejoinInstance: (addr: string) => {
      record(host, 'cluster.rejoinInstance', addr);
      requireQuorum('Cluster.rejoinInstance');
      const joiner = memberAt(addr);
      const donor = primary()!;
      // gtid_validations.cc: a rejoin that incremental recovery cannot serve needs an explicit recoveryMethod, which
      // a non-interactive shell (--no-wizard) refuses to choose.
      if (joiner.gtidExecuted === '') {
        err.push(
          `NOTE: The target instance '${addr}' has not been pre-provisioned (GTID set is empty). The Shell is unable to decide whether incremental state recovery can correctly provision it.`,
        );
        throw new ShellError("Cluster.rejoinInstance: 'recoveryMethod' option must be set to 'clone' or 'incremental'", 51167);
      }
      if (!gtidSubset(donor.gtidPurged, joiner.gtidExecuted)) {
        err.push(
          `NOTE: A GTID set check of the MySQL instance at '${addr}' determined that it is missing transactions that were purged from all cluster members.`,
        );
        throw new ShellError("Cluster.rejoinInstance: 'recoveryMethod' option must be set to 'clone' or 'incremental'", 51167);
      }
      joiner.gtidExecuted = donor.gtidExecuted;
      Object.assign(joiner, { state: 'ONLINE', role: 'SECONDARY', inView: true });
      out.push(`The instance '${addr}' was successfully rejoined to the cluster.`);
    },
    removeInstance: (addr: string, options?: { force?: boolean }) => {
      record(host, 'cluster.removeInstance', JSON.stringify({ addr, options }));
      requireQuorum('Cluster.removeInstance');
      world.metadataMembers = world.metadataMembers.filter((a) => a !== addr);
      const removed = memberAt(addr);
      removed.inView = false;
      out.push(`The instance '${addr}' was successfully removed from the cluster.`);
    },
    setupRouterAccount: (account: string, options: { password: string }) => {
      record(host, 'cluster.setupRouterAccount', account);
      if (options.password !== world.passwords.router) throw new ShellError('stand-in: setupRouterAccount got another password than the Secret');
      for (const m of view()) m.accounts.push(account.split('@')[0]);
      out.push(`Account ${account} was successfully created.`);
    },
  });

  function requireQuorum(method: string): void {
    // preconditions.cc check_quorum_state_preconditions.
    if (!hasQuorum()) throw new ShellError(`${method}: There is no quorum to perform the operation`, 51011);
  }

  const dba = {
    configureInstance: () => {
      record(host, 'dba.configureInstance');
      out.push(`The instance '${address(session)}' is valid for InnoDB Cluster usage.`);
    },
    getCluster: (name: string) => {
      record(host, 'dba.getCluster', name);
      // preconditions.cc: Standalone (SHERR_DBA_BADARG_INSTANCE_NOT_MANAGED) and StandaloneInMetadata
      // (SHERR_DBA_BADARG_INSTANCE_NOT_ONLINE).
      if (!session.metadata) throw new ShellError('Dba.getCluster: This function is not available through a session to a standalone instance', 51300);
      if (session.state !== 'ONLINE' && session.state !== 'RECOVERING') {
        throw new ShellError(
          'Dba.getCluster: This function is not available through a session to a standalone instance (metadata exists, instance belongs to that metadata, but GR is not active)',
          51314,
        );
      }
      if (!hasQuorum()) {
        err.push('WARNING: Cluster has no quorum and cannot process write transactions: There is no quorum to perform the operation');
      }
      return cluster(name);
    },
    createCluster: (name: string, options?: Record<string, unknown>) => {
      record(host, 'dba.createCluster', JSON.stringify({ name, options }));
      checkOptions('Dba.createCluster', options, CREATE_CLUSTER_OPTIONS);
      if (session.metadata) {
        // mod_dba.cc, BUG#29271400.
        throw new ShellError(
          `Dba.createCluster: Unable to create cluster. The instance '${address(session)}' has a populated Metadata schema and belongs to that Metadata. Use either dba.dropMetadataSchema() to drop the schema, or dba.rebootClusterFromCompleteOutage() to reboot the cluster from complete outage.`,
        );
      }
      world.clusterOptions = options;
      session.metadata = true;
      session.gtidExecuted = gtids(String(options?.groupName), 5);
      Object.assign(session, { state: 'ONLINE', role: 'PRIMARY', inView: true });
      world.metadataMembers = [address(session)];
      out.push(`Cluster successfully created. Use Cluster.addInstance() to add MySQL instances.`);
      return cluster(name);
    },
    rebootClusterFromCompleteOutage: (name: string, options?: { primary?: string; force?: boolean; dryRun?: boolean }) => {
      record(host, 'dba.rebootClusterFromCompleteOutage', JSON.stringify({ name, options }));
      checkOptions('Dba.rebootClusterFromCompleteOutage', options, REBOOT_OPTIONS);
      const members = world.metadataMembers.map(memberAt);
      if (members.some((m) => m.up && m.state === 'ONLINE')) throw new ShellError('Dba.rebootClusterFromCompleteOutage: The Cluster is ONLINE');
      const unreachable = members.filter((m) => !m.up);
      if (unreachable.length > 0 && !options?.force) {
        err.push(
          `WARNING: One or more instances of the Cluster could not be reached and cannot be rejoined nor ensured to be OFFLINE: ${unreachable.map((m) => `'${address(m)}'`).join(', ')}. Cluster may diverge and become inconsistent unless all instances are either reachable or certain to be OFFLINE and not accepting new transactions. You may use the 'force' option to bypass this check and proceed anyway.`,
        );
        throw new ShellError('Dba.rebootClusterFromCompleteOutage: Could not determine if Cluster is completely OFFLINE');
      }
      const seed = options?.primary ? memberAt(options.primary) : session;
      for (const other of members.filter((m) => m.up && m !== seed)) {
        if (!gtidSubset(other.gtidExecuted, seed.gtidExecuted)) {
          throw new ShellError(
            `Dba.rebootClusterFromCompleteOutage: The instance '${address(other)}' has an incompatible GTID set with the seed instance '${address(seed)}' (GTIDs diverged). If you wish to proceed, the 'force' option must be explicitly set.`,
          );
        }
      }
      if (options?.dryRun) {
        out.push('dryRun finished.');
        return cluster(name);
      }
      Object.assign(seed, { state: 'ONLINE', role: 'PRIMARY', inView: true });
      for (const other of members.filter((m) => m.up && m !== seed)) {
        other.gtidExecuted = seed.gtidExecuted;
        Object.assign(other, { state: 'ONLINE', role: 'SECONDARY', inView: true });
      }
      out.push('The Cluster was successfully rebooted.');
      return cluster(name);
    },
  };

  const context = createContext({
    dba,
    os: { getenv: (name: string) => process.env[name] ?? null },
    println: (...values: unknown[]) => out.push(values.map(String).join(' ')),
    print: (...values: unknown[]) => out.push(values.map(String).join(' ')),
  });
  let status = 0;
  try {
    runInContext(code, context);
  } catch (error) {
    status = 1;
    err.push(error instanceof ShellError ? error.printed() : String(error));
  }
  if (out.length > 0) process.stdout.write(`${out.join('\n')}\n`);
  if (err.length > 0) process.stderr.write(`${err.join('\n')}\n`);
  finish(status);
}

/** cluster.status().defaultReplicaSet as seen from `from` (status.cc; Percona's innodbcluster.Status fields). */
function statusOf(from: Member): Record<string, unknown> {
  const topology: Record<string, unknown> = {};
  for (const addr of world.metadataMembers) {
    const m = memberAt(addr);
    const state = !m.inView ? (m.state === 'ERROR' ? 'ERROR' : '(MISSING)') : !m.up ? 'UNREACHABLE' : m.state;
    topology[addr] = { address: addr, status: state, memberRole: m.role || 'SECONDARY', mode: m.role === 'PRIMARY' ? 'R/W' : 'R/O' };
  }
  const online = world.metadataMembers.map(memberAt).filter((m) => m.inView && m.up && m.state === 'ONLINE').length;
  const all = online === world.metadataMembers.length;
  const tolerance = Math.floor((online - 1) / 2);
  let status: string;
  let statusText: string;
  if (!hasQuorum()) {
    status = 'NO_QUORUM';
    statusText = `Cluster has no quorum as visible from '${address(from)}' and cannot process write transactions.`;
  } else if (tolerance >= 1) {
    status = all ? 'OK' : 'OK_PARTIAL';
    statusText = 'Cluster is ONLINE and can tolerate up to ONE failure.';
  } else {
    status = all ? 'OK_NO_TOLERANCE' : 'OK_NO_TOLERANCE_PARTIAL';
    statusText = 'Cluster is NOT tolerant to any failures.';
  }
  return { name: 'default', primary: primary() ? address(primary()!) : undefined, status, statusText, topology };
}

// ---------------------------------------------------------------------------------------------------------------------
// mysql --defaults-extra-file=F --protocol=SOCKET|TCP [-h host -P port] -N -B -e SQL
// ---------------------------------------------------------------------------------------------------------------------

/** A value as `mysql -B` prints it: the server breaks a multi-source GTID set after each comma; -B escapes the break. */
function batch(value: string): string {
  return value.replace(/,/g, ',\n').replace(/\n/g, '\\n');
}

function mysql(): never {
  const option = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const defaults = readFileSync(option('defaults-extra-file')!, 'utf8');
  const read = (key: string) => /^(["'])(.*)\1$/.exec(new RegExp(`^${key}=(.*)$`, 'm').exec(defaults)?.[1] ?? '')?.[2].replace(/\\\\/g, '\\') ?? '';
  const user = new RegExp('^user=(.*)$', 'm').exec(defaults)?.[1] ?? '';
  const password = read('password');
  const socket = option('protocol') === 'SOCKET';
  const host = socket ? localMember().host : argv[argv.indexOf('-h') + 1];
  const sql = argv[argv.indexOf('-e') + 1].replace(/\s+/g, ' ').trim();
  const target = member(host);
  if (!target?.up) {
    record(host, 'connect', 'refused');
    process.stderr.write(
      socket
        ? `ERROR 2002 (HY000): Can't connect to local MySQL server through socket '/run/mysqld/mysqld.sock' (2)\n`
        : `ERROR 2003 (HY000): Can't connect to MySQL server on '${host}:${world.port}' (111)\n`,
    );
    finish(1);
  }
  const accounts: Record<string, string> = { [world.users.admin]: world.passwords.admin, [world.users.monitor]: world.passwords.monitor };
  if (socket) accounts.root = world.passwords.root;
  if (accounts[user] === undefined || accounts[user] !== password) {
    record(host, 'connect', `access denied for ${user}`);
    process.stderr.write(`ERROR 1045 (28000): Access denied for user '${user}'@'localhost' (using password: YES)\n`);
    finish(1);
  }
  record(host, 'sql', sql);
  const rows = answer(target, sql);
  if (rows === undefined) {
    process.stderr.write(`stand-in mysql: no documented answer for: ${sql}\n`);
    finish(1);
  }
  if (rows.length > 0) process.stdout.write(`${rows.join('\n')}\n`);
  finish(0);
}

function answer(target: Member, sql: string): string[] | undefined {
  let match: RegExpExecArray | null;
  if (sql === 'SELECT 1') return ['1'];
  if (sql === 'SELECT @@GLOBAL.gtid_executed') return [batch(target.gtidExecuted)];
  if (sql.startsWith("SELECT CONCAT_WS('|', @@GLOBAL.gtid_executed,") && sql.includes('information_schema.schemata')) {
    return [[batch(target.gtidExecuted), target.state, target.role, target.metadata ? '1' : '0'].join('|')];
  }
  if (sql.startsWith("SELECT CONCAT_WS('|', @@GLOBAL.gtid_executed,")) return [[batch(target.gtidExecuted), target.state].join('|')];
  if (sql.startsWith("SELECT CONCAT_WS('|', COALESCE((SELECT MEMBER_STATE")) {
    const group = target.inView ? view() : [target];
    const online = group.filter((m) => m.up && m.state === 'ONLINE').length;
    return [[target.state, String(online), String(group.length)].join('|')];
  }
  if (sql.startsWith("SELECT COALESCE((SELECT CONCAT(MEMBER_STATE, ' ', MEMBER_ROLE)")) {
    return [target.state === 'OFFLINE' ? 'OFFLINE' : `${target.state} ${target.role}`];
  }
  if (sql.startsWith('SELECT m.MEMBER_ID, m.MEMBER_HOST, s.COUNT_TRANSACTIONS_REMOTE_IN_APPLIER_QUEUE')) {
    return view()
      .filter((m) => m.state === 'ONLINE' && m.role === 'SECONDARY')
      .map((m) => [m.uuid, m.host, String(m.applierQueue)].join('\t'));
  }
  if ((match = /^SELECT group_replication_set_as_primary\('([^']+)', (\d+)\)$/.exec(sql))) {
    const next = view().find((m) => m.uuid === match![1] && m.state === 'ONLINE');
    if (!next) return undefined;
    for (const m of view()) m.role = m === next ? 'PRIMARY' : 'SECONDARY';
    return [`Primary server switched to: ${next.uuid}`];
  }
  if (sql === 'STOP GROUP_REPLICATION') {
    const wasPrimary = target.role === 'PRIMARY';
    Object.assign(target, { state: 'OFFLINE', role: '', inView: false });
    // Without a handover the group elects the ONLINE member with the lowest server UUID (equal member weights).
    if (wasPrimary) {
      const next = view()
        .filter((m) => m.up && m.state === 'ONLINE')
        .sort((a, b) => a.uuid.localeCompare(b.uuid))[0];
      if (next) next.role = 'PRIMARY';
    }
    return [];
  }
  if (sql === 'SHUTDOWN') {
    Object.assign(target, { up: false });
    return [];
  }
  if ((match = /^SELECT COUNT\(\*\) FROM mysql\.user WHERE user = '([^']+)'$/.exec(sql))) {
    return [String(target.accounts.filter((a) => a === match![1]).length)];
  }
  if ((match = /^SELECT GTID_SUBSET\('([^']*)', @@GLOBAL\.gtid_executed\)$/.exec(sql))) {
    return [gtidSubset(match[1], target.gtidExecuted) ? '1' : '0'];
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------------
// mysqld --no-defaults --initialize-insecure --datadir=D --init-file=F ... | mysqld --defaults-file=F
// ---------------------------------------------------------------------------------------------------------------------

function mysqld(): never {
  const option = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  if (argv.includes('--initialize-insecure')) {
    const datadir = option('datadir')!;
    record(localMember().host, 'initialize', datadir);
    world.initFiles[caller] = readFileSync(option('init-file')!, 'utf8');
    mkdirSync(join(datadir, 'mysql'), { recursive: true });
    writeFileSync(join(datadir, 'binlog.000001'), '');
    writeFileSync(join(datadir, 'binlog.index'), './binlog.000001\n');
    writeFileSync(join(datadir, 'auto.cnf'), `[auto]\nserver-uuid=${localMember().uuid}\n`);
    finish(0);
  }
  record(localMember().host, 'start', option('defaults-file') ?? '');
  finish(0);
}

// ---------------------------------------------------------------------------------------------------------------------
// mysqlrouter --bootstrap user@host:port --directory D ... | mysqlrouter -c D/mysqlrouter.conf
// ---------------------------------------------------------------------------------------------------------------------

function mysqlrouter(): never {
  if (argv[0] === '-c') {
    record('', 'run', argv[1]);
    finish(0);
  }
  const [user, hostPort] = argv[argv.indexOf('--bootstrap') + 1].split('@');
  const host = hostPort.split(':')[0];
  const directory = argv[argv.indexOf('--directory') + 1];
  const passwords = readFileSync(0, 'utf8').split('\n');
  const target = member(host);
  record(host, 'bootstrap', argv.join(' '));
  if (!target?.up) {
    process.stderr.write(
      `Error: Unable to connect to the metadata server: Error connecting to MySQL server at ${host}:${world.port}: Can't connect to MySQL server on '${host}:${world.port}' (111) (2003)\n`,
    );
    finish(1);
  }
  if (
    user !== world.users.router ||
    passwords[0] !== world.passwords.router ||
    passwords[1] !== world.passwords.router ||
    !target.accounts.includes(user)
  ) {
    process.stderr.write(
      `Error: Unable to connect to the metadata server: Access denied for user '${user}'@'${caller}' (using password: YES) (1045)\n`,
    );
    finish(1);
  }
  if (!target.metadata || !target.inView || target.state !== 'ONLINE' || !hasQuorum()) {
    process.stderr.write(
      'Error: The provided server is currently not in a InnoDB cluster group with quorum and thus may contain inaccurate or outdated data.\n',
    );
    finish(1);
  }
  mkdirSync(directory, { recursive: true });
  writeFileSync(
    join(directory, 'mysqlrouter.conf'),
    [
      '[DEFAULT]',
      `logging_folder=${directory}/log`,
      `runtime_folder=${directory}/run`,
      '',
      `[routing:bootstrap_rw]`,
      'bind_address=0.0.0.0',
      'bind_port=6446',
      'destinations=metadata-cache://' + world.clusterName + '/?role=PRIMARY',
      '',
      `[routing:bootstrap_ro]`,
      'bind_address=0.0.0.0',
      'bind_port=6447',
      'destinations=metadata-cache://' + world.clusterName + '/?role=SECONDARY',
      '',
    ].join('\n'),
  );
  process.stdout.write(`# MySQL Router configured for the InnoDB Cluster '${world.clusterName}'\n`);
  finish(0);
}

const tools: Record<string, () => never> = { mysqlsh, mysql, mysqld, mysqlrouter };
if (!tools[tool]) {
  process.stderr.write(`stand-in: unknown tool ${tool}\n`);
  process.exit(2);
}
tools[tool]();
