// rs-agent.js: brings this pod's mongod into the replica set and keeps its place there. It runs in mongosh
// (`mongosh --nodb --file`), started by rs-agent.sh in a sidecar of the mongod container, or by start-mongod.sh before
// mongod starts on an empty volume. AGENT_MODE picks what it does:
//
// - loop (the sidecar): a pass every AGENT_INTERVAL_SECONDS, for ever;
// - once: one pass; exit 0 when this member is where the intended set wants it, 1 otherwise (`kubectl exec`, tests);
// - pre-start: mongod is not running and its volume is empty. When the set lists this member as a voter, the primary
//   takes its vote away before mongod starts: an empty member that votes can elect a secondary that lacks writes a
//   majority acknowledged (the lost volume was part of that majority). Exit 0 when mongod may start, 1 to be retried.
//
// A pass never creates a second replica set (the failure of bitnami/charts#5752 and #6741, helm/charts#4933,
// sclorg/mongodb-container#304, CloudPirates-io/helm-charts#1105, helm/charts#19179):
// - this mongod has a configuration: mongod rejoins by itself; the primary creates the users and the default
//   write concern once, and a secondary that is still non-voting gets its vote from the primary;
// - it has none, and a member answers with one (of this set): join through the primary with votes 0 and priority 0
//   (or, when the set lists this member, take its vote away: its volume was lost); never initiate;
// - nobody has a configuration: only the initiator (pod 0 of the voters) initiates, only while every other member
//   answers, and only with itself: the others join through it as above. Otherwise wait: an unreachable member may
//   hold the set.
// Members are named by their pod DNS names, never by IP addresses, and never removed because they do not answer
// (cravall/mongo-k8s-sidecar#66): removing members is a decision for a person (see the README's runbook).

const fs = require('fs');

const env = process.env;
const MODE = env.AGENT_MODE || 'loop';
const INTERVAL_MILLISECONDS = Number(env.AGENT_INTERVAL_SECONDS || 5) * 1000;
const TIMEOUT_MILLISECONDS = Number(env.AGENT_TIMEOUT_SECONDS || 5) * 1000;
const intended = JSON.parse(fs.readFileSync(`${env.CONFIG_DIR}/replica-set.json`, 'utf8'));
const MAX_VOTERS = 7;
const UNAUTHORIZED = 13;
const ALREADY_INITIALIZED = 23;
const USER_EXISTS = 51003;
/** hello's `info` on a member without a configuration that lists it. */
const NO_CONFIGURATION = 'Does not have a valid replica set config';

function hostOf(member) {
  return `${member.pod}.${member.service}.${env.POD_NAMESPACE}.svc.${env.CLUSTER_DOMAIN}:${intended.port}`;
}

const thisMember = intended.members.find((member) => member.pod === env.POD_NAME);
if (!thisMember) {
  print(
    `rs-agent ${env.POD_NAME}: this pod is not a member of ${intended.replicaSetName} (replica-set.json lists ${intended.members.map((m) => m.pod).join(', ')})`,
  );
  quit(1);
}
const SELF_HOST = hostOf(thisMember);
const LOCAL_HOST = `127.0.0.1:${intended.port}`;

let lastMessage = '';
function report(message) {
  // The sidecar logs a reason once, not at every pass.
  if (message !== lastMessage || MODE !== 'loop') {
    print(`rs-agent ${env.POD_NAME}: ${message}`);
  }
  lastMessage = message;
}

/** The admin database of `host`, authenticated as `user` when given. Throws when the server does not answer. */
function admin(host, user, password) {
  const options = `directConnection=true&serverSelectionTimeoutMS=${TIMEOUT_MILLISECONDS}&connectTimeoutMS=${TIMEOUT_MILLISECONDS}`;
  const credentials = user ? `${encodeURIComponent(user)}:${encodeURIComponent(password)}@` : '';
  return new Mongo(`mongodb://${credentials}${host}/?authSource=admin&${options}`).getDB('admin');
}

function asRoot(host) {
  return admin(host, env.MONGODB_ROOT_USER, env.MONGODB_ROOT_PASSWORD);
}

/** The `hello` reply of `host` (no authentication needed), or undefined when it does not answer. */
function hello(host) {
  try {
    return admin(host).runCommand({ hello: 1 });
  } catch {
    return undefined;
  }
}

function reconfig(primary, config, why) {
  report(why);
  const next = { ...config, version: config.version + 1 };
  primary.runCommand({ replSetReconfig: next, maxTimeMS: 60000 });
}

/** This member's entry while it joins: it neither votes nor can be elected until it holds the data. */
function joiningEntry() {
  if (thisMember.kind === 'arbiter') {
    return thisMember.config;
  }
  return { ...thisMember.config, priority: 0, votes: 0 };
}

/**
 * Through the primary: add this member, non-voting (not while mongod has yet to start: the sidecar adds it once it
 * answers); or, when the set lists it as a voter while this mongod has no data, take its vote away until it has
 * caught up. True once the set gives this member no vote it could cast without data.
 */
function joinThrough(primaryHost, startingMongod) {
  const primary = asRoot(primaryHost);
  const config = primary.runCommand({ replSetGetConfig: 1 }).config;
  const listed = config.members.find((member) => member.host === SELF_HOST);
  if (!listed) {
    if (startingMongod) {
      return true;
    }
    const ids = config.members.map((member) => member._id);
    const id = ids.includes(thisMember.id) ? Math.max(...ids) + 1 : thisMember.id;
    reconfig(
      primary,
      { ...config, members: [...config.members, { _id: id, host: SELF_HOST, ...joiningEntry() }] },
      `adding ${SELF_HOST} to ${intended.replicaSetName} through the primary ${primaryHost}, ${thisMember.kind === 'arbiter' ? 'as its arbiter' : 'without a vote until it has caught up'}`,
    );
    return true;
  }
  if (thisMember.kind !== 'arbiter' && (listed.votes > 0 || listed.priority > 0)) {
    reconfig(
      primary,
      { ...config, members: config.members.map((member) => (member.host === SELF_HOST ? { ...member, votes: 0, priority: 0 } : member)) },
      `${intended.replicaSetName} lists ${SELF_HOST} as a voter but this member has no data: taking its vote away (through the primary ${primaryHost}) until its initial sync is done`,
    );
    return true;
  }
  report(`${intended.replicaSetName} lists ${SELF_HOST} without a vote: waiting for the primary's configuration and the initial sync`);
  return true;
}

/** A secondary that joined without a vote gets its intended votes and priority from the primary. */
function takeIntendedPlace(local) {
  if (thisMember.kind !== 'voter' || !local.passive) {
    return true;
  }
  if (!local.primary) {
    report(`${SELF_HOST} is a SECONDARY without a vote and the set has no primary: waiting for one to grant the vote`);
    return false;
  }
  const primary = asRoot(local.primary);
  const config = primary.runCommand({ replSetGetConfig: 1 }).config;
  const voters = config.members.filter((member) => member.votes > 0).length;
  if (voters >= MAX_VOTERS) {
    report(`${intended.replicaSetName} has ${voters} voters already, MongoDB's maximum: ${SELF_HOST} stays non-voting`);
    return false;
  }
  reconfig(
    primary,
    { ...config, members: config.members.map((member) => (member.host === SELF_HOST ? { ...member, ...thisMember.config } : member)) },
    `${SELF_HOST} is a SECONDARY: granting its vote and priority through the primary ${local.primary}`,
  );
  return false;
}

let primaryDutiesDone = false;

/** On the primary, once per agent: the users (the first through the localhost exception) and the default write concern. */
function primaryDuties() {
  if (primaryDutiesDone) {
    return;
  }
  try {
    admin(LOCAL_HOST).runCommand({
      createUser: env.MONGODB_ROOT_USER,
      pwd: env.MONGODB_ROOT_PASSWORD,
      roles: [{ role: 'root', db: 'admin' }],
      writeConcern: { w: 'majority' },
    });
    report(`created the user ${env.MONGODB_ROOT_USER} (the localhost exception's one user)`);
  } catch (error) {
    // Unauthorized: users exist, so the localhost exception is closed.
    if (error.code !== UNAUTHORIZED && error.code !== USER_EXISTS) {
      throw error;
    }
  }
  const root = asRoot(LOCAL_HOST);
  const ensureUser = (user, password, roles) => {
    if (root.runCommand({ usersInfo: { user, db: 'admin' } }).users.length === 0) {
      root.runCommand({ createUser: user, pwd: password, roles, writeConcern: { w: 'majority' } });
      report(`created the user ${user}`);
    }
  };
  ensureUser(env.MONGODB_MONITOR_USER, env.MONGODB_MONITOR_PASSWORD, [
    { role: 'clusterMonitor', db: 'admin' },
    { role: 'read', db: 'local' },
  ]);
  ensureUser(env.MONGODB_APPLICATION_USER, env.MONGODB_APPLICATION_PASSWORD, [{ role: 'readWrite', db: env.MONGODB_DATABASE }]);
  const concern = root.runCommand({ getDefaultRWConcern: 1 });
  if (concern.defaultWriteConcernSource !== 'global' || !concern.defaultWriteConcern || concern.defaultWriteConcern.w !== 'majority') {
    root.runCommand({ setDefaultRWConcern: 1, defaultWriteConcern: { w: 'majority' }, writeConcern: { w: 'majority' } });
    report('set the default write concern to w: majority');
  }
  primaryDutiesDone = true;
}

function initiate() {
  try {
    admin(LOCAL_HOST).runCommand({
      replSetInitiate: {
        _id: intended.replicaSetName,
        members: [{ _id: thisMember.id, host: SELF_HOST, ...thisMember.config }],
        settings: intended.settings,
      },
    });
    report(`every member answers and none has a configuration: initiated ${intended.replicaSetName} with ${SELF_HOST}; the others join through it`);
  } catch (error) {
    if (error.code !== ALREADY_INITIALIZED) {
      throw error;
    }
  }
}

/**
 * The members other than this one, with their `hello` replies (undefined: no answer). A loop, not a map callback:
 * mongosh waits for a shell call's reply in the script's own functions, not inside callbacks that a built-in runs.
 */
function survey() {
  const peers = [];
  for (const member of intended.members) {
    if (member !== thisMember) {
      peers.push({ host: hostOf(member), reply: hello(hostOf(member)) });
    }
  }
  return peers;
}

/**
 * Where this mongod stands when it has no configuration: join, initiate or wait. Before mongod starts
 * (`startingMongod`), true when it may start; in a pass, always false: a member without a configuration is not in
 * its place yet.
 */
function withoutConfiguration(startingMongod) {
  const peers = survey();
  const foreign = peers.filter((peer) => peer.reply && peer.reply.setName && peer.reply.setName !== intended.replicaSetName);
  if (foreign.length > 0) {
    report(
      `${foreign.map((peer) => `${peer.host} belongs to ${peer.reply.setName}`).join(', ')}, not ${intended.replicaSetName}: refusing to join or initiate`,
    );
    return false;
  }
  const holders = peers.filter((peer) => peer.reply && peer.reply.setName);
  if (holders.length > 0) {
    const writable = holders.find((peer) => peer.reply.isWritablePrimary);
    const primary = writable ? writable.host : holders.map((peer) => peer.reply.primary).find(Boolean);
    if (!primary) {
      report(
        `${intended.replicaSetName} exists (${holders.map((peer) => peer.host).join(', ')}) but has no primary now: waiting for one; never initiating`,
      );
      return false;
    }
    return joinThrough(primary, startingMongod) && startingMongod;
  }
  if (startingMongod) {
    return true;
  }
  if (thisMember.pod !== intended.initiator) {
    report(`no member has a configuration: waiting for ${intended.initiator} to initiate ${intended.replicaSetName}`);
    return false;
  }
  const silent = peers.filter((peer) => !peer.reply);
  if (silent.length > 0) {
    report(
      `no member that answers has a configuration, but ${silent.map((peer) => peer.host).join(', ')} do not answer: waiting for every member before initiating ${intended.replicaSetName}`,
    );
    return false;
  }
  initiate();
  return false;
}

function pass() {
  const local = hello(LOCAL_HOST);
  if (!local) {
    report(`waiting for the local mongod to answer on ${LOCAL_HOST}`);
    return false;
  }
  if (local.setName && local.setName !== intended.replicaSetName) {
    report(`this volume holds the replica set ${local.setName}, not ${intended.replicaSetName}: the agent does nothing`);
    return false;
  }
  // Without a configuration that lists it: a new or emptied member, or one the set removed (hello then keeps setName).
  if (!local.setName || local.info === NO_CONFIGURATION) {
    return withoutConfiguration(false);
  }
  if (local.isWritablePrimary) {
    primaryDuties();
    return true;
  }
  if (local.secondary) {
    return takeIntendedPlace(local);
  }
  if (local.arbiterOnly) {
    return true;
  }
  report(`${SELF_HOST} is neither PRIMARY nor SECONDARY (initial sync or recovery): waiting`);
  return false;
}

function guarded(step) {
  try {
    return step();
  } catch (error) {
    report(`${error.codeName || error.name || 'error'}: ${error.message}`);
    return false;
  }
}

if (MODE === 'pre-start') {
  quit(guarded(() => withoutConfiguration(true)) ? 0 : 1);
} else if (MODE === 'once') {
  quit(guarded(pass) ? 0 : 1);
} else {
  for (;;) {
    guarded(pass);
    sleep(INTERVAL_MILLISECONDS);
  }
}
