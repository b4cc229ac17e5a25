import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Labels, Sample, seriesName } from './promtool';

/*
 * Exporter output in the Prometheus text exposition format, as the alert tests take it from their fixtures (recorded
 * or constructed), and the samples Prometheus records from it under the labels of a scrape target.
 */

/** One series as an exporter prints it. */
export interface Exported {
  readonly name: string;
  readonly labels: Labels;
  readonly value: number;
}

/** The sample lines of an exposition. Prometheus drops labels with an empty value when it ingests a scrape, and so does this. */
export function parseExposition(text: string): Exported[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
      if (!match) {
        throw new Error(`not a sample line: ${line}`);
      }
      const labels: Labels = {};
      for (const [, label, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
        if (value !== '') {
          labels[label] = value;
        }
      }
      return { name: match[1], labels, value: Number(match[3]) };
    });
}

/** Reads `<file>.prom` of `dir`, parsed once per file. */
export function fixtureReader(dir: string): (file: string) => Exported[] {
  const cache = new Map<string, Exported[]>();
  return (file) => {
    const cached = cache.get(file) ?? parseExposition(readFileSync(join(dir, `${file}.prom`), 'utf8'));
    cache.set(file, cached);
    return cached;
  };
}

/** The same series with new values for some metrics (every series of each); a metric the output does not have is an error. */
export function withValues(exported: readonly Exported[], values: Record<string, number>): Exported[] {
  for (const name of Object.keys(values)) {
    if (!exported.some((series) => series.name === name)) {
      throw new Error(`the exporter output has no ${name}`);
    }
  }
  return exported.map((series) => (series.name in values ? { ...series, value: values[series.name] } : series));
}

/** One pod at one moment: whether Prometheus reaches its exporter, and what the exporter prints. */
export interface PodScrape {
  /** Bumped when a deleted pod is replaced: the new pod has a new IP, so new series. */
  readonly generation: number;
  readonly scraped: boolean;
  readonly exported: readonly Exported[];
}

/**
 * What one scrape of a target records: `up`, and the exporter's series under the target's labels; `exported` is
 * undefined when Prometheus does not reach the exporter.
 */
export function targetSamples(target: Labels, exported: readonly Exported[] | undefined): Sample[] {
  const up: Sample = [seriesName('up', target), exported === undefined ? 0 : 1];
  return [up, ...(exported ?? []).map((series): Sample => [seriesName(series.name, { ...series.labels, ...target }), series.value])];
}

/** Where the kubelet that reports a claim's volume runs. */
export interface KubeletNode {
  /** The kubelet's address. */
  readonly instance: string;
  readonly node: string;
}

/** The labels of a claim's volume series: the claim's, and the kubelet job's (kube-prometheus-stack, honorLabels). */
export function kubeletVolumeLabels(namespace: string, claim: string, { instance, node }: KubeletNode): Labels {
  return {
    namespace,
    persistentvolumeclaim: claim,
    endpoint: 'https-metrics',
    instance: `${instance}:10250`,
    job: 'kubelet',
    metrics_path: '/metrics',
    node,
    service: 'kube-prometheus-stack-kubelet',
  };
}

/** The recorded volume series of the kubelet under a claim's `labels`, with `free` of the capacity available. */
export function kubeletVolumeSamples(recorded: readonly Exported[], labels: Labels, free: number): Sample[] {
  const capacity = recorded.find((series) => series.name === 'kubelet_volume_stats_capacity_bytes')?.value ?? NaN;
  return recorded.map((series): Sample => {
    const value = series.name === 'kubelet_volume_stats_available_bytes' ? Math.round(capacity * free) : series.value;
    return [seriesName(series.name, { ...series.labels, ...labels }), value];
  });
}
