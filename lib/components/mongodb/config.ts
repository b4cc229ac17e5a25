/** What the files of one replica set are rendered from. */
export interface MongoConfigInput {
  readonly replicaSetName: string;
  readonly port: number;
  readonly dataDir: string;
  readonly keyFile: string;
  readonly wiredTigerCacheMebibytes: number;
  readonly oplogSizeMebibytes?: number;
}

/** mongod's quiesce period on SIGTERM (MongoDB's default, kept): a primary steps down, then waits this long for its clients. */
export const SHUTDOWN_QUIESCE_MILLISECONDS = 15_000;

/** mongod.conf, the same on every member and on the arbiter: nothing in it differs per pod. */
export function renderMongodConfig(input: MongoConfigInput): string {
  const cacheGigabytes = Math.floor((input.wiredTigerCacheMebibytes / 1024) * 100) / 100;
  return [
    '# mongod configuration (stability-blueprints): the same on every member.',
    '# No systemLog section: mongod logs to stdout, where the kubelet collects it.',
    'storage:',
    `  dbPath: ${input.dataDir}`,
    '  wiredTiger:',
    '    engineConfig:',
    // The container's memory limit, not the node's: MongoDB sizes the default cache from the memory it sees.
    `      cacheSizeGB: ${cacheGigabytes}`,
    'net:',
    `  port: ${input.port}`,
    '  bindIpAll: true',
    'replication:',
    `  replSetName: ${input.replicaSetName}`,
    ...(input.oplogSizeMebibytes === undefined ? [] : [`  oplogSizeMB: ${input.oplogSizeMebibytes}`]),
    'security:',
    `  keyFile: ${input.keyFile}`,
    '  authorization: enabled',
    'setParameter:',
    `  shutdownTimeoutMillisForSignaledShutdown: ${SHUTDOWN_QUIESCE_MILLISECONDS}`,
    '',
  ].join('\n');
}

/** The kind of member a pod is in the replica set configuration. */
export enum MemberKind {
  /** Holds data, votes and may become primary. */
  VOTER = 'voter',
  /** Holds data, never votes, never becomes primary, invisible to clients. */
  HIDDEN = 'hidden',
  /** Votes and holds no data. */
  ARBITER = 'arbiter',
}

/** One member of the intended replica set, as the agent reads it: the pod and the headless Service that names it. */
export interface IntendedMember {
  readonly id: number;
  readonly pod: string;
  readonly service: string;
  readonly kind: MemberKind;
  /** The member's entry in the replica set configuration, once it has joined and caught up. */
  readonly config: Readonly<Record<string, unknown>>;
}

/** The set every agent works towards: `replica-set.json` in the config ConfigMap. */
export interface IntendedReplicaSet {
  readonly replicaSetName: string;
  readonly port: number;
  /** The only member that may initiate the set, and only when every member answers without a configuration. */
  readonly initiator: string;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly members: readonly IntendedMember[];
}

export function intendedMember(kind: MemberKind, id: number, pod: string, service: string, secondaryDelaySeconds = 0): IntendedMember {
  const config: Record<MemberKind, Record<string, unknown>> = {
    [MemberKind.VOTER]: { priority: 1, votes: 1 },
    [MemberKind.HIDDEN]: { hidden: true, priority: 0, votes: 0, secondaryDelaySecs: secondaryDelaySeconds },
    [MemberKind.ARBITER]: { arbiterOnly: true, priority: 0, votes: 1 },
  };
  return { id, pod, service, kind, config: config[kind] };
}

export function renderIntendedReplicaSet(set: IntendedReplicaSet): string {
  return `${JSON.stringify(set, null, 2)}\n`;
}
