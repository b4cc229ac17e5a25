import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Testing } from 'cdk8s';
import { buildShop } from '../../examples/main';
import { validateManifest } from '../../lib/checks/schema/strict-schema';
import { runCheckCommand } from '../../lib/cli/check';
import { Manifest } from '../support/scenario';

function synthShop(): Manifest[] {
  const app = Testing.app();
  buildShop(app);
  return app.charts.flatMap((chart) => Testing.synth(chart));
}

describe('example shop', () => {
  test('every object is valid against the Kubernetes schema, strictly: no unknown field, no cross-field violation', () => {
    // WHEN
    const violations = synthShop().flatMap((manifest) =>
      validateManifest(manifest).map((violation) => `${manifest.kind}/${manifest.metadata.name} ${violation.path}: ${violation.message}`),
    );

    // THEN
    expect(violations).toEqual([]);
  });

  test('each StatefulSet has volume claim templates, a PDB, zone spread, a NetworkPolicy and a restricted security context', () => {
    // GIVEN
    const manifests = synthShop();
    const byKind = (kind: string) => manifests.filter((manifest) => manifest.kind === kind);
    const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
      Object.entries(selector).every(([key, value]) => labels[key] === value);

    // THEN
    const statefulSets = byKind('StatefulSet');
    expect(statefulSets.map((statefulSet) => statefulSet.metadata.name)).toEqual([
      'cart-cache-redis',
      'cart-cache-sentinel',
      'session-store-redis',
      'session-store-sentinel',
      'orders-mysql',
      'order-events-controller',
      'order-events-broker',
      'catalog-mongod',
    ]);
    for (const statefulSet of statefulSets) {
      const pod = statefulSet.spec.template;
      expect(statefulSet.spec.volumeClaimTemplates.length + pod.spec.volumes.filter((volume: any) => volume.emptyDir).length).toBeGreaterThan(0);
      expect(byKind('PodDisruptionBudget').filter((budget) => selects(budget.spec.selector.matchLabels, pod.metadata.labels))).toHaveLength(1);
      expect(byKind('NetworkPolicy').filter((policy) => selects(policy.spec.podSelector.matchLabels, pod.metadata.labels))).toHaveLength(1);
      expect(pod.spec.topologySpreadConstraints).toContainEqual(
        expect.objectContaining({ topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', minDomains: 3, maxSkew: 1 }),
      );
      expect(pod.spec.securityContext).toEqual(expect.objectContaining({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }));
      for (const container of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
        expect(container.securityContext).toEqual(
          expect.objectContaining({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } }),
        );
      }
    }
    expect(byKind('StatefulSet').find((statefulSet) => statefulSet.metadata.name === 'session-store-redis')!.spec.volumeClaimTemplates).toHaveLength(
      1,
    );
  });

  test('`stability-blueprints check` over the synthesized manifests exits 0 with no finding', async () => {
    // GIVEN
    const outdir = mkdtempSync(join(tmpdir(), 'sb-shop-'));
    const app = new App({ outdir, recordConstructMetadata: true });
    buildShop(app);
    app.synth();
    let stdout = '';

    try {
      // WHEN
      const exitCode = await runCheckCommand([outdir], {
        stdout: { write: (chunk: string) => (stdout += chunk) },
        stderr: process.stderr,
        cwd: outdir,
      });

      // THEN
      expect(stdout).toContain('85 objects, 75 rules: 0 errors, 0 warnings, 0 suppressed');
      expect(exitCode).toBe(0);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
