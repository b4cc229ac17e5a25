#!/usr/bin/env node
/*
 * A stand-in for the Kafka command-line tools the pod scripts call, installed under their names
 * (kafka-storage.sh, kafka-metadata-quorum.sh, kafka-broker-api-versions.sh, kafka-server-start.sh) on the PATH of a
 * script under test. No Kafka can be installed on these machines, so each tool replays the output that Kafka 4.1
 * documents for the case the test sets in the JSON file KAFKA_STANDIN_CASE (see README.md for the sources), and
 * records its call (arguments and the JVM variables it was started with) in KAFKA_STANDIN_CALLS.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const tool = path.basename(process.argv[1]);
const args = process.argv.slice(2);
const testCase = JSON.parse(fs.readFileSync(process.env.KAFKA_STANDIN_CASE, 'utf8'));

fs.appendFileSync(
  process.env.KAFKA_STANDIN_CALLS,
  JSON.stringify({
    tool,
    args,
    env: { KAFKA_OPTS: process.env.KAFKA_OPTS, KAFKA_HEAP_OPTS: process.env.KAFKA_HEAP_OPTS, KAFKA_JMX_OPTS: process.env.KAFKA_JMX_OPTS },
  }) + '\n',
);

/** `--name=value` or `--name value`. */
function option(name) {
  for (let i = 0; i < args.length; i++) {
    if (args[i].startsWith(`${name}=`)) {
      return args[i].slice(name.length + 1);
    }
    if (args[i] === name) {
      return args[i + 1];
    }
  }
  return undefined;
}

/** A Java properties file's key=value lines (the last wins). */
function readProperties(file) {
  const properties = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const match = /^\s*([^#!\s][^=:\s]*)\s*[=:]\s*(.*)$/.exec(line);
    if (match) {
      properties[match[1]] = match[2];
    }
  }
  return properties;
}

function fail(message, status = 1) {
  process.stderr.write(message + '\n');
  process.exit(status);
}

/** A stable directory id per directory (Uuid, base64url of 16 bytes). */
function directoryId(dir) {
  return require('node:crypto').createHash('sha256').update(dir).digest().subarray(0, 16).toString('base64url');
}

function storage() {
  if (args[0] !== 'format') {
    fail(`stand-in: kafka-storage.sh ${args[0]} is not replayed`, 2);
  }
  const clusterId = option('--cluster-id') ?? option('-t');
  const config = option('--config') ?? option('-c');
  if (!clusterId || !config) {
    fail('stand-in: format needs --cluster-id and --config, as the script passes them', 2);
  }
  const properties = readProperties(config);
  if (
    properties['process.roles'] === 'controller' &&
    !properties['controller.quorum.voters'] &&
    !args.some((a) => /^--(standalone|initial-controllers|no-initial-controllers)/.test(a))
  ) {
    fail(
      'Because controller.quorum.voters is not set on this controller, you must specify one of the following: --standalone, --initial-controllers, or --no-initial-controllers.',
    );
  }
  if (testCase.format === 'fail') {
    fail(testCase.formatError);
  }
  if (testCase.format === 'success-without-meta') {
    // Not a documented output: a tool that reports success and writes nothing, which the script must not trust.
    process.stdout.write(`Formatting metadata directory ${properties['metadata.log.dir']} with metadata.version 4.1-IV1.\n`);
    return;
  }
  const dirs = [...new Set([...(properties['log.dirs'] ?? '').split(','), properties['metadata.log.dir']].filter(Boolean))];
  const formatted = dirs.filter((dir) => fs.existsSync(path.join(dir, 'meta.properties')));
  if (formatted.length > 0 && !args.includes('--ignore-formatted') && !args.includes('-g')) {
    fail(`Log directory ${formatted[0]} is already formatted. Use --ignore-formatted to ignore this directory and format the others.`);
  }
  // The stand-in writes only where a test pod lives: a path of the real pod would land on this machine's disk.
  const outside = dirs.find((dir) => !path.resolve(dir).startsWith(require('node:os').tmpdir() + path.sep));
  if (outside) {
    fail(`stand-in: ${outside} is outside the test's temporary directory`, 2);
  }
  for (const dir of dirs.filter((d) => !formatted.includes(d))) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'meta.properties'),
      `#\n#${new Date().toString()}\nnode.id=${properties['node.id']}\ndirectory.id=${directoryId(dir)}\nversion=1\ncluster.id=${clusterId}\n`,
    );
    process.stdout.write(`Formatting metadata directory ${dir} with metadata.version ${testCase.metadataVersion ?? '4.1-IV1'}.\n`);
  }
}

function metadataQuorum() {
  const quorum = testCase.quorum ?? { state: 'leader' };
  if (quorum.state === 'unreachable') {
    fail(
      'org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: describeMetadataQuorum\n' +
        'java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: describeMetadataQuorum',
    );
  }
  if (quorum.state === 'no-leader') {
    // The command looks the leader up among the voters (MetadataQuorumCommand.handleDescribeStatus): with leader -1
    // the lookup throws, and mainNoExit prints the message and the trace.
    fail('No value present\njava.util.NoSuchElementException: No value present\n\tat java.base/java.util.Optional.get(Optional.java:143)');
  }
  const voters = quorum.voters ?? [9000, 9001, 9002];
  const leader = quorum.leaderId ?? voters[0];
  process.stdout.write(
    [
      `ClusterId:              ${testCase.clusterId ?? 'unknown'}`,
      `LeaderId:               ${leader}`,
      'LeaderEpoch:            7',
      'HighWatermark:          1503',
      'MaxFollowerLag:         0',
      'MaxFollowerLagTimeMs:   0',
      `CurrentVoters:          [${voters.map((id) => `{"id": ${id}, "directoryId": null, "endpoints": ["CONTROLLER://controller-${id}:9093"]}`).join(', ')}]`,
      'CurrentObservers:       [{"id": 0, "directoryId": "x1zhRwhmSLyuNxURuLkOzw"}, {"id": 1, "directoryId": "b-P8iv4fQ2K4b6uq3iv5Ew"}]',
      '',
    ].join('\n'),
  );
}

function brokerApiVersions() {
  const brokers = testCase.brokers;
  if (brokers === 'unreachable') {
    fail(
      `Request METADATA failed on brokers [${option('--bootstrap-server')} (id: -1 rack: null isFenced: false)]\n` +
        `java.lang.RuntimeException: Request METADATA failed on brokers [${option('--bootstrap-server')} (id: -1 rack: null isFenced: false)]`,
    );
  }
  for (const broker of brokers) {
    const head = `kafka-${broker.id}.kafka-headless:9091 (id: ${broker.id} rack: ${broker.rack ?? 'null'} isFenced: false) -> `;
    process.stdout.write(
      broker.answers === false
        ? `${head}ERROR: org.apache.kafka.common.errors.DisconnectException\n`
        : `${head}(\n\tProduce(0): 3 to 12 [usable: 12],\n\tFetch(1): 4 to 17 [usable: 17],\n\tApiVersions(18): 0 to 4 [usable: 4]\n)\n`,
    );
  }
}

function serverStart() {
  fs.copyFileSync(args[0], process.env.KAFKA_STANDIN_STARTED);
}

({
  'kafka-storage.sh': storage,
  'kafka-metadata-quorum.sh': metadataQuorum,
  'kafka-broker-api-versions.sh': brokerApiVersions,
  'kafka-server-start.sh': serverStart,
})[tool]();
