import { Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { BlueprintError, ChecksFailedError, RedisSentinel, Suppressions } from '../../lib';
import { defineVotersWithoutBudget } from '../support/checks';
import { testScenario } from '../support/scenario';

describe('checks at synthesis', () => {
  test('our blueprints synthesize with no error finding', () => {
    // GIVEN
    const scenario = testScenario();
    new RedisSentinel(scenario, 'sessions');

    // WHEN
    Testing.synth(scenario);

    // THEN
    expect(scenario.lastCheckReport?.findings.filter((finding) => finding.severity === 'error')).toEqual([]);
    expect(scenario.lastCheckReport?.inputs).toHaveLength(16);
  });

  test('an error finding stops synthesis with the rule id, the object, its construct path, the field and the fix', () => {
    // GIVEN
    const scenario = testScenario();
    new RedisSentinel(scenario, 'sessions');
    const unit = new Construct(scenario, 'team');
    defineVotersWithoutBudget(unit);

    // THEN
    expect(() => Testing.synth(scenario)).toThrow(ChecksFailedError);
    expect(() => Testing.synth(scenario)).toThrow(
      'shop: synthesis stopped by 1 stability check error:\n' +
        '  [error] pdb-preserves-quorum StatefulSet/shop/voters (shop/team/voters): no PodDisruptionBudget selects the pods, so a drain may evict all 3 at once (quorum 2)\n' +
        '    fix: Set the PDB to maxUnavailable = replicas - quorum (at least 1), or add a replica.',
    );
  });

  test('a construct suppression with a reason lets synthesis pass and is written to the manifests', () => {
    // GIVEN
    const scenario = testScenario();
    const unit = new Construct(scenario, 'team');
    defineVotersWithoutBudget(unit);

    // WHEN
    Suppressions.add(unit, 'pdb-preserves-quorum', 'the voters run on dedicated nodes that are never drained');
    const [voters] = Testing.synth(scenario);

    // THEN
    expect(voters.metadata.annotations['stability-blueprints.io/suppress']).toBe(
      'pdb-preserves-quorum: the voters run on dedicated nodes that are never drained',
    );
    const finding = scenario.lastCheckReport?.findings.find((candidate) => candidate.ruleId === 'pdb-preserves-quorum');
    expect(finding?.suppression).toEqual({ reason: 'the voters run on dedicated nodes that are never drained' });
  });

  test('skipRules leaves a rule out of the scenario checks', () => {
    // GIVEN
    const scenario = testScenario({ skipRules: ['pdb-preserves-quorum'] });
    defineVotersWithoutBudget(scenario);

    // THEN
    expect(() => Testing.synth(scenario)).not.toThrow();
  });

  test.each([
    [
      'no-such-rule',
      'a reason long enough',
      'shop/team: invalid suppressed rule "no-such-rule": the id of a rule of the catalog (see docs/rules.md)',
    ],
    [
      'pdb-preserves-quorum',
      'because',
      'shop/team: invalid reason for suppressing pdb-preserves-quorum "because": at least 10 characters a reviewer can judge',
    ],
    [
      'rule-failed',
      'a reason long enough',
      'shop/team: invalid suppressed rule "rule-failed": a rule that can be suppressed; this one guards against a risk no reason justifies',
    ],
  ])('Suppressions.add fails for rule %s with reason "%s"', (ruleId, reason, message) => {
    // GIVEN
    const unit = new Construct(testScenario(), 'team');

    // THEN
    expect(() => Suppressions.add(unit, ruleId, reason)).toThrow(BlueprintError);
    expect(() => Suppressions.add(unit, ruleId, reason)).toThrow(message);
  });
});
