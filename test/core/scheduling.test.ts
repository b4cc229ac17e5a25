import { podScheduling, ZoneSpread } from '../../lib';

const selector = { 'app.kubernetes.io/name': 'redis', 'app.kubernetes.io/instance': 'cart' };

describe('podScheduling', () => {
  test('hard zone spread blocks scheduling until minDomains zones hold a pod, with required host anti-affinity', () => {
    // WHEN
    const scheduling = podScheduling({ zoneSpread: ZoneSpread.HARD, minDomains: 3, requiredHostAntiAffinity: true }, selector);

    // THEN
    expect(scheduling.topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        topologyKey: 'topology.kubernetes.io/zone',
        whenUnsatisfiable: 'DoNotSchedule',
        minDomains: 3,
        labelSelector: { matchLabels: selector },
      },
    ]);
    expect(scheduling.affinity).toEqual({
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: selector }, topologyKey: 'kubernetes.io/hostname' }],
      },
    });
  });

  test('soft zone spread never sets minDomains, which the API server only accepts with DoNotSchedule', () => {
    // WHEN
    const scheduling = podScheduling({ zoneSpread: ZoneSpread.SOFT, minDomains: 3, requiredHostAntiAffinity: false }, selector);

    // THEN
    expect(scheduling.topologySpreadConstraints).toEqual([
      { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selector } },
    ]);
    expect(scheduling.affinity).toEqual({
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, podAffinityTerm: { labelSelector: { matchLabels: selector }, topologyKey: 'kubernetes.io/hostname' } },
        ],
      },
    });
  });
});
