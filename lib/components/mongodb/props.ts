import type { Size } from 'cdk8s';
import type { MonitoringProps, PodPlacementProps } from '../../core/component-props';
import type { DataClass, Tier } from '../../core/tier';

export interface MongoReplicaSetProps extends PodPlacementProps, MonitoringProps {
  /**
   * Whether the documents are a system of record (a write acknowledged with the default write concern must survive
   * the loss of a member, its node or its zone) or can be rebuilt.
   *
   * @default DataClass.SYSTEM_OF_RECORD
   */
  readonly dataClass?: DataClass;

  /**
   * The tier whose profile sets spread, priority, alert delays and the oplog window the alerts ask for.
   *
   * @default - the scenario's tier
   */
  readonly tier?: Tier;

  /**
   * Data-bearing members that vote: 3, 5 or 7 (an odd number, at most MongoDB's 7 voters), so a majority survives the
   * loss of one (two with 5, three with 7). With `allowArbiter`, 2, 4 or 6, the arbiter making the voters odd.
   *
   * @default 3
   */
  readonly members?: number;

  /**
   * Members for backups and analytics that never become primary and never vote: `hidden: true, priority: 0,
   * votes: 0`, so a majority write never waits for them. They get a StatefulSet of their own.
   *
   * @default 0
   */
  readonly hiddenMembers?: number;

  /**
   * `secondaryDelaySecs` of the hidden members: they apply the oplog this many seconds late, a window in which a
   * mistaken delete can still be read back from them. Needs `hiddenMembers`, and must stay well inside the oplog
   * window or the delayed members fall off it.
   *
   * @default 0
   */
  readonly hiddenMemberDelaySeconds?: number;

  /**
   * Add an arbiter: a voter that holds no data, so that 2 (or 4, 6) data-bearing members form an odd number of voters
   * (a PSA set). With a data-bearing member down, a majority write then waits until it returns, and the implicit
   * default write concern would drop to `w: 1`: never for a DataClass.SYSTEM_OF_RECORD, and only with `arbiterReason`.
   *
   * @default false
   */
  readonly allowArbiter?: boolean;

  /**
   * Why this set runs an arbiter instead of a third data-bearing member; written on the objects for reviewers.
   *
   * @default - none; required with `allowArbiter`
   */
  readonly arbiterReason?: string;

  /**
   * The replica set name (`replication.replSetName`). A volume that holds another set's data keeps its pod from
   * joining.
   *
   * @default - the construct id
   */
  readonly replicaSetName?: string;

  /**
   * The Secret holding the replica set's keyFile under the key `keyfile`: 6 to 1024 characters of the base64
   * alphabet, the same on every member (e.g. `openssl rand -base64 756`). The team creates it.
   *
   * @default - `<id>-mongodb-keyfile`
   */
  readonly keyFileSecretName?: string;

  /**
   * The Secret holding the passwords under the keys `root-password`, `monitor-password` and `application-password`.
   * The team creates it; no manifest holds a password. The users are created once, on the first primary.
   *
   * @default - `<id>-mongodb-credentials`
   */
  readonly credentialsSecretName?: string;

  /**
   * The user the application connects as; it gets `readWrite` on `database` and nothing else.
   *
   * @default 'app'
   */
  readonly applicationUser?: string;

  /**
   * The database the application user may read and write.
   *
   * @default - the construct id, with "-" replaced by "_"
   */
  readonly database?: string;

  /**
   * The MongoDB image of members, hidden members and the arbiter; it must ship `mongod` and `mongosh`, as the
   * official image does.
   *
   * @default MONGODB_IMAGE
   */
  readonly image?: string;

  /**
   * The image of the mongodb_exporter sidecar.
   *
   * @default MONGODB_EXPORTER_IMAGE
   */
  readonly exporterImage?: string;

  /**
   * The memory request and limit of a member's mongod container.
   *
   * @default Size.gibibytes(4)
   */
  readonly memory?: Size;

  /**
   * The WiredTiger cache (`storage.wiredTiger.engineConfig.cacheSizeGB`). At most 60% of `memory`: connections,
   * aggregations and the file system cache need the rest.
   *
   * @default - half of `memory` less 1Gi, at least 256Mi (MongoDB's own rule, applied to the container's limit)
   */
  readonly wiredTigerCacheSize?: Size;

  /**
   * The CPU request of a member's mongod container, in millicores.
   *
   * @default 1000
   */
  readonly cpuMillis?: number;

  /**
   * The volume of each data-bearing member.
   *
   * @default Size.gibibytes(50)
   */
  readonly storageSize?: Size;

  /**
   * The oplog's size (`replication.oplogSizeMB`): the window a member that was down can catch up within, without a
   * full initial sync.
   *
   * @default - MongoDB's: 5% of the volume, from 990Mi to 50Gi
   */
  readonly oplogSize?: Size;

  /**
   * The storage class of the volumes; use a zonal class with `WaitForFirstConsumer` binding.
   *
   * @default - the cluster's default storage class
   */
  readonly storageClassName?: string;

  /**
   * `settings.electionTimeoutMillis`: how long the secondaries wait without hearing the primary before one calls an
   * election. Shorter fails over sooner and risks elections on a slow network.
   *
   * @default 10000
   */
  readonly electionTimeoutMilliseconds?: number;

  /**
   * The members' grace period. The preStop hook steps a primary down, waiting up to 20 s for a secondary to catch
   * up, then mongod quiesces for 15 s and flushes; SIGKILL at the end of the period skips the rest.
   *
   * @default 90
   */
  readonly terminationGracePeriodSeconds?: number;
}
