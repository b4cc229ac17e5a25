import { readFileSync } from 'fs';
import { join } from 'path';
import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { parseAllDocuments } from 'yaml';
import { DataClass, MongoReplicaSet, MongoReplicaSetProps, Tier } from '../../../lib';
import { RULE_CATALOG } from '../../../lib/checks/catalog';
import { failingFindings, formatObjectRef, runChecks, selectRules } from '../../../lib/checks/engine';
import { KubeObject, Severity } from '../../../lib/checks/model';
import {
  MONGODB_ARBITER_IN_SYSTEM_OF_RECORD,
  MONGODB_ARBITER_WITHOUT_REASON,
  MONGODB_AUTH_DISABLED,
  MONGODB_CRITICAL_DATA_MEMBERS,
  MONGODB_EVEN_VOTING_MEMBERS,
  MONGODB_HEADLESS_PUBLISH_NOT_READY,
  MONGODB_MEMBER_IP_ADDRESS,
  MONGODB_RULES,
  MONGODB_WRITE_CONCERN_BELOW_MAJORITY,
  parseConnectionString,
  parseJsLiteral,
  readMongodConfig,
} from '../../../lib/components/mongodb/rules';
import { catalogFindings, judge } from '../../support/checks';
import { testScenario } from '../../support/scenario';

/** The objects of a fixture (`rules-<name>.yaml`), a fresh copy per call so that a test can break them. */
function fixture(name: string): any[] {
  return parseAllDocuments(readFileSync(join(__dirname, 'fixtures', `rules-${name}.yaml`), 'utf8')).map((document) => document.toJS());
}

function find(objects: KubeObject[], kind: string, name: string): any {
  const found = objects.find((object) => object.kind === kind && object.metadata?.name === name);
  if (!found) {
    throw new Error(`no ${kind}/${name} among the objects`);
  }
  return found;
}

/** A fixture with one object changed in place. */
function edited(name: string, kind: string, objectName: string, edit: (object: any) => void): any[] {
  const objects = fixture(name);
  edit(find(objects, kind, objectName));
  return objects;
}

const PSA: MongoReplicaSetProps = {
  allowArbiter: true,
  arbiterReason: 'a rebuildable cache: two data members are enough',
  dataClass: DataClass.CACHE,
};

/** The objects of our own MongoReplicaSet `catalog`, in a scenario of namespace shop. */
function synthesized(props: MongoReplicaSetProps = {}, tier = Tier.CRITICAL): any[] {
  const scenario = testScenario({ tier, monitoringLabels: { release: 'kube-prometheus-stack' } });
  new MongoReplicaSet(scenario, 'catalog', props);
  return Testing.synth(scenario);
}

/**
 * Our objects without their suppressions: judge() runs one rule with a catalog of that rule alone, to which the
 * suppression of another rule (workload-has-multiple-replicas on the arbiter and a single hidden member) is unknown.
 */
function ours(props: MongoReplicaSetProps = {}, tier = Tier.CRITICAL): any[] {
  const objects = synthesized(props, tier);
  for (const object of objects) {
    delete object.metadata?.annotations?.['stability-blueprints.io/suppress'];
  }
  return objects;
}

/** Our objects with the file `key` of ConfigMap `configMap` rewritten. */
function oursWithFile(
  configMap: string,
  key: string,
  edit: (content: string) => string,
  props: MongoReplicaSetProps = {},
  tier = Tier.CRITICAL,
): any[] {
  const objects = ours(props, tier);
  const map = find(objects, 'ConfigMap', configMap);
  map.data[key] = edit(map.data[key]);
  return objects;
}

const set = (objects: KubeObject[], name: string) => find(objects, 'StatefulSet', name);
const serverOf = (workload: any) => workload.spec.template.spec.containers[0];
const envOf = (workload: any, name: string) => serverOf(workload).env.find((variable: any) => variable.name === name);
const withoutEnv = (workload: any, ...names: string[]) => {
  serverOf(workload).env = serverOf(workload).env.filter((variable: any) => !names.includes(variable.name));
};

const BITNAMI = 'bitnami-psa';
const BITNAMI_SET = 'catalog-mongodb';
const BITNAMI_ARBITER = 'catalog-mongodb-arbiter';
const HAND_WRITTEN = 'hand-written';
const HAND_WRITTEN_SET = 'mongo';
const IP_CONFIG = 'ip-config';
const IP_CONFIG_SET = 'inventory-mongo';
const PSMDB = 'psmdb';
const PSMDB_SET = 'cluster1-rs0';
const PSMDB_ARBITER = 'cluster1-rs0-arbiter';
const OURS_SET = 'catalog-mongod';
const OURS_ARBITER = 'catalog-arbiter';
const OURS_HIDDEN = 'catalog-mongod-hidden';
const OURS_CONFIG = 'catalog-mongodb-config';
const OURS_SCRIPTS = 'catalog-mongodb-scripts';
const CONTAINER = 'spec.template.spec.containers[0]';
const SYSTEM_OF_RECORD_BY_DEFAULT = '(a replica set not annotated stability-blueprints.io/data-class: cache is a system of record)';
const COMPONENT_LABEL = 'spec.template.metadata.labels["app.kubernetes.io/component"]';

describe('reading what mongod and its clients read', () => {
  test('a mongod.conf: the scalar settings by their dotted names', () => {
    // GIVEN
    const conf = 'replication:\n  replSetName: rs0\nsecurity:\n  keyFile: /etc/key\n  authorization: enabled\nnet:\n  bindIp: [a, b]\n';

    // WHEN
    const settings = readMongodConfig(conf);

    // THEN
    expect(settings).toEqual([
      { key: 'replication.replSetName', value: 'rs0' },
      { key: 'security.keyFile', value: '/etc/key' },
      { key: 'security.authorization', value: 'enabled' },
      { key: 'net.bindIp', value: '["a","b"]' },
    ]);
    expect(readMongodConfig('--replSet rs0')).toBeUndefined();
  });

  test('the literal of an rs.initiate: plain values with comments, quotes of either kind and trailing commas', () => {
    // GIVEN
    const script = 'rs.initiate({ _id: \'rs0\', // the set\n members: [{ _id: 0, "host": `m-0:27017`, votes: 1, arbiterOnly: false, },], });';

    // WHEN
    const parsed = parseJsLiteral(script, script.indexOf('{'));

    // THEN
    expect(parsed.value).toEqual({ _id: 'rs0', members: [{ _id: 0, host: 'm-0:27017', votes: 1, arbiterOnly: false }] });
    expect(script[parsed.end]).toBe(')');
    expect(() => parseJsLiteral('{ _id: intended.replicaSetName }')).toThrow(/not a plain literal/);
  });

  test('a connection string: hosts, options by lower-case name, and the password masked', () => {
    // WHEN
    const connection = parseConnectionString('mongodb://app:s3cret@m-0.m:27017,m-1.m:27017/orders?replicaSet=rs0&W=1&journal=false');

    // THEN
    expect(connection).toEqual({
      shown: 'mongodb://app:***@m-0.m:27017,m-1.m:27017/orders?replicaSet=rs0&W=1&journal=false',
      hosts: ['m-0.m:27017', 'm-1.m:27017'],
      srv: false,
      options: new Map([
        ['replicaset', 'rs0'],
        ['w', '1'],
        ['journal', 'false'],
      ]),
    });
  });
});

describe('our own MongoReplicaSet passes every rule of the catalog', () => {
  test.each<[string, MongoReplicaSetProps, Tier]>([
    ['defaults, CRITICAL', {}, Tier.CRITICAL],
    ['one hidden member, CRITICAL', { hiddenMembers: 1 }, Tier.CRITICAL],
    ['the arbiter cache, HIGH', PSA, Tier.HIGH],
  ])('%s: no error finding, and no warning that is not suppressed', (_case, props, tier) => {
    // GIVEN
    const objects = synthesized(props, tier);

    // WHEN
    const report = runChecks(
      objects.map((object) => ({ object })),
      selectRules(RULE_CATALOG),
      RULE_CATALOG,
    );

    // THEN
    expect(catalogFindings(objects, Severity.ERROR)).toEqual([]);
    expect(failingFindings(report, 'warning').map((finding) => `${finding.ruleId} ${formatObjectRef(finding.object)}`)).toEqual([]);
  });

  test('the arbiter cache: every MongoDB rule judges its members and arbiter, and none finds anything', () => {
    // GIVEN
    const objects = ours(PSA, Tier.HIGH);

    // WHEN
    const outcomes = [OURS_SET, OURS_ARBITER].flatMap((name) => MONGODB_RULES.map((rule) => judge(rule, objects, set(objects, name))));

    // THEN
    expect(outcomes.filter(Array.isArray).flat()).toEqual([]);
  });
});

describe('mongodb-even-voting-members: a MongoDB replica set has an odd number of voting members, at most 7', () => {
  test.each<[string, string]>([
    [BITNAMI, BITNAMI_SET],
    [PSMDB, PSMDB_SET],
    [IP_CONFIG, IP_CONFIG_SET],
    [HAND_WRITTEN, HAND_WRITTEN_SET],
  ])('Compliance: %s %s', (name, setName) => {
    // GIVEN
    const objects = fixture(name);

    // WHEN
    const outcome = judge(MONGODB_EVEN_VOTING_MEMBERS, objects, set(objects, setName));

    // THEN
    expect(outcome).toEqual([]);
  });

  test.each<[string, MongoReplicaSetProps, Tier]>([
    ['defaults', {}, Tier.CRITICAL],
    ['one hidden member, which does not vote', { hiddenMembers: 1 }, Tier.CRITICAL],
    ['2 members and the arbiter', PSA, Tier.HIGH],
  ])('Compliance: ours, %s, counted from replica-set.json', (_case, props, tier) => {
    // GIVEN
    const objects = ours(props, tier);

    // WHEN
    const outcome = judge(MONGODB_EVEN_VOTING_MEMBERS, objects, set(objects, OURS_SET));

    // THEN
    expect(outcome).toEqual([]);
  });

  test('Noncompliance 1: the bitnami chart without its arbiter (arbiter.enabled: false), 2 data-bearing members', () => {
    // GIVEN
    const objects = fixture(BITNAMI).filter((object) => object.metadata.name !== BITNAMI_ARBITER);

    // WHEN
    const outcome = judge(MONGODB_EVEN_VOTING_MEMBERS, objects, set(objects, BITNAMI_SET));

    // THEN
    expect(outcome).toEqual([
      'spec.replicas: 2 voting members (2 replicas of this StatefulSet): a 1-1 split leaves neither side a majority to elect a ' +
        'primary, and 2 voters tolerate 0 losses, no more than 1 does; allowed: an odd number, at most 7',
    ]);
  });

  test('Noncompliance 2: PSMDB with size 3 and its arbiter, counted over both StatefulSets of the replset', () => {
    // GIVEN
    const objects = edited(PSMDB, 'StatefulSet', PSMDB_SET, (sts) => (sts.spec.replicas = 3));

    // WHEN
    const outcome = judge(MONGODB_EVEN_VOTING_MEMBERS, objects, set(objects, PSMDB_SET));

    // THEN
    expect(outcome).toEqual([
      'spec.replicas: 4 voting members (3 replicas of this StatefulSet and 1 arbiter of StatefulSet cluster1-rs0-arbiter): a 2-2 ' +
        'split leaves neither side a majority to elect a primary, and 4 voters tolerate 1 loss, no more than 3 do; allowed: an odd ' +
        'number, at most 7',
    ]);
  });

  test('Noncompliance 3: ours, a fourth voter added to replica-set.json', () => {
    // GIVEN
    const objects = oursWithFile(OURS_CONFIG, 'replica-set.json', (json) => {
      const intended = JSON.parse(json);
      intended.members.push({ ...intended.members[2], id: 3, pod: 'catalog-mongod-3' });
      return JSON.stringify(intended);
    });

    // WHEN
    const outcome = judge(MONGODB_EVEN_VOTING_MEMBERS, objects, set(objects, OURS_SET));

    // THEN
    expect(outcome).toEqual([
      `${CONTAINER}: ConfigMap catalog-mongodb-config key replica-set.json lists 4 voting members: a 2-2 split leaves neither side a ` +
        'majority to elect a primary, and 4 voters tolerate 1 loss, no more than 3 do; allowed: an odd number, at most 7',
    ]);
  });

  test('Noncompliance 4: more than 7 voters in the rs.initiate a script holds', () => {
    // GIVEN
    const hosts = Array.from({ length: 9 }, (_, ordinal) => `{ _id: ${ordinal}, host: 'inventory-mongo-${ordinal}.inventory-mongo:27017' }`);
    const objects = edited(IP_CONFIG, 'ConfigMap', IP_CONFIG_SET, (map) => {
      map.data['init-replica-set.js'] = `rs.initiate({ _id: 'rs0', members: [${hosts.join(', ')}] });\n`;
    });

    // WHEN
    const outcome = judge(MONGODB_EVEN_VOTING_MEMBERS, objects, set(objects, IP_CONFIG_SET));

    // THEN
    expect(outcome).toEqual([
      `${CONTAINER}: ConfigMap inventory-mongo key init-replica-set.js lists 9 voting members: MongoDB refuses a configuration with ` +
        'more than 7 voting members (replSetInitiate and replSetReconfig fail), so 2 of them must have votes: 0; allowed: an odd ' +
        'number, at most 7',
    ]);
  });

  test('Compliance: 9 members in that script, 2 of them with votes: 0', () => {
    // GIVEN
    const hosts = Array.from(
      { length: 9 },
      (_, ordinal) => `{ _id: ${ordinal}, host: 'inventory-mongo-${ordinal}.inventory-mongo:27017'${ordinal > 6 ? ', votes: 0, priority: 0' : ''} }`,
    );
    const objects = edited(IP_CONFIG, 'ConfigMap', IP_CONFIG_SET, (map) => {
      map.data['init-replica-set.js'] = `rs.initiate({ _id: 'rs0', members: [${hosts.join(', ')}] });\n`;
    });

    // WHEN
    const outcome = judge(MONGODB_EVEN_VOTING_MEMBERS, objects, set(objects, IP_CONFIG_SET));

    // THEN
    expect(outcome).toEqual([]);
  });

  test.each<[string, string, string]>([
    [BITNAMI, BITNAMI_ARBITER, 'the MONGODB_REPLICA_SET_MODE variable is arbiter: the voters are counted on the data-bearing members'],
    [PSMDB, PSMDB_ARBITER, 'the label app.kubernetes.io/component: arbiter: the voters are counted on the data-bearing members'],
  ])('Not applicable to the arbiter of %s (%s)', (name, setName, reason) => {
    // GIVEN
    const objects = fixture(name);

    // WHEN
    const outcome = judge(MONGODB_EVEN_VOTING_MEMBERS, objects, set(objects, setName));

    // THEN
    expect(outcome).toEqual({ notApplicable: reason });
  });

  test('a bitnami hidden member (setup-hidden.sh exports MONGODB_REPLICA_SET_MODE=hidden) is no voter: not counted, not judged', () => {
    // GIVEN
    const objects = fixture(BITNAMI);
    const hidden = JSON.parse(JSON.stringify(set(objects, BITNAMI_SET)));
    hidden.metadata.name = 'catalog-mongodb-hidden';
    hidden.spec.replicas = 1;
    serverOf(hidden).command = ['/scripts/setup-hidden.sh'];
    serverOf(hidden).volumeMounts.find((mount: any) => mount.name === 'scripts').subPath = 'setup-hidden.sh';
    serverOf(hidden).volumeMounts.find((mount: any) => mount.name === 'scripts').mountPath = '/scripts/setup-hidden.sh';
    objects.push(hidden);

    // WHEN
    const outcomes = [BITNAMI_SET, 'catalog-mongodb-hidden'].map((name) => judge(MONGODB_EVEN_VOTING_MEMBERS, objects, set(objects, name)));

    // THEN
    expect(outcomes).toEqual([
      [],
      {
        notApplicable:
          'ConfigMap catalog-mongodb-scripts key setup-hidden.sh exports MONGODB_REPLICA_SET_MODE=hidden: the voters are counted on the data-bearing members',
      },
    ]);
  });

  test('Not applicable to ours hidden members, which do not vote', () => {
    // GIVEN
    const objects = ours({ hiddenMembers: 1 });

    // WHEN
    const outcome = judge(MONGODB_EVEN_VOTING_MEMBERS, objects, set(objects, OURS_HIDDEN));

    // THEN
    expect(outcome).toEqual({
      notApplicable: 'the label app.kubernetes.io/component: mongod-hidden: the voters are counted on the data-bearing members',
    });
  });

  test('Not applicable to a standalone mongod', () => {
    // GIVEN
    const objects = edited(HAND_WRITTEN, 'StatefulSet', HAND_WRITTEN_SET, (sts) => (serverOf(sts).command = ['mongod', '--bind_ip_all']));

    // WHEN
    const outcome = judge(MONGODB_EVEN_VOTING_MEMBERS, objects, set(objects, HAND_WRITTEN_SET));

    // THEN
    expect(outcome).toEqual({
      notApplicable: 'a standalone mongod (no --replSet, replication.replSetName or MONGODB_REPLICA_SET_MODE): it is no replica set member',
    });
  });

  test('Not applicable, without a configuration, to a set annotated with a consensus and a quorum: quorum-is-majority judges it', () => {
    // GIVEN
    const objects = edited(HAND_WRITTEN, 'StatefulSet', HAND_WRITTEN_SET, (sts) => {
      sts.spec.replicas = 4;
      sts.metadata.annotations = { 'stability-blueprints.io/consensus': 'majority', 'stability-blueprints.io/quorum': '3' };
    });

    // WHEN
    const outcome = judge(MONGODB_EVEN_VOTING_MEMBERS, objects, set(objects, HAND_WRITTEN_SET));

    // THEN
    expect(outcome).toEqual({
      notApplicable:
        'annotated stability-blueprints.io/consensus: majority with a stability-blueprints.io/quorum: quorum-is-majority judges its size',
    });
  });

  test.each<[string, string]>([
    ['redis:7.4.1', 'a non-MongoDB image'],
    ['docker.io/bitnami/mongodb-exporter:0.47.0-debian-12-r0', 'an exporter'],
    ['mongo-express:1.0.2', 'a UI'],
  ])('Not applicable to %s (%s)', (image) => {
    // GIVEN
    const objects = edited(BITNAMI, 'StatefulSet', BITNAMI_SET, (sts) => (serverOf(sts).image = image));

    // WHEN
    const outcome = judge(MONGODB_EVEN_VOTING_MEMBERS, objects, set(objects, BITNAMI_SET));

    // THEN
    expect(outcome).toEqual({ notApplicable: 'no mongod container' });
  });

  test('Not applicable to a backup CronJob-style StatefulSet running mongodump on the server image', () => {
    // GIVEN
    const objects = edited(
      HAND_WRITTEN,
      'StatefulSet',
      HAND_WRITTEN_SET,
      (sts) => (serverOf(sts).command = ['mongodump', '--uri', 'mongodb://mongo-0.mongo']),
    );

    // WHEN
    const outcome = judge(MONGODB_EVEN_VOTING_MEMBERS, objects, set(objects, HAND_WRITTEN_SET));

    // THEN
    expect(outcome).toEqual({ notApplicable: 'no mongod container' });
  });
});

const ARBITER_CONSEQUENCE =
  'with one data-bearing member down, w: majority writes wait until it returns, and an implicit default write concern drops to ' +
  'w: 1, acknowledging writes a failover rolls back; allowed: a data-bearing member instead';

describe('mongodb-arbiter-in-system-of-record: a MongoDB system of record runs no arbiter', () => {
  test('Noncompliance 1: the bitnami chart default, whose arbiter runs with MONGODB_REPLICA_SET_MODE=arbiter', () => {
    // GIVEN
    const objects = fixture(BITNAMI);

    // WHEN
    const outcome = judge(MONGODB_ARBITER_IN_SYSTEM_OF_RECORD, objects, set(objects, BITNAMI_ARBITER));

    // THEN
    expect(outcome).toEqual([
      `${CONTAINER}.env[4]: an arbiter (the MONGODB_REPLICA_SET_MODE variable is arbiter): ${ARBITER_CONSEQUENCE} ${SYSTEM_OF_RECORD_BY_DEFAULT}`,
    ]);
  });

  test('Noncompliance 2: the PSMDB arbiter StatefulSet, by its component label', () => {
    // GIVEN
    const objects = fixture(PSMDB);

    // WHEN
    const outcome = judge(MONGODB_ARBITER_IN_SYSTEM_OF_RECORD, objects, set(objects, PSMDB_ARBITER));

    // THEN
    expect(outcome).toEqual([
      `${COMPONENT_LABEL}: an arbiter (the label app.kubernetes.io/component: arbiter): ${ARBITER_CONSEQUENCE} ${SYSTEM_OF_RECORD_BY_DEFAULT}`,
    ]);
  });

  test('Noncompliance 3: ours, the arbiter of the cache relabelled a system of record', () => {
    // GIVEN
    const objects = ours(PSA, Tier.HIGH);
    set(objects, OURS_ARBITER).metadata.annotations['stability-blueprints.io/data-class'] = 'system-of-record';

    // WHEN
    const outcome = judge(MONGODB_ARBITER_IN_SYSTEM_OF_RECORD, objects, set(objects, OURS_ARBITER));

    // THEN
    expect(outcome).toEqual([`${COMPONENT_LABEL}: an arbiter (the label app.kubernetes.io/component: arbiter): ${ARBITER_CONSEQUENCE}`]);
  });

  test('Noncompliance 4: an arbiterOnly member in the rs.initiate of a script, the arbiter itself outside the manifests', () => {
    // GIVEN
    const objects = edited(IP_CONFIG, 'ConfigMap', IP_CONFIG_SET, (map) => {
      map.data['init-replica-set.js'] = map.data['init-replica-set.js'].replace(
        "host: '10.244.3.9:27017' }",
        "host: 'arbiter.shop:27017', arbiterOnly: true }",
      );
    });

    // WHEN
    const outcome = judge(MONGODB_ARBITER_IN_SYSTEM_OF_RECORD, objects, set(objects, IP_CONFIG_SET));

    // THEN
    expect(outcome).toEqual([
      `${CONTAINER}: ConfigMap inventory-mongo key init-replica-set.js lists arbiter.shop:27017 as an arbiter (arbiterOnly): ` +
        `${ARBITER_CONSEQUENCE} ${SYSTEM_OF_RECORD_BY_DEFAULT}`,
    ]);
  });

  test('Noncompliance 5: --enableMajorityReadConcern false, which MongoDB asked of arbiter sets before 5.0', () => {
    // GIVEN
    const objects = edited(HAND_WRITTEN, 'StatefulSet', HAND_WRITTEN_SET, (sts) =>
      serverOf(sts).command.push('--enableMajorityReadConcern', 'false'),
    );

    // WHEN
    const outcome = judge(MONGODB_ARBITER_IN_SYSTEM_OF_RECORD, objects, set(objects, HAND_WRITTEN_SET));

    // THEN
    expect(outcome).toEqual([
      `${CONTAINER}.command[5]: replication.enableMajorityReadConcern is false in the container command, the setting MongoDB asked ` +
        `of a replica set with an arbiter (primary-secondary-arbiter) before 5.0: ${ARBITER_CONSEQUENCE} ${SYSTEM_OF_RECORD_BY_DEFAULT}`,
    ]);
  });

  test.each<[string, string]>([
    [BITNAMI, BITNAMI_SET],
    [PSMDB, PSMDB_SET],
    [HAND_WRITTEN, HAND_WRITTEN_SET],
    [IP_CONFIG, IP_CONFIG_SET],
  ])('Compliance: the data-bearing members of %s (%s): an arbiter workload answers for itself', (name, setName) => {
    // GIVEN
    const objects = fixture(name);

    // WHEN
    const outcome = judge(MONGODB_ARBITER_IN_SYSTEM_OF_RECORD, objects, set(objects, setName));

    // THEN
    expect(outcome).toEqual([]);
  });

  test('Compliance: ours, defaults', () => {
    // GIVEN
    const objects = ours();

    // WHEN
    const outcome = judge(MONGODB_ARBITER_IN_SYSTEM_OF_RECORD, objects, set(objects, OURS_SET));

    // THEN
    expect(outcome).toEqual([]);
  });

  test('Not applicable to the arbiter of a cache', () => {
    // GIVEN
    const objects = edited(
      BITNAMI,
      'StatefulSet',
      BITNAMI_ARBITER,
      (sts) => (sts.metadata.annotations = { 'stability-blueprints.io/data-class': 'cache' }),
    );

    // WHEN
    const outcome = judge(MONGODB_ARBITER_IN_SYSTEM_OF_RECORD, objects, set(objects, BITNAMI_ARBITER));

    // THEN
    expect(outcome).toEqual({ notApplicable: 'annotated stability-blueprints.io/data-class: cache' });
  });
});

describe('mongodb-arbiter-without-reason: an arbiter of a MongoDB cache says why it stands in for a data-bearing member', () => {
  const cacheArbiter = (annotations: Record<string, string>) =>
    edited(
      BITNAMI,
      'StatefulSet',
      BITNAMI_ARBITER,
      (sts) => (sts.metadata.annotations = { 'stability-blueprints.io/data-class': 'cache', ...annotations }),
    );

  test('Noncompliance 1: the bitnami arbiter of a cache, without a reason', () => {
    // GIVEN
    const objects = cacheArbiter({});

    // WHEN
    const outcome = judge(MONGODB_ARBITER_WITHOUT_REASON, objects, set(objects, BITNAMI_ARBITER));

    // THEN
    expect(outcome).toEqual([
      `${CONTAINER}.env[4]: an arbiter (the MONGODB_REPLICA_SET_MODE variable is arbiter) of a cache, without a ` +
        'stability-blueprints.io/component-arbiter-reason annotation: with one data-bearing member down, w: majority writes wait ' +
        'until it returns; allowed: the annotation, saying why the set runs an arbiter instead of a data-bearing member',
    ]);
  });

  test('Noncompliance 2: ours, the reason emptied', () => {
    // GIVEN
    const objects = ours(PSA, Tier.HIGH);
    set(objects, OURS_ARBITER).metadata.annotations['stability-blueprints.io/component-arbiter-reason'] = ' ';

    // WHEN
    const outcome = judge(MONGODB_ARBITER_WITHOUT_REASON, objects, set(objects, OURS_ARBITER));

    // THEN
    expect(outcome).toEqual([
      `${COMPONENT_LABEL}: an arbiter (the label app.kubernetes.io/component: arbiter) of a cache, without a ` +
        'stability-blueprints.io/component-arbiter-reason annotation: with one data-bearing member down, w: majority writes wait ' +
        'until it returns; allowed: the annotation, saying why the set runs an arbiter instead of a data-bearing member',
    ]);
  });

  test('Compliance: the bitnami arbiter of a cache, with a reason', () => {
    // GIVEN
    const objects = cacheArbiter({ 'stability-blueprints.io/component-arbiter-reason': 'the catalog cache is rebuilt from the PIM nightly' });

    // WHEN
    const outcome = judge(MONGODB_ARBITER_WITHOUT_REASON, objects, set(objects, BITNAMI_ARBITER));

    // THEN
    expect(outcome).toEqual([]);
  });

  test('Compliance: ours, the arbiter cache with its arbiterReason', () => {
    // GIVEN
    const objects = ours(PSA, Tier.HIGH);

    // WHEN
    const outcome = judge(MONGODB_ARBITER_WITHOUT_REASON, objects, set(objects, OURS_ARBITER));

    // THEN
    expect(outcome).toEqual([]);
  });

  test('Not applicable to the arbiter of a system of record, which mongodb-arbiter-in-system-of-record judges', () => {
    // GIVEN
    const objects = fixture(BITNAMI);

    // WHEN
    const outcome = judge(MONGODB_ARBITER_WITHOUT_REASON, objects, set(objects, BITNAMI_ARBITER));

    // THEN
    expect(outcome).toEqual({ notApplicable: 'a system of record: mongodb-arbiter-in-system-of-record judges its arbiter' });
  });

  test('Not applicable to data-bearing members', () => {
    // GIVEN
    const objects = ours(PSA, Tier.HIGH);

    // WHEN
    const outcome = judge(MONGODB_ARBITER_WITHOUT_REASON, objects, set(objects, OURS_SET));

    // THEN
    expect(outcome).toEqual({ notApplicable: 'runs no arbiter of its own' });
  });
});

const W1 = 'w=1: a write is acknowledged once the primary holds it, and a failover before a majority copies it rolls it back; allowed: majority';

describe('mongodb-write-concern-below-majority: writes to a MongoDB system of record are acknowledged by a majority, from the journal', () => {
  test('Noncompliance 1: the hand-written orders API connects with w=1 to the StatefulSet its hosts name', () => {
    // GIVEN
    const objects = fixture(HAND_WRITTEN);

    // WHEN
    const outcome = judge(MONGODB_WRITE_CONCERN_BELOW_MAJORITY, objects, find(objects, 'Deployment', 'orders-api'));

    // THEN
    expect(outcome).toEqual([
      `${CONTAINER}.env[0]: the connection string mongodb://mongo-0.mongo:27017,mongo-1.mongo:27017,mongo-2.mongo:27017/orders?` +
        `replicaSet=rs0&w=1 in the MONGODB_URI variable, which addresses StatefulSet mongo, asks for ${W1} (or 2, a majority of the 3 ` +
        `voters) ${SYSTEM_OF_RECORD_BY_DEFAULT}`,
    ]);
  });

  test('Noncompliance 2: w=0 and journal=false from a ConfigMap key, to a set the checked objects do not hold', () => {
    // GIVEN
    const objects = edited(HAND_WRITTEN, 'Deployment', 'orders-api', (deployment) => {
      serverOf(deployment).env = [{ name: 'MONGODB_URI', valueFrom: { configMapKeyRef: { name: 'orders-api', key: 'uri' } } }];
    }).filter((object) => object.kind !== 'StatefulSet');
    objects.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'orders-api', namespace: 'shop' },
      data: { uri: 'mongodb+srv://orders.db.example.com/orders?w=0&journal=false' },
    });

    // WHEN
    const outcome = judge(MONGODB_WRITE_CONCERN_BELOW_MAJORITY, objects, find(objects, 'Deployment', 'orders-api'));

    // THEN
    const where = `${CONTAINER}.env[0]: the connection string mongodb+srv://orders.db.example.com/orders?w=0&journal=false in the MONGODB_URI variable (ConfigMap orders-api key uri)`;
    expect(outcome).toEqual([
      `${where} asks for w=0: a write is not acknowledged at all, so a failed one is never reported ${SYSTEM_OF_RECORD_BY_DEFAULT}`,
      `${where} asks for journal=false: a write is acknowledged before it is in the journal on disk, so a crash of the members ` +
        `holding it loses it; allowed: true or unset ${SYSTEM_OF_RECORD_BY_DEFAULT}`,
    ]);
  });

  test('Noncompliance 3: a mounted properties file with w=1, its password masked', () => {
    // GIVEN
    const objects = edited(HAND_WRITTEN, 'ConfigMap', 'reports-api', (map) => {
      map.data['application.properties'] = map.data['application.properties'].replace('w=majority', 'w=1');
    });

    // WHEN
    const outcome = judge(MONGODB_WRITE_CONCERN_BELOW_MAJORITY, objects, find(objects, 'Deployment', 'reports-api'));

    // THEN
    expect(outcome).toEqual([
      `${CONTAINER}: the connection string mongodb://reports:***@mongo-0.mongo.shop.svc.cluster.local:27017,` +
        'mongo-1.mongo.shop.svc.cluster.local:27017/orders?replicaSet=rs0&w=1&readPreference=secondaryPreferred in ConfigMap ' +
        `reports-api key application.properties, which addresses StatefulSet mongo, asks for ${W1} (or 2, a majority of the 3 voters) ` +
        SYSTEM_OF_RECORD_BY_DEFAULT,
    ]);
  });

  test('Noncompliance 4: ours, the agent setting the default write concern to w: 1', () => {
    // GIVEN
    const objects = oursWithFile(OURS_SCRIPTS, 'rs-agent.js', (script) =>
      script.replace("setDefaultRWConcern: 1, defaultWriteConcern: { w: 'majority' }", 'setDefaultRWConcern: 1, defaultWriteConcern: { w: 1 }'),
    );

    // WHEN
    const outcome = judge(MONGODB_WRITE_CONCERN_BELOW_MAJORITY, objects, set(objects, OURS_SET));

    // THEN
    expect(outcome).toEqual([
      `${CONTAINER}: the default write concern { w: 1 } that ConfigMap catalog-mongodb-scripts key rs-agent.js sets asks for ${W1} ` +
        '(or 2, a majority of the 3 voters)',
    ]);
  });

  test('Noncompliance 5: ours, writeConcernMajorityJournalDefault: false in replica-set.json', () => {
    // GIVEN
    const objects = oursWithFile(OURS_CONFIG, 'replica-set.json', (json) =>
      JSON.stringify({ ...JSON.parse(json), writeConcernMajorityJournalDefault: false }),
    );

    // WHEN
    const outcome = judge(MONGODB_WRITE_CONCERN_BELOW_MAJORITY, objects, set(objects, OURS_SET));

    // THEN
    expect(outcome).toEqual([
      `${CONTAINER}: writeConcernMajorityJournalDefault is false in ConfigMap catalog-mongodb-config key replica-set.json: a w: ` +
        'majority write is acknowledged once a majority holds it in memory, so a crash of those members (a zone outage) loses it; ' +
        'allowed: true or unset',
    ]);
  });

  test('Noncompliance 6: bitnami with MONGODB_ENABLE_JOURNAL=no', () => {
    // GIVEN
    const objects = edited(BITNAMI, 'StatefulSet', BITNAMI_SET, (sts) => (envOf(sts, 'MONGODB_ENABLE_JOURNAL').value = 'no'));

    // WHEN
    const outcome = judge(MONGODB_WRITE_CONCERN_BELOW_MAJORITY, objects, set(objects, BITNAMI_SET));

    // THEN
    expect(outcome).toEqual([
      `${CONTAINER}.env[15]: storage.journal.enabled is false in the MONGODB_ENABLE_JOURNAL variable: writes are acknowledged ` +
        'before they are on disk, so a crash loses them and the member may not restart cleanly (MongoDB 6.1 and later refuse to ' +
        `start without a journal); allowed: journaling on ${SYSTEM_OF_RECORD_BY_DEFAULT}`,
    ]);
  });

  test('Compliance: the reports API writes with w=majority', () => {
    // GIVEN
    const objects = fixture(HAND_WRITTEN);

    // WHEN
    const outcome = judge(MONGODB_WRITE_CONCERN_BELOW_MAJORITY, objects, find(objects, 'Deployment', 'reports-api'));

    // THEN
    expect(outcome).toEqual([]);
  });

  test('Compliance: w=1 to a replica set annotated a cache', () => {
    // GIVEN
    const objects = edited(
      HAND_WRITTEN,
      'StatefulSet',
      HAND_WRITTEN_SET,
      (sts) => (sts.metadata.annotations = { 'stability-blueprints.io/data-class': 'cache' }),
    );

    // WHEN
    const outcome = judge(MONGODB_WRITE_CONCERN_BELOW_MAJORITY, objects, find(objects, 'Deployment', 'orders-api'));

    // THEN
    expect(outcome).toEqual([]);
  });

  test('Compliance: ours, the agent setting w: majority, and a client on clientEnv()', () => {
    // GIVEN
    const scenario = testScenario();
    const catalog = new MongoReplicaSet(scenario, 'catalog');
    const client = new kplus.Deployment(scenario, 'storefront', {
      containers: [{ image: 'registry.example.com/storefront:1.0.0', envVariables: catalog.clientEnv() }],
    });
    const objects = Testing.synth(scenario);

    // WHEN
    const outcomes = [set(objects, OURS_SET), find(objects, 'Deployment', client.name)].map((workload) =>
      judge(MONGODB_WRITE_CONCERN_BELOW_MAJORITY, objects, workload),
    );

    // THEN
    expect(outcomes).toEqual([[], []]);
  });

  test('Not applicable to a workload with no mongod and no MongoDB connection string', () => {
    // GIVEN
    const objects = edited(HAND_WRITTEN, 'Deployment', 'orders-api', (deployment) => (serverOf(deployment).env = []));

    // WHEN
    const outcome = judge(MONGODB_WRITE_CONCERN_BELOW_MAJORITY, objects, find(objects, 'Deployment', 'orders-api'));

    // THEN
    expect(outcome).toEqual({ notApplicable: 'no mongod, MongoDB connection string or default write concern' });
  });
});

const TOO_FEW = 'the loss of one data-bearing member leaves w: majority writes without a majority of copies to wait for; allowed: at least 3';

describe('mongodb-critical-data-members: a CRITICAL MongoDB replica set has at least 3 data-bearing voting members', () => {
  const critical = (name: string, setName: string) =>
    edited(
      name,
      'StatefulSet',
      setName,
      (sts) => (sts.metadata.annotations = { ...sts.metadata.annotations, 'stability-blueprints.io/tier': 'critical' }),
    );

  test('Noncompliance 1: the bitnami chart default (2 members and an arbiter) annotated critical', () => {
    // GIVEN
    const objects = critical(BITNAMI, BITNAMI_SET);

    // WHEN
    const outcome = judge(MONGODB_CRITICAL_DATA_MEMBERS, objects, set(objects, BITNAMI_SET));

    // THEN
    expect(outcome).toEqual([
      `spec.replicas: 2 data-bearing voting members (2 replicas of this StatefulSet) on a stability-blueprints.io/tier: critical workload: ${TOO_FEW}`,
    ]);
  });

  test('Noncompliance 2: ours, the arbiter cache moved to the critical tier by hand, counted from replica-set.json', () => {
    // GIVEN
    const objects = ours(PSA, Tier.HIGH);
    set(objects, OURS_SET).metadata.annotations['stability-blueprints.io/tier'] = 'critical';

    // WHEN
    const outcome = judge(MONGODB_CRITICAL_DATA_MEMBERS, objects, set(objects, OURS_SET));

    // THEN
    expect(outcome).toEqual([
      `${CONTAINER}: ConfigMap catalog-mongodb-config key replica-set.json lists 2 data-bearing voting members on a ` +
        `stability-blueprints.io/tier: critical workload: ${TOO_FEW}`,
    ]);
  });

  test('Noncompliance 3: a critical standalone mongod', () => {
    // GIVEN
    const objects = critical(HAND_WRITTEN, HAND_WRITTEN_SET);
    serverOf(set(objects, HAND_WRITTEN_SET)).command = ['mongod', '--bind_ip_all'];

    // WHEN
    const outcome = judge(MONGODB_CRITICAL_DATA_MEMBERS, objects, set(objects, HAND_WRITTEN_SET));

    // THEN
    expect(outcome).toEqual([
      `${CONTAINER}: a standalone mongod (no --replSet, replication.replSetName or MONGODB_REPLICA_SET_MODE) on a ` +
        `stability-blueprints.io/tier: critical workload keeps one copy of every write: ${TOO_FEW}`,
    ]);
  });

  test('Compliance: PSMDB size 4 annotated critical, its arbiter not counted', () => {
    // GIVEN
    const objects = critical(PSMDB, PSMDB_SET);

    // WHEN
    const outcome = judge(MONGODB_CRITICAL_DATA_MEMBERS, objects, set(objects, PSMDB_SET));

    // THEN
    expect(outcome).toEqual([]);
  });

  test('Compliance: ours, defaults in the critical tier', () => {
    // GIVEN
    const objects = ours();

    // WHEN
    const outcome = judge(MONGODB_CRITICAL_DATA_MEMBERS, objects, set(objects, OURS_SET));

    // THEN
    expect(outcome).toEqual([]);
  });

  test('Not applicable below the critical tier', () => {
    // GIVEN
    const objects = fixture(BITNAMI);

    // WHEN
    const outcome = judge(MONGODB_CRITICAL_DATA_MEMBERS, objects, set(objects, BITNAMI_SET));

    // THEN
    expect(outcome).toEqual({ notApplicable: 'not annotated stability-blueprints.io/tier: critical' });
  });

  test('Not applicable to an arbiter', () => {
    // GIVEN
    const objects = critical(PSMDB, PSMDB_ARBITER);

    // WHEN
    const outcome = judge(MONGODB_CRITICAL_DATA_MEMBERS, objects, set(objects, PSMDB_ARBITER));

    // THEN
    expect(outcome).toEqual({
      notApplicable: 'the label app.kubernetes.io/component: arbiter: the data-bearing members are counted on their own workload',
    });
  });
});

const NO_KEYFILE =
  'the members do not authenticate each other and mongod enforces no access control, so any pod that reaches port 27017 can ' +
  'read, write and reconfigure the set; allowed: the same keyFile from a Secret on every member, or clusterAuthMode x509';
const AUTHORIZATION_DISABLED =
  'mongod enforces no access control, so any pod that reaches port 27017 can read, write and reconfigure the replica set; allowed: ' +
  'enabled (a keyFile enables it)';

describe('mongodb-auth-disabled: the members of a MongoDB replica set authenticate each other and enforce access control', () => {
  test('Noncompliance 1: the hand-written StatefulSet, mongod --replSet rs0 and no keyFile', () => {
    // GIVEN
    const objects = fixture(HAND_WRITTEN);

    // WHEN
    const outcome = judge(MONGODB_AUTH_DISABLED, objects, set(objects, HAND_WRITTEN_SET));

    // THEN
    expect(outcome).toEqual([
      `${CONTAINER}: a member of the replica set rs0 with no --keyFile, security.keyFile or x509 cluster authentication: ${NO_KEYFILE}`,
    ]);
  });

  test('Noncompliance 2: the bitnami chart with auth.enabled: false (no replica set key, ALLOW_EMPTY_PASSWORD=yes)', () => {
    // GIVEN
    const objects = edited(BITNAMI, 'StatefulSet', BITNAMI_SET, (sts) => {
      withoutEnv(sts, 'MONGODB_ROOT_PASSWORD', 'MONGODB_REPLICA_SET_KEY');
      envOf(sts, 'ALLOW_EMPTY_PASSWORD').value = 'yes';
    });

    // WHEN
    const outcome = judge(MONGODB_AUTH_DISABLED, objects, set(objects, BITNAMI_SET));

    // THEN
    expect(outcome).toEqual([
      `${CONTAINER}.env[9]: security.authorization is disabled in the ALLOW_EMPTY_PASSWORD variable (ALLOW_EMPTY_PASSWORD=yes and no ` +
        `MONGODB_ROOT_PASSWORD, for which bitnami/mongodb enables no authorization): ${AUTHORIZATION_DISABLED}`,
      `${CONTAINER}: a member of the replica set rs0 with no --keyFile, security.keyFile, MONGODB_REPLICA_SET_KEY or x509 cluster ` +
        `authentication: ${NO_KEYFILE}`,
    ]);
  });

  test('Noncompliance 3: --noauth in the MONGODB_EXTRA_FLAGS of the bitnami arbiter, which wins over its key', () => {
    // GIVEN
    const objects = edited(BITNAMI, 'StatefulSet', BITNAMI_ARBITER, (sts) =>
      serverOf(sts).env.push({ name: 'MONGODB_EXTRA_FLAGS', value: '--wiredTigerCacheSizeGB=0.25 --noauth' }),
    );

    // WHEN
    const outcome = judge(MONGODB_AUTH_DISABLED, objects, set(objects, BITNAMI_ARBITER));

    // THEN
    expect(outcome).toEqual([
      `${CONTAINER}.env[14]: security.authorization is disabled in the MONGODB_EXTRA_FLAGS variable: ${AUTHORIZATION_DISABLED}`,
    ]);
  });

  test('Noncompliance 4: authorization: disabled in a mounted mongod.conf', () => {
    // GIVEN
    const objects = edited(IP_CONFIG, 'ConfigMap', IP_CONFIG_SET, (map) => {
      map.data['mongod.conf'] = map.data['mongod.conf'].replace('authorization: enabled', 'authorization: disabled');
    });

    // WHEN
    const outcome = judge(MONGODB_AUTH_DISABLED, objects, set(objects, IP_CONFIG_SET));

    // THEN
    expect(outcome).toEqual([
      `${CONTAINER}: security.authorization is disabled in ConfigMap inventory-mongo key mongod.conf: ${AUTHORIZATION_DISABLED}`,
    ]);
  });

  test('Noncompliance 5: PSMDB with clusterAuthMode keyFile and no keyFile', () => {
    // GIVEN
    const objects = edited(PSMDB, 'StatefulSet', PSMDB_SET, (sts) => {
      serverOf(sts).args = serverOf(sts).args.map((arg: string) => (arg === '--clusterAuthMode=x509' ? '--clusterAuthMode=keyFile' : arg));
    });

    // WHEN
    const outcome = judge(MONGODB_AUTH_DISABLED, objects, set(objects, PSMDB_SET));

    // THEN
    expect(outcome).toEqual([
      `${CONTAINER}: a member of the replica set rs0 with no --keyFile, security.keyFile or x509 cluster authentication ` +
        `(security.clusterAuthMode is keyFile in the container args): ${NO_KEYFILE}`,
    ]);
  });

  test('Noncompliance 6: ours, transitionToAuth added to mongod.conf', () => {
    // GIVEN
    const objects = oursWithFile(OURS_CONFIG, 'mongod.conf', (conf) =>
      conf.replace('  authorization: enabled\n', '  authorization: enabled\n  transitionToAuth: true\n'),
    );

    // WHEN
    const outcome = judge(MONGODB_AUTH_DISABLED, objects, set(objects, OURS_SET));

    // THEN
    expect(outcome).toEqual([
      `${CONTAINER}: security.transitionToAuth is true in ConfigMap catalog-mongodb-config key mongod.conf: mongod accepts ` +
        'unauthenticated connections from clients and members; allowed: false, once every member has the key',
    ]);
  });

  test.each<[string, string]>([
    [BITNAMI, BITNAMI_SET],
    [BITNAMI, BITNAMI_ARBITER],
    [PSMDB, PSMDB_SET],
    [IP_CONFIG, IP_CONFIG_SET],
  ])('Compliance: %s %s (MONGODB_REPLICA_SET_KEY, x509, a keyFile in mongod.conf)', (name, setName) => {
    // GIVEN
    const objects = fixture(name);

    // WHEN
    const outcome = judge(MONGODB_AUTH_DISABLED, objects, set(objects, setName));

    // THEN
    expect(outcome).toEqual([]);
  });

  test.each<[string, MongoReplicaSetProps, Tier, string]>([
    ['defaults', {}, Tier.CRITICAL, OURS_SET],
    ['hidden member', { hiddenMembers: 1 }, Tier.CRITICAL, OURS_HIDDEN],
    ['arbiter', PSA, Tier.HIGH, OURS_ARBITER],
  ])('Compliance: ours, %s: start-mongod.sh runs mongod --config "$CONFIG_DIR/mongod.conf", which sets the keyFile', (_case, props, tier, name) => {
    // GIVEN
    const objects = ours(props, tier);

    // WHEN
    const outcome = judge(MONGODB_AUTH_DISABLED, objects, set(objects, name));

    // THEN
    expect(outcome).toEqual([]);
  });

  test('Not applicable when the configuration file mongod reads is not among the checked objects', () => {
    // GIVEN
    const objects = fixture(IP_CONFIG).filter((object) => object.kind !== 'ConfigMap');

    // WHEN
    const outcome = judge(MONGODB_AUTH_DISABLED, objects, set(objects, IP_CONFIG_SET));

    // THEN
    expect(outcome).toEqual({ notApplicable: 'mongod reads /etc/mongo/mongod.conf, which no ConfigMap among the checked objects provides' });
  });

  test('Not applicable when the container runs a start script the checked objects do not hold', () => {
    // GIVEN
    const objects = edited(HAND_WRITTEN, 'StatefulSet', HAND_WRITTEN_SET, (sts) => (serverOf(sts).command = ['/usr/local/bin/start-mongo.sh']));

    // WHEN
    const outcome = judge(MONGODB_AUTH_DISABLED, objects, set(objects, HAND_WRITTEN_SET));

    // THEN
    expect(outcome).toEqual({
      notApplicable: 'the container runs /usr/local/bin/start-mongo.sh, and the checked objects do not show the mongod command line it starts',
    });
  });
});

const BY_IP =
  "a pod gets a new IP when it restarts or moves, so the set keeps a member at an address that is gone or another pod's, and the " +
  'restarted member does not find itself in the configuration; allowed: pod DNS names, <pod>.<headless Service>.<namespace>.svc';

describe('mongodb-member-ip-address: the members of a MongoDB replica set are addressed by stable names, not IP addresses', () => {
  test('Noncompliance 1: the initdb script names the members by pod IPs', () => {
    // GIVEN
    const objects = fixture(IP_CONFIG);

    // WHEN
    const outcome = judge(MONGODB_MEMBER_IP_ADDRESS, objects, set(objects, IP_CONFIG_SET));

    // THEN
    expect(outcome).toEqual([
      `${CONTAINER}: ConfigMap inventory-mongo key init-replica-set.js names members by the literal IPs 10.244.1.17, 10.244.2.23 and ` +
        `10.244.3.9: ${BY_IP}`,
    ]);
  });

  test('Noncompliance 2: bitnami with MONGODB_ADVERTISE_IP=yes', () => {
    // GIVEN
    const objects = edited(BITNAMI, 'StatefulSet', BITNAMI_SET, (sts) => {
      withoutEnv(sts, 'MONGODB_ADVERTISED_HOSTNAME');
      serverOf(sts).env.push({ name: 'MONGODB_ADVERTISE_IP', value: 'yes' });
    });

    // WHEN
    const outcome = judge(MONGODB_MEMBER_IP_ADDRESS, objects, set(objects, BITNAMI_SET));

    // THEN
    expect(outcome).toEqual([
      `${CONTAINER}.env[18]: the MONGODB_ADVERTISE_IP variable is yes: bitnami/mongodb adds the member by its pod IP: ${BY_IP}`,
    ]);
  });

  test('Noncompliance 3: the bitnami arbiter advertising a variable from status.podIP', () => {
    // GIVEN
    const objects = edited(BITNAMI, 'StatefulSet', BITNAMI_ARBITER, (sts) => {
      const advertised = envOf(sts, 'MONGODB_ADVERTISED_HOSTNAME');
      delete advertised.value;
      advertised.valueFrom = { fieldRef: { fieldPath: 'status.podIP' } };
    });

    // WHEN
    const outcome = judge(MONGODB_MEMBER_IP_ADDRESS, objects, set(objects, BITNAMI_ARBITER));

    // THEN
    expect(outcome).toEqual([
      `${CONTAINER}.env[7]: the MONGODB_ADVERTISED_HOSTNAME variable names members by the pod IP (MONGODB_ADVERTISED_HOSTNAME, from status.podIP): ${BY_IP}`,
    ]);
  });

  test('Noncompliance 4: a seed list of IPs in --replSet', () => {
    // GIVEN
    const objects = edited(HAND_WRITTEN, 'StatefulSet', HAND_WRITTEN_SET, (sts) => (serverOf(sts).command[2] = 'rs0/10.0.0.4:27017,10.0.0.5:27017'));

    // WHEN
    const outcome = judge(MONGODB_MEMBER_IP_ADDRESS, objects, set(objects, HAND_WRITTEN_SET));

    // THEN
    expect(outcome).toEqual([
      `${CONTAINER}.command[2]: the seed list of replication.replSetName rs0/10.0.0.4:27017,10.0.0.5:27017 in the container command ` +
        `names members by the literal IPs 10.0.0.4 and 10.0.0.5: ${BY_IP}`,
    ]);
  });

  test('Compliance: the initdb script names the members by their pod DNS names', () => {
    // GIVEN
    const objects = edited(IP_CONFIG, 'ConfigMap', IP_CONFIG_SET, (map) => {
      map.data['init-replica-set.js'] = map.data['init-replica-set.js'].replace(
        /10\.244\.\d+\.\d+/g,
        (_ip: string) => 'inventory-mongo-0.inventory-mongo.shop.svc.cluster.local',
      );
    });

    // WHEN
    const outcome = judge(MONGODB_MEMBER_IP_ADDRESS, objects, set(objects, IP_CONFIG_SET));

    // THEN
    expect(outcome).toEqual([]);
  });

  test.each<[string, string]>([
    [BITNAMI, BITNAMI_SET],
    [BITNAMI, BITNAMI_ARBITER],
  ])('Compliance: %s %s advertises $(MY_POD_NAME).$(K8S_SERVICE_NAME)...', (name, setName) => {
    // GIVEN
    const objects = fixture(name);

    // WHEN
    const outcome = judge(MONGODB_MEMBER_IP_ADDRESS, objects, set(objects, setName));

    // THEN
    expect(outcome).toEqual([]);
  });

  test('Compliance: ours, replica-set.json names every member by pod and headless Service', () => {
    // GIVEN
    const objects = ours(PSA, Tier.HIGH);

    // WHEN
    const outcome = judge(MONGODB_MEMBER_IP_ADDRESS, objects, set(objects, OURS_SET));

    // THEN
    expect(outcome).toEqual([]);
  });

  test.each<[string, string]>([
    [HAND_WRITTEN, HAND_WRITTEN_SET],
    [PSMDB, PSMDB_SET],
  ])('Not applicable to %s %s, whose member addresses are chosen at run time', (name, setName) => {
    // GIVEN
    const objects = fixture(name);

    // WHEN
    const outcome = judge(MONGODB_MEMBER_IP_ADDRESS, objects, set(objects, setName));

    // THEN
    expect(outcome).toEqual({ notApplicable: 'no member address among the checked objects (a start script may choose it at run time)' });
  });
});

const UNPUBLISHED =
  "so a member's name resolves only while it is ready (PRIMARY or SECONDARY): before the set is initiated, during an initial sync " +
  'and after a full outage the members cannot reach each other to initiate, sync or elect; allowed: publishNotReadyAddresses: true';

describe('mongodb-headless-publish-not-ready: the headless Service of a MongoDB replica set publishes members before they are ready', () => {
  test('Noncompliance 1: the hand-written headless Service', () => {
    // GIVEN
    const objects = fixture(HAND_WRITTEN);

    // WHEN
    const outcome = judge(MONGODB_HEADLESS_PUBLISH_NOT_READY, objects, set(objects, HAND_WRITTEN_SET));

    // THEN
    expect(outcome).toEqual([`spec.serviceName: the headless Service mongo does not set publishNotReadyAddresses: true, ${UNPUBLISHED}`]);
  });

  test('Noncompliance 2: ours, publishNotReadyAddresses removed from the arbiter Service', () => {
    // GIVEN
    const objects = ours(PSA, Tier.HIGH);
    delete find(objects, 'Service', 'catalog-arbiter-headless').spec.publishNotReadyAddresses;

    // WHEN
    const outcome = judge(MONGODB_HEADLESS_PUBLISH_NOT_READY, objects, set(objects, OURS_ARBITER));

    // THEN
    expect(outcome).toEqual([
      `spec.serviceName: the headless Service catalog-arbiter-headless does not set publishNotReadyAddresses: true, ${UNPUBLISHED}`,
    ]);
  });

  test.each<[string, string]>([
    [BITNAMI, BITNAMI_SET],
    [BITNAMI, BITNAMI_ARBITER],
    [PSMDB, PSMDB_SET],
    [IP_CONFIG, IP_CONFIG_SET],
  ])('Compliance: %s %s', (name, setName) => {
    // GIVEN
    const objects = fixture(name);

    // WHEN
    const outcome = judge(MONGODB_HEADLESS_PUBLISH_NOT_READY, objects, set(objects, setName));

    // THEN
    expect(outcome).toEqual([]);
  });

  test('Compliance: ours, defaults', () => {
    // GIVEN
    const objects = ours();

    // WHEN
    const outcome = judge(MONGODB_HEADLESS_PUBLISH_NOT_READY, objects, set(objects, OURS_SET));

    // THEN
    expect(outcome).toEqual([]);
  });

  test('Not applicable when the headless Service is not among the checked objects', () => {
    // GIVEN
    const objects = fixture(HAND_WRITTEN).filter((object) => object.kind !== 'Service');

    // WHEN
    const outcome = judge(MONGODB_HEADLESS_PUBLISH_NOT_READY, objects, set(objects, HAND_WRITTEN_SET));

    // THEN
    expect(outcome).toEqual({ notApplicable: 'no headless Service of this name among the checked objects: statefulset-headless-service judges it' });
  });
});
