import { readFileSync, renameSync, writeFileSync } from 'node:fs';
export { lockWorld, unlockWorld } from '../../../support/file-lock';

/**
 * The state the stand-in executables share: the members as MySQL would report them, the InnoDB Cluster metadata and
 * every call received. The test writes one per case; each stand-in invocation reads it, acts, and writes it back
 * (replaced atomically, so a test that mutates the world while a script runs never reads half a file) while it holds
 * the world's lock, which a test's change takes too: otherwise a stand-in that read the world before the change would
 * write the old world back over it.
 */
export interface Member {
  /** report_host: the pod's DNS name. */
  readonly host: string;
  readonly uuid: string;
  /** mysqld runs and answers (socket and TCP). */
  up: boolean;
  gtidExecuted: string;
  gtidPurged: string;
  /** The mysql_innodb_cluster_metadata schema exists on this server. */
  metadata: boolean;
  /** MEMBER_STATE of this server in performance_schema.replication_group_members. */
  state: 'ONLINE' | 'RECOVERING' | 'OFFLINE' | 'ERROR';
  role: 'PRIMARY' | 'SECONDARY' | '';
  /** Still part of the group's view (a crashed member stays in it, UNREACHABLE, until the group expels it). */
  inView: boolean;
  /** COUNT_TRANSACTIONS_REMOTE_IN_APPLIER_QUEUE in performance_schema.replication_group_member_stats. */
  applierQueue: number;
  /** Accounts created on this server after initialization (by AdminAPI): user names. */
  accounts: string[];
}

export interface Call {
  readonly tool: string;
  /** POD_NAME of the caller. */
  readonly pod: string;
  /** The server the call went to. */
  readonly host: string;
  /** What was done: an AdminAPI method, a statement, a bootstrap. */
  readonly op: string;
  readonly detail: string;
  readonly argv: string[];
}

export interface World {
  readonly clusterName: string;
  readonly port: number;
  readonly passwords: { readonly root: string; readonly admin: string; readonly monitor: string; readonly router: string };
  readonly users: { readonly admin: string; readonly monitor: string; readonly router: string };
  members: Member[];
  /** Addresses (host:port) registered in the cluster metadata (the same on every member that holds it). */
  metadataMembers: string[];
  /** The options of the last createCluster(), as AdminAPI stores them in the metadata. */
  clusterOptions?: Record<string, unknown>;
  /** Content of the --init-file of each initialization, by pod. */
  initFiles: Record<string, string>;
  calls: Call[];
}

export function loadWorld(path: string): World {
  return JSON.parse(readFileSync(path, 'utf8')) as World;
}

export function saveWorld(path: string, world: World): void {
  writeFileSync(`${path}.${process.pid}`, JSON.stringify(world, null, 2));
  renameSync(`${path}.${process.pid}`, path);
}

/** A GTID set: transactions by source UUID (tags are kept as part of the key, uuid:tag). */
type GtidSet = Map<string, Array<[number, number]>>;

export function parseGtids(text: string): GtidSet {
  const set: GtidSet = new Map();
  for (const part of text.replace(/\\n|\s/g, '').split(',')) {
    if (!part) continue;
    const fields = part.split(':');
    let source = fields[0];
    for (const field of fields.slice(1)) {
      const range = /^(\d+)(?:-(\d+))?$/.exec(field);
      if (!range) {
        source = `${fields[0]}:${field}`;
        continue;
      }
      const intervals = set.get(source) ?? [];
      intervals.push([Number(range[1]), Number(range[2] ?? range[1])]);
      set.set(source, intervals);
    }
  }
  return set;
}

function covered(intervals: Array<[number, number]>, n: number): boolean {
  return intervals.some(([from, to]) => n >= from && n <= to);
}

/** GTID_SUBSET(a, b): every transaction of a is in b. */
export function gtidSubset(a: string, b: string): boolean {
  const of = parseGtids(b);
  for (const [source, intervals] of parseGtids(a)) {
    for (const [from, to] of intervals) {
      for (let n = from; n <= to; n++) {
        if (!covered(of.get(source) ?? [], n)) return false;
      }
    }
  }
  return true;
}

/** source:1-n, the GTID set of n transactions of one source. */
export function gtids(source: string, n: number): string {
  return n === 0 ? '' : `${source}:1-${n}`;
}
