import { BlueprintKeys, Rule, runChecks } from '../../../lib';
import { format } from '../../../lib/checks/reporters/junit';
import { statefulSet } from '../../support/checks';
import { FAKE_CATALOG, NEEDS_PDB, sampleReport } from '../../support/fake-rules';

describe('junit report', () => {
  test('one suite per file, one case per object and rule that ran: failing, passed with a note, or skipped with the reason', () => {
    // WHEN
    const xml = format(sampleReport(), { failOn: 'error' });

    // THEN
    expect(xml).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<testsuites name="stability-blueprints" tests="4" failures="1" errors="0" skipped="1">',
        '  <testsuite name="manifests/redis.yaml" tests="2" failures="1" errors="0" skipped="0">',
        '    <testcase classname="StatefulSet/shop/redis" name="needs-pdb" file="manifests/redis.yaml">',
        '      <failure type="error" message="no PodDisruptionBudget in the namespace">error: no PodDisruptionBudget in the namespace',
        'fix: Add a PodDisruptionBudget that selects the pods.</failure>',
        '    </testcase>',
        '    <testcase classname="StatefulSet/shop/redis" name="enough-replicas" file="manifests/redis.yaml">',
        '      <system-out>warning, not failing at --fail-on error: spec.replicas: 2 replicas, fewer than 3</system-out>',
        '    </testcase>',
        '  </testsuite>',
        '  <testsuite name="manifests/web.yaml" tests="1" failures="0" errors="0" skipped="0">',
        '    <testcase classname="Deployment/shop/web" name="enough-replicas" file="manifests/web.yaml">',
        '      <system-out>suppressed: scaled out by its HPA (warning: spec.replicas: 1 replicas, fewer than 3)</system-out>',
        '    </testcase>',
        '  </testsuite>',
        '  <testsuite name="Deployment/shop/batch" tests="1" failures="0" errors="0" skipped="1">',
        '    <testcase classname="Deployment/shop/batch" name="enough-replicas">',
        '      <skipped message="no spec.replicas: an autoscaler owns it"/>',
        '    </testcase>',
        '  </testsuite>',
        '</testsuites>',
        '',
      ].join('\n'),
    );
  });

  test('failures follow --fail-on, so the test view agrees with the exit status', () => {
    // WHEN
    const atWarning = format(sampleReport(), { failOn: 'warning' });
    const atNever = format(sampleReport(), { failOn: 'never' });

    // THEN
    expect(atWarning).toContain('<testsuites name="stability-blueprints" tests="4" failures="2"');
    expect(atWarning).toContain('<failure type="warning" message="spec.replicas: 2 replicas, fewer than 3">');
    expect(atWarning).toContain('suppressed: scaled out by its HPA');
    expect(atNever).toContain('tests="4" failures="0"');
  });

  test('a rule that threw is skipped, and the rule-failed finding is a case of its own', () => {
    // GIVEN
    const throwing: Rule = {
      ...NEEDS_PDB,
      id: 'throwing',
      check: () => {
        throw new Error('cannot read spec');
      },
    };

    // WHEN
    const xml = format(runChecks([{ object: statefulSet('a'), location: { file: 'a.yaml', line: 1 } }], [throwing], FAKE_CATALOG), {
      failOn: 'error',
    });

    // THEN
    expect(xml).toContain(
      [
        '    <testcase classname="StatefulSet/shop/a" name="throwing" file="a.yaml">',
        '      <skipped message="the rule could not judge the object: see its rule-failed case"/>',
        '    </testcase>',
        '    <testcase classname="StatefulSet/shop/a" name="rule-failed" file="a.yaml">',
        '      <failure type="error" message="rule throwing failed on this object: cannot read spec">',
      ].join('\n'),
    );
  });

  test('names, messages and reasons from the manifests are escaped, and characters XML cannot hold are replaced', () => {
    // GIVEN a suppression reason and a namespace with markup, quotes and a control character
    const base = statefulSet('a', { annotations: { [BlueprintKeys.SUPPRESS]: 'needs-pdb: <b>"owned" & run by \'ops\'</b>' } });
    const object = { ...base, metadata: { ...base.metadata, namespace: 'a&b\u0007' } };

    // WHEN
    const xml = format(runChecks([{ object, location: { file: 'x<y>.yaml', line: 1 } }], [NEEDS_PDB], FAKE_CATALOG), { failOn: 'error' });

    // THEN
    expect(xml).toContain('<testsuite name="x&lt;y&gt;.yaml"');
    expect(xml).toContain('<testcase classname="StatefulSet/a&amp;b\uFFFD/a" name="needs-pdb" file="x&lt;y&gt;.yaml">');
    expect(xml).toContain(
      `<system-out>suppressed: &lt;b&gt;"owned" &amp; run by 'ops'&lt;/b&gt; (error: no PodDisruptionBudget in the namespace)</system-out>`,
    );
  });

  test('line breaks in an attribute are kept as character references', () => {
    // GIVEN a rule whose message spans two lines
    const multiline: Rule = { ...NEEDS_PDB, check: () => [{ path: '', message: 'first\nsecond "quoted"' }] };

    // WHEN
    const xml = format(runChecks([{ object: statefulSet('a'), location: { file: 'a.yaml', line: 1 } }], [multiline], FAKE_CATALOG), {
      failOn: 'error',
    });

    // THEN
    expect(xml).toContain('message="first&#10;second &quot;quoted&quot;"');
  });
});
