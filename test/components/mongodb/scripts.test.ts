import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataClass, Tier } from '../../../lib';
import { memberHost, Model, ModelMember, MongoPod, MongoWorld, NAMESPACE, PASSWORDS, SET, synthesizeMongo } from './harness';
import { findObject } from '../../support/scenario';

/**
 * The pod scripts of MongoReplicaSet (the bootstrap agent, the start, probe, preStop and keyFile scripts), run
 * unmodified from the library with the environment and files the synthesized StatefulSets give each pod. No MongoDB
 * can be installed on these machines (no registry here ships a server or mongosh), so `mongosh` and `mongod` are a
 * stand-in (standin/mongo-tools.cjs) that runs the scripts' JavaScript over a model of the replica set and answers
 * each command with the reply or error MongoDB 8.0 documents for that state (standin/README.md). What this proves:
 * every decision the scripts take on those replies. What it does not: that a real mongod replies exactly so, or
 * elects, syncs and replicates as the model assumes.
 */

const objects = synthesizeMongo({ hiddenMembers: 1, hiddenMemberDelaySeconds: 3600 });
const VOTERS = [0, 1, 2].map((ordinal) => memberHost('mongod', ordinal));
const HIDDEN = memberHost('mongod-hidden', 0);
const ALL = [...VOTERS, HIDDEN];
const USERS = [
  { user: 'root', db: 'admin', pwd: PASSWORDS['root-password'], roles: [] },
  { user: 'cluster-monitor', db: 'admin', pwd: PASSWORDS['monitor-password'], roles: [] },
  { user: 'app', db: 'admin', pwd: PASSWORDS['application-password'], roles: [] },
];

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((cleanup) => cleanup()));

function newDir(): string {
  return mkdtempSync(join(tmpdir(), 'mongo-world-'));
}

/** Every member up, with an empty volume and no configuration: the first start of the set. */
function freshWorld(hosts = ALL): MongoWorld {
  return new MongoWorld(newDir(), {
    port: 27017,
    members: hosts.map((host) => ({ host, up: true, setId: null, config: null, state: 'STARTUP' })),
    sets: {},
    cut: [],
  });
}

function memberEntry(host: string, id: number, overrides: Record<string, unknown> = {}) {
  return {
    _id: id,
    host,
    arbiterOnly: false,
    buildIndexes: true,
    hidden: false,
    priority: 1,
    tags: {},
    secondaryDelaySecs: 0,
    votes: 1,
    ...overrides,
  };
}

/** A set that has run for a while: every voter in the configuration, `primary` the primary, users and write concern set. */
function establishedWorld(primary = 0, hosts = VOTERS): MongoWorld {
  const config = {
    _id: SET,
    version: 7,
    term: 3,
    protocolVersion: 1,
    writeConcernMajorityJournalDefault: true,
    members: hosts.map((host, id) => memberEntry(host, id)),
    settings: { chainingAllowed: true, heartbeatIntervalMillis: 2000, electionTimeoutMillis: 10000, replicaSetId: 'set-1' },
  };
  return new MongoWorld(newDir(), {
    port: 27017,
    members: hosts.map((host, index) => ({
      host,
      up: true,
      setId: 'set-1',
      config: structuredClone(config),
      state: index === primary ? 'PRIMARY' : 'SECONDARY',
    })),
    sets: { 'set-1': { users: structuredClone(USERS), defaultWriteConcern: { w: 'majority', wtimeout: 0 } } },
    cut: [],
  });
}

function pod(world: MongoWorld, component: string, ordinal: number, container = 'rs-agent', from = objects): MongoPod {
  const created = new MongoPod(from, world, component, ordinal, container);
  cleanups.push(() => created.destroy());
  return created;
}

/** Empties a member's volume: the pod comes back on a new one (a lost node or a deleted claim). */
function loseVolume(model: Model, host: string): void {
  const member = model.members.find((candidate) => candidate.host === host) as ModelMember;
  member.setId = null;
  member.config = null;
  member.state = 'STARTUP';
}

function entryOf(member: ModelMember, host: string) {
  return member.config.members.find((entry: any) => entry.host === host);
}

describe('rs-agent.js: a new set', () => {
  test('GIVEN every member answers without a configuration WHEN pod 0 passes THEN it initiates the set with itself alone, by its DNS name', async () => {
    // GIVEN
    const world = freshWorld();

    // WHEN
    const result = await pod(world, 'mongod', 0).agentPass();

    // THEN
    expect(result.status).toBe(1);
    const [initiate] = world.changes();
    expect(initiate.command).toBe('replSetInitiate');
    expect(initiate.detail.replSetInitiate).toEqual({
      _id: SET,
      members: [{ _id: 0, host: VOTERS[0], priority: 1, votes: 1 }],
      settings: { electionTimeoutMillis: 10000, heartbeatIntervalMillis: 2000, chainingAllowed: true },
    });
    expect(world.changes()).toHaveLength(1);
    expect(world.member(`${SET}-mongod-0`).state).toBe('PRIMARY');
    expect(result.stdout).toContain(
      `every member answers and none has a configuration: initiated ${SET} with ${VOTERS[0]}; the others join through it`,
    );
  });

  test('GIVEN no member has a configuration WHEN pod 1 or the hidden member passes THEN it waits for pod 0 and initiates nothing (sclorg/mongodb-container#304, CloudPirates-io/helm-charts#1105)', async () => {
    // GIVEN
    const world = freshWorld();

    // WHEN
    const second = await pod(world, 'mongod', 1).agentPass();
    const hidden = await pod(world, 'mongod-hidden', 0).agentPass();

    // THEN
    expect([second.status, hidden.status]).toEqual([1, 1]);
    expect(world.changes()).toEqual([]);
    expect(second.stdout).toContain(`no member has a configuration: waiting for ${SET}-mongod-0 to initiate ${SET}`);
  });

  test('GIVEN a member does not answer WHEN pod 0 passes on a fresh set THEN it waits for every member before initiating', async () => {
    // GIVEN
    const world = freshWorld();
    world.update((model) => (model.members[2].up = false));

    // WHEN
    const result = await pod(world, 'mongod', 0).agentPass();

    // THEN
    expect(result.status).toBe(1);
    expect(world.changes()).toEqual([]);
    expect(result.stdout).toContain(`but ${VOTERS[2]} do not answer: waiting for every member before initiating ${SET}`);
  });

  test('GIVEN pod 0 is cut off from its peers by a network policy WHEN it passes THEN it waits and never initiates (helm/charts#19179)', async () => {
    // GIVEN
    const world = freshWorld();
    world.update((model) => model.cut.push([`${SET}-mongod-0`, '*']));

    // WHEN
    const result = await pod(world, 'mongod', 0).agentPass();

    // THEN
    expect(result.status).toBe(1);
    expect(world.changes()).toEqual([]);
    expect(result.stdout).toContain(`${VOTERS[1]}, ${VOTERS[2]}, ${HIDDEN} do not answer: waiting for every member before initiating`);
  });

  test('GIVEN a member answers with another replica set WHEN pod 0 passes THEN it refuses to join or initiate', async () => {
    // GIVEN
    const world = freshWorld();
    world.update((model) => {
      model.members[1].config = { _id: 'inventory', version: 3, members: [memberEntry(VOTERS[1], 0)] };
      model.members[1].setId = 'other';
      model.members[1].state = 'PRIMARY';
      model.sets.other = { users: [] };
    });

    // WHEN
    const result = await pod(world, 'mongod', 0).agentPass();

    // THEN
    expect(world.changes()).toEqual([]);
    expect(result.stdout).toContain(`${VOTERS[1]} belongs to inventory, not ${SET}: refusing to join or initiate`);
  });

  test('GIVEN pod 0 initiated the set WHEN it passes as the primary THEN it creates root through the localhost exception, then the other users and the majority write concern, once', async () => {
    // GIVEN
    const world = freshWorld();
    const first = pod(world, 'mongod', 0);
    await first.agentPass();

    // WHEN
    const duties = await first.agentPass();
    const again = await first.agentPass();

    // THEN
    expect([duties.status, again.status]).toEqual([0, 0]);
    const [, ...changes] = world.changes();
    expect(changes.map((call) => [call.command, call.detail.createUser ?? call.detail.defaultWriteConcern])).toEqual([
      ['createUser', 'root'],
      ['createUser', 'cluster-monitor'],
      ['createUser', 'app'],
      ['setDefaultRWConcern', { w: 'majority' }],
      // The second agent process finds everything in place: root exists (the exception is closed), users and concern too.
      ['createUser', 'root'],
    ]);
    const users = world.read().sets['set-1'].users;
    expect(users.map((user) => [user.user, user.roles])).toEqual([
      ['root', [{ role: 'root', db: 'admin' }]],
      [
        'cluster-monitor',
        [
          { role: 'clusterMonitor', db: 'admin' },
          { role: 'read', db: 'local' },
        ],
      ],
      ['app', [{ role: 'readWrite', db: 'catalog' }]],
    ]);
    expect(users[0].pwd).toBe(PASSWORDS['root-password']);
    expect(world.read().sets['set-1'].defaultWriteConcern).toEqual({ w: 'majority', wtimeout: 0 });
  });

  test('GIVEN the set is initiated WHEN pod 1 passes THEN it joins through the primary without a vote, and gets its vote once SECONDARY', async () => {
    // GIVEN
    const world = freshWorld();
    const first = pod(world, 'mongod', 0);
    await first.agentPass();
    await first.agentPass();
    const second = pod(world, 'mongod', 1);

    // WHEN
    const joining = await second.agentPass();
    const syncing = await second.agentPass();
    world.update((model) => (model.members[1].state = 'SECONDARY'));
    const promoted = await second.agentPass();
    const settled = await second.agentPass();

    // THEN
    expect([joining.status, syncing.status, promoted.status, settled.status]).toEqual([1, 1, 1, 0]);
    const reconfigs = world.changes().filter((call) => call.command === 'replSetReconfig');
    expect(reconfigs.map((call) => call.detail.replSetReconfig.members.find((entry: any) => entry.host === VOTERS[1]))).toEqual([
      { _id: 1, host: VOTERS[1], priority: 0, votes: 0 },
      memberEntry(VOTERS[1], 1),
    ]);
    expect(reconfigs.map((call) => [call.host, call.detail.replSetReconfig.version])).toEqual([
      [VOTERS[0], 2],
      [VOTERS[0], 3],
    ]);
    expect(joining.stdout).toContain(`adding ${VOTERS[1]} to ${SET} through the primary ${VOTERS[0]}, without a vote until it has caught up`);
    expect(syncing.stdout).toContain(`${VOTERS[1]} is neither PRIMARY nor SECONDARY (initial sync or recovery): waiting`);
    expect(promoted.stdout).toContain(`${VOTERS[1]} is a SECONDARY: granting its vote and priority through the primary ${VOTERS[0]}`);
  });

  test('GIVEN the set is initiated WHEN the hidden member joins THEN it is hidden and delayed, and never gets a vote', async () => {
    // GIVEN
    const world = freshWorld();
    const first = pod(world, 'mongod', 0);
    await first.agentPass();
    await first.agentPass();
    const hidden = pod(world, 'mongod-hidden', 0);

    // WHEN
    await hidden.agentPass();
    world.update((model) => (model.members[3].state = 'SECONDARY'));
    const settled = await hidden.agentPass();

    // THEN
    expect(settled.status).toBe(0);
    const reconfigs = world.changes().filter((call) => call.command === 'replSetReconfig');
    expect(reconfigs).toHaveLength(1);
    expect(entryOf(world.member(`${SET}-mongod-0`), HIDDEN)).toEqual(
      memberEntry(HIDDEN, 8, { hidden: true, priority: 0, votes: 0, secondaryDelaySecs: 3600 }),
    );
  });

  test.each([1, 2, 3])(
    'GIVEN a fresh set WHEN the agents pass in random order (seed %i) THEN one set forms with every voter voting, every change through its primary and at most one voter per reconfig',
    async (seed) => {
      // GIVEN
      const world = freshWorld();
      world.update((model) => (model.initialSync = 'instant'));
      const pods = [pod(world, 'mongod', 0), pod(world, 'mongod', 1), pod(world, 'mongod', 2), pod(world, 'mongod-hidden', 0)];
      let state = seed;
      const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;

      // WHEN
      const settled = new Set<MongoPod>();
      for (let step = 0; step < 60 && settled.size < pods.length; step++) {
        const next = pods[Math.floor(random() * pods.length)];
        if ((await next.agentPass()).status === 0) settled.add(next);
        else settled.delete(next);
      }

      // THEN
      const model = world.read();
      expect(Object.keys(model.sets)).toEqual(['set-1']);
      expect(model.members.map((member) => member.setId)).toEqual(['set-1', 'set-1', 'set-1', 'set-1']);
      expect(world.changes().filter((call) => call.command === 'replSetInitiate')).toHaveLength(1);
      const primary = model.members.find((member) => member.state === 'PRIMARY') as ModelMember;
      expect(primary.config.members.map((entry: any) => [entry.host, entry.votes, entry.priority])).toEqual(
        expect.arrayContaining([
          [VOTERS[0], 1, 1],
          [VOTERS[1], 1, 1],
          [VOTERS[2], 1, 1],
          [HIDDEN, 0, 0],
        ]),
      );
      expect(model.members.map((member) => member.config.version)).toEqual(Array(4).fill(primary.config.version));
    },
  );
});

describe('rs-agent.js and start-mongod.sh: a member whose volume was lost', () => {
  test('GIVEN pod 0 with an empty volume while the others hold the set WHEN it starts THEN its vote is taken away before mongod starts, it never initiates, and it gets the vote back once SECONDARY (bitnami/charts#5752, #6741)', async () => {
    // GIVEN
    const world = establishedWorld(1);
    world.update((model) => loseVolume(model, VOTERS[0]));
    const mongod = pod(world, 'mongod', 0, 'mongod');
    const agent = pod(world, 'mongod', 0);

    // WHEN
    const start = await mongod.run('start-mongod.sh');
    const syncing = await agent.agentPass();
    world.update((model) => {
      model.members[0].setId = 'set-1';
      model.members[0].state = 'SECONDARY';
    });
    const caughtUp = await agent.agentPass();
    const settled = await agent.agentPass();

    // THEN
    expect(start.status).toBe(0);
    expect(start.stderr).toContain(`${mongod.dataDir} holds no data: checking with the replica set before mongod starts`);
    expect(start.stdout).toContain(
      `${SET} lists ${VOTERS[0]} as a voter but this member has no data: taking its vote away (through the primary ${VOTERS[1]}) until its initial sync is done`,
    );
    const calls = world.read().calls;
    const demotion = calls.findIndex((call) => call.command === 'replSetReconfig');
    const started = calls.findIndex((call) => call.tool === 'mongod');
    expect(demotion).toBeGreaterThanOrEqual(0);
    expect(started).toBeGreaterThan(demotion);
    expect(calls[started].detail.argv).toEqual(['--config', join(mongod.configDir, 'mongod.conf')]);
    expect(world.changes().some((call) => call.command === 'replSetInitiate')).toBe(false);
    expect(syncing.status).toBe(1);
    expect(caughtUp.stdout).toContain(`${VOTERS[0]} is a SECONDARY: granting its vote and priority`);
    expect(settled.status).toBe(0);
    const reconfigs = world.changes().filter((call) => call.command === 'replSetReconfig');
    expect(reconfigs.map((call) => entryOf({ config: call.detail.replSetReconfig } as ModelMember, VOTERS[0]))).toEqual([
      memberEntry(VOTERS[0], 0, { votes: 0, priority: 0 }),
      memberEntry(VOTERS[0], 0),
    ]);
    expect(Object.keys(world.read().sets)).toEqual(['set-1']);
  });

  test('GIVEN pod 0 lost its volume and mongod started before the demotion WHEN its agent passes THEN the agent takes the vote away', async () => {
    // GIVEN
    const world = establishedWorld(2);
    world.update((model) => loseVolume(model, VOTERS[0]));

    // WHEN
    const result = await pod(world, 'mongod', 0).agentPass();

    // THEN
    expect(result.status).toBe(1);
    expect(world.changes().map((call) => call.command)).toEqual(['replSetReconfig']);
    expect(entryOf(world.member(`${SET}-mongod-2`), VOTERS[0])).toMatchObject({ votes: 0, priority: 0 });
  });

  test('GIVEN pod 0 lost its volume while the set elects a new primary WHEN it starts THEN it waits for the primary and never initiates (helm/charts#4933)', async () => {
    // GIVEN
    const world = establishedWorld(0);
    world.update((model) => {
      loseVolume(model, VOTERS[0]);
      model.members[1].state = 'SECONDARY';
      model.members[2].state = 'SECONDARY';
    });
    const mongod = pod(world, 'mongod', 0, 'mongod');

    // WHEN
    const starting = mongod.run('start-mongod.sh', [], { PRE_START_RETRY_SECONDS: '1' });
    await new Promise((done) => setTimeout(done, 2500));
    const beforeElection = world.read().calls.filter((call) => call.tool === 'mongod');
    world.update((model) => (model.members[2].state = 'PRIMARY'));
    const start = await starting;

    // THEN
    expect(beforeElection).toEqual([]);
    expect(start.stdout).toContain(`${SET} exists (${VOTERS[1]}, ${VOTERS[2]}) but has no primary now: waiting for one; never initiating`);
    expect(world.changes().map((call) => [call.command, call.host])).toEqual([['replSetReconfig', VOTERS[2]]]);
    expect(world.read().calls.some((call) => call.tool === 'mongod')).toBe(true);
  });

  test('GIVEN an empty volume and no member answers WHEN mongod starts THEN it starts without asking anyone to change anything (a new set: the agent decides)', async () => {
    // GIVEN
    const world = freshWorld();
    world.update((model) => model.members.forEach((member) => (member.up = false)));

    // WHEN
    const start = await pod(world, 'mongod', 0, 'mongod').run('start-mongod.sh');

    // THEN
    expect(start.status).toBe(0);
    expect(world.changes()).toEqual([]);
    expect(world.read().calls.filter((call) => call.tool === 'mongod')).toHaveLength(1);
  });

  test('GIVEN a volume with data WHEN mongod starts THEN it execs mongod at once, asking no member anything', async () => {
    // GIVEN
    const world = establishedWorld(1);
    const mongod = pod(world, 'mongod', 0, 'mongod');
    writeFileSync(join(mongod.dataDir, 'WiredTiger'), 'WiredTiger\nWiredTiger 11.3.1\n');

    // WHEN
    const start = await mongod.run('start-mongod.sh');

    // THEN
    expect(start.status).toBe(0);
    expect(world.read().calls.map((call) => [call.tool, call.command])).toEqual([['mongod', 'start']]);
  });

  test('GIVEN a member the set removed (REMOVED, its data kept) WHEN its agent passes THEN it joins again through the primary without a vote', async () => {
    // GIVEN
    const world = establishedWorld(0);
    world.update((model) => {
      model.members[0].config.members = model.members[0].config.members.filter((entry: any) => entry.host !== VOTERS[2]);
      model.members[0].config.version = 8;
      model.members[1].config = structuredClone(model.members[0].config);
      model.members[2].state = 'REMOVED';
    });

    // WHEN
    const result = await pod(world, 'mongod', 2).agentPass();

    // THEN
    expect(result.stdout).toContain(`adding ${VOTERS[2]} to ${SET} through the primary ${VOTERS[0]}, without a vote until it has caught up`);
    expect(entryOf(world.member(`${SET}-mongod-0`), VOTERS[2])).toEqual({ ...memberEntry(VOTERS[2], 2), priority: 0, votes: 0 });
  });
});

describe('rs-agent.js: a set that grows', () => {
  test('GIVEN a set of 3 WHEN members becomes 5 THEN the new members join without a vote and become voters one reconfig at a time', async () => {
    // GIVEN
    const five = synthesizeMongo({ members: 5 });
    const world = establishedWorld(0);
    world.update((model) => {
      model.initialSync = 'instant';
      for (const ordinal of [3, 4])
        model.members.push({ host: memberHost('mongod', ordinal), up: true, setId: null, config: null, state: 'STARTUP' });
    });
    const newcomers = [pod(world, 'mongod', 3, 'rs-agent', five), pod(world, 'mongod', 4, 'rs-agent', five)];

    // WHEN
    for (let round = 0; round < 3; round++) {
      for (const newcomer of newcomers) await newcomer.agentPass();
    }

    // THEN
    const reconfigs = world.changes().filter((call) => call.command === 'replSetReconfig');
    const voters = reconfigs.map((call) => call.detail.replSetReconfig.members.filter((entry: any) => entry.votes > 0).length);
    expect(voters).toEqual([3, 3, 4, 5]);
    expect(world.member(`${SET}-mongod-0`).config.members.map((entry: any) => [entry._id, entry.votes, entry.priority])).toEqual([
      [0, 1, 1],
      [1, 1, 1],
      [2, 1, 1],
      [3, 1, 1],
      [4, 1, 1],
    ]);
  });
});

describe('rs-agent.js: a running set', () => {
  test('GIVEN a member restarted on its volume WHEN its agent passes THEN it changes nothing', async () => {
    // GIVEN
    const world = establishedWorld(0);

    // WHEN
    const results = await Promise.all([pod(world, 'mongod', 0).agentPass(), pod(world, 'mongod', 1).agentPass()]);

    // THEN
    expect(results.map((result) => result.status)).toEqual([0, 0]);
    expect(world.changes().filter((call) => call.command !== 'createUser')).toEqual([]);
  });

  test('GIVEN a member does not answer WHEN the primary and the others pass THEN nobody removes it from the set (cravall/mongo-k8s-sidecar#66, bitnami/charts#3073)', async () => {
    // GIVEN
    const world = establishedWorld(0);
    world.update((model) => (model.members[2].up = false));

    // WHEN
    await pod(world, 'mongod', 0).agentPass();
    await pod(world, 'mongod', 1).agentPass();

    // THEN
    expect(world.changes().filter((call) => call.command === 'replSetReconfig')).toEqual([]);
    expect(world.member(`${SET}-mongod-0`).config.members.map((entry: any) => entry.host)).toEqual(VOTERS);
  });

  test('GIVEN the volume holds another replica set WHEN the agent passes THEN it does nothing', async () => {
    // GIVEN
    const world = establishedWorld(0);
    world.update((model) => (model.members[1].config._id = 'inventory'));

    // WHEN
    const result = await pod(world, 'mongod', 1).agentPass();

    // THEN
    expect(result.status).toBe(1);
    expect(world.changes()).toEqual([]);
    expect(result.stdout).toContain(`this volume holds the replica set inventory, not ${SET}: the agent does nothing`);
  });

  test('GIVEN a secondary without a vote and no primary WHEN its agent passes THEN it waits', async () => {
    // GIVEN
    const world = establishedWorld(0);
    world.update((model) => {
      for (const member of model.members) entryOf(member, VOTERS[1]).votes = 0;
      for (const member of model.members) entryOf(member, VOTERS[1]).priority = 0;
      model.members[0].state = 'SECONDARY';
    });

    // WHEN
    const result = await pod(world, 'mongod', 1).agentPass();

    // THEN
    expect(result.status).toBe(1);
    expect(world.changes()).toEqual([]);
    expect(result.stdout).toContain(`${VOTERS[1]} is a SECONDARY without a vote and the set has no primary: waiting for one to grant the vote`);
  });

  test('GIVEN a wrong root password in the Secret WHEN a member must join THEN the agent reports the refused authentication and changes nothing', async () => {
    // GIVEN
    const world = establishedWorld(0);
    world.update((model) => loseVolume(model, VOTERS[1]));
    const agent = pod(world, 'mongod', 1);

    // WHEN
    const result = await agent.run('rs-agent.sh', ['once'], { MONGODB_ROOT_PASSWORD: 'stale' });

    // THEN
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(`rs-agent ${SET}-mongod-1: AuthenticationFailed: Authentication failed.`);
    expect(world.changes()).toEqual([]);
  });
});

describe('rs-agent.js: an arbiter set (PSA, a cache)', () => {
  const psa = synthesizeMongo(
    { allowArbiter: true, arbiterReason: 'a rebuildable cache: two data members are enough', dataClass: DataClass.CACHE },
    { tier: Tier.HIGH },
  );

  test('GIVEN the primary has not set the default write concern yet WHEN the arbiter passes THEN MongoDB refuses it; once set, it joins as the arbiter (a vote, no data, priority 0)', async () => {
    // GIVEN
    const hosts = [memberHost('mongod', 0), memberHost('mongod', 1), memberHost('arbiter', 0)];
    const world = freshWorld(hosts);
    const first = pod(world, 'mongod', 0, 'rs-agent', psa);
    await first.agentPass();
    const arbiter = pod(world, 'arbiter', 0, 'rs-agent', psa);
    world.update((model) => model.sets['set-1'].users.push(USERS[0]));

    // WHEN
    const refused = await arbiter.agentPass();
    await first.agentPass();
    await arbiter.agentPass();
    const settled = await arbiter.agentPass();

    // THEN
    expect(refused.stdout).toContain(
      'NewReplicaSetConfigurationIncompatible: Reconfig attempted to install a config that would change the implicit default write concern',
    );
    expect(settled.status).toBe(0);
    expect(entryOf(world.member(`${SET}-mongod-0`), hosts[2])).toEqual(memberEntry(hosts[2], 7, { arbiterOnly: true, priority: 0 }));
    expect(world.member(`${SET}-arbiter-0`).state).toBe('ARBITER');
  });
});

describe('rs-agent.js and start-mongod.sh: an arbiter that restarts', () => {
  test('GIVEN the arbiter restarts on its empty volume while pod 1 is the primary WHEN it starts THEN mongod starts with no change to the set and it is the arbiter again (bitnami/charts#9238)', async () => {
    // GIVEN
    const psa = synthesizeMongo(
      { allowArbiter: true, arbiterReason: 'a rebuildable cache: two data members are enough', dataClass: DataClass.CACHE },
      { tier: Tier.HIGH },
    );
    const hosts = [memberHost('mongod', 0), memberHost('mongod', 1), memberHost('arbiter', 0)];
    const world = establishedWorld(1, hosts);
    world.update((model) => {
      for (const member of model.members) Object.assign(entryOf(member, hosts[2]), { arbiterOnly: true, priority: 0 });
      loseVolume(model, hosts[2]);
    });

    // WHEN
    const start = await pod(world, 'arbiter', 0, 'mongod', psa).run('start-mongod.sh');
    world.update((model) => {
      model.members[2].config = structuredClone(model.members[1].config);
      model.members[2].state = 'ARBITER';
    });
    const pass = await pod(world, 'arbiter', 0, 'rs-agent', psa).agentPass();

    // THEN
    expect(start.status).toBe(0);
    expect(pass.status).toBe(0);
    expect(world.changes()).toEqual([]);
  });
});

describe('probe-mongod.sh', () => {
  test.each([
    ['PRIMARY', 0, 'PRIMARY'],
    ['SECONDARY', 0, 'SECONDARY'],
    ['STARTUP2', 1, 'not PRIMARY, SECONDARY or ARBITER: initial sync or recovery'],
    ['RECOVERING', 1, 'not PRIMARY, SECONDARY or ARBITER: initial sync or recovery'],
  ] as const)('GIVEN a member in %s WHEN readiness runs THEN it exits %i', async (state, status, output) => {
    // GIVEN
    const world = establishedWorld(0);
    world.update((model) => {
      model.members[0].state = 'SECONDARY';
      model.members[1].state = state;
    });

    // WHEN
    const result = await pod(world, 'mongod', 1, 'mongod').run('probe-mongod.sh', ['readiness']);

    // THEN
    expect(result.status).toBe(status);
    expect(result.stdout.trim()).toBe(output);
  });

  test('GIVEN a member without a configuration WHEN readiness runs THEN it is not ready, and asks only its own mongod (mongodb/mongodb-kubernetes-operator#953, #1241)', async () => {
    // GIVEN
    const world = freshWorld();

    // WHEN
    const result = await pod(world, 'mongod', 2, 'mongod').run('probe-mongod.sh', ['readiness']);

    // THEN
    expect(result.status).toBe(1);
    expect(result.stdout.trim()).toBe('not PRIMARY, SECONDARY or ARBITER: Does not have a valid replica set config');
    expect(new Set(world.read().calls.map((call) => call.host))).toEqual(new Set([VOTERS[2]]));
  });

  test('GIVEN a member in initial sync WHEN liveness runs THEN it is alive; GIVEN mongod down THEN it is not', async () => {
    // GIVEN
    const world = establishedWorld(0);
    world.update((model) => (model.members[1].state = 'STARTUP2'));
    const member = pod(world, 'mongod', 1, 'mongod');

    // WHEN
    const syncing = await member.run('probe-mongod.sh', ['liveness']);
    world.update((model) => (model.members[1].up = false));
    const down = await member.run('probe-mongod.sh', ['liveness']);

    // THEN
    expect(syncing.status).toBe(0);
    expect(down.status).toBe(1);
    expect(down.stderr).toContain('MongoNetworkError: connect ECONNREFUSED');
  });

  test('GIVEN an unknown probe WHEN it runs THEN it exits 2 with the usage', async () => {
    // GIVEN
    const world = freshWorld();

    // WHEN
    const result = await pod(world, 'mongod', 0, 'mongod').run('probe-mongod.sh', ['startup']);

    // THEN
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("usage: probe-mongod.sh readiness|liveness (got 'startup')");
  });
});

describe('prestop-mongod.sh', () => {
  test('GIVEN the primary WHEN its pod stops THEN it steps down with a bounded catch-up and a caught-up secondary takes over', async () => {
    // GIVEN
    const world = establishedWorld(0);

    // WHEN
    const result = await pod(world, 'mongod', 0, 'mongod').run('prestop-mongod.sh');

    // THEN
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe('stepped down: a caught-up secondary takes over');
    expect(world.changes().map((call) => call.detail)).toEqual([{ replSetStepDown: 60, secondaryCatchUpPeriodSecs: 20 }]);
    expect(world.read().members.map((member) => member.state)).toEqual(['SECONDARY', 'PRIMARY', 'SECONDARY']);
  });

  test('GIVEN a secondary WHEN its pod stops THEN it hands nothing over', async () => {
    // GIVEN
    const world = establishedWorld(0);

    // WHEN
    const result = await pod(world, 'mongod', 1, 'mongod').run('prestop-mongod.sh');

    // THEN
    expect(result.stdout.trim()).toBe('not the primary: nothing to hand over');
    expect(world.changes()).toEqual([]);
  });

  test('GIVEN no secondary catches up in time WHEN the primary stops THEN the hook reports it and leaves the step-down to mongod', async () => {
    // GIVEN
    const world = establishedWorld(0);
    world.update((model) => (model.secondariesCaughtUp = false));

    // WHEN
    const result = await pod(world, 'mongod', 0, 'mongod').run('prestop-mongod.sh');

    // THEN
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('step-down failed (ExceededTimeLimit: No electable secondaries caught up as of');
    expect(result.stdout).toContain('mongod steps down on SIGTERM');
    expect(world.read().members[0].state).toBe('PRIMARY');
  });
});

describe('install-keyfile.sh', () => {
  const world = freshWorld();
  const keyFilePod = (content?: string): MongoPod => {
    const created = pod(world, 'mongod', 0, 'keyfile');
    if (content !== undefined) writeFileSync(join(created.keyFileSecretDir, 'keyfile'), content, { mode: 0o440 });
    return created;
  };

  test('GIVEN a base64 key with line breaks in a group-readable Secret file WHEN the init container runs THEN mongod gets it readable by its user alone', async () => {
    // GIVEN
    const key = `${'A'.repeat(64)}\n${'b+/9'.repeat(16)}\n`;
    const keyFile = keyFilePod(key);

    // WHEN
    const result = await keyFile.run('install-keyfile.sh');

    // THEN
    expect(result.status).toBe(0);
    const installed = join(keyFile.keyFileDir, 'keyfile');
    expect(readFileSync(installed, 'utf8')).toBe(key);
    expect(statSync(installed).mode & 0o777).toBe(0o400);
  });

  test.each([
    [undefined, "the Secret catalog-mongodb-keyfile has no key 'keyfile': create it with the replica set's key (e.g. openssl rand -base64 756)"],
    ['abc\n', 'the key in Secret catalog-mongodb-keyfile has 3 characters besides white space; MongoDB takes 6 to 1024'],
    ['A'.repeat(1025), 'the key in Secret catalog-mongodb-keyfile has 1025 characters besides white space; MongoDB takes 6 to 1024'],
    [
      'secret-key-with-dashes',
      'the key in Secret catalog-mongodb-keyfile holds characters outside the base64 alphabet (A-Z, a-z, 0-9, +, /, =), which MongoDB refuses',
    ],
  ])('GIVEN the key %j WHEN the init container runs THEN the pod stops there with the reason', async (content, message) => {
    // GIVEN
    const keyFile = keyFilePod(content);

    // WHEN
    const result = await keyFile.run('install-keyfile.sh');

    // THEN
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(message);
  });
});

test('the manifests give every script the namespace and names this test assumes', () => {
  const set = findObject(objects, 'StatefulSet', `${SET}-mongod`);
  expect(set.metadata.namespace).toBe(NAMESPACE);
  const intended = JSON.parse(findObject(objects, 'ConfigMap', `${SET}-mongodb-config`).data['replica-set.json']);
  expect(intended.members.map((member: any) => `${member.pod}.${member.service}.${NAMESPACE}.svc.cluster.local:27017`)).toEqual(ALL);
});
