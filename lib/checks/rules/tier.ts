import { BlueprintKeys } from '../../core/labels';
import { notApplicable, Rule, RuleOutcome, Severity } from '../model';
import { annotation, podSpecPath, violation } from '../pod-helpers';
import { podTemplateOf, selectorMatches } from '../selectors';

const ZONE_KEY = 'topology.kubernetes.io/zone';

export const CRITICAL_ZONE_SPREAD: Rule = {
  id: 'critical-zone-spread',
  title: 'A CRITICAL workload is spread over at least 3 zones, hard',
  severity: Severity.ERROR,
  targets: ['StatefulSet', 'Deployment'],
  rationale:
    'A soft or missing zone constraint lets the scheduler put a majority of the pods in one zone, so one zone outage takes the ' +
    'CRITICAL set below quorum; without minDomains the constraint is met while only one or two zones have nodes.',
  fix:
    `Add a topologySpreadConstraint on ${ZONE_KEY} with maxSkew 1, whenUnsatisfiable DoNotSchedule, minDomains 3 and a labelSelector ` +
    'that matches the pod template labels.',
  enabledByDefault: true,
  check(object): RuleOutcome {
    const tier = annotation(object, BlueprintKeys.TIER);
    const template = podTemplateOf(object);
    if (tier !== 'critical' || !template) {
      return notApplicable(`not annotated ${BlueprintKeys.TIER}: critical`);
    }
    const path = `${podSpecPath(template)}.topologySpreadConstraints`;
    const constraints: any[] = Array.isArray(template.spec.topologySpreadConstraints) ? template.spec.topologySpreadConstraints : [];
    const zoneConstraints = constraints.filter((constraint) => constraint?.topologyKey === ZONE_KEY);
    if (zoneConstraints.length === 0) {
      return [violation(path, `no topologySpreadConstraint on ${ZONE_KEY}`)];
    }
    const labels = template.metadata.labels ?? {};
    const good = zoneConstraints.some(
      (constraint) =>
        constraint.maxSkew === 1 &&
        constraint.whenUnsatisfiable === 'DoNotSchedule' &&
        typeof constraint.minDomains === 'number' &&
        constraint.minDomains >= 3 &&
        selectorMatches(constraint.labelSelector, labels),
    );
    if (good) {
      return [];
    }
    const [first] = zoneConstraints;
    const problems = [
      first.maxSkew !== 1 ? `maxSkew ${first.maxSkew}` : undefined,
      first.whenUnsatisfiable !== 'DoNotSchedule' ? `whenUnsatisfiable ${first.whenUnsatisfiable}` : undefined,
      !(first.minDomains >= 3) ? `minDomains ${first.minDomains ?? 'unset'}` : undefined,
      !selectorMatches(first.labelSelector, labels) ? 'a labelSelector that does not match the pod template' : undefined,
    ].filter((problem) => problem !== undefined);
    return [violation(`${path}[${constraints.indexOf(first)}]`, `the zone constraint has ${problems.join(', ')}`)];
  },
};

export const TIER_RULES: readonly Rule[] = [CRITICAL_ZONE_SPREAD];
