import { format } from '../../../lib/checks/reporters/json';
import { sampleReport } from '../../support/fake-rules';

describe('json report', () => {
  test('carries the verdict at --fail-on, the summary, the rules that ran and every finding, suppressed ones marked', () => {
    // WHEN
    const document = JSON.parse(format(sampleReport(), { failOn: 'error', toolVersion: '1.2.3' }));

    // THEN
    expect(document.tool).toEqual({ name: 'stability-blueprints', version: '1.2.3' });
    expect(document.failOn).toBe('error');
    expect(document.failed).toBe(true);
    expect(document.summary).toEqual({ objects: 3, rules: 4, errors: 1, warnings: 1, infos: 0, suppressed: 1 });
    expect(document.rules.map((rule: any) => rule.id)).toEqual(['needs-pdb', 'enough-replicas', 'rule-failed', 'invalid-suppression']);
    expect(document.findings[0]).toEqual({
      ruleId: 'needs-pdb',
      severity: 'error',
      title: 'A StatefulSet has a PodDisruptionBudget',
      object: 'StatefulSet/shop/redis',
      kind: 'StatefulSet',
      namespace: 'shop',
      name: 'redis',
      location: { file: 'manifests/redis.yaml', line: 4 },
      path: '',
      message: 'no PodDisruptionBudget in the namespace',
      fix: 'Add a PodDisruptionBudget that selects the pods.',
      suppressed: false,
    });
    expect(document.findings[2]).toMatchObject({ object: 'Deployment/shop/web', suppressed: true, suppressionReason: 'scaled out by its HPA' });
  });

  test('a run with only a warning fails at --fail-on warning but not at error or never', () => {
    // GIVEN a report whose only unsuppressed error is skipped
    const report = sampleReport();
    const warningsOnly = { ...report, findings: report.findings.filter((finding) => finding.ruleId !== 'needs-pdb') };

    // THEN
    const failed = (failOn: 'error' | 'warning' | 'never') => JSON.parse(format(warningsOnly, { failOn, toolVersion: '1.2.3' })).failed;
    expect([failed('error'), failed('warning'), failed('never')]).toEqual([false, true, false]);
  });
});
