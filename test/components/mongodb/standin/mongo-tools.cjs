#!/usr/bin/env node
/*
 * A stand-in for `mongosh` and `mongod`, installed under those names on the PATH of a pod script under test. No
 * MongoDB can be installed on these machines, so `mongosh` runs the script it is given (`--eval` or `--file`) with
 * the shell's globals (Mongo, db, print, quit, sleep, require, process) over a model of the replica set in the JSON
 * file MONGO_STANDIN_WORLD: each command answers with the reply or the error MongoDB 8.0 documents for the state of the
 * member it reaches (README.md lists the sources). `mongod` records that it was started, and with what. Every call is
 * recorded in the world, for the test to read.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const WORLD = process.env.MONGO_STANDIN_WORLD;
const tool = path.basename(process.argv[1]);
const argv = process.argv.slice(2);
const caller = process.env.POD_NAME || '';
const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

function lock() {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      fs.mkdirSync(`${WORLD}.lock`);
      return;
    } catch (error) {
      if (error.code !== 'EEXIST' || Date.now() > deadline) throw error;
      Atomics.wait(SLEEPER, 0, 0, 5);
    }
  }
}

lock();
const world = JSON.parse(fs.readFileSync(WORLD, 'utf8'));

function finish(code) {
  fs.writeFileSync(`${WORLD}.${process.pid}`, JSON.stringify(world, null, 2));
  fs.renameSync(`${WORLD}.${process.pid}`, WORLD);
  fs.rmdirSync(`${WORLD}.lock`);
  process.exit(code);
}

function record(host, command, detail) {
  world.calls.push({ tool, pod: caller, host, command, detail: detail === undefined ? undefined : JSON.parse(JSON.stringify(detail)) });
}

if (tool === 'mongod') {
  record('', 'start', { argv });
  finish(0);
}

class MongoServerError extends Error {
  constructor(code, codeName, message) {
    super(message);
    this.name = 'MongoServerError';
    this.code = code;
    this.codeName = codeName;
    this.errmsg = message;
  }
}
class MongoNetworkError extends Error {
  constructor(message) {
    super(message);
    this.name = 'MongoNetworkError';
  }
}
class MongoServerSelectionError extends Error {
  constructor(message) {
    super(message);
    this.name = 'MongoServerSelectionError';
  }
}
/** quit(code) unwinds the script with this. */
class Quit {
  constructor(code) {
    this.code = code;
  }
}

const podOf = (host) => host.split('.')[0];
const memberByHost = (host) => world.members.find((member) => member.host === host);
const inConfig = (member, host) => Boolean(member.config && member.config.members.some((entry) => entry.host === host));
const entryOf = (member) => member.config.members.find((entry) => entry.host === member.host);
const voterEntries = (config) => config.members.filter((entry) => entry.votes > 0);
const cut = (a, b) => world.cut.some(([x, y]) => (x === a && (y === b || y === '*')) || (y === a && (x === b || x === '*')));
/** A member `from` can reach: up, and no cut between the two pods. */
const reachable = (from, to) => to.up && (from === to || !cut(podOf(from.host), podOf(to.host)));

function setOf(member) {
  return member.setId ? world.sets[member.setId] : undefined;
}

/** Where a connection string points: the member, and whether it is the caller's own mongod through 127.0.0.1. */
function resolve(uri) {
  const match = /^mongodb:\/\/(?:([^:@/]+):([^@/]*)@)?([^/?]+)\/?([^?]*)(?:\?(.*))?$/.exec(uri);
  if (!match) throw new Error(`stand-in: cannot read the connection string ${uri}`);
  const [, user, password, hostPort, database] = match;
  const local = hostPort.startsWith('127.0.0.1:') || hostPort.startsWith('localhost:');
  const self = world.members.find((member) => podOf(member.host) === caller);
  const member = local ? self : memberByHost(hostPort);
  return {
    member,
    address: hostPort,
    local,
    database: database || 'test',
    user: user === undefined ? undefined : decodeURIComponent(user),
    password: password === undefined ? undefined : decodeURIComponent(password),
  };
}

function connect(uri) {
  const target = resolve(uri);
  const from = world.members.find((member) => podOf(member.host) === caller) || { host: caller, up: true };
  record(target.member ? target.member.host : target.address, 'connect', { user: target.user });
  if (!target.member || !target.member.up) {
    // devtools-connect fails fast when every server refuses (mongosh's fast-failure-connect).
    throw new MongoNetworkError(
      target.member ? `connect ECONNREFUSED 10.0.0.1:${world.port}` : `getaddrinfo ENOTFOUND ${target.address.split(':')[0]}`,
    );
  }
  if (!target.local && !reachable(from, target.member)) {
    throw new MongoServerSelectionError(`Server selection timed out after ${/serverSelectionTimeoutMS=(\d+)/.exec(uri)?.[1] ?? 30000} ms`);
  }
  const connection = { target, user: undefined };
  if (target.user !== undefined) authenticate(connection, target.user, target.password);
  return connection;
}

function authenticate(connection, user, password) {
  const set = setOf(connection.target.member);
  const known = set && set.users.find((candidate) => candidate.user === user && candidate.pwd === password);
  record(connection.target.member.host, 'auth', { user, ok: Boolean(known) });
  if (!known) throw new MongoServerError(18, 'AuthenticationFailed', 'Authentication failed.');
  connection.user = user;
}

/** The localhost exception: a connection through 127.0.0.1 to a member whose data holds no user yet. */
function localhostException(connection) {
  const set = setOf(connection.target.member);
  return connection.target.local && (!set || set.users.length === 0);
}

const LOCALHOST_EXCEPTION_COMMANDS = ['createUser', 'createRole', 'replSetInitiate', 'replSetGetStatus', 'replSetReconfig'];
const UNAUTHENTICATED_COMMANDS = ['hello', 'ping', 'buildInfo'];

function hello(member) {
  const base = {
    maxBsonObjectSize: 16777216,
    maxMessageSizeBytes: 48000000,
    maxWriteBatchSize: 100000,
    maxWireVersion: 25,
    minWireVersion: 0,
    ok: 1,
  };
  const noConfig = { isWritablePrimary: false, secondary: false, info: 'Does not have a valid replica set config', isreplicaset: true };
  if (!member.config) return { topologyVersion: { counter: 0 }, ...noConfig, ...base };
  if (member.state === 'REMOVED') return { topologyVersion: { counter: 1 }, setName: member.config._id, ...noConfig, ...base };
  const listed = member.config.members.filter((entry) => !entry.hidden && !(entry.secondaryDelaySecs > 0));
  const primary = world.members.find(
    (other) => other.state === 'PRIMARY' && inConfig(other, other.host) && inConfig(member, other.host) && reachable(member, other),
  );
  const self = entryOf(member);
  const reply = {
    topologyVersion: { counter: 2 },
    hosts: listed.filter((entry) => entry.priority > 0 && !entry.arbiterOnly).map((entry) => entry.host),
    setName: member.config._id,
    setVersion: member.config.version,
    isWritablePrimary: member.state === 'PRIMARY',
    secondary: member.state === 'SECONDARY',
    ...(primary ? { primary: primary.host } : {}),
    ...(self.arbiterOnly ? { arbiterOnly: true } : !self.arbiterOnly && self.priority === 0 ? { passive: true } : {}),
    ...(self.hidden ? { hidden: true } : {}),
    ...(self.secondaryDelaySecs > 0 ? { secondaryDelaySecs: self.secondaryDelaySecs } : {}),
    me: member.host,
    ...(member.state === 'PRIMARY' ? { electionId: '7fffffff0000000000000002' } : {}),
    ...base,
  };
  const passives = listed.filter((entry) => entry.priority === 0 && !entry.arbiterOnly).map((entry) => entry.host);
  const arbiters = listed.filter((entry) => entry.arbiterOnly).map((entry) => entry.host);
  if (passives.length > 0) reply.passives = passives;
  if (arbiters.length > 0) reply.arbiters = arbiters;
  return reply;
}

function requirePrimary(member, message) {
  if (member.state !== 'PRIMARY') throw new MongoServerError(10107, 'NotWritablePrimary', message);
}

function requireConfig(member) {
  if (!member.config) throw new MongoServerError(94, 'NotYetInitialized', 'no replset config has been received');
}

/** A new configuration reaches every member it lists that the primary reaches; one without data starts its initial sync. */
function propagate(primary, config) {
  for (const member of world.members) {
    if (member === primary || !reachable(primary, member)) continue;
    const listed = config.members.some((entry) => entry.host === member.host);
    if (listed) {
      member.config = JSON.parse(JSON.stringify(config));
      if (entryOf(member).arbiterOnly) {
        member.state = 'ARBITER';
      } else if (member.setId !== primary.setId) {
        member.setId = primary.setId;
        member.state = world.initialSync === 'instant' ? 'SECONDARY' : 'STARTUP2';
      } else if (member.state === 'REMOVED' || member.state === 'STARTUP') {
        member.state = 'SECONDARY';
      }
    } else if (member.config && member.config._id === config._id) {
      member.state = 'REMOVED';
    }
  }
}

/** A member entry as replSetGetConfig returns it: every field, with MongoDB's defaults where the entry leaves one out. */
function withMemberDefaults(entry) {
  return { arbiterOnly: false, buildIndexes: true, hidden: false, priority: 1, tags: {}, secondaryDelaySecs: 0, votes: 1, ...entry };
}

function votersChanged(before, after) {
  const voting = (config) => new Set(voterEntries(config).map((entry) => entry.host));
  const old = voting(before);
  const next = voting(after);
  return [...next].filter((host) => !old.has(host)).length + [...old].filter((host) => !next.has(host)).length;
}

function initiate(member, config) {
  if (member.config) {
    throw new MongoServerError(23, 'AlreadyInitialized', 'already initialized');
  }
  if (!config.members.some((entry) => entry.host === member.host)) {
    throw new MongoServerError(
      74,
      'NodeNotFound',
      `No host described in new configuration with {version: 1, term: 0} for replica set ${config._id} maps to this node`,
    );
  }
  const failures = [];
  for (const entry of config.members) {
    const other = memberByHost(entry.host);
    if (other === member) continue;
    if (!other || !reachable(member, other)) failures.push(`${entry.host} failed with Error connecting to ${entry.host}`);
    else if (other.config) {
      throw new MongoServerError(
        103,
        'NewReplicaSetConfigurationIncompatible',
        `Our config version of 1 is no larger than the version on ${entry.host}, which is ${other.config.version}`,
      );
    } else if (other.setId) throw new MongoServerError(110, 'CannotInitializeNodeWithData', `'${entry.host}' has data already, cannot initiate set.`);
  }
  if (failures.length > 0) {
    throw new MongoServerError(
      74,
      'NodeNotFound',
      `replSetInitiate quorum check failed because not all proposed set members responded affirmatively: ${failures.join(', ')}`,
    );
  }
  const setId = `set-${Object.keys(world.sets).length + 1}`;
  world.sets[setId] = { users: [], defaultWriteConcern: undefined };
  const stored = {
    ...config,
    version: 1,
    term: 1,
    protocolVersion: 1,
    writeConcernMajorityJournalDefault: true,
    members: config.members.map(withMemberDefaults),
    settings: { chainingAllowed: true, heartbeatIntervalMillis: 2000, electionTimeoutMillis: 10000, ...config.settings, replicaSetId: setId },
  };
  member.config = stored;
  member.setId = setId;
  member.state = 'PRIMARY';
  propagate(member, stored);
  return { ok: 1 };
}

function reconfig(member, config, maxTimeMS) {
  requirePrimary(
    member,
    `New config is rejected :: caused by :: replSetReconfig should only be run on a writable PRIMARY. Current state ${member.state};`,
  );
  const current = member.config;
  if (!(config.version > current.version)) {
    throw new MongoServerError(
      103,
      'NewReplicaSetConfigurationIncompatible',
      `New replica set configuration version and term must be greater than old, but {version: ${config.version}, term: ${current.term}} is not greater than {version: ${current.version}, term: ${current.term}} for replica set ${current._id}`,
    );
  }
  if (config._id !== current._id) {
    throw new MongoServerError(
      103,
      'NewReplicaSetConfigurationIncompatible',
      `New and old configurations differ in replica set name; old was ${current._id}, and new is ${config._id}`,
    );
  }
  if (votersChanged(current, config) > 1) {
    throw new MongoServerError(93, 'InvalidReplicaSetConfig', 'Non force replica set reconfig can only add or remove at most 1 voting member.');
  }
  for (const entry of config.members) {
    if (entry.arbiterOnly && entry.priority !== 0) {
      throw new MongoServerError(
        93,
        'InvalidReplicaSetConfig',
        `Member ${entry.host} is an arbiter but has priority ${entry.priority}. Arbiter priority must be 0.`,
      );
    }
  }
  const arbiters = config.members.filter((entry) => entry.arbiterOnly).length;
  const dataVoters = voterEntries(config).length - arbiters;
  if (arbiters > 0 && !setOf(member).defaultWriteConcern && dataVoters <= Math.floor(voterEntries(config).length / 2) + 1) {
    // With arbiters and no more data-bearing voters than a majority, the implicit default write concern becomes w: 1.
    throw new MongoServerError(
      103,
      'NewReplicaSetConfigurationIncompatible',
      'Reconfig attempted to install a config that would change the implicit default write concern. Use the setDefaultRWConcern command to set a cluster-wide write concern and try the reconfig again',
    );
  }
  const voters = voterEntries(config);
  const reached = voters.filter((entry) => {
    const other = memberByHost(entry.host);
    return other && reachable(member, other);
  });
  if (reached.length * 2 <= voters.length) {
    // A reconfig waits for a majority of the new configuration's voters to hold it; past maxTimeMS it gives up.
    throw new MongoServerError(
      308,
      'CurrentConfigNotCommittedYet',
      `New config is rejected :: caused by :: operation exceeded time limit (maxTimeMS ${maxTimeMS === undefined ? 'unset' : maxTimeMS})`,
    );
  }
  const stored = {
    ...config,
    members: config.members.map(withMemberDefaults),
  };
  member.config = stored;
  propagate(member, stored);
  return { ok: 1 };
}

function stepDown(member) {
  requirePrimary(member, "not primary so can't step down");
  const successor = world.members.find(
    (other) =>
      other !== member && other.state === 'SECONDARY' && reachable(member, other) && inConfig(member, other.host) && entryOf(other).priority > 0,
  );
  if (!successor || world.secondariesCaughtUp === false) {
    throw new MongoServerError(
      262,
      'ExceededTimeLimit',
      `No electable secondaries caught up as of ${new Date().toISOString()}Please use the replSetStepDown command with the argument {force: true} to force node to step down.`,
    );
  }
  member.state = 'SECONDARY';
  successor.state = 'PRIMARY';
  return { ok: 1 };
}

function runCommand(connection, database, command) {
  const name = Object.keys(command)[0];
  const member = connection.target.member;
  record(member.host, name, command);
  if (!member.up) throw new MongoNetworkError(`connection to ${member.host} closed`);
  if (!UNAUTHENTICATED_COMMANDS.includes(name) && connection.user === undefined) {
    if (!(LOCALHOST_EXCEPTION_COMMANDS.includes(name) && localhostException(connection))) {
      throw new MongoServerError(13, 'Unauthorized', `Command ${name} requires authentication`);
    }
  }
  const set = setOf(member);
  switch (name) {
    case 'hello':
      return hello(member);
    case 'ping':
      return { ok: 1 };
    case 'replSetInitiate':
      return initiate(member, command.replSetInitiate);
    case 'replSetGetConfig':
      requireConfig(member);
      return { config: JSON.parse(JSON.stringify(member.config)), ok: 1 };
    case 'replSetGetStatus':
      requireConfig(member);
      return {
        set: member.config._id,
        myState: member.state,
        members: member.config.members.map((entry) => {
          const other = memberByHost(entry.host);
          const healthy = other && reachable(member, other);
          return {
            name: entry.host,
            health: healthy ? 1 : 0,
            stateStr: healthy ? other.state : '(not reachable/healthy)',
            ...(other === member ? { self: true } : {}),
          };
        }),
        ok: 1,
      };
    case 'replSetReconfig':
      return reconfig(member, command.replSetReconfig, command.maxTimeMS);
    case 'replSetStepDown':
      return stepDown(member);
    case 'createUser': {
      requirePrimary(member, 'not primary');
      if (set.users.some((user) => user.user === command.createUser)) {
        throw new MongoServerError(51003, 'Location51003', `User "${command.createUser}@${database}" already exists`);
      }
      set.users.push({ user: command.createUser, db: database, pwd: command.pwd, roles: command.roles });
      return { ok: 1 };
    }
    case 'usersInfo': {
      const wanted = command.usersInfo;
      return {
        users: set.users
          .filter((user) => user.user === wanted.user && user.db === wanted.db)
          .map((user) => ({ user: user.user, db: user.db, roles: user.roles })),
        ok: 1,
      };
    }
    case 'getDefaultRWConcern':
      return set.defaultWriteConcern
        ? { defaultWriteConcern: set.defaultWriteConcern, defaultWriteConcernSource: 'global', defaultReadConcernSource: 'implicit', ok: 1 }
        : { defaultWriteConcernSource: 'implicit', defaultReadConcernSource: 'implicit', ok: 1 };
    case 'setDefaultRWConcern':
      requirePrimary(member, 'not primary');
      set.defaultWriteConcern = { ...command.defaultWriteConcern, wtimeout: 0 };
      return { defaultWriteConcern: set.defaultWriteConcern, defaultWriteConcernSource: 'global', ok: 1 };
    default:
      throw new Error(`stand-in: the command ${name} is not modelled`);
  }
}

function database(connection, name) {
  const db = {
    runCommand: (command) => runCommand(connection, name, command),
    adminCommand: (command) => runCommand(connection, 'admin', command),
    hello: () => runCommand(connection, name, { hello: 1 }),
    getSiblingDB: (other) => database(connection, other),
    auth: (user, password) => {
      authenticate(connection, user, password);
      return { ok: 1 };
    },
  };
  return db;
}

function Mongo(uri) {
  const connection = connect(uri);
  return { getDB: (name) => database(connection, name) };
}

let file;
let evaluated;
let uri;
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--file') file = argv[++i];
  else if (argv[i] === '--eval') evaluated = argv[++i];
  else if (!argv[i].startsWith('--')) uri = argv[i];
}
const output = [];
const context = vm.createContext({
  Mongo,
  print: (...values) => output.push(values.join(' ')),
  quit: (code = 0) => {
    throw new Quit(code);
  },
  sleep: (milliseconds) => Atomics.wait(SLEEPER, 0, 0, milliseconds),
  require: (name) => {
    if (name !== 'fs') throw new Error(`stand-in: require(${name}) is not modelled`);
    return fs;
  },
  process: { env: process.env },
});
record(uri ? (resolve(uri).member?.host ?? uri) : '', 'mongosh', { argv: argv.filter((arg, i) => argv[i - 1] !== '--eval') });
let code = 0;
try {
  if (uri !== undefined) context.db = new Mongo(uri).getDB(resolve(uri).database);
  const source = evaluated !== undefined ? evaluated : fs.readFileSync(file, 'utf8');
  vm.runInContext(source, context, { filename: file || 'eval' });
} catch (error) {
  if (error instanceof Quit) {
    code = error.code;
  } else {
    // mongosh's run.ts: an uncaught error prints `name: message` on stderr, and the process exits 1.
    process.stderr.write(`${error.name}: ${error.message}\n`);
    code = 1;
  }
}
process.stdout.write(output.map((line) => `${line}\n`).join(''));
finish(code);
