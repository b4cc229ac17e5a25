import { Size } from 'cdk8s';
import { AppendFsync, BlueprintError, DataClass, EvictionPolicy, RedisSentinel, RedisSentinelProps, Tier } from '../../../lib';
import { testScenario } from '../../support/scenario';

function defineRedis(props: RedisSentinelProps, id = 'sessions', tier = Tier.CRITICAL): RedisSentinel {
  return new RedisSentinel(testScenario({ tier }), id, props);
}

describe('RedisSentinel validation', () => {
  test.each<[string, RedisSentinelProps, string]>([
    [
      'an even sentinel count',
      { sentinels: 4 },
      'invalid sentinels 4: an odd number of at least 3, so that a majority of the sentinels survives the loss of one',
    ],
    [
      'a single sentinel',
      { sentinels: 1 },
      'invalid sentinels 1: an odd number of at least 3, so that a majority of the sentinels survives the loss of one',
    ],
    [
      'a quorum below a majority',
      { sentinels: 5, quorum: 2 },
      'invalid quorum 2: from 3 (a majority of 5 sentinels) to 4 (one sentinel may be down)',
    ],
    ['a quorum of every sentinel', { quorum: 3 }, 'invalid quorum 3: from 2 (a majority of 3 sentinels) to 2 (one sentinel may be down)'],
    [
      'too few replicas for minReplicasToWrite',
      { replicas: 3, minReplicasToWrite: 2 },
      'invalid replicas 3: at least minReplicasToWrite + 2 = 4, so the master keeps accepting writes while one replica is down',
    ],
    [
      'two Redis pods of a CACHE in the CRITICAL tier',
      { dataClass: DataClass.CACHE, replicas: 2 },
      'invalid replicas 2: at least 3 in the CRITICAL tier, so a failover leaves a master and a replica',
    ],
    [
      'maxmemory above the memory request',
      { memory: Size.gibibytes(1), maxmemory: Size.mebibytes(1536) },
      'invalid maxmemory "1536Mi": more than 0 and at most the memory request (1024Mi)',
    ],
    [
      'a grace period shorter than handover and shutdown',
      { terminationGracePeriodSeconds: 30 },
      'invalid terminationGracePeriodSeconds 30: at least handoverTimeoutSeconds + shutdownTimeoutSeconds + 5 = 45, or SIGKILL cuts the handover short',
    ],
    ['the sentinel port on the Redis port', { sentinelPort: 6379 }, 'invalid sentinelPort 6379: a port other than redisPort (6379)'],
    ['a port out of range', { redisPort: 70000 }, 'invalid redisPort 70000: a whole number from 1 to 65535'],
    [
      'a max lag as long as the failure detection',
      { downAfterMilliseconds: 5000, minReplicasMaxLagSeconds: 5 },
      'invalid minReplicasMaxLagSeconds 5: at most 4 (downAfterMilliseconds 5000 in seconds, minus 1), so an isolated master stops taking writes before a failover starts',
    ],
    [
      'eviction in a system of record',
      { evictionPolicy: EvictionPolicy.ALLKEYS_LRU },
      'invalid evictionPolicy "allkeys-lru": EvictionPolicy.NO_EVICTION for DataClass.SYSTEM_OF_RECORD: a system of record never drops keys',
    ],
    [
      'an fsync policy for a cache',
      { dataClass: DataClass.CACHE, appendFsync: AppendFsync.ALWAYS },
      'invalid appendFsync "always": only with DataClass.SYSTEM_OF_RECORD: a CACHE keeps no append-only file',
    ],
    ['a fractional replica count', { replicas: 3.5 }, 'invalid replicas 3.5: a whole number of at least 1'],
    ['a root user id', { runAsUser: 0 }, 'invalid runAsUser 0: a whole number of at least 10000'],
    [
      'a master set name with spaces',
      { masterSetName: 'my master' },
      'invalid masterSetName "my master": letters, digits, ".", "_" and "-", at most 63 characters, starting with a letter or digit',
    ],
  ])('fails on %s', (_case, props, message) => {
    expect(() => defineRedis(props)).toThrow(BlueprintError);
    expect(() => defineRedis(props)).toThrow(`shop/sessions: ${message}`);
  });

  test.each([
    ['Sessions', 'invalid id "Sessions"'],
    ['sessions_store', 'invalid id "sessions_store"'],
    ['a'.repeat(44), `invalid id "${'a'.repeat(44)}"`],
  ])('fails on the name %s, which is not a short DNS label', (id, message) => {
    expect(() => defineRedis({}, id)).toThrow(
      `shop/${id}: ${message}: a DNS label of at most 43 characters (lower-case letters, digits and "-", starting with a letter), so derived names stay valid`,
    );
  });

  test('names the construct path of a nested component, the prop and the value', () => {
    // GIVEN
    const scenario = testScenario();

    // WHEN
    let error: unknown;
    try {
      new RedisSentinel(scenario, 'sessions', { sentinels: 2 });
    } catch (caught) {
      error = caught;
    }

    // THEN
    expect(error).toBeInstanceOf(BlueprintError);
    expect(error).toMatchObject({ constructPath: 'shop/sessions', prop: 'sentinels', value: 2 });
  });

  test('accepts the smallest safe set outside the CRITICAL tier', () => {
    expect(() => new RedisSentinel(testScenario({ tier: Tier.STANDARD }), 'cache', { dataClass: DataClass.CACHE, replicas: 2 })).not.toThrow();
  });
});
