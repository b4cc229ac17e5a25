import { k8s } from 'cdk8s-plus-28';
import { secretEnv } from '../../core/container';
import type { SecretKeyReference } from '../../core/secrets';
import { majority } from '../../core/disruption-budget';
import { DataClass, Tier } from '../../core/tier';
import { metricsSidecar } from '../../observability/component-monitoring';
import { grafanaDashboardModel, timeseriesPanel } from '../../observability/dashboard';
import {
  alertDelaySeconds,
  AlertRule,
  AlertSeverity,
  dataClaimsSelector,
  podSetSelector,
  volumeAlerts,
  volumeFreeShare,
  withMatchers,
} from '../../observability/monitoring';

/**
 * The exporter shipped: Percona's mongodb_exporter 0.53.0, the newest release tag (`v0.53.0`, 2026-08-20, the `VERSION`
 * file of percona/mongodb_exporter at 48208f20; the repository's newest tag when read). Its goreleaser config publishes
 * `percona/mongodb_exporter:<version without the v>`, a scratch image that runs `/mongodb_exporter` as 65535:65535 and
 * writes nothing, so it runs with a read-only root filesystem. It supports MongoDB 6.0 and newer (README). Taken from the
 * source, not pulled here.
 */
export const MONGODB_EXPORTER_IMAGE = 'percona/mongodb_exporter:0.53.0';
/** The exporter's default `--web.listen-address` port. */
export const MONGODB_METRICS_PORT = 9216;

/**
 * `app.kubernetes.io/component` of the data-bearing voting members (StatefulSet `<name>-mongod`, pods `<name>-mongod-<n>`)
 * and of the hidden members (`<name>-mongod-hidden`, votes 0, priority 0), whose exporters the rules select.
 */
export const MONGODB_MEMBER_COMPONENT = 'mongod';
export const MONGODB_HIDDEN_COMPONENT = 'mongod-hidden';

/**
 * The exporter's connection: only the mongod of its own pod, never the set. `directConnection=true` keeps the driver on
 * that one host whatever its state (a replica-set connection would follow the primary); `--mongodb.direct-connect`
 * (the exporter's default, which it applies over the URI's option: exporter.go `connect`) says so again. The path's
 * database, admin, is where the monitor user is authenticated. No credentials: those come from the environment.
 */
export function mongodbExporterUri(mongodPort = 27017): string {
  return `mongodb://127.0.0.1:${mongodPort}/admin?directConnection=true`;
}

/**
 * The exporter's flags, for the mongod on `mongodPort` of the pod's loopback (percona/mongodb_exporter 0.53.0, main.go `GlobalFlags`, REFERENCE.md):
 *
 * - `--collector.replicasetstatus`: replSetGetStatus on every scrape. The set as this member sees it, one series per
 *   member: `mongodb_members_state` / `_health` / `_optimeDate` with `member_idx` (the member's host) and
 *   `member_state` (its stateStr); the member's own state `mongodb_myState`; the election term `mongodb_term`.
 * - `--collector.diagnosticdata` with `--compatible-mode`: getDiagnosticData (serverStatus: `mongodb_ss_*`), and, in
 *   compatible mode only, the first and last entry of `local.oplog.rs` (`mongodb_mongod_replset_oplog_tail_timestamp`,
 *   `_head_timestamp`): the oplog window. Nothing else reports it.
 * - `--mongodb.global-conn-pool`: one connection kept across scrapes. Without it every scrape opens and authenticates a
 *   new client (SCRAM per scrape, and three log lines on mongod every 15 s).
 *
 * The other collectors (dbstats, collstats, indexstats, top, currentop, profile) stay off: they walk every collection
 * and cost the member more than the alerts need. `--log.level` stays at its default, `error`: at `debug` the exporter logs
 * the connection URI, which then carries the password.
 */
export function mongodbExporterArgs(mongodPort = 27017, metricsPort: number = MONGODB_METRICS_PORT): string[] {
  return [
    `--mongodb.uri=${mongodbExporterUri(mongodPort)}`,
    '--mongodb.direct-connect',
    '--mongodb.global-conn-pool',
    `--web.listen-address=:${metricsPort}`,
    '--web.telemetry-path=/metrics',
    '--collector.replicasetstatus',
    '--collector.diagnosticdata',
    '--compatible-mode',
  ];
}

/**
 * The exporter's credentials: `MONGODB_USER` and `MONGODB_PASSWORD`, the environment variables of `--mongodb.user` and
 * `--mongodb.password` (main.go `GlobalFlags`), which it puts into the URI in memory (main.go `buildURI`, escaped). The
 * README warns that the flags show in `ps`; the password only comes from the Secret, never from args.
 *
 * The user needs the roles `clusterMonitor` on `admin` (replSetGetStatus, getDiagnosticData, serverStatus) and `read`
 * on `local` (the oplog's first and last entry), as the exporter's README and `--mongodb.user` help say.
 */
export function mongodbExporterEnv(user: string, password: SecretKeyReference): k8s.EnvVar[] {
  return [{ name: 'MONGODB_USER', value: user }, secretEnv('MONGODB_PASSWORD', password.secretName, password.key)];
}

/** What the exporter sidecar of a member pod needs. */
export interface MongodbExporterInput {
  readonly image: string;
  /** mongod's port. */
  readonly mongodPort: number;
  /** The exporter's port. */
  readonly port: number;
  /** The monitor user, which needs `clusterMonitor` on `admin` and `read` on `local`. */
  readonly user: string;
  readonly password: SecretKeyReference;
}

/** The mongodb_exporter sidecar of a member pod: it reaches its own mongod over the pod's loopback interface. */
export function mongodbExporterContainer(input: MongodbExporterInput, securityContext: k8s.SecurityContext): k8s.Container {
  return metricsSidecar({
    image: input.image,
    port: input.port,
    args: mongodbExporterArgs(input.mongodPort, input.port),
    env: mongodbExporterEnv(input.user, input.password),
    securityContext,
  });
}

/** What the alerts and the dashboard of a replica set depend on. */
export interface MongoAlertInput {
  /** The instance: the construct's name, `app.kubernetes.io/instance` of every pod. */
  readonly name: string;
  /** Data-bearing voting members. */
  readonly members: number;
  /** Hidden members (votes 0). */
  readonly hiddenMembers: number;
  readonly tier: Tier;
  readonly dataClass: DataClass;
  readonly namespace?: string;
  /**
   * How long every condition must hold before its alert fires.
   *
   * @default alertDelaySeconds(tier)
   */
  readonly delaySeconds?: number;
  /**
   * `secondaryDelaySecs` of the hidden members: they are this far behind on purpose, and the oplog must hold this much
   * more for them.
   *
   * @default 0
   */
  readonly hiddenMemberDelaySeconds?: number;
  /**
   * Whether the set has an arbiter, a voter without data and without an exporter: the voting majority counts it.
   *
   * @default false
   */
  readonly arbiter?: boolean;
}

/**
 * The shortest oplog window a member may have, by tier. A member that was down or cut off longer than the window of
 * every member it could sync from finds its last operation gone: it cannot catch up, and only a full initial sync
 * (a copy of every document, hours for a large set, with the set one copy short meanwhile) brings it back. The window
 * must outlast the longest outage of one member that a team repairs without that: CRITICAL two days (a node or zone
 * down over a weekend, or a volume restored from a snapshot, with time left to notice), HIGH one day, STANDARD twelve
 * hours (overnight), BEST_EFFORT six hours. Hidden members with `secondaryDelaySecs` need their delay on top.
 */
export function oplogWindowThresholdSeconds(tier: Tier): number {
  switch (tier) {
    case Tier.CRITICAL:
      return 48 * 3600;
    case Tier.HIGH:
      return 24 * 3600;
    case Tier.STANDARD:
      return 12 * 3600;
    case Tier.BEST_EFFORT:
      return 6 * 3600;
  }
}

/**
 * How far a secondary may fall behind the primary before it is reported, by tier (the same as MySQL's): reads from it
 * are that stale, and an election that picks it waits for it to catch up.
 */
export function mongoReplicationLagThresholdSeconds(tier: Tier): number {
  switch (tier) {
    case Tier.CRITICAL:
      return 30;
    case Tier.HIGH:
      return 60;
    case Tier.STANDARD:
      return 120;
    case Tier.BEST_EFFORT:
      return 300;
  }
}

/**
 * More term changes than this within ELECTION_WINDOW is an election storm. A rolling restart costs at most two (the
 * primary steps down, and the member with the highest priority takes over again once it has caught up).
 */
const ELECTIONS_PER_WINDOW = 3;
const ELECTION_WINDOW = '1h';

/**
 * PromQL label matchers of the series of one replica set: the exporters' (as the PodMonitor labels them), the member
 * hosts in them, and the kubelet's.
 */
export interface MongoSeriesSelectors {
  /** The exporters of the voting members. */
  readonly members: string;
  /** The exporters of the hidden members. */
  readonly hiddenMembers: string;
  /** Every exporter: each reports the whole set as its member sees it. */
  readonly allMembers: string;
  /** A matcher of `member_idx` (the host in the replica set configuration): the voting members. */
  readonly memberHosts: string;
  /** A matcher of `member_idx`: the hidden members. */
  readonly hiddenHosts: string;
  /** kubelet_volume_stats_* of the voting members' `data` claims. */
  readonly memberVolumes: string;
  /** kubelet_volume_stats_* of the hidden members' `data` claims. */
  readonly hiddenVolumes: string;
}

/**
 * The selectors of a replica set. Member hosts are the pods' FQDNs, `<pod>.<service>.<namespace>.svc...:27017`: the
 * host matchers take the pod name before the first dot. For the volumes, see dataClaimsSelector.
 */
export function mongoSeriesSelectors(input: Pick<MongoAlertInput, 'name' | 'namespace'>): MongoSeriesSelectors {
  const pods = (components: string | string[]) => podSetSelector(input.namespace, input.name, components);
  const claims = (component: string) => dataClaimsSelector(input.namespace, `${input.name}-${component}`);
  return {
    members: pods(MONGODB_MEMBER_COMPONENT),
    hiddenMembers: pods(MONGODB_HIDDEN_COMPONENT),
    allMembers: pods([MONGODB_MEMBER_COMPONENT, MONGODB_HIDDEN_COMPONENT]),
    memberHosts: `member_idx=~"${input.name}-${MONGODB_MEMBER_COMPONENT}-[0-9]+[.].+"`,
    hiddenHosts: `member_idx=~"${input.name}-${MONGODB_HIDDEN_COMPONENT}-[0-9]+[.].+"`,
    memberVolumes: claims(MONGODB_MEMBER_COMPONENT),
    hiddenVolumes: claims(MONGODB_HIDDEN_COMPONENT),
  };
}

/** `pod`: the member a `member_idx` (its FQDN and port) names. */
function memberPod(expr: string): string {
  return `label_replace(${expr}, "pod", "$1", "member_idx", "([^.]+)[.].*")`;
}

/** What losing documents costs, by data class. */
function documentsNote(dataClass: DataClass): string {
  return dataClass === DataClass.SYSTEM_OF_RECORD
    ? 'The documents are a system of record: a lost write cannot be made again.'
    : 'The documents are a cache: lost ones can be rebuilt from their source.';
}

/** The member states of every view, as the exporters label them: `mongodb_members_state`. */
function viewsOf(selectors: MongoSeriesSelectors, ...matchers: string[]): string {
  return `mongodb_members_state${withMatchers(selectors.allMembers, ...matchers)}`;
}

/**
 * A member that most of the views of the members that see a primary (the side of the set that has its majority) do not
 * see as PRIMARY or SECONDARY: it is starting, in initial sync, recovering, rolling back, down or cut off. A member cut
 * off from the rest still sees itself as SECONDARY, and the others as down; its view, without a primary, does not
 * count. Or: the exporter reaches a mongod that is in no replica set configuration.
 */
function unhealthyMembers(selectors: MongoSeriesSelectors, hosts: string, pods: string): string {
  const withPrimary = `count by (pod) (${viewsOf(selectors, 'member_state="PRIMARY"')})`;
  const views = `count by (member_idx) (${viewsOf(selectors, hosts)} and on (pod) ${withPrimary})`;
  const healthy = `count by (member_idx) (${viewsOf(selectors, hosts, 'member_state=~"PRIMARY|SECONDARY"')} and on (pod) ${withPrimary})`;
  return `${memberPod(`${views} unless on (member_idx) (${healthy} * 2 > ${views})`)} or (mongodb_up${pods} == 1 unless on (pod) mongodb_myState${pods})`;
}

/** The lag behind the primary of each member `hosts` picks, in the view of every exporter that sees a primary, in seconds. */
function lagBehindPrimary(selectors: MongoSeriesSelectors, hosts: string): string {
  const optime = (...matchers: string[]) => `mongodb_members_optimeDate${withMatchers(selectors.allMembers, ...matchers)}`;
  return `(max by (pod) (${optime('member_state="PRIMARY"')}) - on (pod) group_right ` + `${optime(hosts, 'member_state="SECONDARY"')}) / 1000`;
}

/** The oplog window of every member, in seconds: from its oldest to its newest entry. */
function oplogWindow(selector: string): string {
  return `mongodb_mongod_replset_oplog_head_timestamp${selector} - mongodb_mongod_replset_oplog_tail_timestamp${selector}`;
}

/** The highest election term any member reports. */
function setTerm(selectors: MongoSeriesSelectors): string {
  return `max(mongodb_term${selectors.allMembers})`;
}

/**
 * The alerts of a replica set: a member not PRIMARY or SECONDARY in the view of a majority, no primary, fewer healthy
 * voters than a majority, a secondary (or a hidden member, beyond its delay) behind the primary, an oplog window
 * shorter than the tier's, an election storm, an exporter not scraped or not reaching its mongod, member pods missing,
 * and data volumes filling up. Each waits the tier's delay, longer than a member restart or an election, so a handled
 * failure does not page.
 */
export function mongoAlertRules(input: MongoAlertInput, selectors: MongoSeriesSelectors): AlertRule[] {
  const delay = input.delaySeconds ?? alertDelaySeconds(input.tier);
  const hiddenDelay = input.hiddenMemberDelaySeconds ?? 0;
  const set = `MongoDB ${input.name}`;
  const voters = input.members + (input.arbiter ? 1 : 0);
  const quorum = majority(voters);
  const lag = mongoReplicationLagThresholdSeconds(input.tier);
  const windowSeconds = oplogWindowThresholdSeconds(input.tier) + hiddenDelay;
  const windowHours = Math.round((windowSeconds / 3600) * 10) / 10;
  const documents = documentsNote(input.dataClass);
  const healthyVoters =
    viewsOf(selectors, selectors.memberHosts, 'member_state=~"PRIMARY|SECONDARY"') +
    (input.arbiter ? ` or ${viewsOf(selectors, 'member_state="ARBITER"')}` : '');
  const fullVolume =
    'A mongod whose volume fills up cannot write its journal or data files: it stops, and the set has one copy fewer ' +
    '(a primary that stops leaves the set to elect another). Writes already acknowledged stay on disk.';
  const unhealthy =
    'In the view of the members that see a primary, the member is starting, in initial sync (STARTUP2), recovering ' +
    '(RECOVERING, e.g. too stale to catch up), rolling back, or down (no member reaches it); or its mongod runs in no ' +
    'replica set configuration (never added, or removed; or the monitor user may not run replSetGetStatus).';
  const rules: AlertRule[] = [
    {
      alert: 'MongoMemberUnhealthy',
      expr: unhealthyMembers(selectors, selectors.memberHosts, selectors.members),
      forSeconds: delay,
      severity: AlertSeverity.CRITICAL,
      summary: `${set}: {{ $labels.pod }} is not PRIMARY or SECONDARY`,
      description:
        `${unhealthy} Majority writes still succeed while ${quorum} of ${voters} voters are healthy, with less margin: ` +
        'one more loss stops them. Read its log; a member too stale to catch up needs a new initial sync (delete its claim).',
    },
    {
      alert: 'MongoNoPrimary',
      expr: `(count(${viewsOf(selectors, 'member_state="PRIMARY"')}) or vector(0)) < 1`,
      forSeconds: delay,
      severity: AlertSeverity.CRITICAL,
      summary: `${set} has no primary`,
      description:
        'No scraped member sees a PRIMARY (none was elected within the delay, or no member can be scraped): every write ' +
        `fails, and reads with the default read preference fail too. Writes acknowledged before stay on the members that ` +
        `hold them. ${documents}`,
    },
    {
      alert: 'MongoMajorityLost',
      expr: `(max(count by (pod) (${healthyVoters})) or vector(0)) < ${quorum}`,
      forSeconds: delay,
      severity: AlertSeverity.CRITICAL,
      summary: `${set}: fewer than ${quorum} of ${voters} voters are healthy`,
      description:
        `No member sees ${quorum} voting members PRIMARY or SECONDARY${input.arbiter ? ' (or ARBITER)' : ''}: no primary can ` +
        'be elected or stay primary, so nothing is written, and writes acknowledged only by the members that are gone ' +
        `wait on their volumes. Bring the voters back; never force a reconfiguration while their volumes exist. ${documents}`,
    },
    {
      alert: 'MongoReplicationLag',
      expr: `${memberPod(`min by (member_idx) (${lagBehindPrimary(selectors, selectors.memberHosts)})`)} > ${lag}`,
      forSeconds: delay,
      severity: AlertSeverity.WARNING,
      summary: `${set}: {{ $labels.pod }} is more than ${lag}s behind the primary`,
      description:
        'Every member that sees a primary sees this secondary apply the oplog late: it is slower than the primary (disk, ' +
        'CPU, a long index build) or its network is. Reads from it are stale; majority writes wait on it when the other ' +
        'secondaries are down; and should it fall behind the oplog window it needs a new initial sync.',
    },
    {
      alert: 'MongoOplogWindowShort',
      expr:
        `(${oplogWindow(selectors.allMembers)}) < ${windowSeconds} and ` +
        `changes(mongodb_mongod_replset_oplog_tail_timestamp${selectors.allMembers}[${windowSeconds}s]) > 0`,
      forSeconds: delay,
      severity: AlertSeverity.WARNING,
      summary: `${set}: the oplog of {{ $labels.pod }} holds less than ${windowHours}h`,
      description:
        'The oplog is full and drops entries younger than the tier asks for (a set whose oplog is still filling up, whose ' +
        'oldest entry has not moved, is not reported). A member down for longer than this window cannot catch up from ' +
        'this member and needs a full initial sync. Grow the oplog (replSetResizeOplog, then oplogSize) or set ' +
        `storage.oplogMinRetentionHours. ${documents}`,
    },
    {
      alert: 'MongoFrequentElections',
      expr: `${setTerm(selectors)} - min_over_time(${setTerm(selectors)}[${ELECTION_WINDOW}:1m]) > ${ELECTIONS_PER_WINDOW}`,
      forSeconds: delay,
      severity: AlertSeverity.WARNING,
      summary: `${set}: more than ${ELECTIONS_PER_WINDOW} elections within ${ELECTION_WINDOW}`,
      description:
        'The term rose more than a rolling restart explains: members lose each other (a flaky network, a node under ' +
        'memory or CPU pressure, an electionTimeoutMillis too short for it) and elect again. Each election fails writes ' +
        'for seconds and closes the clients’ connections to the old primary.',
    },
    {
      alert: 'MongoExporterDown',
      expr: `up${selectors.allMembers} == 0`,
      forSeconds: delay,
      severity: AlertSeverity.WARNING,
      summary: `${set}: the exporter of {{ $labels.pod }} cannot be scraped`,
      description:
        'Prometheus cannot scrape the mongodb_exporter sidecar: the pod is not reachable, or the sidecar is not running. ' +
        'mongod may well be up; the other members’ views tell (MongoMemberUnhealthy).',
    },
    {
      alert: 'MongoMongodUnreachable',
      expr: `mongodb_up${selectors.allMembers} == 0`,
      forSeconds: delay,
      severity: AlertSeverity.WARNING,
      summary: `${set}: the exporter of {{ $labels.pod }} cannot reach its mongod`,
      description:
        'The exporter runs but its ping of the local mongod fails: mongod is down or starting, or the monitor user cannot ' +
        'authenticate (a changed password in the Secret, or the user was never created). This member is not monitored.',
    },
    {
      alert: 'MongoMembersMissing',
      expr:
        `(count(up${selectors.members} == 1) or vector(0)) < ${input.members}` +
        (input.hiddenMembers > 0 ? ` or (count(up${selectors.hiddenMembers} == 1) or vector(0)) < ${input.hiddenMembers}` : ''),
      forSeconds: delay,
      severity: AlertSeverity.WARNING,
      summary:
        `${set}: fewer member pods are scraped than the ${input.members} voting` +
        (input.hiddenMembers > 0 ? ` and ${input.hiddenMembers} hidden` : ''),
      description:
        'A member pod vanished (not scheduled, deleted, or its scrape target is gone). MongoMemberUnhealthy tells whether ' +
        'the set misses the member too.',
    },
    ...volumeAlerts({
      prefix: 'Mongo',
      subject: set,
      volumes: [selectors.memberVolumes, selectors.hiddenVolumes],
      forSeconds: delay,
      consequence: fullVolume,
      remedy: 'Delete data or grow the volume.',
      dataNote: documents,
    }),
  ];
  if (input.hiddenMembers > 0) {
    const hiddenLag = hiddenDelay + lag;
    rules.push(
      {
        alert: 'MongoHiddenMemberUnhealthy',
        expr: unhealthyMembers(selectors, selectors.hiddenHosts, selectors.hiddenMembers),
        forSeconds: delay,
        severity: AlertSeverity.WARNING,
        summary: `${set}: hidden member {{ $labels.pod }} is not SECONDARY`,
        description: `${unhealthy} A hidden member never votes nor serves clients: backups and analytics that read it stop.`,
      },
      {
        alert: 'MongoHiddenMemberLag',
        expr: `${memberPod(`min by (member_idx) (${lagBehindPrimary(selectors, selectors.hiddenHosts)})`)} > ${hiddenLag}`,
        forSeconds: delay,
        severity: AlertSeverity.WARNING,
        summary: `${set}: hidden member {{ $labels.pod }} is more than ${hiddenLag}s behind the primary`,
        description:
          `The hidden member is behind by more than its delay (${hiddenDelay}s) and ${lag}s: backups taken from it are ` +
          'older than planned, and should it fall behind the oplog window it needs a new initial sync.',
      },
    );
  }
  return rules;
}

/**
 * A Grafana dashboard of the replica set: exporters up and connected, each member's own state, the states each member
 * sees, healthy voters, lag, oplog window, term, connections, operations and disk.
 */
export function mongoDashboard(input: MongoAlertInput, selectors: MongoSeriesSelectors, title: string): object {
  const all = selectors.allMembers;
  return grafanaDashboardModel({
    title,
    uid: `sb-mongodb-${input.name}`,
    tags: ['stability-blueprints', 'mongodb'],
    panels: [
      timeseriesPanel(1, 'Exporter scraped (up)', `up${all}`, '{{pod}}'),
      timeseriesPanel(2, 'Exporter reaches its mongod (mongodb_up)', `max by (pod) (mongodb_up${all})`, '{{pod}}'),
      timeseriesPanel(3, 'Own state (1 = PRIMARY, 2 = SECONDARY, 5 = STARTUP2)', `max by (pod) (mongodb_myState${all})`, '{{pod}}'),
      timeseriesPanel(
        4,
        'Members as each member sees them',
        `max by (pod, member_idx, member_state) (mongodb_members_state${all})`,
        '{{pod}} sees {{member_idx}} {{member_state}}',
      ),
      timeseriesPanel(
        5,
        `Healthy voting members, best view (majority ${majority(input.members + (input.arbiter ? 1 : 0))})`,
        `max(count by (pod) (${viewsOf(selectors, selectors.memberHosts, 'member_state=~"PRIMARY|SECONDARY"')}))`,
        'healthy voters',
      ),
      timeseriesPanel(
        6,
        'Lag behind the primary',
        `max by (member_idx) (${lagBehindPrimary(selectors, selectors.memberHosts)})`,
        '{{member_idx}}',
        's',
      ),
      timeseriesPanel(
        7,
        'Hidden members: lag behind the primary',
        `max by (member_idx) (${lagBehindPrimary(selectors, selectors.hiddenHosts)})`,
        '{{member_idx}}',
        's',
      ),
      timeseriesPanel(8, 'Oplog window', oplogWindow(all), '{{pod}}', 's'),
      timeseriesPanel(9, 'Election term', `max by (pod) (mongodb_term${all})`, '{{pod}}'),
      timeseriesPanel(10, 'Connections', `sum by (pod) (mongodb_ss_connections${withMatchers(all, 'conn_type="current"')})`, '{{pod}}'),
      timeseriesPanel(
        11,
        'Operations per second',
        `sum by (pod, legacy_op_type) (rate(mongodb_ss_opcounters${all}[5m]))`,
        '{{pod}} {{legacy_op_type}}',
        'ops',
      ),
      timeseriesPanel(
        12,
        'Data volume free',
        `${volumeFreeShare(selectors.memberVolumes)} or ${volumeFreeShare(selectors.hiddenVolumes)}`,
        '{{persistentvolumeclaim}}',
        'percentunit',
      ),
    ],
  });
}
