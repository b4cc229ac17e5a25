import { Size } from 'cdk8s';
import { BlueprintError, DataClass, MysqlEngine, MysqlReplication, MysqlReplicationProps, Tier } from '../../../lib';
import { testScenario } from '../../support/scenario';

function defineDatabase(props: MysqlReplicationProps, id = 'orders', tier = Tier.CRITICAL, zones = 3): MysqlReplication {
  return new MysqlReplication(testScenario({ tier, zones }), id, props);
}

describe('MysqlReplication validation', () => {
  test.each<[string, MysqlReplicationProps, string]>([
    [
      'an even member count',
      { members: 4 },
      'invalid members 4: an odd whole number from 3 to 9: a majority survives the loss of a member, and an even split would leave no side with a majority',
    ],
    [
      'a single member',
      { members: 1 },
      'invalid members 1: an odd whole number from 3 to 9: a majority survives the loss of a member, and an even split would leave no side with a majority',
    ],
    [
      'more than 9 members',
      { members: 11, engine: MysqlEngine.MARIADB_11_4 },
      'invalid members 11: an odd whole number from 3 to 9: a majority survives the loss of a member, and an even split would leave no side with a majority',
    ],
    ['a single proxy', { endpointReplicas: 1 }, 'invalid endpointReplicas 1: a whole number of at least 2'],
    [
      'a buffer pool that leaves no headroom',
      { memory: Size.gibibytes(2), bufferPoolSize: Size.mebibytes(1800) },
      'invalid bufferPoolSize "1800Mi": at most 75% of memory (1536Mi of 2048Mi), leaving room for connections, sort buffers and the binary log cache',
    ],
    ['too little memory', { memory: Size.mebibytes(256) }, 'invalid memory "256Mi": a whole number of mebibytes, at least 512Mi'],
    ['the SQL port on the admin port', { port: 33062 }, 'invalid port 33062: a port other than 33062, which is the admin port of mysql-8.4'],
    [
      'the metrics port on the Galera port',
      { engine: MysqlEngine.MARIADB_11_4, metricsPort: 4567 },
      'invalid metricsPort 4567: a port other than 4567, which is the Galera port of mariadb-11.4',
    ],
    ['the metrics port on the SQL port', { metricsPort: 3306 }, 'invalid metricsPort 3306: a port other than the SQL port 3306'],
    ['a port out of range', { port: 70000 }, 'invalid port 70000: a whole number from 1 to 65535'],
    [
      'failure detection in fractions of a second with Group Replication',
      { failureDetectionMilliseconds: 7500 },
      'invalid failureDetectionMilliseconds 7500: whole seconds with MysqlEngine.MYSQL_8_4: the 5 s suspicion plus group_replication_member_expel_timeout, which counts in seconds',
    ],
    [
      'failure detection below the Group Replication suspicion',
      { failureDetectionMilliseconds: 3000 },
      'invalid failureDetectionMilliseconds 3000: a whole number from 5000 to 3600000',
    ],
    ['an unknown engine', { engine: 'postgres' as MysqlEngine }, 'invalid engine "postgres": one of MysqlEngine.MYSQL_8_4, MysqlEngine.MARIADB_11_4'],
    ['an unknown data class', { dataClass: 'ledger' as DataClass }, 'invalid dataClass "ledger": one of DataClass.SYSTEM_OF_RECORD, DataClass.CACHE'],
    [
      'a reserved application user',
      { applicationUser: 'root' },
      'invalid applicationUser "root": a user other than root, replication, monitor and router, which the cluster itself uses',
    ],
    [
      'an application user that is no MySQL identifier',
      { applicationUser: 'order-service' },
      'invalid applicationUser "order-service": a MySQL user name of at most 32 letters, digits and "_", not starting with a digit',
    ],
    ['a system schema as the database', { database: 'mysql' }, 'invalid database "mysql": a database of the application, not a system schema'],
    [
      'a grace period shorter than the handover',
      { handoverTimeoutSeconds: 60, terminationGracePeriodSeconds: 60 },
      'invalid terminationGracePeriodSeconds 60: at least handoverTimeoutSeconds + 30 = 90: the handover, then a clean InnoDB shutdown, before SIGKILL',
    ],
    ['a pod user in the node range', { runAsUser: 999 }, 'invalid runAsUser 999: a whole number of at least 10000'],
    [
      'a Secret name with capitals',
      { credentialsSecretName: 'Orders' },
      'invalid credentialsSecretName "Orders": the name of a Secret: lower-case letters, digits and "-"',
    ],
    ['an image with spaces', { image: 'mysql 8.4' }, 'invalid image "mysql 8.4": an image reference without spaces, e.g. "mysql:8.4.11"'],
  ])('%s is refused with the construct path, the value and what is allowed', (_case, props, message) => {
    expect(() => defineDatabase(props)).toThrow(BlueprintError);
    expect(() => defineDatabase(props)).toThrow(`shop/orders: ${message}`);
  });

  test('a CRITICAL database needs 3 zones, so losing one leaves a majority', () => {
    expect(() => defineDatabase({ tier: Tier.CRITICAL }, 'orders', Tier.HIGH, 2)).toThrow(
      'shop/orders: invalid zones 2: at least 3 zones for a CRITICAL database (the scenario\'s "zones"): with 2, losing the zone that holds the majority stops every commit',
    );
    expect(() => defineDatabase({}, 'orders', Tier.HIGH, 2)).not.toThrow();
  });

  test('an id that would make derived names invalid is refused', () => {
    expect(() => defineDatabase({}, 'orders-database-of-the-checkout-flow-eu-1')).toThrow(
      'shop/orders-database-of-the-checkout-flow-eu-1: invalid id "orders-database-of-the-checkout-flow-eu-1": a DNS label of at most 40 characters (lower-case letters, digits and "-", starting with a letter), so derived names stay valid',
    );
  });

  test('a client env prefix that is no variable name is refused', () => {
    expect(() => defineDatabase({}).clientEnv('1_')).toThrow(
      'shop/orders: invalid clientEnv prefix "1_": letters, digits and "_", not starting with a digit, so the variables are valid environment variable names',
    );
  });
});
