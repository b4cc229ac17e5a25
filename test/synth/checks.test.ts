import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App as Cdk8sApp, AppProps, Chart, Testing, YamlOutputType } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { App, BusinessScenario, ChecksFailedError, RedisSentinel, Suppressions } from '../../lib';
import { defineVotersWithoutBudget } from '../support/checks';
import { testScenario } from '../support/scenario';

const VOTER_LABELS = { 'app.kubernetes.io/name': 'voters', 'app.kubernetes.io/instance': 'voters' };

/** Our App in a fresh output directory, removed after `use`. */
function withOurApp<T>(props: AppProps, use: (app: App) => T): T {
  const outdir = mkdtempSync(join(tmpdir(), 'sb-checks-'));
  try {
    return use(new App({ ...props, outdir }));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

describe('our App checks every business scenario once, over all charts together', () => {
  test("each scenario's report covers its own objects; the app's report covers every scenario and no other chart", () => {
    withOurApp({}, (app) => {
      // GIVEN
      const shop = testScenario({}, app);
      new RedisSentinel(shop, 'sessions');
      const catalog = new BusinessScenario(app, 'catalog', { owner: 'team-catalog', namespace: 'catalog' });
      new RedisSentinel(catalog, 'products');

      // WHEN
      app.synth();

      // THEN
      expect(shop.lastCheckReport?.inputs.map((input) => input.location?.constructPath)).toContain('shop/sessions/Files/Config');
      expect(shop.lastCheckReport?.inputs.every((input) => input.location?.constructPath?.startsWith('shop/'))).toBe(true);
      expect(catalog.lastCheckReport?.inputs.every((input) => input.location?.constructPath?.startsWith('catalog/'))).toBe(true);
      expect(app.lastCheckReport?.inputs).toHaveLength(shop.lastCheckReport!.inputs.length + catalog.lastCheckReport!.inputs.length);
      expect(app.lastCheckReport?.findings.filter((finding) => finding.severity === 'error')).toEqual([]);
    });
  });

  test('a PodDisruptionBudget in another chart counts, where the per-chart checks of cdk8s App miss it', () => {
    // GIVEN
    const build = (app: Cdk8sApp) => {
      defineVotersWithoutBudget(testScenario({}, app));
      new k8s.KubePodDisruptionBudget(new Chart(app, 'budgets', { namespace: 'shop' }), 'voters', {
        metadata: { name: 'voters' },
        spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), unhealthyPodEvictionPolicy: 'AlwaysAllow', selector: { matchLabels: VOTER_LABELS } },
      });
    };
    const cdk8sApp = Testing.app();
    build(cdk8sApp);

    // THEN
    expect(() => cdk8sApp.synth()).toThrow(ChecksFailedError);
    withOurApp({}, (app) => {
      build(app);
      expect(() => app.synth()).not.toThrow();
    });
  });

  test.each([
    ['synth', (app: App) => app.synth()],
    ['synthYaml', (app: App) => app.synthYaml()],
  ])('%s: an error finding stops synthesis with the same message as per chart, and writes nothing', (_method, synthesize) => {
    withOurApp({}, (app) => {
      // GIVEN
      defineVotersWithoutBudget(testScenario({}, app));

      // THEN
      expect(() => synthesize(app)).toThrow(
        'shop: synthesis stopped by 1 stability check error:\n' +
          '  [error] pdb-preserves-quorum StatefulSet/shop/voters (shop/voters): no PodDisruptionBudget selects the pods, so a drain may evict all 3 at once (quorum 2)\n' +
          '    fix: Set the PDB to maxUnavailable = replicas - quorum (at least 1), or add a replica.',
      );
      expect(readdirSync(app.outdir)).toEqual([]);
    });
  });

  test('each scenario skips its own rules: the failure names only the scenario that runs the rule', () => {
    withOurApp({}, (app) => {
      // GIVEN
      defineVotersWithoutBudget(new BusinessScenario(app, 'lenient', { owner: 'team-a', namespace: 'lenient', skipRules: ['pdb-preserves-quorum'] }));
      defineVotersWithoutBudget(new BusinessScenario(app, 'strict', { owner: 'team-b', namespace: 'strict' }));

      // THEN
      expect(() => app.synth()).toThrow(
        /^strict: synthesis stopped by 1 stability check error:\n {2}\[error\] pdb-preserves-quorum StatefulSet\/strict\/voters/,
      );
    });
  });

  test('the failures of several scenarios come in one error', () => {
    withOurApp({}, (app) => {
      // GIVEN
      defineVotersWithoutBudget(new BusinessScenario(app, 'first', { owner: 'team-a', namespace: 'first' }));
      defineVotersWithoutBudget(new BusinessScenario(app, 'second', { owner: 'team-b', namespace: 'second' }));

      // THEN
      expect(() => app.synth()).toThrow(/^first, second: synthesis stopped by 2 stability check errors:/);
    });
  });

  test('construct suppressions reach the manifests in every output type, also FOLDER_PER_CHART_FILE_PER_RESOURCE where cdk8s bypasses toJson()', () => {
    withOurApp({ yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE }, (app) => {
      // GIVEN
      const shop = testScenario({}, app);
      defineVotersWithoutBudget(shop);
      Suppressions.add(shop, 'pdb-preserves-quorum', 'the voters run on dedicated nodes that are never drained');

      // WHEN
      app.synth();

      // THEN
      expect(readFileSync(join(app.outdir, '0001-shop', 'StatefulSet.voters.k8s.yaml'), 'utf8')).toContain(
        'stability-blueprints.io/suppress: "pdb-preserves-quorum: the voters run on dedicated nodes that are never drained"',
      );
      expect(shop.lastCheckReport?.findings.find((finding) => finding.ruleId === 'pdb-preserves-quorum')?.suppression).toEqual({
        reason: 'the voters run on dedicated nodes that are never drained',
      });
    });
  });

  test('Testing.synth of a scenario in our App still checks the chart on its own', () => {
    withOurApp({}, (app) => {
      // GIVEN
      const shop = testScenario({}, app);
      defineVotersWithoutBudget(shop);

      // THEN
      expect(() => Testing.synth(shop)).toThrow(/^shop: synthesis stopped by 1 stability check error/);
    });
  });
});
