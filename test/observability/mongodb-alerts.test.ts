/**
 * The MongoReplicaSet alerts, run by promtool against the series that the mongodb_exporter sidecar of each member, the
 * kubelet and the PodMonitor produce. Each scenario describes the members of a set over time (their states, lag, oplog,
 * the term), and the series follow from it the way Prometheus would record them: every exporter reports the whole set
 * as its own member sees it.
 *
 * No MongoDB runs on this machine, so the exporter's series are taken from fixtures/mongodb/*.prom: constructed, they
 * are what mongodb_exporter 0.53.0 prints with mongodbExporterArgs() for a set of three (see fixtures/mongodb/README.md).
 * A scenario may change a value, add or drop a member's series, and set the labels the exporter takes from the set:
 * `member_idx` (a member's host), `member_state` (its stateStr) and `rs_state` (the exporter's own member's state); never
 * a metric name or another label. The naming tests below tie the fixtures to the exporter's own naming rules.
 */

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { DataClass, Tier } from '../../lib';
import {
  MONGODB_EXPORTER_IMAGE,
  MONGODB_HIDDEN_COMPONENT,
  MONGODB_MEMBER_COMPONENT,
  MONGODB_METRICS_PORT,
  MongoAlertInput,
  mongoAlertRules,
  mongoDashboard,
  mongodbExporterArgs,
  mongodbExporterContainer,
  mongodbExporterEnv,
  mongoReplicationLagThresholdSeconds,
  mongoSeriesSelectors,
  oplogWindowThresholdSeconds,
} from '../../lib/components/mongodb/observability';
import { alertDelaySeconds } from '../../lib/observability/monitoring';
import type { Exported } from '../support/exposition';
import { fixtureReader, kubeletVolumeLabels, kubeletVolumeSamples, targetSamples } from '../support/exposition';
import type { AlertSpec, CaseTiming, ExpectedAlert, Labels, RuleExpectation, Sample, Scenario } from '../support/promtool';
import {
  componentAlert as setAlert,
  firesDelayed,
  promtoolAlertRuleTests,
  promtoolWorkDir,
  quietThroughout,
  scenarioTestGroup,
  STEP,
} from '../support/promtool';

/** When trouble starts in a scenario. */
const FAULT_AT = 300;
const ROUTING = { owner: 'team-orders', scenario: 'shop', component: 'mongo-replica-set' };
const FIXTURES = join(__dirname, 'fixtures', 'mongodb');
/** The newest oplog entry of the fixtures (2026-01-01T00:00:00Z), at 0 s of every scenario. */
const BASE = 1767225600;

type Kind = typeof MONGODB_MEMBER_COMPONENT | typeof MONGODB_HIDDEN_COMPONENT;
const KINDS: readonly Kind[] = [MONGODB_MEMBER_COMPONENT, MONGODB_HIDDEN_COMPONENT];
const V = MONGODB_MEMBER_COMPONENT;
const H = MONGODB_HIDDEN_COMPONENT;

/** replSetGetStatus `state` by `stateStr` (MongoDB's member states). */
const STATES = { PRIMARY: 1, SECONDARY: 2, RECOVERING: 3, STARTUP2: 5, ARBITER: 7, DOWN: 8 } as const;
type State = Exclude<keyof typeof STATES, 'ARBITER'>;
/** The stateStr replSetGetStatus gives a member it cannot reach. */
const DOWN_STATE_STR = '(not reachable/healthy)';

/** One member pod at one moment. */
interface Member {
  /** Bumped when a deleted pod is replaced: the new pod has a new IP, so new series. */
  readonly generation: number;
  /** Whether Prometheus reaches the exporter. */
  readonly scraped: boolean;
  /** Whether mongod runs (the other members reach it). */
  readonly mongodUp: boolean;
  /** Whether the exporter authenticates to it. */
  readonly connects: boolean;
  /** Whether mongod is in the replica set configuration. */
  readonly inSet: boolean;
  /** Cut off from every other member. */
  readonly isolated: boolean;
  /** The member's own state while mongod runs. */
  readonly state: State;
  /** How far the member's last applied operation is behind the primary's. */
  readonly lagSeconds: number;
  /** From the oldest to the newest entry of its oplog. */
  readonly oplogWindowSeconds: number;
  /** Whether the oldest entry moves: the oplog is full and truncated. False for an oplog still filling up. */
  readonly oplogTruncating: boolean;
}

/** What the rules and the series of one set depend on. */
interface ReplicaSet {
  readonly input: MongoAlertInput;
  readonly namespace: string;
  /** Second octet of the pods' IPs, so two sets never share an `instance`. */
  readonly subnet: number;
}

/** The members of a set over time. */
interface World {
  /** Undefined while the pod does not exist. */
  readonly member: (kind: Kind, ordinal: number, seconds: number) => Member | undefined;
  /** The term the members report. */
  readonly term: (seconds: number) => number;
  /** The free share of the member's data volume; undefined without the kubelet's series. */
  readonly volumeFree: (kind: Kind, ordinal: number, seconds: number) => number | undefined;
}

interface CaseContext extends CaseTiming {
  readonly set: ReplicaSet;
}

const count = (set: ReplicaSet, kind: Kind) => (kind === V ? set.input.members : set.input.hiddenMembers);

// ---------------------------------------------------------------------------------------------------------------
// Constructed exporter output.

/** Parsed as Prometheus ingests it, without the labels with an empty value (`cl_role=""` of a replica set member). */
const fixture = fixtureReader(FIXTURES);

const EXPORTER_FIXTURES = ['primary', 'secondary', 'mongod-unreachable'];
/** The per-member series of replSetGetStatus: one per member of the set, labelled with its host and stateStr. */
const MEMBER_METRICS = ['mongodb_members_health', 'mongodb_members_state', 'mongodb_members_optimeDate'];
const OPLOG_METRICS = ['mongodb_mongod_replset_oplog_head_timestamp', 'mongodb_mongod_replset_oplog_tail_timestamp'];

/** A fixture series by name (the first, for the per-member ones), which must exist. */
function template(file: string, name: string): Exported {
  const series = fixture(file).find((each) => each.name === name);
  if (series === undefined) {
    throw new Error(`the exporter output ${file}.prom has no ${name}`);
  }
  return series;
}

// ---------------------------------------------------------------------------------------------------------------
// Series, as the PodMonitor and the kubelet's scrape job label them.

const podName = (set: ReplicaSet, kind: Kind, ordinal: number) => `${set.input.name}-${kind}-${ordinal}`;
const hostName = (set: ReplicaSet, kind: Kind, ordinal: number) =>
  `${podName(set, kind, ordinal)}.${set.input.name}-${kind}-headless.${set.namespace}.svc.cluster.local:27017`;
const arbiterHost = (set: ReplicaSet) => `${set.input.name}-arbiter-0.${set.input.name}-arbiter-headless.${set.namespace}.svc.cluster.local:27017`;

function targetLabels(set: ReplicaSet, kind: Kind, ordinal: number, generation: number): Labels {
  const { name } = set.input;
  return {
    namespace: set.namespace,
    app_kubernetes_io_instance: name,
    app_kubernetes_io_component: kind,
    pod: podName(set, kind, ordinal),
    container: 'metrics',
    endpoint: 'metrics',
    instance: `10.${set.subnet}.${generation}.${(kind === V ? 10 : 50) + ordinal}:${MONGODB_METRICS_PORT}`,
    job: `${set.namespace}/${name}-mongodb-monitor`,
  };
}

/** The labels of a claim's volume series; each member runs on a node of its own. */
const volumeLabels = (set: ReplicaSet, kind: Kind, ordinal: number): Labels =>
  kubeletVolumeLabels(set.namespace, `data-${podName(set, kind, ordinal)}`, {
    instance: `192.168.${set.subnet}.${(kind === V ? 1 : 50) + ordinal}`,
    node: `node-${set.subnet}-${kind}-${ordinal}`,
  });

const volumeSamples = (set: ReplicaSet, kind: Kind, ordinal: number, free: number): Sample[] =>
  kubeletVolumeSamples(fixture('kubelet-volume'), volumeLabels(set, kind, ordinal), free);

interface Placed {
  readonly kind: Kind;
  readonly ordinal: number;
  readonly member: Member;
}

/** What the member `viewer` sees of `other`: its state, or DOWN when either cannot reach the other. */
function seenState(viewer: Placed, other: Placed | undefined, self: boolean): State {
  if (self) {
    return viewer.member.state;
  }
  if (other === undefined || !other.member.mongodUp || viewer.member.isolated || other.member.isolated) {
    return 'DOWN';
  }
  return other.member.state;
}

/** The series of one member's exporter: its view of the set, its oplog, its serverStatus. */
function exporterSamples(set: ReplicaSet, world: World, viewer: Placed, members: readonly (Placed | undefined)[], seconds: number): Exported[] {
  const { member } = viewer;
  if (!member.mongodUp || !member.connects) {
    return fixture('mongod-unreachable');
  }
  const file = member.state === 'PRIMARY' ? 'primary' : 'secondary';
  const recorded = fixture(file);
  const serverStatus = recorded.filter((series) => series.name.startsWith('mongodb_ss_'));
  const up = template(file, 'mongodb_up');
  if (!member.inSet) {
    // replSetGetStatus fails (NotYetInitialized): the collector returns nothing, and no oplog exists yet.
    return [up, ...serverStatus.map((series) => ({ ...series, labels: withoutReplicaSetLabels(series.labels) }))];
  }
  const rsState = String(STATES[member.state]);
  const topology = (series: Exported): Labels => ({ ...series.labels, rs_state: rsState });
  const head = BASE + seconds;
  // A full oplog drops its oldest entries as it takes new ones; one still filling up keeps its first entry.
  const tail = member.oplogTruncating ? head - member.oplogWindowSeconds : BASE - member.oplogWindowSeconds;
  const oplog = [head, tail].map((value, index): Exported => ({ ...template(file, OPLOG_METRICS[index]), value }));
  const entries = members.flatMap((other, index): Exported[] => {
    const placed = other;
    const target = index < set.input.members ? { kind: V, ordinal: index } : { kind: H, ordinal: index - set.input.members };
    if (placed !== undefined && !placed.member.inSet) {
      return [];
    }
    const self = target.kind === viewer.kind && target.ordinal === viewer.ordinal;
    const state = seenState(viewer, placed, self);
    const host = hostName(set, target.kind as Kind, target.ordinal);
    const lag = placed?.member.lagSeconds ?? 0;
    const values: Record<string, number> = {
      mongodb_members_health: state === 'DOWN' ? 0 : 1,
      mongodb_members_state: STATES[state],
      // replSetGetStatus shows the epoch for a member it cannot reach or that has applied nothing yet.
      mongodb_members_optimeDate: state === 'DOWN' || state === 'STARTUP2' ? 0 : (head - lag) * 1000,
    };
    return MEMBER_METRICS.map((name) => {
      const series = template(file, name);
      return {
        name,
        labels: { ...topology(series), member_idx: host, member_state: state === 'DOWN' ? DOWN_STATE_STR : state },
        value: values[name],
      };
    });
  });
  const arbiter: Exported[] = set.input.arbiter
    ? ['mongodb_members_health', 'mongodb_members_state'].map((name) => ({
        name,
        labels: { ...topology(template(file, name)), member_idx: arbiterHost(set), member_state: member.isolated ? DOWN_STATE_STR : 'ARBITER' },
        value: name === 'mongodb_members_health' ? (member.isolated ? 0 : 1) : member.isolated ? STATES.DOWN : STATES.ARBITER,
      }))
    : [];
  const myState = template(file, 'mongodb_myState');
  const term = template(file, 'mongodb_term');
  return [
    up,
    { ...myState, labels: topology(myState), value: STATES[member.state] },
    { ...term, labels: topology(term), value: world.term(seconds) },
    ...entries,
    ...arbiter,
    ...oplog,
    ...serverStatus.map((series) => ({ ...series, labels: topology(series) })),
  ];
}

/** Without a replica set configuration the exporter finds no set name nor state. */
function withoutReplicaSetLabels(labels: Labels): Labels {
  return Object.fromEntries(Object.entries(labels).filter(([name]) => name !== 'rs_nm' && name !== 'rs_state'));
}

function scrape(set: ReplicaSet, world: World, seconds: number): Sample[] {
  const placed = (kind: Kind, ordinal: number): Placed | undefined => {
    const member = world.member(kind, ordinal, seconds);
    return member === undefined ? undefined : { kind, ordinal, member };
  };
  const members = KINDS.flatMap((kind) => Array.from({ length: count(set, kind) }, (_, ordinal) => placed(kind, ordinal)));
  return members.flatMap((viewer, index) => {
    const kind = index < set.input.members ? V : H;
    const ordinal = kind === V ? index : index - set.input.members;
    const free = world.volumeFree(kind, ordinal, seconds);
    const volume = free === undefined ? [] : volumeSamples(set, kind, ordinal, free);
    if (viewer === undefined) {
      return volume;
    }
    const exported = viewer.member.scraped ? exporterSamples(set, world, viewer, members, seconds) : undefined;
    return [...targetSamples(targetLabels(set, kind, ordinal, viewer.member.generation), exported), ...volume];
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Worlds.

const HEALTHY_FREE = 0.6;
const HEALTHY_TERM = 3;
/** A week of oplog on every member. */
const HEALTHY_WINDOW = 7 * 24 * 3600;

/** Voter 0 is the primary, the others follow it; hidden members are as far behind as their delay. */
function healthyMember(set: ReplicaSet, kind: Kind, ordinal: number, generation = 0): Member {
  return {
    generation,
    scraped: true,
    mongodUp: true,
    connects: true,
    inSet: true,
    isolated: false,
    state: kind === V && ordinal === 0 ? 'PRIMARY' : 'SECONDARY',
    lagSeconds: kind === H ? (set.input.hiddenMemberDelaySeconds ?? 0) : 0,
    oplogWindowSeconds: HEALTHY_WINDOW,
    oplogTruncating: true,
  };
}

const healthyWorld = (set: ReplicaSet): World => ({
  member: (kind, ordinal) => healthyMember(set, kind, ordinal),
  term: () => HEALTHY_TERM,
  volumeFree: () => HEALTHY_FREE,
});

type Trouble = (member: Member, kind: Kind, ordinal: number, sinceFault: number) => Member | undefined;

/** From FAULT_AT on, each existing member becomes what `trouble` makes of it. */
function memberTrouble(set: ReplicaSet, trouble: Trouble, term?: (sinceFault: number) => number): World {
  const world = healthyWorld(set);
  return {
    ...world,
    member: (kind, ordinal, seconds) => {
      const member = world.member(kind, ordinal, seconds);
      return seconds < FAULT_AT || member === undefined ? member : trouble(member, kind, ordinal, seconds - FAULT_AT);
    },
    term: (seconds) => (seconds < FAULT_AT || term === undefined ? HEALTHY_TERM : term(seconds - FAULT_AT)),
  };
}

/** From FAULT_AT on, one member is changed by `change`, for `seconds` (for good by default). */
function oneMember(set: ReplicaSet, kind: Kind, ordinal: number, change: Partial<Member>, seconds = Infinity): World {
  return memberTrouble(set, (member, each, eachOrdinal, sinceFault) =>
    each === kind && eachOrdinal === ordinal && sinceFault < seconds ? { ...member, ...change } : member,
  );
}

/** From FAULT_AT on, the data volume of one member has `free` of its space left. */
function volumeTrouble(set: ReplicaSet, kind: Kind, ordinal: number, free: number): World {
  return {
    ...healthyWorld(set),
    volumeFree: (each, eachOrdinal, seconds) => (seconds >= FAULT_AT && each === kind && eachOrdinal === ordinal ? free : HEALTHY_FREE),
  };
}

/**
 * A member pod is deleted at FAULT_AT; the StatefulSet's replacement, with a new IP, runs `backAfter` seconds later:
 * RECOVERING for one scrape, then SECONDARY.
 */
function memberRestarted(set: ReplicaSet, kind: Kind, ordinal: number, backAfter = Infinity): Scenario<World> {
  return {
    name: `${podName(set, kind, ordinal)} is deleted${backAfter === Infinity ? ' and not replaced' : ` and its replacement is SECONDARY ${backAfter + STEP}s later`}`,
    world: memberTrouble(set, (member, each, eachOrdinal, sinceFault) => {
      if (each !== kind || eachOrdinal !== ordinal) {
        return member;
      }
      if (sinceFault < backAfter) {
        return undefined;
      }
      const replacement = { ...healthyMember(set, kind, ordinal, 1), state: 'SECONDARY' as State };
      return sinceFault < backAfter + STEP ? { ...replacement, state: 'RECOVERING' } : replacement;
    }),
  };
}

/**
 * The primary's pod is deleted: for `electedAfter` seconds no member is primary, then voter 1 is (the term goes up by
 * one); the replacement of voter 0 is a SECONDARY `backAfter` seconds after the fault.
 */
function primaryFailover(set: ReplicaSet, electedAfter: number, backAfter: number): Scenario<World> {
  return {
    name: `the primary ${podName(set, V, 0)} is deleted, ${podName(set, V, 1)} is elected ${electedAfter}s later, the replacement follows ${backAfter}s after the fault`,
    world: memberTrouble(
      set,
      (member, kind, ordinal, sinceFault) => {
        if (kind !== V) {
          return member;
        }
        if (ordinal === 0) {
          return sinceFault < backAfter ? undefined : { ...healthyMember(set, kind, 0, 1), state: 'SECONDARY' };
        }
        return ordinal === 1 && sinceFault >= electedAfter ? { ...member, state: 'PRIMARY' } : member;
      },
      () => HEALTHY_TERM + 1,
    ),
  };
}

/** The voters from `first` on are deleted and not replaced (their zone is down); the rest are SECONDARY. */
function votersLost(set: ReplicaSet, first: number): Scenario<World> {
  return {
    name: `${set.input.members - first} of ${set.input.members} voters are deleted and not replaced (their zone is down)`,
    world: memberTrouble(set, (member, kind, ordinal) => {
      if (kind !== V) {
        return member;
      }
      return ordinal >= first ? undefined : { ...member, state: 'SECONDARY' };
    }),
  };
}

const noExporterScraped = (set: ReplicaSet): Scenario<World> => ({
  name: 'no exporter can be scraped',
  world: memberTrouble(set, (member) => ({ ...member, scraped: false })),
});

/**
 * Another set, inconsistent on purpose so that most alerts would fire on its series: its last voter is gone, voter 1
 * cannot be scraped and lags far behind, the hidden member's exporter cannot authenticate, oplogs are short, the term
 * climbs on every scrape and every volume is nearly full. Its primary and voters keep the alerts about a missing
 * primary or majority honest: they must not leak into this set's.
 */
function brokenNeighbour(set: ReplicaSet): World {
  return {
    member: (kind, ordinal) => {
      const healthy = healthyMember(set, kind, ordinal);
      if (kind === V && ordinal === set.input.members - 1) {
        return undefined;
      }
      if (kind === V && ordinal === 1) {
        return { ...healthy, scraped: false, lagSeconds: 100000 };
      }
      if (kind === H) {
        return { ...healthy, connects: false, lagSeconds: 100000 };
      }
      return { ...healthy, oplogWindowSeconds: 600 };
    },
    term: (seconds) => HEALTHY_TERM + seconds / STEP,
    volumeFree: () => 0.01,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The cases of each alert.

/** Quiet until the rule's `for` has passed since `since` (pending), then firing. */
const firesAfterDelay = (delay: number, scenario: Scenario<World>, alerts: ExpectedAlert[], since = FAULT_AT) =>
  firesDelayed(since, delay, scenario, alerts);

const podAlert = (set: ReplicaSet, kind: Kind, ordinal: number, summary: string, extra: Labels = {}): ExpectedAlert => ({
  labels: { ...targetLabels(set, kind, ordinal, 0), ...extra },
  summary,
});
/** An alert about a member of the set, from the views of the others: its host, and its pod. */
const memberAlert = (set: ReplicaSet, kind: Kind, ordinal: number, summary: string): ExpectedAlert => ({
  labels: { member_idx: hostName(set, kind, ordinal), pod: podName(set, kind, ordinal) },
  summary,
});
const volumeAlert = (set: ReplicaSet, kind: Kind, ordinal: number, summary: string): ExpectedAlert => ({
  labels: volumeLabels(set, kind, ordinal),
  summary,
});
const mongo = (set: ReplicaSet) => `MongoDB ${set.input.name}`;
const lastVoter = (set: ReplicaSet) => set.input.members - 1;
const voters = (set: ReplicaSet) => set.input.members + (set.input.arbiter ? 1 : 0);
const quorum = (set: ReplicaSet) => Math.floor(voters(set) / 2) + 1;

const ALERTS: Record<string, AlertSpec<CaseContext, World>> = {
  MongoMemberUnhealthy: {
    severity: 'critical',
    cases: ({ set, delay, horizon }) => {
      const last = lastVoter(set);
      const summary = (ordinal: number) => `${mongo(set)}: ${podName(set, V, ordinal)} is not PRIMARY or SECONDARY`;
      return [
        firesAfterDelay(
          delay,
          {
            name: `${podName(set, V, last)} is in initial sync (STARTUP2) for longer than the delay`,
            world: oneMember(set, V, last, { state: 'STARTUP2' }),
          },
          [memberAlert(set, V, last, summary(last))],
        ),
        firesAfterDelay(delay, memberRestarted(set, V, last), [memberAlert(set, V, last, summary(last))]),
        firesAfterDelay(
          delay,
          {
            name: `${podName(set, V, last)} is cut off from the others and still believes it is SECONDARY`,
            world: oneMember(set, V, last, { isolated: true }),
          },
          [memberAlert(set, V, last, summary(last))],
        ),
        firesAfterDelay(
          delay,
          { name: `mongod of ${podName(set, V, last)} runs, but in no replica set configuration`, world: oneMember(set, V, last, { inSet: false }) },
          [podAlert(set, V, last, summary(last), { cluster_role: 'mongod' })],
        ),
        quietThroughout(horizon, memberRestarted(set, V, last, delay - 3 * STEP)),
        quietThroughout(horizon, {
          name: `${podName(set, V, 1)} is RECOVERING for less than the delay`,
          world: oneMember(set, V, 1, { state: 'RECOVERING' }, delay - 2 * STEP),
        }),
      ];
    },
  },
  MongoHiddenMemberUnhealthy: {
    severity: 'warning',
    cases: ({ set, delay, horizon }) => [
      firesAfterDelay(delay, { name: `hidden member ${podName(set, H, 0)} is RECOVERING`, world: oneMember(set, H, 0, { state: 'RECOVERING' }) }, [
        memberAlert(set, H, 0, `${mongo(set)}: hidden member ${podName(set, H, 0)} is not SECONDARY`),
      ]),
      quietThroughout(horizon, memberRestarted(set, H, 0, delay - 3 * STEP)),
    ],
  },
  MongoNoPrimary: {
    severity: 'critical',
    cases: ({ set, delay, horizon }) => {
      const alert = setAlert(`${mongo(set)} has no primary`);
      return [
        firesAfterDelay(delay, votersLost(set, quorum(set) - (set.input.arbiter ? 2 : 1)), [alert]),
        firesAfterDelay(delay, noExporterScraped(set), [alert]),
        firesAfterDelay(delay, primaryFailover(set, Infinity, Infinity), [alert]),
        quietThroughout(horizon, primaryFailover(set, 2 * STEP, delay - 2 * STEP)),
      ];
    },
  },
  MongoMajorityLost: {
    severity: 'critical',
    cases: ({ set, delay, horizon }) => {
      const alert = setAlert(`${mongo(set)}: fewer than ${quorum(set)} of ${voters(set)} voters are healthy`);
      // With an arbiter, one data-bearing voter and the arbiter are still a majority.
      const remaining = quorum(set) - (set.input.arbiter ? 2 : 1);
      return [
        firesAfterDelay(delay, votersLost(set, remaining), [alert]),
        firesAfterDelay(delay, noExporterScraped(set), [alert]),
        quietThroughout(horizon, votersLost(set, remaining + 1)),
        quietThroughout(horizon, primaryFailover(set, 2 * STEP, delay - 2 * STEP)),
      ];
    },
  },
  MongoReplicationLag: {
    severity: 'warning',
    cases: ({ set, delay, horizon }) => {
      const threshold = mongoReplicationLagThresholdSeconds(set.input.tier);
      return [
        firesAfterDelay(
          delay,
          { name: `${podName(set, V, 1)} is ${threshold + 30}s behind`, world: oneMember(set, V, 1, { lagSeconds: threshold + 30 }) },
          [memberAlert(set, V, 1, `${mongo(set)}: ${podName(set, V, 1)} is more than ${threshold}s behind the primary`)],
        ),
        quietThroughout(horizon, {
          name: `${podName(set, V, 1)} is ${threshold - 5}s behind`,
          world: oneMember(set, V, 1, { lagSeconds: threshold - 5 }),
        }),
        quietThroughout(horizon, {
          name: `${podName(set, V, 1)} is ${threshold * 3}s behind for less than the delay`,
          world: oneMember(set, V, 1, { lagSeconds: threshold * 3 }, delay - 2 * STEP),
        }),
        quietThroughout(horizon, {
          name: `${podName(set, V, 1)} is in initial sync, which reports no lag`,
          world: oneMember(set, V, 1, { state: 'STARTUP2' }),
        }),
      ];
    },
  },
  MongoHiddenMemberLag: {
    severity: 'warning',
    cases: ({ set, delay, horizon }) => {
      const allowed = (set.input.hiddenMemberDelaySeconds ?? 0) + mongoReplicationLagThresholdSeconds(set.input.tier);
      return [
        firesAfterDelay(
          delay,
          { name: `hidden member ${podName(set, H, 0)} is ${allowed + 60}s behind`, world: oneMember(set, H, 0, { lagSeconds: allowed + 60 }) },
          [memberAlert(set, H, 0, `${mongo(set)}: hidden member ${podName(set, H, 0)} is more than ${allowed}s behind the primary`)],
        ),
        quietThroughout(horizon, {
          name: `hidden member ${podName(set, H, 0)} is ${allowed - 10}s behind`,
          world: oneMember(set, H, 0, { lagSeconds: allowed - 10 }),
        }),
      ];
    },
  },
  MongoOplogWindowShort: {
    severity: 'warning',
    cases: ({ set, delay, horizon }) => {
      const threshold = oplogWindowThresholdSeconds(set.input.tier) + (set.input.hiddenMemberDelaySeconds ?? 0);
      const hours = Math.round((threshold / 3600) * 10) / 10;
      return [
        firesAfterDelay(
          delay,
          {
            name: `writes fill the primary's oplog: it holds ${threshold - 3600}s`,
            world: oneMember(set, V, 0, { oplogWindowSeconds: threshold - 3600 }),
          },
          [podAlert(set, V, 0, `${mongo(set)}: the oplog of ${podName(set, V, 0)} holds less than ${hours}h`)],
        ),
        quietThroughout(horizon, {
          name: `a new set: the oplogs hold ${threshold / 10}s and are still filling up, nothing truncated`,
          world: freshSet(set, threshold / 10),
        }),
        quietThroughout(horizon, {
          name: `the primary's oplog holds ${threshold + 3600}s`,
          world: oneMember(set, V, 0, { oplogWindowSeconds: threshold + 3600 }),
        }),
      ];
    },
  },
  MongoFrequentElections: {
    severity: 'warning',
    cases: ({ set, delay, horizon }) => {
      const storm = (elections: number): World =>
        memberTrouble(
          set,
          (member) => member,
          (sinceFault) => HEALTHY_TERM + Math.min(elections, Math.floor(sinceFault / STEP) + 1),
        );
      return [
        // The fourth election, the first above 3, comes 3 scrapes after the fault.
        firesAfterDelay(
          delay,
          { name: 'five elections in a row, one per scrape', world: storm(5) },
          [setAlert(`${mongo(set)}: more than 3 elections within 1h`)],
          FAULT_AT + 3 * STEP,
        ),
        quietThroughout(horizon, { name: 'a rolling restart: two elections', world: storm(2) }),
      ];
    },
  },
  MongoExporterDown: {
    severity: 'warning',
    cases: ({ set, delay, horizon }) => [
      firesAfterDelay(delay, { name: `the exporter of ${podName(set, V, 1)} cannot be scraped`, world: oneMember(set, V, 1, { scraped: false }) }, [
        podAlert(set, V, 1, `${mongo(set)}: the exporter of ${podName(set, V, 1)} cannot be scraped`),
      ]),
      quietThroughout(horizon, {
        name: `the exporter of ${podName(set, V, 1)} restarts within the delay`,
        world: oneMember(set, V, 1, { scraped: false }, delay - 2 * STEP),
      }),
    ],
  },
  MongoMongodUnreachable: {
    severity: 'warning',
    cases: ({ set, delay, horizon }) => [
      firesAfterDelay(
        delay,
        {
          name: `the exporter of ${podName(set, V, 1)} cannot authenticate (the monitor password changed)`,
          world: oneMember(set, V, 1, { connects: false }),
        },
        [podAlert(set, V, 1, `${mongo(set)}: the exporter of ${podName(set, V, 1)} cannot reach its mongod`)],
      ),
      quietThroughout(horizon, {
        name: `mongod of ${podName(set, V, 1)} restarts within the delay`,
        world: oneMember(set, V, 1, { mongodUp: false }, delay - 2 * STEP),
      }),
    ],
  },
  MongoMembersMissing: {
    severity: 'warning',
    cases: ({ set, delay, horizon }) => {
      const hidden = set.input.hiddenMembers > 0 ? ` and ${set.input.hiddenMembers} hidden` : '';
      const alert = setAlert(`${mongo(set)}: fewer member pods are scraped than the ${set.input.members} voting${hidden}`);
      return [
        firesAfterDelay(delay, memberRestarted(set, V, lastVoter(set)), [alert]),
        ...(set.input.hiddenMembers > 0 ? [firesAfterDelay(delay, memberRestarted(set, H, 0), [alert])] : []),
        quietThroughout(horizon, memberRestarted(set, V, lastVoter(set), delay - 2 * STEP)),
      ];
    },
  },
  MongoVolumeFillingUp: {
    severity: 'warning',
    cases: ({ set, delay, horizon }) => {
      const summary = (kind: Kind, ordinal: number) => `${mongo(set)}: data-${podName(set, kind, ordinal)} has less than 15% free space`;
      return [
        firesAfterDelay(delay, { name: `the volume of ${podName(set, V, 1)} has 10% free`, world: volumeTrouble(set, V, 1, 0.1) }, [
          volumeAlert(set, V, 1, summary(V, 1)),
        ]),
        ...(set.input.hiddenMembers > 0
          ? [
              firesAfterDelay(delay, { name: `the volume of ${podName(set, H, 0)} has 12% free`, world: volumeTrouble(set, H, 0, 0.12) }, [
                volumeAlert(set, H, 0, summary(H, 0)),
              ]),
            ]
          : []),
        quietThroughout(horizon, { name: `the volume of ${podName(set, V, 1)} has 16% free`, world: volumeTrouble(set, V, 1, 0.16) }),
        quietThroughout(horizon, { name: 'the kubelet reports no volume statistics', world: { ...healthyWorld(set), volumeFree: () => undefined } }),
      ];
    },
  },
  MongoVolumeAlmostFull: {
    severity: 'critical',
    cases: ({ set, delay, horizon }) => {
      const last = lastVoter(set);
      return [
        firesAfterDelay(delay, { name: `the volume of ${podName(set, V, last)} has 3% free`, world: volumeTrouble(set, V, last, 0.03) }, [
          volumeAlert(set, V, last, `${mongo(set)}: data-${podName(set, V, last)} has less than 5% free space`),
        ]),
        quietThroughout(horizon, { name: `the volume of ${podName(set, V, last)} has 10% free`, world: volumeTrouble(set, V, last, 0.1) }),
      ];
    },
  },
};

/** A set initiated just before the scenario: no oplog holds more than `window` plus the time since, none truncated yet. */
function freshSet(set: ReplicaSet, window: number): World {
  return {
    ...healthyWorld(set),
    member: (kind, ordinal) => ({ ...healthyMember(set, kind, ordinal), oplogWindowSeconds: window, oplogTruncating: false }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The exporter's naming, applied as mongodb_exporter does.

/** exporter/metrics.go `prefixes`: rules sorted by precedence, the first whose prefix (and a dot) matches applies. */
const PREFIXES: readonly (readonly [string, string])[] = [
  ['serverStatus.wiredTiger.transaction', 'ss_wt_txn'],
  ['serverStatus.wiredTiger', 'ss_wt'],
  ['serverStatus.queues.execution', 'ss_wt_concurrentTransactions'],
  ['serverStatus', 'ss'],
  ['replSetGetStatus', 'rs'],
  ['systemMetrics', 'sys'],
  ['local.oplog.rs.stats.wiredTiger', 'oplog_stats_wt'],
  ['local.oplog.rs.stats.storageStats.wiredTiger', 'oplog_stats_wt'],
  ['local.oplog.rs.stats', 'oplog_stats'],
  ['local.oplog.rs.stats.storageStats', 'oplog_stats'],
  ['collstats_storage.wiredTiger', 'collstats_storage_wt'],
  ['collstats_storage.indexDetails', 'collstats_storage_idx'],
  ['collStats.storageStats', 'collstats_storage'],
  ['collStats.latencyStats', 'collstats_latency'],
];

/** exporter/metrics.go `prometheusize`. */
function prometheusize(path: string): string {
  let name = path;
  for (const [prefix, short] of PREFIXES) {
    if (name.startsWith(`${prefix}.`)) {
      name = short + name.slice(prefix.length);
      break;
    }
  }
  name = name
    .replace(/[^a-zA-Z0-9_]+/g, '_')
    .replace(/_$/, '')
    .replace(/__+/g, '_')
    .replace(/^_/, '');
  return `mongodb_${name}`;
}

/** exporter/metrics.go `nodeToPDMetrics`, the entries the fixtures use: the fields under these become one label. */
const FIELD_LABELS: Record<string, string> = {
  'serverStatus.connections.': 'conn_type',
  'serverStatus.opcounters.': 'legacy_op_type',
};

/** The topology labels every series of the collectors carries (exporter/topology_info.go). */
const TOPOLOGY = ['cl_id', 'cl_role', 'rs_nm', 'rs_state'];

interface NamedSeries {
  /** Where the value comes from. */
  readonly source: string;
  readonly metric: string;
  /** Label names, in the order the exposition sorts them. */
  readonly labels: readonly string[];
}

/** How the exporter names a field of a collector's document: the field's path, with `[]` for an array of members. */
function exporterName(collector: 'replicasetstatus' | 'diagnosticdata', path: string): NamedSeries {
  const fieldLabel = Object.entries(FIELD_LABELS).find(([prefix]) => path.startsWith(prefix));
  if (fieldLabel) {
    return { source: `${collector}: ${path}`, metric: prometheusize(fieldLabel[0]), labels: [...TOPOLOGY, fieldLabel[1]].sort() };
  }
  // processSlice: each member of an array carries its host (`name`) and `stateStr` as labels.
  const members = path.includes('[]');
  return {
    source: `${collector}: ${path}`,
    metric: prometheusize(path.replace('[]', '')),
    labels: (members ? [...TOPOLOGY, 'member_idx', 'member_state'] : TOPOLOGY).slice().sort(),
  };
}

/** Every series of the fixtures, and where the exporter takes it from. */
const EXPORTER_SERIES: readonly NamedSeries[] = [
  // replSetGetStatus, run by the replicasetstatus collector from the root of the document (no prefix).
  exporterName('replicasetstatus', 'myState'),
  exporterName('replicasetstatus', 'term'),
  exporterName('replicasetstatus', 'members[].health'),
  exporterName('replicasetstatus', 'members[].state'),
  exporterName('replicasetstatus', 'members[].optimeDate'),
  // getDiagnosticData's serverStatus, run by the diagnosticdata collector.
  exporterName('diagnosticdata', 'serverStatus.connections.current'),
  exporterName('diagnosticdata', 'serverStatus.opcounters.insert'),
  // exporter/general_collector.go, always.
  { source: 'general collector (mongodbUpMetric)', metric: 'mongodb_up', labels: ['cluster_role'] },
  // exporter/v1_compatibility.go oplogStatus: compatible mode, from local.oplog.rs, no labels.
  { source: 'compatible mode: oplogStatus', metric: 'mongodb_mongod_replset_oplog_head_timestamp', labels: [] },
  { source: 'compatible mode: oplogStatus', metric: 'mongodb_mongod_replset_oplog_tail_timestamp', labels: [] },
];

// ---------------------------------------------------------------------------------------------------------------
// PromQL scoping.

const PROMQL_WORDS = new Set([
  'sum',
  'max',
  'min',
  'count',
  'by',
  'without',
  'on',
  'ignoring',
  'group_right',
  'group_left',
  'or',
  'and',
  'unless',
  'vector',
  'rate',
  'changes',
  'min_over_time',
  'label_replace',
]);

/** The selectors of an expression that are not one of `scopes` (possibly with more matchers), and metric names without a selector. */
function unscopedSelectors(expr: string, scopes: readonly string[]): string[] {
  const unscoped: string[] = [];
  const rest = expr
    .replace(/[a-zA-Z_:][\w:]*(\{[^}]*\})/g, (selector, matchers: string) => {
      if (!scopes.some((scope) => matchers === scope || matchers.startsWith(`${scope.slice(0, -1)}, `))) {
        unscoped.push(selector);
      }
      return ' ';
    })
    .replace(/"(?:[^"\\]|\\.)*"/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|on|without|ignoring) \([^)]*\)/g, ' ');
  return [...unscoped, ...(rest.match(/[a-zA-Z_:][\w:]*/g) ?? []).filter((word) => !PROMQL_WORDS.has(word))];
}

/** The metric names an expression reads. */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/([a-zA-Z_:][\w:]*)\{/g)].map((match) => match[1]);
}

// ---------------------------------------------------------------------------------------------------------------
// Sets and promtool.

interface SetUnderTest {
  readonly title: string;
  readonly tier: Tier;
  readonly dataClass: DataClass;
  readonly members: number;
  readonly hiddenMembers: number;
  readonly hiddenMemberDelaySeconds?: number;
  readonly arbiter?: boolean;
}

const SETS: readonly SetUnderTest[] = [
  { title: 'a CRITICAL SYSTEM_OF_RECORD set of 3 voters', tier: Tier.CRITICAL, dataClass: DataClass.SYSTEM_OF_RECORD, members: 3, hiddenMembers: 0 },
  {
    title: 'a HIGH SYSTEM_OF_RECORD set of 5 voters and a hidden member delayed by 1h',
    tier: Tier.HIGH,
    dataClass: DataClass.SYSTEM_OF_RECORD,
    members: 5,
    hiddenMembers: 1,
    hiddenMemberDelaySeconds: 3600,
  },
  {
    title: 'a STANDARD CACHE set of 2 voters and an arbiter',
    tier: Tier.STANDARD,
    dataClass: DataClass.CACHE,
    members: 2,
    hiddenMembers: 0,
    arbiter: true,
  },
];

function setOf(spec: SetUnderTest, name: string, namespace: string, subnet: number): ReplicaSet {
  return {
    namespace,
    subnet,
    input: {
      name,
      members: spec.members,
      hiddenMembers: spec.hiddenMembers,
      tier: spec.tier,
      dataClass: spec.dataClass,
      namespace,
      ...(spec.hiddenMemberDelaySeconds === undefined ? {} : { hiddenMemberDelaySeconds: spec.hiddenMemberDelaySeconds }),
      ...(spec.arbiter ? { arbiter: true } : {}),
    },
  };
}

/**
 * Sets whose alerts would fire: one of the same name in another namespace, and one in the same namespace named like
 * this set's member StatefulSet, whose pods (`orders-mongod-mongod-0`) and claims start like this one's.
 */
function neighbours(spec: SetUnderTest): (readonly [ReplicaSet, World])[] {
  const neighbour = { ...spec, members: 3, hiddenMembers: 1, hiddenMemberDelaySeconds: 0, arbiter: false };
  return [setOf(neighbour, 'orders', 'staging', 2), setOf(neighbour, 'orders-mongod', 'shop', 3)].map((set) => [set, brokenNeighbour(set)] as const);
}

function setTestGroup(
  set: ReplicaSet,
  spec: SetUnderTest,
  scenario: Scenario<World>,
  horizon: number,
  expectations: readonly RuleExpectation[],
): object {
  return scenarioTestGroup(scenario, set, neighbours(spec), scrape, horizon, { ...ROUTING, tier: set.input.tier }, expectations);
}

const workDir = promtoolWorkDir('mongodb-alerts-');

describe('the exporter sidecar', () => {
  test('connects to its own mongod only, with the collectors the alerts read, and no credentials in its args', () => {
    // GIVEN the sidecar of a member
    const container = mongodbExporterContainer(
      {
        image: MONGODB_EXPORTER_IMAGE,
        mongodPort: 27017,
        port: MONGODB_METRICS_PORT,
        user: 'cluster-monitor',
        password: { secretName: 'orders-mongodb-credentials', key: 'monitor-password' },
      },
      { runAsNonRoot: true, readOnlyRootFilesystem: true },
    );

    // WHEN its args and env are read
    // THEN it connects directly to the local mongod, collects replSetGetStatus, getDiagnosticData and the oplog window,
    // and takes the password from the Secret
    expect(MONGODB_EXPORTER_IMAGE).toBe('percona/mongodb_exporter:0.53.0');
    expect(container.args).toEqual([
      '--mongodb.uri=mongodb://127.0.0.1:27017/admin?directConnection=true',
      '--mongodb.direct-connect',
      '--mongodb.global-conn-pool',
      '--web.listen-address=:9216',
      '--web.telemetry-path=/metrics',
      '--collector.replicasetstatus',
      '--collector.diagnosticdata',
      '--compatible-mode',
    ]);
    expect(container.env).toEqual([
      { name: 'MONGODB_USER', value: 'cluster-monitor' },
      { name: 'MONGODB_PASSWORD', valueFrom: { secretKeyRef: { name: 'orders-mongodb-credentials', key: 'monitor-password', optional: false } } },
    ]);
    expect(container.ports).toEqual([{ name: 'metrics', containerPort: 9216, protocol: 'TCP' }]);
    expect(JSON.stringify(container.args)).not.toMatch(/password|@/i);
    expect(mongodbExporterArgs(27018, 9300)).toContain('--mongodb.uri=mongodb://127.0.0.1:27018/admin?directConnection=true');
    expect(mongodbExporterEnv('monitor', { secretName: 's', key: 'k' })[0]).toEqual({ name: 'MONGODB_USER', value: 'monitor' });
  });
});

describe('the constructed fixtures', () => {
  test('the naming port reproduces the exporter’s own TestPrometeusize cases', () => {
    // GIVEN paths from percona/mongodb_exporter exporter/metrics_test.go TestPrometeusize
    // WHEN they are named
    // THEN as upstream expects
    expect(prometheusize('serverStatus.wiredTiger.transaction.transaction checkpoint most recent time (msecs)')).toBe(
      'mongodb_ss_wt_txn_transaction_checkpoint_most_recent_time_msecs',
    );
    expect(prometheusize('serverStatus.wiredTiger.thread-yield.page acquire time sleeping (usecs)')).toBe(
      'mongodb_ss_wt_thread_yield_page_acquire_time_sleeping_usecs',
    );
    expect(prometheusize('replSetGetStatus.optimes.lastCommittedOpTime.t')).toBe('mongodb_rs_optimes_lastCommittedOpTime_t');
    expect(prometheusize('local.oplog.rs.stats.storageSize')).toBe('mongodb_oplog_stats_storageSize');
    // and the replicasetstatus collector's own test (replset_status_collector_test.go): `mongodb_myState`, `mongodb_ok`
    expect(prometheusize('myState')).toBe('mongodb_myState');
    expect(prometheusize('ok')).toBe('mongodb_ok');
  });

  test.each(EXPORTER_FIXTURES)('%s.prom holds only series the exporter names so, with their labels', (file) => {
    // GIVEN the series the exporter derives from the documents it reads
    const shapes = new Set(EXPORTER_SERIES.map((series) => `${series.metric}{${series.labels.join(',')}}`));

    // WHEN a fixture's series are compared with them (cl_role is empty on a replica set member, and dropped on ingestion)
    const raw = readFileSync(join(FIXTURES, `${file}.prom`), 'utf8')
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'));

    // THEN each has the name and the label names of one of them
    for (const line of raw) {
      const [, name, labels] = /^([\w:]+)(?:\{(.*)\})?\s/.exec(line) ?? [];
      const labelNames = [...(labels ?? '').matchAll(/(\w+)="/g)].map((match) => match[1]);
      expect(shapes).toContain(`${name}{${labelNames.join(',')}}`);
    }
  });

  test('primary.prom and secondary.prom are the views of the primary and of a secondary of one healthy set of 3', () => {
    const members = (file: string) =>
      fixture(file)
        .filter((series) => series.name === 'mongodb_members_state')
        .map((series) => [series.labels.member_idx, series.labels.member_state, series.value]);
    const expected = [0, 1, 2].map((ordinal) => [
      `orders-mongod-${ordinal}.orders-mongod-headless.shop.svc.cluster.local:27017`,
      ordinal === 0 ? 'PRIMARY' : 'SECONDARY',
      ordinal === 0 ? 1 : 2,
    ]);
    expect(members('primary')).toEqual(expected);
    expect(members('secondary')).toEqual(expected);
    expect(template('primary', 'mongodb_myState')).toMatchObject({ value: 1, labels: { rs_state: '1', rs_nm: 'orders' } });
    expect(template('secondary', 'mongodb_myState')).toMatchObject({ value: 2, labels: { rs_state: '2' } });
    expect(template('primary', 'mongodb_myState').labels).not.toHaveProperty('cl_role');
    expect(template('mongod-unreachable', 'mongodb_up')).toEqual({ name: 'mongodb_up', labels: {}, value: 0 });
    const window = template('primary', OPLOG_METRICS[0]).value - template('primary', OPLOG_METRICS[1]).value;
    expect(window).toBe(HEALTHY_WINDOW);
    expect(template('primary', OPLOG_METRICS[0]).value).toBe(BASE);
    expect(fixture('kubelet-volume').map((series) => [series.name, Object.keys(series.labels)])).toEqual([
      ['kubelet_volume_stats_available_bytes', ['namespace', 'persistentvolumeclaim']],
      ['kubelet_volume_stats_capacity_bytes', ['namespace', 'persistentvolumeclaim']],
    ]);
  });
});

describe('the alert rules and the dashboard', () => {
  const input: MongoAlertInput = {
    name: 'orders',
    members: 3,
    hiddenMembers: 1,
    hiddenMemberDelaySeconds: 3600,
    arbiter: true,
    tier: Tier.HIGH,
    dataClass: DataClass.SYSTEM_OF_RECORD,
    namespace: 'shop',
  };
  const selectors = mongoSeriesSelectors(input);
  const scopes = [selectors.members, selectors.hiddenMembers, selectors.allMembers, selectors.memberVolumes, selectors.hiddenVolumes];
  const rules = mongoAlertRules(input, selectors);
  const dashboard = mongoDashboard(input, selectors, 'MongoDB orders') as { panels: { targets: { expr: string }[] }[] };
  const panelExprs = dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr));

  test('every alert and every dashboard query selects only this set', () => {
    // GIVEN the rules and the dashboard of a set
    const exprs = [...rules.map((rule) => rule.expr), ...panelExprs];

    // WHEN their expressions are taken apart
    // THEN every series selector is one of the set's, and no metric is read without one
    expect(dashboard.panels).toHaveLength(12);
    expect(exprs.map((expr) => ({ expr, unscoped: unscopedSelectors(expr, scopes) }))).toEqual(exprs.map((expr) => ({ expr, unscoped: [] })));
    expect(selectors).toEqual({
      members: '{namespace="shop", app_kubernetes_io_instance="orders", app_kubernetes_io_component="mongod"}',
      hiddenMembers: '{namespace="shop", app_kubernetes_io_instance="orders", app_kubernetes_io_component="mongod-hidden"}',
      allMembers: '{namespace="shop", app_kubernetes_io_instance="orders", app_kubernetes_io_component=~"mongod|mongod-hidden"}',
      memberHosts: 'member_idx=~"orders-mongod-[0-9]+[.].+"',
      hiddenHosts: 'member_idx=~"orders-mongod-hidden-[0-9]+[.].+"',
      memberVolumes: '{namespace="shop", persistentvolumeclaim=~"data-orders-mongod-[0-9]+"}',
      hiddenVolumes: '{namespace="shop", persistentvolumeclaim=~"data-orders-mongod-hidden-[0-9]+"}',
    });
  });

  test('every alert and every dashboard query reads only metrics the fixtures hold', () => {
    // GIVEN the metric names of the fixtures, and Prometheus' own `up`
    const known = new Set(['up', ...[...EXPORTER_FIXTURES, 'kubelet-volume'].flatMap((file) => fixture(file).map((series) => series.name))]);

    // WHEN the expressions' metric names are collected
    const read = new Set([...rules.map((rule) => rule.expr), ...panelExprs].flatMap(metricNames));

    // THEN each is one of them
    expect([...read].filter((name) => !known.has(name))).toEqual([]);
    expect(read.size).toBeGreaterThan(8);
  });

  test('promtool parses every dashboard query', () => {
    // GIVEN the dashboard's queries as recording rules
    const file = join(workDir, 'dashboard-rules.yaml');
    writeFileSync(
      file,
      stringify({ groups: [{ name: 'dashboard', rules: panelExprs.map((expr, index) => ({ record: `dashboard:panel_${index + 1}`, expr })) }] }),
    );

    // WHEN promtool checks them
    const run = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });

    // THEN it accepts all
    expect({ status: run.status, output: `${run.stdout}${run.stderr}` }).toEqual({
      status: 0,
      output: expect.stringContaining(`SUCCESS: ${panelExprs.length} rules found`),
    });
  });

  test('every alert waits the tier delay, or the one given', () => {
    expect(new Set(rules.map((rule) => rule.forSeconds))).toEqual(new Set([alertDelaySeconds(Tier.HIGH)]));
    expect(new Set(mongoAlertRules({ ...input, delaySeconds: 90 }, selectors).map((rule) => rule.forSeconds))).toEqual(new Set([90]));
  });

  test('the hidden members’ rules exist only with hidden members, and the oplog window adds their delay', () => {
    const names = (each: MongoAlertInput) => mongoAlertRules(each, selectors).map((rule) => rule.alert);
    expect(names({ ...input, hiddenMembers: 0 })).not.toContain('MongoHiddenMemberLag');
    expect(names(input)).toEqual(expect.arrayContaining(['MongoHiddenMemberUnhealthy', 'MongoHiddenMemberLag']));
    const window = rules.find((rule) => rule.alert === 'MongoOplogWindowShort');
    expect(window?.expr).toContain(`< ${24 * 3600 + 3600} and`);
    expect([Tier.CRITICAL, Tier.HIGH, Tier.STANDARD, Tier.BEST_EFFORT].map(oplogWindowThresholdSeconds)).toEqual([172800, 86400, 43200, 21600]);
  });

  test('descriptions say what losing documents costs, by data class', () => {
    const description = (dataClass: DataClass) =>
      mongoAlertRules({ ...input, dataClass }, selectors).find((rule) => rule.alert === 'MongoMajorityLost')?.description;
    expect(description(DataClass.SYSTEM_OF_RECORD)).toContain('system of record');
    expect(description(DataClass.CACHE)).toContain('cache');
  });
});

describe.each(SETS)('promtool on the alerts of $title', (spec) => {
  const set = setOf(spec, 'orders', 'shop', 1);
  const rules = mongoAlertRules(set.input, mongoSeriesSelectors(set.input));
  const delay = alertDelaySeconds(spec.tier);
  // Long enough to see a condition that outlasts the delay fire, and a shorter one pass without firing.
  const horizon = FAULT_AT + 2 * delay + 300;

  promtoolAlertRuleTests(
    join(workDir, spec.title.replace(/\W+/g, '-')),
    { name: 'mongo-replica-set.shop.orders', rules, labels: { ...ROUTING, tier: spec.tier } },
    () => ({
      horizon,
      routine: [
        { name: 'a healthy set', world: healthyWorld(set) },
        memberRestarted(set, V, lastVoter(set), delay - 3 * STEP),
        primaryFailover(set, 2 * STEP, delay - 2 * STEP),
      ],
      specs: ALERTS,
      context: () => ({ set, delay, horizon }),
      testGroup: (scenario, expectations) => setTestGroup(set, spec, scenario, horizon, expectations),
    }),
    {
      routine:
        'no alert fires for a healthy set next to broken ones (same name elsewhere, a similar name here), nor for a member restart or a failover within the delay',
      specsName: 'ALERTS',
    },
  );
});
