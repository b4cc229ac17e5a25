import { KubeObject } from '../../../lib';
import { MONITORING_HAS_RELEASE_LABEL } from '../../../lib/checks/rules/monitoring';
import { judge } from '../../support/checks';

function monitoringObject(kind: string, labels: Record<string, string>): KubeObject {
  return { apiVersion: 'monitoring.coreos.com/v1', kind, metadata: { name: 'sessions-redis-monitor', namespace: 'shop', labels }, spec: {} };
}

describe('monitoring-has-release-label: kube-prometheus-stack selects the monitoring objects', () => {
  test.each(['PodMonitor', 'ServiceMonitor', 'PrometheusRule'])('Compliance 1: a %s labelled with the Helm release', (kind) => {
    const object = monitoringObject(kind, { 'app.kubernetes.io/name': 'redis', release: 'kube-prometheus-stack' });
    expect(judge(MONITORING_HAS_RELEASE_LABEL, [object])).toEqual([]);
  });

  test.each(['PodMonitor', 'ServiceMonitor', 'PrometheusRule'])('Violation 1: a %s without the release label', (kind) => {
    const object = monitoringObject(kind, { 'app.kubernetes.io/name': 'redis' });
    expect(judge(MONITORING_HAS_RELEASE_LABEL, [object])).toEqual([
      `metadata.labels: no release label: kube-prometheus-stack's default selectors ignore this ${kind}`,
    ]);
  });
});
