import { createHash } from 'node:crypto';
import { Size } from 'cdk8s';
import { MonitoringPlan, PodPlacementPlan, resolveMonitoring, resolvePodPlacement } from '../../core/component-props';
import { isDnsLabel } from '../../core/dns';
import { majority } from '../../core/disruption-budget';
import { propValidator, resolveTierAndDataClass } from '../../core/prop-validation';
import { DataClass, Tier, tierProfile } from '../../core/tier';
import type { BusinessScenario } from '../../scenario/business-scenario';
import { MYSQLD_EXPORTER_IMAGE } from './observability';
import { MysqlEngine, MysqlReplicationProps } from './props';

/** The MySQL image shipped: it carries mysqld, the clients and MySQL Shell. No test here runs it (see the README). */
export const MYSQL_IMAGE = 'mysql:8.4.11';
/** MySQL Router, the same 8.4 release as the server. */
export const MYSQL_ROUTER_IMAGE = 'container-registry.oracle.com/mysql/community-router:8.4.11';
/** The MariaDB image shipped; the fault tests run Debian's MariaDB 10.11 with galera-4 (see the README). */
export const MARIADB_IMAGE = 'mariadb:11.4.11';
/** The HAProxy of the MariaDB writer endpoint; the tests run Debian's HAProxy 2.6. */
export const MYSQL_HAPROXY_IMAGE = 'haproxy:3.2.19';

/** Ports of the members besides SQL, per engine; none may be taken by the SQL or metrics port. Group Replication talks over the SQL port (the MYSQL communication stack). */
export const MYSQL_ADMIN_PORT = 33062;
export const ROUTER_READ_WRITE_PORT = 6446;
export const ROUTER_READ_ONLY_PORT = 6447;
export const GALERA_PORT = 4567;
export const GALERA_IST_PORT = 4568;
export const GALERA_SST_PORT = 4444;
export const GALERA_AGENT_PORT = 9200;
/** HAProxy: writes on the SQL port, reads on the next one, liveness on 8404 and Prometheus metrics on 8405. */
export const PROXY_HEALTH_PORT = 8404;
export const PROXY_METRICS_PORT = 8405;
/** Added to the ordinal (plus one) for `server_id`, which must be unique and non-zero. */
export const SERVER_ID_OFFSET = 1000;

const MEBIBYTE = 1024 * 1024;
/** `<name>-mysql-headless` must stay a DNS label (63), and so must `<name>-mysql-credentials`. */
const MAX_NAME_LENGTH = 40;
const MAX_BUFFER_POOL_SHARE = 0.75;
const MYSQL_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Group Replication suspects an unreachable member after a fixed 5 s, then waits member_expel_timeout. */
export const GROUP_REPLICATION_SUSPICION_SECONDS = 5;
/** HAProxy notices a lost writer after `fall` failed checks `inter` apart (see galera-config.ts). */
const PROXY_DETECTION_SECONDS = 2;

/** Every knob of a MysqlReplication, resolved once from props, scenario, tier and data class. */
export interface MysqlReplicationPlan extends PodPlacementPlan, MonitoringPlan {
  readonly name: string;
  readonly engine: MysqlEngine;
  readonly tier: Tier;
  readonly dataClass: DataClass;
  readonly members: number;
  /** Members that must be up and connected for commits: a majority. */
  readonly quorum: number;
  readonly port: number;
  readonly image: string;
  readonly endpoint: {
    readonly kind: 'router' | 'proxy';
    readonly image: string;
    readonly replicas: number;
    readonly readWritePort: number;
    readonly readOnlyPort: number;
  };
  /** UUID of the replication group (MYSQL_8_4), derived from the scenario and name: the same on every synthesis. */
  readonly groupName: string;
  readonly failureDetectionMilliseconds: number;
  readonly memory: Size;
  readonly cpuMillis: number;
  readonly bufferPoolBytes: number;
  readonly storageSize: Size;
  readonly storageClassName?: string;
  readonly binlogRetentionSeconds: number;
  readonly credentialsSecretName: string;
  readonly applicationUser: string;
  readonly database: string;
  readonly handoverTimeoutSeconds: number;
  readonly terminationGracePeriodSeconds: number;
  /** Seconds from the loss of the primary (or writer) to commits accepted again, at most. */
  readonly failoverBudgetSeconds: number;
}

const ENGINE_CHOICES = 'MysqlEngine.MYSQL_8_4, MysqlEngine.MARIADB_11_4';

function isEngine(value: unknown): value is MysqlEngine {
  return (Object.values(MysqlEngine) as unknown[]).includes(value);
}

/** A name-based UUID (version 5 layout over SHA-1), so the group keeps its name across syntheses and machines. */
export function stableUuid(...parts: string[]): string {
  const hex = createHash('sha1').update(parts.join('\0')).digest('hex').slice(0, 32).split('');
  hex[12] = '5';
  hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  const digits = hex.join('');
  return `${digits.slice(0, 8)}-${digits.slice(8, 12)}-${digits.slice(12, 16)}-${digits.slice(16, 20)}-${digits.slice(20)}`;
}

export function resolveMysqlReplicationPlan(
  path: string,
  id: string,
  props: MysqlReplicationProps,
  scenario: BusinessScenario,
): MysqlReplicationPlan {
  const validator = propValidator(path);
  const { fail, wholeNumber, mebibytes, imageReference } = validator;

  validator.dnsLabelId(id, MAX_NAME_LENGTH);
  const engine = props.engine ?? MysqlEngine.MYSQL_8_4;
  if (!isEngine(engine)) {
    fail('engine', engine, `one of ${ENGINE_CHOICES}`);
  }
  const { tier, dataClass } = resolveTierAndDataClass(validator, props, scenario);
  const tierDefaults = tierProfile(tier);

  const members = props.members ?? 3;
  if (!Number.isInteger(members) || members < 3 || members > 9 || members % 2 === 0) {
    fail(
      'members',
      members,
      'an odd whole number from 3 to 9: a majority survives the loss of a member, and an even split would leave no side with a majority',
    );
  }
  if (tier === Tier.CRITICAL && scenario.zones < 3) {
    fail(
      'zones',
      scenario.zones,
      'at least 3 zones for a CRITICAL database (the scenario\'s "zones"): with 2, losing the zone that holds the majority stops every commit',
    );
  }
  const endpointReplicas = wholeNumber('endpointReplicas', props.endpointReplicas ?? 2, 2);

  const failureDetectionMilliseconds = wholeNumber(
    'failureDetectionMilliseconds',
    props.failureDetectionMilliseconds ?? tierDefaults.failureDetectionMilliseconds,
    engine === MysqlEngine.MYSQL_8_4 ? GROUP_REPLICATION_SUSPICION_SECONDS * 1000 : 1000,
    3_600_000,
  );
  if (engine === MysqlEngine.MYSQL_8_4 && failureDetectionMilliseconds % 1000 !== 0) {
    fail(
      'failureDetectionMilliseconds',
      failureDetectionMilliseconds,
      'whole seconds with MysqlEngine.MYSQL_8_4: the 5 s suspicion plus group_replication_member_expel_timeout, which counts in seconds',
    );
  }

  const memory = props.memory ?? Size.gibibytes(2);
  const memoryMebibytes = mebibytes('memory', memory, 512);
  const bufferPoolMebibytes =
    props.bufferPoolSize === undefined ? Math.floor(memoryMebibytes / 2) : mebibytes('bufferPoolSize', props.bufferPoolSize, 128);
  const bufferPoolLimit = Math.floor(memoryMebibytes * MAX_BUFFER_POOL_SHARE);
  if (bufferPoolMebibytes > bufferPoolLimit) {
    fail(
      'bufferPoolSize',
      `${bufferPoolMebibytes}Mi`,
      `at most 75% of memory (${bufferPoolLimit}Mi of ${memoryMebibytes}Mi), leaving room for connections, sort buffers and the binary log cache`,
    );
  }
  const storageSize = props.storageSize ?? Size.gibibytes(20);
  mebibytes('storageSize', storageSize, 1024);

  const port = wholeNumber('port', props.port ?? 3306, 1, 65535);
  const metricsPort = wholeNumber('metricsPort', props.metricsPort ?? 9104, 1, 65535);
  const reserved: Record<string, number> =
    engine === MysqlEngine.MYSQL_8_4
      ? { 'the admin port': MYSQL_ADMIN_PORT, 'the X protocol port': 33060 }
      : {
          'the Galera port': GALERA_PORT,
          'the incremental state transfer port': GALERA_IST_PORT,
          'the state snapshot transfer port': GALERA_SST_PORT,
          'the Galera agent port': GALERA_AGENT_PORT,
        };
  for (const [prop, value] of [
    ['port', port],
    ['metricsPort', metricsPort],
  ] as const) {
    const taken = Object.entries(reserved).find(([, reservedPort]) => reservedPort === value);
    if (taken) {
      fail(prop, value, `a port other than ${taken[1]}, which is ${taken[0]} of ${engine}`);
    }
  }
  if (metricsPort === port) {
    fail('metricsPort', metricsPort, `a port other than the SQL port ${port}`);
  }

  const credentialsSecretName = props.credentialsSecretName ?? `${id}-mysql-credentials`;
  if (!isDnsLabel(credentialsSecretName, 253)) {
    fail('credentialsSecretName', credentialsSecretName, 'the name of a Secret: lower-case letters, digits and "-"');
  }
  const applicationUser = props.applicationUser ?? 'app';
  if (typeof applicationUser !== 'string' || !MYSQL_IDENTIFIER.test(applicationUser) || applicationUser.length > 32) {
    fail('applicationUser', applicationUser, 'a MySQL user name of at most 32 letters, digits and "_", not starting with a digit');
  }
  if (['root', 'replication', 'monitor', 'router', 'mysql.sys', 'mariadb.sys'].includes(applicationUser)) {
    fail('applicationUser', applicationUser, 'a user other than root, replication, monitor and router, which the cluster itself uses');
  }
  const database = props.database ?? id.replace(/-/g, '_');
  if (typeof database !== 'string' || !MYSQL_IDENTIFIER.test(database) || database.length > 64) {
    fail('database', database, 'a database name of at most 64 letters, digits and "_", not starting with a digit');
  }
  if (['mysql', 'sys', 'information_schema', 'performance_schema', 'mysql_innodb_cluster_metadata'].includes(database.toLowerCase())) {
    fail('database', database, 'a database of the application, not a system schema');
  }

  const binlogRetentionSeconds = wholeNumber('binlogRetentionSeconds', props.binlogRetentionSeconds ?? 604_800, 3600, 4_294_967_295);
  const handoverTimeoutSeconds = wholeNumber('handoverTimeoutSeconds', props.handoverTimeoutSeconds ?? 30, 1);
  const terminationGracePeriodSeconds = wholeNumber('terminationGracePeriodSeconds', props.terminationGracePeriodSeconds ?? 120, 1);
  const minimumGrace = handoverTimeoutSeconds + 30;
  if (terminationGracePeriodSeconds < minimumGrace) {
    fail(
      'terminationGracePeriodSeconds',
      terminationGracePeriodSeconds,
      `at least handoverTimeoutSeconds + 30 = ${minimumGrace}: the handover, then a clean InnoDB shutdown, before SIGKILL`,
    );
  }
  const placement = resolvePodPlacement(validator, props, tierDefaults, scenario);
  const image = props.image ?? (engine === MysqlEngine.MYSQL_8_4 ? MYSQL_IMAGE : MARIADB_IMAGE);
  const endpointImage = props.endpointImage ?? (engine === MysqlEngine.MYSQL_8_4 ? MYSQL_ROUTER_IMAGE : MYSQL_HAPROXY_IMAGE);
  for (const [prop, value] of [
    ['image', image],
    ['endpointImage', endpointImage],
  ] as const) {
    imageReference(prop, value, 'mysql:8.4.11');
  }
  const detectionSeconds = Math.ceil(failureDetectionMilliseconds / 1000);

  return {
    name: id,
    engine,
    tier,
    dataClass,
    members,
    quorum: majority(members),
    port,
    image,
    endpoint:
      engine === MysqlEngine.MYSQL_8_4
        ? {
            kind: 'router',
            image: endpointImage,
            replicas: endpointReplicas,
            readWritePort: ROUTER_READ_WRITE_PORT,
            readOnlyPort: ROUTER_READ_ONLY_PORT,
          }
        : { kind: 'proxy', image: endpointImage, replicas: endpointReplicas, readWritePort: port, readOnlyPort: port + 1 },
    groupName: stableUuid('stability-blueprints', scenario.namespace ?? '', scenario.scenarioName, id),
    failureDetectionMilliseconds,
    memory,
    cpuMillis: wholeNumber('cpuMillis', props.cpuMillis ?? 1000, 1),
    bufferPoolBytes: bufferPoolMebibytes * MEBIBYTE,
    storageSize,
    storageClassName: props.storageClassName,
    binlogRetentionSeconds,
    credentialsSecretName,
    applicationUser,
    database,
    handoverTimeoutSeconds,
    terminationGracePeriodSeconds,
    ...placement,
    ...resolveMonitoring(props, MYSQLD_EXPORTER_IMAGE, metricsPort),
    // Router follows a new primary within its 0.5 s metadata TTL; HAProxy needs its own checks to fail.
    failoverBudgetSeconds: engine === MysqlEngine.MYSQL_8_4 ? detectionSeconds + 2 : detectionSeconds + PROXY_DETECTION_SECONDS + 1,
  };
}
