import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataClass } from '../../../lib/core/tier';
import { GaleraConfigInput, GaleraProxyInput, renderGaleraCnf, renderGaleraProxyConf } from '../../../lib/components/mysql/galera-config';

const CNF: GaleraConfigInput = {
  clusterName: 'orders',
  dataClass: DataClass.SYSTEM_OF_RECORD,
  mysqlPort: 3306,
  galeraPort: 4567,
  innodbBufferPoolBytes: 32 * 1024 * 1024,
  gcacheBytes: 128 * 1024 * 1024,
  binlogExpireSeconds: 604_800,
  wsrepGtidDomainId: 1,
  suspectTimeoutSeconds: 3,
  wsrepProvider: '/usr/lib/galera/libgalera_smm.so',
};

const PROXY: GaleraProxyInput = {
  statefulSet: 'orders-mysql',
  headlessService: 'orders-mysql-headless',
  namespace: 'shop',
  clusterDomain: 'cluster.local',
  members: 3,
  mysqlPort: 3306,
  agentPort: 9200,
  writerPort: 3306,
  readerPort: 3307,
  healthPort: 8404,
  metricsPort: 8405,
  maxConnections: 2000,
  checkIntervalMilliseconds: 1000,
  fall: 2,
  rise: 3,
  clientTimeoutSeconds: 3600,
};

function lines(text: string): string[] {
  return text.split('\n');
}

/** A directory for files the real binaries read; removed by the caller. */
function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'galera-config-'));
}

describe('renderGaleraCnf', () => {
  test('a system of record: Galera row replication, durable commits, binary log with GTIDs, pc.recovery', () => {
    // WHEN
    const cnf = lines(renderGaleraCnf(CNF));

    // THEN
    expect(cnf).toEqual(
      expect.arrayContaining([
        '[mysqld]',
        'port=3306',
        'skip_name_resolve=ON',
        'default_storage_engine=InnoDB',
        'innodb_buffer_pool_size=33554432',
        'innodb_autoinc_lock_mode=2',
        'binlog_format=ROW',
        'innodb_flush_log_at_trx_commit=1',
        'sync_binlog=1',
        'log_bin=binlog',
        'log_slave_updates=ON',
        'binlog_expire_logs_seconds=604800',
        'gtid_strict_mode=ON',
        'read_only=OFF',
        'wsrep_on=ON',
        'wsrep_provider=/usr/lib/galera/libgalera_smm.so',
        'wsrep_cluster_name=orders',
        'wsrep_sst_method=mariabackup',
        'wsrep_gtid_mode=ON',
        'wsrep_gtid_domain_id=1',
      ]),
    );
    const options = cnf.find((line) => line.startsWith('wsrep_provider_options='));
    expect(options).toBe(
      'wsrep_provider_options="gmcast.listen_addr=tcp://0.0.0.0:4567;gcache.size=134217728;gcache.recover=yes;pc.recovery=TRUE;pc.weight=1;' +
        'evs.keepalive_period=PT1S;evs.inactive_check_period=PT0.5S;evs.suspect_timeout=PT3S;evs.inactive_timeout=PT9S;evs.install_timeout=PT4.5S"',
    );
    // What only the pod knows is in pod.cnf, which includes this file.
    expect(cnf.filter((line) => /^(datadir|socket|server_id|wsrep_node_|wsrep_cluster_address|wsrep_sst_auth)/.test(line))).toEqual([]);
  });

  test('a cache flushes the redo log and the binary log once a second instead of at every commit', () => {
    // WHEN
    const cnf = lines(renderGaleraCnf({ ...CNF, dataClass: DataClass.CACHE }));

    // THEN
    expect(cnf).toContain('innodb_flush_log_at_trx_commit=2');
    expect(cnf).toContain('sync_binlog=0');
  });

  test('fails on a suspect timeout below a second', () => {
    expect(() => renderGaleraCnf({ ...CNF, suspectTimeoutSeconds: 0 })).toThrow('suspectTimeoutSeconds must be at least 1, got 0');
  });

  test('mariadbd 10.11 reads it through a pod.cnf that includes it, and knows every option', () => {
    // GIVEN the static file and a pod.cnf like start-galera.sh writes
    const dir = scratch();
    try {
      writeFileSync(join(dir, 'my.cnf'), renderGaleraCnf(CNF));
      writeFileSync(
        join(dir, 'pod.cnf'),
        [
          `!include ${join(dir, 'my.cnf')}`,
          '[mysqld]',
          `datadir=${join(dir, 'data')}`,
          'server_id=1001',
          'wsrep_cluster_address=gcomm://orders-mysql-0.orders-mysql-headless.shop.svc.cluster.local:4567',
          'wsrep_sst_auth="replication:pa\\"ss"',
          '',
        ].join('\n'),
      );

      // WHEN
      const printed = spawnSync('my_print_defaults', [`--defaults-file=${join(dir, 'pod.cnf')}`, 'mysqld'], { encoding: 'utf8' });
      // --help --verbose parses every option and refuses unknown ones, without starting the server.
      const checked = spawnSync('mariadbd', [`--defaults-file=${join(dir, 'pod.cnf')}`, '--help', '--verbose'], { encoding: 'utf8' });

      // THEN
      expect(printed.status).toBe(0);
      expect(printed.stdout).toContain('--wsrep_provider_options=gmcast.listen_addr=tcp://0.0.0.0:4567;gcache.size=134217728;');
      expect(printed.stdout).toContain('--wsrep_sst_auth=replication:pa"ss');
      expect(printed.stdout.indexOf('--port=3306')).toBeLessThan(printed.stdout.indexOf('--server_id=1001'));
      expect(checked.stderr).not.toMatch(/unknown (variable|option)/i);
      expect(checked.status).toBe(0);
      expect(checked.stdout).toMatch(/^innodb-autoinc-lock-mode\s+2$/m);
      expect(checked.stdout).toMatch(/^skip-name-resolve\s+TRUE$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('renderGaleraProxyConf', () => {
  test('writer: one node at a time, pod 0 first, the others backups in order, checked over HTTP on the agent', () => {
    // WHEN
    const conf = lines(renderGaleraProxyConf(PROXY));
    const writer = conf.slice(conf.indexOf('backend writer'), conf.indexOf('frontend mysql-ro'));

    // THEN
    expect(conf).toEqual(expect.arrayContaining(['frontend mysql-rw', '  bind :::3306 v4v6', '  default_backend writer']));
    expect(writer).toEqual([
      'backend writer',
      '  option httpchk',
      '  http-check send meth GET uri /writer ver HTTP/1.0',
      '  http-check expect status 200',
      '  default-server check port 9200 inter 1000 fall 2 rise 3 on-marked-down shutdown-sessions resolvers cluster init-addr last,libc,none resolve-prefer ipv4',
      '  server orders-mysql-0 orders-mysql-0.orders-mysql-headless.shop.svc.cluster.local:3306 on-marked-up shutdown-backup-sessions',
      '  server orders-mysql-1 orders-mysql-1.orders-mysql-headless.shop.svc.cluster.local:3306 backup',
      '  server orders-mysql-2 orders-mysql-2.orders-mysql-headless.shop.svc.cluster.local:3306 backup',
      '',
    ]);
  });

  test('readers: every synced node, fewest connections first; health and metrics endpoints', () => {
    // WHEN
    const conf = lines(renderGaleraProxyConf(PROXY));
    const readers = conf.slice(conf.indexOf('backend readers'), conf.indexOf('frontend health'));

    // THEN
    expect(conf).toEqual(expect.arrayContaining(['frontend mysql-ro', '  bind :::3307 v4v6', '  default_backend readers']));
    expect(readers).toContain('  balance leastconn');
    expect(readers).toContain('  http-check send meth GET uri /reader ver HTTP/1.0');
    expect(readers.filter((line) => line.startsWith('  server '))).toEqual([
      '  server orders-mysql-0 orders-mysql-0.orders-mysql-headless.shop.svc.cluster.local:3306',
      '  server orders-mysql-1 orders-mysql-1.orders-mysql-headless.shop.svc.cluster.local:3306',
      '  server orders-mysql-2 orders-mysql-2.orders-mysql-headless.shop.svc.cluster.local:3306',
    ]);
    expect(conf).toEqual(expect.arrayContaining(['  bind :::8404 v4v6', '  monitor-uri /healthz']));
    expect(conf).toEqual(expect.arrayContaining(['  bind :::8405 v4v6', '  http-request use-service prometheus-exporter if { path /metrics }']));
  });

  test('HAProxy 2.6 accepts it: haproxy -c, with names that do not resolve yet', () => {
    // GIVEN
    const dir = scratch();
    try {
      const file = join(dir, 'haproxy.cfg');
      writeFileSync(file, renderGaleraProxyConf({ ...PROXY, members: 5 }));

      // WHEN
      const checked = spawnSync('haproxy', ['-c', '-f', file], { encoding: 'utf8' });

      // THEN
      expect(checked.stdout + checked.stderr).toContain('Configuration file is valid');
      // Unresolved names only disable their servers until the resolvers find them (init-addr none).
      const warnings = checked.stderr.split('\n').filter((line) => /\[WARNING\]|\[ALERT\]/.test(line));
      expect(warnings).toHaveLength(10);
      for (const warning of warnings) {
        expect(warning).toMatch(
          /\[WARNING\].*: could not resolve address 'orders-mysql-\d\.orders-mysql-headless\.shop\.svc\.cluster\.local', disabling server\.$/,
        );
      }
      expect(checked.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
