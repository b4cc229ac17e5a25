/**
 * How much a business scenario's outage costs; picks the defaults of every component in it.
 *
 * | knob                              | CRITICAL                  | HIGH                     | STANDARD                 | BEST_EFFORT              |
 * |-----------------------------------|---------------------------|--------------------------|--------------------------|--------------------------|
 * | data replicas                     | 3                         | 3                        | 3                        | 2                        |
 * | zone spread (maxSkew 1)           | DoNotSchedule, minDomains = scenario zones (3) | ScheduleAnyway | ScheduleAnyway      | ScheduleAnyway           |
 * | host anti-affinity                | required                  | preferred                | preferred                | preferred                |
 * | PodDisruptionBudget               | from quorum               | from quorum              | from quorum              | from quorum              |
 * | priority class (value)            | stability-blueprints-critical (1000000) | -high (100000) | -standard (10000)  | -best-effort (0)         |
 * | failure detection                 | 5 s                       | 5 s                      | 10 s                     | 30 s                     |
 * | failover timeout                  | 10 s                      | 30 s                     | 60 s                     | 180 s                    |
 *
 * Every knob can be overridden per component through its props.
 */
export enum Tier {
  CRITICAL = 'critical',
  HIGH = 'high',
  STANDARD = 'standard',
  BEST_EFFORT = 'best-effort',
}

/**
 * What losing a component's data costs; picks persistence and durability.
 *
 * | knob                                   | CACHE                         | SYSTEM_OF_RECORD                  |
 * |----------------------------------------|-------------------------------|-----------------------------------|
 * | data on a persistent volume            | no (emptyDir)                 | yes, PVCs retained on delete and scale-down |
 * | replicas that confirm a write          | 0                             | 1                                 |
 * | write-ahead log / fsync                | off                           | on, fsync every second            |
 * | evicts keys when memory is full        | yes                           | never: writes fail instead        |
 */
export enum DataClass {
  CACHE = 'cache',
  SYSTEM_OF_RECORD = 'system-of-record',
}

export enum ZoneSpread {
  /** `whenUnsatisfiable: DoNotSchedule` with `minDomains`: a pod waits rather than doubling up in a zone. */
  HARD = 'hard',
  /** `whenUnsatisfiable: ScheduleAnyway`: the scheduler prefers spreading but never blocks on it. */
  SOFT = 'soft',
}

export interface TierProfile {
  readonly replicas: number;
  readonly zoneSpread: ZoneSpread;
  readonly requiredHostAntiAffinity: boolean;
  readonly priorityClassName: string;
  readonly priorityValue: number;
  readonly failureDetectionMilliseconds: number;
  readonly failoverTimeoutMilliseconds: number;
}

export interface DataClassProfile {
  readonly persistentData: boolean;
  readonly minSyncReplicas: number;
  readonly writeAheadLog: boolean;
  readonly evictsWhenFull: boolean;
}

const TIER_PROFILES: Record<Tier, TierProfile> = {
  [Tier.CRITICAL]: {
    replicas: 3,
    zoneSpread: ZoneSpread.HARD,
    requiredHostAntiAffinity: true,
    priorityClassName: 'stability-blueprints-critical',
    priorityValue: 1_000_000,
    failureDetectionMilliseconds: 5_000,
    failoverTimeoutMilliseconds: 10_000,
  },
  [Tier.HIGH]: {
    replicas: 3,
    zoneSpread: ZoneSpread.SOFT,
    requiredHostAntiAffinity: false,
    priorityClassName: 'stability-blueprints-high',
    priorityValue: 100_000,
    failureDetectionMilliseconds: 5_000,
    failoverTimeoutMilliseconds: 30_000,
  },
  [Tier.STANDARD]: {
    replicas: 3,
    zoneSpread: ZoneSpread.SOFT,
    requiredHostAntiAffinity: false,
    priorityClassName: 'stability-blueprints-standard',
    priorityValue: 10_000,
    failureDetectionMilliseconds: 10_000,
    failoverTimeoutMilliseconds: 60_000,
  },
  [Tier.BEST_EFFORT]: {
    replicas: 2,
    zoneSpread: ZoneSpread.SOFT,
    requiredHostAntiAffinity: false,
    priorityClassName: 'stability-blueprints-best-effort',
    priorityValue: 0,
    failureDetectionMilliseconds: 30_000,
    failoverTimeoutMilliseconds: 180_000,
  },
};

const DATA_CLASS_PROFILES: Record<DataClass, DataClassProfile> = {
  [DataClass.CACHE]: { persistentData: false, minSyncReplicas: 0, writeAheadLog: false, evictsWhenFull: true },
  [DataClass.SYSTEM_OF_RECORD]: { persistentData: true, minSyncReplicas: 1, writeAheadLog: true, evictsWhenFull: false },
};

export function tierProfile(tier: Tier): TierProfile {
  return TIER_PROFILES[tier];
}

export function dataClassProfile(dataClass: DataClass): DataClassProfile {
  return DATA_CLASS_PROFILES[dataClass];
}

/** Every tier, most critical first. */
export const ALL_TIERS: readonly Tier[] = [Tier.CRITICAL, Tier.HIGH, Tier.STANDARD, Tier.BEST_EFFORT];

/** What a prop of type Tier allows, for error messages. */
export const TIER_CHOICES = Object.keys(Tier)
  .map((key) => `Tier.${key}`)
  .join(', ');

/** What a prop of type DataClass allows, for error messages. */
export const DATA_CLASS_CHOICES = 'DataClass.SYSTEM_OF_RECORD, DataClass.CACHE';

/** Whether `value` is a Tier: a prop typed Tier may still receive anything from JavaScript or an `as any`. */
export function isTier(value: unknown): value is Tier {
  return (Object.values(Tier) as unknown[]).includes(value);
}

export function isDataClass(value: unknown): value is DataClass {
  return (Object.values(DataClass) as unknown[]).includes(value);
}
