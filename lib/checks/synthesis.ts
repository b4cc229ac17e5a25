import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { RULE_CATALOG } from './catalog';
import { CheckInput, CheckReport, failingFindings, Finding, formatObjectRef, RuleRun, runChecks, selectRules } from './engine';
import { KubeObject, notApplicable, Rule, Severity } from './model';
import { Suppressions } from './suppressions';

/** Thrown when the manifests of one or more charts break a rule at error severity; synthesis stops. */
export class ChecksFailedError extends Error {
  public readonly findings: readonly Finding[];

  /** `chartPaths`: the path of the failing chart, or the comma-separated paths of the failing charts of an app. */
  constructor(chartPaths: string, findings: readonly Finding[]) {
    super(
      `${chartPaths}: synthesis stopped by ${findings.length} stability check error${findings.length === 1 ? '' : 's'}:\n` +
        findings.map((finding) => formatFinding(finding)).join('\n'),
    );
    this.name = 'ChecksFailedError';
    this.findings = findings;
  }
}

export interface ChartCheckOptions {
  /** Rule ids not to run for this chart. */
  readonly skipRules?: readonly string[];
}

/**
 * Runs the default rule catalog over the manifests of one chart, each traced back to the construct that defined
 * it. Errors throw a ChecksFailedError; warnings are written to stderr.
 */
export function checkChart(chart: Chart, manifests: readonly any[], options: ChartCheckOptions = {}): CheckReport {
  const constructPaths = new Map<string, string>();
  for (const apiObject of chart.node.findAll().filter(ApiObject.isApiObject)) {
    if (Chart.of(apiObject) === chart) {
      constructPaths.set(objectKey(apiObject.kind, apiObject.metadata.namespace, apiObject.name), apiObject.node.path);
    }
  }
  const inputs = manifests.map((object) => ({
    object,
    location: { constructPath: constructPaths.get(objectKey(object.kind, object.metadata?.namespace, object.metadata?.name)) },
  }));
  const report = runChecks(inputs, selectRules(RULE_CATALOG, { skip: options.skipRules }), RULE_CATALOG);
  printWarnings(chart, report);
  const errors = failingFindings(report, 'error');
  if (errors.length > 0) {
    throw new ChecksFailedError(chart.node.path, errors);
  }
  return report;
}

/** A manifest as synthesized, with the path of the construct that defined it. */
export interface SynthesizedObject {
  readonly manifest: KubeObject;
  readonly constructPath: string;
}

export interface SynthesizedChart {
  readonly chart: Chart;
  readonly objects: readonly SynthesizedObject[];
  /**
   * Rule ids not to run on this chart's objects.
   *
   * @default - the chart is not checked: its objects are only context for the rules that relate objects
   */
  readonly skipRules?: readonly string[];
}

export interface AppCheckReports {
  /** Every checked object of the app and its findings. */
  readonly app: CheckReport;
  /** The part of the app's report about each checked chart's objects, with the rules that chart ran. */
  readonly byChart: ReadonlyMap<Chart, CheckReport>;
}

interface CheckedChart {
  readonly chart: Chart;
  readonly rules: readonly Rule[];
  readonly ruleIds: ReadonlySet<string>;
  readonly inputs: CheckInput[];
  readonly findings: Finding[];
  readonly runs: RuleRun[];
}

/**
 * Runs the default rule catalog once over the objects of every checked chart of an app, against an index of every
 * object of the app, so that rules relating objects (a PDB and its pods, a NetworkPolicy and its peers) see across
 * charts. Each chart keeps its own skipped rules. Warnings are written to stderr per chart; error findings of all
 * charts throw one ChecksFailedError.
 */
export function checkApp(charts: readonly SynthesizedChart[]): AppCheckReports {
  const inputs: CheckInput[] = [];
  const checkedByObject = new Map<KubeObject, CheckedChart>();
  const checkedByConstructPath = new Map<string, CheckedChart>();
  const checkedCharts: CheckedChart[] = [];
  for (const { chart, objects, skipRules } of charts) {
    const checked = skipRules ? newCheckedChart(chart, skipRules) : undefined;
    if (checked) {
      checkedCharts.push(checked);
    }
    for (const { manifest, constructPath } of objects) {
      const input = { object: manifest, location: { constructPath } };
      inputs.push(input);
      if (checked) {
        checked.inputs.push(input);
        checkedByObject.set(manifest, checked);
        checkedByConstructPath.set(constructPath, checked);
      }
    }
  }
  if (checkedCharts.length === 0) {
    return { app: { inputs: [], rules: [], findings: [], runs: [] }, byChart: new Map() };
  }
  const ruleIds = new Set(checkedCharts.flatMap((checked) => [...checked.ruleIds]));
  const rules = RULE_CATALOG.filter((rule) => ruleIds.has(rule.id));
  // A rule runs on an object only if the object's chart runs it; context objects are judged by no rule.
  const rulesForEachChart = rules.map((rule): Rule => ({
    ...rule,
    check: (object, index) =>
      checkedByObject.get(object)?.ruleIds.has(rule.id) ? rule.check(object, index) : notApplicable('not checked in this chart'),
  }));
  const report = runChecks(inputs, rulesForEachChart, RULE_CATALOG);
  for (const run of report.runs) {
    const checked = checkedByObject.get(run.input.object);
    if (checked?.ruleIds.has(run.ruleId)) {
      checked.runs.push(run);
    }
  }
  for (const finding of report.findings) {
    checkedByConstructPath.get(finding.location?.constructPath ?? '')?.findings.push(finding);
  }
  const byChart = new Map<Chart, CheckReport>();
  for (const checked of checkedCharts) {
    const chartReport = { inputs: checked.inputs, rules: checked.rules, findings: checked.findings, runs: checked.runs };
    byChart.set(checked.chart, chartReport);
    printWarnings(checked.chart, chartReport);
  }
  const appReport: CheckReport = {
    inputs: checkedCharts.flatMap((checked) => checked.inputs),
    rules,
    findings: checkedCharts.flatMap((checked) => checked.findings),
    runs: checkedCharts.flatMap((checked) => checked.runs),
  };
  const failingCharts = checkedCharts.filter((checked) => failingFindings(byChart.get(checked.chart)!, 'error').length > 0);
  if (failingCharts.length > 0) {
    throw new ChecksFailedError(failingCharts.map((checked) => checked.chart.node.path).join(', '), failingFindings(appReport, 'error'));
  }
  return { app: appReport, byChart };
}

function newCheckedChart(chart: Chart, skipRules: readonly string[]): CheckedChart {
  const rules = selectRules(RULE_CATALOG, { skip: skipRules });
  return { chart, rules, ruleIds: new Set(rules.map((rule) => rule.id)), inputs: [], findings: [], runs: [] };
}

function printWarnings(chart: Chart, report: CheckReport): void {
  const warnings = report.findings.filter((finding) => finding.severity === Severity.WARNING && !finding.suppression);
  if (warnings.length > 0) {
    process.stderr.write(
      `${chart.node.path}: ${warnings.length} stability check warning(s):\n${warnings.map((finding) => formatFinding(finding)).join('\n')}\n`,
    );
  }
}

const appsCheckingAllCharts = new WeakSet<IConstruct>();

/**
 * Runs `synthesize` with the checks of the app's scenarios left to the app, which checks all charts at once;
 * `checksRunAppWide` tells a scenario so while it renders.
 */
export function withAppWideChecks<T>(app: IConstruct, synthesize: () => T): T {
  appsCheckingAllCharts.add(app);
  try {
    return synthesize();
  } finally {
    appsCheckingAllCharts.delete(app);
  }
}

/** Whether the app of `construct` is synthesizing with one check run over all its charts. */
export function checksRunAppWide(construct: IConstruct): boolean {
  return appsCheckingAllCharts.has(construct.node.root);
}

/** Applies construct-level suppressions before the chart renders, so they reach the manifests. */
export function prepareChartForChecks(chart: Chart): void {
  Suppressions.applyTo(chart);
}

function objectKey(kind: string, namespace: string | undefined, name: string | undefined): string {
  return `${kind}/${namespace ?? ''}/${name ?? ''}`;
}

function formatFinding(finding: Finding): string {
  const where = finding.location?.constructPath ? ` (${finding.location.constructPath})` : '';
  const path = finding.path ? ` at ${finding.path}` : '';
  return `  [${finding.severity}] ${finding.ruleId} ${formatObjectRef(finding.object)}${where}${path}: ${finding.message}\n    fix: ${finding.fix}`;
}
