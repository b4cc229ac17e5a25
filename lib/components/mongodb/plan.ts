import { Size } from 'cdk8s';
import { MonitoringPlan, PodPlacementPlan, resolveMonitoring, resolvePodPlacement } from '../../core/component-props';
import { majority } from '../../core/disruption-budget';
import { isDnsLabel } from '../../core/dns';
import { propValidator, resolveTierAndDataClass } from '../../core/prop-validation';
import { DataClass, Tier, tierProfile } from '../../core/tier';
import type { BusinessScenario } from '../../scenario/business-scenario';
import { MONGODB_EXPORTER_IMAGE, MONGODB_METRICS_PORT } from './observability';
import { MongoReplicaSetProps } from './props';

/** The MongoDB image shipped. No MongoDB runs on these machines: the scripts are tested against a stand-in (see the README). */
export const MONGODB_IMAGE = 'mongo:8.0.26';
export const MONGODB_PORT = 27017;

/** MongoDB's limit on voting members (replica_set_config `kMaxVotingMembers`). */
export const MAX_VOTING_MEMBERS = 7;
/** MongoDB's limit on members (replica_set_config `kMaxMembers`). */
const MAX_MEMBERS = 50;
/**
 * The StatefulSet `<name>-mongod-hidden` at most 52 characters: its pods' `controller-revision-hash` label, the name
 * and an 11-character suffix, must stay a label value (63).
 */
const MAX_NAME_LENGTH = 38;
const MAX_CACHE_SHARE = 0.6;
/** MongoDB's heartbeat interval (`settings.heartbeatIntervalMillis`, kept): an election follows the timeout by about this. */
const HEARTBEAT_SECONDS = 2;
const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** A database name MongoDB accepts on every platform (no `/\. "$*<>:|?`), and not one of its own. */
const DATABASE_NAME = /^[A-Za-z0-9_-]{1,63}$/;
const RESERVED_DATABASES = ['admin', 'local', 'config'];
/** MongoDB's own users of this blueprint; the application user must be another. */
export const MONGODB_ROOT_USER = 'root';
export const MONGODB_MONITOR_USER = 'cluster-monitor';

/** Every knob of a MongoReplicaSet, resolved once from props, scenario, tier and data class. */
export interface MongoReplicaSetPlan extends PodPlacementPlan, MonitoringPlan {
  readonly name: string;
  readonly tier: Tier;
  readonly dataClass: DataClass;
  readonly replicaSetName: string;
  /** Data-bearing voting members. */
  readonly members: number;
  readonly hiddenMembers: number;
  readonly hiddenMemberDelaySeconds: number;
  readonly arbiter: boolean;
  readonly arbiterReason?: string;
  /** Every voter: the data-bearing members and the arbiter. */
  readonly voters: number;
  /** Voters that must be up and connected to elect a primary. */
  readonly votersForElection: number;
  /** Data-bearing members that hold a write before `w: majority` acknowledges it (an arbiter never does). */
  readonly acknowledgingMembers: number;
  readonly keyFileSecretName: string;
  readonly credentialsSecretName: string;
  readonly applicationUser: string;
  readonly database: string;
  readonly image: string;
  readonly memory: Size;
  readonly cpuMillis: number;
  readonly wiredTigerCacheMebibytes: number;
  readonly storageSize: Size;
  readonly oplogSizeMebibytes?: number;
  readonly storageClassName?: string;
  readonly electionTimeoutMilliseconds: number;
  readonly terminationGracePeriodSeconds: number;
  /** Seconds from the loss of the primary to writes accepted again, at most. */
  readonly failoverBudgetSeconds: number;
}

export function resolveMongoReplicaSetPlan(path: string, id: string, props: MongoReplicaSetProps, scenario: BusinessScenario): MongoReplicaSetPlan {
  const validator = propValidator(path);
  const { fail, wholeNumber, mebibytes, imageReference } = validator;

  validator.dnsLabelId(id, MAX_NAME_LENGTH);
  const { tier, dataClass } = resolveTierAndDataClass(validator, props, scenario);
  const tierDefaults = tierProfile(tier);
  const systemOfRecord = dataClass === DataClass.SYSTEM_OF_RECORD;

  const arbiter = props.allowArbiter ?? false;
  if (typeof arbiter !== 'boolean') {
    fail('allowArbiter', arbiter, 'true or false');
  }
  const arbiterReason = props.arbiterReason?.trim();
  if (arbiter && systemOfRecord) {
    fail(
      'allowArbiter',
      arbiter,
      'false for a DataClass.SYSTEM_OF_RECORD: with a data-bearing member down, an arbiter set either stalls majority writes or, with the implicit w: 1, acknowledges writes one member holds',
    );
  }
  if (arbiter && !arbiterReason) {
    fail('arbiterReason', props.arbiterReason, 'a sentence saying why this set runs an arbiter instead of a third data-bearing member');
  }
  if (!arbiter && props.arbiterReason !== undefined) {
    fail('arbiterReason', props.arbiterReason, 'nothing unless allowArbiter is true');
  }
  const members = props.members ?? (arbiter ? 2 : 3);
  if (arbiter) {
    if (![2, 4, 6].includes(members)) {
      fail('members', members, '2, 4 or 6 with an arbiter: the arbiter makes the voters odd, and MongoDB allows at most 7');
    }
  } else if (![3, 5, 7].includes(members)) {
    fail(
      'members',
      members,
      '3, 5 or 7: an odd number of voters, so a majority survives the loss of one (two with 5, three with 7) and an even split never stalls an election; MongoDB allows at most 7',
    );
  }
  if (tier === Tier.CRITICAL && members < 3) {
    fail('members', members, 'at least 3 data-bearing members in the CRITICAL tier, so a majority write survives the loss of one');
  }
  const voters = members + (arbiter ? 1 : 0);
  const hiddenMembers = wholeNumber('hiddenMembers', props.hiddenMembers ?? 0, 0, MAX_MEMBERS - voters);
  const hiddenMemberDelaySeconds = wholeNumber('hiddenMemberDelaySeconds', props.hiddenMemberDelaySeconds ?? 0, 0, 7 * 24 * 3600);
  if (hiddenMemberDelaySeconds > 0 && hiddenMembers === 0) {
    fail('hiddenMemberDelaySeconds', hiddenMemberDelaySeconds, '0 unless hiddenMembers is at least 1: the delay applies to the hidden members');
  }

  const replicaSetName = props.replicaSetName ?? id;
  if (typeof replicaSetName !== 'string' || !isDnsLabel(replicaSetName, 63)) {
    fail(
      'replicaSetName',
      replicaSetName,
      'a DNS label (lower-case letters, digits and "-", starting with a letter), as MongoDB and the connection string take it',
    );
  }
  const secretName = (prop: 'keyFileSecretName' | 'credentialsSecretName', fallback: string): string => {
    const name = props[prop] ?? fallback;
    if (typeof name !== 'string' || !isDnsLabel(name, 253)) {
      fail(prop, name, 'the name of a Secret: lower-case letters, digits and "-"');
    }
    return name;
  };
  const applicationUser = props.applicationUser ?? 'app';
  if (
    typeof applicationUser !== 'string' ||
    !USER_NAME.test(applicationUser) ||
    [MONGODB_ROOT_USER, MONGODB_MONITOR_USER].includes(applicationUser)
  ) {
    fail(
      'applicationUser',
      applicationUser,
      `1 to 64 letters, digits, ".", "_" or "-", not "${MONGODB_ROOT_USER}" or "${MONGODB_MONITOR_USER}" (the set's own users)`,
    );
  }
  const database = props.database ?? id.replace(/-/g, '_');
  if (typeof database !== 'string' || !DATABASE_NAME.test(database) || RESERVED_DATABASES.includes(database)) {
    fail('database', database, 'letters, digits, "_" and "-" (at most 63), not admin, local or config');
  }

  const memory = props.memory ?? Size.gibibytes(4);
  const memoryMebibytes = mebibytes('memory', memory, 1024);
  const cacheLimit = Math.floor(memoryMebibytes * MAX_CACHE_SHARE);
  const wiredTigerCacheMebibytes =
    props.wiredTigerCacheSize === undefined
      ? Math.max(256, Math.floor((memoryMebibytes - 1024) / 2))
      : mebibytes('wiredTigerCacheSize', props.wiredTigerCacheSize, 256);
  if (wiredTigerCacheMebibytes > cacheLimit) {
    fail(
      'wiredTigerCacheSize',
      `${wiredTigerCacheMebibytes}Mi`,
      `at most 60% of memory (${cacheLimit}Mi of ${memoryMebibytes}Mi): connections, aggregations and the file system cache need the rest`,
    );
  }
  const storageSize = props.storageSize ?? Size.gibibytes(50);
  const storageMebibytes = mebibytes('storageSize', storageSize, 1024);
  const oplogSizeMebibytes = props.oplogSize === undefined ? undefined : mebibytes('oplogSize', props.oplogSize, 990);
  if (oplogSizeMebibytes !== undefined && oplogSizeMebibytes > storageMebibytes / 2) {
    fail('oplogSize', `${oplogSizeMebibytes}Mi`, `at most half of storageSize (${Math.floor(storageMebibytes / 2)}Mi): the data needs the rest`);
  }

  const electionTimeoutMilliseconds = wholeNumber('electionTimeoutMilliseconds', props.electionTimeoutMilliseconds ?? 10_000, 2_000, 60_000);
  const terminationGracePeriodSeconds = wholeNumber('terminationGracePeriodSeconds', props.terminationGracePeriodSeconds ?? 90, 60);
  const image = imageReference('image', props.image ?? MONGODB_IMAGE, MONGODB_IMAGE);
  const exporterImage = imageReference('exporterImage', props.exporterImage ?? MONGODB_EXPORTER_IMAGE, MONGODB_EXPORTER_IMAGE);

  return {
    name: id,
    tier,
    dataClass,
    replicaSetName,
    members,
    hiddenMembers,
    hiddenMemberDelaySeconds,
    arbiter,
    arbiterReason,
    voters,
    votersForElection: majority(voters),
    acknowledgingMembers: majority(voters),
    keyFileSecretName: secretName('keyFileSecretName', `${id}-mongodb-keyfile`),
    credentialsSecretName: secretName('credentialsSecretName', `${id}-mongodb-credentials`),
    applicationUser,
    database,
    image,
    memory,
    cpuMillis: wholeNumber('cpuMillis', props.cpuMillis ?? 1000, 1),
    wiredTigerCacheMebibytes,
    storageSize,
    oplogSizeMebibytes,
    storageClassName: props.storageClassName,
    electionTimeoutMilliseconds,
    terminationGracePeriodSeconds,
    failoverBudgetSeconds: Math.ceil(electionTimeoutMilliseconds / 1000) + HEARTBEAT_SECONDS,
    ...resolvePodPlacement(validator, props, tierDefaults, scenario),
    ...resolveMonitoring({ ...props, exporterImage }, MONGODB_EXPORTER_IMAGE, MONGODB_METRICS_PORT),
  };
}
