import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Size, Testing } from 'cdk8s';
import { DataClass, MysqlEngine, MysqlReplication } from '../../../lib';
import { GaleraCluster, GaleraClusterOptions, GaleraMember, assertGaleraAvailable, withGaleraCluster } from './harness/galera-cluster';
import { readManifest } from '../../support/harness/manifest';
import { expectSuccess } from '../../support/harness/system';
import { waitFor } from '../../support/harness/wait';
import { testScenario } from '../../support/scenario';

/**
 * Runs the MARIADB_11_4 engine's pod scripts, unmodified, against real Debian mariadbd 10.11 + galera-4 26.4
 * processes, from the manifests MysqlReplication emits (harness/galera-cluster.ts): three member pods, each a
 * database container (start-galera.sh, which exec's mariadbd) and its agent sidecar (galera-agent.pl), in network,
 * PID and mount namespaces of their own. Every scenario builds its own cluster and removes it; the test talks to the
 * members over their sockets, as `kubectl exec` would (the writer endpoint is the fault suite's, test/faults/galera.test.ts).
 *
 * A node joins through mariabackup's SST script even for an IST (the donor sends a marker), one joiner per donor at a
 * time, and the script sleeps 10 s before every full transfer: a first boot (two SSTs) takes 40 s, a bootstrap and two
 * joins 30 s or more. So one first boot (in beforeAll) makes a template: the cluster, with an empty table orders.t,
 * crashed as a whole, which Galera forms again with no state transfer (pc.recovery) in about 15 s. Every scenario but
 * the first-boot one starts from a copy of its volumes. The scenarios run concurrently; GALERA_SCRIPTS_SERIAL=1 runs
 * them one after another (GALERA_HARNESS_VERBOSE=1 and GALERA_HARNESS_KEEP=1: see the harness).
 */

const scenario = process.env.GALERA_SCRIPTS_SERIAL === '1' ? test : test.concurrent;
const TEMPLATE_DIR = `/var/tmp/galera-scripts-template-${process.pid}`;
const SECRETS = {
  'orders-mysql-credentials': {
    'root-password': 'root+Pa55/"quote\\back',
    'replication-password': "repl'Pa55\\word",
    'monitor-password': 'monitor Pa55"word',
    'application-password': 'app-Pa55word',
  },
};
/** The template's volumes; built while the first-boot scenario runs, awaited by the others. */
let template: Promise<string>;

/** The pods' manifests: the defaults of a system of record, small memory, and a 3 s failure detection (evs.suspect_timeout). */
const OBJECTS = (() => {
  const shop = testScenario();
  new MysqlReplication(shop, 'orders', {
    engine: MysqlEngine.MARIADB_11_4,
    dataClass: DataClass.SYSTEM_OF_RECORD,
    memory: Size.mebibytes(512),
    bufferPoolSize: Size.mebibytes(128),
    failureDetectionMilliseconds: 3000,
  });
  return Testing.synth(shop);
})();

function withCluster(options: Partial<GaleraClusterOptions>, body: (cluster: GaleraCluster) => Promise<void>): Promise<void> {
  return withGaleraCluster({ objects: OBJECTS, name: 'orders', secrets: SECRETS, ...options }, body);
}

async function buildTemplate(): Promise<string> {
  await withCluster({}, async (cluster) => {
    await cluster.startSynced(300_000);
    await cluster.members[0].sql('CREATE TABLE orders.t (id INT PRIMARY KEY)');
    // A joiner writes the cluster's uuid to grastate.dat a moment after its SST: crashed before that, its copy would
    // look empty to start-galera.sh in every scenario (which then rightly waits for it to join by SST).
    await waitFor(
      'every member to record the cluster in grastate.dat',
      () =>
        cluster.members.every((member) => {
          const file = join(member.database.volumeDir('data'), 'grastate.dat');
          const uuid = existsSync(file) ? /^uuid:\s*(\S+)/m.exec(readFileSync(file, 'utf8'))?.[1] : undefined;
          return uuid !== undefined && !/^[0-]+$/.test(uuid);
        }),
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    await cluster.crashDatabase(...cluster.members);
    cluster.saveTemplate(TEMPLATE_DIR);
  });
  return TEMPLATE_DIR;
}

beforeAll(() => {
  assertGaleraAvailable();
  template = buildTemplate();
  // Each scenario that needs it reports the failure; the first-boot scenario does not wait for it.
  template.catch(() => undefined);
});

afterAll(async () => {
  await template.catch(() => undefined);
  rmSync(TEMPLATE_DIR, { recursive: true, force: true });
});

function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

/** The start budget every scenario from the template gives its servers (startSynced): a start is I/O bound (InnoDB recovery). */
const START_BUDGET_MS = 180_000;

/** What the deadlines below derive from, read from the manifests: my.cnf's Galera options and the pod scripts' constants. */
const TIMING = (() => {
  const configMaps = Object.values(readManifest(OBJECTS).configMaps);
  const file = (name: string) => {
    const found = configMaps.find((data) => data[name] !== undefined)?.[name];
    if (found === undefined) {
      throw new Error(`no ConfigMap holds ${name}`);
    }
    return found;
  };
  const match = (text: string, pattern: RegExp, what: string) => {
    const found = pattern.exec(text);
    if (!found) {
      throw new Error(`cannot read ${what} (${pattern})`);
    }
    return found[1];
  };
  // ISO 8601 durations of seconds, as Galera takes them: PT3S, PT0.5S.
  const evsMs = (option: string) => Number(match(file('my.cnf'), new RegExp(`evs\\.${option}=PT([\\d.]+)S`), `evs.${option} in my.cnf`)) * 1000;
  return {
    suspectMs: evsMs('suspect_timeout'),
    inactiveMs: evsMs('inactive_timeout'),
    inactiveCheckMs: evsMs('inactive_check_period'),
    // agent_get bounds each peer's answer with `timeout AGENT_TIMEOUT_SECONDS + 1`; wait_because sleeps between surveys.
    agentGetMs:
      (Number(match(file('galera-common.sh'), /AGENT_TIMEOUT_SECONDS=\$\{AGENT_TIMEOUT_SECONDS:-(\d+)\}/, 'AGENT_TIMEOUT_SECONDS')) + 1) * 1000,
    surveyPauseMs: Number(match(file('start-galera.sh'), /publish waiting\n\s*sleep (\d+)/, "wait_because's sleep")) * 1000,
  };
})();

/** Seconds between the joiner's "SST started" and "SST completed" lines of the member's current start. */
function sstSeconds(member: GaleraMember): number | undefined {
  const stamp = (what: string) => {
    const match = new RegExp(`mariabackup SST ${what} on joiner \\((\\d{4})(\\d\\d)(\\d\\d) ([\\d:.]+)\\)`).exec(member.startLog());
    return match ? Date.parse(`${match[1]}-${match[2]}-${match[3]}T${match[4]}Z`) : undefined;
  };
  const started = stamp('started');
  const completed = stamp('completed');
  return started !== undefined && completed !== undefined ? (completed - started) / 1000 : undefined;
}

async function clusterUuids(cluster: GaleraCluster): Promise<Set<string | undefined>> {
  return new Set(await Promise.all(cluster.members.map((member) => member.status('wsrep_cluster_state_uuid'))));
}

describe('MariaDB Galera pod scripts against real mariadbd and galera-4 processes', () => {
  scenario(
    'first boot: pod 0 creates the cluster once every peer answers empty, the others join by SST, one cluster of 3',
    async () => {
      await withCluster({}, async (cluster) => {
        // WHEN
        await cluster.startSynced(300_000);

        // THEN
        expect(await Promise.all(cluster.members.map((member) => member.status('wsrep_cluster_size')))).toEqual(['3', '3', '3']);
        const uuids = await clusterUuids(cluster);
        expect(uuids.size).toBe(1);
        const starts = cluster.serverStarts();
        expect(starts.filter((line) => line.includes('bootstrapping'))).toHaveLength(1);
        expect(cluster.members[0].startLog()).toContain(
          'bootstrapping the cluster from this node (the first boot: every peer answered with an empty data directory)',
        );
        for (const member of cluster.members.slice(1)) {
          expect(member.startLog()).toContain('this data directory is empty: a full copy (SST) follows');
          cluster.note(`${member.name}: SST took ${sstSeconds(member)} s`);
        }
        // The accounts exist once, everywhere, and the passwords (quotes, backslashes) work.
        for (const member of cluster.members) {
          expect(await member.sql("SELECT CONCAT(user, '@', host) FROM mysql.user WHERE user IN ('app', 'monitor', 'replication') ORDER BY 1")).toBe(
            'app@%\nmonitor@localhost\nreplication@%\nreplication@localhost',
          );
          expect(await member.state()).toEqual({
            phase: 'running',
            uuid: [...uuids][0],
            seqno: expect.stringMatching(/^\d+$/),
            safe_to_bootstrap: '0',
            empty: '0',
            server: '1',
            galera: '1',
            primary: '1',
          });
          expect(await member.agentGet('/writer')).toEqual({ code: 200, body: 'synced\n' });
          expect(await member.agentGet('/reader')).toEqual({ code: 200, body: 'synced\n' });
          for (const probe of ['startup', 'readiness', 'liveness'] as const) {
            expectSuccess(await member.database.probe(probe));
          }
        }
        // Two HAProxies and the peers check at once: the agent answers concurrent requests.
        const concurrent = await Promise.all(Array.from({ length: 12 }, () => cluster.members[1].agentGet('/writer')));
        expect(concurrent.map((answer) => answer.code)).toEqual(Array(12).fill(200));
        // The passwords are only in RUN_DIR (memory), in pod.cnf (mode 0600); the accounts file is gone.
        expect(statSync(join(cluster.members[0].database.volumeDir('run'), 'pod.cnf')).mode & 0o777).toBe(0o600);
        expect(existsSync(join(cluster.members[0].database.volumeDir('run'), 'accounts.sql'))).toBe(false);
      });
    },
    480_000,
  );

  scenario(
    'kill -9 of the writer: every acknowledged commit is on the others, and the node rejoins by IST',
    async () => {
      await withCluster({ template: await template }, async (cluster) => {
        // GIVEN
        await cluster.startSynced(180_000);
        const [writer, b, c] = cluster.members;
        await writer.insertRows(1, 300);

        expect((await writer.agentGet('/writer')).code).toBe(200);

        // WHEN
        await cluster.crashDatabase(writer);

        // THEN the crashed node's agent answers 503 to every check, and says why in its log once
        const agentLogMark = writer.agent.log().length;
        for (let check = 0; check < 5; check++) {
          expect((await writer.agentGet('/writer')).code).toBe(503);
        }
        expect(
          writer.agent
            .log()
            .slice(agentLogMark)
            .match(/galera-agent: the server does not answer: .+/g),
        ).toEqual([expect.stringContaining("Can't connect to local server through socket")]);
        expect(await b.rowIds()).toEqual(range(1, 300));
        await waitFor('the survivors to form a primary component of 2', async () => (await c.status('wsrep_cluster_size')) === '2', {
          timeoutMs: 20_000,
        });
        expect(await b.agentGet('/writer')).toEqual({ code: 200, body: 'synced\n' });
        await b.insertRows(301, 100);

        // WHEN
        const restarted = Date.now();
        await cluster.startMember(writer);
        await cluster.waitSynced(cluster.members, 3, 240_000);
        cluster.note(`the crashed writer rejoined in ${Date.now() - restarted} ms`);

        // THEN
        expect(writer.startLog()).toContain('recovered position');
        expect(writer.startLog()).toContain('joining the primary component through');
        expect(writer.startLog()).toContain("'xtrabackup_ist' received from donor: Running IST");
        expect(writer.startLog()).toMatch(/IST received: /);
        expect(writer.startLog()).not.toContain('Proceeding with SST');
        expect(await writer.rowIds()).toEqual(range(1, 400));
        expect(await writer.agentGet('/writer')).toEqual({ code: 200, body: 'synced\n' });
        expect(writer.agent.log().slice(agentLogMark)).toContain('galera-agent: the server answers\n');
      });
    },
    480_000,
  );

  scenario(
    'kill -9 of all three, then all start: Galera forms the last primary component again (pc.recovery), no bootstrap, no commit lost',
    async () => {
      await withCluster({ template: await template }, async (cluster) => {
        // GIVEN
        await cluster.startSynced(180_000);
        await cluster.members[0].insertRows(1, 200);
        const [uuid] = await clusterUuids(cluster);

        // WHEN
        await cluster.crashDatabase(...cluster.members);
        for (const member of cluster.members) {
          expect(member.dataFile('grastate.dat')).toMatch(/seqno: +-1\n/);
          expect(member.dataFile('gvwstate.dat')).toBeDefined();
        }
        const mark = cluster.mark();
        const restarted = Date.now();
        await cluster.startMembers();
        await cluster.waitSynced(cluster.members, 3, 240_000);
        cluster.note(`all three restarted and synced in ${Date.now() - restarted} ms`);

        // THEN
        expect(await clusterUuids(cluster)).toEqual(new Set([uuid]));
        const restarts = cluster.serverStarts(mark);
        expect(restarts).toHaveLength(3);
        for (const line of restarts) {
          expect(line).toContain('the primary component crashed as a whole (gvwstate.dat)');
        }
        for (const member of cluster.members) {
          expect(await member.rowIds()).toEqual(range(1, 200));
        }
      });
    },
    480_000,
  );

  scenario(
    'kill -9 of all three with one lost for good: the others wait, never bootstrap by themselves; the runbook bootstraps one',
    async () => {
      await withCluster({ template: await template }, async (cluster) => {
        // GIVEN
        await cluster.startSynced(180_000);
        const [a, b, c] = cluster.members;
        await a.insertRows(1, 100);
        await cluster.crashDatabase(a, b, c);
        // Pod 2 is gone (its node lost): its agent too.
        await c.agent.kill();

        // WHEN
        const mark = cluster.mark();
        await cluster.startMembers([a, b]);

        // THEN they wait in the start script, where no probe kills them. First each recovers its position from InnoDB
        // (mariadbd --wsrep-recover): I/O bound, given the start budget. Until both have, a sees b as absent too (b
        // publishes no state while it recovers) and says so. From then on the script decides within two surveys (the
        // one under way may still have seen b recovering), each a bounded agent_get per peer and wait_because's pause;
        // the allowance is for the script's own forks (sed, perl, date: about 25 per survey) on a loaded machine.
        const started = Date.now();
        await waitFor(
          'pods 0 and 1 to recover their positions',
          () => [a, b].every((member) => /recovered position|could not recover/.test(member.startLog())),
          {
            timeoutMs: START_BUDGET_MS,
            intervalMs: 250,
          },
        );
        const recoveredMs = Date.now() - started;
        for (const member of [a, b]) {
          expect(member.startLog()).toContain('recovered position');
        }
        const surveyMs = (cluster.members.length - 1) * TIMING.agentGetMs + TIMING.surveyPauseMs;
        const scriptAllowanceMs = 10_000;
        await waitFor('pods 0 and 1 to wait', () => [a, b].every((member) => member.startLog().includes(`and ${c.fqdn} does not take part`)), {
          timeoutMs: 2 * surveyMs + scriptAllowanceMs,
          intervalMs: 250,
        });
        cluster.note(`pods 0 and 1 recovered their positions in ${recoveredMs} ms, and waited ${Date.now() - started} ms after their start`);
        for (const probe of ['startup', 'liveness'] as const) {
          expectSuccess(await b.database.probe(probe));
        }
        const refused = await a.exec(['sh', '/scripts/reboot-cluster-galera.sh', 'bootstrap'], 20_000);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain(
          `refused: the position of ${c.fqdn} is not known; if they are gone for good, run again with --accept-unreachable`,
        );
        expect(cluster.serverStarts(mark)).toEqual([]);

        // WHEN the operator accepts that pod 2 is gone
        expectSuccess(await a.exec(['sh', '/scripts/reboot-cluster-galera.sh', 'bootstrap', '--accept-unreachable'], 20_000));
        await cluster.waitSynced([a, b], 2, 240_000);

        // THEN pod 0 bootstrapped on the approval, pod 1 joined it, nothing is lost
        expect(a.startLog()).toMatch(/bootstrapping the cluster from this node \(approved by sh \S+reboot-cluster-galera.sh at /);
        expect(b.startLog()).toContain('joining the primary component through');
        expect(await b.rowIds()).toEqual(range(1, 100));

        // WHEN pod 2 comes back after all, THEN it joins the cluster
        await cluster.startMember(c);
        await cluster.waitSynced(cluster.members, 3, 240_000);
        expect(c.startLog()).toContain('joining the primary component through');
        expect(cluster.serverStarts(mark).filter((line) => line.includes('bootstrapping'))).toHaveLength(1);
        expect(await c.rowIds()).toEqual(range(1, 100));
      });
    },
    480_000,
  );

  scenario(
    'a node cut off from the others leaves the primary component within seconds: its agent answers 503, the others keep writing',
    async () => {
      await withCluster({ template: await template }, async (cluster) => {
        // GIVEN
        await cluster.startSynced(180_000);
        const [a, b, c] = cluster.members;

        // WHEN
        const logMark = c.database.log().length;
        const cut = Date.now();
        cluster.cut(c);

        // THEN pod 2's server leaves the primary component (wsrep_ready OFF: it refuses every query) as fast as its
        // configuration says. The instant is when the server logs its status change, read from its log file, which costs
        // nothing: not when a check through the agent (an exec into the pod, a mariadb client, each one a second or more
        // on a loaded machine) happens to see it. A peer is suspected after evs.suspect_timeout and dropped at once
        // when nothing says the others still hear it (the usual path); evs.inactive_timeout is Galera's hard limit, when
        // a join message from a peer still pending makes the node wait for them. Both are checked every
        // evs.inactive_check_period. The allowance is for the gcomm thread and the server's view callback running late
        // on two cores shared with the other scenarios' servers.
        const leftLog = /WSREP: Non-primary view\n[\s\S]*?WSREP: Server status change synced -> connected/;
        const schedulingAllowanceMs = 3000;
        const limitMs = TIMING.inactiveMs + TIMING.inactiveCheckMs + schedulingAllowanceMs;
        await waitFor('pod 2 to leave the primary component', () => leftLog.test(c.database.log().slice(logMark)), {
          timeoutMs: limitMs + 20_000,
          intervalMs: 50,
        });
        const leftMs = Date.now() - cut;
        const path = /suspected node without join message|detected inactive node/.exec(c.database.log().slice(logMark))?.[0] ?? 'no suspicion logged';
        cluster.note(
          `pod 2 left the primary component ${leftMs} ms after the cut (${path}; evs.suspect_timeout ${TIMING.suspectMs} ms, evs.inactive_timeout ${TIMING.inactiveMs} ms)`,
        );
        expect(leftMs).toBeLessThanOrEqual(limitMs);
        // Its agent answers from a query of the server at each check, never from an earlier one: 503 from the first check.
        const writer = await c.agentGet('/writer');
        cluster.note(`pod 2's agent answered ${writer.code} to /writer ${Date.now() - cut} ms after the cut`);
        expect(writer.code).toBe(503);
        expect(writer.body).toMatch(/^not (synced|ready|in the primary component)/);
        await expect(c.sql('SELECT COUNT(*) FROM orders.t')).rejects.toThrow(/WSREP has not yet prepared node for application use/);
        await waitFor('pods 0 and 1 to form a primary component of 2', async () => (await a.wsrepView()) === '4 Primary 2', { timeoutMs: 30_000 });
        await b.insertRows(1, 50);

        // WHEN the link is back, THEN pod 2 catches up
        cluster.heal(c);
        await cluster.waitSynced(cluster.members, 3, 120_000);
        expect(await c.rowIds()).toEqual(range(1, 50));
      });
    },
    480_000,
  );

  scenario(
    'graceful stop of all, one at a time, then all start: only the last to stop (safe_to_bootstrap) bootstraps; the writer drains first',
    async () => {
      await withCluster({ template: await template }, async (cluster) => {
        // GIVEN
        await cluster.startSynced(180_000);
        const [a, b, c] = cluster.members;
        await c.insertRows(1, 100);

        // WHEN pods 2, 0, 1 stop in turn, writes going on meanwhile
        expect((await cluster.terminate(c)).killed).toBe(false);
        expect(c.database.log()).toContain('draining: /writer and /reader answer 503');
        await a.insertRows(101, 50);
        await cluster.terminate(a);
        await b.insertRows(151, 50);
        await cluster.terminate(b);

        // THEN
        expect(a.dataFile('grastate.dat')).toContain('safe_to_bootstrap: 0');
        expect(b.dataFile('grastate.dat')).toContain('safe_to_bootstrap: 1');
        expect(c.dataFile('grastate.dat')).toContain('safe_to_bootstrap: 0');

        // WHEN
        const mark = cluster.mark();
        const started = Date.now();
        await cluster.startMembers();
        await cluster.waitSynced(cluster.members, 3, 240_000);
        cluster.note(`restarted after a graceful stop of all in ${Date.now() - started} ms`);

        // THEN
        const restarts = cluster.serverStarts(mark);
        expect(restarts.filter((line) => line.includes('bootstrapping'))).toHaveLength(1);
        expect(b.startLog()).toContain('bootstrapping the cluster from this node (safe_to_bootstrap: 1');
        expect(a.startLog()).toContain('joining the primary component through');
        expect(c.startLog()).toContain('joining the primary component through');
        for (const member of cluster.members) {
          expect(await member.rowIds()).toEqual(range(1, 200));
        }
      });
    },
    480_000,
  );

  scenario(
    'a node whose data directory is lost rejoins by SST (mariabackup) and never bootstraps',
    async () => {
      await withCluster({ template: await template }, async (cluster) => {
        // GIVEN
        await cluster.startSynced(180_000);
        const [a, b] = cluster.members;
        await a.insertRows(1, 100);

        // WHEN
        await cluster.crashDatabase(b);
        b.database.wipeVolume('data');
        const restarted = Date.now();
        await cluster.startMember(b);
        await cluster.waitSynced(cluster.members, 3, 240_000);
        cluster.note(`the emptied node synced in ${Date.now() - restarted} ms, SST ${sstSeconds(b)} s`);

        // THEN
        expect(b.startLog()).toContain('this data directory is empty: a full copy (SST) follows');
        expect(b.startLog()).not.toContain('bootstrapping');
        expect(b.startLog()).toContain('Proceeding with SST');
        expect(sstSeconds(b)).toBeDefined();
        expect(await b.rowIds()).toEqual(range(1, 100));
      });
    },
    480_000,
  );

  scenario(
    'pod 0 with an empty data directory while its peers are down waits, creates no cluster, and joins by SST; the runbook bootstraps the most advanced peer',
    async () => {
      await withCluster({ template: await template }, async (cluster) => {
        // GIVEN every node stopped gracefully, pod 0 last; then pod 0's volume is lost
        await cluster.startSynced(180_000);
        const [a, b, c] = cluster.members;
        await a.insertRows(1, 100);
        await cluster.terminate(b);
        await a.insertRows(101, 50);
        await cluster.terminate(c);
        await cluster.terminate(a);
        a.database.wipeVolume('data');

        // WHEN pod 0 starts alone
        const mark = cluster.mark();
        await cluster.startMember(a);
        await waitFor('pod 0 to wait', () => a.startLog().includes('waiting: this data directory is empty'), { timeoutMs: 20_000 });

        // THEN it waits and never creates a cluster
        expect((await a.state()).phase).toBe('waiting');
        expect(a.startLog()).not.toContain('starting mariadbd');

        // WHEN the peers start: neither may bootstrap by itself (no safe_to_bootstrap, no gvwstate.dat)
        await cluster.startMembers([b, c]);
        await waitFor(
          'the peers to wait',
          () => c.startLog().includes('no node may bootstrap by itself') && b.startLog().includes(`no primary component; ${c.fqdn} (`),
          { timeoutMs: 60_000 },
        );
        const report = expectSuccess(await b.exec(['sh', '/scripts/reboot-cluster-galera.sh', 'report'], 20_000));
        cluster.note(`runbook report on ${b.name}:\n${report}`);
        expect(report).toContain(`${c.fqdn} phase=waiting`);
        expect(report).toContain(`${a.fqdn} phase=waiting position=:-1 safe_to_bootstrap=0 primary=0 empty=1`);

        // THEN the runbook refuses the less advanced peer
        const refused = await b.exec(['sh', '/scripts/reboot-cluster-galera.sh', 'bootstrap'], 20_000);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain(`refused: ${c.fqdn} is ahead`);

        // WHEN it is run on the most advanced one
        const approved = await c.exec(['sh', '/scripts/reboot-cluster-galera.sh', 'bootstrap'], 20_000);
        expectSuccess(approved);
        await cluster.waitSynced(cluster.members, 3, 240_000);

        // THEN only that one bootstrapped (every peer answers: the safe_to_bootstrap the runbook set is enough, without
        // its approval), pod 0 joined by SST, and nothing is lost
        const starts = cluster.serverStarts(mark);
        expect(starts.filter((line) => line.includes('bootstrapping'))).toEqual([
          expect.stringContaining('bootstrapping the cluster from this node (safe_to_bootstrap: 1 at'),
        ]);
        expect(c.startLog()).toContain('bootstrapping the cluster from this node');
        expect(a.startLog()).toContain('a full copy (SST) follows');
        for (const member of cluster.members) {
          expect(await member.rowIds()).toEqual(range(1, 150));
        }
      });
    },
    480_000,
  );
});
