import { Testing } from 'cdk8s';
import { DataClass, RedisSentinel, RedisSentinelProps, Tier } from '../../../lib';
import { findObject, Manifest, testScenario } from '../../support/scenario';

function synthRedis(props: RedisSentinelProps = {}, tier = Tier.CRITICAL): Manifest[] {
  const scenario = testScenario({ tier });
  new RedisSentinel(scenario, 'sessions', props);
  return Testing.synth(scenario);
}

const alerts = (manifests: Manifest[]) => findObject(manifests, 'PrometheusRule', 'sessions-redis-alerts').spec.groups[0].rules;
const exporter = (manifests: Manifest[], statefulSet: string) =>
  findObject(manifests, 'StatefulSet', statefulSet).spec.template.spec.containers.find((container: any) => container.name === 'metrics');

describe('RedisSentinel observability', () => {
  test('a redis_exporter sidecar next to every Redis and Sentinel server, with the password from the Secret', () => {
    // WHEN
    const manifests = synthRedis();

    // THEN
    for (const [statefulSet, port] of [
      ['sessions-redis', 6379],
      ['sessions-sentinel', 26379],
    ] as const) {
      const container = exporter(manifests, statefulSet);
      expect(container.image).toBe('oliver006/redis_exporter:v1.88.0');
      expect(container.ports).toEqual([{ name: 'metrics', containerPort: 9121, protocol: 'TCP' }]);
      expect(container.env).toEqual([
        { name: 'REDIS_ADDR', value: `redis://127.0.0.1:${port}` },
        { name: 'REDIS_EXPORTER_WEB_LISTEN_ADDRESS', value: ':9121' },
        { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'sessions-redis-auth', key: 'password', optional: false } } },
      ]);
      expect(container.securityContext).toEqual(expect.objectContaining({ readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } }));
    }
  });

  test('the monitoring selector may scrape the metrics port of both sets of pods', () => {
    // WHEN
    const manifests = synthRedis();

    // THEN
    for (const policy of ['sessions-redis-policy', 'sessions-sentinel-policy']) {
      expect(findObject(manifests, 'NetworkPolicy', policy).spec.ingress).toContainEqual({
        from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } }, namespaceSelector: { matchLabels: {} } }],
        ports: [{ protocol: 'TCP', port: 9121 }],
      });
    }
  });

  test('a PodMonitor scrapes every pod of the set and labels the series with the instance and component', () => {
    // WHEN
    const monitor = findObject(synthRedis({ monitoringLabels: { release: 'kube-prometheus-stack' } }), 'PodMonitor', 'sessions-redis-monitor');

    // THEN
    expect(monitor.metadata.labels.release).toBe('kube-prometheus-stack');
    expect(monitor.spec).toEqual({
      selector: { matchLabels: { 'app.kubernetes.io/name': 'redis', 'app.kubernetes.io/instance': 'sessions' } },
      podTargetLabels: ['app.kubernetes.io/instance', 'app.kubernetes.io/component'],
      podMetricsEndpoints: [{ port: 'metrics', path: '/metrics', interval: '15s' }],
    });
  });

  test('the alerts of a SYSTEM_OF_RECORD set, scoped to the set, labelled for routing, waiting the CRITICAL delay', () => {
    // WHEN
    const rules = alerts(synthRedis());

    // THEN
    expect(rules.map((rule: any) => [rule.alert, rule.labels.severity, rule.for])).toEqual([
      ['RedisInstanceDown', 'critical', '1m'],
      ['RedisInstanceMissing', 'critical', '1m'],
      ['RedisNoMaster', 'critical', '1m'],
      ['RedisMultipleMasters', 'critical', '1m'],
      ['RedisReplicationBroken', 'critical', '1m'],
      ['RedisSentinelQuorumAtRisk', 'warning', '1m'],
      ['RedisSentinelQuorumLost', 'critical', '1m'],
      ['RedisRejectedConnections', 'warning', '0m'],
      ['RedisMemoryNearMaxmemory', 'critical', '1m'],
      ['RedisWaitingForMissingMaster', 'critical', '1m'],
      ['RedisPersistenceFailing', 'critical', '0m'],
    ]);
    expect(rules[0].expr).toBe(
      'redis_up{namespace="shop", app_kubernetes_io_instance="sessions", app_kubernetes_io_component="redis"} == 0 or ' +
        'up{namespace="shop", app_kubernetes_io_instance="sessions", app_kubernetes_io_component="redis"} == 0',
    );
    expect(rules[0].labels).toEqual({
      owner: 'team-checkout',
      scenario: 'shop',
      tier: 'critical',
      component: 'redis-sentinel',
      severity: 'critical',
    });
  });

  test('a CACHE set, full by design, has no memory or persistence alert, and a STANDARD tier waits 5 minutes', () => {
    // WHEN
    const rules = alerts(synthRedis({ dataClass: DataClass.CACHE }, Tier.STANDARD));

    // THEN
    expect(rules.map((rule: any) => rule.alert)).not.toContain('RedisMemoryNearMaxmemory');
    expect(rules.map((rule: any) => rule.alert)).not.toContain('RedisPersistenceFailing');
    expect(rules.find((rule: any) => rule.alert === 'RedisNoMaster').for).toBe('5m');
  });

  test('a Grafana dashboard ConfigMap for the sidecar', () => {
    // WHEN
    const dashboard = findObject(synthRedis(), 'ConfigMap', 'sessions-redis-dashboard');

    // THEN
    expect(dashboard.metadata.labels.grafana_dashboard).toBe('1');
    const json = JSON.parse(dashboard.data['redis-sessions.json']);
    expect(json.title).toBe('Redis shop/sessions');
    expect(json.panels.map((panel: any) => panel.title)).toContain('Healthy sentinels');
  });

  test('metrics: false leaves out the sidecars, the metrics port and the monitoring objects', () => {
    // WHEN
    const manifests = synthRedis({ metrics: false });

    // THEN
    expect(exporter(manifests, 'sessions-redis')).toBeUndefined();
    expect(manifests.map((manifest) => manifest.kind)).not.toContain('PodMonitor');
    expect(JSON.stringify(findObject(manifests, 'NetworkPolicy', 'sessions-redis-policy').spec.ingress)).not.toContain('9121');
  });

  test('fails on a metrics port that clashes with Redis', () => {
    expect(() => synthRedis({ metricsPort: 6379 })).toThrow(
      'shop/sessions: invalid metricsPort 6379: a port other than redisPort (6379) and sentinelPort (26379)',
    );
  });
});

describe('RedisSentinel monitoring labels', () => {
  test("the scenario's monitoringLabels are on the PodMonitor and the PrometheusRule; the set's own are added", () => {
    // GIVEN
    const scenario = testScenario({ monitoringLabels: { release: 'kube-prometheus-stack', team: 'checkout' } });
    new RedisSentinel(scenario, 'sessions', { monitoringLabels: { team: 'sessions' } });

    // WHEN
    const manifests = Testing.synth(scenario);

    // THEN
    for (const [kind, name] of [
      ['PodMonitor', 'sessions-redis-monitor'],
      ['PrometheusRule', 'sessions-redis-alerts'],
    ]) {
      expect(findObject(manifests, kind, name).metadata.labels).toMatchObject({ release: 'kube-prometheus-stack', team: 'sessions' });
    }
  });
});
