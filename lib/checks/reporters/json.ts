import { CheckReport, FailLevel, failingFindings, formatObjectRef } from '../engine';
import { summarize } from './text';

export interface JsonReportOptions {
  readonly failOn: FailLevel;
  readonly toolVersion: string;
}

/**
 * A report for scripts: the summary, whether the run fails at `failOn`, the rules that ran and every finding,
 * suppressed ones included (`suppressed: true` with the reason).
 */
export function format(report: CheckReport, options: JsonReportOptions): string {
  const document = {
    tool: { name: 'stability-blueprints', version: options.toolVersion },
    failOn: options.failOn,
    failed: failingFindings(report, options.failOn).length > 0,
    summary: summarize(report),
    rules: report.rules.map((rule) => ({ id: rule.id, title: rule.title, severity: rule.severity })),
    findings: report.findings.map((finding) => ({
      ruleId: finding.ruleId,
      severity: finding.severity,
      title: finding.title,
      object: formatObjectRef(finding.object),
      kind: finding.object.kind,
      namespace: finding.object.namespace,
      name: finding.object.name,
      location: finding.location,
      path: finding.path,
      message: finding.message,
      fix: finding.fix,
      suppressed: finding.suppression !== undefined,
      suppressionReason: finding.suppression?.reason,
    })),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
