import { readFileSync } from 'node:fs';
import { RULE_CATALOG } from './catalog';
import { FailLevel, failingFindings, Finding, runChecks, selectRules } from './engine';
import { loadManifests } from './load';

/** The part of cdk8s-cli's ValidationContext a plugin uses (`cdk8s-cli/plugins`), so the library does not depend on the CLI. */
export interface Cdk8sValidationContext {
  readonly manifests: readonly string[];
  readonly report: {
    addViolation(violation: {
      ruleName: string;
      recommendation: string;
      fix: string;
      violatingResources: { resourceName: string; locations: string[]; manifestPath: string }[];
    }): void;
    submit(status: 'success' | 'failure', metadata?: Record<string, string>): void;
  };
  readonly logger: { log(message: string): void };
}

export interface StabilityChecksValidationProps {
  /**
   * Findings at or above this severity fail `cdk8s synth`.
   *
   * @default 'error'
   */
  readonly failOn?: FailLevel;
  /**
   * Rule ids to run, off-by-default rules included.
   *
   * @default - every rule on by default
   */
  readonly rules?: string[];
  /**
   * Rule ids not to run.
   *
   * @default - none
   */
  readonly skip?: string[];
}

/**
 * The stability-blueprints checks as a cdk8s-cli validation plugin, for `cdk8s.yaml`:
 *
 * ```yaml
 * validations:
 *   - package: stability-blueprints
 *     version: 0.1.0
 *     class: StabilityChecksValidation
 *     properties: { failOn: error }
 * ```
 *
 * Each rule that fires becomes one violation listing the objects and fields; suppressed findings are listed with
 * their reason and never fail the report.
 */
export class StabilityChecksValidation {
  private readonly props: StabilityChecksValidationProps;

  constructor(props: StabilityChecksValidationProps = {}) {
    this.props = props;
  }

  public async validate(context: Cdk8sValidationContext): Promise<void> {
    const inputs = context.manifests.flatMap((path) => loadManifests({ path, content: readFileSync(path, 'utf8') }));
    const rules = selectRules(RULE_CATALOG, { only: this.props.rules, skip: this.props.skip });
    const report = runChecks(inputs, rules, RULE_CATALOG);
    const byRule = new Map<string, Finding[]>();
    for (const finding of report.findings) {
      byRule.set(finding.ruleId, [...(byRule.get(finding.ruleId) ?? []), finding]);
    }
    for (const [ruleId, findings] of byRule) {
      const [first] = findings;
      context.report.addViolation({
        ruleName: `${ruleId} (${first.severity})`,
        recommendation: `${first.title}. ${findings
          .map(
            (finding) =>
              `${finding.object.kind}/${finding.object.name}: ${finding.message}${finding.suppression ? ` (suppressed: ${finding.suppression.reason})` : ''}`,
          )
          .join('; ')}`,
        fix: first.fix,
        violatingResources: findings.map((finding) => ({
          resourceName: finding.object.name ?? '',
          locations: [finding.path || '.'],
          manifestPath: finding.location?.file ?? '',
        })),
      });
    }
    const failing = failingFindings(report, this.props.failOn ?? 'error');
    context.logger.log(`stability-blueprints: ${inputs.length} objects, ${rules.length} rules, ${failing.length} failing findings`);
    context.report.submit(failing.length === 0 ? 'success' : 'failure', {
      objects: String(inputs.length),
      rules: String(rules.length),
      findings: String(report.findings.length),
      suppressed: String(report.findings.filter((finding) => finding.suppression).length),
    });
  }
}
