import { ApiObject, Chart } from 'cdk8s';
import { RULE_CATALOG } from './catalog';
import { CheckReport, failingFindings, Finding, formatObjectRef, runChecks, selectRules } from './engine';
import { Severity } from './model';
import { Suppressions } from './suppressions';

/** Thrown when a chart's manifests break a rule at error severity; synthesis stops. */
export class ChecksFailedError extends Error {
  public readonly findings: readonly Finding[];

  constructor(chartPath: string, findings: readonly Finding[]) {
    super(
      `${chartPath}: synthesis stopped by ${findings.length} stability check error${findings.length === 1 ? '' : 's'}:\n` +
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
  const warnings = report.findings.filter((finding) => finding.severity === Severity.WARNING && !finding.suppression);
  if (warnings.length > 0) {
    process.stderr.write(
      `${chart.node.path}: ${warnings.length} stability check warning(s):\n${warnings.map((finding) => formatFinding(finding)).join('\n')}\n`,
    );
  }
  const errors = failingFindings(report, 'error');
  if (errors.length > 0) {
    throw new ChecksFailedError(chart.node.path, errors);
  }
  return report;
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
