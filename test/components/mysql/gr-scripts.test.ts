import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Member } from './gr-standin/world';
import { Case, GROUP_NAME, HANDOVER_TIMEOUT_SECONDS, PASSWORDS, addr, bundleStandin, groupGtids, host, readText, uuid } from './gr-standin/harness';

/**
 * Runs the MYSQL_8_4 pod scripts (lib/components/mysql/scripts/*.sh), unmodified, under sh, with PATH pointing first at
 * stand-ins for mysqlsh, mysql, mysqld and mysqlrouter (test/components/mysql/gr-standin/). The stand-ins
 * replay the outputs MySQL Shell 8.4, the MySQL 8.4 server and MySQL Router document (each one cites its source in
 * standin.ts) against a scripted world, and record every call. This proves the scripts' decisions (what they call,
 * when, on which member, and what they refuse) against replayed outputs, not MySQL itself: no registry reachable here
 * ships MySQL 8.4, MySQL Shell or MySQL Router.
 */

let bundle: string;
const cases: Case[] = [];

beforeAll(() => {
  bundle = bundleStandin();
});

afterAll(() => {
  for (const c of cases) c.remove();
  rmSync(dirname(bundle), { recursive: true, force: true });
});

function newCase(members: Array<Partial<Member>>): Case {
  const c = new Case(bundle, members);
  cases.push(c);
  return c;
}

/** A healthy cluster: pod 0 primary, pods 1 and 2 secondaries, every member holding `transactions`. */
function healthy(transactions = 20): Array<Partial<Member>> {
  return [0, 1, 2].map((ordinal) => ({
    gtidExecuted: groupGtids(transactions),
    metadata: true,
    state: 'ONLINE' as const,
    role: ordinal === 0 ? ('PRIMARY' as const) : ('SECONDARY' as const),
    inView: true,
    accounts: ['router'],
  }));
}

function registered(c: Case, ordinals = [0, 1, 2]): void {
  c.update((world) => {
    world.metadataMembers = ordinals.map(addr);
  });
}

/** Across every case: no password on any command line, and nothing sets group_replication_bootstrap_group. */
afterEach(() => {
  for (const c of cases) {
    for (const call of c.world.calls) {
      for (const password of Object.values(PASSWORDS)) {
        expect(call.argv.join(' ')).not.toContain(password);
      }
      expect(call.detail).not.toMatch(/group_replication_bootstrap_group/i);
    }
  }
});

describe('start-mysql.sh', () => {
  test('writes pod.cnf, initializes an empty data directory once with the accounts unlogged, and execs mysqld', () => {
    // GIVEN a new volume (with lost+found, as a fresh filesystem has)
    const c = newCase([{ up: false }, { up: false }, { up: false }]);
    mkdirSync(join(c.dataDir(1), 'lost+found'));

    // WHEN pod 1 starts
    const first = c.run(1, 'start-mysql.sh');

    // THEN pod.cnf holds what only pod 1 knows
    expect(first.status).toBe(0);
    expect(readText(join(c.runDir(1), 'pod.cnf'))).toBe(
      [
        '# Written by start-mysql.sh for orders-mysql-1; read through the !include at the end of /config/my.cnf.',
        '[mysqld]',
        'server_id=1002',
        `report_host=${host(1)}`,
        'report_port=3306',
        'admin_address=192.0.2.11',
        `group_replication_local_address=${addr(1)}`,
        `group_replication_group_seeds=${addr(0)},${addr(2)}`,
        '',
      ].join('\n'),
    );
    // AND the data directory was initialized, the accounts created with sql_log_bin=0, passwords quoted
    expect(c.calls('initialize')).toHaveLength(1);
    const init = c.world.initFiles['orders-mysql-1'];
    expect(init.split('\n')[0]).toBe('SET SESSION sql_log_bin = 0;');
    expect(init).toContain("ALTER USER 'root'@'localhost' IDENTIFIED BY 'r00t\\'pa\\\\ss';");
    expect(init).toContain("CREATE USER 'replication'@'%' IDENTIFIED BY 'adm\\'in\\\\pw';");
    expect(init).toContain("GRANT ALL PRIVILEGES ON *.* TO 'replication'@'%' WITH GRANT OPTION;");
    expect(init).toContain("CREATE USER 'monitor'@'%' IDENTIFIED BY 'mon!tor pw' WITH MAX_USER_CONNECTIONS 10;");
    expect(init).toContain("GRANT SELECT ON performance_schema.* TO 'monitor'@'%';");
    expect(init).toContain('CREATE DATABASE `orders`;');
    expect(init).toContain("GRANT ALL PRIVILEGES ON `orders`.* TO 'app'@'%';");
    expect(readdirSync(c.dataDir(1)).sort()).toEqual(['auto.cnf', 'binlog.000001', 'binlog.index', 'lost+found', 'mysql']);
    // AND the init file (passwords) is gone, and mysqld was exec'd with my.cnf
    expect(existsSync(join(c.runDir(1), 'init.sql'))).toBe(false);
    expect(c.calls('start')).toEqual([{ from: '1', to: '1', op: 'start', detail: '/config/my.cnf' }]);

    // WHEN it starts again on the same volume
    c.run(1, 'start-mysql.sh');
    // THEN it does not initialize again
    expect(c.calls('initialize')).toHaveLength(1);
    expect(c.calls('start')).toHaveLength(2);
  });

  test('refuses to start a server whose mysqld-auto.cnf persists group_replication_bootstrap_group', () => {
    // GIVEN a data directory where someone ran SET PERSIST group_replication_bootstrap_group=ON
    const c = newCase([{}, {}, {}]);
    mkdirSync(join(c.dataDir(0), 'mysql'));
    writeFileSync(
      join(c.dataDir(0), 'mysqld-auto.cnf'),
      '{"Version": 2, "mysql_dynamic_parse_early_variables": {}, "mysql_dynamic_variables": {"group_replication_bootstrap_group": {"Value": "ON"}}}',
    );
    // WHEN pod 0 starts
    const result = c.run(0, 'start-mysql.sh');
    // THEN mysqld is not started
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('persists group_replication_bootstrap_group');
    expect(c.calls('start')).toEqual([]);
  });
});

describe('gr-agent.sh: the first member', () => {
  test('only pod 0 creates the cluster, only once every member answers empty, then creates the router account once', () => {
    // GIVEN three freshly initialized members, pod 2 not up yet
    const c = newCase([{}, {}, { up: false }]);

    // WHEN the agents of pods 1 and 0 run a pass
    const pod1 = c.run(1, 'gr-agent.sh', ['--once']);
    const pod0Early = c.run(0, 'gr-agent.sh', ['--once']);

    // THEN nobody creates: pod 1 is not pod 0, and pod 0 cannot see pod 2
    expect(pod1.status).toBe(1);
    expect(pod1.stderr).toContain('waiting for pod 0 to create cluster orders');
    expect(pod0Early.status).toBe(1);
    expect(pod0Early.stderr).toContain('only 1 of the 2 other members answer');
    expect(c.calls('dba.createCluster')).toEqual([]);

    // WHEN pod 2 is up and pod 0 runs again
    c.update((world) => {
      world.members[2].up = true;
    });
    const pod0 = c.run(0, 'gr-agent.sh', ['--once']);

    // THEN pod 0 created the cluster, with the MYSQL stack, the group name from the config and manualStartOnBoot
    expect(pod0.status).toBe(0);
    expect(c.calls('dba.createCluster')).toEqual([
      {
        from: '0',
        to: '0',
        op: 'dba.createCluster',
        detail: JSON.stringify({
          name: 'orders',
          options: { communicationStack: 'MYSQL', groupName: GROUP_NAME, localAddress: addr(0), paxosSingleLeader: true, manualStartOnBoot: true },
        }),
      },
    ]);
    expect(c.calls('dba.configureInstance').map((call) => call.to)).toEqual(['0']);

    // WHEN pod 0's agent runs twice more (it is ONLINE and PRIMARY)
    expect(c.run(0, 'gr-agent.sh', ['--once']).status).toBe(0);
    expect(c.run(0, 'gr-agent.sh', ['--once']).status).toBe(0);
    // THEN the router account was created once, on the primary
    expect(c.calls('cluster.setupRouterAccount')).toEqual([{ from: '0', to: '0', op: 'cluster.setupRouterAccount', detail: 'router@%' }]);

    // WHEN the joiners run (the joiner case)
    expect(c.run(1, 'gr-agent.sh', ['--once']).status).toBe(0);
    expect(c.run(2, 'gr-agent.sh', ['--once']).status).toBe(0);
    // THEN each was added through pod 0 by clone, and the cluster was never created again
    expect(c.calls('cluster.addInstance')).toEqual(
      [1, 2].map((ordinal) => ({
        from: String(ordinal),
        to: '0',
        op: 'cluster.addInstance',
        detail: JSON.stringify({ addr: addr(ordinal), options: { recoveryMethod: 'clone', localAddress: addr(ordinal), recoveryProgress: 1 } }),
      })),
    );
    expect(c.calls('dba.createCluster')).toHaveLength(1);
    expect(c.world.members.map((m) => `${m.state} ${m.role}`)).toEqual(['ONLINE PRIMARY', 'ONLINE SECONDARY', 'ONLINE SECONDARY']);
    // AND the client option files holding passwords are private to the pod user
    for (const file of readdirSync(c.runDir(0)).filter((name) => name.endsWith('.cnf') && name.startsWith('client-'))) {
      expect(c.fileMode(join(c.runDir(0), file))).toBe(0o600);
    }
  });

  test('pod 0 with a lost volume joins the running cluster by clone instead of creating one', () => {
    // GIVEN pods 1 and 2 ONLINE with the data, pod 0 freshly initialized (empty) and not in the group
    const members = healthy();
    members[0] = {};
    members[1].role = 'PRIMARY';
    const c = newCase(members);
    registered(c, [1, 2]);

    // WHEN pod 0's agent runs
    const result = c.run(0, 'gr-agent.sh', ['--once']);

    // THEN it was added by clone through pod 1, and nothing was created
    expect(result.status).toBe(0);
    expect(c.calls('cluster.addInstance').map((call) => [call.from, call.to])).toEqual([['0', '1']]);
    expect(c.calls('dba.createCluster')).toEqual([]);
    expect(c.world.members[0].gtidExecuted).toBe(groupGtids(20));
  });

  test('pod 0 with a lost volume never creates while the members holding the data are down or outside the group', () => {
    // GIVEN pod 0 empty; pods 1 and 2 hold the data but Group Replication is stopped on both (a complete outage)
    const c = newCase([{}, { gtidExecuted: groupGtids(20), metadata: true }, { gtidExecuted: groupGtids(18), metadata: true }]);
    registered(c);

    // WHEN pod 0's agent runs, with both peers up, then with both down
    const outage = c.run(0, 'gr-agent.sh', ['--once']);
    c.update((world) => {
      world.members[1].up = false;
      world.members[2].up = false;
    });
    const unseen = c.run(0, 'gr-agent.sh', ['--once']);

    // THEN it never creates a cluster
    expect(outage.stderr).toContain(`members hold data ( ${host(1)} ${host(2)} ): a complete outage`);
    expect(outage.stderr).toContain('the runbook is reboot-cluster-mysql.sh');
    expect(unseen.stderr).toContain('only 0 of the 2 other members answer');
    expect(c.calls('dba.createCluster')).toEqual([]);
  });
});

describe('gr-agent.sh: a member outside the group', () => {
  test('a MISSING member with its data rejoins incrementally', () => {
    // GIVEN pod 1 restarted: it holds the data, Group Replication stopped (start_on_boot OFF), (MISSING) to the group
    const members = healthy();
    Object.assign(members[1], { state: 'OFFLINE', role: '', inView: false, gtidExecuted: groupGtids(15) });
    const c = newCase(members);
    registered(c);

    // WHEN its agent runs
    const result = c.run(1, 'gr-agent.sh', ['--once']);

    // THEN it rejoined through pod 0, without being removed or cloned
    expect(result.status).toBe(0);
    expect(c.calls('cluster.rejoinInstance')).toEqual([{ from: '1', to: '0', op: 'cluster.rejoinInstance', detail: addr(1) }]);
    expect(c.calls('cluster.removeInstance')).toEqual([]);
    expect(c.calls('cluster.addInstance')).toEqual([]);
    expect(c.world.members[1].state).toBe('ONLINE');
  });

  test.each([
    ['lacks transactions every member purged', { gtidExecuted: groupGtids(3) }, 'is missing transactions that were purged from all cluster members'],
    ['lost its volume (empty GTID set)', { gtidExecuted: '', metadata: false }, 'has not been pre-provisioned (GTID set is empty)'],
  ])('a MISSING member that %s is removed with force and added again by clone', (_name, self, note) => {
    // GIVEN the group purged its first 10 transactions, and pod 2 is (MISSING)
    const members = healthy().map((m) => ({ ...m, gtidPurged: groupGtids(10) }));
    Object.assign(members[2], { state: 'OFFLINE', role: '', inView: false, gtidPurged: '' }, self);
    const c = newCase(members);
    registered(c);

    // WHEN its agent runs
    const result = c.run(2, 'gr-agent.sh', ['--once']);

    // THEN the refused rejoin was followed by removeInstance({force: true}) and addInstance by clone
    expect(result.status).toBe(0);
    expect(result.stderr).toContain(note);
    expect(c.calls().filter((call) => call.op.startsWith('cluster.') && call.op !== 'cluster.status')).toEqual([
      { from: '2', to: '0', op: 'cluster.rejoinInstance', detail: addr(2) },
      { from: '2', to: '0', op: 'cluster.removeInstance', detail: JSON.stringify({ addr: addr(2), options: { force: true } }) },
      {
        from: '2',
        to: '0',
        op: 'cluster.addInstance',
        detail: JSON.stringify({ addr: addr(2), options: { recoveryMethod: 'clone', localAddress: addr(2), recoveryProgress: 1 } }),
      },
    ]);
    expect(c.world.members[2].gtidExecuted).toBe(groupGtids(20));
  });

  test('without quorum it waits, names the runbook, and changes nothing', () => {
    // GIVEN pod 0 ONLINE in a view with pod 2, which crashed (UNREACHABLE); pod 1 restarted, outside the group
    const members = healthy();
    Object.assign(members[1], { state: 'OFFLINE', role: '', inView: false });
    Object.assign(members[2], { up: false });
    const c = newCase(members);
    registered(c);

    // WHEN pod 1's agent runs
    const result = c.run(1, 'gr-agent.sh', ['--once']);

    // THEN it does not try to rejoin a group that cannot admit it
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`cluster orders has no quorum (as seen from ${host(0)})`);
    expect(result.stderr).toContain('reboot-cluster-mysql.sh');
    expect(c.calls().filter((call) => /^(cluster\.(add|rejoin|remove)|dba\.(create|reboot))/.test(call.op))).toEqual([]);
  });

  test('in a complete outage no agent creates or reboots anything', () => {
    // GIVEN every member up, holding data, Group Replication stopped everywhere
    const c = newCase([0, 1, 2].map((ordinal) => ({ gtidExecuted: groupGtids(20 + ordinal), metadata: true })));
    registered(c);

    // WHEN every agent runs
    const results = [0, 1, 2].map((ordinal) => c.run(ordinal, 'gr-agent.sh', ['--once']));

    // THEN each logs the runbook and waits
    for (const result of results) {
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('a complete outage. This agent never reboots the cluster; the runbook is reboot-cluster-mysql.sh');
    }
    expect(c.calls().filter((call) => /^(cluster\.(add|rejoin|remove)|dba\.(create|reboot))/.test(call.op))).toEqual([]);
  });

  test('with $DATA_DIR/sleep-forever the agent stands aside', () => {
    const c = newCase([{}, {}, {}]);
    writeFileSync(join(c.dataDir(0), 'sleep-forever'), '');
    const result = c.run(0, 'gr-agent.sh', ['--once']);
    expect(result.stderr).toContain('manual recovery, the agent stands aside');
    expect(c.world.calls).toEqual([]);
  });
});

describe('reboot-cluster-mysql.sh', () => {
  /** A complete outage: pod 1 holds the most transactions, the others a subset. */
  function outage(): Case {
    const c = newCase(
      [{ gtidExecuted: groupGtids(30) }, { gtidExecuted: groupGtids(42) }, { gtidExecuted: groupGtids(41) }].map((m) => ({ ...m, metadata: true })),
    );
    registered(c);
    return c;
  }

  test('reboots on the most advanced member only, when every member answers', () => {
    const c = outage();
    const result = c.run(0, 'reboot-cluster-mysql.sh');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('The Cluster was successfully rebooted.');
    expect(c.calls('dba.rebootClusterFromCompleteOutage')).toEqual([
      { from: '0', to: '1', op: 'dba.rebootClusterFromCompleteOutage', detail: JSON.stringify({ name: 'orders', options: { primary: addr(1) } }) },
    ]);
    // GTID_SUBSET was checked on the candidate for each other member
    expect(
      c
        .calls('sql')
        .filter((call) => call.detail.startsWith('SELECT GTID_SUBSET'))
        .map((call) => call.to),
    ).toEqual(['1', '1']);
    expect(c.world.members.map((m) => m.role)).toEqual(['SECONDARY', 'PRIMARY', 'SECONDARY']);
  });

  test('refuses while a member does not answer, and reboots with force from the listed members', () => {
    const c = outage();
    c.update((world) => {
      world.members[1].up = false;
    });
    const refused = c.run(0, 'reboot-cluster-mysql.sh');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('refused: members 1 do not answer');
    expect(c.calls('dba.rebootClusterFromCompleteOutage')).toEqual([]);

    const stale = c.run(0, 'reboot-cluster-mysql.sh', ['--force-partial', '0']);
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain('refused: member 2 answers but is not in --force-partial 0,');

    const partial = c.run(0, 'reboot-cluster-mysql.sh', ['--force-partial', '0,2']);
    expect(partial.status).toBe(0);
    expect(c.calls('dba.rebootClusterFromCompleteOutage')).toEqual([
      {
        from: '0',
        to: '2',
        op: 'dba.rebootClusterFromCompleteOutage',
        detail: JSON.stringify({ name: 'orders', options: { primary: addr(2), force: true } }),
      },
    ]);
  });

  test('refuses diverged GTID sets and a cluster that is ONLINE', () => {
    const diverged = outage();
    diverged.update((world) => {
      world.members[0].gtidExecuted = `${groupGtids(30)},11111111-1111-1111-1111-111111111111:1-2`;
    });
    const refused = diverged.run(2, 'reboot-cluster-mysql.sh');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('member 0 (' + host(0) + ', 32 transactions) has transactions that member 1 may lack');
    expect(diverged.calls('dba.rebootClusterFromCompleteOutage')).toEqual([]);

    const online = newCase(healthy());
    registered(online);
    const notOutage = online.run(0, 'reboot-cluster-mysql.sh');
    expect(notOutage.status).toBe(1);
    expect(notOutage.stderr).toContain('refused: member 0 is ONLINE, so this is no complete outage');
  });

  test('--dry-run passes dryRun to AdminAPI', () => {
    const c = outage();
    expect(c.run(0, 'reboot-cluster-mysql.sh', ['--dry-run']).status).toBe(0);
    expect(c.calls('dba.rebootClusterFromCompleteOutage')[0].detail).toBe(
      JSON.stringify({ name: 'orders', options: { primary: addr(1), dryRun: true } }),
    );
    expect(c.world.members.every((m) => m.state === 'OFFLINE')).toBe(true);
  });
});

describe('probe-mysql.sh', () => {
  test('readiness needs ONLINE with a majority; liveness only a server that answers', () => {
    const c = newCase(healthy());
    expect(c.run(1, 'probe-mysql.sh', ['readiness']).status).toBe(0);
    expect(c.run(1, 'probe-mysql.sh', ['startup']).status).toBe(0);

    // a minority: pods 0 and 2 unreachable in pod 1's view
    c.update((world) => {
      world.members[0].up = false;
      world.members[2].up = false;
    });
    const minority = c.run(1, 'probe-mysql.sh', ['readiness']);
    expect(minority.status).toBe(1);
    expect(minority.stdout).toContain('ONLINE, but only 1 of the 3 members of the group are: no majority');
    expect(c.run(1, 'probe-mysql.sh', ['liveness']).status).toBe(0);

    // recovering, and outside the group: not ready, alive
    c.update((world) => {
      Object.assign(world.members[1], { state: 'RECOVERING' });
    });
    expect(c.run(1, 'probe-mysql.sh', ['readiness']).stdout).toContain('member state RECOVERING');
    c.update((world) => {
      Object.assign(world.members[1], { state: 'OFFLINE', role: '', inView: false });
    });
    expect(c.run(1, 'probe-mysql.sh', ['readiness']).status).toBe(1);
    expect(c.run(1, 'probe-mysql.sh', ['liveness']).status).toBe(0);

    // mysqld down: not alive, unless the escape hatch is there
    c.update((world) => {
      world.members[1].up = false;
    });
    expect(c.run(1, 'probe-mysql.sh', ['liveness']).status).toBe(1);
    writeFileSync(join(c.dataDir(1), 'sleep-forever'), '');
    for (const probe of ['startup', 'liveness', 'readiness']) {
      expect(c.run(1, 'probe-mysql.sh', [probe]).status).toBe(0);
    }
  });
});

describe('prestop-mysql.sh', () => {
  test('the primary hands over to the secondary that applied the most, then leaves the group and shuts down', () => {
    // GIVEN pod 2 has applied more than pod 1 (pod 1 has the shorter queue, which only breaks ties)
    const members = healthy(50);
    Object.assign(members[1], { gtidExecuted: groupGtids(47), applierQueue: 0 });
    Object.assign(members[2], { gtidExecuted: groupGtids(49), applierQueue: 3 });
    const c = newCase(members);

    const result = c.run(0, 'prestop-mysql.sh');

    expect(result.status).toBe(0);
    expect(result.stderr).toContain(`Primary server switched to: ${uuid(2)}: handed over to ${host(2)}`);
    expect(
      c
        .calls('sql')
        .filter((call) => call.to === '0' && /set_as_primary|GROUP_REPLICATION|SHUTDOWN/.test(call.detail))
        .map((call) => call.detail),
    ).toEqual([`SELECT group_replication_set_as_primary('${uuid(2)}', ${HANDOVER_TIMEOUT_SECONDS})`, 'STOP GROUP_REPLICATION', 'SHUTDOWN']);
    expect(c.world.members.map((m) => `${m.up} ${m.state} ${m.role}`)).toEqual(['false OFFLINE ', 'true ONLINE SECONDARY', 'true ONLINE PRIMARY']);
  });

  test('between equally advanced secondaries the shorter applier queue wins', () => {
    const members = healthy(50);
    Object.assign(members[1], { applierQueue: 4 });
    Object.assign(members[2], { applierQueue: 1 });
    const c = newCase(members);
    c.run(0, 'prestop-mysql.sh');
    expect(c.world.members[2].role).toBe('PRIMARY');
  });

  test('a secondary only leaves the group and shuts down', () => {
    const c = newCase(healthy());
    expect(c.run(1, 'prestop-mysql.sh').status).toBe(0);
    expect(
      c
        .calls('sql')
        .filter((call) => call.to === '1' && !call.detail.startsWith('SELECT'))
        .map((call) => call.detail),
    ).toEqual(['STOP GROUP_REPLICATION', 'SHUTDOWN']);
    expect(c.world.members[0].role).toBe('PRIMARY');
  });
});

describe('start-router.sh', () => {
  test('retries while the cluster has no quorum, then bootstraps with the router account and execs mysqlrouter', async () => {
    // GIVEN pod 0 ONLINE in a view where pods 1 and 2 are unreachable: no quorum
    const members = healthy();
    members[1].up = false;
    members[2].up = false;
    const c = newCase(members);
    registered(c);
    const routerDir = join(c.dir, 'tmp', 'mysqlrouter');

    // WHEN the router starts, and quorum returns once it has failed a few bootstraps
    const running = c.start(0, 'start-router.sh', { ROUTER_DIR: routerDir, ROUTER_RETRY_SECONDS: '0' });
    const deadline = Date.now() + 20_000;
    while (c.calls('bootstrap').length < 4 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    c.update((world) => {
      world.members[1].up = true;
      world.members[2].up = true;
    });
    const result = await running;

    // THEN it logged the refusals, bootstrapped once quorum was back, and exec'd mysqlrouter on its configuration
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('not in a InnoDB cluster group with quorum');
    expect(result.stderr).toContain('no member of cluster orders could serve a bootstrap');
    const bootstraps = c.world.calls.filter((call) => call.op === 'bootstrap');
    const last = bootstraps.at(-1)!;
    expect(last.argv).toEqual([
      '--bootstrap',
      `router@${last.host}:3306`,
      '--directory',
      routerDir,
      '--force',
      '--account',
      'router',
      '--account-create',
      'never',
      '--conf-bind-address',
      '0.0.0.0',
    ]);
    expect(c.calls('run')).toEqual([{ from: '0', to: '', op: 'run', detail: join(routerDir, 'mysqlrouter.conf') }]);
    expect(readText(join(routerDir, 'mysqlrouter.conf'))).toMatch(/^logging_folder=$/m);
  }, 30_000);
});
