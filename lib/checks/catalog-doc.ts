import type { Rule } from './model';

/** How one check of kube-score, kube-linter, Polaris or Kyverno is covered by the catalog. */
export interface CoverageRow {
  readonly row: number;
  readonly asserted: string;
  readonly tools: string;
  readonly decision: 'adopted' | 'adapted' | 'rejected';
  readonly ruleIds: readonly string[];
  readonly note: string;
}

const GENERATED_NOTICE = 'Generated from the rule metadata by `npm run docs:rules`; do not edit by hand. A test fails when it is stale.';

/** The rule catalog document (docs/rules.md): every rule, the unsuppressible list, and the coverage of other tools. */
export function renderRuleCatalog(rules: readonly Rule[], coverage: readonly CoverageRow[]): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const sorted = [...rules].sort((a, b) => a.id.localeCompare(b.id));
  const lines = [
    '# Rule catalog',
    '',
    GENERATED_NOTICE,
    '',
    'Every synthesis runs the rules that are on by default; `stability-blueprints check` runs them over any manifests.',
    'Suppress a finding with a reason, per object (`stability-blueprints.io/suppress` annotation, one `rule-id: reason` per line)',
    'or per construct (`Suppressions.add(construct, ruleId, reason)`); suppressed findings stay in every report.',
    '',
    '| id | severity | targets | on by default | suppressible | asserts |',
    '|---|---|---|---|---|---|',
    ...sorted.map(
      (rule) =>
        `| [\`${rule.id}\`](#${rule.id}) | ${rule.severity} | ${rule.targets.length > 0 ? rule.targets.join(', ') : '(the run itself)'} | ` +
        `${rule.enabledByDefault ? 'yes' : 'no'} | ${rule.unsuppressible ? 'no' : 'yes'} | ${cell(rule.title)} |`,
    ),
    '',
    '## Rules that cannot be suppressed',
    '',
    ...sorted.filter((rule) => rule.unsuppressible).map((rule) => `- \`${rule.id}\`: ${rule.title}`),
    '',
    '## Rules',
    '',
    ...sorted.flatMap((rule) => [`### ${rule.id}`, '', `**${rule.title}**`, '', `Why: ${rule.rationale}`, '', `Fix: ${rule.fix}`, '']),
    '## Coverage of kube-score, kube-linter, Polaris and Kyverno',
    '',
    'Each check of the merged matrix in the reference notes, and what the catalog does with it.',
    '',
    '| # | what is asserted | their checks | decision | our rules | how and why |',
    '|---|---|---|---|---|---|',
    ...coverage.map(
      (row) =>
        `| ${row.row} | ${cell(row.asserted)} | ${cell(row.tools)} | ${row.decision} | ` +
        `${row.ruleIds.map((id) => `\`${id}\``).join(', ') || '-'} | ${cell(row.note)} |`,
    ),
    '',
  ];
  return lines.join('\n');
}
