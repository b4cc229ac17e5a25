import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationContext } from 'cdk8s-cli/plugins';
import { StabilityChecksValidation } from '../../lib/checks/cdk8s-validation';

const ROOT = join(__dirname, '..', '..');
const VOTERS_WITHOUT_BUDGET = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: voters
  namespace: shop
  annotations:
    stability-blueprints.io/quorum: "2"
    stability-blueprints.io/consensus: majority
spec:
  replicas: 3
  serviceName: voters
  selector: { matchLabels: { app: voters } }
  template:
    metadata: { labels: { app: voters } }
    spec: { containers: [{ name: voter, image: "voter:1.0.0" }] }
`;

describe('StabilityChecksValidation (cdk8s-cli validation plugin)', () => {
  let workdir: string;
  beforeEach(() => {
    workdir = mkdtempSync(join(tmpdir(), 'sb-cdk8s-validation-'));
  });
  afterEach(() => rmSync(workdir, { recursive: true, force: true }));

  test('reports each firing rule as a violation with the objects, and fails the report on an error', async () => {
    // GIVEN
    const manifest = join(workdir, 'voters.k8s.yaml');
    writeFileSync(manifest, VOTERS_WITHOUT_BUDGET);
    const context = new ValidationContext([manifest], 'stability-blueprints', '0.1.0', { voters: { path: 'shop/team/voters' } });

    // WHEN
    await new StabilityChecksValidation({ rules: ['pdb-preserves-quorum'] }).validate(context as never);

    // THEN
    const report = context.report.toJson();
    expect(report.summary.status).toBe('failure');
    expect(report.violations).toEqual([
      {
        ruleName: 'pdb-preserves-quorum (error)',
        recommendation:
          'The PodDisruptionBudget of a quorum-based set never lets it drop below quorum. ' +
          'StatefulSet/voters: no PodDisruptionBudget selects the pods, so a drain may evict all 3 at once (quorum 2)',
        fix: 'Set the PDB to maxUnavailable = replicas - quorum (at least 1), or add a replica.',
        violatingConstructs: [{ resourceName: 'voters', locations: ['.'], manifestPath: manifest, constructPath: 'shop/team/voters' }],
      },
    ]);
  });

  test('a suppressed finding is listed with its reason and does not fail the report', async () => {
    // GIVEN
    const manifest = join(workdir, 'voters.k8s.yaml');
    writeFileSync(
      manifest,
      VOTERS_WITHOUT_BUDGET.replace(
        '    stability-blueprints.io/consensus: majority\n',
        '    stability-blueprints.io/consensus: majority\n    stability-blueprints.io/suppress: "pdb-preserves-quorum: dedicated nodes, never drained"\n',
      ),
    );
    const context = new ValidationContext([manifest], 'stability-blueprints', '0.1.0');

    // WHEN
    await new StabilityChecksValidation({ rules: ['pdb-preserves-quorum'] }).validate(context as never);

    // THEN
    const report = context.report.toJson();
    expect(report.summary.status).toBe('success');
    expect(report.violations[0].recommendation).toContain('(suppressed: dedicated nodes, never drained)');
  });

  test("cdk8s synth runs it over the example shop, from this project's cdk8s.yaml, and the report succeeds", () => {
    // WHEN
    const reportFile = join(workdir, 'validation-report.json');
    const result = spawnSync(
      join(ROOT, 'node_modules', '.bin', 'cdk8s'),
      ['synth', '--no-check-upgrade', '--output', join(workdir, 'dist'), '--validation-reports-output-file', reportFile],
      { cwd: ROOT, encoding: 'utf8' },
    );

    // THEN
    expect(result.stderr).not.toContain('Error');
    expect(result.status).toBe(0);
    const { reports } = JSON.parse(readFileSync(reportFile, 'utf8'));
    expect(reports).toHaveLength(1);
    expect(reports[0].summary).toEqual(
      expect.objectContaining({ status: 'success', metadata: expect.objectContaining({ objects: '85', findings: '0' }) }),
    );
  }, 60_000);
});
