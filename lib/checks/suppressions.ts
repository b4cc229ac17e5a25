import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { BlueprintKeys } from '../core/labels';
import { BlueprintError } from '../errors';
import { RULE_CATALOG } from './catalog';

const MIN_REASON_LENGTH = 10;
const suppressionsByConstruct = new WeakMap<IConstruct, Map<string, string>>();

/**
 * Suppressions of check rules for a construct and every object below it, each with the reason a reviewer reads.
 *
 * They are written into the objects' `stability-blueprints.io/suppress` annotation at synthesis, so the same
 * suppressions apply when the manifests are audited later with the CLI, and the findings stay visible in every
 * report, marked suppressed.
 */
export class Suppressions {
  /** Suppresses `ruleId` for `construct` and its children; throws for an unknown rule, one that cannot be suppressed, or a short reason. */
  public static add(construct: IConstruct, ruleId: string, reason: string): void {
    const rule = RULE_CATALOG.find((candidate) => candidate.id === ruleId);
    const path = construct.node.path;
    if (!rule) {
      throw new BlueprintError(path, 'suppressed rule', ruleId, 'the id of a rule of the catalog (see docs/rules.md)');
    }
    if (rule.unsuppressible) {
      throw new BlueprintError(path, 'suppressed rule', ruleId, 'a rule that can be suppressed; this one guards against a risk no reason justifies');
    }
    if (reason.trim().length < MIN_REASON_LENGTH) {
      throw new BlueprintError(path, `reason for suppressing ${ruleId}`, reason, `at least ${MIN_REASON_LENGTH} characters a reviewer can judge`);
    }
    const suppressions = suppressionsByConstruct.get(construct) ?? new Map<string, string>();
    suppressions.set(ruleId, reason.trim().replace(/\s+/g, ' '));
    suppressionsByConstruct.set(construct, suppressions);
  }

  /** Writes the suppressions of each ApiObject's constructs (itself and its scopes) into its annotation. */
  public static applyTo(scope: Construct): void {
    for (const apiObject of scope.node.findAll().filter(ApiObject.isApiObject)) {
      const merged = new Map<string, string>();
      for (const construct of apiObject.node.scopes) {
        for (const [ruleId, reason] of suppressionsByConstruct.get(construct) ?? []) {
          merged.set(ruleId, reason);
        }
      }
      if (merged.size === 0) {
        continue;
      }
      const existing: string | undefined = apiObject.metadata.toJson().annotations?.[BlueprintKeys.SUPPRESS];
      const lines = existing ? existing.split('\n').filter((line) => line.trim() !== '' && !merged.has(line.split(':')[0].trim())) : [];
      apiObject.metadata.addAnnotation(
        BlueprintKeys.SUPPRESS,
        [...lines, ...[...merged].map(([ruleId, reason]) => `${ruleId}: ${reason}`)].join('\n'),
      );
    }
  }
}
