import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MongoReplicaSet, MongoReplicaSetProps, Tier } from '../../../lib';
import { lockWorld, unlockWorld } from '../../support/file-lock';
import { findObject, testScenario } from '../../support/scenario';

/** The pod scripts, run unmodified from the library. */
export const SCRIPTS_DIR = resolve(__dirname, '../../../lib/components/mongodb/scripts');
const STANDIN = resolve(__dirname, 'standin/mongo-tools.cjs');

export const NAMESPACE = 'shop';
export const SET = 'catalog';
export const PASSWORDS: Record<string, string> = {
  'root-password': 'root secret/with:odd@characters',
  'monitor-password': 'monitor-secret',
  'application-password': 'app-secret',
};

/** The objects of a replica set synthesized in a scenario of 3 zones, CRITICAL unless `tier` says otherwise. */
export function synthesizeMongo(props: MongoReplicaSetProps = {}, scenarioProps: { tier?: Tier } = {}): any[] {
  const scenario = testScenario({ owner: 'team-catalog', namespace: NAMESPACE, ...scenarioProps });
  new MongoReplicaSet(scenario, SET, props);
  return scenario.toJson();
}

export type MemberState = 'PRIMARY' | 'SECONDARY' | 'STARTUP' | 'STARTUP2' | 'RECOVERING' | 'ARBITER' | 'REMOVED';

/** A member as the stand-in models it (standin/mongo-tools.cjs). */
export interface ModelMember {
  readonly host: string;
  up: boolean;
  /** The replica set whose data the volume holds (the set's replicaSetId), or null for an empty volume. */
  setId: string | null;
  /** The member's own copy of the replica set configuration, or null when it has none. */
  config: any;
  state: MemberState;
}

export interface ModelCall {
  readonly tool: string;
  readonly pod: string;
  readonly host: string;
  readonly command: string;
  readonly detail?: any;
}

export interface Model {
  port: number;
  members: ModelMember[];
  sets: Record<string, { users: { user: string; db: string; pwd: string; roles: unknown[] }[]; defaultWriteConcern?: unknown }>;
  /** Pod pairs that cannot reach each other; '*' stands for every other pod. */
  cut: [string, string][];
  /** 'instant': a member that receives a configuration without data is SECONDARY at once (else STARTUP2). */
  initialSync?: 'instant';
  /** false: no secondary catches up within a step-down's catch-up period. */
  secondariesCaughtUp?: boolean;
  calls: ModelCall[];
}

/** The stand-in's model of the set, in a file every stand-in call reads and writes under a lock. */
export class MongoWorld {
  readonly path: string;

  constructor(dir: string, model: Omit<Model, 'calls'>) {
    this.path = join(dir, 'world.json');
    writeFileSync(this.path, JSON.stringify({ ...model, calls: [] }));
  }

  read(): Model {
    return JSON.parse(readFileSync(this.path, 'utf8'));
  }

  /** Changes the model under the stand-in's lock, waiting while a stand-in call holds it. */
  update(change: (model: Model) => void): void {
    lockWorld(this.path);
    try {
      const model = this.read();
      change(model);
      writeFileSync(`${this.path}.test`, JSON.stringify(model));
      renameSync(`${this.path}.test`, this.path);
    } finally {
      unlockWorld(this.path);
    }
  }

  member(pod: string): ModelMember {
    const found = this.read().members.find((member) => member.host.startsWith(`${pod}.`));
    if (!found) throw new Error(`no member ${pod}`);
    return found;
  }

  /** The commands that changed the set (initiate, reconfig, users, write concern, step-down), in order. */
  changes(): ModelCall[] {
    const changing = ['replSetInitiate', 'replSetReconfig', 'createUser', 'setDefaultRWConcern', 'replSetStepDown'];
    return this.read().calls.filter((call) => changing.includes(call.command));
  }
}

export interface ScriptResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * One pod of a synthesized StatefulSet, as a directory: its ConfigMap files, data volume and the environment of one
 * of its containers, with the downward API and the Secrets filled in and the mount paths moved under the directory.
 * `mongosh` and `mongod` on its PATH are the stand-in.
 */
export class MongoPod {
  readonly dir = mkdtempSync(join(tmpdir(), 'mongo-pod-'));
  readonly dataDir = join(this.dir, 'data/db');
  readonly configDir = join(this.dir, 'config');
  readonly keyFileDir = join(this.dir, 'run/mongodb-keyfile');
  readonly keyFileSecretDir = join(this.dir, 'run/mongodb-keyfile-secret');
  private readonly binDir = join(this.dir, 'bin');
  readonly env: Record<string, string>;
  readonly podName: string;

  constructor(
    objects: any[],
    world: MongoWorld,
    readonly component: string,
    readonly ordinal: number,
    container = 'rs-agent',
  ) {
    const set = findObject(objects, 'StatefulSet', `${SET}-${component}`);
    const podSpec = set.spec.template.spec;
    const spec = [...(podSpec.initContainers ?? []), ...podSpec.containers].find((candidate: any) => candidate.name === container);
    const config = findObject(objects, 'ConfigMap', `${SET}-mongodb-config`);
    for (const dir of [this.configDir, this.dataDir, this.binDir, this.keyFileDir, this.keyFileSecretDir, join(this.dir, 'tmp')]) {
      mkdirSync(dir, { recursive: true });
    }
    for (const [file, content] of Object.entries<string>(config.data)) {
      writeFileSync(join(this.configDir, file), content);
    }
    chmodSync(STANDIN, 0o755);
    for (const tool of ['mongosh', 'mongod']) {
      symlinkSync(STANDIN, join(this.binDir, tool));
    }
    this.podName = `${set.metadata.name}-${ordinal}`;
    const downward: Record<string, string> = { 'metadata.name': this.podName, 'metadata.namespace': NAMESPACE };
    const env: Record<string, string> = {};
    for (const variable of spec.env ?? []) {
      if (variable.value !== undefined) {
        env[variable.name] = variable.value;
      } else if (variable.valueFrom.secretKeyRef) {
        env[variable.name] = PASSWORDS[variable.valueFrom.secretKeyRef.key];
      } else {
        env[variable.name] = downward[variable.valueFrom.fieldRef.fieldPath];
      }
    }
    this.env = {
      ...env,
      PATH: `${this.binDir}:${process.env.PATH}`,
      SCRIPTS_DIR,
      ...(env.CONFIG_DIR ? { CONFIG_DIR: this.configDir } : {}),
      ...(env.DATA_DIR ? { DATA_DIR: this.dataDir } : {}),
      ...(env.HOME ? { HOME: join(this.dir, 'tmp') } : {}),
      ...(env.KEYFILE ? { KEYFILE: join(this.keyFileDir, 'keyfile'), KEYFILE_SECRET_DIR: this.keyFileSecretDir } : {}),
      MONGO_STANDIN_WORLD: world.path,
    };
  }

  /** Runs one of the pod scripts as the manifests run it (`sh /scripts/<file> args`). */
  run(file: string, args: string[] = [], env: Record<string, string> = {}): Promise<ScriptResult> {
    return new Promise((done, failed) => {
      const child = spawn('sh', [join(SCRIPTS_DIR, file), ...args], { env: { ...this.env, ...env }, timeout: 60_000 });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('error', failed);
      child.on('close', (status) => done({ status, stdout, stderr }));
    });
  }

  /** One pass of the agent, as `kubectl exec ... sh /scripts/rs-agent.sh once` runs it. */
  agentPass(): Promise<ScriptResult> {
    return this.run('rs-agent.sh', ['once']);
  }

  destroy(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A member's DNS name, as the set names it. */
export function memberHost(component: string, ordinal: number): string {
  return `${SET}-${component}-${ordinal}.${SET}-${component}-headless.${NAMESPACE}.svc.cluster.local:27017`;
}
