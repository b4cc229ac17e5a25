import { isAbsolute, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CheckReport, Finding, formatObjectRef, INVALID_SUPPRESSION, RULE_FAILED } from '../engine';
import { STDIN_NAME } from '../load';
import { Rule, Severity } from '../model';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

export interface SarifReportOptions {
  readonly toolVersion: string;
  /** The directory relative file names are relative to; absolute names under it are made relative too. */
  readonly cwd?: string;
}

const LEVELS: Record<Severity, 'error' | 'warning' | 'note'> = {
  [Severity.ERROR]: 'error',
  [Severity.WARNING]: 'warning',
  [Severity.INFO]: 'note',
};

/**
 * A SARIF 2.1.0 log for code-scanning tools: one run whose driver lists the rules with their rationale and fix, and
 * one result per finding, located by file and start line and by `Kind/namespace/name`. Suppressed findings stay in
 * the log with an accepted in-source suppression, which code-scanning UIs show as dismissed.
 */
export function format(report: CheckReport, options: SarifReportOptions): string {
  const rules = reportedRules(report);
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'stability-blueprints', version: options.toolVersion, rules: rules.map(ruleDescriptor) } },
        results: report.findings.map((finding) => ({
          ruleId: finding.ruleId,
          ruleIndex: ruleIndex.get(finding.ruleId),
          level: LEVELS[finding.severity],
          message: { text: `${formatObjectRef(finding.object)}${finding.path === '' ? '' : ` at ${finding.path}`}: ${finding.message}` },
          locations: [resultLocation(finding, options.cwd)],
          // An empty list says the tool looked for suppressions and found none; an absent one would say it did not look.
          suppressions: finding.suppression ? [{ kind: 'inSource', status: 'accepted', justification: finding.suppression.reason }] : [],
        })),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

/** The rules that ran, then the engine's own rules when they reported something, since those run whatever is selected. */
function reportedRules(report: CheckReport): Rule[] {
  const ran = new Set(report.rules.map((rule) => rule.id));
  const reported = new Set(report.findings.map((finding) => finding.ruleId));
  const engineRules = [RULE_FAILED, INVALID_SUPPRESSION].filter((rule) => !ran.has(rule.id) && reported.has(rule.id));
  return [...report.rules, ...engineRules];
}

function ruleDescriptor(rule: Rule) {
  return {
    id: rule.id,
    name: pascalCase(rule.id),
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.rationale },
    help: { text: rule.fix },
    defaultConfiguration: { level: LEVELS[rule.severity] },
    properties: { targets: rule.targets, enabledByDefault: rule.enabledByDefault, unsuppressible: rule.unsuppressible === true },
  };
}

function resultLocation(finding: Finding, cwd: string | undefined) {
  const { file, line, constructPath } = finding.location ?? {};
  const logicalLocations = [
    { fullyQualifiedName: formatObjectRef(finding.object), kind: 'resource' },
    ...(constructPath === undefined ? [] : [{ fullyQualifiedName: constructPath, kind: 'module' }]),
  ];
  if (file === undefined || file === STDIN_NAME) {
    return { logicalLocations };
  }
  const region = line === undefined ? {} : { region: { startLine: line } };
  return { physicalLocation: { artifactLocation: { uri: artifactUri(file, cwd) }, ...region }, logicalLocations };
}

/** A relative URI reference when the file is under `cwd` (code-scanning tools resolve it against the checkout), else a file URI. */
function artifactUri(file: string, cwd: string | undefined): string {
  const shown = isAbsolute(file) && cwd !== undefined && !relative(cwd, file).startsWith('..') ? relative(cwd, file) : file;
  return isAbsolute(shown) ? pathToFileURL(shown).href : shown.split(sep).map(encodeURIComponent).join('/');
}

function pascalCase(id: string): string {
  return id
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}
