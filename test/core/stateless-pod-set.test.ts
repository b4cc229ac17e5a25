import { Chart, Testing } from 'cdk8s';
import { BlueprintError, DEFAULT_POD_USER, StatelessPodSet, StatelessPodSetProps, ZoneSpread } from '../../lib';
import { findObject, Manifest } from '../support/scenario';

function definePodSet(overrides: Partial<StatelessPodSetProps> = {}): Chart {
  const chart = new Chart(Testing.app(), 'test');
  new StatelessPodSet(chart, 'Proxy', {
    identity: { name: 'db', instance: 'orders', component: 'proxy', partOf: 'shop' },
    annotations: { 'stability-blueprints.io/component': 'db' },
    podAnnotations: { 'stability-blueprints.io/config-hash': 'abc' },
    replicas: 3,
    terminationGracePeriodSeconds: 15,
    containers: [{ name: 'proxy', image: 'proxy:1.0.0', ports: [{ name: 'db', containerPort: 5000 }] }],
    volumes: [],
    scheduling: { zoneSpread: ZoneSpread.HARD, minDomains: 3, requiredHostAntiAffinity: true },
    podUser: DEFAULT_POD_USER,
    priorityClassName: 'stability-blueprints-critical',
    servicePorts: [{ name: 'db', port: 5000, appProtocol: 'tcp' }],
    ...overrides,
  });
  return chart;
}

describe('StatelessPodSet', () => {
  test('a Deployment that surges before it stops a pod, a budget that lets one go, and a Service on the named ports', () => {
    // WHEN
    const manifests: Manifest[] = Testing.synth(definePodSet());

    // THEN
    const deployment = findObject(manifests, 'Deployment', 'orders-proxy-deployment');
    expect(deployment.spec.strategy.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: 1 });
    expect(deployment.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    expect(deployment.spec.template.spec.topologySpreadConstraints[0].whenUnsatisfiable).toBe('DoNotSchedule');
    const budget = findObject(manifests, 'PodDisruptionBudget', 'orders-proxy-budget');
    expect(budget.spec).toEqual({
      selector: { matchLabels: deployment.spec.selector.matchLabels },
      maxUnavailable: 1,
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    });
    expect(budget.metadata.annotations['stability-blueprints.io/quorum']).toBe('2');
    expect(findObject(manifests, 'Service', 'orders-proxy').spec).toEqual({
      type: 'ClusterIP',
      selector: deployment.spec.selector.matchLabels,
      ports: [{ name: 'db', port: 5000, targetPort: 'db', appProtocol: 'tcp' }],
    });
  });

  test('a single replica is refused: nothing would serve while it is drained', () => {
    expect(() => definePodSet({ replicas: 1 })).toThrow(BlueprintError);
    expect(() => definePodSet({ replicas: 1 })).toThrow(
      'test/Proxy: invalid replicas 1: a whole number of at least 2, so one pod serves while another is drained',
    );
  });
});
