import { runChecks, selectRules } from '../../../lib';
import { format, formatSummary, summarize } from '../../../lib/checks/reporters/text';
import { statefulSet } from '../../support/checks';
import { deployment, ENOUGH_REPLICAS, FAKE_CATALOG, NEEDS_PDB, sampleReport } from '../../support/fake-rules';

describe('text report', () => {
  test('groups findings by object with rule, severity, path, message and fix; suppressed ones marked; one summary line', () => {
    // WHEN
    const output = format(sampleReport());

    // THEN
    expect(output).toBe(
      [
        'manifests/redis.yaml:4 StatefulSet/shop/redis',
        '  error   [needs-pdb] no PodDisruptionBudget in the namespace',
        '          fix: Add a PodDisruptionBudget that selects the pods.',
        '  warning [enough-replicas] spec.replicas: 2 replicas, fewer than 3',
        '          fix: Set spec.replicas to 3 or more.',
        '',
        'manifests/web.yaml:1 Deployment/shop/web',
        '  warning [enough-replicas] spec.replicas: 1 replicas, fewer than 3 (suppressed: scaled out by its HPA)',
        '',
        '3 objects, 4 rules: 1 error, 1 warning, 1 suppressed',
        '',
      ].join('\n'),
    );
  });

  test('objects with errors come first, and within an object errors come before warnings', () => {
    // GIVEN a warning-only object read before an object with an error and a warning
    const inputs = [
      { object: deployment('web', { replicas: 1 }), location: { file: 'a.yaml', line: 1 } },
      { object: statefulSet('redis', { replicas: 1 }), location: { file: 'b.yaml', line: 7 } },
    ];

    // WHEN
    const output = format(runChecks(inputs, [ENOUGH_REPLICAS, NEEDS_PDB]));

    // THEN
    const lines = output.split('\n').filter((line) => !line.includes('fix:'));
    expect(lines.slice(0, 7)).toEqual([
      'b.yaml:7 StatefulSet/shop/redis',
      '  error   [needs-pdb] no PodDisruptionBudget in the namespace',
      '  warning [enough-replicas] spec.replicas: 1 replicas, fewer than 3',
      '',
      'a.yaml:1 Deployment/shop/web',
      '  warning [enough-replicas] spec.replicas: 1 replicas, fewer than 3',
      '',
    ]);
  });

  test('the fix of a rule is printed once after several violations of it on one object', () => {
    // GIVEN two unpinned images
    const object = statefulSet('redis');
    object.spec.template.spec.containers.push({ name: 'sidecar', image: 'sidecar:2' });

    // WHEN
    const output = format(runChecks([{ object, location: { file: 'a.yaml', line: 1 } }], selectRules(FAKE_CATALOG, { only: ['image-digest'] })));

    // THEN
    expect(output.split('\n').slice(0, 4)).toEqual([
      'a.yaml:1 StatefulSet/shop/redis',
      '  info    [image-digest] spec.template.spec.containers[0].image: not pinned by digest',
      '  info    [image-digest] spec.template.spec.containers[1].image: not pinned by digest',
      '          fix: Reference the image as name@sha256:digest.',
    ]);
    expect(output).toMatch(/: 0 errors, 0 warnings, 2 info, 0 suppressed\n$/);
  });

  test('a synthesized object is named by its construct path, and a clean run says so', () => {
    // GIVEN
    const synthesized = [{ object: statefulSet('redis'), location: { constructPath: 'shop/redis/StatefulSet' } }];

    // WHEN
    const withFinding = format(runChecks(synthesized, [NEEDS_PDB]));
    const clean = format(runChecks(synthesized, [ENOUGH_REPLICAS]));

    // THEN
    expect(withFinding.split('\n')[0]).toBe('StatefulSet/shop/redis (shop/redis/StatefulSet)');
    expect(clean).toBe('No findings.\n\n1 object, 1 rule: 0 errors, 0 warnings, 0 suppressed\n');
  });

  test('the summary counts objects and rules, and unsuppressed findings by severity', () => {
    expect(summarize(sampleReport())).toEqual({ objects: 3, rules: 4, errors: 1, warnings: 1, infos: 0, suppressed: 1 });
    expect(formatSummary({ objects: 42, rules: 31, errors: 0, warnings: 2, infos: 0, suppressed: 1 })).toBe(
      '42 objects, 31 rules: 0 errors, 2 warnings, 1 suppressed',
    );
  });
});
