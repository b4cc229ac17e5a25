import { parse as parseYaml } from 'yaml';
import { BlueprintKeys } from '../../core/labels';
import { KubeObject, ManifestIndexReader, NotApplicable, notApplicable, Rule, RuleOutcome, Severity, Violation } from '../../checks/model';
import {
  annotation,
  commandWordsOf,
  ConfigMapFile,
  ContainerAt,
  containerEnvironment,
  ContainerEnvironment,
  containersOf,
  ContainerVariable,
  mountedConfigMapFiles,
  POD_KINDS,
  podIpVariables,
  referencedVariables,
  violation,
} from '../../checks/pod-helpers';
import { isRecord, PodTemplate, podTemplateOf } from '../../checks/selectors';
import { replicasOf } from '../../checks/rules/workload-facts';
import { MAX_VOTING_MEMBERS } from './plan';

/**
 * MongoDB server images, by the last part of the repository name: mongo (Docker Official), mongodb/mongodb-community-server
 * and mongodb-enterprise-server, bitnami/mongodb and percona/percona-server-mongodb. Exporters, agents, routers and UIs
 * have other names (mongodb-exporter, mongodb_exporter, mongodb-agent, mongo-express).
 */
const SERVER_IMAGE = /(?:^|\/)(?:mongo|mongodb|mongodb-community-server|mongodb-enterprise-server|percona-server-mongodb)(?::|@|$)/;

/** Programs of the server images that are not mongod: the router, the shells and the tools. */
const NOT_A_SERVER_PROGRAM = /^(?:mongos|mongosh|mongo|mongodump|mongorestore|mongoexport|mongoimport|mongostat|mongotop)$/;

const DEFAULT_PORT = 27017;

const COMPONENT_LABEL = 'app.kubernetes.io/component';
const INSTANCE_LABEL = 'app.kubernetes.io/instance';
const DATA_CLASS_CACHE = `${BlueprintKeys.DATA_CLASS}: cache`;
const SYSTEM_OF_RECORD_BY_DEFAULT = `(a replica set not annotated ${DATA_CLASS_CACHE} is a system of record)`;
const NO_SERVER = 'no mongod container';
const STANDALONE_MONGOD = 'a standalone mongod (no --replSet, replication.replSetName or MONGODB_REPLICA_SET_MODE)';
const STANDALONE = `${STANDALONE_MONGOD}: it is no replica set member`;

/** The bitnami/mongodb configuration file, which the image writes from its variables unless one is mounted there. */
const BITNAMI_CONFIG_FILE = '/opt/bitnami/mongodb/conf/mongodb.conf';

/** Whose conventions turn the environment into mongod options. */
type Flavour = 'bitnami' | 'other';

function imageOf(container: any): string {
  return String(container?.image ?? '').toLowerCase();
}

function flavourOf(image: string): Flavour {
  return /(?:^|\/)bitnami(?:legacy)?\/mongodb(?::|@|$)/.test(image) ? 'bitnami' : 'other';
}

function fileName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** A script without its comment lines (`#` for shells, `//` for mongosh), which often name options they do not set. */
function withoutComments(text: string): string {
  return text
    .split('\n')
    .filter((line) => !/^\s*(?:#|\/\/)/.test(line))
    .join('\n');
}

/** The shell words of a text, quotes removed: `exec mongod --config "$CONFIG_DIR/mongod.conf"` gives four. */
function shellWords(text: string): string[] {
  return [...text.matchAll(/"([^"]*)"|'([^']*)'|([^\s"';|&()<>]+)/g)].map((match) => match[1] ?? match[2] ?? match[3]);
}

function variable(environment: ContainerEnvironment, name: string): ContainerVariable | undefined {
  return environment.variables.filter((candidate) => candidate.name === name).at(-1);
}

/** Replaces `$(NAME)` (Kubernetes), `${NAME}` and `$NAME` (shell) by the values the environment gives them. */
function expand(text: string, environment: ContainerEnvironment): string {
  return text.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, ...names: string[]) => {
    const value = variable(environment, names[0] ?? names[1] ?? names[2])?.value;
    return value ?? whole;
  });
}

/** A mongod option as the server ends up reading it, by its configuration file name (`security.keyFile`), and where it was set. */
interface Setting {
  readonly key: string;
  readonly value: string;
  /** For messages, e.g. `ConfigMap catalog-mongodb-config key mongod.conf`. */
  readonly source: string;
  /** JSON path of the field that sets it. */
  readonly path: string;
}

/** Command-line options of mongod that the rules read, by their configuration file names; a bare flag has the value given. */
const FLAGS: Record<string, { readonly key: string; readonly bare?: string; readonly takesValue: boolean }> = {
  replSet: { key: 'replication.replSetName', takesValue: true },
  keyFile: { key: 'security.keyFile', takesValue: true },
  clusterAuthMode: { key: 'security.clusterAuthMode', takesValue: true },
  auth: { key: 'security.authorization', bare: 'enabled', takesValue: false },
  noauth: { key: 'security.authorization', bare: 'disabled', takesValue: false },
  transitionToAuth: { key: 'security.transitionToAuth', bare: 'true', takesValue: false },
  enableMajorityReadConcern: { key: 'replication.enableMajorityReadConcern', bare: 'true', takesValue: false },
  journal: { key: 'storage.journal.enabled', bare: 'true', takesValue: false },
  nojournal: { key: 'storage.journal.enabled', bare: 'false', takesValue: false },
  config: { key: 'config', takesValue: true },
};

interface Token {
  readonly text: string;
  readonly source: string;
  readonly path: string;
}

/** The options among `tokens` (`--name value`, `--name=value`, bare flags, `-f file` after mongod). */
function flagSettings(tokens: readonly Token[]): Setting[] {
  const found: Setting[] = [];
  tokens.forEach((token, position) => {
    const next = tokens[position + 1];
    if (token.text === '-f' && /(?:^|\/)mongod$/.test(tokens[position - 1]?.text ?? '') && next) {
      found.push({ key: 'config', value: next.text, source: token.source, path: next.path });
      return;
    }
    const flag = /^--([A-Za-z]+)(?:=(.*))?$/s.exec(token.text);
    const known = flag ? FLAGS[flag[1]] : undefined;
    if (!flag || !known) {
      return;
    }
    if (flag[2] !== undefined) {
      found.push({ key: known.key, value: flag[2], source: token.source, path: token.path });
    } else if (known.takesValue) {
      if (next && !next.text.startsWith('-')) {
        found.push({ key: known.key, value: next.text, source: token.source, path: next.path });
      }
    } else if (flag[1] === 'enableMajorityReadConcern' && next && /^(?:true|false)$/.test(next.text)) {
      found.push({ key: known.key, value: next.text, source: token.source, path: next.path });
    } else {
      found.push({ key: known.key, value: known.bare ?? 'true', source: token.source, path: token.path });
    }
  });
  return found;
}

/** The scalar settings of a YAML configuration file, by their dotted names; undefined when it is no YAML mapping. */
export function readMongodConfig(content: string): { key: string; value: string }[] | undefined {
  let document: unknown;
  try {
    document = parseYaml(content);
  } catch {
    return undefined;
  }
  if (!isRecord(document)) {
    return undefined;
  }
  const settings: { key: string; value: string }[] = [];
  const walk = (node: Record<string, unknown>, prefix: string) => {
    for (const [key, value] of Object.entries(node)) {
      if (isRecord(value)) {
        walk(value, `${prefix}${key}.`);
      } else if (value !== null && value !== undefined) {
        settings.push({ key: `${prefix}${key}`, value: Array.isArray(value) ? JSON.stringify(value) : String(value) });
      }
    }
  };
  walk(document, '');
  return settings;
}

const YES = /^(?:1|yes|true)$/i;
const NO = /^(?:0|no|false)$/i;

/** What one mongod container runs with, as far as the checked objects show it. */
interface MongodConfig {
  readonly at: ContainerAt;
  readonly flavour: Flavour;
  /** Every option in the order mongod reads them: the configuration file, what the image derives from variables, the command line. */
  readonly settings: readonly Setting[];
  readonly environment: ContainerEnvironment;
  /** The command line and the scripts it names. */
  readonly startText: string;
  /** `MONGODB_REPLICA_SET_MODE` of bitnami/mongodb, from a variable or exported by the start script. */
  readonly bitnamiModes: readonly { readonly mode: string; readonly described: string; readonly path: string }[];
  /** Whether the command line shows mongod starting: the image's default, options for its entrypoint, or a mongod command. */
  readonly starts: boolean;
  /** Why options may be missing from `settings`, when they may. */
  readonly unknown?: string;
}

/** Options bitnami/mongodb derives from its variables (libmongodb.sh), unless a configuration file is mounted over its own. */
function bitnamiSettings(config: { environment: ContainerEnvironment; bitnamiModes: MongodConfig['bitnamiModes'] }, at: ContainerAt): Setting[] {
  const { environment } = config;
  const settings: Setting[] = [];
  if (config.bitnamiModes.length > 0) {
    const name = variable(environment, 'MONGODB_REPLICA_SET_NAME');
    settings.push(
      name?.value
        ? { key: 'replication.replSetName', value: name.value, source: name.source, path: name.path }
        : { key: 'replication.replSetName', value: 'replicaset', source: "bitnami/mongodb's default for MONGODB_REPLICA_SET_MODE", path: at.path },
    );
  }
  const key = variable(environment, 'MONGODB_REPLICA_SET_KEY');
  if (key && key.value !== '') {
    settings.push({ key: 'security.keyFile', value: '(written from MONGODB_REPLICA_SET_KEY)', source: key.source, path: key.path });
  }
  const allowEmpty = variable(environment, 'ALLOW_EMPTY_PASSWORD');
  const rootPassword = variable(environment, 'MONGODB_ROOT_PASSWORD') ?? variable(environment, 'MONGODB_ROOT_PASSWORD_FILE');
  if (allowEmpty?.value && YES.test(allowEmpty.value) && (!rootPassword || rootPassword.value === '')) {
    settings.push({
      key: 'security.authorization',
      value: 'disabled',
      source: `${allowEmpty.source} (ALLOW_EMPTY_PASSWORD=${allowEmpty.value} and no MONGODB_ROOT_PASSWORD, for which bitnami/mongodb enables no authorization)`,
      path: allowEmpty.path,
    });
  }
  const journal = variable(environment, 'MONGODB_ENABLE_JOURNAL');
  if (journal?.value && NO.test(journal.value)) {
    settings.push({ key: 'storage.journal.enabled', value: 'false', source: journal.source, path: journal.path });
  }
  return settings;
}

function mongodConfig(object: KubeObject, template: PodTemplate, at: ContainerAt, index: ManifestIndexReader): MongodConfig {
  const flavour = flavourOf(imageOf(at.container));
  const environment = containerEnvironment(object, at, index);
  const words = commandWordsOf(at);
  const files = mountedConfigMapFiles(object, template, at.container, index);
  const named = new Set(words.flatMap((word) => shellWords(word.text)).map((text) => expand(text, environment)));
  const scripts = files.filter((file) => named.has(file.path) || named.has(fileName(file.path)));
  const startText = [...words.map((word) => word.text), ...scripts.map((script) => withoutComments(script.content))].join('\n');
  const tokens: Token[] = [
    ...words.flatMap((word) =>
      shellWords(word.text).map((text) => ({ text: expand(text, environment), source: `the container ${word.field}`, path: word.path })),
    ),
    ...scripts.flatMap((script) =>
      shellWords(withoutComments(script.content)).map((text) => ({
        text: expand(text, environment),
        source: `ConfigMap ${script.configMap} key ${script.key}`,
        path: at.path,
      })),
    ),
  ];
  const bitnamiModes: { mode: string; described: string; path: string }[] = [];
  let unknown: string | undefined;
  if (flavour === 'bitnami') {
    const mode = variable(environment, 'MONGODB_REPLICA_SET_MODE');
    if (mode?.value) {
      bitnamiModes.push({ mode: mode.value, described: `${mode.source} is ${mode.value}`, path: mode.path });
    }
    for (const script of scripts) {
      for (const match of script.content.matchAll(/MONGODB_REPLICA_SET_MODE=["']?([a-z]+)/g)) {
        bitnamiModes.push({
          mode: match[1],
          described: `ConfigMap ${script.configMap} key ${script.key} exports MONGODB_REPLICA_SET_MODE=${match[1]}`,
          path: at.path,
        });
      }
    }
    const extra = variable(environment, 'MONGODB_EXTRA_FLAGS');
    if (extra?.value) {
      tokens.push(...shellWords(extra.value).map((text) => ({ text: expand(text, environment), source: extra.source, path: extra.path })));
    }
  }
  const flags = flagSettings(tokens);
  const configFlag = flags.filter((setting) => setting.key === 'config').at(-1);
  const configPath = configFlag?.value ?? (flavour === 'bitnami' ? BITNAMI_CONFIG_FILE : undefined);
  const file =
    configPath === undefined
      ? undefined
      : (files.find((candidate) => candidate.path === configPath) ?? files.find((candidate) => fileName(candidate.path) === fileName(configPath)));
  const settings: Setting[] = [];
  if (file) {
    const read = readMongodConfig(file.content);
    if (read) {
      settings.push(...read.map(({ key, value }) => ({ key, value, source: `ConfigMap ${file.configMap} key ${file.key}`, path: at.path })));
    } else {
      unknown = `ConfigMap ${file.configMap} key ${file.key}, which mongod reads, is no YAML mapping`;
    }
  } else if (configFlag) {
    unknown = `mongod reads ${configFlag.value}, which no ConfigMap among the checked objects provides`;
  }
  // bitnami/mongodb leaves a mounted configuration file as it is (mongodb_is_file_external): its variables then set nothing in it
  if (flavour === 'bitnami' && !file) {
    settings.push(...bitnamiSettings({ environment, bitnamiModes }, at));
  }
  settings.push(...flags.filter((setting) => setting.key !== 'config'));
  // the entrypoints of the official and PSMDB images run mongod with arguments that start with a dash
  const starts =
    words.length === 0 ||
    words.some((word) => word.field === 'args' && word.text.startsWith('-')) ||
    /(?:^|[\s/"'=])mongod(?=$|[\s"';])/m.test(startText) ||
    (flavour === 'bitnami' && /\/opt\/bitnami\/scripts\/mongodb\//.test(startText));
  if (!starts && !unknown) {
    unknown = `the container runs ${words.map((word) => word.text).join(' ')}, and the checked objects do not show the mongod command line it starts`;
  }
  if (!unknown && environment.unseen && flavour === 'bitnami') {
    unknown = 'an envFrom the checked objects do not hold may set variables bitnami/mongodb turns into options';
  }
  return { at, flavour, settings, environment, startText, bitnamiModes, starts, unknown };
}

function effective(config: MongodConfig, key: string): Setting | undefined {
  return config.settings.filter((setting) => setting.key === key).at(-1);
}

function stated(setting: Setting): string {
  return `${setting.key} is ${setting.value} in ${setting.source}`;
}

function declaresMongoPort(container: any): boolean {
  const ports: any[] = Array.isArray(container?.ports) ? container.ports : [];
  return ports.some((port) => port?.containerPort === DEFAULT_PORT || /^mongo(?:db|d)?$/.test(String(port?.name)));
}

function runsAnotherProgram(at: ContainerAt): boolean {
  const first = commandWordsOf(at)[0]?.text.trim();
  return first !== undefined && NOT_A_SERVER_PROGRAM.test(fileName(first));
}

/**
 * The containers of a pod template that run mongod: on a server image, not running another of its programs, and
 * declaring the MongoDB port (a sidecar may run the image for mongosh); without such a port, the ones that start mongod.
 */
function serverContainers(object: KubeObject, template: PodTemplate, index: ManifestIndexReader): MongodConfig[] {
  const candidates = containersOf(template).filter((at) => !at.init && SERVER_IMAGE.test(imageOf(at.container)) && !runsAnotherProgram(at));
  const serving = candidates.filter((at) => declaresMongoPort(at.container));
  const configs = (serving.length > 0 ? serving : candidates).map((at) => mongodConfig(object, template, at, index));
  return serving.length > 0 ? configs : configs.filter((config) => config.starts);
}

/** The kind of member the pods of a workload are. */
type Role = 'data' | 'arbiter' | 'hidden';

interface RoleOf {
  readonly role: Role;
  /** What says so, for messages, e.g. `the label app.kubernetes.io/component: arbiter`. */
  readonly evidence?: string;
  readonly path?: string;
}

function roleOfName(value: string | undefined): Role | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (value === 'arbiter') {
    return 'arbiter';
  }
  return /hidden|non-?voting/i.test(value) ? 'hidden' : undefined;
}

/** Arbiter or hidden: bitnami's MONGODB_REPLICA_SET_MODE, the component label (bitnami, PSMDB, ours), the role annotation. */
function roleOf(object: KubeObject, template: PodTemplate, servers: readonly MongodConfig[]): RoleOf {
  for (const { bitnamiModes } of servers) {
    for (const mode of bitnamiModes) {
      const role = roleOfName(mode.mode);
      if (role) {
        return { role, evidence: mode.described, path: mode.path };
      }
    }
  }
  const labelled: [string | undefined, string][] = [
    [template.metadata.labels?.[COMPONENT_LABEL], `${template.path === '' ? 'metadata' : `${template.path}.metadata`}.labels["${COMPONENT_LABEL}"]`],
    [object.metadata?.labels?.[COMPONENT_LABEL], `metadata.labels["${COMPONENT_LABEL}"]`],
  ];
  for (const [value, path] of labelled) {
    const role = roleOfName(value);
    if (role) {
      return { role, evidence: `the label ${COMPONENT_LABEL}: ${value}`, path };
    }
  }
  const declared = annotation(object, BlueprintKeys.ROLE);
  const role = roleOfName(declared);
  return role ? { role, evidence: `${BlueprintKeys.ROLE}: ${declared}`, path: `metadata.annotations["${BlueprintKeys.ROLE}"]` } : { role: 'data' };
}

/** One member of a replica set configuration the manifests carry. */
interface ConfiguredMember {
  readonly host?: string;
  readonly votes: number;
  readonly arbiter: boolean;
}

/** A replica set configuration in a mounted file: MongoDB's (`{_id, members: [{host, votes, arbiterOnly}]}`) or MongoReplicaSet's replica-set.json. */
interface ReplicaSetConfig {
  readonly source: string;
  readonly path: string;
  readonly members: readonly ConfiguredMember[];
  readonly writeConcernMajorityJournalDefault?: unknown;
}

/**
 * Parses a JavaScript object or array literal of plain values, as the argument of `rs.initiate({...})`, from `start`;
 * throws at anything else (an identifier, a call, a template with substitutions).
 */
export function parseJsLiteral(text: string, start = 0): { value: unknown; end: number } {
  let position = start;
  const fail = (): never => {
    throw new Error(`not a plain literal at ${position}`);
  };
  const skip = () => {
    for (;;) {
      const rest = text.slice(position);
      const space = /^(?:\s+|\/\/[^\n]*|\/\*[\s\S]*?\*\/)/.exec(rest);
      if (!space) {
        return;
      }
      position += space[0].length;
    }
  };
  const value = (): unknown => {
    skip();
    const char = text[position];
    if (char === '{') {
      position++;
      const object: Record<string, unknown> = {};
      for (;;) {
        skip();
        if (text[position] === '}') {
          position++;
          return object;
        }
        const key = /^(?:"((?:\\.|[^"\\])*)"|'((?:\\.|[^'\\])*)'|([A-Za-z_$][A-Za-z0-9_$]*|\d+))/.exec(text.slice(position)) ?? fail();
        position += key[0].length;
        skip();
        if (text[position] !== ':') {
          fail();
        }
        position++;
        object[key[1] ?? key[2] ?? key[3]] = value();
        skip();
        if (text[position] === ',') {
          position++;
        } else if (text[position] !== '}') {
          fail();
        }
      }
    }
    if (char === '[') {
      position++;
      const array: unknown[] = [];
      for (;;) {
        skip();
        if (text[position] === ']') {
          position++;
          return array;
        }
        array.push(value());
        skip();
        if (text[position] === ',') {
          position++;
        } else if (text[position] !== ']') {
          fail();
        }
      }
    }
    const scalar =
      /^(?:"((?:\\.|[^"\\])*)"|'((?:\\.|[^'\\])*)'|`([^`$]*)`|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(?![\w$])|(true|false|null)(?![\w$]))/.exec(
        text.slice(position),
      ) ?? fail();
    position += scalar[0].length;
    if (scalar[4] !== undefined) {
      return Number(scalar[4]);
    }
    if (scalar[5] !== undefined) {
      return scalar[5] === 'null' ? null : scalar[5] === 'true';
    }
    return (scalar[1] ?? scalar[2] ?? scalar[3]).replace(/\\(.)/g, '$1');
  };
  const parsed = value();
  return { value: parsed, end: position };
}

function configuredMembers(document: unknown): ConfiguredMember[] | undefined {
  if (!isRecord(document) || !Array.isArray(document.members) || !document.members.every(isRecord)) {
    return undefined;
  }
  return document.members.map((member: Record<string, any>) => {
    const config = isRecord(member.config) ? member.config : {};
    const votes = member.votes ?? config.votes ?? 1;
    const host =
      typeof member.host === 'string'
        ? member.host
        : typeof member.pod === 'string'
          ? [member.pod, member.service].filter(Boolean).join('.')
          : undefined;
    return {
      host,
      votes: typeof votes === 'number' ? votes : Number(votes) || 0,
      arbiter: (member.arbiterOnly ?? config.arbiterOnly) === true || member.kind === 'arbiter',
    };
  });
}

/** Where a script starts a replica set configuration: the `{` after rs.initiate( or rs.reconfig(, or after replSetInitiate:. */
const CONFIG_IN_SCRIPT = /(?:rs\.(?:initiate|reconfig)\s*\(|\breplSet(?:Initiate|Reconfig)["']?\s*:)\s*(?=\{)/g;

/** The replica set configurations among the ConfigMap files mounted in a pod: JSON files, and literals in scripts. */
function replicaSetConfigs(files: readonly (ConfigMapFile & { readonly mountedBy: string })[]): ReplicaSetConfig[] {
  const configs: ReplicaSetConfig[] = [];
  for (const file of files) {
    const source = `ConfigMap ${file.configMap} key ${file.key}`;
    const documents: unknown[] = [];
    if (/^\s*\{/.test(file.content)) {
      try {
        documents.push(JSON.parse(file.content));
      } catch {
        // not JSON: a script, read below
      }
    }
    if (documents.length === 0) {
      for (const match of file.content.matchAll(CONFIG_IN_SCRIPT)) {
        try {
          documents.push(parseJsLiteral(file.content, (match.index ?? 0) + match[0].length).value);
        } catch {
          // built at run time (identifiers, calls): not a configuration the checked objects hold
        }
      }
    }
    for (const document of documents) {
      const members = configuredMembers(document);
      if (members) {
        configs.push({
          source,
          path: file.mountedBy,
          members,
          writeConcernMajorityJournalDefault: (document as any).writeConcernMajorityJournalDefault,
        });
      }
    }
  }
  return configs;
}

/** The ConfigMap files every container of the pod mounts, once each, with the path of the first container mounting it. */
function podFiles(object: KubeObject, template: PodTemplate, index: ManifestIndexReader): (ConfigMapFile & { readonly mountedBy: string })[] {
  const seen = new Set<string>();
  const containers = containersOf(template);
  // the main containers first: a file's path names the container that uses it rather than an init container that also mounts it
  return [...containers.filter((at) => !at.init), ...containers.filter((at) => at.init)].flatMap((at) =>
    mountedConfigMapFiles(object, template, at.container, index).flatMap((file) => {
      const key = `${file.configMap}\u0000${file.key}`;
      if (seen.has(key)) {
        return [];
      }
      seen.add(key);
      return [{ ...file, mountedBy: at.path }];
    }),
  );
}

/** A workload that runs mongod, with what the rules read of it. */
interface MongoWorkload {
  readonly object: KubeObject;
  readonly template: PodTemplate;
  readonly servers: readonly MongodConfig[];
  readonly role: RoleOf;
  /** The replica set name, where the checked objects show one. */
  readonly replicaSetName?: Setting;
  readonly files: readonly (ConfigMapFile & { readonly mountedBy: string })[];
  readonly configs: readonly ReplicaSetConfig[];
}

const workloads = new WeakMap<ManifestIndexReader, Map<KubeObject, MongoWorkload | undefined>>();

function mongoWorkload(object: KubeObject, index: ManifestIndexReader): MongoWorkload | undefined {
  let known = workloads.get(index);
  if (!known) {
    known = new Map();
    workloads.set(index, known);
  }
  if (!known.has(object)) {
    known.set(object, readWorkload(object, index));
  }
  return known.get(object);
}

function readWorkload(object: KubeObject, index: ManifestIndexReader): MongoWorkload | undefined {
  const template = podTemplateOf(object);
  const servers = template ? serverContainers(object, template, index) : [];
  if (!template || servers.length === 0) {
    return undefined;
  }
  const files = podFiles(object, template, index);
  const replicaSetName = servers.map((server) => effective(server, 'replication.replSetName')).find((setting) => setting !== undefined);
  return { object, template, servers, role: roleOf(object, template, servers), replicaSetName, files, configs: replicaSetConfigs(files) };
}

function isReplicaSetMember(workload: MongoWorkload): boolean {
  return workload.replicaSetName !== undefined || workload.role.role !== 'data' || workload.configs.length > 0;
}

/** The workload as a replica set member, or why it is not judged as one. */
function memberWorkload(object: KubeObject, index: ManifestIndexReader): MongoWorkload | NotApplicable {
  const workload = mongoWorkload(object, index);
  if (!workload) {
    return notApplicable(NO_SERVER);
  }
  return isReplicaSetMember(workload) ? workload : notApplicable(workload.servers.find((server) => server.unknown)?.unknown ?? STANDALONE);
}

/** The mongod workloads of the same replica set among the checked objects, `workload` first: same namespace, instance and set name. */
function replicaSetOf(workload: MongoWorkload, index: ManifestIndexReader): MongoWorkload[] {
  const namespace = workload.object.metadata?.namespace;
  const instance = workload.template.metadata.labels?.[INSTANCE_LABEL];
  const candidates = instance
    ? index.podsMatching(namespace, { matchLabels: { [INSTANCE_LABEL]: instance } })
    : [...index.ofKind('StatefulSet'), ...index.ofKind('Deployment')].filter((object) => object.metadata?.namespace === namespace);
  const name = workload.replicaSetName?.value;
  const others = candidates
    .filter((object) => object !== workload.object && (object.kind === 'StatefulSet' || object.kind === 'Deployment'))
    .flatMap((object) => {
      const other = mongoWorkload(object, index);
      if (!other || !isReplicaSetMember(other)) {
        return [];
      }
      const otherName = other.replicaSetName?.value;
      const sameName = name !== undefined && otherName !== undefined ? name === otherName : instance !== undefined;
      return sameName ? [other] : [];
    });
  return [workload, ...others];
}

function listed(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function workloadName(workload: MongoWorkload): string {
  return `${workload.object.kind} ${workload.object.metadata?.name}`;
}

/** The voters of a replica set, from the configuration its workload mounts, else from the replicas of its workloads. */
interface Voters {
  readonly voters: number;
  readonly arbiters: number;
  /** The count and where it comes from, for messages: `ConfigMap x key y lists 3 voting members`. */
  readonly described: string;
  readonly config?: ReplicaSetConfig;
}

function votersOf(workload: MongoWorkload, set: readonly MongoWorkload[]): Voters {
  const config = workload.configs[0];
  if (config) {
    const voting = config.members.filter((member) => member.votes > 0);
    const arbiters = voting.filter((member) => member.arbiter).length;
    const among = arbiters > 0 ? ` (${arbiters === 1 ? 'one of them an arbiter' : `${arbiters} of them arbiters`})` : '';
    return { voters: voting.length, arbiters, described: `${config.source} lists ${plural(voting.length, 'voting member')}${among}`, config };
  }
  const data = set.filter((member) => member.role.role === 'data');
  const arbiterSets = set.filter((member) => member.role.role === 'arbiter');
  const count = (members: readonly MongoWorkload[]) => members.reduce((sum, member) => sum + replicasOf(member.object), 0);
  const parts = [
    ...data.map(
      (member) => `${plural(replicasOf(member.object), 'replica')} of ${member === workload ? `this ${member.object.kind}` : workloadName(member)}`,
    ),
    ...arbiterSets.map((member) => `${plural(replicasOf(member.object), 'arbiter')} of ${workloadName(member)}`),
  ];
  const voters = count(data) + count(arbiterSets);
  return { voters, arbiters: count(arbiterSets), described: `${plural(voters, 'voting member')} (${parts.join(' and ')})` };
}

function majority(voters: number): number {
  return Math.floor(voters / 2) + 1;
}

function votingProblem(count: number): string | undefined {
  if (count > MAX_VOTING_MEMBERS) {
    return `MongoDB refuses a configuration with more than ${MAX_VOTING_MEMBERS} voting members (replSetInitiate and replSetReconfig fail), so ${count - MAX_VOTING_MEMBERS} of them must have votes: 0`;
  }
  if (count % 2 === 0 && count > 0) {
    const losses = (count - 2) / 2;
    return (
      `a ${count / 2}-${count / 2} split leaves neither side a majority to elect a primary, and ${count} voters tolerate ` +
      `${losses} loss${losses === 1 ? '' : 'es'}, no more than ${count - 1} ${count - 1 === 1 ? 'does' : 'do'}`
    );
  }
  return undefined;
}

export const MONGODB_EVEN_VOTING_MEMBERS: Rule = {
  id: 'mongodb-even-voting-members',
  title: 'A MongoDB replica set has an odd number of voting members, at most 7',
  severity: Severity.ERROR,
  targets: ['StatefulSet', 'Deployment'],
  rationale:
    'A replica set elects a primary only with a majority of its voting members: an even number tolerates no more losses than one ' +
    'fewer and can split in half with no side able to elect, and MongoDB refuses a configuration with more than 7 voters. The ' +
    'voters are counted from a replica set configuration the workload mounts (a JSON file such as the replica-set.json of ' +
    'MongoReplicaSet, or the literal of an rs.initiate in a script: members with votes above 0, arbiters included), else from the ' +
    'replicas of the data-bearing workloads of the set plus those of its arbiter workloads (bitnami MONGODB_REPLICA_SET_MODE=arbiter, ' +
    `the component label arbiter), hidden ones not voting. Without a configuration, a workload annotated with ${BlueprintKeys.CONSENSUS} ` +
    `and ${BlueprintKeys.QUORUM} and no arbiter is left to quorum-is-majority.`,
  fix:
    'Run 3, 5 or 7 voting members: 3, 5 or 7 data-bearing members, or (for a cache) 2, 4 or 6 and an arbiter; give members beyond 7 ' +
    'votes: 0 and priority: 0 (MongoReplicaSet: members, hiddenMembers).',
  enabledByDefault: true,
  check(object, index): RuleOutcome {
    const workload = memberWorkload(object, index);
    if ('notApplicable' in workload) {
      return workload;
    }
    if (workload.role.role !== 'data') {
      return notApplicable(`${workload.role.evidence}: the voters are counted on the data-bearing members`);
    }
    const set = replicaSetOf(workload, index);
    const voters = votersOf(workload, set);
    if (
      !voters.config &&
      voters.arbiters === 0 &&
      annotation(object, BlueprintKeys.CONSENSUS) === 'majority' &&
      annotation(object, BlueprintKeys.QUORUM) !== undefined
    ) {
      return notApplicable(`annotated ${BlueprintKeys.CONSENSUS}: majority with a ${BlueprintKeys.QUORUM}: quorum-is-majority judges its size`);
    }
    const problem = votingProblem(voters.voters);
    if (!problem) {
      return [];
    }
    return [
      violation(voters.config?.path ?? 'spec.replicas', `${voters.described}: ${problem}; allowed: an odd number, at most ${MAX_VOTING_MEMBERS}`),
    ];
  },
};

/** What makes a workload, or the set its configuration describes, run an arbiter; empty when it runs none of its own. */
function arbitersOf(workload: MongoWorkload, set: readonly MongoWorkload[]): { evidence: string; path: string }[] {
  if (workload.role.role === 'arbiter') {
    return [{ evidence: `an arbiter (${workload.role.evidence})`, path: workload.role.path ?? '' }];
  }
  // an arbiter workload of the set answers for itself
  if (set.some((member) => member.role.role === 'arbiter')) {
    return [];
  }
  const configured = workload.configs.flatMap((config) =>
    config.members
      .filter((member) => member.arbiter)
      .map((member) => ({ evidence: `${config.source} lists ${member.host ?? 'a member'} as an arbiter (arbiterOnly)`, path: config.path })),
  );
  const psa = workload.servers.flatMap((server) => {
    const readConcern = effective(server, 'replication.enableMajorityReadConcern');
    return readConcern && NO.test(readConcern.value)
      ? [
          {
            evidence: `${stated(readConcern)}, the setting MongoDB asked of a replica set with an arbiter (primary-secondary-arbiter) before 5.0`,
            path: readConcern.path,
          },
        ]
      : [];
  });
  return [...configured, ...psa];
}

export const MONGODB_ARBITER_IN_SYSTEM_OF_RECORD: Rule = {
  id: 'mongodb-arbiter-in-system-of-record',
  title: 'A MongoDB system of record runs no arbiter',
  severity: Severity.ERROR,
  targets: ['StatefulSet', 'Deployment'],
  rationale:
    'An arbiter votes but holds no data. With one data-bearing member of a primary-secondary-arbiter set down, w: majority writes ' +
    'wait until it returns (or time out), and where no default write concern is set MongoDB makes the implicit one w: 1, which ' +
    'acknowledges writes a failover then rolls back; MongoDB advises against arbiters, and the bitnami/mongodb chart runs one by ' +
    `default. A replica set not annotated ${DATA_CLASS_CACHE} counts as a system of record, since a relaxed durability must be a ` +
    'declared choice. An arbiter is an arbiter workload (bitnami MONGODB_REPLICA_SET_MODE=arbiter, the component label arbiter, the ' +
    `${BlueprintKeys.ROLE} annotation arbiter), a member with arbiterOnly in a replica set configuration the workload mounts, or ` +
    'enableMajorityReadConcern false, which MongoDB asked of arbiter sets before 5.0.',
  fix:
    'Replace the arbiter with a third data-bearing member (MongoReplicaSet: members 3 without allowArbiter); annotate a set whose ' +
    `data can be rebuilt ${DATA_CLASS_CACHE} (MongoReplicaSet: dataClass).`,
  enabledByDefault: true,
  check(object, index): RuleOutcome {
    const workload = memberWorkload(object, index);
    if ('notApplicable' in workload) {
      return workload;
    }
    const dataClass = annotation(object, BlueprintKeys.DATA_CLASS);
    if (dataClass === 'cache') {
      return notApplicable(`annotated ${DATA_CLASS_CACHE}`);
    }
    const allowedFor = dataClass === undefined ? ` ${SYSTEM_OF_RECORD_BY_DEFAULT}` : '';
    return arbitersOf(workload, replicaSetOf(workload, index)).map(({ evidence, path }) =>
      violation(
        path,
        `${evidence}: with one data-bearing member down, w: majority writes wait until it returns, and an implicit default write ` +
          `concern drops to w: 1, acknowledging writes a failover rolls back; allowed: a data-bearing member instead${allowedFor}`,
      ),
    );
  },
};

export const MONGODB_ARBITER_WITHOUT_REASON: Rule = {
  id: 'mongodb-arbiter-without-reason',
  title: 'An arbiter of a MongoDB cache says why it stands in for a data-bearing member',
  severity: Severity.WARNING,
  targets: ['StatefulSet', 'Deployment'],
  rationale:
    'A cache may run an arbiter to save a data-bearing member, at the price that the loss of one data-bearing member stalls w: ' +
    `majority writes until it returns. The ${BlueprintKeys.ARBITER_REASON} annotation records that the price was weighed, for reviewers and for ` +
    'whoever is paged when writes stall. Arbiters are recognised as mongodb-arbiter-in-system-of-record recognises them; that rule ' +
    'judges the arbiters of systems of record.',
  fix: `Annotate the arbiter workload ${BlueprintKeys.ARBITER_REASON} with a sentence saying why (MongoReplicaSet: arbiterReason), or run a data-bearing member instead.`,
  enabledByDefault: true,
  check(object, index): RuleOutcome {
    const workload = memberWorkload(object, index);
    if ('notApplicable' in workload) {
      return workload;
    }
    const arbiters = arbitersOf(workload, replicaSetOf(workload, index));
    if (arbiters.length === 0) {
      return notApplicable('runs no arbiter of its own');
    }
    if (annotation(object, BlueprintKeys.DATA_CLASS) !== 'cache') {
      return notApplicable('a system of record: mongodb-arbiter-in-system-of-record judges its arbiter');
    }
    if ((annotation(object, BlueprintKeys.ARBITER_REASON) ?? '').trim() !== '') {
      return [];
    }
    return arbiters.map(({ evidence, path }) =>
      violation(
        path,
        `${evidence} of a cache, without a ${BlueprintKeys.ARBITER_REASON} annotation: with one data-bearing member down, w: majority writes wait ` +
          'until it returns; allowed: the annotation, saying why the set runs an arbiter instead of a data-bearing member',
      ),
    );
  },
};

/** A connection string found in a workload, with its hosts and options. */
interface ConnectionString {
  /** The string with any password masked, for messages. */
  readonly shown: string;
  readonly hosts: readonly string[];
  readonly srv: boolean;
  /** Option names in lower case. */
  readonly options: ReadonlyMap<string, string>;
}

export function parseConnectionString(text: string): ConnectionString | undefined {
  const match = /^(mongodb(?:\+srv)?):\/\/(?:([^@/?]*)@)?([^/?]*)(?:\/[^?]*)?(?:\?(.*))?$/.exec(text);
  if (!match) {
    return undefined;
  }
  const options = new Map<string, string>();
  for (const pair of (match[4] ?? '').split(/[&;]/)) {
    const separator = pair.indexOf('=');
    if (separator > 0) {
      options.set(pair.slice(0, separator).toLowerCase(), decodeURIComponentSafely(pair.slice(separator + 1)));
    }
  }
  const user = match[2]?.split(':')[0];
  const shown = match[2] === undefined ? text : text.replace(`${match[2]}@`, `${user}${match[2].includes(':') ? ':***' : ''}@`);
  return { shown, hosts: match[3].split(',').filter((host) => host !== ''), srv: match[1] === 'mongodb+srv', options };
}

function decodeURIComponentSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

const CONNECTION_STRING = /mongodb(?:\+srv)?:\/\/[^\s"'`<>\\]+/g;

/** The mongod workload a connection string's hosts name: `<pod>.<service>[.<namespace>...]` or `<service>[.<namespace>...]`. */
function addressedWorkload(object: KubeObject, connection: ConnectionString, index: ManifestIndexReader): MongoWorkload | undefined {
  const own = object.metadata?.namespace;
  for (const host of connection.hosts) {
    const labels = host.replace(/:\d+$/, '').split('.');
    const namespaceAt = (position: number) => (labels[position] !== undefined && labels[position] !== 'svc' ? labels[position] : own);
    for (const [serviceName, namespace] of [
      [labels[1], namespaceAt(2)],
      [labels[0], namespaceAt(1)],
    ]) {
      const service = serviceName ? index.find('Service', namespace, serviceName) : undefined;
      const selector = service?.spec?.selector;
      if (!isRecord(selector) || Object.keys(selector).length === 0) {
        continue;
      }
      const found = index
        .podsMatching(namespace, { matchLabels: selector })
        .map((candidate) => mongoWorkload(candidate, index))
        .find((candidate) => candidate?.role.role === 'data');
      if (found) {
        return found;
      }
    }
  }
  return undefined;
}

/** Where a workload holds text that may name a write concern: its variables, command line and mounted ConfigMap files. */
interface Text {
  readonly text: string;
  readonly source: string;
  readonly path: string;
}

function textsOf(object: KubeObject, template: PodTemplate, index: ManifestIndexReader): Text[] {
  const texts: Text[] = [];
  for (const at of containersOf(template)) {
    const environment = containerEnvironment(object, at, index);
    for (const found of environment.variables) {
      if (found.value !== undefined) {
        texts.push({ text: expand(found.value, environment), source: found.source, path: found.path });
      }
    }
    for (const word of commandWordsOf(at)) {
      texts.push({ text: expand(word.text, environment), source: `the container ${word.field}`, path: word.path });
    }
  }
  for (const file of podFiles(object, template, index)) {
    texts.push({ text: file.content, source: `ConfigMap ${file.configMap} key ${file.key}`, path: file.mountedBy });
  }
  return texts;
}

interface Concern {
  readonly w?: string;
  readonly journal?: string;
}

/** How a write concern falls short of a majority on disk; undefined when it does not. */
function concernProblems(concern: Concern, voters: number | undefined): string[] {
  const problems: string[] = [];
  const w = concern.w?.trim();
  if (w !== undefined && /^\d+$/.test(w)) {
    const needed = voters === undefined ? 2 : majority(voters);
    if (Number(w) === 0) {
      problems.push('w=0: a write is not acknowledged at all, so a failed one is never reported');
    } else if (Number(w) < needed) {
      problems.push(
        `w=${w}: a write is acknowledged once ${Number(w) === 1 ? 'the primary holds' : `${w} members hold`} it, and a failover before a ` +
          `majority copies it rolls it back; allowed: majority${voters === undefined ? '' : ` (or ${needed}, a majority of the ${voters} voters)`}`,
      );
    }
  }
  if (concern.journal !== undefined && NO.test(concern.journal.trim())) {
    problems.push(
      `journal=${concern.journal.trim()}: a write is acknowledged before it is in the journal on disk, so a crash of the members holding it loses it; allowed: true or unset`,
    );
  }
  return problems;
}

function dataClassText(dataClass: string | undefined): string {
  return dataClass === undefined ? ` ${SYSTEM_OF_RECORD_BY_DEFAULT}` : '';
}

export const MONGODB_WRITE_CONCERN_BELOW_MAJORITY: Rule = {
  id: 'mongodb-write-concern-below-majority',
  title: 'Writes to a MongoDB system of record are acknowledged by a majority of its members, from their journals',
  severity: Severity.ERROR,
  targets: [...POD_KINDS],
  rationale:
    'A write acknowledged by fewer than a majority of the voting members (w=0, w=1, a number below the majority) is rolled back ' +
    'when the primary fails before the others copy it, and one acknowledged before it is in the journal (journal=false, ' +
    'writeConcernMajorityJournalDefault: false, journaling off) is lost when the members holding it crash. Judged: connection ' +
    'strings (mongodb:// and mongodb+srv://) that address a replica set (replicaSet=, several hosts or SRV) in the variables, ' +
    'command lines and mounted ConfigMap files of any workload, against the data class and voters of the mongod workload their ' +
    'hosts name when the checked objects hold it; setDefaultRWConcern calls in mounted scripts; writeConcernMajorityJournalDefault ' +
    'in a mounted replica set configuration; --nojournal, storage.journal.enabled and bitnami MONGODB_ENABLE_JOURNAL on mongod. ' +
    `A set not annotated ${DATA_CLASS_CACHE} counts as a system of record, and so does a client of a set the checked objects do not ` +
    'hold, unless the client is annotated a cache. The default write concern a start script sets is read where the script is mounted.',
  fix:
    'Write with w=majority and leave journal unset or true (MongoReplicaSet.connectionString() and clientEnv() do); set the default ' +
    "with setDefaultRWConcern { w: 'majority' } once, on the primary (MongoReplicaSet's agent does); keep journaling and " +
    `writeConcernMajorityJournalDefault on; annotate a set whose data can be rebuilt ${DATA_CLASS_CACHE}.`,
  enabledByDefault: true,
  check(object, index): RuleOutcome {
    const template = podTemplateOf(object);
    if (!template) {
      return notApplicable('runs no pods');
    }
    const workload = mongoWorkload(object, index);
    const own = annotation(object, BlueprintKeys.DATA_CLASS);
    const ownVoters = workload && isReplicaSetMember(workload) ? votersOf(workload, replicaSetOf(workload, index)).voters : undefined;
    let judged = workload !== undefined;
    const found: Violation[] = [];
    for (const text of textsOf(object, template, index)) {
      for (const [raw] of text.text.matchAll(CONNECTION_STRING)) {
        const connection = parseConnectionString(raw.replace(/[),;.]+$/, ''));
        if (!connection) {
          continue;
        }
        judged = true;
        const target = addressedWorkload(object, connection, index);
        if (!target && !connection.options.has('replicaset') && connection.hosts.length < 2 && !connection.srv) {
          continue;
        }
        const dataClass = target ? annotation(target.object, BlueprintKeys.DATA_CLASS) : own;
        if (dataClass === 'cache') {
          continue;
        }
        const voters = target ? votersOf(target, replicaSetOf(target, index)).voters : undefined;
        const concern = { w: connection.options.get('w'), journal: connection.options.get('journal') ?? connection.options.get('j') };
        const to = target ? `, which addresses ${workloadName(target)},` : '';
        for (const problem of concernProblems(concern, voters)) {
          found.push(
            violation(text.path, `the connection string ${connection.shown} in ${text.source}${to} asks for ${problem}${dataClassText(dataClass)}`),
          );
        }
      }
      for (const match of text.text.matchAll(/setDefaultRWConcern[\s\S]{0,400}?defaultWriteConcern["']?\s*:\s*\{([^}]*)\}/g)) {
        judged = true;
        if (own === 'cache') {
          continue;
        }
        const w = /\bw["']?\s*:\s*(?:["']([^"']*)["']|(\d+))/.exec(match[1]);
        const journal = /\bj["']?\s*:\s*(true|false)/.exec(match[1]);
        const concern = { w: w ? (w[1] ?? w[2]) : undefined, journal: journal?.[1] };
        for (const problem of concernProblems(concern, ownVoters)) {
          found.push(
            violation(
              text.path,
              `the default write concern { ${match[1].trim()} } that ${text.source} sets asks for ${problem}${dataClassText(own)}`,
            ),
          );
        }
      }
    }
    if (workload && own !== 'cache') {
      for (const config of workload.configs) {
        if (config.writeConcernMajorityJournalDefault === false) {
          found.push(
            violation(
              config.path,
              `writeConcernMajorityJournalDefault is false in ${config.source}: a w: majority write is acknowledged once a majority holds it ` +
                `in memory, so a crash of those members (a zone outage) loses it; allowed: true or unset${dataClassText(own)}`,
            ),
          );
        }
      }
      for (const server of workload.servers) {
        const journal = effective(server, 'storage.journal.enabled');
        if (journal && NO.test(journal.value)) {
          found.push(
            violation(
              journal.path,
              `${stated(journal)}: writes are acknowledged before they are on disk, so a crash loses them and the member may not restart ` +
                `cleanly (MongoDB 6.1 and later refuse to start without a journal); allowed: journaling on${dataClassText(own)}`,
            ),
          );
        }
      }
    }
    return judged ? found : notApplicable('no mongod, MongoDB connection string or default write concern');
  },
};

export const MONGODB_CRITICAL_DATA_MEMBERS: Rule = {
  id: 'mongodb-critical-data-members',
  title: 'A CRITICAL MongoDB replica set has at least 3 data-bearing voting members',
  severity: Severity.ERROR,
  targets: ['StatefulSet', 'Deployment'],
  rationale:
    'With fewer than 3 data-bearing voting members the loss of one (a node, a zone, a volume) leaves w: majority writes without a ' +
    'majority of copies to wait for: a primary-secondary-arbiter set stalls them, a pair cannot even elect, and a standalone ' +
    'keeps every write in one copy. The members are counted from a replica set configuration the workload mounts (voting members ' +
    'that are no arbiters), else from the replicas of the data-bearing workloads of the set.',
  fix: 'Run 3, 5 or 7 data-bearing voting members (MongoReplicaSet: members, without allowArbiter, which the CRITICAL tier refuses).',
  enabledByDefault: true,
  check(object, index): RuleOutcome {
    const workload = mongoWorkload(object, index);
    if (!workload) {
      return notApplicable(NO_SERVER);
    }
    if (annotation(object, BlueprintKeys.TIER) !== 'critical') {
      return notApplicable(`not annotated ${BlueprintKeys.TIER}: critical`);
    }
    if (workload.role.role !== 'data') {
      return notApplicable(`${workload.role.evidence}: the data-bearing members are counted on their own workload`);
    }
    const consequence = 'the loss of one data-bearing member leaves w: majority writes without a majority of copies to wait for; allowed: at least 3';
    if (!isReplicaSetMember(workload)) {
      const unknown = workload.servers.find((server) => server.unknown)?.unknown;
      return unknown
        ? notApplicable(unknown)
        : [
            violation(
              workload.servers[0].at.path,
              `${STANDALONE_MONGOD} on a ${BlueprintKeys.TIER}: critical workload keeps one copy of every write: ${consequence}`,
            ),
          ];
    }
    const config = workload.configs[0];
    const data = replicaSetOf(workload, index).filter((member) => member.role.role === 'data');
    const count = config
      ? config.members.filter((member) => member.votes > 0 && !member.arbiter).length
      : data.reduce((sum, member) => sum + replicasOf(member.object), 0);
    if (count >= 3) {
      return [];
    }
    const members = plural(count, 'data-bearing voting member');
    const described = config
      ? `${config.source} lists ${members}`
      : `${members} (${data.map((member) => `${plural(replicasOf(member.object), 'replica')} of ${member === workload ? `this ${member.object.kind}` : workloadName(member)}`).join(' and ')})`;
    return [violation(config?.path ?? 'spec.replicas', `${described} on a ${BlueprintKeys.TIER}: critical workload: ${consequence}`)];
  },
};

export const MONGODB_AUTH_DISABLED: Rule = {
  id: 'mongodb-auth-disabled',
  title: 'The members of a MongoDB replica set authenticate each other (keyFile or x509) and enforce access control',
  severity: Severity.ERROR,
  targets: ['StatefulSet', 'Deployment'],
  rationale:
    'Without a keyFile or x509 cluster authentication the members do not authenticate each other, and mongod then enforces no ' +
    'access control either (it refuses authorization on a replica set without them): any pod that reaches port 27017 can read and ' +
    'write every database, reconfigure the set or join it. --noauth, security.authorization: disabled and transitionToAuth turn ' +
    'access control off outright. Options are read as mongod reads them: the configuration file --config names (found among the ' +
    'mounted ConfigMaps, variables expanded), then the command line and the scripts it runs; for bitnami/mongodb, ' +
    'MONGODB_REPLICA_SET_KEY, ALLOW_EMPTY_PASSWORD and MONGODB_EXTRA_FLAGS as the image reads them. A configuration the checked ' +
    'objects do not hold is not judged.',
  fix:
    'Give every member the same keyFile from a Secret (--keyFile or security.keyFile, mode 0400; MongoReplicaSet does, bitnami: ' +
    'auth.enabled) or use clusterAuthMode x509, and remove --noauth, authorization: disabled and transitionToAuth.',
  enabledByDefault: true,
  check(object, index): RuleOutcome {
    const workload = memberWorkload(object, index);
    if ('notApplicable' in workload) {
      return workload;
    }
    const outcomes = workload.servers.map((server): Violation[] | string => {
      const found: Violation[] = [];
      const authorization = effective(server, 'security.authorization');
      if (authorization?.value === 'disabled') {
        found.push(
          violation(
            authorization.path,
            `${stated(authorization)}: mongod enforces no access control, so any pod that reaches port 27017 can read, write and ` +
              'reconfigure the replica set; allowed: enabled (a keyFile enables it)',
          ),
        );
      }
      const transition = effective(server, 'security.transitionToAuth');
      if (transition && YES.test(transition.value)) {
        found.push(
          violation(
            transition.path,
            `${stated(transition)}: mongod accepts unauthenticated connections from clients and members; allowed: false, once every member has the key`,
          ),
        );
      }
      const keyFile = effective(server, 'security.keyFile');
      const mode = effective(server, 'security.clusterAuthMode');
      if ((keyFile && keyFile.value.trim() !== '') || (mode && /^(?:x509|sendX509)$/.test(mode.value))) {
        return found;
      }
      if (server.unknown) {
        return found.length > 0 ? found : server.unknown;
      }
      const bitnami = server.flavour === 'bitnami' ? ', MONGODB_REPLICA_SET_KEY' : '';
      found.push(
        violation(
          server.at.path,
          `a member of the replica set ${workload.replicaSetName?.value ?? '(unnamed)'} with no --keyFile, security.keyFile${bitnami} or x509 ` +
            `cluster authentication${mode ? ` (${stated(mode)})` : ''}: the members do not authenticate each other and mongod enforces no access ` +
            'control, so any pod that reaches port 27017 can read, write and reconfigure the set; allowed: the same keyFile from a ' +
            'Secret on every member, or clusterAuthMode x509',
        ),
      );
      return found;
    });
    const judged = outcomes.filter((outcome): outcome is Violation[] => Array.isArray(outcome));
    return judged.length > 0 ? judged.flat() : notApplicable(outcomes[0] as string);
  },
};

/** The host of `host[:port]`, brackets kept for IPv6. */
function hostOf(address: string): string {
  const bracketed = /^(\[[^\]]*\])/.exec(address);
  return bracketed ? bracketed[1] : address.replace(/:\d+$/, '');
}

/** Whether an address is a literal IP of a pod or node (not the loopback or unspecified address). */
function isLiteralIp(address: string): boolean {
  const host = hostOf(address.trim());
  if (/^\d{1,3}(?:\.\d{1,3}){3}$/.test(host)) {
    return !host.startsWith('127.') && host !== '0.0.0.0';
  }
  return /^\[[0-9a-f:.]+\]$/i.test(host) && !['[::1]', '[::]'].includes(host.toLowerCase());
}

/** Member addresses the checked objects give a workload's members, with where each comes from. */
interface Addressed {
  readonly addresses: readonly string[];
  readonly source: string;
  readonly path: string;
}

/** Scripts that configure members by address: rs.add("host"), and `host: "..."` next to rs.initiate or replSetReconfig. */
function scriptedAddresses(file: ConfigMapFile & { readonly mountedBy: string }): Addressed[] {
  if (!/rs\.(?:initiate|add|addArb|reconfig)\s*\(|replSet(?:Initiate|Reconfig)|"members"/.test(file.content)) {
    return [];
  }
  const addresses = [
    ...[...file.content.matchAll(/["']?\bhost["']?\s*:\s*(["'`])([^"'`]+)\1/g)].map((match) => match[2]),
    ...[...file.content.matchAll(/rs\.add(?:Arb)?\(\s*(["'`])([^"'`]+)\1/g)].map((match) => match[2]),
  ];
  return addresses.length > 0 ? [{ addresses, source: `ConfigMap ${file.configMap} key ${file.key}`, path: file.mountedBy }] : [];
}

function addressesOf(workload: MongoWorkload): Addressed[] {
  const found: Addressed[] = [];
  for (const config of workload.configs) {
    const addresses = config.members.flatMap((member) => (member.host ? [member.host] : []));
    if (addresses.length > 0) {
      found.push({ addresses, source: config.source, path: config.path });
    }
  }
  if (found.length === 0) {
    found.push(...workload.files.flatMap(scriptedAddresses));
  }
  for (const server of workload.servers) {
    const replSet = effective(server, 'replication.replSetName');
    const seeds = replSet?.value.split('/')[1];
    if (replSet && seeds) {
      found.push({
        addresses: seeds.split(','),
        source: `the seed list of replication.replSetName ${replSet.value} in ${replSet.source}`,
        path: replSet.path,
      });
    }
    if (server.flavour === 'bitnami') {
      for (const name of ['MONGODB_ADVERTISED_HOSTNAME', 'MONGODB_INITIAL_PRIMARY_HOST']) {
        const advertised = variable(server.environment, name);
        if (advertised) {
          found.push({ addresses: [advertised.value ?? `$(${name})`], source: advertised.source, path: advertised.path });
        }
      }
    }
  }
  return found;
}

export const MONGODB_MEMBER_IP_ADDRESS: Rule = {
  id: 'mongodb-member-ip-address',
  title: 'The members of a MongoDB replica set are addressed by stable names, not IP addresses',
  severity: Severity.ERROR,
  targets: ['StatefulSet', 'Deployment'],
  rationale:
    'The replica set configuration names every member by host, and members and drivers connect to those hosts. A pod gets a new ' +
    'IP when it restarts or moves, so a member configured by its pod IP no longer finds itself in the configuration when it comes ' +
    'back, the others heartbeat an address that is gone or now another pod, and a pod that cannot reach its peers may start a set of ' +
    'its own (helm/charts#19179, percona-server-mongodb-operator#2087). Judged: the hosts of a replica set configuration the ' +
    'workload mounts (JSON, or rs.initiate, rs.add and replSetReconfig in scripts), a seed list in --replSet name/hosts, and the ' +
    'bitnami/mongodb MONGODB_ADVERTISE_IP, MONGODB_ADVERTISED_HOSTNAME and MONGODB_INITIAL_PRIMARY_HOST variables: literal IPs, ' +
    'variables from status.podIP and `hostname -i`. Addresses a start script chooses at run time are not judged.',
  fix:
    'Name members by their pod DNS names, <pod>.<headless Service>.<namespace>.svc.cluster.local:27017 (MongoReplicaSet does; bitnami: ' +
    'replicaSetHostnames true, no externalAccess by IP).',
  enabledByDefault: true,
  check(object, index): RuleOutcome {
    const workload = memberWorkload(object, index);
    if ('notApplicable' in workload) {
      return workload;
    }
    const found: Violation[] = [];
    const consequence =
      "a pod gets a new IP when it restarts or moves, so the set keeps a member at an address that is gone or another pod's, and the " +
      'restarted member does not find itself in the configuration; allowed: pod DNS names, <pod>.<headless Service>.<namespace>.svc';
    for (const server of workload.servers) {
      const advertiseIp = server.flavour === 'bitnami' ? variable(server.environment, 'MONGODB_ADVERTISE_IP') : undefined;
      if (advertiseIp?.value && YES.test(advertiseIp.value)) {
        found.push(
          violation(advertiseIp.path, `${advertiseIp.source} is ${advertiseIp.value}: bitnami/mongodb adds the member by its pod IP: ${consequence}`),
        );
      }
    }
    const addressed = addressesOf(workload);
    if (addressed.length === 0 && found.length === 0) {
      return notApplicable('no member address among the checked objects (a start script may choose it at run time)');
    }
    const podIps = new Map(workload.servers.flatMap((server) => [...podIpVariables(server.environment)]));
    for (const { addresses, source, path } of addressed) {
      const literal = [...new Set(addresses.filter(isLiteralIp).map(hostOf))];
      const ips = [
        ...(literal.length === 0 ? [] : [`the literal IP${literal.length === 1 ? '' : 's'} ${listed(literal)}`]),
        ...addresses
          .flatMap((address) => [...referencedVariables(address)])
          .filter((name) => podIps.has(name))
          .map((name) => `the pod IP (${name}, ${podIps.get(name)})`),
        ...(addresses.some((address) => /hostname\s+(?:-i|-I|--ip-address|--all-ip-addresses)\b/.test(address)) ? ['the pod IP (hostname -i)'] : []),
      ];
      if (ips.length > 0) {
        found.push(violation(path, `${source} names members by ${[...new Set(ips)].join(' and ')}: ${consequence}`));
      }
    }
    return found;
  },
};

export const MONGODB_HEADLESS_PUBLISH_NOT_READY: Rule = {
  id: 'mongodb-headless-publish-not-ready',
  title: 'The headless Service of a MongoDB replica set publishes its members before they are ready',
  severity: Severity.ERROR,
  targets: ['StatefulSet'],
  rationale:
    "A StatefulSet's pod DNS names exist only for the pods its headless Service publishes, and without publishNotReadyAddresses " +
    'only ready ones. A member is ready only once it is PRIMARY or SECONDARY (the bitnami, PSMDB and MongoReplicaSet readiness ' +
    'probes), so before the set is initiated no member can resolve the others to initiate it, a member in initial sync or ' +
    'RECOVERING cannot be reached by the primary, and after a full outage the members cannot find each other to elect. The ' +
    'deprecated tolerate-unready-endpoints annotation does nothing since Kubernetes 1.24. A Service the checked objects do not hold ' +
    'is left to statefulset-headless-service.',
  fix: "Set publishNotReadyAddresses: true on the StatefulSet's headless Service (MongoReplicaSet and the bitnami chart do).",
  enabledByDefault: true,
  check(object, index): RuleOutcome {
    const workload = memberWorkload(object, index);
    if ('notApplicable' in workload) {
      return workload;
    }
    const name = object.spec?.serviceName;
    const service = typeof name === 'string' ? index.find('Service', object.metadata?.namespace, name) : undefined;
    if (!service || service.spec?.clusterIP !== 'None') {
      return notApplicable('no headless Service of this name among the checked objects: statefulset-headless-service judges it');
    }
    return service.spec?.publishNotReadyAddresses === true
      ? []
      : [
          violation(
            'spec.serviceName',
            `the headless Service ${name} does not set publishNotReadyAddresses: true, so a member's name resolves only while it is ` +
              'ready (PRIMARY or SECONDARY): before the set is initiated, during an initial sync and after a full outage the members ' +
              'cannot reach each other to initiate, sync or elect; allowed: publishNotReadyAddresses: true',
          ),
        ];
  },
};

export const MONGODB_RULES: readonly Rule[] = [
  MONGODB_EVEN_VOTING_MEMBERS,
  MONGODB_ARBITER_IN_SYSTEM_OF_RECORD,
  MONGODB_ARBITER_WITHOUT_REASON,
  MONGODB_WRITE_CONCERN_BELOW_MAJORITY,
  MONGODB_CRITICAL_DATA_MEMBERS,
  MONGODB_AUTH_DISABLED,
  MONGODB_MEMBER_IP_ADDRESS,
  MONGODB_HEADLESS_PUBLISH_NOT_READY,
];
