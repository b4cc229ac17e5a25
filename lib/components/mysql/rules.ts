import { BlueprintKeys } from '../../core/labels';
import { KubeObject, ManifestIndexReader, notApplicable, Rule, RuleOutcome, Severity, Violation } from '../../checks/model';
import { annotation, ConfigMapFile, ContainerAt, containersOf, mountedConfigMapFiles, violation } from '../../checks/pod-helpers';
import { isRecord, PodTemplate, podTemplateOf } from '../../checks/selectors';
import { replicasOf } from '../../checks/rules/workload-facts';

/**
 * Server images of the MySQL family, by repository name: Docker Official (mysql, mariadb), Oracle (mysql-server,
 * community-server, enterprise-server), Bitnami (mysql, mariadb, mariadb-galera) and Percona. Routers, proxies and
 * exporters (mysql-router, mysqld-exporter) have other names.
 */
const SERVER_IMAGE =
  /(?:^|\/)(?:mysql|mysql-server|community-server|enterprise-server|mariadb|mariadb-galera|percona-server|percona-server-mysql|percona-xtradb-cluster)(?::|@|$)/;

/** The port a server listens on when neither its option files nor its command line set `port`. */
const DEFAULT_PORT = 3306;

const DATA_CLASS_CACHE = `${BlueprintKeys.DATA_CLASS}: cache`;

/** Which server reads the option files: the groups it reads and its defaults differ. */
type Engine = 'mysql' | 'mariadb';

/** One option as the server reads it, and where it was set. */
interface OptionSetting {
  /** Lower case, with underscores for dashes and without the `loose_` prefix, as the server matches names. */
  readonly name: string;
  /** The value; undefined for a bare option (`skip_name_resolve`, `--wsrep-new-cluster`), which means ON. */
  readonly value: string | undefined;
  /** Where it was set, for messages, e.g. `ConfigMap mariadb-config key my.cnf [galera]`. */
  readonly source: string;
  /** JSON path of the field that sets it. */
  readonly path: string;
}

/** Every option of one server container in the order the server reads them: option files, then its command line. */
interface ServerOptions {
  readonly engine: Engine;
  readonly settings: readonly OptionSetting[];
  /** `!include` and `!includedir` lines naming files the checked objects do not hold, with the settings read before each. */
  readonly unseenIncludes: readonly { readonly directive: string; readonly after: number }[];
}

/** The option-file line parser's view of one file: its settings in the groups the server reads, and its include lines. */
interface OptionFileContent {
  readonly settings: readonly { readonly name: string; readonly value: string | undefined; readonly group: string }[];
  readonly includes: readonly {
    readonly directive: string;
    readonly kind: 'include' | 'includedir';
    readonly target: string;
    readonly after: number;
  }[];
}

function imageOf(container: any): string {
  return String(container?.image ?? '').toLowerCase();
}

/** `major.minor` of the image tag (`mariadb:11.4.5` is 11.4); undefined when the tag names no version. */
function imageVersion(image: string): string | undefined {
  const tag = image
    .slice(image.lastIndexOf('/') + 1)
    .split('@')[0]
    .split(':')[1];
  return tag === undefined ? undefined : /^(\d+\.\d+)/.exec(tag)?.[1];
}

function isBitnami(image: string): boolean {
  return image.includes('bitnami/');
}

function containerPorts(container: any): any[] {
  return Array.isArray(container?.ports) ? container.ports : [];
}

function declaresMysqlPort(container: any): boolean {
  return containerPorts(container).some((port) => port?.name === 'mysql' || port?.containerPort === DEFAULT_PORT);
}

/** The containers of a pod template that run a MySQL-family server. */
function serverContainers(template: PodTemplate): ContainerAt[] {
  const candidates = containersOf(template).filter((at) => !at.init && SERVER_IMAGE.test(imageOf(at.container)));
  // A sidecar may run the server image for its client tools (a health agent, a backup loop); the server declares the MySQL port.
  const serving = candidates.filter((at) => declaresMysqlPort(at.container));
  return serving.length > 0 ? serving : candidates;
}

function engineOf(object: KubeObject, container: any): Engine {
  const declared = annotation(object, BlueprintKeys.ENGINE) ?? imageOf(container);
  return declared.includes('mariadb') ? 'mariadb' : 'mysql';
}

/**
 * Whether a server reads the option group `group`: `mariadbd --help --verbose` lists mysqld, server, mysqld-V, mariadb,
 * mariadb-V, mariadbd, mariadbd-V, client-server and galera; MySQL reads mysqld, server and mysqld-V. A versioned group
 * counts when it names the version of the image tag, or when the tag names none (it may then be the server's).
 */
function readsGroup(engine: Engine, version: string | undefined, group: string): boolean {
  const unversioned = engine === 'mariadb' ? ['mysqld', 'server', 'mariadb', 'mariadbd', 'client-server', 'galera'] : ['mysqld', 'server'];
  if (unversioned.includes(group)) {
    return true;
  }
  const versioned = /^(mysqld|mariadb|mariadbd)-(\d+\.\d+)$/.exec(group);
  return versioned !== null && (engine === 'mariadb' || versioned[1] === 'mysqld') && (version === undefined || versioned[2] === version);
}

/** The name the server matches: dashes and underscores are the same, and `loose-` only turns an unknown option into a warning. */
function canonicalName(name: string): string {
  return name
    .toLowerCase()
    .replace(/-/g, '_')
    .replace(/^loose_/, '');
}

function unquoted(raw: string): string {
  const value = raw.trim();
  const quote = value[0];
  if (quote === '"' || quote === "'") {
    const end = value.indexOf(quote, 1);
    return end > 0 ? value.slice(1, end) : value.slice(1);
  }
  // an unquoted `#` starts a comment, also in the middle of a line
  return value.split('#')[0].trim();
}

/** Reads a MySQL option file: `[group]` headers, `name` or `name = value` lines, comments and include directives. */
function readOptionFile(content: string, reads: (group: string) => boolean): OptionFileContent {
  const settings: { name: string; value: string | undefined; group: string }[] = [];
  const includes: { directive: string; kind: 'include' | 'includedir'; target: string; after: number }[] = [];
  let group: string | undefined;
  for (const raw of content.split('\n')) {
    const line = raw.trim();
    const header = /^\[([^\]]+)\]/.exec(line);
    const include = /^!(include|includedir)\s+(.+)$/.exec(line);
    const option = /^([A-Za-z][A-Za-z0-9_-]*)\s*(?:=(.*))?$/.exec(line);
    if (header) {
      group = header[1].trim().toLowerCase();
    } else if (include) {
      includes.push({ directive: line, kind: include[1] as 'include' | 'includedir', target: include[2].trim(), after: settings.length });
    } else if (option && group !== undefined && reads(group)) {
      settings.push({ name: canonicalName(option[1]), value: option[2] === undefined ? undefined : unquoted(option[2]), group });
    }
  }
  return { settings, includes };
}

/** The `.cnf` files of the ConfigMaps a container mounts, in the order `!includedir` reads a directory. */
function mountedOptionFiles(object: KubeObject, template: PodTemplate, container: any, index: ManifestIndexReader): ConfigMapFile[] {
  return mountedConfigMapFiles(object, template, container, index)
    .filter((file) => file.path.endsWith('.cnf'))
    .sort((a, b) => a.path.localeCompare(b.path));
}

/** `--name` and `--name=value` options in a command-line element, which may be a whole shell script. */
function flagSettings(text: string, source: string, path: string): OptionSetting[] {
  const found: OptionSetting[] = [];
  for (const match of text.matchAll(/(?:^|[\s"'])--([A-Za-z][A-Za-z0-9_-]*)(?:=("[^"]*"|'[^']*'|[^\s"';]*))?/g)) {
    found.push({ name: canonicalName(match[1]), value: match[2] === undefined ? undefined : unquoted(match[2]), source, path });
  }
  return found;
}

/**
 * Options the Bitnami images derive from their environment. The entrypoint of bitnami/mysql and bitnami/mariadb adds
 * `--sync-binlog=1` for any replication mode and `--innodb_flush_log_at_trx_commit=1` for `master`, then the
 * `*_EXTRA_FLAGS` words; bitnami/mariadb-galera writes MARIADB_GALERA_CLUSTER_ADDRESS over wsrep_cluster_address
 * (bitnami/containers: libmysql.sh and libmariadbgalera.sh, mysql_extra_flags and mysql_galera_update_custom_config).
 */
function imageEnvSettings(at: ContainerAt): OptionSetting[] {
  const image = imageOf(at.container);
  if (!isBitnami(image)) {
    return [];
  }
  const derived: OptionSetting[] = [];
  const extraFlags: OptionSetting[] = [];
  const env: any[] = Array.isArray(at.container.env) ? at.container.env : [];
  env.forEach((variable, position) => {
    const name = String(variable?.name);
    const value = variable?.value;
    if (typeof value !== 'string') {
      return;
    }
    const path = `${at.path}.env[${position}]`;
    const source = `the ${name} variable`;
    if (name === 'MARIADB_GALERA_CLUSTER_ADDRESS' && image.includes('galera')) {
      derived.push({ name: 'wsrep_cluster_address', value, source, path });
    } else if (/^(MYSQL|MARIADB)_REPLICATION_MODE$/.test(name) && value !== '' && !image.includes('galera')) {
      const imageFlag = `${name}=${value}, for which the image adds`;
      derived.push({ name: 'sync_binlog', value: '1', source: `${imageFlag} --sync-binlog=1`, path });
      if (value === 'master') {
        derived.push({ name: 'innodb_flush_log_at_trx_commit', value: '1', source: `${imageFlag} --innodb_flush_log_at_trx_commit=1`, path });
      }
    } else if (/^(MYSQL|MARIADB)_EXTRA_FLAGS$/.test(name)) {
      extraFlags.push(...flagSettings(value, source, path));
    }
  });
  return [...derived, ...extraFlags];
}

/** Every option one server container reads, as far as the checked objects show them. */
function serverOptions(object: KubeObject, template: PodTemplate, at: ContainerAt, index: ManifestIndexReader): ServerOptions {
  const engine = engineOf(object, at.container);
  const version = imageVersion(imageOf(at.container));
  const files = mountedOptionFiles(object, template, at.container, index);
  const settings: OptionSetting[] = [];
  const unseenIncludes: { directive: string; after: number }[] = [];
  for (const file of files) {
    const read = readOptionFile(file.content, (group) => readsGroup(engine, version, group));
    const offset = settings.length;
    for (const include of read.includes) {
      const target = include.target.replace(/\/+$/, '');
      const seen = files.some((other) => (include.kind === 'include' ? other.path === target : other.directory === target));
      if (!seen) {
        unseenIncludes.push({ directive: include.directive, after: offset + include.after });
      }
    }
    settings.push(
      ...read.settings.map((setting) => ({
        name: setting.name,
        value: setting.value,
        source: `ConfigMap ${file.configMap} key ${file.key} [${setting.group}]`,
        path: at.path,
      })),
    );
  }
  // the command line comes after every option file, so its options win
  settings.push(...imageEnvSettings(at));
  for (const field of ['command', 'args'] as const) {
    const words: unknown[] = Array.isArray(at.container[field]) ? at.container[field] : [];
    words.forEach((word, position) => settings.push(...flagSettings(String(word), `the container ${field}`, `${at.path}.${field}[${position}]`)));
  }
  return { engine, settings, unseenIncludes };
}

interface Effective {
  readonly value: string | undefined;
  readonly setting: OptionSetting;
  readonly position: number;
}

/** The value the server ends up with: the last setting wins; `skip-`/`disable-` turn a boolean off and `enable-` on. */
function effectiveOption(options: ServerOptions, name: string): Effective | undefined {
  for (let position = options.settings.length - 1; position >= 0; position--) {
    const setting = options.settings[position];
    if (setting.name === name) {
      return { value: setting.value, setting, position };
    }
    if (setting.name === `skip_${name}` || setting.name === `disable_${name}`) {
      return { value: 'OFF', setting, position };
    }
    if (setting.name === `enable_${name}`) {
      return { value: 'ON', setting, position };
    }
  }
  return undefined;
}

/** A bare boolean option is ON. */
function isOn(value: string | undefined): boolean {
  return value === undefined || /^(on|true|1)$/i.test(value);
}

function isOff(value: string | undefined): boolean {
  return value !== undefined && /^(off|false|0)$/i.test(value);
}

/** Says which unseen include, read after the deciding setting, could still change it. */
function unseenAfter(options: ServerOptions, found: Effective): string {
  const later = options.unseenIncludes.filter((include) => include.after > found.position).map((include) => include.directive);
  return later.length === 0 ? '' : ` (${later.join(' and ')}, read after it, names a file the checked objects do not hold, which may set it again)`;
}

function valueText(value: string | undefined): string {
  return value ?? '(no value)';
}

interface MysqlWorkload {
  readonly template: PodTemplate;
  readonly servers: ContainerAt[];
}

function mysqlWorkload(object: KubeObject): MysqlWorkload | undefined {
  const template = podTemplateOf(object);
  const servers = template ? serverContainers(template) : [];
  return template && servers.length > 0 ? { template, servers } : undefined;
}

const NO_SERVER = 'no MySQL-family server container';

/** How a set of servers decides by majority, with the evidence for it; undefined for asynchronous replication. */
interface Voting {
  readonly mechanism: string;
  readonly evidence: string;
}

function galeraEvidence(object: KubeObject, at: ContainerAt, options: ServerOptions): string | undefined {
  const wsrepOn = effectiveOption(options, 'wsrep_on');
  if (wsrepOn) {
    // MariaDB's wsrep_on defaults to OFF: wsrep_cluster_address without it replicates nothing
    return isOn(wsrepOn.value) ? `wsrep_on=${valueText(wsrepOn.value)} in ${wsrepOn.setting.source}` : undefined;
  }
  const image = imageOf(at.container);
  if (/galera|xtradb-cluster/.test(image)) {
    return `the image ${image}`;
  }
  const env: any[] = Array.isArray(at.container.env) ? at.container.env : [];
  const bitnamiGalera = env.find((variable) => String(variable?.name).startsWith('MARIADB_GALERA_'));
  if (bitnamiGalera) {
    return `the ${bitnamiGalera.name} variable`;
  }
  const engine = annotation(object, BlueprintKeys.ENGINE);
  return engine?.startsWith('mariadb') ? `${BlueprintKeys.ENGINE}: ${engine}` : undefined;
}

function groupReplicationEvidence(object: KubeObject, options: ServerOptions): string | undefined {
  const setting = options.settings.find(
    (candidate) =>
      candidate.name.startsWith('group_replication_') ||
      (['plugin_load', 'plugin_load_add'].includes(candidate.name) && /group_replication/.test(candidate.value ?? '')),
  );
  if (setting) {
    return `${setting.name}${setting.value === undefined ? '' : `=${setting.value}`} in ${setting.source}`;
  }
  const engine = annotation(object, BlueprintKeys.ENGINE);
  return engine?.startsWith('mysql') ? `${BlueprintKeys.ENGINE}: ${engine}` : undefined;
}

function votingOf(object: KubeObject, workload: MysqlWorkload, index: ManifestIndexReader): Voting | undefined {
  for (const at of workload.servers) {
    const options = serverOptions(object, workload.template, at, index);
    const galera = galeraEvidence(object, at, options);
    if (galera) {
      return { mechanism: 'Galera cluster', evidence: galera };
    }
    const group = groupReplicationEvidence(object, options);
    if (group) {
      return { mechanism: 'Group Replication group', evidence: group };
    }
  }
  return annotation(object, BlueprintKeys.CONSENSUS) === 'majority'
    ? { mechanism: 'majority-voting set', evidence: `${BlueprintKeys.CONSENSUS}: majority` }
    : undefined;
}

function members(count: number): string {
  return `${count} member${count === 1 ? '' : 's'}`;
}

export const MYSQL_EVEN_MEMBERS: Rule = {
  id: 'mysql-even-members',
  title: 'A Galera cluster or Group Replication group has an odd number of members, at least 3',
  severity: Severity.ERROR,
  targets: ['StatefulSet'],
  rationale:
    'Galera and Group Replication keep accepting writes only on the side of a partition that holds a majority of the members: with ' +
    'an even number a split in half leaves no side a majority and the whole cluster stops, and with fewer than 3 the loss of one ' +
    'member does. The set is recognised by wsrep_on or group_replication options in its mounted option files or command line, a ' +
    'Galera image or variable, or the engine and consensus annotations; a set annotated with a consensus and a quorum is left to ' +
    'quorum-is-majority. Replicas unset count as 1, as the API defaults them; a Galera arbitrator (garbd) outside the manifests is not ' +
    'seen, so a pair with one needs a suppression that says so.',
  fix: 'Run 3, 5 or 7 members (MysqlReplication: members).',
  enabledByDefault: true,
  check(object, index): RuleOutcome {
    const workload = mysqlWorkload(object);
    if (!workload) {
      return notApplicable(NO_SERVER);
    }
    if (annotation(object, BlueprintKeys.QUORUM) !== undefined && annotation(object, BlueprintKeys.CONSENSUS) === 'majority') {
      return notApplicable(`annotated ${BlueprintKeys.CONSENSUS}: majority with a ${BlueprintKeys.QUORUM}: quorum-is-majority judges its size`);
    }
    const voting = votingOf(object, workload, index);
    if (!voting) {
      return notApplicable('no Galera, Group Replication or consensus annotation: asynchronous replicas do not vote');
    }
    const count = replicasOf(object);
    if (count >= 3 && count % 2 === 1) {
      return [];
    }
    const size = object.spec?.replicas === undefined ? `${members(count)} (replicas unset, the API default)` : members(count);
    const why =
      count < 3 ? 'with fewer than 3 the loss of one member leaves no majority' : `a ${count / 2}-${count / 2} split leaves neither side a majority`;
    return [violation('spec.replicas', `${size} of a ${voting.mechanism} (${voting.evidence}): ${why}; allowed: an odd number, at least 3`)];
  },
};

/** Values of innodb_flush_log_at_trx_commit that flush the redo log at every commit; MariaDB's 3 also flushes at prepare. */
const DURABLE_FLUSH: Record<Engine, readonly string[]> = { mysql: ['1'], mariadb: ['1', '3'] };

export const MYSQL_DURABILITY_BELOW_DATA_CLASS: Rule = {
  id: 'mysql-durability-below-data-class',
  title: 'A MySQL-family system of record flushes its binary log and redo log at every commit',
  severity: Severity.ERROR,
  targets: ['StatefulSet', 'Deployment'],
  rationale:
    'With sync_binlog other than 1 the binary log that replicas and point-in-time recovery read is not on disk when a commit is ' +
    'acknowledged, and with innodb_flush_log_at_trx_commit 0 or 2 the redo log is flushed about once a second: a crash of the node ' +
    'loses commits the application was told are safe (bitnami/mariadb-galera ships sync_binlog=0 and innodb_flush_log_at_trx_commit=2). ' +
    `A database not annotated ${DATA_CLASS_CACHE} counts as a system of record, since relaxed durability must be a declared choice. ` +
    'Options are read as the server reads them: the mounted option files in path order (dashes and underscores alike, loose- ' +
    'prefixes, the last value winning, only the groups the server reads), then the command line and the variables the Bitnami ' +
    'images turn into options. An unset sync_binlog is judged only on MariaDB with the binary log on, where it defaults to 0. ' +
    'Files the checked objects do not hold (an !include of an emptyDir path, SET PERSIST) are not judged; a finding names the ' +
    'ones read after the value it reports.',
  fix:
    'Set sync_binlog=1 and innodb_flush_log_at_trx_commit=1 in the [mysqld] group and on no later line or flag (MysqlReplication ' +
    `sets both for a system of record); annotate a database whose data can be rebuilt ${DATA_CLASS_CACHE} (MysqlReplication: dataClass).`,
  enabledByDefault: true,
  check(object, index): RuleOutcome {
    const workload = mysqlWorkload(object);
    if (!workload) {
      return notApplicable(NO_SERVER);
    }
    const dataClass = annotation(object, BlueprintKeys.DATA_CLASS);
    if (dataClass === 'cache') {
      return notApplicable(`annotated ${DATA_CLASS_CACHE}`);
    }
    const allowedFor = dataClass === undefined ? ` (a database not annotated ${DATA_CLASS_CACHE} is a system of record)` : '';
    return workload.servers.flatMap((at) => {
      const options = serverOptions(object, workload.template, at, index);
      const found: Violation[] = [];
      const sync = effectiveOption(options, 'sync_binlog');
      const binlog = effectiveOption(options, 'log_bin');
      if (sync && Number(sync.value) !== 1) {
        found.push(
          violation(
            sync.setting.path,
            `sync_binlog is ${valueText(sync.value)} in ${sync.setting.source}${unseenAfter(options, sync)}: a crash can lose acknowledged ` +
              `commits from the binary log that replicas and point-in-time recovery read; allowed: 1${allowedFor}`,
          ),
        );
      } else if (!sync && options.engine === 'mariadb' && binlog && !isOff(binlog.value)) {
        found.push(
          violation(
            at.path,
            `sync_binlog is unset, so MariaDB's default 0 applies to the binary log that log_bin in ${binlog.setting.source} turns on: ` +
              `a crash can lose acknowledged commits from it; allowed: 1${allowedFor}`,
          ),
        );
      }
      const flush = effectiveOption(options, 'innodb_flush_log_at_trx_commit');
      const durable = DURABLE_FLUSH[options.engine];
      if (flush && !durable.includes(String(Number(flush.value)))) {
        found.push(
          violation(
            flush.setting.path,
            `innodb_flush_log_at_trx_commit is ${valueText(flush.value)} in ${flush.setting.source}${unseenAfter(options, flush)}: InnoDB ` +
              `flushes its redo log about once a second, so a crash can lose the last second of acknowledged commits; allowed: ` +
              `${durable.join(' or ')}${allowedFor}`,
          ),
        );
      }
      return found;
    });
  },
};

/** An address that names no peer: the server forms a new cluster of its own instead of joining one. */
function isEmptyGcomm(value: string | undefined): boolean {
  return value !== undefined && /^gcomm:\/\/(\?.*)?$/i.test(value.trim());
}

/** How bitnami/mariadb-galera reads a yes: its is_boolean_yes accepts 1, yes and true. */
const BITNAMI_YES = /^(1|yes|true)$/i;

/** MARIADB_GALERA_CLUSTER_BOOTSTRAP set to yes in the environment, or exported by the command (galera.bootstrap.forceBootstrap). */
function bitnamiForcedBootstrap(at: ContainerAt, count: number): Violation[] {
  if (!isBitnami(imageOf(at.container))) {
    return [];
  }
  const env: any[] = Array.isArray(at.container.env) ? at.container.env : [];
  const found = env.flatMap((variable, position) =>
    variable?.name === 'MARIADB_GALERA_CLUSTER_BOOTSTRAP' && typeof variable.value === 'string' && BITNAMI_YES.test(variable.value)
      ? [
          violation(
            `${at.path}.env[${position}]`,
            `MARIADB_GALERA_CLUSTER_BOOTSTRAP is ${JSON.stringify(variable.value)}: each of the ${members(count)} restarting with its data ` +
              'bootstraps a new Galera cluster instead of joining the running one; allowed: unset, or set for one recovery and then removed',
          ),
        ]
      : [],
  );
  for (const field of ['command', 'args'] as const) {
    const words: unknown[] = Array.isArray(at.container[field]) ? at.container[field] : [];
    words.forEach((word, position) => {
      if (/\bMARIADB_GALERA_CLUSTER_BOOTSTRAP=["']?(1|yes|true)\b/i.test(String(word))) {
        found.push(
          violation(
            `${at.path}.${field}[${position}]`,
            `the container ${field} sets MARIADB_GALERA_CLUSTER_BOOTSTRAP=yes (the bitnami chart's galera.bootstrap.forceBootstrap left on): ` +
              'every restart of the pod it picks bootstraps a new Galera cluster instead of joining the running one; allowed: only for ' +
              'one recovery, then removed',
          ),
        );
      }
    });
  }
  return found;
}

export const MYSQL_BOOTSTRAP_FLAG_PERSISTED: Rule = {
  id: 'mysql-bootstrap-flag-persisted',
  title: 'No member of a MySQL-family cluster bootstraps a new cluster from static configuration',
  severity: Severity.ERROR,
  targets: ['StatefulSet'],
  rationale:
    'group_replication_bootstrap_group=ON in an option file, --wsrep-new-cluster or an empty wsrep_cluster_address=gcomm:// make a ' +
    'server start a new cluster of its own, so every restart of that pod (a crash, an eviction, a node drain) creates a second group ' +
    'or primary component beside the running one: two sides accept writes that never meet. The MySQL manual and mariadbd --help ' +
    "warn against both; bitnami/mariadb-galera's MARIADB_GALERA_CLUSTER_BOOTSTRAP=yes, set statically or by the chart's " +
    'forceBootstrap, does the same. A decision a start script takes at run time is not judged.',
  fix:
    'Keep group_replication_bootstrap_group, wsrep-new-cluster and peerless gcomm:// addresses out of option files, args and ' +
    'environment; bootstrap once, by hand or from a start script that first looks for a running cluster (MysqlReplication does).',
  enabledByDefault: true,
  check(object, index): RuleOutcome {
    const workload = mysqlWorkload(object);
    if (!workload) {
      return notApplicable(NO_SERVER);
    }
    const count = replicasOf(object);
    if (count < 2) {
      return notApplicable(`${members(count)}: a lone server forms its own cluster on every start by design`);
    }
    return workload.servers.flatMap((at) => {
      const options = serverOptions(object, workload.template, at, index);
      const found: Violation[] = [];
      const restarts = 'every restart of a member bootstraps';
      const group = effectiveOption(options, 'group_replication_bootstrap_group');
      if (group && isOn(group.value)) {
        found.push(
          violation(
            group.setting.path,
            `group_replication_bootstrap_group is ${valueText(group.value)} in ${group.setting.source}: ${restarts} a second group of the ` +
              'same name beside the running one; allowed: OFF, and ON only in the SET GLOBAL that starts a new group once',
          ),
        );
      }
      const newCluster = effectiveOption(options, 'wsrep_new_cluster');
      if (newCluster && isOn(newCluster.value)) {
        found.push(
          violation(
            newCluster.setting.path,
            `wsrep-new-cluster in ${newCluster.setting.source}: ${restarts} a new Galera cluster beside the running one; allowed: only ` +
              'on the command line of the one start that creates the cluster',
          ),
        );
      }
      const address = effectiveOption(options, 'wsrep_cluster_address');
      if (address && isEmptyGcomm(address.value) && galeraEvidence(object, at, options) !== undefined) {
        found.push(
          violation(
            address.setting.path,
            `wsrep_cluster_address is ${address.value} (no peer) in ${address.setting.source}: ${restarts} a new Galera cluster instead ` +
              'of joining its peers; allowed: gcomm:// followed by the addresses of the members',
          ),
        );
      }
      return [...found, ...bitnamiForcedBootstrap(at, count)];
    });
  },
};

interface MysqlSet {
  readonly set: KubeObject;
  readonly workload: MysqlWorkload;
}

/** Pods bitnami/mysql or bitnami/mariadb start as read-only replicas of a fixed primary: the images never promote them. */
function startsAsReadOnlyReplicas(candidate: MysqlSet): boolean {
  return candidate.workload.servers.every(
    ({ container }) =>
      isBitnami(imageOf(container)) &&
      (Array.isArray(container.env) ? container.env : []).some(
        (variable: any) => /^(MYSQL|MARIADB)_REPLICATION_MODE$/.test(String(variable?.name)) && variable.value === 'slave',
      ),
  );
}

/** The port numbers and names a Service port may target to reach a server: its `mysql` ports and the port it listens on. */
function mysqlPortsOf(candidate: MysqlSet, index: ManifestIndexReader): { numbers: Set<number>; names: Set<string> } {
  const numbers = new Set<number>();
  const names = new Set<string>();
  for (const at of candidate.workload.servers) {
    const listening = effectiveOption(serverOptions(candidate.set, candidate.workload.template, at, index), 'port');
    numbers.add(listening && /^\d+$/.test(listening.value ?? '') ? Number(listening.value) : DEFAULT_PORT);
    const ports = containerPorts(at.container);
    ports.filter((port) => port?.name === 'mysql').forEach((port) => numbers.add(port.containerPort));
    ports.filter((port) => numbers.has(port?.containerPort) && typeof port?.name === 'string').forEach((port) => names.add(port.name));
  }
  return { numbers, names };
}

function reachesMysql(port: any, sets: readonly MysqlSet[], index: ManifestIndexReader): boolean {
  const target = port?.targetPort ?? port?.port;
  return sets.some((candidate) => {
    const { numbers, names } = mysqlPortsOf(candidate, index);
    return typeof target === 'number' || /^\d+$/.test(String(target)) ? numbers.has(Number(target)) : names.has(String(target));
  });
}

function namesOf(sets: readonly MysqlSet[]): string {
  const names = sets.map(({ set }) => set.metadata?.name);
  return `StatefulSet${names.length === 1 ? '' : 's'} ${names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`}`;
}

export const MYSQL_WRITER_SERVICE_BALANCES_MEMBERS: Rule = {
  id: 'mysql-writer-service-balances-members',
  title: 'No Service balances MySQL connections over several members of a cluster',
  severity: Severity.ERROR,
  targets: ['Service'],
  rationale:
    'A ClusterIP, NodePort or LoadBalancer Service spreads connections over every pod it selects. Over the members of an ' +
    'asynchronous or Group Replication set it sends writes to replicas, which refuse them (read_only) or, left writable, take ' +
    'errant transactions; over a Galera cluster it makes every member a writer, so concurrent writes to the same rows fail ' +
    'certification and surface as deadlocks (the bitnami/mariadb-galera client Service does this). Headless Services, Services ' +
    `annotated ${BlueprintKeys.ROLE}: reader and Services over bitnami replicas started read-only are read endpoints.`,
  fix:
    'Send writes through a single-writer endpoint: MySQL Router or an HAProxy that sends to one member at a time (MysqlReplication: ' +
    `the <name>-router or <name>-proxy Service, port mysql-rw); annotate a Service meant for reads ${BlueprintKeys.ROLE}: reader.`,
  enabledByDefault: true,
  check(object, index): RuleOutcome {
    if (object.spec?.type === 'ExternalName') {
      return notApplicable('an ExternalName Service selects no pods');
    }
    if (object.spec?.clusterIP === 'None') {
      return notApplicable('a headless Service balances nothing: its clients resolve each pod');
    }
    const selector = object.spec?.selector;
    if (!isRecord(selector) || Object.keys(selector).length === 0) {
      return notApplicable('no selector: the endpoints are managed outside the Service');
    }
    const sets: MysqlSet[] = index
      .podsMatching(object.metadata?.namespace, { matchLabels: selector })
      .filter((candidate) => candidate.kind === 'StatefulSet')
      .flatMap((set) => {
        const workload = mysqlWorkload(set);
        return workload ? [{ set, workload }] : [];
      });
    if (sets.length === 0) {
      return notApplicable('selects no MySQL-family StatefulSet among the checked objects');
    }
    if (annotation(object, BlueprintKeys.ROLE) === 'reader') {
      return notApplicable(`annotated ${BlueprintKeys.ROLE}: reader: a read endpoint`);
    }
    if (sets.every(startsAsReadOnlyReplicas)) {
      return notApplicable(`selects only replicas the image starts read-only (${namesOf(sets)}, REPLICATION_MODE slave): a read endpoint`);
    }
    const count = sets.reduce((sum, { set }) => sum + replicasOf(set), 0);
    if (count < 2) {
      return [];
    }
    const galera = sets.some(({ set, workload }) =>
      workload.servers.some((at) => galeraEvidence(set, at, serverOptions(set, workload.template, at, index)) !== undefined),
    );
    const consequence = galera
      ? 'each of which accepts writes, so concurrent writes to the same rows fail certification and surface as deadlocks'
      : 'of which only the primary accepts writes: the others refuse them (read_only) or, left writable, take errant transactions';
    const ports: any[] = Array.isArray(object.spec?.ports) ? object.spec.ports : [];
    return ports.flatMap((port, position) =>
      reachesMysql(port, sets, index)
        ? [
            violation(
              `spec.ports[${position}]`,
              `port ${port.port} balances connections over the ${members(count)} of ${namesOf(sets)}, ${consequence}; allowed: a ` +
                `single-writer endpoint in front of them, or ${BlueprintKeys.ROLE}: reader on a Service meant for reads`,
            ),
          ]
        : [],
    );
  },
};

export const MYSQL_RULES: readonly Rule[] = [
  MYSQL_EVEN_MEMBERS,
  MYSQL_DURABILITY_BELOW_DATA_CLASS,
  MYSQL_BOOTSTRAP_FLAG_PERSISTED,
  MYSQL_WRITER_SERVICE_BALANCES_MEMBERS,
];
