import { Size } from 'cdk8s';
import { BlueprintError, DataClass, MongoReplicaSet, MongoReplicaSetProps, Tier } from '../../../lib';
import { testScenario } from '../../support/scenario';

function defineMongo(props: MongoReplicaSetProps, options: { id?: string; tier?: Tier } = {}): MongoReplicaSet {
  return new MongoReplicaSet(testScenario({ tier: options.tier ?? Tier.CRITICAL }), options.id ?? 'catalog', props);
}

const CACHE_ARBITER = { allowArbiter: true, arbiterReason: 'a rebuildable cache: two data members are enough', dataClass: DataClass.CACHE };
const ODD_MEMBERS =
  '3, 5 or 7: an odd number of voters, so a majority survives the loss of one (two with 5, three with 7) and an even split never stalls an election; MongoDB allows at most 7';

describe('MongoReplicaSet validation', () => {
  test.each<[string, MongoReplicaSetProps, string]>([
    ['an even member count', { members: 4 }, `invalid members 4: ${ODD_MEMBERS}`],
    [
      'a single member (mongodb/mongodb-kubernetes-operator#136: no primary after scaling to one)',
      { members: 1 },
      `invalid members 1: ${ODD_MEMBERS}`,
    ],
    ['more voters than MongoDB allows', { members: 9 }, `invalid members 9: ${ODD_MEMBERS}`],
    [
      'an arbiter for a system of record',
      { allowArbiter: true, arbiterReason: 'saving a volume' },
      'invalid allowArbiter true: false for a DataClass.SYSTEM_OF_RECORD: with a data-bearing member down, an arbiter set either stalls majority writes or, with the implicit w: 1, acknowledges writes one member holds',
    ],
    [
      'an arbiter without a reason',
      { allowArbiter: true, dataClass: DataClass.CACHE, arbiterReason: '  ' },
      'invalid arbiterReason "  ": a sentence saying why this set runs an arbiter instead of a third data-bearing member',
    ],
    ['a reason without an arbiter', { arbiterReason: 'just in case' }, 'invalid arbiterReason "just in case": nothing unless allowArbiter is true'],
    [
      'an odd member count with an arbiter',
      { ...CACHE_ARBITER, members: 3 },
      'invalid members 3: 2, 4 or 6 with an arbiter: the arbiter makes the voters odd, and MongoDB allows at most 7',
    ],
    [
      'a delay without hidden members',
      { hiddenMemberDelaySeconds: 3600 },
      'invalid hiddenMemberDelaySeconds 3600: 0 unless hiddenMembers is at least 1: the delay applies to the hidden members',
    ],
    ['a negative hidden member count', { hiddenMembers: -1 }, 'invalid hiddenMembers -1: a whole number from 0 to 47'],
    [
      'a replica set name that is no DNS label',
      { replicaSetName: 'rs_0' },
      'invalid replicaSetName "rs_0": a DNS label (lower-case letters, digits and "-", starting with a letter), as MongoDB and the connection string take it',
    ],
    [
      'a Secret name with capitals',
      { keyFileSecretName: 'Catalog-Key' },
      'invalid keyFileSecretName "Catalog-Key": the name of a Secret: lower-case letters, digits and "-"',
    ],
    [
      'the root user as the application user',
      { applicationUser: 'root' },
      'invalid applicationUser "root": 1 to 64 letters, digits, ".", "_" or "-", not "root" or "cluster-monitor" (the set\'s own users)',
    ],
    [
      'a system database for the application',
      { database: 'admin' },
      'invalid database "admin": letters, digits, "_" and "-" (at most 63), not admin, local or config',
    ],
    [
      'a cache that leaves no room',
      { memory: Size.gibibytes(2), wiredTigerCacheSize: Size.mebibytes(1600) },
      'invalid wiredTigerCacheSize "1600Mi": at most 60% of memory (1228Mi of 2048Mi): connections, aggregations and the file system cache need the rest',
    ],
    ['too little memory', { memory: Size.mebibytes(512) }, 'invalid memory "512Mi": a whole number of mebibytes, at least 1024Mi'],
    [
      'an oplog larger than half the volume',
      { storageSize: Size.gibibytes(10), oplogSize: Size.gibibytes(6) },
      'invalid oplogSize "6144Mi": at most half of storageSize (5120Mi): the data needs the rest',
    ],
    [
      'an election timeout below the heartbeat',
      { electionTimeoutMilliseconds: 1000 },
      'invalid electionTimeoutMilliseconds 1000: a whole number from 2000 to 60000',
    ],
    [
      'a grace period too short for a step-down',
      { terminationGracePeriodSeconds: 30 },
      'invalid terminationGracePeriodSeconds 30: a whole number of at least 60',
    ],
    ['an unknown data class', { dataClass: 'ledger' as DataClass }, 'invalid dataClass "ledger": one of DataClass.SYSTEM_OF_RECORD, DataClass.CACHE'],
    ['an image with spaces', { image: 'mongo 8.0' }, 'invalid image "mongo 8.0": an image reference without spaces, e.g. "mongo:8.0.26"'],
  ])('%s is refused with the construct path, the value and what is allowed', (_case, props, message) => {
    expect(() => defineMongo(props)).toThrow(BlueprintError);
    expect(() => defineMongo(props, { tier: Tier.HIGH })).toThrow(`shop/catalog: ${message}`);
  });

  test('an arbiter set is a cache outside the CRITICAL tier only', () => {
    expect(() => defineMongo(CACHE_ARBITER, { tier: Tier.HIGH })).not.toThrow();
    expect(() => defineMongo(CACHE_ARBITER)).toThrow(
      'shop/catalog: invalid members 2: at least 3 data-bearing members in the CRITICAL tier, so a majority write survives the loss of one',
    );
    expect(() => defineMongo({ ...CACHE_ARBITER, members: 4 })).not.toThrow();
  });

  test('an id that would make derived names invalid is refused', () => {
    expect(() => defineMongo({}, { id: 'catalog-of-the-storefront-search-in-e1' })).not.toThrow();
    expect(() => defineMongo({}, { id: 'catalog-of-the-storefront-search-in-eu-1' })).toThrow(
      'shop/catalog-of-the-storefront-search-in-eu-1: invalid id "catalog-of-the-storefront-search-in-eu-1": a DNS label of at most 38 characters (lower-case letters, digits and "-", starting with a letter), so derived names stay valid',
    );
  });

  test('a client env prefix that is no variable name is refused', () => {
    expect(() => defineMongo({}).clientEnv('1_')).toThrow(
      'shop/catalog: invalid clientEnv prefix "1_": letters, digits and "_", not starting with a digit, so the variables are valid environment variable names',
    );
  });
});
