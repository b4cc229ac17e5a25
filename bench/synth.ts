/**
 * `npm run bench`: fleet synthesis. Synthesizes 100, 300, 1,000 and 3,000 business scenarios, each a chart with a
 * RedisSentinel, with cdk8s's App and with ours, each size and App in a fresh child process, and prints wall time,
 * peak memory (the child's max RSS), the ratio and the growth from 1,000 to 3,000 charts.
 *
 * The baseline is cdk8s's App.synth() followed by one run of our checks over its output; the scenarios' per-chart
 * checks are left out of it, so that the baseline checks once, as ours does. Ours is our App's synthesis, checks on.
 * Targets on the 2-core machine: at 1,000 charts ours at least 15x faster than the baseline; 3,000 charts at most
 * 3.5x what 1,000 cost; peak memory at 3,000 charts below 2 GiB.
 *
 * `--workload statefulset` synthesizes the issue's chart instead: a cdk8s-plus StatefulSet and a ConfigMap.
 * `--repeat N` measures each size and App N times, alternating, each in a fresh child process, and reports the
 * median time (and the largest peak): on a shared 2-core machine single timings move by 10 to 30%, at times 2x.
 *
 *   npm run bench -- [--sizes 100,300] [--skip-baseline-above 1000] [--workload redis|statefulset] [--repeat 3] [--json]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App as Cdk8sApp, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { App, BusinessScenario, DataClass, RedisSentinel, Tier } from '../lib';
import { checkApp, withAppWideChecks } from '../lib/checks/synthesis';
import { chartToKube } from '../lib/synth/cdk8s-internals';

const DEFAULT_SIZES = [100, 300, 1_000, 3_000];
/** The tier and data class combinations RedisSentinel supports (a BEST_EFFORT system of record has too few replicas). */
const STORES: readonly [Tier, DataClass][] = [
  [Tier.CRITICAL, DataClass.SYSTEM_OF_RECORD],
  [Tier.CRITICAL, DataClass.CACHE],
  [Tier.HIGH, DataClass.SYSTEM_OF_RECORD],
  [Tier.HIGH, DataClass.CACHE],
  [Tier.STANDARD, DataClass.SYSTEM_OF_RECORD],
  [Tier.STANDARD, DataClass.CACHE],
  [Tier.BEST_EFFORT, DataClass.CACHE],
];

type Variant = 'cdk8s' | 'ours';
type Workload = 'redis' | 'statefulset';

interface Measurement {
  readonly seconds: number;
  readonly peakMiB: number;
}

interface Result {
  readonly charts: number;
  readonly cdk8sSeconds: number | null;
  readonly oursSeconds: number;
  readonly ratio: number | null;
  readonly oursPeakMiB: number;
}

/** A company's fleet: one business scenario per chart, across the tiers, each with a Redis cache or system of record. */
function buildRedisFleet(app: Cdk8sApp, charts: number): void {
  for (let index = 0; index < charts; index++) {
    const [tier, dataClass] = STORES[index % STORES.length];
    const scenario = new BusinessScenario(app, `scenario-${index}`, { owner: `team-${index % 40}`, tier, namespace: `scenario-${index}` });
    new RedisSentinel(scenario, 'store', { dataClass });
  }
}

/** The charts the issue measured: each a cdk8s-plus StatefulSet and a ConfigMap, no scenario, so no checks. */
function buildStatefulSetFleet(app: Cdk8sApp, charts: number): void {
  for (let index = 0; index < charts; index++) {
    const chart = new Chart(app, `service-${index}`, { namespace: `team-${index}` });
    new kplus.ConfigMap(chart, 'config', { data: { 'app.conf': `index ${index}\n` } });
    new kplus.StatefulSet(chart, 'store', { containers: [{ image: 'registry.example.com/store:1.0.0', portNumber: 6379 }], replicas: 3 });
  }
}

const WORKLOADS: Record<Workload, (app: Cdk8sApp, charts: number) => void> = { redis: buildRedisFleet, statefulset: buildStatefulSetFleet };

function secondsSince(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** cdk8s's App.synth(), then one run of our checks over the objects it wrote (gathered outside the clock). */
function synthesizeWithCdk8s(outdir: string, workload: Workload, charts: number): number {
  const app = new Cdk8sApp({ outdir });
  WORKLOADS[workload](app, charts);
  const synthesisStarted = process.hrtime.bigint();
  withAppWideChecks(app, () => app.synth());
  const synthesisSeconds = secondsSince(synthesisStarted);
  const output = app.charts.map((chart) => ({
    chart,
    objects: chartToKube(chart).map((apiObject) => ({ manifest: apiObject.toJson(), constructPath: apiObject.node.path })),
    skipRules: BusinessScenario.isBusinessScenario(chart) ? chart.skipRules : undefined,
  }));
  const checksStarted = process.hrtime.bigint();
  checkApp(output);
  return synthesisSeconds + secondsSince(checksStarted);
}

function synthesizeWithOurs(outdir: string, workload: Workload, charts: number): number {
  const app = new App({ outdir });
  WORKLOADS[workload](app, charts);
  const started = process.hrtime.bigint();
  app.synth();
  return secondsSince(started);
}

function measureInThisProcess(variant: Variant, workload: Workload, charts: number): void {
  const outdir = mkdtempSync(join(tmpdir(), `sb-bench-${variant}-`));
  try {
    const seconds = variant === 'ours' ? synthesizeWithOurs(outdir, workload, charts) : synthesizeWithCdk8s(outdir, workload, charts);
    const measurement: Measurement = { seconds, peakMiB: process.resourceUsage().maxRSS / 1024 };
    console.log(JSON.stringify(measurement));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function measureInChild(variant: Variant, workload: Workload, charts: number): Measurement {
  const child = spawnSync(process.execPath, [...process.execArgv, __filename, '--child', variant, workload, String(charts)], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (child.status !== 0) {
    throw new Error(`synthesis of ${charts} charts with ${variant} failed:\n${child.stderr}`);
  }
  return JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}');
}

/** The median time of the runs of one size and App, and the largest peak memory among them. */
function summarize(runs: readonly Measurement[]): Measurement {
  const seconds = runs.map((run) => run.seconds).sort((a, b) => a - b);
  const middle = Math.floor(seconds.length / 2);
  return {
    seconds: seconds.length % 2 === 1 ? seconds[middle] : (seconds[middle - 1] + seconds[middle]) / 2,
    peakMiB: Math.max(...runs.map((run) => run.peakMiB)),
  };
}

function optionValue(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

function printTable(results: readonly Result[]): void {
  console.log('charts  cdk8s App.synth + checks       ours  ratio  ours peak RSS');
  for (const result of results) {
    const baseline = result.cdk8sSeconds === null ? 'skipped' : `${result.cdk8sSeconds.toFixed(2)} s`;
    const ratio = result.ratio === null ? '-' : `${result.ratio.toFixed(1)}x`;
    console.log(
      `${String(result.charts).padStart(6)}  ${baseline.padStart(23)}  ${`${result.oursSeconds.toFixed(2)} s`.padStart(9)}  ${ratio.padStart(5)}  ${`${result.oursPeakMiB.toFixed(0)} MiB`.padStart(13)}`,
    );
  }
  const thousand = results.find((result) => result.charts === 1_000);
  const threeThousand = results.find((result) => result.charts === 3_000);
  if (thousand && threeThousand) {
    console.log(
      `ours: 3,000 charts cost ${(threeThousand.oursSeconds / thousand.oursSeconds).toFixed(2)}x what 1,000 cost (target: at most 3.5x); ` +
        `peak ${threeThousand.oursPeakMiB.toFixed(0)} MiB (target: below 2048)`,
    );
  }
  if (thousand?.ratio) {
    console.log(`at 1,000 charts ours is ${thousand.ratio.toFixed(1)}x faster than the baseline (target: at least 15x)`);
  }
}

function main(): void {
  const childAt = process.argv.indexOf('--child');
  if (childAt >= 0) {
    measureInThisProcess(process.argv[childAt + 1] as Variant, process.argv[childAt + 2] as Workload, Number(process.argv[childAt + 3]));
    return;
  }
  const sizes = optionValue('--sizes')?.split(',').map(Number) ?? DEFAULT_SIZES;
  if (sizes.some((size) => !Number.isInteger(size) || size < 1)) {
    throw new Error(`--sizes must be chart counts, whole numbers of at least 1 separated by commas; got "${optionValue('--sizes')}"`);
  }
  const skipBaselineAbove = Number(optionValue('--skip-baseline-above') ?? Infinity);
  if (Number.isNaN(skipBaselineAbove) || skipBaselineAbove < 0) {
    throw new Error(`--skip-baseline-above must be a chart count, 0 or more; got "${optionValue('--skip-baseline-above')}"`);
  }
  const workload = (optionValue('--workload') ?? 'redis') as Workload;
  if (!(workload in WORKLOADS)) {
    throw new Error(`unknown workload "${workload}": one of ${Object.keys(WORKLOADS).join(', ')}`);
  }
  const json = process.argv.includes('--json');
  const repeat = Number(optionValue('--repeat') ?? 1);
  if (!Number.isInteger(repeat) || repeat < 1) {
    throw new Error(`--repeat must be a whole number of runs, at least 1; got "${optionValue('--repeat')}"`);
  }
  const results: Result[] = sizes.map((charts) => {
    const oursRuns: Measurement[] = [];
    const cdk8sRuns: Measurement[] = [];
    for (let run = 0; run < repeat; run++) {
      oursRuns.push(measureInChild('ours', workload, charts));
      if (charts <= skipBaselineAbove) {
        cdk8sRuns.push(measureInChild('cdk8s', workload, charts));
      }
    }
    const ours = summarize(oursRuns);
    const cdk8s = cdk8sRuns.length > 0 ? summarize(cdk8sRuns) : undefined;
    if (!json && repeat > 1) {
      const times = (runs: Measurement[]) => runs.map((measurement) => measurement.seconds.toFixed(2)).join(', ');
      process.stderr.write(`${charts} charts, every run: ours ${times(oursRuns)}${cdk8s ? `; cdk8s ${times(cdk8sRuns)}` : ''}\n`);
    }
    if (!json) {
      process.stderr.write(`${charts} charts: ours ${ours.seconds.toFixed(2)} s${cdk8s ? `, cdk8s ${cdk8s.seconds.toFixed(2)} s` : ''}\n`);
    }
    return {
      charts,
      cdk8sSeconds: cdk8s ? cdk8s.seconds : null,
      oursSeconds: ours.seconds,
      ratio: cdk8s ? cdk8s.seconds / ours.seconds : null,
      oursPeakMiB: Math.round(ours.peakMiB),
    };
  });
  if (json) {
    console.log(JSON.stringify({ results }));
  } else {
    printTable(results);
  }
}

try {
  main();
} catch (error) {
  process.stderr.write(`bench: ${(error as Error).message}\n`);
  process.exitCode = 2;
}
