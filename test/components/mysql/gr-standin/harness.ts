import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { Member, World, gtids, loadWorld, lockWorld, saveWorld, unlockWorld } from './world';

/** The pod scripts, run unmodified from the library. */
export const SCRIPTS_DIR = resolve(__dirname, '../../../../lib/components/mysql/scripts');
const STANDIN_DIR = __dirname;

export const NAMESPACE = 'shop';
export const STATEFULSET = 'orders-mysql';
export const SERVICE = 'orders-mysql-headless';
export const MEMBERS = 3;
export const PORT = 3306;
export const GROUP_NAME = '0c6b3a50-6f0e-5a4e-9c6e-2f1d8e7a9b10';
/** A quote and a backslash, which SQL literals and option files must escape. */
export const PASSWORDS = { root: "r00t'pa\\ss", admin: "adm'in\\pw", monitor: 'mon!tor pw', router: "rou'ter", application: "app'\\pw" };
export const HANDOVER_TIMEOUT_SECONDS = 7;

export function host(ordinal: number): string {
  return `${STATEFULSET}-${ordinal}.${SERVICE}.${NAMESPACE}.svc.cluster.local`;
}

export function addr(ordinal: number): string {
  return `${host(ordinal)}:${PORT}`;
}

export function uuid(ordinal: number): string {
  return `00000000-0000-0000-0000-00000000000${ordinal + 1}`;
}

/** Transactions of the group (GTIDs carry the group name as their source). */
export function groupGtids(n: number): string {
  return gtids(GROUP_NAME, n);
}

export interface ScriptResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A case: its own directory, world file and pods' RUN_DIR and DATA_DIR. */
export class Case {
  readonly dir = mkdtempSync(join(tmpdir(), 'gr-case-'));
  readonly worldPath = join(this.dir, 'world.json');

  constructor(
    private readonly bundle: string,
    members: Array<Partial<Member>>,
  ) {
    const world: World = {
      clusterName: 'orders',
      port: PORT,
      passwords: PASSWORDS,
      users: { admin: 'replication', monitor: 'monitor', router: 'router' },
      members: members.map((m, ordinal) => ({
        host: host(ordinal),
        uuid: uuid(ordinal),
        up: true,
        gtidExecuted: '',
        gtidPurged: '',
        metadata: false,
        state: 'OFFLINE',
        role: '',
        inView: false,
        applierQueue: 0,
        accounts: [],
        ...m,
      })),
      metadataMembers: [],
      initFiles: {},
      calls: [],
    };
    saveWorld(this.worldPath, world);
    for (let ordinal = 0; ordinal < members.length; ordinal++) {
      mkdirSync(this.runDir(ordinal), { recursive: true });
      mkdirSync(this.dataDir(ordinal), { recursive: true });
    }
  }

  get world(): World {
    return loadWorld(this.worldPath);
  }

  /** Changes the world between two script runs (a pod restarts, a member returns). */
  update(change: (world: World) => void): void {
    lockWorld(this.worldPath);
    try {
      const world = this.world;
      change(world);
      saveWorld(this.worldPath, world);
    } finally {
      unlockWorld(this.worldPath);
    }
  }

  runDir(ordinal: number): string {
    return join(this.dir, `pod-${ordinal}`, 'run');
  }

  dataDir(ordinal: number): string {
    return join(this.dir, `pod-${ordinal}`, 'data');
  }

  env(ordinal: number, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      PATH: `${STANDIN_DIR}:${process.env.PATH}`,
      GR_STANDIN_BUNDLE: this.bundle,
      GR_STANDIN_WORLD: this.worldPath,
      POD_NAME: `${STATEFULSET}-${ordinal}`,
      POD_NAMESPACE: NAMESPACE,
      POD_IP: `192.0.2.${10 + ordinal}`,
      MYSQL_STATEFULSET: STATEFULSET,
      MYSQL_SERVICE: SERVICE,
      CLUSTER_DOMAIN: 'cluster.local',
      MEMBERS: String(MEMBERS),
      MYSQL_PORT: String(PORT),
      SERVER_ID_OFFSET: '1000',
      CLUSTER_NAME: 'orders',
      DATA_DIR: this.dataDir(ordinal),
      CONFIG_DIR: '/config',
      SCRIPTS_DIR,
      RUN_DIR: this.runDir(ordinal),
      DATA_CLASS: 'system-of-record',
      TERMINATION_GRACE_PERIOD_SECONDS: '120',
      HANDOVER_TIMEOUT_SECONDS: String(HANDOVER_TIMEOUT_SECONDS),
      MYSQL_ROOT_PASSWORD: PASSWORDS.root,
      MYSQL_REPLICATION_PASSWORD: PASSWORDS.admin,
      MYSQL_MONITOR_PASSWORD: PASSWORDS.monitor,
      MYSQL_APPLICATION_PASSWORD: PASSWORDS.application,
      MYSQL_ROUTER_PASSWORD: PASSWORDS.router,
      REPLICATION_USER: 'replication',
      MONITOR_USER: 'monitor',
      APPLICATION_USER: 'app',
      APPLICATION_DATABASE: 'orders',
      ROUTER_USER: 'router',
      GROUP_PORT: '33061',
      GROUP_NAME,
      ADMIN_PORT: '33062',
      ...extra,
    };
  }

  run(ordinal: number, script: string, args: string[] = [], extra: Record<string, string> = {}): ScriptResult {
    const result = spawnSync('sh', [join(SCRIPTS_DIR, script), ...args], { env: this.env(ordinal, extra), encoding: 'utf8', timeout: 60_000 });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  /** Starts a script in the background (a loop the test ends by changing the world). */
  start(ordinal: number, script: string, extra: Record<string, string> = {}): Promise<ScriptResult> {
    return new Promise((done) => {
      const child = spawn('sh', [join(SCRIPTS_DIR, script)], { env: this.env(ordinal, extra) });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('exit', (status) => {
        clearTimeout(timer);
        done({ status, stdout, stderr });
      });
    });
  }

  /** The AdminAPI methods and statements received, as "<pod ordinal>><server ordinal> <op>" with details. */
  calls(op?: string): Array<{ from: string; to: string; op: string; detail: string }> {
    const ordinalOf = (name: string) => (name ? name.split('.')[0].slice(STATEFULSET.length + 1) : '');
    return this.world.calls
      .filter((call) => op === undefined || call.op === op)
      .map((call) => ({ from: ordinalOf(call.pod), to: ordinalOf(call.host), op: call.op, detail: call.detail }));
  }

  fileMode(path: string): number {
    return statSync(path).mode & 0o777;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** standin.ts as one plain JavaScript file, so each stand-in call is a bare node start. */
export function bundleStandin(): string {
  const out = join(mkdtempSync(join(tmpdir(), 'gr-standin-')), 'standin.js');
  buildSync({ entryPoints: [join(STANDIN_DIR, 'standin.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: out, logLevel: 'error' });
  chmodSync(out, 0o644);
  return out;
}

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}
