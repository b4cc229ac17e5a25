import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KAFKA_IMAGE_DEFAULT_CLUSTER_ID, RackSource, Tier } from '../../../lib';
import { CLUSTER, KafkaPod, NAMESPACE, objectNamed, propertyLines, synthesizeKafka } from './harness';

/**
 * The pod scripts of KafkaCluster, run unmodified from the library with the environment and files the synthesized
 * StatefulSets give each pod. No Kafka can be installed on these machines (no registry here ships one), so the Kafka
 * tools they call are a stand-in (standin/kafka-tools.cjs) that replays what Kafka 4.1 prints in each case, and the
 * broker's metrics come from a local server replaying the JMX exporter's text. What this proves: every decision the
 * scripts take on those outputs. What it does not: that a real Kafka prints them (see standin/README.md).
 */

const objects = synthesizeKafka();
const CLUSTER_ID = objectNamed(objects, 'StatefulSet', `${CLUSTER}-broker`).spec.template.spec.containers[0].env.find(
  (variable: any) => variable.name === 'CLUSTER_ID',
).value as string;
const FOREIGN_CLUSTER_ID = 'MkU3OEVBNTcwNTJENDM2Qg';
const host = (role: string, ordinal: number) => `${CLUSTER}-${role}-${ordinal}.${CLUSTER}-${role}-headless.${NAMESPACE}.svc.cluster.local`;
const VOTERS = [0, 1, 2].map((ordinal) => `${9000 + ordinal}@${host('controller', ordinal)}:9093`).join(',');

const pods: KafkaPod[] = [];
function pod(role: 'broker' | 'controller', ordinal: number, options?: ConstructorParameters<typeof KafkaPod>[3], from = objects): KafkaPod {
  const created = new KafkaPod(from, role, ordinal, options);
  pods.push(created);
  return created;
}
afterAll(() => pods.forEach((created) => created.destroy()));

function withRack(broker: KafkaPod, zone: string): KafkaPod {
  writeFileSync(join(broker.rackDir, 'rack.id'), `${zone}\n`);
  return broker;
}

describe('start-kafka.sh', () => {
  test('GIVEN an empty volume WHEN a broker starts THEN it formats the volume once for the cluster id and starts with its identity, quorum, names and zone', async () => {
    // GIVEN
    const broker = withRack(pod('broker', 1), 'eu-west-1b');

    // WHEN
    const result = await broker.run('start-kafka.sh', ['broker']);

    // THEN
    expect(result.status).toBe(0);
    const meta = readFileSync(join(broker.dataDir, 'meta.properties'), 'utf8');
    expect(meta).toContain(`cluster.id=${CLUSTER_ID}`);
    expect(meta).toContain('node.id=1');
    const formats = broker.calls().filter((call) => call.tool === 'kafka-storage.sh');
    expect(formats.map((call) => call.args)).toEqual([
      ['format', `--cluster-id=${CLUSTER_ID}`, `--config=${join(broker.runDir, 'server.properties')}`],
    ]);
    // The tool's JVM neither loads the exporter agent (its port is the broker's) nor takes the broker's heap.
    expect(formats[0].env).toEqual({ KAFKA_OPTS: '', KAFKA_HEAP_OPTS: '-Xms32m -Xmx128m', KAFKA_JMX_OPTS: '' });
    expect(result.stderr).toContain(`formatting ${broker.dataDir} for cluster ${CLUSTER_ID} as node 1 (first start of this volume)`);
    const started = propertyLines(broker.started() ?? '');
    expect(started.slice(-4)).toEqual([
      ['node.id', '1'],
      ['controller.quorum.voters', VOTERS],
      ['advertised.listeners', `CLIENT://${host('broker', 1)}:9092,REPLICATION://${host('broker', 1)}:9091`],
      ['broker.rack', 'eu-west-1b'],
    ]);
    const server = broker.calls().find((call) => call.tool === 'kafka-server-start.sh');
    expect(server?.env.KAFKA_OPTS).toBe(
      '-javaagent:/opt/jmx-exporter/jmx_prometheus_javaagent.jar=9404:' + join(broker.configDir, 'jmx-exporter.yaml'),
    );
    expect(server?.env.KAFKA_HEAP_OPTS).toBe('-Xms1024m -Xmx1024m');
  });

  test('GIVEN a volume formatted for this cluster and node WHEN the broker restarts THEN it starts on it without formatting', async () => {
    // GIVEN
    const broker = withRack(pod('broker', 2), 'eu-west-1c');
    broker.writeMeta(CLUSTER_ID, 2);

    // WHEN
    const result = await broker.run('start-kafka.sh', ['broker']);

    // THEN
    expect(result.status).toBe(0);
    expect(broker.calls().map((call) => call.tool)).toEqual(['kafka-server-start.sh']);
    expect(result.stderr).toContain(`${broker.dataDir} is formatted for cluster ${CLUSTER_ID} as node 2: starting on it`);
  });

  test('GIVEN a volume formatted for another cluster WHEN the broker starts THEN it refuses, says why, and neither formats nor starts', async () => {
    // GIVEN
    const broker = withRack(pod('broker', 0), 'eu-west-1a');
    broker.writeMeta(FOREIGN_CLUSTER_ID, 0);

    // WHEN
    const result = await broker.run('start-kafka.sh', ['broker']);

    // THEN
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      `refusing to start: ${broker.dataDir} was formatted for cluster ${FOREIGN_CLUSTER_ID}, and this pod belongs to cluster ${CLUSTER_ID}; ` +
        'a volume of another cluster must never join this one (delete the claim only if its data is not needed)',
    );
    expect(broker.calls()).toEqual([]);
    expect(readFileSync(join(broker.dataDir, 'meta.properties'), 'utf8')).toContain(`cluster.id=${FOREIGN_CLUSTER_ID}`);
  });

  test('GIVEN a volume of another node of this cluster WHEN the broker starts THEN it refuses', async () => {
    // GIVEN
    const broker = withRack(pod('broker', 0), 'eu-west-1a');
    broker.writeMeta(CLUSTER_ID, 2);

    // WHEN
    const result = await broker.run('start-kafka.sh', ['broker']);

    // THEN
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      `refusing to start: ${broker.dataDir} holds node 2 of cluster ${CLUSTER_ID}, and this pod is node 0; two nodes with one volume's identity would split its replicas`,
    );
    expect(broker.started()).toBeUndefined();
  });

  test('GIVEN an empty volume WHEN a controller starts THEN it takes node id 9000 + ordinal and advertises nothing', async () => {
    // GIVEN
    const controller = pod('controller', 2);

    // WHEN
    const result = await controller.run('start-kafka.sh', ['controller']);

    // THEN
    expect(result.status).toBe(0);
    expect(readFileSync(join(controller.dataDir, 'meta.properties'), 'utf8')).toContain('node.id=9002');
    const started = propertyLines(controller.started() ?? '');
    expect(started.slice(-2)).toEqual([
      ['node.id', '9002'],
      ['controller.quorum.voters', VOTERS],
    ]);
    expect(started.map(([key]) => key)).not.toContain('advertised.listeners');
    expect(started.map(([key]) => key)).not.toContain('broker.rack');
  });

  test('GIVEN kafka-storage.sh fails WHEN a node starts THEN the script stops with the tool output', async () => {
    // GIVEN
    const controller = pod('controller', 0);
    controller.standin({ format: 'fail', formatError: 'java.io.IOException: No space left on device' });

    // WHEN
    const result = await controller.run('start-kafka.sh', ['controller']);

    // THEN
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('formatting failed: java.io.IOException: No space left on device');
    expect(controller.started()).toBeUndefined();
  });

  test('GIVEN kafka-storage.sh reports success but writes no meta.properties WHEN a node starts THEN it refuses to start', async () => {
    // GIVEN
    const controller = pod('controller', 1);
    controller.standin({ format: 'success-without-meta' });

    // WHEN
    const result = await controller.run('start-kafka.sh', ['controller']);

    // THEN
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      `refusing to start: kafka-storage.sh format reported success but ${join(controller.dataDir, 'meta.properties')} does not hold cluster ${CLUSTER_ID}`,
    );
    expect(controller.started()).toBeUndefined();
  });

  test('GIVEN the caught-up mark of the previous container WHEN a broker starts again THEN the mark is gone, so readiness waits for a new catch-up', async () => {
    // GIVEN
    const broker = withRack(pod('broker', 1), 'eu-west-1b');
    broker.writeMeta(CLUSTER_ID, 1);
    writeFileSync(join(broker.runDir, 'caught-up'), '');

    // WHEN
    const result = await broker.run('start-kafka.sh', ['broker']);

    // THEN
    expect(result.status).toBe(0);
    expect(existsSync(join(broker.runDir, 'caught-up'))).toBe(false);
  });

  test('GIVEN an unknown role or a pod name without an ordinal WHEN the script starts THEN it stops before touching the volume', async () => {
    // GIVEN
    const broker = pod('broker', 0);

    // WHEN
    const unknownRole = await broker.run('start-kafka.sh', ['zookeeper']);
    const noOrdinal = await broker.run('start-kafka.sh', ['broker'], { POD_NAME: 'order-events-broker' });

    // THEN
    expect(unknownRole.status).toBe(2);
    expect(unknownRole.stderr).toContain('unknown role zookeeper: broker or controller');
    expect(noOrdinal.status).not.toBe(0);
    expect(noOrdinal.stderr).toContain('cannot read an ordinal from the pod name order-events-broker');
    expect(broker.calls()).toEqual([]);
  });

  test('GIVEN RackSource.NODE_LABEL and no zone written by the init container WHEN a broker starts THEN it refuses to start without broker.rack', async () => {
    // GIVEN
    const broker = pod('broker', 0);

    // WHEN
    const result = await broker.run('start-kafka.sh', ['broker']);

    // THEN
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      `refusing to start: no zone in ${join(broker.rackDir, 'rack.id')} (written by rack-from-node.sh); a broker without broker.rack could hold every copy of a partition in one zone`,
    );
    expect(broker.calls()).toEqual([]);
  });

  test('GIVEN RackSource.POD_LABEL WHEN a broker starts THEN broker.rack is the pod label, and a pod without it does not start', async () => {
    // GIVEN
    const fromPodLabel = synthesizeKafka({ rackSource: RackSource.POD_LABEL });
    const labelled = pod('broker', 0, { labels: { 'topology.kubernetes.io/zone': 'eu-west-1a' } }, fromPodLabel);
    const unlabelled = pod('broker', 1, {}, fromPodLabel);

    // WHEN
    const started = await labelled.run('start-kafka.sh', ['broker']);
    const refused = await unlabelled.run('start-kafka.sh', ['broker']);

    // THEN
    expect(started.status).toBe(0);
    expect(propertyLines(labelled.started() ?? '').at(-1)).toEqual(['broker.rack', 'eu-west-1a']);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('refusing to start: no zone in the pod label topology.kubernetes.io/zone (downward API)');
  });

  test('GIVEN RackSource.NONE outside the CRITICAL tier WHEN a broker starts THEN it starts without broker.rack', async () => {
    // GIVEN
    const noRacks = synthesizeKafka({ rackSource: RackSource.NONE }, { tier: Tier.STANDARD });
    const broker = pod('broker', 0, {}, noRacks);

    // WHEN
    const result = await broker.run('start-kafka.sh', ['broker']);

    // THEN
    expect(result.status).toBe(0);
    expect(propertyLines(broker.started() ?? '').map(([key]) => key)).not.toContain('broker.rack');
  });

  test('GIVEN the effective server.properties of a broker and a controller THEN every key exists in Kafka 4.x, applies to the role, and has a valid value', async () => {
    // GIVEN
    const broker = withRack(pod('broker', 0), 'eu-west-1a');
    const controller = pod('controller', 0);
    await broker.run('start-kafka.sh', ['broker']);
    await controller.run('start-kafka.sh', ['controller']);
    const reference = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'kafka-4-config-reference.json'), 'utf8'));

    // THEN
    for (const [role, started] of [
      ['broker', broker.started()],
      ['controller', controller.started()],
    ] as const) {
      const lines = propertyLines(started ?? '');
      expect(new Set(lines.map(([key]) => key)).size).toBe(lines.length);
      for (const [key, value] of lines) {
        const entry = reference[key];
        expect({ key, known: entry !== undefined }).toEqual({ key, known: true });
        expect({ key, roles: entry.roles.includes(role) }).toEqual({ key, roles: true });
        expect({ key, value, valid: validValue(entry, value) }).toEqual({ key, value, valid: true });
      }
    }
  });

  test('GIVEN the image default cluster id THEN no synthesized pod can start with it', () => {
    // THEN
    for (const role of ['broker', 'controller']) {
      const env = objectNamed(objects, 'StatefulSet', `${CLUSTER}-${role}`).spec.template.spec.containers[0].env;
      expect(env.find((variable: any) => variable.name === 'CLUSTER_ID').value).not.toBe(KAFKA_IMAGE_DEFAULT_CLUSTER_ID);
    }
  });
});

/** Whether `value` fits the reference entry's type, range and allowed values. */
function validValue(entry: any, value: string): boolean {
  if (entry.validValues && !entry.validValues.includes(value)) {
    return false;
  }
  switch (entry.type) {
    case 'int':
    case 'long':
    case 'short':
      return /^-?\d+$/.test(value) && (entry.min === undefined || Number(value) >= entry.min);
    case 'boolean':
      return value === 'true' || value === 'false';
    default:
      return value.trim() !== '';
  }
}

/** Starts `server` on a free port of `host` (loopback; `::` takes IPv4 and IPv6 alike). */
async function listen(server: Server, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((ready) => server.listen(0, host, ready));
  return (server.address() as AddressInfo).port;
}

describe('probe-kafka.sh', () => {
  let metrics = '';
  let metricsPort = 0;
  const agent = createHttpServer((request, response) => {
    response.writeHead(request.url === '/metrics' ? 200 : 404, { 'content-type': 'text/plain; version=0.0.4' }).end(metrics);
  });
  beforeAll(async () => {
    metricsPort = await listen(agent);
  });
  afterAll(() => agent.close());

  /**
   * What the JMX exporter agent prints for a broker (the alert tests' fixture, see test/observability/fixtures/kafka),
   * with the two series the readiness reads set to `brokerState` and `underReplicated`.
   */
  function exported(brokerState: number, underReplicated: number): string {
    return readFileSync(join(__dirname, '../../observability/fixtures/kafka/broker.prom'), 'utf8')
      .replace(/^kafka_server_kafkaserver_brokerstate .*$/m, `kafka_server_kafkaserver_brokerstate ${brokerState}.0`)
      .replace(
        /^kafka_server_replicamanager_underreplicatedpartitions .*$/m,
        `kafka_server_replicamanager_underreplicatedpartitions ${underReplicated}.0`,
      );
  }

  function readiness(broker: KafkaPod) {
    return broker.run('probe-kafka.sh', ['broker', 'readiness'], { METRICS_PORT: String(metricsPort) });
  }

  test('GIVEN a RUNNING broker without under-replicated partitions WHEN readiness runs THEN it is ready and remembers it caught up', async () => {
    // GIVEN
    const broker = pod('broker', 0);
    metrics = exported(3, 0);

    // WHEN
    const result = await readiness(broker);

    // THEN
    expect(result).toEqual(expect.objectContaining({ status: 0, stdout: '' }));
    expect(existsSync(join(broker.runDir, 'caught-up'))).toBe(true);
  });

  test('GIVEN a restarted broker still catching up WHEN readiness runs THEN it is not ready, so the roll waits; once caught up, later under-replication does not take it out', async () => {
    // GIVEN
    const broker = pod('broker', 1);
    metrics = exported(3, 4);

    // WHEN
    const catchingUp = await readiness(broker);
    metrics = exported(3, 0);
    const caughtUp = await readiness(broker);
    metrics = exported(3, 7);
    const otherBrokerDown = await readiness(broker);

    // THEN
    expect(catchingUp).toEqual(expect.objectContaining({ status: 1, stdout: 'catching up after its start: 4.0 under-replicated partitions\n' }));
    expect(caughtUp.status).toBe(0);
    expect(otherBrokerDown.status).toBe(0);
  });

  test('GIVEN a broker that is not RUNNING WHEN readiness runs THEN it is not ready and names the state', async () => {
    // GIVEN
    const broker = pod('broker', 2);
    metrics = exported(1, 0);

    // WHEN
    const result = await readiness(broker);

    // THEN
    expect(result).toEqual(expect.objectContaining({ status: 1, stdout: 'broker state 1.0, not RUNNING (3)\n' }));
  });

  test('GIVEN the agent answers without the broker state, or without the under-replicated count WHEN readiness runs THEN the broker is not ready', async () => {
    // GIVEN
    const broker = pod('broker', 1);

    // WHEN
    metrics = exported(3, 0).replace(/^kafka_server_kafkaserver_brokerstate .*$/m, '');
    const noState = await readiness(broker);
    metrics = exported(3, 0).replace(/^kafka_server_replicamanager_underreplicatedpartitions .*$/m, '');
    const noCount = await readiness(broker);

    // THEN
    expect(noState).toEqual(expect.objectContaining({ status: 1, stdout: 'no broker state in the metrics yet\n' }));
    expect(noCount).toEqual(
      expect.objectContaining({ status: 1, stdout: 'catching up after its start: an unknown number of under-replicated partitions\n' }),
    );
    expect(existsSync(join(broker.runDir, 'caught-up'))).toBe(false);
  });

  test('GIVEN a probe the manifests do not define WHEN it runs THEN it fails with a usage error', async () => {
    // WHEN
    const result = await pod('controller', 0).run('probe-kafka.sh', ['controller', 'startup']);

    // THEN
    expect(result).toEqual(expect.objectContaining({ status: 2, stderr: 'no startup probe for a controller\n' }));
  });

  test('GIVEN the agent does not listen yet (the JVM is starting) WHEN readiness runs THEN the broker is not ready', async () => {
    // GIVEN
    const broker = pod('broker', 0);
    const closed = createHttpServer();
    const closedPort = await listen(closed);
    await new Promise((closing) => closed.close(closing));

    // WHEN
    const result = await broker.run('probe-kafka.sh', ['broker', 'readiness'], { METRICS_PORT: String(closedPort) });

    // THEN
    expect(result).toEqual(expect.objectContaining({ status: 1, stdout: `the JMX exporter agent does not answer on port ${closedPort}\n` }));
  });

  test.each([
    ['the metadata lists the broker and it answers', [{ id: 0 }, { id: 1 }, { id: 2 }], 0, ''],
    ['the metadata does not list the broker yet', [{ id: 0 }, { id: 2 }], 1, "the cluster's metadata does not list broker 1 yet\n"],
  ])('GIVEN %s WHEN the broker startup probe runs THEN it exits %s', async (_case, brokers, status, stdout) => {
    // GIVEN
    const broker = pod('broker', 1);
    broker.standin({ brokers });

    // WHEN
    const result = await broker.run('probe-kafka.sh', ['broker', 'startup']);

    // THEN
    expect(result).toEqual(expect.objectContaining({ status, stdout }));
    const call = broker.calls()[0];
    expect(call).toEqual({
      tool: 'kafka-broker-api-versions.sh',
      args: ['--bootstrap-server', 'localhost:9091'],
      env: { KAFKA_OPTS: '', KAFKA_HEAP_OPTS: '-Xms32m -Xmx128m', KAFKA_JMX_OPTS: '' },
    });
  });

  test('GIVEN the broker is listed but does not answer, or nothing answers WHEN the startup probe runs THEN it is not ready', async () => {
    // GIVEN
    const listed = pod('broker', 0);
    listed.standin({ brokers: [{ id: 0, answers: false }] });
    const silent = pod('broker', 0);
    silent.standin({ brokers: 'unreachable' });

    // WHEN
    const listedResult = await listed.run('probe-kafka.sh', ['broker', 'startup']);
    const silentResult = await silent.run('probe-kafka.sh', ['broker', 'startup']);

    // THEN
    expect(listedResult.status).toBe(1);
    expect(listedResult.stdout).toMatch(
      /^broker 0 is listed but does not answer: .*ERROR: org\.apache\.kafka\.common\.errors\.DisconnectException\n$/,
    );
    expect(silentResult.status).toBe(1);
    expect(silentResult.stdout).toMatch(/^the broker does not answer Kafka requests on localhost:9091 yet: /);
  });

  test.each([
    ['a leader and this controller among the voters', { state: 'leader', leaderId: 9001 }, 0, ''],
    [
      'no leader',
      { state: 'no-leader' },
      1,
      'the metadata quorum does not answer on localhost:9093: \tat java.base/java.util.Optional.get(Optional.java:143)\n',
    ],
    ['voters without this controller', { state: 'leader', voters: [9000, 9001, 9003] }, 1, "controller 9002 is not among the quorum's voters"],
  ] as const)('GIVEN a quorum with %s WHEN the controller readiness runs THEN it exits %s', async (_case, quorum, status, stdout) => {
    // GIVEN
    const controller = pod('controller', 2);
    controller.standin({ quorum: { ...quorum, voters: 'voters' in quorum ? [...quorum.voters] : undefined } });

    // WHEN
    const result = await controller.run('probe-kafka.sh', ['controller', 'readiness']);

    // THEN
    expect(result.status).toBe(status);
    expect(result.stdout.startsWith(stdout)).toBe(true);
    expect(controller.calls()[0].args).toEqual(['--bootstrap-controller', 'localhost:9093', 'describe', '--status']);
  });

  test('GIVEN the quorum does not answer WHEN the controller readiness runs THEN it is not ready and gives the tool error', async () => {
    // GIVEN
    const controller = pod('controller', 0);
    controller.standin({ quorum: { state: 'unreachable' } });

    // WHEN
    const result = await controller.run('probe-kafka.sh', ['controller', 'readiness']);

    // THEN
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^the metadata quorum does not answer on localhost:9093: .*TimeoutException/);
  });
});

describe('rack-from-node.sh', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kafka-api-'));
  const TOKEN = 'projected-token-of-the-broker';
  let nodes: Record<string, object> = {};
  let apiPort = 0;
  let server: Server;

  beforeAll(async () => {
    // A self-signed certificate for 127.0.0.1, which the script must verify against the projected ca.crt.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=kubernetes',
        '-addext',
        'subjectAltName=IP:127.0.0.1,IP:::1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'ca.crt'),
      ],
      { stdio: 'ignore' },
    );
    writeFileSync(join(dir, 'token'), TOKEN);
    server = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'ca.crt')) }, (request, response) => {
      const name = /^\/api\/v1\/nodes\/([^/]+)$/.exec(request.url ?? '')?.[1];
      if (request.headers.authorization !== `Bearer ${TOKEN}`) {
        response.writeHead(401).end('{"kind":"Status","status":"Failure","reason":"Unauthorized","code":401}');
      } else if (name === undefined || !(name in nodes)) {
        response.writeHead(403).end(`{"kind":"Status","message":"nodes \\"${name}\\" is forbidden","reason":"Forbidden","code":403}`);
      } else {
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(nodes[name]));
      }
    });
    apiPort = await listen(server, '::');
  });
  afterAll(() => server.close());

  function rackInit(nodeName: string, apiHost = '127.0.0.1') {
    const broker = pod('broker', 0, { container: 'rack', nodeName });
    const env = {
      KUBERNETES_SERVICE_HOST: apiHost,
      KUBERNETES_SERVICE_PORT: String(apiPort),
      TOKEN_DIR: dir,
      RACK_FILE: join(broker.rackDir, 'rack.id'),
    };
    return { broker, result: broker.run('rack-from-node.sh', [], env) };
  }

  test('GIVEN a node with a zone label WHEN the init container runs THEN it writes the zone for broker.rack', async () => {
    // GIVEN
    nodes = {
      'node-b2': {
        kind: 'Node',
        metadata: { name: 'node-b2', labels: { 'kubernetes.io/hostname': 'node-b2', 'topology.kubernetes.io/zone': 'eu-west-1b' } },
      },
    };

    // WHEN
    const { broker, result } = rackInit('node-b2');
    const { status, stderr } = await result;

    // THEN
    expect(status).toBe(0);
    expect(stderr).toContain('node node-b2 is in zone eu-west-1b');
    expect(readFileSync(join(broker.rackDir, 'rack.id'), 'utf8')).toBe('eu-west-1b\n');
  });

  test('GIVEN an IPv6 API address WHEN the init container runs THEN it reaches the API in brackets', async () => {
    // GIVEN
    nodes = { 'node-a1': { kind: 'Node', metadata: { name: 'node-a1', labels: { 'topology.kubernetes.io/zone': 'eu-west-1a' } } } };

    // WHEN
    const { broker, result } = rackInit('node-a1', '::1');
    const { status, stderr } = await result;

    // THEN
    expect({ status, stderr: stderr.split('\n')[0] }).toEqual({ status: 0, stderr: expect.stringContaining('node node-a1 is in zone eu-west-1a') });
    expect(readFileSync(join(broker.rackDir, 'rack.id'), 'utf8')).toBe('eu-west-1a\n');
  });

  test('GIVEN a node without the zone label WHEN the init container runs THEN it fails closed', async () => {
    // GIVEN
    nodes = { 'node-x': { kind: 'Node', metadata: { name: 'node-x', labels: { 'topology.kubernetes.io/region': 'eu-west-1' } } } };

    // WHEN
    const { broker, result } = rackInit('node-x');
    const { status, stderr } = await result;

    // THEN
    expect(status).toBe(1);
    expect(stderr).toContain(
      'node node-x has no label topology.kubernetes.io/zone: the broker cannot know its zone and does not start (label the node, or choose another rackSource)',
    );
    expect(existsSync(join(broker.rackDir, 'rack.id'))).toBe(false);
  });

  test('GIVEN the API refuses the service account WHEN the init container runs THEN it fails closed with the API answer', async () => {
    // GIVEN
    nodes = {};

    // WHEN
    const { result } = rackInit('node-c3');
    const { status, stderr } = await result;

    // THEN
    expect(status).toBe(1);
    expect(stderr).toContain('cannot read node node-c3 from the Kubernetes API: curl: (22) The requested URL returned error: 403');
  });
});

test('GIVEN the synthesized brokers THEN the rack init container is the one the harness ran, with the projected token in it alone', () => {
  // GIVEN
  const spec = objectNamed(objects, 'StatefulSet', `${CLUSTER}-broker`).spec.template.spec;

  // THEN
  expect(spec.automountServiceAccountToken).toBe(false);
  expect(spec.initContainers.map((container: any) => container.name)).toEqual(['rack', 'jmx-exporter']);
  const withToken = [...spec.initContainers, ...spec.containers].filter((container: any) =>
    container.volumeMounts.some((mount: any) => mount.name === 'kubernetes-api'),
  );
  expect(withToken.map((container: any) => container.name)).toEqual(['rack']);
});
