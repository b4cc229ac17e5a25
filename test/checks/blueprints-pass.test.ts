import { App, Testing } from 'cdk8s';
import { buildShop } from '../../examples/main';
import { AppendFsync, DataClass, MysqlEngine, MysqlReplication, MysqlReplicationProps, RedisSentinel, RedisSentinelProps, Tier } from '../../lib';
import { Severity } from '../../lib/checks/model';
import { catalogFindings } from '../support/checks';
import { testScenario } from '../support/scenario';

describe('our own output passes the default rules', () => {
  test('the example shop draws no error finding', () => {
    // GIVEN
    const app = new App();
    buildShop(app);

    // WHEN
    const objects = app.charts.flatMap((chart) => chart.toJson());

    // THEN
    expect(catalogFindings(objects, Severity.ERROR)).toEqual([]);
  });

  test.each<[string, Tier, RedisSentinelProps]>([
    ['CRITICAL system of record', Tier.CRITICAL, {}],
    ['CRITICAL cache', Tier.CRITICAL, { dataClass: DataClass.CACHE }],
    ['HIGH system of record, fsync always, 5 of each', Tier.HIGH, { appendFsync: AppendFsync.ALWAYS, replicas: 5, sentinels: 5 }],
    ['STANDARD system of record', Tier.STANDARD, {}],
    ['BEST_EFFORT cache without a password', Tier.BEST_EFFORT, { dataClass: DataClass.CACHE, passwordAuthentication: false }],
  ])('RedisSentinel, %s: no error and no warning finding', (_case, tier, props) => {
    // GIVEN
    const scenario = testScenario({ tier, monitoringLabels: { release: 'kube-prometheus-stack' } });
    new RedisSentinel(scenario, 'sessions', props);

    // WHEN
    const objects = Testing.synth(scenario);

    // THEN
    expect(catalogFindings(objects, Severity.ERROR)).toEqual([]);
    expect(catalogFindings(objects, Severity.WARNING)).toEqual([]);
  });

  test('RedisSentinel in a scenario without monitoringLabels: the one warning is that no Prometheus of kube-prometheus-stack selects its monitoring', () => {
    // GIVEN
    const scenario = testScenario();
    new RedisSentinel(scenario, 'sessions');

    // WHEN
    const objects = Testing.synth(scenario);

    // THEN
    expect(catalogFindings(objects, Severity.ERROR)).toEqual([]);
    expect(catalogFindings(objects, Severity.WARNING)).toEqual([
      "monitoring-has-release-label PodMonitor/shop/sessions-redis-monitor metadata.labels: no release label: kube-prometheus-stack's default selectors ignore this PodMonitor",
      "monitoring-has-release-label PrometheusRule/shop/sessions-redis-alerts metadata.labels: no release label: kube-prometheus-stack's default selectors ignore this PrometheusRule",
    ]);
  });

  test.each<[string, Tier, MysqlReplicationProps]>([
    ['MYSQL_8_4, CRITICAL system of record', Tier.CRITICAL, {}],
    ['MYSQL_8_4, HIGH cache, 5 members', Tier.HIGH, { dataClass: DataClass.CACHE, members: 5 }],
    ['MARIADB_11_4, CRITICAL system of record', Tier.CRITICAL, { engine: MysqlEngine.MARIADB_11_4 }],
    ['MARIADB_11_4, STANDARD, 3 proxies, no metrics', Tier.STANDARD, { engine: MysqlEngine.MARIADB_11_4, endpointReplicas: 3, metrics: false }],
  ])('MysqlReplication, %s: no error and no warning finding', (_case, tier, props) => {
    // GIVEN
    const scenario = testScenario({ tier, monitoringLabels: { release: 'kube-prometheus-stack' } });
    new MysqlReplication(scenario, 'orders', props);

    // WHEN
    const objects = Testing.synth(scenario);

    // THEN
    expect(catalogFindings(objects, Severity.ERROR)).toEqual([]);
    expect(catalogFindings(objects, Severity.WARNING)).toEqual([]);
  });
});
