import { BlueprintKeys } from '../../core/labels';
import { KubeObject, ManifestIndexReader, notApplicable, Rule, RuleOutcome, Severity, Violation } from '../../checks/model';
import {
  annotation,
  CommandWord,
  commandWordsOf,
  ConfigMapFile,
  ContainerAt,
  containerEnvironment,
  ContainerEnvironment,
  containersOf,
  mountedConfigMapFiles,
  podIpVariables,
  referencedVariables,
  violation,
} from '../../checks/pod-helpers';
import { PodTemplate, podTemplateOf } from '../../checks/selectors';
import { replicasOf } from '../../checks/rules/workload-facts';

/**
 * Kafka server images, by the last part of the repository name: apache/kafka and apache/kafka-native, bitnami/kafka,
 * confluentinc/cp-kafka and cp-server, quay.io/strimzi/kafka. Exporters, UIs, Connect, REST and bridge images have
 * other names (kafka-exporter, kafka-ui, cp-kafka-connect, kafka-bridge).
 */
const SERVER_IMAGE = /(?:^|\/)(?:kafka|kafka-native|cp-kafka|cp-server|cp-enterprise-kafka)(?::|@|$)/;

/** Commands that run something else than a broker or controller with a server image: Connect and MirrorMaker. */
const NOT_A_SERVER_COMMAND = /connect-distributed|connect-standalone|kafka_connect_run|mirror-?maker/;

/** The id apache/kafka formats storage with when CLUSTER_ID is unset (docker/resources/common-scripts/configureDefaults). */
export const APACHE_KAFKA_DEFAULT_CLUSTER_ID = '5L6g3nShT-eMCtK--X86sw';

/** Variables KafkaDockerWrapper (apache/kafka) and the cp-kafka template do not turn into server properties. */
const NOT_PROPERTIES = new Set([
  'KAFKA_VERSION',
  'KAFKA_OPTS',
  'KAFKA_HEAP_OPTS',
  'KAFKA_JMX_OPTS',
  'KAFKA_JMX_HOSTNAME',
  'KAFKA_JVM_PERFORMANCE_OPTS',
  'KAFKA_GC_LOG_OPTS',
  'KAFKA_LOG4J_OPTS',
  'KAFKA_LOG4J_LOGGERS',
  'KAFKA_LOG4J_ROOT_LOGLEVEL',
  'KAFKA_TOOLS_LOG4J_LOGLEVEL',
]);

/** Files a Kafka server does not read as its configuration: logging, clients, JAAS, Connect. */
const NOT_SERVER_FILE = /^(?:.*log4j.*|client|producer|consumer|admin|jaas|zookeeper|connect-.*)\.properties$/i;

const DATA_CLASS_CACHE = `${BlueprintKeys.DATA_CLASS}: cache`;
const SYSTEM_OF_RECORD_BY_DEFAULT = `(a cluster not annotated ${DATA_CLASS_CACHE} is a system of record)`;
const NO_SERVER = 'no Kafka broker or controller container';

/** Whose conventions turn the environment into server properties. */
type Flavour = 'apache' | 'confluent' | 'bitnami' | 'other';

function imageOf(container: any): string {
  return String(container?.image ?? '').toLowerCase();
}

function flavourOf(image: string): Flavour {
  if (/(?:^|\/)apache\/kafka(?:-native)?(?::|@|$)/.test(image)) {
    return 'apache';
  }
  if (/(?:^|\/)bitnami(?:legacy)?\/kafka(?::|@|$)/.test(image)) {
    return 'bitnami';
  }
  return /(?:^|\/)confluentinc\/cp-(?:kafka|server|enterprise-kafka)(?::|@|$)/.test(image) ? 'confluent' : 'other';
}

/** The image's own start command, which maps the environment to properties (and, for apache/kafka, formats storage). */
const IMAGE_LAUNCHER: Record<Flavour, RegExp | undefined> = {
  apache: /\/etc\/kafka\/docker\/run\b/,
  confluent: /\/etc\/confluent\/docker\/run\b/,
  bitnami: /\/opt\/bitnami\/scripts\/kafka\/(?:entrypoint|run|setup)\.sh/,
  other: undefined,
};

function tokensOf(words: readonly CommandWord[]): Set<string> {
  return new Set(words.flatMap((word) => word.text.split(/[\s"'`;&|()<>=]+/).filter((token) => token !== '')));
}

/** The containers of a pod template that run a Kafka broker or controller. */
function serverContainers(template: PodTemplate): ContainerAt[] {
  return containersOf(template).filter(
    (at) =>
      !at.init &&
      SERVER_IMAGE.test(imageOf(at.container)) &&
      !NOT_A_SERVER_COMMAND.test(
        commandWordsOf(at)
          .map((word) => word.text)
          .join(' '),
      ),
  );
}

/** A mounted ConfigMap file, and the init container that copies it where the server reads it, if one does. */
interface MountedFile extends ConfigMapFile {
  /** The init container that mounts it, when the server sees a copy it makes. */
  readonly copiedBy?: string;
}

function fileName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Files of init containers that write into a volume the server mounts too (the bitnami chart's prepare-config). */
function copiedFiles(object: KubeObject, template: PodTemplate, at: ContainerAt, index: ManifestIndexReader): MountedFile[] {
  const volumes: any[] = Array.isArray(template.spec.volumes) ? template.spec.volumes : [];
  const scratch = new Set(
    (Array.isArray(at.container.volumeMounts) ? at.container.volumeMounts : [])
      .map((mount: any) => mount?.name)
      .filter((name: unknown) => volumes.some((volume) => volume?.name === name && volume?.emptyDir !== undefined)),
  );
  return containersOf(template)
    .filter(({ init, container }) => init && (container?.volumeMounts ?? []).some((mount: any) => scratch.has(mount?.name)))
    .flatMap(({ container }) =>
      mountedConfigMapFiles(object, template, container, index).map((file) => ({ ...file, copiedBy: String(container.name) })),
    );
}

function fileSource(file: MountedFile): string {
  return `ConfigMap ${file.configMap} key ${file.key}${file.copiedBy ? ` (copied by init container ${file.copiedBy})` : ''}`;
}

/** Whether the command line names the file: its path, its file name, or its name without `.properties` (`start-kafka.sh broker`). */
function names(tokens: ReadonlySet<string>, file: MountedFile): boolean {
  const name = fileName(file.path);
  return tokens.has(file.path) || tokens.has(name) || tokens.has(name.replace(/\.properties$/, ''));
}

/**
 * The server configuration files among `files`: the ones the command line names, else `server.properties`, else the
 * only one, else the one named after the role annotation; several others leave it unknown.
 */
function serverFiles(object: KubeObject, files: readonly MountedFile[], tokens: ReadonlySet<string>): MountedFile[] | { ambiguous: string } {
  const candidates = files.filter((file) => file.path.endsWith('.properties') && !NOT_SERVER_FILE.test(fileName(file.path)));
  const named = candidates.filter((file) => names(tokens, file));
  if (named.length > 0) {
    return named;
  }
  const server = candidates.filter((file) => fileName(file.path) === 'server.properties');
  if (server.length > 0 || candidates.length <= 1) {
    return server.length > 0 ? server : candidates;
  }
  const role = annotation(object, BlueprintKeys.ROLE);
  const forRole = candidates.filter((file) => fileName(file.path) === `${role}.properties`);
  return forRole.length > 0
    ? forRole
    : { ambiguous: `several configuration files (${candidates.map((file) => file.path).join(', ')}) and no command naming one` };
}

/** One property as the server reads it, and where it was set. */
interface Setting {
  readonly key: string;
  readonly value: string;
  /** For messages, e.g. `ConfigMap events-kafka-config key broker.properties`. */
  readonly source: string;
  /** JSON path of the field that sets it. */
  readonly path: string;
}

function unescape(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_match, escaped: string) => {
    if (escaped.length === 5) {
      return String.fromCharCode(parseInt(escaped.slice(1), 16));
    }
    return { t: '\t', n: '\n', r: '\r', f: '\f' }[escaped] ?? escaped;
  });
}

/** Reads a file as java.util.Properties does: comments, `=`, `:` or blank separators, continuation lines and escapes. */
export function readProperties(content: string): { key: string; value: string }[] {
  const properties: { key: string; value: string }[] = [];
  let logical: string | undefined;
  for (const raw of content.split(/\r\n|\r|\n/)) {
    const line = raw.replace(/^[ \t\f]+/, '');
    if (logical === undefined && (line === '' || line.startsWith('#') || line.startsWith('!'))) {
      continue;
    }
    const continues = (/\\+$/.exec(line)?.[0].length ?? 0) % 2 === 1;
    logical = (logical ?? '') + (continues ? line.slice(0, -1) : line);
    if (continues) {
      continue;
    }
    const separator = /^((?:\\.|[^\\=:\s])*)[ \t\f]*[=:]?[ \t\f]*(.*)$/s.exec(logical);
    if (separator && separator[1] !== '') {
      properties.push({ key: unescape(separator[1]), value: unescape(separator[2]).trim() });
    }
    logical = undefined;
  }
  return properties;
}

/** The property KafkaDockerWrapper makes of a variable: strip `KAFKA_`, lower case, `___` to `-`, `__` to `_`, `_` to `.`. */
export function apacheKafkaProperty(name: string): string | undefined {
  if (!name.startsWith('KAFKA_') || NOT_PROPERTIES.has(name)) {
    return undefined;
  }
  // String.replace in Scala replaces every occurrence, as the global flag does here
  return name
    .replace(/KAFKA_/g, '')
    .toLowerCase()
    .replace(/_/g, '.')
    .replace(/\.\.\./g, '-')
    .replace(/\.\./g, '_');
}

/** The property bitnami/kafka makes of a `KAFKA_CFG_` variable (libkafka.sh, kafka_configure_from_environment_variables). */
export function bitnamiKafkaProperty(name: string): string | undefined {
  if (!name.startsWith('KAFKA_CFG_')) {
    return undefined;
  }
  return name
    .slice('KAFKA_CFG_'.length)
    .replace(/_/g, '.')
    .toLowerCase()
    .replace(/sasl\.ssl/g, 'sasl_ssl')
    .replace(/sasl\.plaintext/g, 'sasl_plaintext');
}

/** What one server container runs with, as far as the checked objects show it. */
interface ServerConfig {
  readonly at: ContainerAt;
  readonly flavour: Flavour;
  /** Every setting in the order the server reads them: the configuration file, the environment, then `--override`. */
  readonly settings: readonly Setting[];
  readonly environment: ContainerEnvironment;
  /** Whether the image's own start command runs, which turns variables into properties. */
  readonly launcher: boolean;
  /** The command line and the scripts it names, where a start script may set variables. */
  readonly startText: string;
  /** Why the configuration file is not known, when it is not. */
  readonly unknown?: string;
}

function serverConfig(object: KubeObject, template: PodTemplate, at: ContainerAt, index: ManifestIndexReader): ServerConfig {
  const flavour = flavourOf(imageOf(at.container));
  const words = commandWordsOf(at);
  const tokens = tokensOf(words);
  const own = mountedConfigMapFiles(object, template, at.container, index);
  const scripts = own.filter((file) => tokens.has(file.path) || tokens.has(fileName(file.path)));
  const startText = [...words.map((word) => word.text), ...scripts.map((script) => script.content)].join('\n');
  const launcher = words.length === 0 || (IMAGE_LAUNCHER[flavour]?.test(startText) ?? false);
  const found = serverFiles(object, [...copiedFiles(object, template, at, index), ...own], tokens);
  const files = Array.isArray(found) ? found : [];
  const settings: Setting[] = files.flatMap((file) =>
    readProperties(file.content).map(({ key, value }) => ({ key, value, source: fileSource(file), path: at.path })),
  );
  const environment = containerEnvironment(object, at, index);
  // bitnami/kafka skips its KAFKA_CFG_ variables when a server.properties is mounted (setup.sh, kafka_initialize)
  const mountsServerFile =
    files.some((file) => fileName(file.path) === 'server.properties') ||
    (at.container.volumeMounts ?? []).some((mount: any) => String(mount?.mountPath).endsWith('/server.properties'));
  const property =
    flavour === 'bitnami' ? (mountsServerFile ? undefined : bitnamiKafkaProperty) : flavour === 'other' ? undefined : apacheKafkaProperty;
  if (launcher && property) {
    for (const variable of environment.variables) {
      const key = property(variable.name);
      if (key !== undefined && variable.value !== undefined) {
        settings.push({ key, value: variable.value.trim(), source: variable.source, path: variable.path });
      }
    }
  }
  // kafka-server-start.sh applies --override key=value over its file: as its own argument, or inside a shell command
  words.forEach((word, position) => {
    const next = words[position + 1];
    const whole = word.text === '--override' && next?.field === word.field ? /^([A-Za-z0-9._-]+)=(.*)$/s.exec(next.text) : null;
    if (whole && next) {
      settings.push({ key: whole[1], value: whole[2].trim(), source: `--override in the container ${word.field}`, path: next.path });
      return;
    }
    for (const match of word.text.matchAll(/--override[\s=]+["']?([A-Za-z0-9._-]+)=("[^"]*"|'[^']*'|(?:\$\([^)]*\)|[^\s"';])*)/g)) {
      settings.push({
        key: match[1],
        value: match[2].replace(/^["']|["']$/g, ''),
        source: `--override in the container ${word.field}`,
        path: word.path,
      });
    }
  });
  const unknown = Array.isArray(found)
    ? settings.length === 0
      ? 'no server configuration among the checked objects (no mounted .properties file, variable or --override sets one)'
      : undefined
    : found.ambiguous;
  return { at, flavour, settings, environment, launcher, startText, unknown };
}

function effective(config: ServerConfig, key: string): Setting | undefined {
  return config.settings.filter((setting) => setting.key === key).at(-1);
}

interface KafkaWorkload {
  readonly configs: readonly ServerConfig[];
}

function kafkaWorkload(object: KubeObject, index: ManifestIndexReader): KafkaWorkload | undefined {
  const template = podTemplateOf(object);
  const servers = template ? serverContainers(template) : [];
  return template && servers.length > 0 ? { configs: servers.map((at) => serverConfig(object, template, at, index)) } : undefined;
}

/** The outcome over every server container: its violations, or why it was not judged when none was. */
function judgeEach(configs: readonly ServerConfig[], judgeOne: (config: ServerConfig) => Violation[] | string): RuleOutcome {
  const outcomes = configs.map(judgeOne);
  const judged = outcomes.filter((outcome): outcome is Violation[] => Array.isArray(outcome));
  return judged.length > 0 ? judged.flat() : notApplicable(outcomes[0] as string);
}

interface Roles {
  readonly roles: readonly string[];
  readonly setting?: Setting;
}

/** `process.roles`; without it, the role annotation, else a broker (the ZooKeeper-era default). */
function rolesOf(object: KubeObject, config: ServerConfig): Roles {
  const setting = effective(config, 'process.roles');
  if (setting) {
    return { roles: setting.value.split(',').map((role) => role.trim().toLowerCase()), setting };
  }
  const role = annotation(object, BlueprintKeys.ROLE);
  return { roles: role === 'controller' ? ['controller'] : ['broker'] };
}

function stated(setting: Setting): string {
  return `${setting.key} is ${setting.value} in ${setting.source}`;
}

interface Threshold {
  readonly key: string;
  readonly kafkaDefault: number;
  readonly min: number;
  /** What a value below the minimum does. */
  readonly consequence: (value: number) => string;
}

function copies(count: number): string {
  return `${count} cop${count === 1 ? 'y' : 'ies'}`;
}

const BROKER_THRESHOLDS: readonly Threshold[] = [
  {
    key: 'default.replication.factor',
    kafkaDefault: 1,
    min: 3,
    consequence: (value) =>
      `a topic created without a replication factor keeps ${copies(value)}, so losing ${value} volume${value === 1 ? '' : 's'} loses its data`,
  },
  {
    key: 'min.insync.replicas',
    kafkaDefault: 1,
    min: 2,
    consequence: () => 'an acks=all write is acknowledged when only the leader has it, and lost when the leader fails before a follower copies it',
  },
  {
    key: 'offsets.topic.replication.factor',
    kafkaDefault: 3,
    min: 3,
    consequence: (value) => `the committed offsets of every consumer group (__consumer_offsets) keep ${copies(value)}`,
  },
  {
    key: 'transaction.state.log.replication.factor',
    kafkaDefault: 3,
    min: 3,
    consequence: (value) => `the transaction log (__transaction_state) keeps ${copies(value)}`,
  },
  {
    key: 'transaction.state.log.min.isr',
    kafkaDefault: 2,
    min: 2,
    consequence: () => 'a transaction is committed when only one replica of the transaction log has its commit marker',
  },
];

const CONTROLLER_THRESHOLD: Threshold = {
  ...BROKER_THRESHOLDS[0],
  consequence: (value) =>
    'in KRaft the controllers give it to every topic created without a replication factor (kafka-topics.sh --create, the admin ' +
    `client), which then keeps ${copies(value)}`,
};

/** The integer value of a property with its Kafka default; undefined when it does not parse (Kafka then refuses to start). */
function intValue(config: ServerConfig, key: string, kafkaDefault: number): { value: number; setting?: Setting } | undefined {
  const setting = effective(config, key);
  if (!setting) {
    return { value: kafkaDefault };
  }
  return /^-?\d+$/.test(setting.value) ? { value: Number(setting.value), setting } : undefined;
}

function belowThreshold(config: ServerConfig, threshold: Threshold, allowedFor: string): Violation[] {
  const found = intValue(config, threshold.key, threshold.kafkaDefault);
  if (!found || found.value >= threshold.min) {
    return [];
  }
  const what = found.setting ? stated(found.setting) : `${threshold.key} is unset, so Kafka's default ${threshold.kafkaDefault} applies`;
  return [
    violation(
      found.setting?.path ?? config.at.path,
      `${what}: ${threshold.consequence(found.value)}; allowed: ${threshold.min} or more${allowedFor}`,
    ),
  ];
}

function valueAndWhere(key: string, found: { value: number; setting?: Setting }): string {
  return found.setting ? `${key} ${found.value} (in ${found.setting.source})` : `${key} ${found.value} (unset, Kafka's default)`;
}

/** min.insync.replicas at or above default.replication.factor: acks=all writes fail as soon as one replica is down. */
function minIsrNotBelowReplicas(config: ServerConfig): Violation[] {
  const replicas = intValue(config, 'default.replication.factor', 1);
  const minIsr = intValue(config, 'min.insync.replicas', 1);
  if (!replicas || !minIsr || minIsr.value < replicas.value || (minIsr.value === replicas.value && replicas.value < 2)) {
    return [];
  }
  const consequence =
    minIsr.value > replicas.value
      ? 'every acks=all write to a topic created with the default fails with NotEnoughReplicas, even with every replica up'
      : 'every acks=all write to a topic created with the default fails with NotEnoughReplicas while one replica is down (a restart, a drain)';
  return [
    violation(
      (minIsr.setting ?? replicas.setting)?.path ?? config.at.path,
      `${valueAndWhere('min.insync.replicas', minIsr)} is not below ${valueAndWhere('default.replication.factor', replicas)}: ` +
        `${consequence}; allowed: min.insync.replicas at most default.replication.factor - 1`,
    ),
  ];
}

export const KAFKA_DURABILITY_BELOW_DATA_CLASS: Rule = {
  id: 'kafka-durability-below-data-class',
  title: 'A Kafka system of record keeps 3 copies of its data and acknowledges writes 2 of them hold',
  severity: Severity.ERROR,
  targets: ['StatefulSet'],
  rationale:
    "Kafka's defaults are one copy of a topic (default.replication.factor 1) and acks=all writes acknowledged by the leader alone " +
    '(min.insync.replicas 1); the bitnami/kafka chart keeps them and Strimzi warns about both. With them, or with unclean leader ' +
    'election, fewer copies of the offsets and transaction logs or a transaction log min ISR of 1, one lost broker or volume loses ' +
    `acknowledged data. A cluster not annotated ${DATA_CLASS_CACHE} counts as a system of record, since relaxed durability must be a ` +
    'declared choice; whatever the data class, a min.insync.replicas not below default.replication.factor makes acks=all writes ' +
    'fail while one replica is down. In KRaft the controllers apply their own default.replication.factor to topics created ' +
    'without one, so it is judged on controllers too. Properties are read as the server reads them: the mounted .properties ' +
    "file (server.properties, or the one the command names), then the variables the image's start command turns into properties " +
    '(apache/kafka and cp-kafka: KAFKA_*; bitnami/kafka: KAFKA_CFG_*, ignored when a server.properties is mounted), then ' +
    '--override flags; the last value wins. A configuration the checked objects do not hold is not judged.',
  fix:
    'Set default.replication.factor=3, min.insync.replicas=2, unclean.leader.election.enable=false, offsets.topic.replication.factor=3, ' +
    'transaction.state.log.replication.factor=3 and transaction.state.log.min.isr=2 on brokers, and default.replication.factor=3 on ' +
    `controllers (KafkaCluster sets them); annotate a cluster whose data can be rebuilt ${DATA_CLASS_CACHE} (KafkaCluster: dataClass).`,
  enabledByDefault: true,
  check(object, index): RuleOutcome {
    const workload = kafkaWorkload(object, index);
    if (!workload) {
      return notApplicable(NO_SERVER);
    }
    const dataClass = annotation(object, BlueprintKeys.DATA_CLASS);
    const systemOfRecord = dataClass !== 'cache';
    const allowedFor = dataClass === undefined ? ` ${SYSTEM_OF_RECORD_BY_DEFAULT}` : '';
    return judgeEach(workload.configs, (config) => {
      if (config.unknown) {
        return config.unknown;
      }
      const { roles } = rolesOf(object, config);
      const broker = roles.includes('broker');
      if (!broker) {
        return systemOfRecord && roles.includes('controller') ? belowThreshold(config, CONTROLLER_THRESHOLD, allowedFor) : [];
      }
      const found = systemOfRecord ? BROKER_THRESHOLDS.flatMap((threshold) => belowThreshold(config, threshold, allowedFor)) : [];
      const unclean = effective(config, 'unclean.leader.election.enable');
      if (systemOfRecord && unclean && unclean.value.toLowerCase() === 'true') {
        found.push(
          violation(
            unclean.path,
            `${stated(unclean)}: a replica that missed acknowledged writes can become leader, and the others truncate those writes ` +
              `away to follow it; allowed: false${allowedFor}`,
          ),
        );
      }
      return [...found, ...minIsrNotBelowReplicas(config)];
    });
  },
};

function voters(count: number): string {
  return `${count} voter${count === 1 ? '' : 's'}`;
}

function quorumProblem(count: number, replicas: number): string | undefined {
  if (count % 2 === 0) {
    const losses = (count - 2) / 2;
    return (
      `a ${count / 2}-${count / 2} split leaves neither side a majority, and ${voters(count)} tolerate ${losses} loss${losses === 1 ? '' : 'es'}, ` +
      `no more than ${count - 1} ${count - 1 === 1 ? 'does' : 'do'}`
    );
  }
  return count < 3
    ? `with a StatefulSet of ${replicas} replicas, the loss of that one controller stops every metadata change (leader elections, topic ` +
        'creation, broker registration)'
    : undefined;
}

export const KAFKA_EVEN_CONTROLLER_QUORUM: Rule = {
  id: 'kafka-even-controller-quorum',
  title: 'The KRaft controller quorum has an odd number of voters, at least 3',
  severity: Severity.ERROR,
  targets: ['StatefulSet'],
  rationale:
    'The KRaft quorum elects a controller and commits metadata only with a majority of its voters: an even number tolerates no ' +
    'more losses than one fewer and can split in half, and a single voter in a cluster of several nodes stops every leader ' +
    'election and topic change when it is lost (Strimzi warns about 2 or an even number of controllers). The voters are the ' +
    'entries of controller.quorum.voters (static quorum) or, without it, the replicas of a StatefulSet whose process.roles ' +
    'includes controller (dynamic quorum, controller.quorum.bootstrap.servers); a lone single-replica node is left alone, and a ' +
    `controller StatefulSet annotated with ${BlueprintKeys.CONSENSUS} and ${BlueprintKeys.QUORUM} is left to quorum-is-majority.`,
  fix: 'Run 3 or 5 controllers and list exactly them in controller.quorum.voters (KafkaCluster: controllers).',
  enabledByDefault: true,
  check(object, index): RuleOutcome {
    const workload = kafkaWorkload(object, index);
    if (!workload) {
      return notApplicable(NO_SERVER);
    }
    const replicas = replicasOf(object);
    return judgeEach(workload.configs, (config) => {
      const list = effective(config, 'controller.quorum.voters');
      if (list) {
        const count = list.value.split(',').filter((entry) => entry.trim() !== '').length;
        const problem = count % 2 === 0 || (count < 3 && replicas > 1) ? quorumProblem(count, replicas) : undefined;
        return problem
          ? [
              violation(
                list.path,
                `controller.quorum.voters in ${list.source} lists ${voters(count)}: ${problem}; allowed: an odd number, at least 3`,
              ),
            ]
          : [];
      }
      const { roles, setting } = rolesOf(object, config);
      if (!setting || !roles.includes('controller')) {
        return 'no controller.quorum.voters and no process.roles with controller: the voters are not known';
      }
      if (annotation(object, BlueprintKeys.CONSENSUS) === 'majority' && annotation(object, BlueprintKeys.QUORUM) !== undefined) {
        return `annotated ${BlueprintKeys.CONSENSUS}: majority with a ${BlueprintKeys.QUORUM}: quorum-is-majority judges its size`;
      }
      const problem = replicas > 1 ? quorumProblem(replicas, replicas) : undefined;
      return problem
        ? [
            violation(
              'spec.replicas',
              `${replicas} controllers (${stated(setting)}, no controller.quorum.voters: every replica is a voter): ${problem}; allowed: ` +
                'an odd number, at least 3',
            ),
          ]
        : [];
    });
  },
};

export const KAFKA_DEFAULT_CLUSTER_ID: Rule = {
  id: 'kafka-default-cluster-id',
  title: "A KRaft cluster on the apache/kafka image is formatted with its own cluster id, not the image's default",
  severity: Severity.ERROR,
  targets: ['StatefulSet'],
  rationale:
    `The apache/kafka start command formats the storage with CLUSTER_ID, and when it is unset with the id ${APACHE_KAFKA_DEFAULT_CLUSTER_ID} ` +
    'hard-coded in the image (docker/resources/common-scripts/configureDefaults). Every cluster started that way has the same id, ' +
    "so nothing stops a broker or controller of one cluster from joining another's quorum or running on a volume formatted for " +
    'another cluster (a reused claim, a restored snapshot, a misrouted address): the id is the only check Kafka makes. An unset ' +
    'CLUSTER_ID is judged only when the image start command runs (no command, or one that runs /etc/kafka/docker/run) and no ' +
    'envFrom or start script can set it; the default id is judged wherever it is set.',
  fix:
    'Generate an id once per cluster with kafka-storage.sh random-uuid and set it as CLUSTER_ID on every broker and controller ' +
    '(from a Secret or ConfigMap), and keep it for the life of the cluster.',
  enabledByDefault: true,
  check(object, index): RuleOutcome {
    const workload = kafkaWorkload(object, index);
    if (!workload) {
      return notApplicable(NO_SERVER);
    }
    return judgeEach(workload.configs, (config) => {
      if (config.flavour !== 'apache') {
        return `not the apache/kafka image (${imageOf(config.at.container)}): it has no default cluster id`;
      }
      if (effective(config, 'zookeeper.connect') && !effective(config, 'process.roles')) {
        return 'a ZooKeeper-mode broker (zookeeper.connect without process.roles): it formats no KRaft storage';
      }
      const clusterId = config.environment.variables.filter((variable) => variable.name === 'CLUSTER_ID').at(-1);
      const consequence =
        "every cluster started this way shares it, so a node or volume of one can join another's quorum; allowed: the cluster's own " +
        'id from kafka-storage.sh random-uuid';
      if (clusterId) {
        return clusterId.value?.trim() === APACHE_KAFKA_DEFAULT_CLUSTER_ID
          ? [violation(clusterId.path, `CLUSTER_ID is the image's default ${APACHE_KAFKA_DEFAULT_CLUSTER_ID} in ${clusterId.source}: ${consequence}`)]
          : [];
      }
      if (!config.launcher) {
        return 'the container runs its own start command, which formats the storage: an unset CLUSTER_ID is not judged';
      }
      if (config.environment.unseen || /\bCLUSTER_ID=/.test(config.startText)) {
        return 'CLUSTER_ID may come from an envFrom the checked objects do not hold or from the start command';
      }
      return [
        violation(
          config.at.path,
          `CLUSTER_ID is unset, so the image's start command formats the storage with its default ${APACHE_KAFKA_DEFAULT_CLUSTER_ID}: ` + consequence,
        ),
      ];
    });
  },
};

export const KAFKA_COMBINED_MODE_CRITICAL: Rule = {
  id: 'kafka-combined-mode-critical',
  title: 'A CRITICAL Kafka cluster runs dedicated controllers, not combined broker and controller nodes',
  severity: Severity.WARNING,
  targets: ['StatefulSet'],
  rationale:
    'With process.roles=broker,controller every node is a broker and a voter: the controllers cannot be rolled, scaled or ' +
    "isolated apart from the brokers, and a broker's load or long restart delays the quorum. Kafka's operations guide says " +
    'combined mode is not recommended in critical deployment environments; the bitnami/kafka chart runs it by default.',
  fix:
    'Run the controllers in their own StatefulSet with process.roles=controller and the brokers in another with ' +
    'process.roles=broker (KafkaCluster does).',
  enabledByDefault: true,
  check(object, index): RuleOutcome {
    const workload = kafkaWorkload(object, index);
    if (!workload) {
      return notApplicable(NO_SERVER);
    }
    if (annotation(object, BlueprintKeys.TIER) !== 'critical') {
      return notApplicable(`not annotated ${BlueprintKeys.TIER}: critical`);
    }
    return judgeEach(workload.configs, (config) => {
      const { roles, setting } = rolesOf(object, config);
      if (!setting) {
        return 'no process.roles in the configuration the checked objects hold';
      }
      return roles.includes('broker') && roles.includes('controller')
        ? [
            violation(
              setting.path,
              `${stated(setting)} on a ${BlueprintKeys.TIER}: critical workload: combined mode is not recommended for critical ` +
                'deployments, since its controllers cannot be rolled apart from the brokers; allowed: broker or controller, in ' +
                'separate StatefulSets',
            ),
          ]
        : [];
    });
  },
};

/** Hosts of a listener list that are literal IP addresses (not the unspecified 0.0.0.0 or ::). */
function literalIps(listeners: string): string[] {
  return listeners.split(',').flatMap((listener) => {
    const host = /:\/\/(\[[^\]]*\]|[^:/]*)/.exec(listener.trim())?.[1] ?? '';
    const literal = /^\d{1,3}(?:\.\d{1,3}){3}$/.test(host) || /^\[[0-9a-f:.]+\]$/i.test(host);
    return literal && host !== '0.0.0.0' && host !== '[::]' ? [host] : [];
  });
}

export const KAFKA_ADVERTISED_POD_IP: Rule = {
  id: 'kafka-advertised-pod-ip',
  title: 'Kafka brokers advertise a stable name, not the pod IP',
  severity: Severity.ERROR,
  targets: ['StatefulSet'],
  rationale:
    'Clients bootstrap once and then connect to the addresses the brokers advertise, which they cache in their metadata. A pod ' +
    'gets a new IP when it restarts or moves, so an advertised pod IP (a variable from status.podIP, `hostname -i`, or a literal ' +
    'address) sends clients and other brokers to an address that is gone or, worse, now another pod. advertised.listeners is ' +
    'read from the mounted .properties file, the variables the image turns into properties and --override flags; a value a ' +
    'start script writes at run time is not judged.',
  fix:
    'Advertise the pod DNS name of the StatefulSet: $(POD_NAME).<headless Service>.<namespace>.svc with POD_NAME from ' +
    'metadata.name (KafkaCluster does).',
  enabledByDefault: true,
  check(object, index): RuleOutcome {
    const workload = kafkaWorkload(object, index);
    if (!workload) {
      return notApplicable(NO_SERVER);
    }
    return judgeEach(workload.configs, (config) => {
      const advertised = effective(config, 'advertised.listeners');
      if (!advertised) {
        return 'no advertised.listeners in the configuration the checked objects hold (a start script may write it at run time)';
      }
      const podIps = podIpVariables(config.environment);
      const via = [...referencedVariables(advertised.value)].filter((name) => podIps.has(name)).map((name) => `${name}, ${podIps.get(name)}`);
      if (/hostname\s+(?:-i|-I|--ip-address|--all-ip-addresses)\b/.test(advertised.value)) {
        via.push('hostname -i');
      }
      const ips = literalIps(advertised.value);
      const advertises = [...(via.length > 0 ? [`the pod IP (${via.join('; ')})`] : []), ...ips.map((ip) => `the literal IP ${ip}`)];
      if (advertises.length === 0) {
        return [];
      }
      return [
        violation(
          advertised.path,
          `${stated(advertised)}, which advertises ${advertises.join(' and ')}: clients cache broker addresses and a restarted pod ` +
            "gets a new IP, so they connect to an address that is gone or another pod's; allowed: a stable name per pod, such as " +
            '$(POD_NAME).<headless Service>.<namespace>.svc',
        ),
      ];
    });
  },
};

export const KAFKA_RULES: readonly Rule[] = [
  KAFKA_DURABILITY_BELOW_DATA_CLASS,
  KAFKA_EVEN_CONTROLLER_QUORUM,
  KAFKA_DEFAULT_CLUSTER_ID,
  KAFKA_COMBINED_MODE_CRITICAL,
  KAFKA_ADVERTISED_POD_IP,
];
