import { Chart, Testing } from 'cdk8s';
import { RedisSentinel, Suppressions } from '../../lib';
import '../../lib/jest';
import { defineVotersWithoutBudget } from '../support/checks';
import { testScenario } from '../support/scenario';

function chartWithUnprotectedQuorum(): Chart {
  const chart = new Chart(Testing.app(), 'policy');
  defineVotersWithoutBudget(chart);
  return chart;
}

describe('stability-blueprints/jest', () => {
  test('toPassStabilityChecks passes for a RedisSentinel scenario', () => {
    // GIVEN
    const scenario = testScenario();
    new RedisSentinel(scenario, 'sessions');

    // THEN
    expect(scenario).toPassStabilityChecks();
  });

  test('toPassStabilityChecks fails with the findings listed', () => {
    // WHEN
    const chart = chartWithUnprotectedQuorum();

    // THEN
    expect(chart).not.toPassStabilityChecks();
    expect(() => expect(chart).toPassStabilityChecks()).toThrow(
      '[error] pdb-preserves-quorum StatefulSet/voters: no PodDisruptionBudget selects the pods, so a drain may evict all 3 at once (quorum 2)',
    );
  });

  test('toViolateRule asserts that a rule fires on a given object', () => {
    // WHEN
    const chart = chartWithUnprotectedQuorum();

    // THEN
    expect(chart).toViolateRule('pdb-preserves-quorum', { kind: 'StatefulSet', name: 'voters' });
    expect(chart).not.toViolateRule('pdb-preserves-quorum', { kind: 'StatefulSet', name: 'other' });
    expect(chart).not.toViolateRule('quorum-is-majority');
  });

  test('a suppressed finding still shows in toViolateRule but does not fail toPassStabilityChecks', () => {
    // GIVEN
    const chart = chartWithUnprotectedQuorum();

    // WHEN
    Suppressions.add(chart, 'pdb-preserves-quorum', 'the voters run on dedicated nodes that are never drained');

    // THEN
    expect(chart).toViolateRule('pdb-preserves-quorum', { name: 'voters' });
    expect(chart).toPassStabilityChecks({ skipRules: [] });
  });

  test('toViolateRule rejects an unknown rule id', () => {
    expect(() => expect(chartWithUnprotectedQuorum()).toViolateRule('no-such-rule')).toThrow('unknown rule id "no-such-rule"');
  });
});
