import { Size, Testing } from 'cdk8s';
import { MysqlEngine, MysqlReplication, Tier } from '../../lib';
import { CommitLog } from '../components/mysql/harness/commit-load';
import { GaleraCluster, GaleraMember, assertGaleraAvailable } from '../components/mysql/harness/galera-cluster';
import { sleep, waitFor } from '../support/harness/wait';
import { testScenario } from '../support/scenario';
import { GaleraFaultRow, writeRow } from './report';

/**
 * MysqlReplication with the MARIADB_11_4 engine under faults, run with real Debian mariadbd 10.11 + galera-4 and
 * HAProxy processes from the manifests the construct emits (see ../components/mysql/harness/galera-cluster.ts): three
 * member pods, two proxies, and an application committing one row per transaction through the proxies' read-write
 * port. Every acknowledged commit must be on every member at the end of each scenario, and a member outside the primary
 * component must refuse every write.
 *
 * The scenarios run one after another on one cluster (a first boot costs a minute: mariabackup's SST sleeps 10 s
 * before each transfer); each starts from a settled cluster of 3 Synced members and leaves one.
 */

const SECRETS = {
  'orders-mysql-credentials': {
    'root-password': 'root+Pa55/"word\\x41=',
    'replication-password': "repl'Pa55 word",
    'monitor-password': 'monitor Pa55"word',
    'application-password': 'app-Pa55word',
  },
};
const COMMITS_PER_SECOND = 100;
const WARM_UP_MS = 3000;
const SETTLE_MS = 180_000;

function galeraObjects(): any[] {
  const scenario = testScenario({ tier: Tier.CRITICAL, monitoringLabels: { release: 'kube-prometheus-stack' } });
  new MysqlReplication(scenario, 'orders', { engine: MysqlEngine.MARIADB_11_4, memory: Size.mebibytes(512), bufferPoolSize: Size.mebibytes(128) });
  return Testing.synth(scenario);
}

/** The longest stretch without an acknowledged commit, from `from` to the end of the load. */
function longestOutageMs(log: CommitLog, from: number): number {
  const acknowledgedAt = log.commits
    .filter((commit) => commit.reply === 'OK' && commit.answeredAt >= from)
    .map((commit) => commit.answeredAt)
    .sort((a, b) => a - b);
  let longest = 0;
  let previous = from;
  for (const at of [...acknowledgedAt, log.stoppedAt]) {
    longest = Math.max(longest, at - previous);
    previous = at;
  }
  return longest;
}

function commitRate(log: CommitLog, until: number): number {
  const window = log.commits.filter((commit) => commit.reply === 'OK' && commit.answeredAt <= until);
  return window.length / Math.max(0.001, (until - log.startedAt) / 1000);
}

/** Tries `count` writes on `member` itself (as root, over its socket); resolves with how many it accepted. */
async function acceptedWrites(member: GaleraMember, table: string, count: number, firstSeq: number): Promise<number> {
  let accepted = 0;
  for (let index = 0; index < count; index++) {
    try {
      await member.sql(`INSERT INTO orders.\`${table}\` (seq, member) VALUES (${firstSeq - index}, 'outside-the-primary-component')`, 5000);
      accepted++;
    } catch {
      // refused, as it must be
    }
  }
  return accepted;
}

describe('fault scenarios: MysqlReplication, MARIADB_11_4 (Galera)', () => {
  let cluster: GaleraCluster;
  let timings: string;
  let scenarioNumber = 0;

  beforeAll(async () => {
    assertGaleraAvailable();
    const objects = galeraObjects();
    cluster = new GaleraCluster({ objects, name: 'orders', secrets: SECRETS });
    const config = cluster.manifest.configMaps['orders-mysql-config']['my.cnf'];
    const proxy = cluster.manifest.configMaps['orders-proxy-config']['haproxy.cfg'];
    timings = `${/evs\.suspect_timeout=PT(\d+)S/.exec(config)?.[1]} s / ${/inter (\d+)/.exec(proxy)?.[1]} ms x ${/fall (\d+)/.exec(proxy)?.[1]}`;
    await cluster.startAll();
    await cluster.waitSynced(cluster.members, 3, SETTLE_MS);
  }, 300_000);

  afterAll(async () => {
    await cluster?.destroy();
  }, 60_000);

  /**
   * One scenario under load: `fault` runs after the warm-up and resolves once the cluster is back to 3 Synced members;
   * it may report writes it saw accepted outside the primary component. The load stops 2 s later; every acknowledged
   * commit must then be on every member.
   */
  function scenario(
    title: string,
    fault: (table: string) => Promise<{ faultAt: number; acceptedOutsidePrimary?: number }>,
    timeoutMs = 300_000,
  ): void {
    const id = `m${++scenarioNumber}`;
    test(
      `${id}. ${title}`,
      async () => {
        const table = `load_${id}`;
        let row: GaleraFaultRow | undefined;
        let loadRunning = false;
        try {
          await cluster.waitSynced(cluster.members, 3, SETTLE_MS);
          await cluster.createLoadTable(table);
          await cluster.startLoad(cluster.loadSpec(table, { commitsPerSecond: COMMITS_PER_SECOND }));
          loadRunning = true;
          await sleep(WARM_UP_MS);
          const { faultAt, acceptedOutsidePrimary = 0 } = await fault(table);
          await cluster.waitSynced(cluster.members, 3, SETTLE_MS);
          await sleep(2000);
          const log = await cluster.stopLoad();
          loadRunning = false;
          const acknowledged = log.commits.filter((commit) => commit.reply === 'OK').map((commit) => commit.seq);
          const missing: Record<string, number[]> = {};
          for (const member of cluster.members) {
            const rows = await cluster.rowsOn(member, table);
            missing[member.name] = acknowledged.filter((seq) => !rows.has(seq));
          }
          const lost = new Set(Object.values(missing).flat());
          row = {
            component: 'mysql-replication',
            id,
            scenario: title,
            timings,
            unavailableSeconds: longestOutageMs(log, faultAt) / 1000,
            commitsPerSecond: commitRate(log, faultAt),
            acknowledged: acknowledged.length,
            acknowledgedLost: lost.size,
            unknownOutcome: log.commits.length - acknowledged.length,
            acceptedOutsidePrimary,
            passed: false,
          };
          cluster.note(`verdict: ${JSON.stringify(row)}`);
          expect(missing).toEqual(Object.fromEntries(cluster.members.map((member) => [member.name, []])));
          expect(acceptedOutsidePrimary).toBe(0);
          expect(row.commitsPerSecond).toBeGreaterThan(COMMITS_PER_SECOND / 2);
          row = { ...row, passed: true };
        } catch (error) {
          if (error instanceof Error) {
            error.message += `\n${cluster.diagnostics()}`;
          }
          throw error;
        } finally {
          if (loadRunning) {
            await cluster.stopLoad().catch(() => undefined);
          }
          if (row) {
            writeRow(row);
          }
        }
      },
      timeoutMs,
    );
  }

  scenario('kill -9 of the writer node', async () => {
    const writer = await cluster.currentWriter();
    const faultAt = Date.now();
    await cluster.crash(writer);
    await waitFor('the writer endpoint to move', async () => (await cluster.currentWriter()) !== writer, { timeoutMs: 30_000, intervalMs: 200 });
    await cluster.startMember(writer);
    return { faultAt };
  });

  scenario('one node partitioned away: the minority refuses writes, the majority keeps committing', async (table) => {
    const writer = await cluster.currentWriter();
    const isolated = cluster.members.find((member) => member !== writer)!;
    const faultAt = Date.now();
    cluster.cut(isolated);
    await waitFor('the isolated node to leave the primary component', async () => (await isolated.status('wsrep_cluster_status')) === 'non-Primary', {
      timeoutMs: 30_000,
      intervalMs: 500,
    });
    const accepted = await acceptedWrites(isolated, table, 5, -1);
    await sleep(3000);
    cluster.heal(isolated);
    return { faultAt, acceptedOutsidePrimary: accepted };
  });

  scenario('the writer partitioned away: writes move to the majority, the old writer refuses them', async (table) => {
    const writer = await cluster.currentWriter();
    const faultAt = Date.now();
    cluster.cut(writer);
    await waitFor('the writer endpoint to move', async () => (await cluster.currentWriter()) !== writer, { timeoutMs: 30_000, intervalMs: 200 });
    await waitFor('the old writer to leave the primary component', async () => (await writer.status('wsrep_cluster_status')) === 'non-Primary', {
      timeoutMs: 30_000,
      intervalMs: 500,
    });
    const accepted = await acceptedWrites(writer, table, 5, -1);
    cluster.heal(writer);
    return { faultAt, acceptedOutsidePrimary: accepted };
  });

  scenario('graceful deletion of the writer pod (preStop)', async () => {
    const writer = await cluster.currentWriter();
    const faultAt = Date.now();
    const { preStop, killed } = await cluster.terminate(writer);
    expect(preStop?.code).toBe(0);
    expect(killed).toBe(false);
    await cluster.startMember(writer);
    return { faultAt };
  });

  scenario('a node returns with an empty disk: it rejoins by SST and never bootstraps', async () => {
    const writer = await cluster.currentWriter();
    const node = cluster.members.find((member) => member !== writer)!;
    const faultAt = Date.now();
    await cluster.terminate(node);
    cluster.recreate(node, { wipeData: true });
    await cluster.startMember(node);
    await cluster.waitSynced(cluster.members, 3, SETTLE_MS);
    const log = node.database.lastStartLog();
    expect(log).not.toContain('starting mariadbd: bootstrapping');
    expect(log).toContain('this data directory is empty: a full copy (SST) follows');
    return { faultAt };
  });

  scenario(
    'rolling restart, highest ordinal first',
    async () => {
      const faultAt = Date.now();
      for (const member of [...cluster.members].reverse()) {
        await cluster.terminate(member);
        await cluster.startMember(member);
        await cluster.waitSynced(cluster.members, 3, SETTLE_MS);
      }
      return { faultAt };
    },
    600_000,
  );

  scenario('full outage (kill -9 of every node) and cold start: the same cluster forms again, exactly once', async () => {
    const uuid = await cluster.members[0].status('wsrep_cluster_state_uuid');
    const faultAt = Date.now();
    await Promise.all(cluster.members.map((member) => cluster.crash(member)));
    await sleep(2000);
    await Promise.all(cluster.members.map((member) => cluster.startMember(member)));
    await cluster.waitSynced(cluster.members, 3, SETTLE_MS);
    expect(await Promise.all(cluster.members.map((member) => member.status('wsrep_cluster_state_uuid')))).toEqual([uuid, uuid, uuid]);
    for (const member of cluster.members) {
      expect(member.database.lastStartLog()).not.toContain('starting mariadbd: bootstrapping');
    }
    return { faultAt };
  });
});
