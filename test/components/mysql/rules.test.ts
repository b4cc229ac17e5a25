import { readFileSync } from 'fs';
import { join } from 'path';
import { parseAllDocuments } from 'yaml';
import { KubeObject } from '../../../lib/checks/model';
import {
  MYSQL_BOOTSTRAP_FLAG_PERSISTED,
  MYSQL_DURABILITY_BELOW_DATA_CLASS,
  MYSQL_EVEN_MEMBERS,
  MYSQL_WRITER_SERVICE_BALANCES_MEMBERS,
} from '../../../lib/components/mysql/rules';
import { judge } from '../../support/checks';

/** The objects of a fixture, a fresh copy per call so that a test can break them. */
function fixture(name: string): any[] {
  return parseAllDocuments(readFileSync(join(__dirname, 'fixtures', `${name}.yaml`), 'utf8')).map((document) => document.toJS());
}

function find(objects: KubeObject[], kind: string, name: string): any {
  const found = objects.find((object) => object.kind === kind && object.metadata?.name === name);
  if (!found) {
    throw new Error(`no ${kind}/${name} in the fixture`);
  }
  return found;
}

/** A fixture with one object changed in place. */
function edited(name: string, kind: string, objectName: string, edit: (object: any) => void): any[] {
  const objects = fixture(name);
  edit(find(objects, kind, objectName));
  return objects;
}

/** A fixture whose option file `key` of ConfigMap `configMap` is rewritten. */
function withCnf(name: string, configMap: string, edit: (cnf: string) => string, key = 'my.cnf'): any[] {
  return edited(name, 'ConfigMap', configMap, (object) => {
    object.data[key] = edit(object.data[key]);
  });
}

const GALERA = 'bitnami-mariadb-galera';
const GALERA_SET = 'catalog-mariadb-galera';
const GALERA_CONFIG = 'catalog-mariadb-galera-configuration';
const REPLICATION = 'bitnami-mysql-replication';
const OURS_GALERA = 'ours-mariadb-galera';
const OURS_GROUP = 'ours-mysql-group-replication';
const OURS_SET = 'orders-mysql';
const OURS_CONFIG = 'orders-mysql-config';
const SYSTEM_OF_RECORD_BY_DEFAULT = '(a database not annotated stability-blueprints.io/data-class: cache is a system of record)';

const galeraSet = (objects: KubeObject[]) => find(objects, 'StatefulSet', GALERA_SET);
const oursSet = (objects: KubeObject[]) => find(objects, 'StatefulSet', OURS_SET);
const serverOf = (set: any) => set.spec.template.spec.containers[0];

/** A team's own MariaDB StatefulSet: one server container running `args`, its my.cnf in a ConfigMap. */
function handWrittenMariadb(cnf: string, options: { replicas?: number; args?: string[] } = {}): KubeObject[] {
  const labels = { app: 'inventory-db' };
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'inventory-db', namespace: 'shop' }, data: { 'galera.cnf': cnf } },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'inventory-db', namespace: 'shop' },
      spec: {
        replicas: options.replicas ?? 3,
        serviceName: 'inventory-db',
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                name: 'mariadb',
                image: 'mariadb:11.4.8',
                args: options.args,
                ports: [{ name: 'mysql', containerPort: 3306 }],
                volumeMounts: [{ name: 'conf', mountPath: '/etc/mysql/conf.d' }],
              },
            ],
            volumes: [{ name: 'conf', configMap: { name: 'inventory-db' } }],
          },
        },
      },
    },
  ];
}

const GALERA_CNF =
  '[galera]\nwsrep_on=ON\nwsrep_provider=/usr/lib/galera/libgalera_smm.so\nwsrep_cluster_address=gcomm://inventory-db-0.inventory-db\n';

describe('mysql-even-members: a Galera cluster or Group Replication group has an odd number of members', () => {
  test('Compliance: the 3 members of bitnami/mariadb-galera', () => {
    const objects = fixture(GALERA);
    expect(judge(MYSQL_EVEN_MEMBERS, objects, galeraSet(objects))).toEqual([]);
  });

  test.each([OURS_GALERA, OURS_GROUP])('Not applicable to %s, whose consensus and quorum annotations quorum-is-majority judges', (name) => {
    const objects = edited(name, 'StatefulSet', OURS_SET, (set) => (set.spec.replicas = 4));
    expect(judge(MYSQL_EVEN_MEMBERS, objects, oursSet(objects))).toEqual({
      notApplicable:
        'annotated stability-blueprints.io/consensus: majority with a stability-blueprints.io/quorum: quorum-is-majority judges its size',
    });
  });

  test('Noncompliance 1: bitnami/mariadb-galera scaled to 4, recognised by wsrep_on in its my.cnf', () => {
    const objects = edited(GALERA, 'StatefulSet', GALERA_SET, (set) => (set.spec.replicas = 4));
    expect(judge(MYSQL_EVEN_MEMBERS, objects, galeraSet(objects))).toEqual([
      'spec.replicas: 4 members of a Galera cluster (wsrep_on=ON in ConfigMap catalog-mariadb-galera-configuration key my.cnf [galera]): ' +
        'a 2-2 split leaves neither side a majority; allowed: an odd number, at least 3',
    ]);
  });

  test('Noncompliance 2: 2 members of bitnami/mariadb-galera without its ConfigMap, recognised by the image', () => {
    const objects = edited(GALERA, 'StatefulSet', GALERA_SET, (set) => (set.spec.replicas = 2)).filter((object) => object.kind !== 'ConfigMap');
    expect(judge(MYSQL_EVEN_MEMBERS, objects, galeraSet(objects))).toEqual([
      'spec.replicas: 2 members of a Galera cluster (the image docker.io/bitnami/mariadb-galera:12.0.2-debian-12-r0): with fewer than 3 ' +
        'the loss of one member leaves no majority; allowed: an odd number, at least 3',
    ]);
  });

  test('Noncompliance 3: a Group Replication set without annotations and replicas unset counts 1 member, as the API does', () => {
    const objects = edited(OURS_GROUP, 'StatefulSet', OURS_SET, (set) => {
      delete set.metadata.annotations;
      delete set.spec.replicas;
    });
    expect(judge(MYSQL_EVEN_MEMBERS, objects, oursSet(objects))).toEqual([
      'spec.replicas: 1 member (replicas unset, the API default) of a Group Replication group (plugin_load_add=group_replication.so in ' +
        'ConfigMap orders-mysql-config key my.cnf [mysqld]): with fewer than 3 the loss of one member leaves no majority; allowed: an odd ' +
        'number, at least 3',
    ]);
  });

  test('Noncompliance 4: a consensus annotation without a quorum on a MySQL set whose configuration is not among the objects', () => {
    const objects = edited(OURS_GROUP, 'StatefulSet', OURS_SET, (set) => {
      set.metadata.annotations = { 'stability-blueprints.io/consensus': 'majority' };
      set.spec.replicas = 4;
    }).filter((object) => object.kind !== 'ConfigMap');
    expect(judge(MYSQL_EVEN_MEMBERS, objects, oursSet(objects))).toEqual([
      'spec.replicas: 4 members of a majority-voting set (stability-blueprints.io/consensus: majority): a 2-2 split leaves neither side ' +
        'a majority; allowed: an odd number, at least 3',
    ]);
  });

  test('Not applicable to asynchronous replicas (bitnami/mysql replication)', () => {
    const objects = fixture(REPLICATION);
    expect(judge(MYSQL_EVEN_MEMBERS, objects, find(objects, 'StatefulSet', 'orders-mysql-secondary'))).toEqual({
      notApplicable: 'no Galera, Group Replication or consensus annotation: asynchronous replicas do not vote',
    });
  });

  test('Not applicable when the option files turn wsrep off, whatever the image', () => {
    const objects = withCnf(GALERA, GALERA_CONFIG, (cnf) => cnf.replace('wsrep_on=ON', 'wsrep_on=OFF'));
    expect(judge(MYSQL_EVEN_MEMBERS, objects, galeraSet(objects))).toEqual({
      notApplicable: 'no Galera, Group Replication or consensus annotation: asynchronous replicas do not vote',
    });
  });

  test('Not applicable without a MySQL-family server: an exporter alone', () => {
    const exporterOnly = edited(GALERA, 'StatefulSet', GALERA_SET, (set) => set.spec.template.spec.containers.splice(0, 1));
    expect(judge(MYSQL_EVEN_MEMBERS, exporterOnly, galeraSet(exporterOnly))).toEqual({ notApplicable: 'no MySQL-family server container' });
  });
});

/**
 * An option file that exercises the reading rules, and what `mariadbd --defaults-file=<it>` of MariaDB 10.11.19 (Debian 12)
 * reported for it: @@sync_binlog 3 (the last [mysqld-10.11] line, loose_ prefix and underscores) and
 * @@innodb_flush_log_at_trx_commit 0 ([client-server]); [client] and [mysqld-8.4] are not read.
 */
const READING_RULES_CNF = `[client]
sync_binlog=7
[galera]
sync-binlog=1
[mysqld]
log-bin=mysql-bin
sync-binlog=0
loose-innodb-flush-log-at-trx-commit=2
loose-no-such-option=7
[mysqld-8.4]
sync_binlog=9
[client-server]
innodb_flush_log_at_trx_commit=0
[mysqld-10.11]
loose_sync_binlog=3
[mysqld-8.4]
sync_binlog=9
[client]
sync_binlog=7
innodb_flush_log_at_trx_commit=2
`;

describe('mysql-durability-below-data-class: a MySQL-family system of record flushes its binary log and redo log at every commit', () => {
  test.each([OURS_GALERA, OURS_GROUP])('Compliance: %s', (name) => {
    const objects = fixture(name);
    expect(judge(MYSQL_DURABILITY_BELOW_DATA_CLASS, objects, oursSet(objects))).toEqual([]);
  });

  test.each(['orders-mysql-primary', 'orders-mysql-secondary'])(
    'Compliance: bitnami/mysql %s, for which the image adds --sync-binlog=1 (and the primary --innodb_flush_log_at_trx_commit=1)',
    (set) => {
      const objects = fixture(REPLICATION);
      expect(judge(MYSQL_DURABILITY_BELOW_DATA_CLASS, objects, find(objects, 'StatefulSet', set))).toEqual([]);
    },
  );

  test('Noncompliance 1: the bitnami/mariadb-galera defaults, whose [galera] group sets the flush to 2 after [mysqld] set it to 1', () => {
    const objects = fixture(GALERA);
    expect(judge(MYSQL_DURABILITY_BELOW_DATA_CLASS, objects, galeraSet(objects))).toEqual([
      'spec.template.spec.containers[0]: sync_binlog is 0 in ConfigMap catalog-mariadb-galera-configuration key my.cnf [mysqld]: a crash ' +
        `can lose acknowledged commits from the binary log that replicas and point-in-time recovery read; allowed: 1 ${SYSTEM_OF_RECORD_BY_DEFAULT}`,
      'spec.template.spec.containers[0]: innodb_flush_log_at_trx_commit is 2 in ConfigMap catalog-mariadb-galera-configuration key my.cnf ' +
        '[galera]: InnoDB flushes its redo log about once a second, so a crash can lose the last second of acknowledged commits; allowed: ' +
        `1 or 3 ${SYSTEM_OF_RECORD_BY_DEFAULT}`,
    ]);
  });

  test('Noncompliance 2: ours with sync_binlog=0, before the include of the per-pod file no ConfigMap holds', () => {
    const objects = withCnf(OURS_GALERA, OURS_CONFIG, (cnf) => cnf.replace('sync_binlog=1', 'sync_binlog=0'));
    expect(judge(MYSQL_DURABILITY_BELOW_DATA_CLASS, objects, oursSet(objects))).toEqual([
      'spec.template.spec.containers[0]: sync_binlog is 0 in ConfigMap orders-mysql-config key my.cnf [mysqld] (!include ' +
        '/run/mysqld/pod.cnf, read after it, names a file the checked objects do not hold, which may set it again): a crash can lose ' +
        'acknowledged commits from the binary log that replicas and point-in-time recovery read; allowed: 1',
    ]);
  });

  test('Noncompliance 3: MYSQL_EXTRA_FLAGS of bitnami/mysql, which the image passes after its own --sync-binlog=1', () => {
    const objects = edited(REPLICATION, 'StatefulSet', 'orders-mysql-primary', (set) =>
      serverOf(set).env.push({ name: 'MYSQL_EXTRA_FLAGS', value: '--sync-binlog=0 --innodb_flush_log_at_trx_commit=0' }),
    );
    expect(judge(MYSQL_DURABILITY_BELOW_DATA_CLASS, objects, find(objects, 'StatefulSet', 'orders-mysql-primary'))).toEqual([
      'spec.template.spec.containers[0].env[8]: sync_binlog is 0 in the MYSQL_EXTRA_FLAGS variable: a crash can lose acknowledged commits ' +
        `from the binary log that replicas and point-in-time recovery read; allowed: 1 ${SYSTEM_OF_RECORD_BY_DEFAULT}`,
      'spec.template.spec.containers[0].env[8]: innodb_flush_log_at_trx_commit is 0 in the MYSQL_EXTRA_FLAGS variable: InnoDB flushes its ' +
        `redo log about once a second, so a crash can lose the last second of acknowledged commits; allowed: 1 ${SYSTEM_OF_RECORD_BY_DEFAULT}`,
    ]);
  });

  test('Noncompliance 4: a command-line flag wins over the option file', () => {
    const objects = handWrittenMariadb('[mysqld]\ninnodb_flush_log_at_trx_commit=1\n', { args: ['--innodb-flush-log-at-trx-commit=2'] });
    expect(judge(MYSQL_DURABILITY_BELOW_DATA_CLASS, objects, objects[1])).toEqual([
      'spec.template.spec.containers[0].args[0]: innodb_flush_log_at_trx_commit is 2 in the container args: InnoDB flushes its redo log ' +
        `about once a second, so a crash can lose the last second of acknowledged commits; allowed: 1 or 3 ${SYSTEM_OF_RECORD_BY_DEFAULT}`,
    ]);
  });

  test("Noncompliance 5: MariaDB with the binary log on and sync_binlog unset, MariaDB's default being 0", () => {
    const objects = withCnf(OURS_GALERA, OURS_CONFIG, (cnf) => cnf.replace('sync_binlog=1\n', ''));
    expect(judge(MYSQL_DURABILITY_BELOW_DATA_CLASS, objects, oursSet(objects))).toEqual([
      "spec.template.spec.containers[0]: sync_binlog is unset, so MariaDB's default 0 applies to the binary log that log_bin in ConfigMap " +
        'orders-mysql-config key my.cnf [mysqld] turns on: a crash can lose acknowledged commits from it; allowed: 1',
    ]);
  });

  test('Compliance: MySQL with sync_binlog unset (its default is 1), and MariaDB with innodb_flush_log_at_trx_commit=3', () => {
    const mysql = withCnf(OURS_GROUP, OURS_CONFIG, (cnf) => cnf.replace('sync_binlog=1\n', ''));
    const mariadb = withCnf(OURS_GALERA, OURS_CONFIG, (cnf) => cnf.replace('innodb_flush_log_at_trx_commit=1', 'innodb_flush_log_at_trx_commit=3'));
    expect(judge(MYSQL_DURABILITY_BELOW_DATA_CLASS, mysql, oursSet(mysql))).toEqual([]);
    expect(judge(MYSQL_DURABILITY_BELOW_DATA_CLASS, mariadb, oursSet(mariadb))).toEqual([]);
  });

  test('reads option files as mariadbd 10.11 does: groups, dashes, loose- and the last value', () => {
    // GIVEN the file a real mariadbd 10.11.19 read as sync_binlog 3 and innodb_flush_log_at_trx_commit 0
    const mariadb = handWrittenMariadb(READING_RULES_CNF);
    serverOf(mariadb[1]).image = 'mariadb:10.11.19';

    // WHEN the same file is read for MySQL 8.4, which reads neither [client-server], [galera] nor [mysqld-10.11]
    const mysql = handWrittenMariadb(READING_RULES_CNF);
    serverOf(mysql[1]).image = 'mysql:8.4.6';

    // THEN
    expect(judge(MYSQL_DURABILITY_BELOW_DATA_CLASS, mariadb, mariadb[1])).toEqual([
      'spec.template.spec.containers[0]: sync_binlog is 3 in ConfigMap inventory-db key galera.cnf [mysqld-10.11]: a crash can lose ' +
        `acknowledged commits from the binary log that replicas and point-in-time recovery read; allowed: 1 ${SYSTEM_OF_RECORD_BY_DEFAULT}`,
      'spec.template.spec.containers[0]: innodb_flush_log_at_trx_commit is 0 in ConfigMap inventory-db key galera.cnf [client-server]: ' +
        'InnoDB flushes its redo log about once a second, so a crash can lose the last second of acknowledged commits; allowed: 1 or 3 ' +
        SYSTEM_OF_RECORD_BY_DEFAULT,
    ]);
    expect(judge(MYSQL_DURABILITY_BELOW_DATA_CLASS, mysql, mysql[1])).toEqual([
      'spec.template.spec.containers[0]: sync_binlog is 9 in ConfigMap inventory-db key galera.cnf [mysqld-8.4]: a crash can lose ' +
        `acknowledged commits from the binary log that replicas and point-in-time recovery read; allowed: 1 ${SYSTEM_OF_RECORD_BY_DEFAULT}`,
      'spec.template.spec.containers[0]: innodb_flush_log_at_trx_commit is 2 in ConfigMap inventory-db key galera.cnf [mysqld]: InnoDB ' +
        `flushes its redo log about once a second, so a crash can lose the last second of acknowledged commits; allowed: 1 ${SYSTEM_OF_RECORD_BY_DEFAULT}`,
    ]);
  });

  test('Not applicable to a database annotated as a cache', () => {
    const objects = edited(
      GALERA,
      'StatefulSet',
      GALERA_SET,
      (set) => (set.metadata.annotations = { 'stability-blueprints.io/data-class': 'cache' }),
    );
    expect(judge(MYSQL_DURABILITY_BELOW_DATA_CLASS, objects, galeraSet(objects))).toEqual({
      notApplicable: 'annotated stability-blueprints.io/data-class: cache',
    });
  });
});

describe('mysql-bootstrap-flag-persisted: no member bootstraps a new cluster from static configuration', () => {
  test('Compliance: bitnami/mariadb-galera, whose MARIADB_GALERA_CLUSTER_ADDRESS replaces the gcomm:// of its my.cnf', () => {
    const objects = fixture(GALERA);
    expect(judge(MYSQL_BOOTSTRAP_FLAG_PERSISTED, objects, galeraSet(objects))).toEqual([]);
  });

  test.each([OURS_GALERA, OURS_GROUP])('Compliance: %s, whose start script decides', (name) => {
    const objects = fixture(name);
    expect(judge(MYSQL_BOOTSTRAP_FLAG_PERSISTED, objects, oursSet(objects))).toEqual([]);
  });

  test("Noncompliance 1: the bitnami chart's galera.bootstrap.forceBootstrap left on", () => {
    // the command the chart renders with forceBootstrap=true and bootstrapFromNode=0
    const objects = edited(GALERA, 'StatefulSet', GALERA_SET, (set) => {
      serverOf(set).command[2] =
        '# Bootstrap from the indicated node\nNODE_ID="${MY_POD_NAME#"catalog-mariadb-galera-"}"\nif [[ "$NODE_ID" -eq "0" ]]; then\n' +
        '    export MARIADB_GALERA_CLUSTER_BOOTSTRAP=yes\n    export MARIADB_GALERA_FORCE_SAFETOBOOTSTRAP=no\nelse\n' +
        '    export MARIADB_GALERA_CLUSTER_BOOTSTRAP=no\nfi\n' +
        'exec /opt/bitnami/scripts/mariadb-galera/entrypoint.sh /opt/bitnami/scripts/mariadb-galera/run.sh\n';
    });
    expect(judge(MYSQL_BOOTSTRAP_FLAG_PERSISTED, objects, galeraSet(objects))).toEqual([
      "spec.template.spec.containers[0].command[2]: the container command sets MARIADB_GALERA_CLUSTER_BOOTSTRAP=yes (the bitnami chart's " +
        'galera.bootstrap.forceBootstrap left on): every restart of the pod it picks bootstraps a new Galera cluster instead of joining ' +
        'the running one; allowed: only for one recovery, then removed',
    ]);
  });

  test('Noncompliance 2: MARIADB_GALERA_CLUSTER_BOOTSTRAP=yes in the environment of every member', () => {
    const objects = edited(GALERA, 'StatefulSet', GALERA_SET, (set) =>
      serverOf(set).env.push({ name: 'MARIADB_GALERA_CLUSTER_BOOTSTRAP', value: 'yes' }),
    );
    expect(judge(MYSQL_BOOTSTRAP_FLAG_PERSISTED, objects, galeraSet(objects))).toEqual([
      'spec.template.spec.containers[0].env[11]: MARIADB_GALERA_CLUSTER_BOOTSTRAP is "yes": each of the 3 members restarting with its ' +
        'data bootstraps a new Galera cluster instead of joining the running one; allowed: unset, or set for one recovery and then removed',
    ]);
  });

  test('Compliance: MARIADB_GALERA_CLUSTER_BOOTSTRAP from a ConfigMap key is not static, so not judged', () => {
    const objects = edited(GALERA, 'StatefulSet', GALERA_SET, (set) =>
      serverOf(set).env.push({ name: 'MARIADB_GALERA_CLUSTER_BOOTSTRAP', valueFrom: { configMapKeyRef: { name: 'recovery', key: 'bootstrap' } } }),
    );
    expect(judge(MYSQL_BOOTSTRAP_FLAG_PERSISTED, objects, galeraSet(objects))).toEqual([]);
  });

  test('Noncompliance 3: group_replication_bootstrap_group persisted in the option file, loose- prefixed as tutorials write it', () => {
    const objects = withCnf(OURS_GROUP, OURS_CONFIG, (cnf) => cnf.replace('[mysqld]\n', '[mysqld]\nloose-group_replication_bootstrap_group=ON\n'));
    expect(judge(MYSQL_BOOTSTRAP_FLAG_PERSISTED, objects, oursSet(objects))).toEqual([
      'spec.template.spec.containers[0]: group_replication_bootstrap_group is ON in ConfigMap orders-mysql-config key my.cnf [mysqld]: ' +
        'every restart of a member bootstraps a second group of the same name beside the running one; allowed: OFF, and ON only in the ' +
        'SET GLOBAL that starts a new group once',
    ]);
  });

  test('Noncompliance 4: --wsrep-new-cluster in the args of every member', () => {
    const objects = handWrittenMariadb(GALERA_CNF, { args: ['--wsrep-new-cluster'] });
    expect(judge(MYSQL_BOOTSTRAP_FLAG_PERSISTED, objects, objects[1])).toEqual([
      'spec.template.spec.containers[0].args[0]: wsrep-new-cluster in the container args: every restart of a member bootstraps a new ' +
        'Galera cluster beside the running one; allowed: only on the command line of the one start that creates the cluster',
    ]);
  });

  test('Noncompliance 5: an empty gcomm:// address in a hand-written option file', () => {
    const objects = handWrittenMariadb(GALERA_CNF.replace('gcomm://inventory-db-0.inventory-db', 'gcomm://'));
    expect(judge(MYSQL_BOOTSTRAP_FLAG_PERSISTED, objects, objects[1])).toEqual([
      'spec.template.spec.containers[0]: wsrep_cluster_address is gcomm:// (no peer) in ConfigMap inventory-db key galera.cnf [galera]: ' +
        'every restart of a member bootstraps a new Galera cluster instead of joining its peers; allowed: gcomm:// followed by the ' +
        'addresses of the members',
    ]);
  });

  test('Not applicable to a single member, which forms its own cluster by design', () => {
    const objects = handWrittenMariadb(GALERA_CNF, { replicas: 1, args: ['--wsrep-new-cluster'] });
    expect(judge(MYSQL_BOOTSTRAP_FLAG_PERSISTED, objects, objects[1])).toEqual({
      notApplicable: '1 member: a lone server forms its own cluster on every start by design',
    });
  });
});

describe('mysql-writer-service-balances-members: no Service balances MySQL connections over several members', () => {
  test('Noncompliance 1: the bitnami/mariadb-galera client Service makes every member a writer', () => {
    const objects = fixture(GALERA);
    expect(judge(MYSQL_WRITER_SERVICE_BALANCES_MEMBERS, objects, find(objects, 'Service', GALERA_SET))).toEqual([
      'spec.ports[0]: port 3306 balances connections over the 3 members of StatefulSet catalog-mariadb-galera, each of which accepts ' +
        'writes, so concurrent writes to the same rows fail certification and surface as deadlocks; allowed: a single-writer endpoint in ' +
        'front of them, or stability-blueprints.io/role: reader on a Service meant for reads',
    ]);
  });

  test('Noncompliance 2: a Service selecting the bitnami/mysql primary and its replicas by name', () => {
    const objects = fixture(REPLICATION);
    const service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'orders-db', namespace: 'shop' },
      spec: { ports: [{ port: 3306, targetPort: 3306 }], selector: { 'app.kubernetes.io/instance': 'orders', 'app.kubernetes.io/name': 'mysql' } },
    };
    expect(judge(MYSQL_WRITER_SERVICE_BALANCES_MEMBERS, [...objects, service], service)).toEqual([
      'spec.ports[0]: port 3306 balances connections over the 3 members of StatefulSets orders-mysql-primary and orders-mysql-secondary, ' +
        'of which only the primary accepts writes: the others refuse them (read_only) or, left writable, take errant transactions; ' +
        'allowed: a single-writer endpoint in front of them, or stability-blueprints.io/role: reader on a Service meant for reads',
    ]);
  });

  test('Noncompliance 3: a LoadBalancer Service added over the members of ours', () => {
    const objects = fixture(OURS_GROUP);
    const service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'orders-external', namespace: 'shop' },
      spec: {
        type: 'LoadBalancer',
        ports: [{ name: 'sql', port: 3306, targetPort: 'mysql' }],
        selector: { 'app.kubernetes.io/component': 'database' },
      },
    };
    expect(judge(MYSQL_WRITER_SERVICE_BALANCES_MEMBERS, [...objects, service], service)).toEqual([
      'spec.ports[0]: port 3306 balances connections over the 3 members of StatefulSet orders-mysql, of which only the primary accepts ' +
        'writes: the others refuse them (read_only) or, left writable, take errant transactions; allowed: a single-writer endpoint in ' +
        'front of them, or stability-blueprints.io/role: reader on a Service meant for reads',
    ]);
  });

  test('Compliance: the bitnami/mariadb-galera metrics Service reaches no MySQL port', () => {
    const objects = fixture(GALERA);
    expect(judge(MYSQL_WRITER_SERVICE_BALANCES_MEMBERS, objects, find(objects, 'Service', `${GALERA_SET}-metrics`))).toEqual([]);
  });

  test('Compliance: the bitnami/mysql primary Service reaches its single member', () => {
    const objects = fixture(REPLICATION);
    expect(judge(MYSQL_WRITER_SERVICE_BALANCES_MEMBERS, objects, find(objects, 'Service', 'orders-mysql-primary'))).toEqual([]);
  });

  test('Not applicable to the bitnami/mysql secondary Service: the image starts those pods read-only', () => {
    const objects = fixture(REPLICATION);
    expect(judge(MYSQL_WRITER_SERVICE_BALANCES_MEMBERS, objects, find(objects, 'Service', 'orders-mysql-secondary'))).toEqual({
      notApplicable: 'selects only replicas the image starts read-only (StatefulSet orders-mysql-secondary, REPLICATION_MODE slave): a read endpoint',
    });
  });

  test('Not applicable to a Service annotated as a read endpoint', () => {
    const objects = edited(GALERA, 'Service', GALERA_SET, (service) => (service.metadata.annotations = { 'stability-blueprints.io/role': 'reader' }));
    expect(judge(MYSQL_WRITER_SERVICE_BALANCES_MEMBERS, objects, find(objects, 'Service', GALERA_SET))).toEqual({
      notApplicable: 'annotated stability-blueprints.io/role: reader: a read endpoint',
    });
  });

  test('Not applicable to headless Services', () => {
    const objects = fixture(GALERA);
    expect(judge(MYSQL_WRITER_SERVICE_BALANCES_MEMBERS, objects, find(objects, 'Service', `${GALERA_SET}-headless`))).toEqual({
      notApplicable: 'a headless Service balances nothing: its clients resolve each pod',
    });
  });

  test.each<[string, string]>([
    [OURS_GALERA, 'orders-proxy'],
    [OURS_GROUP, 'orders-router'],
  ])('Not applicable to the single-writer endpoint of %s (%s), which selects the proxies', (name, endpoint) => {
    const objects = fixture(name);
    expect(judge(MYSQL_WRITER_SERVICE_BALANCES_MEMBERS, objects, find(objects, 'Service', endpoint))).toEqual({
      notApplicable: 'selects no MySQL-family StatefulSet among the checked objects',
    });
  });
});
