import { CRITICAL_ZONE_SPREAD } from '../../../lib/checks/rules/tier';
import { judge, statefulSet } from '../../support/checks';

const critical = (constraints: object[]) =>
  statefulSet('orders', { annotations: { 'stability-blueprints.io/tier': 'critical' }, podSpec: { topologySpreadConstraints: constraints } });
const zone = (overrides: object = {}) => ({
  maxSkew: 1,
  topologyKey: 'topology.kubernetes.io/zone',
  whenUnsatisfiable: 'DoNotSchedule',
  minDomains: 3,
  labelSelector: { matchLabels: { app: 'orders' } },
  ...overrides,
});

describe('critical-zone-spread: a CRITICAL workload is spread over at least 3 zones, hard', () => {
  test('Compliance: maxSkew 1, DoNotSchedule, minDomains 3, a selector matching the template', () => {
    expect(judge(CRITICAL_ZONE_SPREAD, [critical([zone()])])).toEqual([]);
  });

  test('Noncompliance 1: no zone constraint', () => {
    expect(judge(CRITICAL_ZONE_SPREAD, [critical([])])).toEqual([
      'spec.template.spec.topologySpreadConstraints: no topologySpreadConstraint on topology.kubernetes.io/zone',
    ]);
  });

  test('Noncompliance 2: a soft constraint without minDomains', () => {
    expect(judge(CRITICAL_ZONE_SPREAD, [critical([zone({ whenUnsatisfiable: 'ScheduleAnyway', minDomains: undefined })])])).toEqual([
      'spec.template.spec.topologySpreadConstraints[0]: the zone constraint has whenUnsatisfiable ScheduleAnyway, minDomains unset',
    ]);
  });

  test('Noncompliance 3: a selector that matches other pods, and a skew of 2', () => {
    expect(judge(CRITICAL_ZONE_SPREAD, [critical([zone({ maxSkew: 2, labelSelector: { matchLabels: { app: 'payments' } } })])])).toEqual([
      'spec.template.spec.topologySpreadConstraints[0]: the zone constraint has maxSkew 2, a labelSelector that does not match the pod template',
    ]);
  });

  test('Not applicable outside the CRITICAL tier', () => {
    expect(judge(CRITICAL_ZONE_SPREAD, [statefulSet('orders', { annotations: { 'stability-blueprints.io/tier': 'high' } })])).toEqual({
      notApplicable: 'not annotated stability-blueprints.io/tier: critical',
    });
  });
});
