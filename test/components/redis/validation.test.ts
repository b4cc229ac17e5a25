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
      'too few replicas for minReplicasToWrite, both set',
      { replicas: 3, minReplicasToWrite: 2 },
      'invalid minReplicasToWrite 2: at most replicas - 2 = 1 (replicas 3), so the master keeps accepting writes while one replica is down',
    ],
    [
      "a minReplicasToWrite above the tier's replicas",
      { minReplicasToWrite: 5 },
      "invalid minReplicasToWrite 5: at most replicas - 2 = 1 (replicas 3, the critical tier's default), so the master keeps accepting writes while one replica is down",
    ],
    [
      'too few replicas for the default minReplicasToWrite',
      { replicas: 2, tier: Tier.STANDARD },
      'invalid replicas 2: at least minReplicasToWrite + 2 = 3 (minReplicasToWrite 1), so the master keeps accepting writes while one replica is down',
    ],
    ['the Redis port on the default sentinel port', { redisPort: 26379 }, 'invalid redisPort 26379: a port other than sentinelPort (26379)'],
    [
      'a memory request without whole mebibytes',
      { memory: Size.kibibytes(100_000) },
      'invalid memory "97.65625Mi": a whole number of mebibytes, at least 64Mi',
    ],
    ['a memory request below 64 MiB', { memory: Size.mebibytes(10) }, 'invalid memory "10Mi": a whole number of mebibytes, at least 64Mi'],
    [
      'a volume size for a cache',
      { dataClass: DataClass.CACHE, storageSize: Size.gibibytes(4) },
      'invalid storageSize "4096Mi": only with DataClass.SYSTEM_OF_RECORD: a CACHE keeps its data in memory, on no volume',
    ],
    ['a tier that is none', { tier: 'gold' as any }, 'invalid tier "gold": one of Tier.CRITICAL, Tier.HIGH, Tier.STANDARD, Tier.BEST_EFFORT'],
    ['a data class that is none', { dataClass: 'session' as any }, 'invalid dataClass "session": one of DataClass.SYSTEM_OF_RECORD, DataClass.CACHE'],
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
      { downAfterMilliseconds: 5000, minReplicasMaxLagSeconds: 3 },
      'invalid minReplicasMaxLagSeconds 3: at most 2 (downAfterMilliseconds 5000 in seconds, minus 3), so an isolated master stops taking writes before a failover starts',
    ],
    [
      'a failure detection too quick for a master to fence itself',
      { downAfterMilliseconds: 3000 },
      'invalid downAfterMilliseconds 3000: at least 4000 with minReplicasToWrite 1, so an isolated master (min-replicas-max-lag at least 1 s) stops taking writes before a failover starts',
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
    ['a master endpoint that is not a boolean', { masterEndpoint: 'yes' as any }, 'invalid masterEndpoint "yes": true or false'],
    [
      'a master endpoint image without a master endpoint',
      { masterEndpointImage: 'haproxy:3.2.19' },
      'invalid masterEndpointImage "haproxy:3.2.19": only with masterEndpoint: true',
    ],
    [
      'a master endpoint image with a space',
      { masterEndpoint: true, masterEndpointImage: 'haproxy 3.2' },
      'invalid masterEndpointImage "haproxy 3.2": an image reference without spaces, e.g. "haproxy:3.2.19"',
    ],
    [
      'the also-accepted password under the password key',
      { passwordSecretAlsoAcceptedKey: 'password' },
      'invalid passwordSecretAlsoAcceptedKey "password": a key other than passwordSecretKey "password"',
    ],
    [
      'a Secret key with a slash',
      { passwordSecretKey: 'redis/password' },
      'invalid passwordSecretKey "redis/password": a Secret key: letters, digits, "-", "_" and "."',
    ],
    [
      'an empty password version',
      { passwordSecretVersion: ' ' },
      'invalid passwordSecretVersion " ": a non-empty string, changed whenever the Secret changes',
    ],
    [
      'a password version without a password',
      { passwordAuthentication: false, passwordSecretVersion: '2' },
      'invalid passwordSecretVersion "2": only with passwordAuthentication: true (without a password there is no Secret to read)',
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
