import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chart, Testing } from 'cdk8s';
import { App, BusinessScenario, RedisSentinel, Tier } from '../../lib';
import { testScenario } from '../support/scenario';

describe('BusinessScenario', () => {
  test('defaults to the STANDARD tier, 3 zones and cluster.local', () => {
    // WHEN
    const scenario = new BusinessScenario(Testing.app(), 'catalog', { owner: 'team-catalog' });

    // THEN
    expect(scenario.tier).toBe(Tier.STANDARD);
    expect(scenario.zones).toBe(3);
    expect(scenario.clusterDomain).toBe('cluster.local');
    expect(scenario.annotationsFor('redis-sentinel')).toEqual({
      'stability-blueprints.io/component': 'redis-sentinel',
      'stability-blueprints.io/tier': 'standard',
      'stability-blueprints.io/scenario': 'catalog',
      'stability-blueprints.io/owner': 'team-catalog',
    });
  });

  test('emits the tier PriorityClasses once per app, in a chart of their own', () => {
    // GIVEN
    const app = Testing.app();

    // WHEN
    testScenario({}, app);
    new BusinessScenario(app, 'payments', { owner: 'team-payments', tier: Tier.HIGH });

    // THEN
    const priorityCharts = app.charts.filter((chart) => chart.node.id === 'stability-blueprints-priority-classes');
    expect(priorityCharts).toHaveLength(1);
    expect(Testing.synth(priorityCharts[0]).map((manifest) => [manifest.metadata.name, manifest.value])).toEqual([
      ['stability-blueprints-critical', 1000000],
      ['stability-blueprints-high', 100000],
      ['stability-blueprints-standard', 10000],
      ['stability-blueprints-best-effort', 0],
    ]);
  });

  test('writes the PriorityClasses first, so that applying the output directory on an empty cluster admits every pod', () => {
    // GIVEN
    const outdir = mkdtempSync(join(tmpdir(), 'sb-priority-'));
    const app = new App({ outdir });
    testScenario({}, app);
    new BusinessScenario(app, 'payments', { owner: 'team-payments', tier: Tier.HIGH });

    // WHEN
    app.synth();
    const files = readdirSync(outdir).sort();
    rmSync(outdir, { recursive: true, force: true });

    // THEN kubectl apply -f reads a directory in name order
    expect(files).toEqual(['0000-stability-blueprints-priority-classes.k8s.yaml', '0001-shop.k8s.yaml', '0002-payments.k8s.yaml']);
  });

  test('emits no PriorityClass when the cluster defines its own', () => {
    // GIVEN
    const app = Testing.app();

    // WHEN
    testScenario({ emitPriorityClasses: false }, app);

    // THEN
    expect(app.charts.map((chart) => chart.node.id)).toEqual(['shop']);
  });

  test.each([
    [{ owner: ' ' }, 'shop: invalid owner " ": name the owning team in 1 to 63 characters'],
    [{ zones: 2 }, 'shop: invalid zones 2: a CRITICAL scenario spans at least 3 zones, so that losing one zone leaves a majority'],
    [{ zones: 0, tier: Tier.HIGH }, 'shop: invalid zones 0: a whole number of at least 1'],
    [{ tier: 'gold' as any }, 'shop: invalid tier "gold": one of Tier.CRITICAL, Tier.HIGH, Tier.STANDARD, Tier.BEST_EFFORT'],
    [{ namespace: 'Shop' }, 'shop: invalid namespace "Shop": a namespace is a DNS label: lower-case letters, digits and "-", at most 63'],
    [{ clusterDomain: 'cluster_local' }, 'shop: invalid clusterDomain "cluster_local": a DNS subdomain such as "cluster.local"'],
  ])('fails on %j', (props, message) => {
    expect(() => testScenario(props)).toThrow(message);
  });

  test('fails when a component is defined outside a scenario', () => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'plain');

    // THEN
    expect(() => new RedisSentinel(chart, 'cache')).toThrow(
      'plain/cache: invalid scope "plain/cache": define the construct inside a BusinessScenario',
    );
  });
});
