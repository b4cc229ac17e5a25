import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Testing } from 'cdk8s';
import { BusinessScenario, KafkaCluster, KafkaClusterProps, Tier } from '../../../lib';

/** The pod scripts, run unmodified from the library. */
export const SCRIPTS_DIR = resolve(__dirname, '../../../lib/components/kafka/scripts');
const STANDIN = resolve(__dirname, 'standin/kafka-tools.cjs');
const TOOLS = ['kafka-storage.sh', 'kafka-metadata-quorum.sh', 'kafka-broker-api-versions.sh', 'kafka-server-start.sh'];

export const NAMESPACE = 'shop';
export const CLUSTER = 'order-events';

/** What the stand-in tools replay (standin/kafka-tools.cjs). */
export interface StandinCase {
  readonly format?: 'ok' | 'fail' | 'success-without-meta';
  readonly formatError?: string;
  readonly quorum?: { readonly state: 'leader' | 'no-leader' | 'unreachable'; readonly leaderId?: number; readonly voters?: number[] };
  readonly brokers?: 'unreachable' | { readonly id: number; readonly answers?: boolean; readonly rack?: string }[];
}

export interface ToolCall {
  readonly tool: string;
  readonly args: string[];
  readonly env: { readonly KAFKA_OPTS?: string; readonly KAFKA_HEAP_OPTS?: string; readonly KAFKA_JMX_OPTS?: string };
}

export interface ScriptResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The objects of a cluster synthesized in a scenario of 3 zones, CRITICAL (the example's) unless `tier` says otherwise. */
export function synthesizeKafka(props: KafkaClusterProps = {}, scenarioProps: { namespace?: string; tier?: Tier } = {}): any[] {
  const app = Testing.app();
  const chart = new BusinessScenario(app, 'shop', { owner: 'team-checkout', tier: Tier.CRITICAL, namespace: NAMESPACE, ...scenarioProps });
  new KafkaCluster(chart, CLUSTER, props);
  return chart.toJson();
}

export function objectNamed(objects: any[], kind: string, name: string): any {
  const found = objects.find((object) => object.kind === kind && object.metadata?.name === name);
  if (!found) {
    throw new Error(`no ${kind} ${name} among ${objects.map((object) => `${object.kind}/${object.metadata?.name}`).join(', ')}`);
  }
  return found;
}

/**
 * One pod of a synthesized StatefulSet, as a directory: its ConfigMap files, data volume, run directory and the
 * environment of one of its containers, with the downward API filled in and the mount paths moved under the directory.
 * The stand-in tools are in its BIN_DIR, where the image has Kafka's.
 */
export class KafkaPod {
  readonly dir = mkdtempSync(join(tmpdir(), 'kafka-pod-'));
  readonly dataDir = join(this.dir, 'var/lib/kafka/data');
  readonly runDir = join(this.dir, 'run/kafka');
  readonly configDir = join(this.dir, 'config');
  readonly rackDir = join(this.dir, 'run/kafka-rack');
  private readonly binDir = join(this.dir, 'bin');
  private readonly casePath = join(this.dir, 'case.json');
  private readonly callsPath = join(this.dir, 'calls.jsonl');
  /** Where the stand-in kafka-server-start.sh copies the properties it was started with. */
  readonly startedPath = join(this.dir, 'started.properties');
  readonly env: Record<string, string>;

  constructor(
    objects: any[],
    readonly role: 'broker' | 'controller',
    readonly ordinal: number,
    options: { readonly container?: string; readonly labels?: Record<string, string>; readonly nodeName?: string } = {},
  ) {
    const set = objectNamed(objects, 'StatefulSet', `${CLUSTER}-${role}`);
    const podSpec = set.spec.template.spec;
    const containerName = options.container ?? 'kafka';
    const container = [...(podSpec.initContainers ?? []), ...podSpec.containers].find((candidate: any) => candidate.name === containerName);
    const config = objectNamed(objects, 'ConfigMap', `${CLUSTER}-kafka-config`);
    for (const dir of [this.configDir, this.runDir, this.rackDir, this.binDir, join(this.dir, 'tmp')]) {
      mkdirSync(dir, { recursive: true });
    }
    // The files name the pod's mount paths; here they are under the pod's directory.
    const dataMount = container.env?.find((variable: any) => variable.name === 'DATA_DIR')?.value ?? '/var/lib/kafka/data';
    for (const [file, content] of Object.entries<string>(config.data)) {
      writeFileSync(join(this.configDir, file), content.split(`=${dataMount}\n`).join(`=${this.dataDir}\n`));
    }
    for (const name of TOOLS) {
      symlinkSync(STANDIN, join(this.binDir, name));
    }
    chmodSync(STANDIN, 0o755);
    const podName = `${set.metadata.name}-${ordinal}`;
    const labels = { ...set.spec.template.metadata.labels, ...options.labels };
    const downward: Record<string, string> = {
      'metadata.name': podName,
      'metadata.namespace': NAMESPACE,
      'spec.nodeName': options.nodeName ?? 'node-a1',
    };
    const env: Record<string, string> = {};
    for (const variable of container.env ?? []) {
      if (variable.value !== undefined) {
        env[variable.name] = variable.value;
        continue;
      }
      const field: string = variable.valueFrom.fieldRef.fieldPath;
      const label = /^metadata\.labels\['(.+)'\]$/.exec(field);
      // The downward API gives an empty value for a label the pod does not carry.
      env[variable.name] = label ? (labels[label[1]] ?? '') : downward[field];
    }
    this.env = {
      ...env,
      DATA_DIR: this.dataDir,
      RUN_DIR: this.runDir,
      CONFIG_DIR: this.configDir,
      SCRIPTS_DIR,
      CAUGHT_UP_MARKER: join(this.runDir, 'caught-up'),
      ...(env.RACK_FILE ? { RACK_FILE: join(this.rackDir, 'rack.id') } : {}),
      LOG_DIR: join(this.dir, 'tmp/kafka-logs'),
      BIN_DIR: this.binDir,
      KAFKA_STANDIN_CASE: this.casePath,
      KAFKA_STANDIN_CALLS: this.callsPath,
      KAFKA_STANDIN_STARTED: this.startedPath,
    };
    this.standin({});
  }

  /** Sets what the stand-in tools replay from now on. */
  standin(testCase: StandinCase): void {
    writeFileSync(this.casePath, JSON.stringify(testCase));
  }

  /**
   * Runs one of the pod scripts, as the manifests run it (`sh` or, for the probes, `bash /scripts/<file> args`).
   * Asynchronous, so a server of the test (an API or metrics stand-in) answers the script meanwhile.
   */
  run(file: string, args: string[] = [], env: Record<string, string> = {}): Promise<ScriptResult> {
    const shell = readFileSync(join(SCRIPTS_DIR, file), 'utf8').startsWith('#!/bin/bash') ? 'bash' : 'sh';
    return new Promise((done, failed) => {
      const child = spawn(shell, [join(SCRIPTS_DIR, file), ...args], { env: { ...process.env, ...this.env, ...env }, timeout: 60_000 });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('error', failed);
      child.on('close', (status) => done({ status, stdout, stderr }));
    });
  }

  calls(): ToolCall[] {
    return existsSync(this.callsPath)
      ? readFileSync(this.callsPath, 'utf8')
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line))
      : [];
  }

  /** The properties kafka-server-start.sh was started with, or undefined when the script never got there. */
  started(): string | undefined {
    return existsSync(this.startedPath) ? readFileSync(this.startedPath, 'utf8') : undefined;
  }

  writeMeta(clusterId: string, nodeId: number): void {
    mkdirSync(this.dataDir, { recursive: true });
    writeFileSync(
      join(this.dataDir, 'meta.properties'),
      `#\n#Mon Dec 07 10:00:00 UTC 2026\nnode.id=${nodeId}\ndirectory.id=J8aAPcfLQt2bqs1JT_rMgQ\nversion=1\ncluster.id=${clusterId}\n`,
    );
  }

  destroy(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** `key=value` lines of a properties file, in order, comments left out. */
export function propertyLines(text: string): [string, string][] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => {
      const at = line.indexOf('=');
      return [line.slice(0, at), line.slice(at + 1)];
    });
}
