import { CheckReport, Finding, formatObjectRef, SourceLocation } from '../engine';
import { Severity } from '../model';

/** Counts for the closing line of a report; errors, warnings and infos count unsuppressed findings only. */
export interface ReportSummary {
  readonly objects: number;
  readonly rules: number;
  readonly errors: number;
  readonly warnings: number;
  readonly infos: number;
  readonly suppressed: number;
}

export function summarize(report: CheckReport): ReportSummary {
  const active = report.findings.filter((finding) => !finding.suppression);
  const count = (severity: Severity) => active.filter((finding) => finding.severity === severity).length;
  return {
    objects: report.inputs.length,
    rules: report.rules.length,
    errors: count(Severity.ERROR),
    warnings: count(Severity.WARNING),
    infos: count(Severity.INFO),
    suppressed: report.findings.length - active.length,
  };
}

/** `42 objects, 31 rules: 0 errors, 2 warnings, 1 suppressed` (infos only when there are some). */
export function formatSummary(summary: ReportSummary): string {
  const counts = [plural(summary.errors, 'error'), plural(summary.warnings, 'warning')];
  if (summary.infos > 0) {
    counts.push(`${summary.infos} info`);
  }
  counts.push(`${summary.suppressed} suppressed`);
  return `${plural(summary.objects, 'object')}, ${plural(summary.rules, 'rule')}: ${counts.join(', ')}`;
}

/** `deploy.yaml:12`, the construct path of a synthesized object, or nothing. */
export function formatLocation(location: SourceLocation | undefined): string | undefined {
  if (location?.file !== undefined) {
    return location.line === undefined ? location.file : `${location.file}:${location.line}`;
  }
  return location?.constructPath;
}

const SEVERITY_ORDER: readonly Severity[] = [Severity.ERROR, Severity.WARNING, Severity.INFO];
const SEVERITY_WIDTH = Math.max(...SEVERITY_ORDER.map((severity) => severity.length));

/**
 * A report for a terminal: findings grouped by object, the objects with errors first, each finding with its rule,
 * JSON path, message and fix; suppressed findings last in their group, with the reason; then the summary line.
 */
export function format(report: CheckReport): string {
  const groups = groupByObject(report.findings);
  const blocks = groups.map((group) => [objectHeading(group[0]), ...groupLines(sortFindings(group))].join('\n'));
  const body = blocks.length === 0 ? 'No findings.' : blocks.join('\n\n');
  return `${body}\n\n${formatSummary(summarize(report))}\n`;
}

function groupByObject(findings: readonly Finding[]): Finding[][] {
  const groups = new Map<string, Finding[]>();
  for (const finding of findings) {
    const key = `${formatLocation(finding.location) ?? ''} ${formatObjectRef(finding.object)}`;
    const group = groups.get(key) ?? [];
    group.push(finding);
    groups.set(key, group);
  }
  // Array.prototype.sort is stable: objects of equal rank stay in input order.
  return [...groups.values()].sort((a, b) => groupRank(a) - groupRank(b));
}

/** The position of the worst unsuppressed finding's severity; a group of suppressed findings only comes last. */
function groupRank(group: readonly Finding[]): number {
  return group.reduce((rank, finding) => Math.min(rank, findingRank(finding)), SEVERITY_ORDER.length);
}

function findingRank(finding: Finding): number {
  return finding.suppression ? SEVERITY_ORDER.length : SEVERITY_ORDER.indexOf(finding.severity);
}

function sortFindings(group: readonly Finding[]): Finding[] {
  return [...group].sort((a, b) => findingRank(a) - findingRank(b));
}

function objectHeading(finding: Finding): string {
  const location = formatLocation(finding.location);
  const ref = formatObjectRef(finding.object);
  if (location === undefined) {
    return ref;
  }
  return finding.location?.file !== undefined ? `${location} ${ref}` : `${ref} (${location})`;
}

/** One line per finding; the fix follows the last of a run of unsuppressed findings of the same rule, once. */
function groupLines(findings: readonly Finding[]): string[] {
  const indent = ' '.repeat(2 + SEVERITY_WIDTH + 1);
  return findings.flatMap((finding, position) => {
    const subject = finding.path === '' ? finding.message : `${finding.path}: ${finding.message}`;
    const head = `  ${finding.severity.padEnd(SEVERITY_WIDTH)} [${finding.ruleId}] ${subject}`;
    if (finding.suppression) {
      return [`${head} (suppressed: ${finding.suppression.reason})`];
    }
    const next = findings[position + 1];
    const fixFollows = next !== undefined && !next.suppression && next.ruleId === finding.ruleId;
    return fixFollows ? [head] : [head, `${indent}fix: ${finding.fix}`];
  });
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
