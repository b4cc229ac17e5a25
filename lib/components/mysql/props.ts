import type { Size } from 'cdk8s';
import type { MonitoringProps, PodPlacementProps } from '../../core/component-props';
import type { DataClass, Tier } from '../../core/tier';

/** The database engine and its high-availability mechanism; both are majority-quorum clusters that fail over by themselves. */
export enum MysqlEngine {
  /**
   * MySQL 8.4 LTS with Group Replication in single-primary mode, managed as an InnoDB Cluster (MySQL Shell), and MySQL
   * Router in front. The group elects a new primary by majority; Router follows it.
   */
  MYSQL_8_4 = 'mysql-8.4',
  /**
   * MariaDB 11.4 LTS with Galera 4: every member holds every committed transaction (certified by the whole primary
   * component), and HAProxy sends writes to one Synced member at a time.
   */
  MARIADB_11_4 = 'mariadb-11.4',
}

export interface MysqlReplicationProps extends PodPlacementProps, MonitoringProps {
  /**
   * The engine and its clustering.
   *
   * @default MysqlEngine.MYSQL_8_4
   */
  readonly engine?: MysqlEngine;

  /**
   * Whether the data is a system of record (every commit on disk before it is acknowledged) or can be rebuilt.
   *
   * @default DataClass.SYSTEM_OF_RECORD
   */
  readonly dataClass?: DataClass;

  /**
   * The tier whose profile sets spread, priority and failure detection.
   *
   * @default - the scenario's tier
   */
  readonly tier?: Tier;

  /**
   * Database pods, every one a voting member holding all the data. Odd, from 3 to 9: a majority survives the loss of
   * one (of two with 5), and an even split never leaves both halves without a primary.
   *
   * @default 3
   */
  readonly members?: number;

  /**
   * How long a member must be unreachable before the others remove it and, if it was the primary, elect another:
   * Galera's `evs.suspect_timeout`; Group Replication's 5 s suspicion plus `group_replication_member_expel_timeout`.
   *
   * @default - the tier's failure detection time (5000 for CRITICAL and HIGH, 10000 for STANDARD)
   */
  readonly failureDetectionMilliseconds?: number;

  /**
   * Proxy pods in front of the members: MySQL Router (MYSQL_8_4) or HAProxy (MARIADB_11_4). At least 2, so one keeps
   * routing while the other is drained.
   *
   * @default 2
   */
  readonly endpointReplicas?: number;

  /**
   * The image of the database pods.
   *
   * @default - the engine's image: MYSQL_IMAGE or MARIADB_IMAGE
   */
  readonly image?: string;

  /**
   * The image of the proxy pods.
   *
   * @default - MYSQL_ROUTER_IMAGE for MYSQL_8_4, HAPROXY_IMAGE for MARIADB_11_4
   */
  readonly endpointImage?: string;

  /**
   * The Secret holding the passwords, under the keys `root-password`, `replication-password`, `monitor-password`,
   * `application-password` (and `router-password` for MYSQL_8_4). The team creates it; no manifest holds a password.
   *
   * @default - `<id>-mysql-credentials`
   */
  readonly credentialsSecretName?: string;

  /**
   * The user the application connects as; it gets every privilege on `database` and nothing else.
   *
   * @default 'app'
   */
  readonly applicationUser?: string;

  /**
   * The database created for the application.
   *
   * @default - the construct id, with "-" replaced by "_"
   */
  readonly database?: string;

  /**
   * The memory request and limit of a database container.
   *
   * @default Size.gibibytes(2)
   */
  readonly memory?: Size;

  /**
   * The CPU request of a database container, in millicores.
   *
   * @default 1000
   */
  readonly cpuMillis?: number;

  /**
   * `innodb_buffer_pool_size`. At most 75% of `memory`: connections, sort buffers, the binary log cache and the
   * engine's own caches need the rest, or the container is killed for memory at the first burst.
   *
   * @default - half of `memory`
   */
  readonly bufferPoolSize?: Size;

  /**
   * The volume of each database pod.
   *
   * @default Size.gibibytes(20)
   */
  readonly storageSize?: Size;

  /**
   * The storage class of the volumes; use a zonal class with `WaitForFirstConsumer` binding.
   *
   * @default - the cluster's default storage class
   */
  readonly storageClassName?: string;

  /**
   * How long the binary logs are kept (`binlog_expire_logs_seconds`): a member away for longer rejoins by a full copy
   * (clone or SST) instead of catching up.
   *
   * @default 604800 (7 days)
   */
  readonly binlogRetentionSeconds?: number;

  /**
   * How long a primary (MYSQL_8_4) or the writer (MARIADB_11_4) that is being stopped waits for the role to move
   * before it shuts down anyway.
   *
   * @default 30
   */
  readonly handoverTimeoutSeconds?: number;

  /**
   * The pods' grace period; covers the handover and a clean InnoDB shutdown.
   *
   * @default 120
   */
  readonly terminationGracePeriodSeconds?: number;

  /**
   * The port clients and members use for SQL.
   *
   * @default 3306
   */
  readonly port?: number;

  /**
   * The mysqld_exporter image of the metrics sidecar.
   *
   * @default MYSQLD_EXPORTER_IMAGE
   */
  readonly exporterImage?: string;

  /**
   * Port of the exporter sidecars.
   *
   * @default 9104
   */
  readonly metricsPort?: number;
}
