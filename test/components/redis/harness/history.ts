import { LoadLog, ProbeRecord, SentinelSample, WriteRecord, majorityMaster } from './load';

/**
 * Reading a load's log (load.ts) after the fact: which writes the set acknowledged, which nodes took writes while
 * another node was the elected master, how long writes were unavailable, when the sentinels moved the master.
 */

/**
 * The elected master in one sentinel sample: the replica that a failover in progress promotes (its election is
 * newer than any configuration the sentinels publish), or else the master that the sentinel with the highest
 * configuration epoch names. Undefined when no sentinel answered, or when sentinels with the same highest epoch name
 * different masters.
 */
export function electedMaster(sample: SentinelSample): string | undefined {
  const promoted = new Set(sample.views.flatMap((view) => (view.promoted === undefined ? [] : [view.promoted])));
  if (promoted.size > 0) {
    return promoted.size === 1 ? [...promoted][0] : undefined;
  }
  const named = sample.views.filter((view) => view.master !== undefined && view.configEpoch !== undefined);
  const newest = Math.max(...named.map((view) => view.configEpoch!));
  const masters = new Set(named.filter((view) => view.configEpoch === newest).map((view) => view.master));
  return masters.size === 1 ? [...masters][0] : undefined;
}

/** The master a majority of the sentinels named in a sample. */
export function sampleMajority(sample: SentinelSample): string | undefined {
  return majorityMaster(sample.views);
}

export function acknowledged(log: LoadLog): WriteRecord[] {
  return log.writes.filter((write) => write.reply === 'OK' && (write.replicas ?? 0) >= 1);
}

export function answeredOk(log: LoadLog): WriteRecord[] {
  return log.writes.filter((write) => write.reply === 'OK');
}

export function okNotAcknowledged(log: LoadLog): WriteRecord[] {
  return log.writes.filter((write) => write.reply === 'OK' && (write.replicas ?? 0) < 1);
}

/** The key and value of a write. */
export function keyValue(log: LoadLog, write: WriteRecord): [string, string] {
  return [`w:${log.spec.name}:${write.seq}`, `v${write.seq}`];
}

/**
 * Writes (load or probes) that a node answered OK while another node was the elected master: in the last sample
 * that ended before the write was sent and in the first one that started after it was answered, the same other node
 * was elected. A write during a change of master, when the two samples disagree, is not held against anyone.
 */
export function takenByNonElected<T extends WriteRecord | ProbeRecord>(records: readonly T[], samples: readonly SentinelSample[]): T[] {
  const ended = samples.map((sample) => sample.endedAt);
  const started = samples.map((sample) => sample.startedAt);
  return records.filter((record) => {
    if (record.reply !== 'OK') {
      return false;
    }
    const before = lastAtOrBefore(ended, record.sentAt);
    const after = firstAtOrAfter(started, record.answeredAt);
    if (before < 0 || after >= samples.length) {
      return false;
    }
    const elected = electedMaster(samples[before]);
    return elected !== undefined && elected === electedMaster(samples[after]) && elected !== record.node;
  });
}

/**
 * Every write and probe that a node took while another node was the elected master. A load written through endpoints
 * (proxies) does not know which node took each write: then only the probes, sent to every node directly, count.
 */
export function nonElectedWrites(log: LoadLog): (WriteRecord | ProbeRecord)[] {
  const writes = log.spec.endpoints === undefined ? takenByNonElected(log.writes, log.samples) : [];
  return [...writes, ...takenByNonElected(log.probes, log.samples)];
}

/**
 * The longest time without an acknowledged write that overlaps [from, to]: from the last acknowledgement before the
 * gap to the first one after it, or to `to` when writes never came back.
 */
export function longestOutageMs(log: LoadLog, from: number, to: number): number {
  const times = acknowledged(log)
    .map((write) => write.answeredAt)
    .sort((a, b) => a - b);
  let longest = 0;
  let previous = log.startedAt;
  for (const time of [...times, to]) {
    if (time >= from && previous <= to) {
      longest = Math.max(longest, Math.min(time, to) - previous);
    }
    previous = time;
    if (time > to) {
      break;
    }
  }
  return longest;
}

/** Writes answered OK per second in [from, to]. */
export function okRate(log: LoadLog, from: number, to: number): number {
  const count = answeredOk(log).filter((write) => write.answeredAt >= from && write.answeredAt <= to).length;
  return to > from ? (count * 1000) / (to - from) : 0;
}

/** The end of the first sample from `from` on in which a sentinel majority named a master other than `old`. */
export function majorityMovedAt(log: LoadLog, old: string, from: number): number | undefined {
  return log.samples.find((sample) => sample.startedAt >= from && ![undefined, old].includes(sampleMajority(sample)))?.endedAt;
}

/** The end of the first sample from `from` on in which the elected master was another node than `old`. */
export function electionMovedAt(log: LoadLog, old: string, from: number): number | undefined {
  return log.samples.find((sample) => sample.startedAt >= from && ![undefined, old].includes(electedMaster(sample)))?.endedAt;
}

/** The index of the last value <= `time` in ascending `values`, or -1. */
function lastAtOrBefore(values: readonly number[], time: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (values[middle] <= time) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  return low - 1;
}

/** The index of the first value >= `time` in ascending `values`, or values.length. */
function firstAtOrAfter(values: readonly number[], time: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (values[middle] < time) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  return low;
}
