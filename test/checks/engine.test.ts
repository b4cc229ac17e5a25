import { INVALID_SUPPRESSION, KubeObject, notApplicable, Rule, RULE_FAILED, runChecks, selectRules, Severity } from '../../lib';
import { statefulSet } from '../support/checks';

const noLatest: Rule = {
  id: 'no-latest',
  title: 'Images are pinned',
  severity: Severity.ERROR,
  targets: ['StatefulSet'],
  rationale: 'latest moves',
  fix: 'pin the tag',
  enabledByDefault: true,
  check: (object) =>
    object.spec.template.spec.containers[0].image.endsWith(':latest')
      ? [{ path: 'spec.template.spec.containers[0].image', message: 'uses latest' }]
      : [],
};
const optional: Rule = { ...noLatest, id: 'optional-rule', enabledByDefault: false };
const guard: Rule = { ...noLatest, id: 'guard', unsuppressible: true };
const onlyThree: Rule = { ...noLatest, id: 'only-three', check: (object) => (object.spec.replicas === 3 ? [] : notApplicable('not 3 replicas')) };
const throwing: Rule = {
  ...noLatest,
  id: 'throwing',
  check: () => {
    throw new Error('cannot read spec');
  },
};
const catalog = [noLatest, optional, guard, onlyThree, throwing, RULE_FAILED, INVALID_SUPPRESSION];

function latest(annotations: Record<string, string> = {}): KubeObject {
  const object = statefulSet('orders', { annotations });
  object.spec.template.spec.containers[0].image = 'orders:latest';
  return object;
}

describe('runChecks', () => {
  test('a rule runs only on the kinds it targets, and records passed, failed and not-applicable runs', () => {
    // WHEN
    const report = runChecks(
      [{ object: latest() }, { object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } } }],
      [noLatest, onlyThree],
    );

    // THEN
    expect(report.runs.map((run) => [run.input.object.kind, run.ruleId, run.status, run.reason])).toEqual([
      ['StatefulSet', 'no-latest', 'failed', undefined],
      ['StatefulSet', 'only-three', 'passed', undefined],
    ]);
    expect(report.findings).toEqual([
      {
        ruleId: 'no-latest',
        severity: 'error',
        title: 'Images are pinned',
        message: 'uses latest',
        path: 'spec.template.spec.containers[0].image',
        fix: 'pin the tag',
        object: { kind: 'StatefulSet', namespace: 'shop', name: 'orders' },
        location: undefined,
      },
    ]);
  });

  test('a rule that throws yields a rule-failed finding, not a crash', () => {
    // WHEN
    const report = runChecks([{ object: latest(), location: { file: 'a.yaml', line: 3 } }], [throwing], catalog);

    // THEN
    expect(report.findings.map((finding) => [finding.ruleId, finding.message, finding.location])).toEqual([
      ['rule-failed', 'rule throwing failed on this object: cannot read spec', { file: 'a.yaml', line: 3 }],
    ]);
  });

  test('a suppression with a reason marks the finding suppressed and keeps it in the report', () => {
    // WHEN
    const report = runChecks(
      [{ object: latest({ 'stability-blueprints.io/suppress': 'no-latest: a throwaway load-test image' }) }],
      [noLatest],
      catalog,
    );

    // THEN
    expect(report.findings.map((finding) => [finding.ruleId, finding.suppression])).toEqual([
      ['no-latest', { reason: 'a throwaway load-test image' }],
    ]);
  });

  test('suppressions on the pod template count too', () => {
    // GIVEN
    const object = latest();
    object.spec.template.metadata.annotations = { 'stability-blueprints.io/suppress': 'no-latest: the image is rebuilt every hour' };

    // THEN
    expect(runChecks([{ object }], [noLatest], catalog).findings[0].suppression).toEqual({ reason: 'the image is rebuilt every hour' });
  });

  test.each([
    ['no-latest: short', 'suppression of "no-latest" needs a reason of at least 10 characters, got "short"'],
    ['no-latest', 'suppression of "no-latest" needs a reason of at least 10 characters, got ""'],
    ['no-such-rule: because we can', 'suppression of unknown rule "no-such-rule"'],
    ['guard: we really want to', 'rule "guard" cannot be suppressed'],
  ])('the suppression "%s" is itself an error, and suppresses nothing', (annotation, message) => {
    // WHEN
    const report = runChecks([{ object: latest({ 'stability-blueprints.io/suppress': annotation }) }], [noLatest, guard], catalog);

    // THEN
    expect(report.findings.filter((finding) => finding.ruleId === 'invalid-suppression').map((finding) => [finding.message, finding.path])).toEqual([
      [message, 'metadata.annotations["stability-blueprints.io/suppress"]'],
    ]);
    expect(report.findings.filter((finding) => finding.ruleId !== 'invalid-suppression').every((finding) => finding.suppression === undefined)).toBe(
      true,
    );
  });
});

describe('selectRules', () => {
  test('runs the rules on by default, or exactly the selected ones, minus the skipped ones', () => {
    expect(selectRules(catalog).map((rule) => rule.id)).toEqual([
      'no-latest',
      'guard',
      'only-three',
      'throwing',
      'rule-failed',
      'invalid-suppression',
    ]);
    expect(selectRules(catalog, { only: ['optional-rule', 'guard'], skip: ['guard'] }).map((rule) => rule.id)).toEqual(['optional-rule']);
  });

  test('fails on an unknown rule id, naming the known ones', () => {
    expect(() => selectRules([noLatest], { skip: ['nope'] })).toThrow('unknown rule id "nope"; known rules: no-latest');
  });
});
