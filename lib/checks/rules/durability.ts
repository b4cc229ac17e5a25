import { BlueprintKeys } from '../../core/labels';
import { notApplicable, Rule, RuleOutcome, Severity } from '../model';
import { annotation, violation } from '../pod-helpers';

export const SYSTEM_OF_RECORD_RETAINED_VOLUMES: Rule = {
  id: 'system-of-record-retained-volumes',
  title: 'A system of record keeps its data on volume claims that outlive the StatefulSet',
  severity: Severity.ERROR,
  targets: ['StatefulSet'],
  rationale:
    'With emptyDir the data of a system of record dies with the pod; with a Delete retention policy it dies with a scale-down or a ' +
    'deleted StatefulSet, which a mistaken `kubectl delete` or a renamed construct causes.',
  fix: 'Give the StatefulSet volumeClaimTemplates and persistentVolumeClaimRetentionPolicy whenDeleted: Retain and whenScaled: Retain.',
  enabledByDefault: true,
  check(object): RuleOutcome {
    if (annotation(object, BlueprintKeys.DATA_CLASS) !== 'system-of-record') {
      return notApplicable(`not annotated ${BlueprintKeys.DATA_CLASS}: system-of-record`);
    }
    const violations = [];
    const claims = object.spec?.volumeClaimTemplates;
    if (!Array.isArray(claims) || claims.length === 0) {
      violations.push(violation('spec.volumeClaimTemplates', 'no volumeClaimTemplates: the data lives and dies with the pod'));
    }
    const policy = object.spec?.persistentVolumeClaimRetentionPolicy ?? {};
    for (const when of ['whenDeleted', 'whenScaled'] as const) {
      if ((policy[when] ?? 'Retain') !== 'Retain') {
        violations.push(violation(`spec.persistentVolumeClaimRetentionPolicy.${when}`, `${when}: ${policy[when]} deletes the data`));
      }
    }
    return violations;
  },
};

export const DURABILITY_RULES: readonly Rule[] = [SYSTEM_OF_RECORD_RETAINED_VOLUMES];
