import { BlueprintComponent, DataClass, DiskFlush, PortRole, RedisSentinel, Tier } from '../../../lib';
import { testScenario } from '../../support/scenario';

describe('RedisSentinel component contract', () => {
  test('a SYSTEM_OF_RECORD set: data pods, voting sentinels, the quorum rule, the durability promise, the failover budget', () => {
    // GIVEN
    const scenario = testScenario({ tier: Tier.CRITICAL });

    // WHEN
    const redis = new RedisSentinel(scenario, 'sessions');

    // THEN
    const { contract } = redis;
    expect(contract.component).toBe('redis-sentinel');
    expect(contract.name).toBe('sessions');
    expect(contract.tier).toBe(Tier.CRITICAL);
    expect(
      contract.podSets.map((set) => [set.role, set.workloadKind, set.workloadName, set.serviceAccountName, set.replicas, set.minAvailable]),
    ).toEqual([
      ['redis', 'StatefulSet', 'sessions-redis', 'sessions-redis-pods', 3, 2],
      ['sentinel', 'StatefulSet', 'sessions-sentinel', 'sessions-sentinel-pods', 3, 2],
    ]);
    expect(contract.podSets[0].ports).toEqual([
      { name: 'redis', port: 6379, roles: [PortRole.CLIENT, PortRole.PEER], appProtocol: 'redis', serverFirst: false },
      { name: 'metrics', port: 9121, roles: [PortRole.METRICS], appProtocol: 'http', serverFirst: false },
    ]);
    expect(contract.podSets[0].selector).toEqual({
      'app.kubernetes.io/name': 'redis',
      'app.kubernetes.io/instance': 'sessions',
      'app.kubernetes.io/component': 'redis',
    });
    expect(contract.podSets.map((set) => [set.holdsData, set.votes])).toEqual([
      [true, false],
      [false, true],
    ]);
    expect(contract.quorum).toEqual(
      expect.objectContaining({ votingRole: 'sentinel', voters: 3, votersForFailover: 2, dataRole: 'redis', dataPodsForWrites: 2 }),
    );
    expect(contract.durability).toEqual(
      expect.objectContaining({ dataClass: DataClass.SYSTEM_OF_RECORD, acknowledgedCopies: 2, flushedToDisk: DiskFlush.WITHIN_A_SECOND }),
    );
    expect(contract.failoverBudget).toEqual(expect.objectContaining({ detectionSeconds: 5, writesResumeWithinSeconds: 15 }));
  });

  test('a CACHE set promises nothing on disk and needs only the master for writes; the master endpoint is a pod set of its own', () => {
    // GIVEN
    const scenario = testScenario({ tier: Tier.HIGH });

    // WHEN
    const redis = new RedisSentinel(scenario, 'carts', { dataClass: DataClass.CACHE, masterEndpoint: true });

    // THEN
    expect(redis.contract.durability).toEqual(expect.objectContaining({ acknowledgedCopies: 1, flushedToDisk: DiskFlush.NEVER }));
    expect(redis.contract.quorum.dataPodsForWrites).toBe(1);
    expect(redis.contract.podSets.map((set) => set.role)).toEqual(['redis', 'sentinel', 'master-endpoint']);
    expect(redis.contract.podSets[2]).toEqual(
      expect.objectContaining({
        workloadKind: 'Deployment',
        workloadName: 'carts-master-deployment',
        replicas: 2,
        minAvailable: 1,
        holdsData: false,
      }),
    );
  });

  test('every component of a scenario is found through the contract, whatever construct it sits under', () => {
    // GIVEN
    const scenario = testScenario();
    new RedisSentinel(scenario, 'sessions');
    new RedisSentinel(scenario, 'carts', { dataClass: DataClass.CACHE });

    // WHEN
    const components = BlueprintComponent.all(scenario);

    // THEN
    expect(components.map((component) => component.contract.name)).toEqual(['sessions', 'carts']);
  });
});
