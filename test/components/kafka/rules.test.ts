import { readFileSync } from 'fs';
import { join } from 'path';
import { parseAllDocuments } from 'yaml';
import { KubeObject } from '../../../lib/checks/model';
import {
  apacheKafkaProperty,
  bitnamiKafkaProperty,
  KAFKA_ADVERTISED_POD_IP,
  KAFKA_COMBINED_MODE_CRITICAL,
  KAFKA_DEFAULT_CLUSTER_ID,
  KAFKA_DURABILITY_BELOW_DATA_CLASS,
  KAFKA_EVEN_CONTROLLER_QUORUM,
  KAFKA_RULES,
  readProperties,
} from '../../../lib/components/kafka/rules';
import { judge } from '../../support/checks';

/** The objects of a fixture (`rules-<name>.yaml`), a fresh copy per call so that a test can break them. */
function fixture(name: string): any[] {
  return parseAllDocuments(readFileSync(join(__dirname, 'fixtures', `rules-${name}.yaml`), 'utf8')).map((document) => document.toJS());
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

/** A fixture whose file `key` of ConfigMap `configMap` is rewritten. */
function withFile(name: string, configMap: string, key: string, edit: (content: string) => string): any[] {
  return edited(name, 'ConfigMap', configMap, (object) => {
    object.data[key] = edit(object.data[key]);
  });
}

const serverOf = (set: any) => set.spec.template.spec.containers[0];
const envOf = (set: any, name: string) => serverOf(set).env.find((variable: any) => variable.name === name);

const OURS = 'ours';
const OURS_CONFIG = 'events-kafka-config';
const OURS_CONTROLLER = 'events-controller';
const OURS_BROKER = 'events-broker';
const BITNAMI = 'bitnami';
const BITNAMI_SET = 'events-kafka-controller';
const BITNAMI_CONFIG = 'events-kafka-controller-configuration';
const APACHE = 'apache-env';
const APACHE_SET = 'payments-kafka';
const APACHE_CONFIG = 'payments-kafka-server';
const QUICKSTART = 'apache-quickstart';
const QUICKSTART_SET = 'orders-kafka';
const BITNAMI_ENV = 'bitnami-env';
const BITNAMI_ENV_SET = 'audit-kafka';
const SYSTEM_OF_RECORD_BY_DEFAULT = '(a cluster not annotated stability-blueprints.io/data-class: cache is a system of record)';
const CONTAINER = 'spec.template.spec.containers[0]';

const set = (objects: KubeObject[], name: string) => find(objects, 'StatefulSet', name);

describe('reading the configuration as Kafka and its images do', () => {
  test('java.util.Properties: separators, comments, continuation lines and escapes', () => {
    const content = [
      '# a comment',
      '! another',
      'plain=1',
      '  spaced = two words  ',
      'colon:3',
      'blank 4',
      'continued=a,\\',
      '    b,\\',
      '  c',
      'escaped\\=key=\\u0041\\tB',
      'empty=',
      'bare',
    ].join('\n');
    expect(readProperties(content)).toEqual([
      { key: 'plain', value: '1' },
      { key: 'spaced', value: 'two words' },
      { key: 'colon', value: '3' },
      { key: 'blank', value: '4' },
      { key: 'continued', value: 'a,b,c' },
      { key: 'escaped=key', value: 'A\tB' },
      { key: 'empty', value: '' },
      { key: 'bare', value: '' },
    ]);
  });

  test.each<[string, string | undefined]>([
    ['KAFKA_MIN_INSYNC_REPLICAS', 'min.insync.replicas'],
    ['KAFKA_LISTENER_NAME_CLIENT_SCRAM___SHA___256_SASL_JAAS_CONFIG', 'listener.name.client.scram-sha-256.sasl.jaas.config'],
    ['KAFKA_CONFLUENT_SUPPORT_CUSTOMER__ID', 'confluent.support.customer_id'],
    ['KAFKA_OPTS', undefined],
    ['KAFKA_HEAP_OPTS', undefined],
    ['KAFKA_LOG4J_ROOT_LOGLEVEL', undefined],
    ['CLUSTER_ID', undefined],
  ])('apache/kafka (KafkaDockerWrapper) makes %s the property %s', (variable, property) => {
    expect(apacheKafkaProperty(variable)).toBe(property);
  });

  test.each<[string, string | undefined]>([
    ['KAFKA_CFG_MIN_INSYNC_REPLICAS', 'min.insync.replicas'],
    ['KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP', 'listener.security.protocol.map'],
    ['KAFKA_CFG_SASL_MECHANISM_INTER_BROKER_PROTOCOL', 'sasl.mechanism.inter.broker.protocol'],
    ['KAFKA_CFG_LISTENER_NAME_CLIENT_SASL_PLAINTEXT_X', 'listener.name.client.sasl_plaintext.x'],
    ['KAFKA_HEAP_OPTS', undefined],
    ['KAFKA_KRAFT_CLUSTER_ID', undefined],
  ])('bitnami/kafka (libkafka.sh) makes %s the property %s', (variable, property) => {
    expect(bitnamiKafkaProperty(variable)).toBe(property);
  });
});

describe('our own shape passes every Kafka rule', () => {
  test.each([OURS_CONTROLLER, OURS_BROKER])('%s: no finding', (name) => {
    const objects = fixture(OURS);
    for (const rule of KAFKA_RULES) {
      const outcome = judge(rule, objects, set(objects, name));
      expect(Array.isArray(outcome) ? outcome : []).toEqual([]);
    }
  });
});

/** What the bitnami/kafka chart defaults draw: Kafka's own defaults of one copy and a min ISR of 1. */
const BITNAMI_DEFAULT_DURABILITY = [
  `${CONTAINER}: default.replication.factor is unset, so Kafka's default 1 applies: a topic created without a replication factor ` +
    `keeps 1 copy, so losing 1 volume loses its data; allowed: 3 or more ${SYSTEM_OF_RECORD_BY_DEFAULT}`,
  `${CONTAINER}: min.insync.replicas is unset, so Kafka's default 1 applies: an acks=all write is acknowledged when only the ` +
    `leader has it, and lost when the leader fails before a follower copies it; allowed: 2 or more ${SYSTEM_OF_RECORD_BY_DEFAULT}`,
];

describe('kafka-durability-below-data-class: a Kafka system of record keeps 3 copies and acknowledges writes 2 of them hold', () => {
  test.each([OURS_CONTROLLER, OURS_BROKER])('Compliance: ours, %s (the file the start command names: /config/<role>.properties)', (name) => {
    const objects = fixture(OURS);
    expect(judge(KAFKA_DURABILITY_BELOW_DATA_CLASS, objects, set(objects, name))).toEqual([]);
  });

  test('Compliance: apache/kafka with a mounted server.properties, whose min.insync.replicas=1 the variable replaces', () => {
    const objects = fixture(APACHE);
    expect(judge(KAFKA_DURABILITY_BELOW_DATA_CLASS, objects, set(objects, APACHE_SET))).toEqual([]);
  });

  test('Noncompliance 1: the bitnami/kafka chart defaults, read from the ConfigMap its prepare-config init container copies', () => {
    const objects = fixture(BITNAMI);
    expect(judge(KAFKA_DURABILITY_BELOW_DATA_CLASS, objects, set(objects, BITNAMI_SET))).toEqual(BITNAMI_DEFAULT_DURABILITY);
  });

  test('Noncompliance 2: the apache/kafka quick-start variables, single-copy internal topics', () => {
    const objects = fixture(QUICKSTART);
    expect(judge(KAFKA_DURABILITY_BELOW_DATA_CLASS, objects, set(objects, QUICKSTART_SET))).toEqual([
      `${CONTAINER}: default.replication.factor is unset, so Kafka's default 1 applies: a topic created without a replication factor ` +
        'keeps 1 copy, so losing 1 volume loses its data; allowed: 3 or more',
      `${CONTAINER}: min.insync.replicas is unset, so Kafka's default 1 applies: an acks=all write is acknowledged when only the ` +
        'leader has it, and lost when the leader fails before a follower copies it; allowed: 2 or more',
      `${CONTAINER}.env[8]: offsets.topic.replication.factor is 1 in the KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR variable: the ` +
        'committed offsets of every consumer group (__consumer_offsets) keep 1 copy; allowed: 3 or more',
      `${CONTAINER}.env[9]: transaction.state.log.replication.factor is 1 in the KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR ` +
        'variable: the transaction log (__transaction_state) keeps 1 copy; allowed: 3 or more',
      `${CONTAINER}.env[10]: transaction.state.log.min.isr is 1 in the KAFKA_TRANSACTION_STATE_LOG_MIN_ISR variable: a transaction ` +
        'is committed when only one replica of the transaction log has its commit marker; allowed: 2 or more',
    ]);
  });

  test('Noncompliance 3: bitnami/kafka KAFKA_CFG_ variables: 2 copies, unclean election, and a min ISR equal to the copies', () => {
    const objects = fixture(BITNAMI_ENV);
    expect(judge(KAFKA_DURABILITY_BELOW_DATA_CLASS, objects, set(objects, BITNAMI_ENV_SET))).toEqual([
      `${CONTAINER}.env[7]: default.replication.factor is 2 in the KAFKA_CFG_DEFAULT_REPLICATION_FACTOR variable: a topic created ` +
        `without a replication factor keeps 2 copies, so losing 2 volumes loses its data; allowed: 3 or more ${SYSTEM_OF_RECORD_BY_DEFAULT}`,
      `${CONTAINER}.env[9]: unclean.leader.election.enable is true in the KAFKA_CFG_UNCLEAN_LEADER_ELECTION_ENABLE variable: a ` +
        'replica that missed acknowledged writes can become leader, and the others truncate those writes away to follow it; ' +
        `allowed: false ${SYSTEM_OF_RECORD_BY_DEFAULT}`,
      `${CONTAINER}.env[8]: min.insync.replicas 2 (in the KAFKA_CFG_MIN_INSYNC_REPLICAS variable) is not below ` +
        'default.replication.factor 2 (in the KAFKA_CFG_DEFAULT_REPLICATION_FACTOR variable): every acks=all write to a topic ' +
        'created with the default fails with NotEnoughReplicas while one replica is down (a restart, a drain); allowed: ' +
        'min.insync.replicas at most default.replication.factor - 1',
    ]);
  });

  test('Noncompliance 4: the variable wins over the mounted file, as KafkaDockerWrapper appends it', () => {
    const objects = edited(APACHE, 'StatefulSet', APACHE_SET, (sts) => (envOf(sts, 'KAFKA_MIN_INSYNC_REPLICAS').value = '3'));
    expect(judge(KAFKA_DURABILITY_BELOW_DATA_CLASS, objects, set(objects, APACHE_SET))).toEqual([
      `${CONTAINER}.env[3]: min.insync.replicas 3 (in the KAFKA_MIN_INSYNC_REPLICAS variable) is not below default.replication.factor ` +
        '3 (in ConfigMap payments-kafka-server key server.properties): every acks=all write to a topic created with the default ' +
        'fails with NotEnoughReplicas while one replica is down (a restart, a drain); allowed: min.insync.replicas at most ' +
        'default.replication.factor - 1',
    ]);
  });

  test('Noncompliance 5: without the variable the mounted file decides', () => {
    const objects = edited(APACHE, 'StatefulSet', APACHE_SET, (sts) => {
      serverOf(sts).env = serverOf(sts).env.filter((variable: any) => variable.name !== 'KAFKA_MIN_INSYNC_REPLICAS');
    });
    expect(judge(KAFKA_DURABILITY_BELOW_DATA_CLASS, objects, set(objects, APACHE_SET))).toEqual([
      `${CONTAINER}: min.insync.replicas is 1 in ConfigMap payments-kafka-server key server.properties: an acks=all write is ` +
        'acknowledged when only the leader has it, and lost when the leader fails before a follower copies it; allowed: 2 or more ' +
        SYSTEM_OF_RECORD_BY_DEFAULT,
    ]);
  });

  test("Noncompliance 6: a command of one's own skips the image's launcher, so the variables are no properties and the file decides", () => {
    const objects = edited(APACHE, 'StatefulSet', APACHE_SET, (sts) => {
      serverOf(sts).command = ['/opt/kafka/bin/kafka-server-start.sh', '/mnt/shared/config/server.properties'];
    });
    expect(judge(KAFKA_DURABILITY_BELOW_DATA_CLASS, objects, set(objects, APACHE_SET))).toEqual([
      `${CONTAINER}: min.insync.replicas is 1 in ConfigMap payments-kafka-server key server.properties: an acks=all write is ` +
        'acknowledged when only the leader has it, and lost when the leader fails before a follower copies it; allowed: 2 or more ' +
        SYSTEM_OF_RECORD_BY_DEFAULT,
    ]);
  });

  test('Noncompliance 7: --override on the command line wins over the file', () => {
    const objects = edited(APACHE, 'StatefulSet', APACHE_SET, (sts) => {
      serverOf(sts).command = [
        'sh',
        '-c',
        'exec /opt/kafka/bin/kafka-server-start.sh /mnt/shared/config/server.properties --override min.insync.replicas=2 ' +
          '--override unclean.leader.election.enable=true',
      ];
    });
    expect(judge(KAFKA_DURABILITY_BELOW_DATA_CLASS, objects, set(objects, APACHE_SET))).toEqual([
      `${CONTAINER}.command[2]: unclean.leader.election.enable is true in --override in the container command: a replica that missed ` +
        'acknowledged writes can become leader, and the others truncate those writes away to follow it; allowed: false ' +
        SYSTEM_OF_RECORD_BY_DEFAULT,
    ]);
  });

  test('Noncompliance 8: bitnami/kafka ignores its KAFKA_CFG_ variables once a server.properties is mounted', () => {
    const objects = edited(BITNAMI, 'StatefulSet', BITNAMI_SET, (sts) =>
      serverOf(sts).env.push({ name: 'KAFKA_CFG_DEFAULT_REPLICATION_FACTOR', value: '3' }, { name: 'KAFKA_CFG_MIN_INSYNC_REPLICAS', value: '2' }),
    );
    expect(judge(KAFKA_DURABILITY_BELOW_DATA_CLASS, objects, set(objects, BITNAMI_SET))).toEqual(BITNAMI_DEFAULT_DURABILITY);
  });

  test('Noncompliance 9: ours, a controller without default.replication.factor, which KRaft controllers apply to new topics', () => {
    const objects = withFile(OURS, OURS_CONFIG, 'controller.properties', (content) => content.replace('default.replication.factor=3\n', ''));
    expect(judge(KAFKA_DURABILITY_BELOW_DATA_CLASS, objects, set(objects, OURS_CONTROLLER))).toEqual([
      `${CONTAINER}: default.replication.factor is unset, so Kafka's default 1 applies: in KRaft the controllers give it to every topic ` +
        'created without a replication factor (kafka-topics.sh --create, the admin client), which then keeps 1 copy; allowed: 3 or more',
    ]);
  });

  test('Noncompliance 10: a cache still needs min.insync.replicas below the replication factor', () => {
    const objects = withFile(OURS, OURS_CONFIG, 'broker.properties', (content) =>
      content.replace('default.replication.factor=3', 'default.replication.factor=1'),
    );
    find(objects, 'StatefulSet', OURS_BROKER).metadata.annotations['stability-blueprints.io/data-class'] = 'cache';
    expect(judge(KAFKA_DURABILITY_BELOW_DATA_CLASS, objects, set(objects, OURS_BROKER))).toEqual([
      `${CONTAINER}: min.insync.replicas 2 (in ConfigMap events-kafka-config key broker.properties) is not below ` +
        'default.replication.factor 1 (in ConfigMap events-kafka-config key broker.properties): every acks=all write to a topic ' +
        'created with the default fails with NotEnoughReplicas, even with every replica up; allowed: min.insync.replicas at most ' +
        'default.replication.factor - 1',
    ]);
  });

  test('Compliance: a cache may keep fewer copies and elect unclean leaders', () => {
    const objects = edited(
      BITNAMI,
      'StatefulSet',
      BITNAMI_SET,
      (sts) => (sts.metadata.annotations = { 'stability-blueprints.io/data-class': 'cache' }),
    );
    expect(judge(KAFKA_DURABILITY_BELOW_DATA_CLASS, objects, set(objects, BITNAMI_SET))).toEqual([]);
  });

  test('Compliance: ours with the broker file mounted alone through subPath', () => {
    const objects = edited(OURS, 'StatefulSet', OURS_BROKER, (sts) => {
      serverOf(sts).command = ['sh', '/scripts/start-kafka.sh'];
      serverOf(sts).volumeMounts[0] = { name: 'config', mountPath: '/config/broker.properties', subPath: 'broker.properties' };
    });
    expect(judge(KAFKA_DURABILITY_BELOW_DATA_CLASS, objects, set(objects, OURS_BROKER))).toEqual([]);
  });

  test('Compliance: ours without a role argument: the role annotation picks broker.properties among the mounted files', () => {
    const objects = edited(OURS, 'StatefulSet', OURS_BROKER, (sts) => (serverOf(sts).command = ['sh', '/scripts/start-kafka.sh']));
    expect(judge(KAFKA_DURABILITY_BELOW_DATA_CLASS, objects, set(objects, OURS_BROKER))).toEqual([]);
  });

  test('Not applicable when several configuration files are mounted and nothing says which one the server reads', () => {
    const objects = edited(OURS, 'StatefulSet', OURS_BROKER, (sts) => {
      serverOf(sts).command = ['sh', '/scripts/start-kafka.sh'];
      delete sts.metadata.annotations['stability-blueprints.io/role'];
    });
    expect(judge(KAFKA_DURABILITY_BELOW_DATA_CLASS, objects, set(objects, OURS_BROKER))).toEqual({
      notApplicable: 'several configuration files (/config/broker.properties, /config/controller.properties) and no command naming one',
    });
  });

  test('Not applicable when the configuration is not among the checked objects', () => {
    const objects = fixture(BITNAMI).filter((object) => object.kind !== 'ConfigMap');
    expect(judge(KAFKA_DURABILITY_BELOW_DATA_CLASS, objects, set(objects, BITNAMI_SET))).toEqual({
      notApplicable: 'no server configuration among the checked objects (no mounted .properties file, variable or --override sets one)',
    });
  });

  test.each<[string, string]>([
    ['redis:7.4.1', 'a non-Kafka image'],
    ['docker.io/bitnami/kafka-exporter:1.8.0-debian-12-r10', 'a Kafka exporter'],
    ['danielqsj/kafka-exporter:v1.8.0', 'a Kafka exporter'],
    ['provectuslabs/kafka-ui:v0.7.2', 'a Kafka UI'],
  ])('Not applicable to %s (%s)', (image) => {
    const objects = edited(BITNAMI, 'StatefulSet', BITNAMI_SET, (sts) => (serverOf(sts).image = image));
    expect(judge(KAFKA_DURABILITY_BELOW_DATA_CLASS, objects, set(objects, BITNAMI_SET))).toEqual({
      notApplicable: 'no Kafka broker or controller container',
    });
  });

  test('Not applicable to Kafka Connect on the Strimzi Kafka image', () => {
    const objects = edited(BITNAMI, 'StatefulSet', BITNAMI_SET, (sts) => {
      serverOf(sts).image = 'quay.io/strimzi/kafka:0.45.0-kafka-3.9.0';
      serverOf(sts).command = ['/opt/kafka/kafka_connect_run.sh'];
    });
    expect(judge(KAFKA_DURABILITY_BELOW_DATA_CLASS, objects, set(objects, BITNAMI_SET))).toEqual({
      notApplicable: 'no Kafka broker or controller container',
    });
  });
});

describe('kafka-even-controller-quorum: the KRaft controller quorum has an odd number of voters, at least 3', () => {
  test.each<[string, string]>([
    [OURS, OURS_CONTROLLER],
    [OURS, OURS_BROKER],
    [BITNAMI, BITNAMI_SET],
    [APACHE, APACHE_SET],
  ])('Compliance: %s %s, 3 voters in controller.quorum.voters', (name, setName) => {
    const objects = fixture(name);
    expect(judge(KAFKA_EVEN_CONTROLLER_QUORUM, objects, set(objects, setName))).toEqual([]);
  });

  test('Noncompliance 1: four voters in a KAFKA_CFG_ variable of bitnami/kafka', () => {
    const objects = fixture(BITNAMI_ENV);
    expect(judge(KAFKA_EVEN_CONTROLLER_QUORUM, objects, set(objects, BITNAMI_ENV_SET))).toEqual([
      `${CONTAINER}.env[6]: controller.quorum.voters in the KAFKA_CFG_CONTROLLER_QUORUM_VOTERS variable lists 4 voters: a 2-2 split ` +
        'leaves neither side a majority, and 4 voters tolerate 1 loss, no more than 3 do; allowed: an odd number, at least 3',
    ]);
  });

  test("Noncompliance 2: the quick-start's single voter in a StatefulSet of 3", () => {
    const objects = fixture(QUICKSTART);
    expect(judge(KAFKA_EVEN_CONTROLLER_QUORUM, objects, set(objects, QUICKSTART_SET))).toEqual([
      `${CONTAINER}.env[7]: controller.quorum.voters in the KAFKA_CONTROLLER_QUORUM_VOTERS variable lists 1 voter: with a StatefulSet ` +
        'of 3 replicas, the loss of that one controller stops every metadata change (leader elections, topic creation, broker ' +
        'registration); allowed: an odd number, at least 3',
    ]);
  });

  test('Noncompliance 3: a dynamic quorum of 4 controllers, each replica a voter', () => {
    const objects = withFile(OURS, OURS_CONFIG, 'controller.properties', (content) =>
      content.replace(/controller\.quorum\.voters=[^\n]*\\\n[^\n]*\\\n[^\n]*\n/, 'controller.quorum.bootstrap.servers=events-controller-0:9093\n'),
    );
    const controllers = set(objects, OURS_CONTROLLER);
    controllers.spec.replicas = 4;
    controllers.metadata.annotations = {};
    expect(judge(KAFKA_EVEN_CONTROLLER_QUORUM, objects, controllers)).toEqual([
      'spec.replicas: 4 controllers (process.roles is controller in ConfigMap events-kafka-config key controller.properties, no ' +
        'controller.quorum.voters: every replica is a voter): a 2-2 split leaves neither side a majority, and 4 voters tolerate 1 ' +
        'loss, no more than 3 do; allowed: an odd number, at least 3',
    ]);
  });

  test('Not applicable to a dynamic quorum annotated with a consensus and a quorum: quorum-is-majority judges it', () => {
    const objects = withFile(OURS, OURS_CONFIG, 'controller.properties', (content) =>
      content.replace(/controller\.quorum\.voters=[^\n]*\\\n[^\n]*\\\n[^\n]*\n/, 'controller.quorum.bootstrap.servers=events-controller-0:9093\n'),
    );
    expect(judge(KAFKA_EVEN_CONTROLLER_QUORUM, objects, set(objects, OURS_CONTROLLER))).toEqual({
      notApplicable:
        'annotated stability-blueprints.io/consensus: majority with a stability-blueprints.io/quorum: quorum-is-majority judges its size',
    });
  });

  test('Not applicable to brokers of a dynamic quorum, which do not show the voters', () => {
    const objects = withFile(OURS, OURS_CONFIG, 'broker.properties', (content) =>
      content.replace(/controller\.quorum\.voters=[^\n]*\\\n[^\n]*\\\n[^\n]*\n/, 'controller.quorum.bootstrap.servers=events-controller-0:9093\n'),
    );
    expect(judge(KAFKA_EVEN_CONTROLLER_QUORUM, objects, set(objects, OURS_BROKER))).toEqual({
      notApplicable: 'no controller.quorum.voters and no process.roles with controller: the voters are not known',
    });
  });

  test('Compliance: a lone single-replica node with itself as the only voter', () => {
    const objects = edited(QUICKSTART, 'StatefulSet', QUICKSTART_SET, (sts) => (sts.spec.replicas = 1));
    expect(judge(KAFKA_EVEN_CONTROLLER_QUORUM, objects, set(objects, QUICKSTART_SET))).toEqual([]);
  });
});

describe("kafka-default-cluster-id: a KRaft cluster on apache/kafka is formatted with its own id, not the image's default", () => {
  test('Compliance: a CLUSTER_ID of its own', () => {
    const objects = fixture(APACHE);
    expect(judge(KAFKA_DEFAULT_CLUSTER_ID, objects, set(objects, APACHE_SET))).toEqual([]);
  });

  test.each([OURS_CONTROLLER, OURS_BROKER])('Compliance: ours, %s, CLUSTER_ID from a Secret', (name) => {
    const objects = fixture(OURS);
    expect(judge(KAFKA_DEFAULT_CLUSTER_ID, objects, set(objects, name))).toEqual([]);
  });

  test("Noncompliance 1: the quick-start variables without CLUSTER_ID, started by the image's command", () => {
    const objects = fixture(QUICKSTART);
    expect(judge(KAFKA_DEFAULT_CLUSTER_ID, objects, set(objects, QUICKSTART_SET))).toEqual([
      `${CONTAINER}: CLUSTER_ID is unset, so the image's start command formats the storage with its default 5L6g3nShT-eMCtK--X86sw: ` +
        "every cluster started this way shares it, so a node or volume of one can join another's quorum; allowed: the cluster's own " +
        'id from kafka-storage.sh random-uuid',
    ]);
  });

  test("Noncompliance 2: the image's default id copied into CLUSTER_ID", () => {
    const objects = edited(APACHE, 'StatefulSet', APACHE_SET, (sts) => (envOf(sts, 'CLUSTER_ID').value = '5L6g3nShT-eMCtK--X86sw'));
    expect(judge(KAFKA_DEFAULT_CLUSTER_ID, objects, set(objects, APACHE_SET))).toEqual([
      `${CONTAINER}.env[1]: CLUSTER_ID is the image's default 5L6g3nShT-eMCtK--X86sw in the CLUSTER_ID variable: every cluster ` +
        "started this way shares it, so a node or volume of one can join another's quorum; allowed: the cluster's own id from " +
        'kafka-storage.sh random-uuid',
    ]);
  });

  test('Noncompliance 3: the default id in a ConfigMap key that CLUSTER_ID reads', () => {
    const objects = edited(APACHE, 'StatefulSet', APACHE_SET, (sts) => {
      const clusterId = envOf(sts, 'CLUSTER_ID');
      delete clusterId.value;
      clusterId.valueFrom = { configMapKeyRef: { name: 'payments-kafka-server', key: 'cluster.id' } };
    });
    find(objects, 'ConfigMap', APACHE_CONFIG).data['cluster.id'] = '5L6g3nShT-eMCtK--X86sw';
    expect(judge(KAFKA_DEFAULT_CLUSTER_ID, objects, set(objects, APACHE_SET))).toEqual([
      `${CONTAINER}.env[1]: CLUSTER_ID is the image's default 5L6g3nShT-eMCtK--X86sw in the CLUSTER_ID variable (ConfigMap ` +
        'payments-kafka-server key cluster.id): every cluster started this way shares it, so a node or volume of one can join ' +
        "another's quorum; allowed: the cluster's own id from kafka-storage.sh random-uuid",
    ]);
  });

  test("Noncompliance 4: ours without CLUSTER_ID, its start script handing over to the image's launcher", () => {
    const objects = withFile(OURS, 'events-kafka-scripts', 'start-kafka.sh', (script) =>
      script.replace(/\/opt\/kafka\/bin\/kafka-storage\.sh[^\n]*\nexec [^\n]*\n/, 'exec /etc/kafka/docker/run\n'),
    );
    const brokers = set(objects, OURS_BROKER);
    serverOf(brokers).env = serverOf(brokers).env.filter((variable: any) => variable.name !== 'CLUSTER_ID');
    expect(judge(KAFKA_DEFAULT_CLUSTER_ID, objects, brokers)).toEqual([
      `${CONTAINER}: CLUSTER_ID is unset, so the image's start command formats the storage with its default 5L6g3nShT-eMCtK--X86sw: ` +
        "every cluster started this way shares it, so a node or volume of one can join another's quorum; allowed: the cluster's own " +
        'id from kafka-storage.sh random-uuid',
    ]);
  });

  test('Not applicable to an unset CLUSTER_ID when a start command of its own formats the storage', () => {
    const objects = edited(OURS, 'StatefulSet', OURS_BROKER, (sts) => {
      serverOf(sts).env = serverOf(sts).env.filter((variable: any) => variable.name !== 'CLUSTER_ID');
    });
    expect(judge(KAFKA_DEFAULT_CLUSTER_ID, objects, set(objects, OURS_BROKER))).toEqual({
      notApplicable: 'the container runs its own start command, which formats the storage: an unset CLUSTER_ID is not judged',
    });
  });

  test('Not applicable when an envFrom the checked objects do not hold may set CLUSTER_ID', () => {
    const objects = edited(QUICKSTART, 'StatefulSet', QUICKSTART_SET, (sts) => (serverOf(sts).envFrom = [{ secretRef: { name: 'orders-kafka' } }]));
    expect(judge(KAFKA_DEFAULT_CLUSTER_ID, objects, set(objects, QUICKSTART_SET))).toEqual({
      notApplicable: 'CLUSTER_ID may come from an envFrom the checked objects do not hold or from the start command',
    });
  });

  test('Not applicable to other images, which have no default id', () => {
    const objects = fixture(BITNAMI);
    expect(judge(KAFKA_DEFAULT_CLUSTER_ID, objects, set(objects, BITNAMI_SET))).toEqual({
      notApplicable: 'not the apache/kafka image (docker.io/bitnami/kafka:3.9.0-debian-12-r6): it has no default cluster id',
    });
  });
});

describe('kafka-combined-mode-critical: a CRITICAL Kafka cluster runs dedicated controllers', () => {
  test.each([OURS_CONTROLLER, OURS_BROKER])('Compliance: ours, %s, a dedicated role', (name) => {
    const objects = fixture(OURS);
    expect(judge(KAFKA_COMBINED_MODE_CRITICAL, objects, set(objects, name))).toEqual([]);
  });

  test('Noncompliance 1: the quick-start combined node on a critical workload', () => {
    const objects = fixture(QUICKSTART);
    expect(judge(KAFKA_COMBINED_MODE_CRITICAL, objects, set(objects, QUICKSTART_SET))).toEqual([
      `${CONTAINER}.env[2]: process.roles is broker,controller in the KAFKA_PROCESS_ROLES variable on a stability-blueprints.io/tier: ` +
        'critical workload: combined mode is not recommended for critical deployments, since its controllers cannot be rolled apart ' +
        'from the brokers; allowed: broker or controller, in separate StatefulSets',
    ]);
  });

  test('Noncompliance 2: the bitnami/kafka chart default (controller,broker) annotated critical', () => {
    const objects = edited(BITNAMI, 'StatefulSet', BITNAMI_SET, (sts) => (sts.metadata.annotations = { 'stability-blueprints.io/tier': 'critical' }));
    expect(judge(KAFKA_COMBINED_MODE_CRITICAL, objects, set(objects, BITNAMI_SET))).toEqual([
      `${CONTAINER}: process.roles is controller,broker in ConfigMap events-kafka-controller-configuration key server.properties ` +
        '(copied by init container prepare-config) on a stability-blueprints.io/tier: critical workload: combined mode is not ' +
        'recommended for critical deployments, since its controllers cannot be rolled apart from the brokers; allowed: broker or ' +
        'controller, in separate StatefulSets',
    ]);
  });

  test('Not applicable below the critical tier', () => {
    const objects = fixture(APACHE);
    expect(judge(KAFKA_COMBINED_MODE_CRITICAL, objects, set(objects, APACHE_SET))).toEqual({
      notApplicable: 'not annotated stability-blueprints.io/tier: critical',
    });
  });
});

describe('kafka-advertised-pod-ip: Kafka brokers advertise a stable name, not the pod IP', () => {
  test.each<[string, string]>([
    [APACHE, APACHE_SET],
    [BITNAMI, BITNAMI_SET],
  ])('Compliance: %s %s advertises pod names', (name, setName) => {
    const objects = fixture(name);
    expect(judge(KAFKA_ADVERTISED_POD_IP, objects, set(objects, setName))).toEqual([]);
  });

  test('Not applicable to ours: the start script writes advertised.listeners from $POD_NAME at run time', () => {
    const objects = fixture(OURS);
    expect(judge(KAFKA_ADVERTISED_POD_IP, objects, set(objects, OURS_BROKER))).toEqual({
      notApplicable: 'no advertised.listeners in the configuration the checked objects hold (a start script may write it at run time)',
    });
  });

  test('Noncompliance 1: the quick-start advertises $(POD_IP)', () => {
    const objects = fixture(QUICKSTART);
    expect(judge(KAFKA_ADVERTISED_POD_IP, objects, set(objects, QUICKSTART_SET))).toEqual([
      `${CONTAINER}.env[4]: advertised.listeners is PLAINTEXT://$(POD_IP):9092 in the KAFKA_ADVERTISED_LISTENERS variable, which ` +
        'advertises the pod IP (POD_IP, from status.podIP): clients cache broker addresses and a restarted pod gets a new IP, so ' +
        "they connect to an address that is gone or another pod's; allowed: a stable name per pod, such as " +
        '$(POD_NAME).<headless Service>.<namespace>.svc',
    ]);
  });

  test('Noncompliance 2: a KAFKA_CFG_ variable of bitnami/kafka advertises $(MY_POD_IP)', () => {
    const objects = fixture(BITNAMI_ENV);
    expect(judge(KAFKA_ADVERTISED_POD_IP, objects, set(objects, BITNAMI_ENV_SET))).toEqual([
      `${CONTAINER}.env[5]: advertised.listeners is PLAINTEXT://$(MY_POD_IP):9092 in the KAFKA_CFG_ADVERTISED_LISTENERS variable, ` +
        'which advertises the pod IP (MY_POD_IP, from status.podIP): clients cache broker addresses and a restarted pod gets a new ' +
        "IP, so they connect to an address that is gone or another pod's; allowed: a stable name per pod, such as " +
        '$(POD_NAME).<headless Service>.<namespace>.svc',
    ]);
  });

  test('Noncompliance 3: a variable built from the pod IP, referenced in the mounted file', () => {
    const objects = withFile(APACHE, APACHE_CONFIG, 'server.properties', (content) => `${content}advertised.listeners=PLAINTEXT://\${HOST}:9092\n`);
    const kafka = set(objects, APACHE_SET);
    serverOf(kafka).env = [
      ...serverOf(kafka).env.filter((variable: any) => variable.name !== 'KAFKA_ADVERTISED_LISTENERS'),
      { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'HOST', value: '$(POD_IP)' },
    ];
    expect(judge(KAFKA_ADVERTISED_POD_IP, objects, kafka)).toEqual([
      `${CONTAINER}: advertised.listeners is PLAINTEXT://\${HOST}:9092 in ConfigMap payments-kafka-server key server.properties, ` +
        'which advertises the pod IP (HOST, built from POD_IP): clients cache broker addresses and a restarted pod gets a new IP, so ' +
        "they connect to an address that is gone or another pod's; allowed: a stable name per pod, such as " +
        '$(POD_NAME).<headless Service>.<namespace>.svc',
    ]);
  });

  test('Noncompliance 4: `hostname -i` in an --override, and a literal IP in the bitnami chart file', () => {
    const overridden = edited(APACHE, 'StatefulSet', APACHE_SET, (sts) => {
      serverOf(sts).args = ['--override', 'advertised.listeners=PLAINTEXT://$(hostname -i):9092'];
    });
    const literal = withFile(BITNAMI, BITNAMI_CONFIG, 'server.properties', (content) =>
      content.replace('CLIENT://advertised-address-placeholder:9092', 'CLIENT://10.42.0.17:9092'),
    );
    expect(judge(KAFKA_ADVERTISED_POD_IP, overridden, set(overridden, APACHE_SET))).toEqual([
      `${CONTAINER}.args[1]: advertised.listeners is PLAINTEXT://$(hostname -i):9092 in --override in the container args, which advertises ` +
        'the pod IP (hostname -i): clients cache broker addresses and a restarted pod gets a new IP, so they connect to an address ' +
        "that is gone or another pod's; allowed: a stable name per pod, such as $(POD_NAME).<headless Service>.<namespace>.svc",
    ]);
    expect(judge(KAFKA_ADVERTISED_POD_IP, literal, set(literal, BITNAMI_SET))).toEqual([
      `${CONTAINER}: advertised.listeners is CLIENT://10.42.0.17:9092,INTERNAL://advertised-address-placeholder:9094 in ConfigMap ` +
        'events-kafka-controller-configuration key server.properties (copied by init container prepare-config), which advertises ' +
        'the literal IP 10.42.0.17: clients cache broker addresses and a restarted pod gets a new IP, so they connect to an address ' +
        "that is gone or another pod's; allowed: a stable name per pod, such as $(POD_NAME).<headless Service>.<namespace>.svc",
    ]);
  });
});
