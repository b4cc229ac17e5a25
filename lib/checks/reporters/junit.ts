import { CheckReport, FailLevel, failingFindings, Finding, formatObjectRef, ObjectRef, objectRef, RuleRun, SourceLocation } from '../engine';

export interface JunitReportOptions {
  readonly failOn: FailLevel;
}

interface TestCase {
  readonly classname: string;
  readonly name: string;
  readonly file?: string;
  /** Absent for the engine's own rules, which report without running. */
  readonly run?: RuleRun;
  readonly findings: Finding[];
}

/**
 * A JUnit XML report for CI test views: a test suite per file (or per object without one), a test case per object and
 * rule that ran. A case fails when it has a finding that fails the run at `failOn`, so the test view and the exit code
 * agree; findings below that level and suppressed ones pass, with a note in `<system-out>`. Findings of the engine's
 * own rules (a rule that failed, a bad suppression) get a case of their own.
 */
export function format(report: CheckReport, options: JunitReportOptions): string {
  const failing = new Set(failingFindings(report, options.failOn));
  const suites = new Map<string, TestCase[]>();
  const cases = new Map<string, TestCase>();
  const caseFor = (location: SourceLocation | undefined, ref: ObjectRef, ruleId: string, run?: RuleRun): TestCase => {
    const classname = formatObjectRef(ref);
    const key = `${location?.file ?? ''}:${location?.line ?? ''}:${location?.constructPath ?? ''} ${classname} ${ruleId}`;
    let testCase = cases.get(key);
    if (!testCase) {
      const suite = location?.file ?? classname;
      testCase = { classname, name: ruleId, file: location?.file, run, findings: [] };
      cases.set(key, testCase);
      const suiteCases = suites.get(suite) ?? [];
      suiteCases.push(testCase);
      suites.set(suite, suiteCases);
    }
    return testCase;
  };
  for (const run of report.runs) {
    caseFor(run.input.location, objectRef(run.input.object), run.ruleId, run);
  }
  for (const finding of report.findings) {
    caseFor(finding.location, finding.object, finding.ruleId).findings.push(finding);
  }

  const all = [...cases.values()];
  const lines = [`<?xml version="1.0" encoding="UTF-8"?>`, `<testsuites name="stability-blueprints" ${countAttributes(all, failing)}>`];
  for (const [name, suiteCases] of suites) {
    lines.push(`  <testsuite name="${attribute(name)}" ${countAttributes(suiteCases, failing)}>`);
    for (const testCase of suiteCases) {
      lines.push(testCaseXml(testCase, failing, options.failOn));
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

/** Why the rule did not judge the object, for a case to skip. A rule that threw reports only through rule-failed. */
function skipReasonOf(testCase: TestCase): string | undefined {
  if (testCase.run?.status === 'not-applicable') {
    return testCase.run.reason ?? 'not applicable';
  }
  return testCase.run?.status === 'failed' && testCase.findings.length === 0
    ? 'the rule could not judge the object: see its rule-failed case'
    : undefined;
}

function countAttributes(cases: readonly TestCase[], failing: ReadonlySet<Finding>): string {
  const failures = cases.filter((testCase) => testCase.findings.some((finding) => failing.has(finding))).length;
  const skipped = cases.filter((testCase) => skipReasonOf(testCase) !== undefined).length;
  return `tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}"`;
}

function testCaseXml(testCase: TestCase, failing: ReadonlySet<Finding>, failOn: FailLevel): string {
  const fileAttribute = testCase.file === undefined ? '' : ` file="${attribute(testCase.file)}"`;
  const open = `    <testcase classname="${attribute(testCase.classname)}" name="${attribute(testCase.name)}"${fileAttribute}`;
  const failures = testCase.findings.filter((finding) => failing.has(finding));
  const notes = testCase.findings.filter((finding) => !failing.has(finding)).map((finding) => noteOf(finding, failOn));
  const skipReason = skipReasonOf(testCase);
  const children: string[] = [];
  if (skipReason !== undefined) {
    children.push(`      <skipped message="${attribute(skipReason)}"/>`);
  }
  if (failures.length > 0) {
    const details = failures.map((finding) => `${finding.severity}: ${subjectOf(finding)}\nfix: ${finding.fix}`).join('\n\n');
    children.push(`      <failure type="${failures[0].severity}" message="${attribute(subjectOf(failures[0]))}">${text(details)}</failure>`);
  }
  if (notes.length > 0) {
    children.push(`      <system-out>${text(notes.join('\n'))}</system-out>`);
  }
  return children.length === 0 ? `${open}/>` : [`${open}>`, ...children, '    </testcase>'].join('\n');
}

function noteOf(finding: Finding, failOn: FailLevel): string {
  if (finding.suppression) {
    return `suppressed: ${finding.suppression.reason} (${finding.severity}: ${subjectOf(finding)})`;
  }
  return `${finding.severity}, not failing at --fail-on ${failOn}: ${subjectOf(finding)}`;
}

function subjectOf(finding: Finding): string {
  return finding.path === '' ? finding.message : `${finding.path}: ${finding.message}`;
}

/** XML 1.0 cannot carry control characters (other than tab and line breaks) or lone surrogates, even escaped. */
const NOT_XML_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

function text(value: string): string {
  return value.replace(NOT_XML_CHARACTER, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Line breaks and tabs are written as references: a parser would otherwise normalize them to spaces in an attribute. */
function attribute(value: string): string {
  return text(value).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}
