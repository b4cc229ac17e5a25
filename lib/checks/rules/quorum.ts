import { BlueprintKeys } from '../../core/labels';
import { KubeObject, notApplicable, Rule, RuleOutcome, Severity } from '../model';
import { annotation, violation } from '../pod-helpers';
import { podTemplateOf } from '../selectors';
import { allowedDisruptions, replicasOf } from './workload-facts';

const QUORUM_PATH = `metadata.annotations["${BlueprintKeys.QUORUM}"]`;

function declaredQuorum(object: KubeObject): number | undefined {
  const value = annotation(object, BlueprintKeys.QUORUM);
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

export const QUORUM_IS_MAJORITY: Rule = {
  id: 'quorum-is-majority',
  title: 'A voting set is odd-sized and its quorum is a majority that tolerates one loss',
  severity: Severity.ERROR,
  targets: ['StatefulSet', 'Deployment'],
  rationale:
    'An even voting set tolerates no more failures than the odd set one smaller, and a quorum below a majority lets two partitions ' +
    'both decide (split brain); a quorum equal to the set size stops deciding when any one member is down.',
  fix: `Run an odd number (at least 3) of voting pods and set ${BlueprintKeys.QUORUM} between a majority and one fewer than all of them.`,
  enabledByDefault: true,
  check(object): RuleOutcome {
    const value = annotation(object, BlueprintKeys.QUORUM);
    if (value === undefined) {
      return notApplicable(`no ${BlueprintKeys.QUORUM} annotation`);
    }
    const quorum = declaredQuorum(object);
    const replicas = replicasOf(object);
    // A set of one pod outside a vote (an arbiter, one hidden member) may keep none up: the quorum is its component's.
    const single = replicas === 1 && annotation(object, BlueprintKeys.CONSENSUS) !== 'majority';
    if (quorum === undefined || quorum < (single ? 0 : 1) || quorum > replicas) {
      return [violation(QUORUM_PATH, `quorum ${JSON.stringify(value)} is not a whole number from ${single ? 0 : 1} to the ${replicas} replicas`)];
    }
    if (annotation(object, BlueprintKeys.CONSENSUS) !== 'majority') {
      return [];
    }
    const majority = Math.floor(replicas / 2) + 1;
    const violations = [];
    if (replicas < 3 || replicas % 2 === 0) {
      violations.push(violation('spec.replicas', `${replicas} voting replicas: run an odd number of at least 3`));
    }
    if (quorum < majority || quorum > replicas - 1) {
      violations.push(violation(QUORUM_PATH, `quorum ${quorum} of ${replicas} voters: allowed from ${majority} (a majority) to ${replicas - 1}`));
    }
    return violations;
  },
};

export const PDB_PRESERVES_QUORUM: Rule = {
  id: 'pdb-preserves-quorum',
  title: 'The PodDisruptionBudget of a quorum-based set never lets it drop below quorum',
  severity: Severity.ERROR,
  targets: ['StatefulSet', 'Deployment'],
  rationale:
    'A node drain evicts as many pods as the budget allows; a budget looser than the quorum lets a routine upgrade take the set below ' +
    'quorum, and a budget that allows no eviction blocks every drain.',
  fix: 'Set the PDB to maxUnavailable = replicas - quorum (at least 1), or add a replica.',
  enabledByDefault: true,
  check(object, index): RuleOutcome {
    const quorum = declaredQuorum(object);
    const labels = podTemplateOf(object)?.metadata.labels;
    if (quorum === undefined || !labels) {
      return notApplicable(`no valid ${BlueprintKeys.QUORUM} annotation on a workload`);
    }
    const replicas = replicasOf(object);
    const budgets = index.selecting('PodDisruptionBudget', object.metadata?.namespace, labels);
    if (budgets.length === 0) {
      return [violation('', `no PodDisruptionBudget selects the pods, so a drain may evict all ${replicas} at once (quorum ${quorum})`)];
    }
    return budgets.flatMap((budget) => {
      const allowed = allowedDisruptions(budget, replicas);
      const name = budget.metadata?.name;
      if (allowed === undefined) {
        return [violation('', `PodDisruptionBudget ${name} sets neither a valid maxUnavailable nor minAvailable`)];
      }
      if (replicas - allowed < quorum) {
        return [violation('', `PodDisruptionBudget ${name} allows ${allowed} of ${replicas} pods down, leaving fewer than the quorum of ${quorum}`)];
      }
      if (allowed < 1) {
        return [violation('', `PodDisruptionBudget ${name} allows no eviction, which blocks every node drain`)];
      }
      return [];
    });
  },
};

export const QUORUM_RULES: readonly Rule[] = [QUORUM_IS_MAJORITY, PDB_PRESERVES_QUORUM];
