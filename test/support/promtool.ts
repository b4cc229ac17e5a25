import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { AlertRule, toPrometheusRule } from '../../lib/observability/monitoring';

/*
 * promtool unit tests of synthesized alert rules: the series of a scenario as Prometheus would record them, the
 * expected alerts, and one promtool run per test file. The alert tests of each component build their own worlds and
 * cases; writing, running and asserting the promtool files is the same for all of them.
 */

/** The PodMonitor's scrape interval; the rules are evaluated as often. */
export const STEP = 15;
/** A test waits for a promtool run that shares the CPU with the other runs of its set. */
const PROMTOOL_TIMEOUT_MS = 30_000;

export type Labels = Record<string, string>;

/** One scraped value of one series, named as promtool's `input_series` names it. */
export type Sample = readonly [series: string, value: number];

export interface ExpectedAlert {
  /** The labels of the series the alert is about, none for an alert about the whole set. */
  readonly labels: Labels;
  readonly summary: string;
}

export interface AlertCheck {
  readonly atSeconds: number;
  readonly alerts: readonly ExpectedAlert[];
}

export interface RuleExpectation {
  readonly rule: { readonly alert: string; readonly annotations: Labels };
  readonly checks: readonly AlertCheck[];
  /** Only read when a check expects an alert. */
  readonly severity?: string;
}

export interface InputSeries {
  readonly series: string;
  readonly values: string;
}

export function seriesName(metric: string, labels: Labels): string {
  return `${metric}{${Object.entries(labels)
    .map(([label, value]) => `${label}="${value}"`)
    .join(', ')}}`;
}

/**
 * promtool `input_series` from what every scrape records, from 0 to `horizon` seconds: a value per scrape, `stale`
 * when a series stops being scraped, `_` while it is absent.
 */
export function inputSeries(scrape: (seconds: number) => readonly Sample[], horizon: number): InputSeries[] {
  const steps = horizon / STEP + 1;
  const timelines = new Map<string, (number | undefined)[]>();
  for (let step = 0; step < steps; step++) {
    for (const [series, value] of scrape(step * STEP)) {
      const timeline = timelines.get(series) ?? [];
      timeline[step] = value;
      timelines.set(series, timeline);
    }
  }
  return [...timelines].map(([series, timeline]) => {
    const tokens = Array.from({ length: steps }, (_, step) =>
      timeline[step] !== undefined ? String(timeline[step]) : step > 0 && timeline[step - 1] !== undefined ? 'stale' : '_',
    );
    while (tokens[tokens.length - 1] === '_') {
      tokens.pop();
    }
    return { series, values: compressRuns(tokens) };
  });
}

/** `1 1 1 0` becomes `1x2 0`, promtool's `axn` (n + 1 copies of a). */
function compressRuns(tokens: string[]): string {
  const runs: string[] = [];
  let start = 0;
  while (start < tokens.length) {
    let end = start + 1;
    while (end < tokens.length && tokens[end] === tokens[start]) {
      end++;
    }
    const numeric = tokens[start] !== '_' && tokens[start] !== 'stale';
    runs.push(numeric && end - start > 1 ? `${tokens[start]}x${end - start - 1}` : tokens.slice(start, end).join(' '));
    start = end;
  }
  return runs.join(' ');
}

/** Never firing, checked at every evaluation. */
export function staysQuiet(horizon: number): AlertCheck[] {
  return Array.from({ length: horizon / STEP + 1 }, (_, step) => ({ atSeconds: step * STEP, alerts: [] }));
}

/**
 * One promtool test group: a scenario's series and the alerts expected of it. Every expected alert carries `labels`
 * (the routing labels of the rule group), its rule's severity, and the labels of the series it is about.
 */
export function testGroup(name: string, series: readonly InputSeries[], labels: Labels, expectations: readonly RuleExpectation[]): object {
  return {
    name,
    interval: `${STEP}s`,
    input_series: series,
    alert_rule_test: expectations.flatMap(({ rule, severity, checks }) =>
      checks.map(({ atSeconds, alerts }) => ({
        eval_time: `${atSeconds}s`,
        alertname: rule.alert,
        exp_alerts: alerts.map((alert) => ({
          exp_labels: { ...labels, severity, ...alert.labels },
          exp_annotations: { summary: alert.summary, description: rule.annotations.description },
        })),
      })),
    ),
  };
}

/** A named course of a component's pods over time. */
export interface Scenario<World> {
  readonly name: string;
  readonly world: World;
}

/** One scenario of an alert, and what the alert must do in it. */
export interface AlertCase<World> {
  readonly scenario: Scenario<World>;
  readonly checks: readonly AlertCheck[];
}

/** What the cases of every alert are built from, besides the component under test: the rule's `for` and the scenarios' length. */
export interface CaseTiming {
  readonly delay: number;
  readonly horizon: number;
}

/** How one alert is tested: the severity its rule must carry, and its cases. */
export interface AlertSpec<Context, World> {
  readonly severity: string | ((context: Context) => string);
  readonly cases: (context: Context) => AlertCase<World>[];
}

/** Quiet at `quietAt`, the expected alerts at `firingAt`. */
export function firesAt<World>(quietAt: number, firingAt: number, scenario: Scenario<World>, alerts: ExpectedAlert[]): AlertCase<World> {
  return {
    scenario,
    checks: [
      { atSeconds: quietAt, alerts: [] },
      { atSeconds: firingAt, alerts },
    ],
  };
}

/** Quiet until the rule's `for` has passed since `onset` (pending, for a rule with one), then firing. */
export function firesDelayed<World>(onset: number, delay: number, scenario: Scenario<World>, alerts: ExpectedAlert[]): AlertCase<World> {
  return firesAt(onset + delay - STEP, onset + delay, scenario, alerts);
}

export const quietThroughout = <World>(horizon: number, scenario: Scenario<World>): AlertCase<World> => ({ scenario, checks: staysQuiet(horizon) });

/** An alert about the whole component rather than one of its series: no labels but `labels`. */
export const componentAlert = (summary: string, labels: Labels = {}): ExpectedAlert => ({ labels, summary });

/**
 * A promtool test group of a scenario, with the expectations of some rules: the series of the component under test
 * in the scenario's world, next to those of `neighbours` (other components and their worlds, whose series no alert of
 * the component may see). `labels` are the routing labels of the rule group.
 */
export function scenarioTestGroup<Component, World>(
  scenario: Scenario<World>,
  component: Component,
  neighbours: readonly (readonly [Component, World])[],
  scrape: (component: Component, world: World, seconds: number) => readonly Sample[],
  horizon: number,
  labels: Labels,
  expectations: readonly RuleExpectation[],
): object {
  const worlds = [[component, scenario.world] as const, ...neighbours];
  const series = inputSeries((at) => worlds.flatMap(([each, world]) => scrape(each, world, at)), horizon);
  return testGroup(scenario.name, series, labels, expectations);
}

/** A rule as the test groups read it. */
export type TestedRule = RuleExpectation['rule'];

export interface AlertScenarios<Rule extends TestedRule, Context, World> {
  readonly groups: readonly object[];
  /** The rules of `groups`. */
  readonly rules: readonly Rule[];
  readonly horizon: number;
  /** Scenarios in which no rule may fire. */
  readonly routine: readonly Scenario<World>[];
  /** The specs by alert name; a rule without one gets no test group (and fails its test). */
  readonly specs: Readonly<Record<string, AlertSpec<Context, World>>>;
  /** What the cases of a rule's alert are built from. */
  readonly context: (rule: Rule) => Context;
  readonly testGroup: (scenario: Scenario<World>, expectations: readonly RuleExpectation[]) => object;
}

/** The promtool input of a rule set: every rule quiet in each routine scenario, and each alert's cases. */
export function alertScenarioInput<Rule extends TestedRule, Context, World>(input: AlertScenarios<Rule, Context, World>): PromtoolInput {
  const { groups, rules, horizon, routine, specs, context, testGroup: testGroupOf } = input;
  const everyRuleQuiet = rules.map((rule) => ({ rule, checks: staysQuiet(horizon) }));
  const alerts = new Map<string, object[]>();
  for (const rule of rules) {
    const spec = specs[rule.alert] as AlertSpec<Context, World> | undefined;
    if (spec === undefined) {
      continue;
    }
    const caseContext = context(rule);
    const severity = typeof spec.severity === 'string' ? spec.severity : spec.severity(caseContext);
    alerts.set(
      rule.alert,
      spec.cases(caseContext).map(({ scenario, checks }) => testGroupOf(scenario, [{ rule, severity, checks }])),
    );
  }
  return { groups, routine: routine.map((scenario) => testGroupOf(scenario, everyRuleQuiet)), alerts };
}

interface PromtoolRun {
  readonly status: number | null;
  readonly output: string;
}

/** Asynchronous, so that the promtool runs of a set overlap. */
function promtool(...args: string[]): Promise<PromtoolRun> {
  return new Promise((resolve) => {
    const child = spawn('promtool', args);
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => resolve({ status: null, output: error.message }));
    child.on('close', (status) => resolve({ status, output }));
  });
}

/**
 * A temporary directory for the promtool files of a test file, removed after it; fails (never skips) the test file
 * when promtool is not installed.
 */
export function promtoolWorkDir(prefix: string): string {
  const workDir = mkdtempSync(join(tmpdir(), prefix));
  beforeAll(() => {
    const probe = spawnSync('promtool', ['--version']);
    if ((probe.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
      throw new Error('promtool is not installed: install it with `apt-get install -y prometheus`');
    }
  });
  afterAll(() => {
    rmSync(workDir, { recursive: true, force: true });
  });
  return workDir;
}

/** What promtool is run on for one rule set: its rule groups, the routine scenarios, and the test groups of each alert. */
export interface PromtoolInput {
  readonly groups: readonly object[];
  /** Test groups in which no rule may fire. */
  readonly routine: readonly object[];
  /** Test groups by alert name. */
  readonly alerts: ReadonlyMap<string, readonly object[]>;
}

export interface PromtoolTestNames {
  /** How many rules `promtool check rules` must find. */
  readonly ruleCount: number;
  /** The title of the test of the routine scenarios. */
  readonly routine: string;
  /** The alerts that must each have promtool cases. */
  readonly alerts: readonly string[];
  /** Where a missing alert's cases belong, for the failure message. */
  readonly specsName: string;
}

/**
 * Registers, in the current describe block, the promtool runs of one rule set and the tests that await them:
 * `promtool check rules`, the routine scenarios, and one test per alert. `input` is called in beforeAll, which writes
 * the files under `dir` and starts every run at once.
 */
export function promtoolRuleSetTests(dir: string, input: () => PromtoolInput, names: PromtoolTestNames): void {
  let ruleCheck: Promise<PromtoolRun>;
  let routineRun: Promise<PromtoolRun>;
  const alertRuns = new Map<string, Promise<PromtoolRun>>();

  beforeAll(() => {
    const { groups, routine, alerts } = input();
    mkdirSync(dir);
    writeFileSync(join(dir, 'rules.yaml'), stringify({ groups }));
    ruleCheck = promtool('check', 'rules', join(dir, 'rules.yaml'));

    const routineFile = join(dir, 'routine.test.yaml');
    writeUnitTests(routineFile, routine);
    routineRun = promtool('test', 'rules', routineFile);

    for (const [alert, testGroups] of alerts) {
      const testFile = join(dir, `${alert}.test.yaml`);
      writeUnitTests(testFile, testGroups);
      alertRuns.set(alert, promtool('test', 'rules', testFile));
    }
  });

  test(
    'promtool check rules accepts every rule',
    async () => {
      expect(await ruleCheck).toEqual({ status: 0, output: expect.stringContaining(`SUCCESS: ${names.ruleCount} rules found`) });
    },
    PROMTOOL_TIMEOUT_MS,
  );

  test(
    names.routine,
    async () => {
      expect(await routineRun).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
    },
    PROMTOOL_TIMEOUT_MS,
  );

  test.each([...names.alerts])(
    '%s fires as specified once its condition outlasts its delay, and stays quiet on near misses',
    async (alert) => {
      const run = alertRuns.get(alert);
      if (run === undefined) {
        throw new Error(`no promtool cases for ${alert}: add them to ${names.specsName}`);
      }
      expect(await run).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
    },
    PROMTOOL_TIMEOUT_MS,
  );
}

/** One component's alert rules as the rule group that carries its routing labels. */
export interface AlertRuleGroup {
  readonly name: string;
  readonly rules: readonly AlertRule[];
  readonly labels: Labels;
}

/**
 * promtoolRuleSetTests of a component's alert rules, in one rule group: `scenarios` (called in beforeAll) gives the
 * routine scenarios and the cases of each alert.
 */
export function promtoolAlertRuleTests<Context, World>(
  dir: string,
  group: AlertRuleGroup,
  scenarios: () => Omit<AlertScenarios<TestedRule, Context, World>, 'groups' | 'rules'>,
  names: Omit<PromtoolTestNames, 'ruleCount' | 'alerts'>,
): void {
  const rules = group.rules.map((rule) => toPrometheusRule(rule, group.labels) as TestedRule);
  promtoolRuleSetTests(dir, () => alertScenarioInput({ groups: [{ name: group.name, rules }], rules, ...scenarios() }), {
    ...names,
    ruleCount: group.rules.length,
    alerts: group.rules.map((rule) => rule.alert),
  });
}

/** JSON is YAML too, and serializes these megabytes in milliseconds rather than seconds. */
function writeUnitTests(file: string, groups: readonly object[]): void {
  writeFileSync(file, JSON.stringify({ rule_files: ['rules.yaml'], evaluation_interval: `${STEP}s`, tests: groups }, undefined, 1));
}
