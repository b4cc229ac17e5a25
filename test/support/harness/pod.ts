import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { Secrets, Workload, execCommand, resolveEnv } from './manifest';
import { Attachment } from './network';
import { ExecResult, SYSTEM_PATH, TcpSocket, findBinary, listeningIn, processExists, runCollecting, socketsIn } from './system';

export type { ExecResult };
import { sleep, withTimeout } from './wait';

/**
 * A harness "pod": one container of a synthesized StatefulSet, run as a process tree that looks to its scripts as
 * much like the real container as one machine allows.
 *
 * - Its own network namespace (see network.ts): its own loopback, where its scripts reach their own server at
 *   127.0.0.1, and one interface with the pod's address on a bridge shared with the other pods of the set. The
 *   servers listen where the emitted configuration says (`bind * -::*`, every address), as in a pod.
 * - Its own PID namespace (`unshare --pid --fork --kill-child`): the container command is PID 1, exactly as in the
 *   container, so `/proc/1/fd/2` (where prestop-redis.sh logs) is the pod's own log, a crash (SIGKILL of PID 1)
 *   takes every process of the pod with it (background loops of the start script included), and SIGTERM reaches
 *   PID 1 only if it handles it, like in a container.
 * - Its own mount namespace: the cluster's hosts file is bind-mounted on /etc/hosts (pod FQDNs resolve), the pod's
 *   `tmp` volume on /tmp, and the root filesystem is remounted read-only when the container asks for
 *   `readOnlyRootFilesystem`, with only the pod's writable volumes left writable.
 * - The container's user and group (`runAsUser`, `runAsGroup`, `fsGroup` as a supplementary group), no
 *   capabilities, no_new_privs.
 * - The container's environment exactly as the kubelet would set it (plain values, downward API, Secret), except
 *   the path variables named in `pathVariables` (SCRIPTS_DIR, CONFIG_DIR, DATA_DIR, RUN_DIR), which point at the
 *   pod's own directories instead of the in-container mount paths; command arguments under a mount path are
 *   translated the same way. PATH is a directory of symlinks to the few binaries the Redis image also has.
 *
 * Probes and the preStop hook run like the kubelet runs them: inside the pod's namespaces (nsenter), as the
 * container's user, with the container's environment, bounded by their timeouts.
 */

export interface PodOptions {
  /** Pod name, `<statefulset>-<ordinal>`. */
  readonly name: string;
  readonly workload: Workload;
  readonly configMaps: Record<string, Record<string, string>>;
  readonly secrets: Secrets;
  /** The pod's directory; created if missing. */
  readonly root: string;
  /** Where the pod gets its network namespace and address. */
  readonly networking: PodNetworking;
  /** The hosts file bind-mounted on /etc/hosts. */
  readonly hostsFile: string;
  /** Env variables holding an in-container path, pointed at the pod's directory for that path. */
  readonly pathVariables: readonly string[];
  /** The binaries of the container's image, the only ones on its PATH. */
  readonly imageBinaries: readonly string[];
  /** The image's WORKDIR, the container's working directory. @default '/' */
  readonly imageWorkdir?: string;
  /**
   * A resolv.conf bind-mounted on /etc/resolv.conf, for a container that queries DNS itself (HAProxy's resolvers)
   * rather than through the hosts file. @default - the machine's
   */
  readonly resolvConf?: string;
  /**
   * The container of the pod to run, by name. A pod's containers share its network namespace and volumes: a sidecar
   * is a second Pod with the same root, whose `networking` hands out the first one's attachment.
   * @default - the first container
   */
  readonly container?: string;
}

/**
 * Where a pod gets its network namespace: the cluster, which plugs it into the set's network and publishes its
 * address in the DNS records (as Kubernetes does for a pod with an IP, ready or not, under publishNotReadyAddresses).
 */
export interface PodNetworking {
  attach(pod: string): Attachment;
  detach(attachment: Attachment): void;
}

export interface ContainerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** When the exit was seen (epoch milliseconds). */
  readonly at: number;
}

/**
 * Binaries on the master endpoint's PATH: HAProxy and what start-haproxy.sh uses, all in the official haproxy:3.2
 * image (HAPROXY_IMAGE, a Debian base with coreutils and dash).
 */
export const HAPROXY_IMAGE_BINARIES = ['haproxy', 'sh', 'od', 'tr', 'wc', 'sleep'];

/** Container paths bind-mounted in place inside the pod's mount namespace, rather than reached through env. */
const IN_PLACE_MOUNTS = ['/tmp'];
/** How long unshare may take to fork the container's PID 1. */
const START_TIMEOUT_MS = 10_000;
interface Running {
  readonly unshare: ChildProcess;
  readonly pid1: number;
  readonly exited: Promise<ContainerExit>;
  exit?: ContainerExit;
}

/** Host PIDs of every pod container started and not yet seen to exit, for the last-resort cleanup at exit. */
const livePids = new Set<number>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) {
    return;
  }
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of livePids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

export class Pod {
  readonly name: string;
  readonly ordinal: number;
  readonly root: string;
  readonly binDir: string;
  readonly logFile: string;
  /** The container this harness pod runs. */
  readonly container: any;
  private readonly stdioFifo: string;
  private currentEnv: Record<string, string>;
  private secrets: Secrets;
  private readonly mounts: { readonly mountPath: string; readonly hostPath: string; readonly volume: string; readonly readOnly: boolean }[];
  private running: Running | undefined;
  private currentAttachment: Attachment;
  private starts = 0;
  private disposed = false;

  constructor(private readonly options: PodOptions) {
    this.name = options.name;
    this.ordinal = Number(options.name.slice(options.name.lastIndexOf('-') + 1));
    this.root = options.root;
    this.binDir = join(options.root, 'bin');
    const container =
      options.container === undefined
        ? options.workload.container
        : options.workload.containers.find((candidate) => candidate.name === options.container);
    if (!container) {
      throw new Error(`${options.name}: no container ${options.container} in ${options.workload.name}`);
    }
    this.container = container;
    this.logFile = join(options.root, options.container === undefined ? 'container.log' : `${options.container}.log`);
    this.stdioFifo = join(options.root, options.container === undefined ? 'stdio.fifo' : `stdio-${options.container}.fifo`);
    this.mounts = (container.volumeMounts ?? []).map((mount: any) => ({
      mountPath: mount.mountPath,
      hostPath: join(options.root, 'volumes', mount.name),
      volume: mount.name,
      readOnly: mount.readOnly === true,
    }));
    this.secrets = options.secrets;
    this.currentEnv = this.containerEnv();
    this.currentAttachment = options.networking.attach(options.name);
    mkdirSync(options.root, { recursive: true, mode: 0o755 });
    chmodSync(options.root, 0o755);
    this.makeBinDir();
    this.makeVolumes(false);
    installExitHook();
  }

  /** The container's environment, as resolved when it last started (or will start). */
  get env(): Record<string, string> {
    return this.currentEnv;
  }

  /**
   * Changes the Secrets the pod reads. Like the kubelet, which resolves a container's env from Secrets when it
   * creates the container, the running container keeps its env (probes and preStop too); the next start reads these.
   */
  setSecrets(secrets: Secrets): void {
    this.secrets = secrets;
  }

  /** The pod's network namespace; a recreated pod has a new one. */
  get attachment(): Attachment {
    return this.currentAttachment;
  }

  /** The pod's address. */
  get ip(): string {
    return this.currentAttachment.ip;
  }

  get isRunning(): boolean {
    return this.running !== undefined && this.running.exit === undefined;
  }

  /** Host PID of the container's PID 1 (the process the start script `exec`s into). */
  get pid1(): number {
    if (!this.running) {
      throw new Error(`${this.name} is not running`);
    }
    return this.running.pid1;
  }

  /** The pod's directory for an in-container path under one of its volume mounts. */
  hostPath(containerPath: string): string {
    const mount = this.mountFor(containerPath);
    if (!mount) {
      throw new Error(`${this.name}: ${containerPath} is on no volume mount`);
    }
    return mount.hostPath + containerPath.slice(mount.mountPath.length);
  }

  /** Starts the container command. Resolves once its PID 1 exists. */
  async start(): Promise<void> {
    if (this.disposed) {
      throw new Error(`${this.name}: pod already disposed`);
    }
    if (this.isRunning) {
      throw new Error(`${this.name} is already running`);
    }
    this.starts++;
    this.currentEnv = this.containerEnv();
    const command = this.translateCommand(this.container.command ?? []);
    appendFileSync(this.logFile, `==== harness: start #${this.starts} of ${this.name} at ${new Date().toISOString()}: ${command.join(' ')}\n`);
    const stdio = this.openStdio();
    let unshare: ChildProcess;
    try {
      // setpriv --pdeathsig: should the test process die without cleaning up, unshare gets SIGKILL, and with
      // --kill-child so does the pod's PID 1, and with it the whole pod. nsenter --net alone does not fork: it enters
      // the pod's network namespace and execs unshare, so the signal still arms unshare.
      const namespaces = ['--pid', '--fork', '--kill-child', '--mount', '--propagation', 'private', '--mount-proc'];
      unshare = spawn(
        findBinary('setpriv'),
        [
          '--pdeathsig=SIGKILL',
          '--',
          findBinary('nsenter'),
          `--net=${this.currentAttachment.path}`,
          '--',
          findBinary('unshare'),
          ...namespaces,
          '/bin/sh',
          '-c',
          POD_SETUP,
          'pod-setup',
          ...this.asContainerUser(command),
        ],
        { env: this.setupEnv(), stdio: ['ignore', stdio.writeFd, stdio.writeFd], detached: true },
      );
    } finally {
      closeSync(stdio.writeFd);
    }
    const exited = new Promise<ContainerExit>((resolve) => {
      unshare.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() }));
      unshare.once('error', () => resolve({ code: null, signal: null, at: Date.now() }));
    }).then(async (exit) => {
      // Let the last lines reach the log file.
      await Promise.race([stdio.drained, sleep(1000)]);
      return exit;
    });
    if (unshare.pid === undefined) {
      throw new Error(`${this.name}: could not spawn unshare`);
    }
    livePids.add(unshare.pid);
    let pid1: number;
    try {
      pid1 = await this.findChild(unshare.pid, exited);
    } catch (error) {
      // A pod that started too late must not live on untracked: with --kill-child its PID 1 dies with unshare.
      try {
        process.kill(unshare.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      await exited;
      livePids.delete(unshare.pid);
      throw error;
    }
    livePids.add(pid1);
    const running: Running = { unshare, pid1, exited };
    this.running = running;
    void exited.then((exit) => {
      running.exit = exit;
      livePids.delete(pid1);
      if (unshare.pid !== undefined) {
        livePids.delete(unshare.pid);
      }
    });
  }

  /** Sends a signal to the container's PID 1, as the kubelet and the runtime do. */
  signal(signal: NodeJS.Signals): void {
    if (!this.isRunning) {
      throw new Error(`${this.name} is not running`);
    }
    process.kill(this.pid1, signal);
  }

  /** Waits for the container to exit; undefined if it is still running after `timeoutMs`. */
  async waitExit(timeoutMs: number): Promise<ContainerExit | undefined> {
    const running = this.running;
    if (!running) {
      return undefined;
    }
    if (running.exit) {
      return running.exit;
    }
    try {
      return await withTimeout(`${this.name} to exit`, running.exited, timeoutMs);
    } catch {
      return undefined;
    }
  }

  /** A crash: SIGKILL of PID 1, which takes every process of the pod with it. Resolves once all are gone. */
  async kill(): Promise<void> {
    const running = this.running;
    if (!running || running.exit) {
      return;
    }
    // Only PID 1: the kernel then kills every process of the PID namespace, and unshare (which waits for PID 1)
    // exits once they are all gone. Killing unshare too would report the pod gone while it is still being torn down.
    try {
      process.kill(running.pid1, 'SIGKILL');
    } catch {
      // already gone
    }
    const exit = await this.waitExit(10_000);
    if (!exit) {
      try {
        process.kill(running.unshare.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      throw new Error(`${this.name}: still running 10 s after SIGKILL of its PID 1 (${running.pid1})`);
    }
    if (processExists(running.pid1)) {
      throw new Error(`${this.name}: PID 1 (${running.pid1}) survived SIGKILL`);
    }
  }

  /**
   * Terminates the container like the kubelet: the preStop hook (bounded by the grace period), SIGTERM to PID 1,
   * SIGKILL once the grace period is over.
   */
  async terminate(
    options: { readonly preStop?: boolean; readonly gracePeriodSeconds?: number } = {},
  ): Promise<{ preStop?: ExecResult; exit: ContainerExit; killed: boolean }> {
    const started = Date.now();
    const grace = (options.gracePeriodSeconds ?? this.options.workload.terminationGracePeriodSeconds) * 1000;
    let preStop: ExecResult | undefined;
    if (options.preStop !== false && this.container.lifecycle?.preStop) {
      preStop = await this.preStop(grace);
    }
    if (this.isRunning) {
      this.signal('SIGTERM');
    }
    const exit = await this.waitExit(Math.max(2000, grace - (Date.now() - started)));
    if (exit) {
      return { preStop, exit, killed: false };
    }
    await this.kill();
    return { preStop, exit: this.running!.exit!, killed: true };
  }

  /** Runs a command inside the running container, like `kubectl exec` or an exec probe. */
  exec(command: readonly string[], timeoutMs: number): Promise<ExecResult> {
    const argv = this.asContainerUser(this.translateCommand(command));
    const nsenter = [findBinary('nsenter'), '--target', String(this.pid1), '--net', '--pid', '--mount', `--wdns=${this.workdir()}`, '--', ...argv];
    return runCollecting(command, nsenter, timeoutMs);
  }

  /** Runs the container's readiness, liveness or startup probe command with the probe's timeout. */
  probe(kind: 'readiness' | 'liveness' | 'startup'): Promise<ExecResult> {
    const probe = this.container[`${kind}Probe`];
    return this.exec(execCommand(probe, `${kind} probe`), (probe.timeoutSeconds ?? 1) * 1000);
  }

  /** Runs the container's preStop hook, bounded by `timeoutMs` (the grace period by default). */
  preStop(timeoutMs = this.options.workload.terminationGracePeriodSeconds * 1000): Promise<ExecResult> {
    return this.exec(execCommand(this.container.lifecycle?.preStop, 'preStop hook'), timeoutMs);
  }

  /**
   * The pod is deleted and created again (same name, same claims): emptyDir volumes start empty; claims keep their
   * data unless listed in `wipeClaims` (a lost or replaced PersistentVolume); like a new Kubernetes pod, it gets a new
   * network namespace with a new address, and its DNS record follows.
   */
  recreate(options: { readonly wipeClaims?: readonly string[] } = {}): void {
    if (this.isRunning) {
      throw new Error(`${this.name}: stop it before recreating it`);
    }
    this.makeVolumes(true, options.wipeClaims ?? []);
    this.options.networking.detach(this.currentAttachment);
    this.currentAttachment = this.options.networking.attach(this.name);
  }

  /** Empties a volume of the stopped pod in place, as when its disk is lost or replaced under the same claim. */
  wipeVolume(volume: string): void {
    if (this.isRunning) {
      throw new Error(`${this.name}: stop it before wiping a volume`);
    }
    this.makeVolumes(true, [volume], [volume]);
  }

  /** TCP sockets listening in the running pod's network namespace, as `ip:port`. */
  listening(): string[] {
    return listeningIn(this.procNetTcp());
  }

  /** The TCP connections (not listeners) in the running pod's network namespace. */
  connections(): (TcpSocket & { readonly pod: string })[] {
    return socketsIn(this.procNetTcp())
      .filter((socket) => socket.state !== 'LISTEN')
      .map((socket) => ({ ...socket, pod: this.name }));
  }

  /** /proc/<pid>/net shows the network namespace of that process; tcp6 is missing where IPv6 is off. */
  private procNetTcp(): string {
    const files = ['tcp', 'tcp6'].map((file) => `/proc/${this.pid1}/net/${file}`);
    return files
      .filter((file) => existsSync(file))
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
  }

  /** The host directory of a volume, by volume name. */
  volumeDir(volume: string): string {
    return join(this.root, 'volumes', volume);
  }

  /** Everything the pod's containers wrote, every start included. */
  log(): string {
    return existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8') : '';
  }

  /** What the current (last) start of the container wrote. */
  lastStartLog(): string {
    const log = this.log();
    const header = log.lastIndexOf('==== harness: start #');
    return header < 0 ? log : log.slice(header);
  }

  /** Kills the container if it runs; the pod cannot start again. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await this.kill();
  }

  /**
   * PID 1's stdout and stderr: a FIFO drained into the log file. Like the pipe a container runtime gives PID 1 (and
   * which runc chowns to the container's user, see fixStdioPermissions), it is owned by the container's user, so
   * the pod's own processes can write to it through /proc/1/fd/2 as prestop-redis.sh does; and being a pipe, the
   * O_TRUNC of a shell's `2>/proc/1/fd/2` does not wipe the log.
   */
  private openStdio(): { writeFd: number; drained: Promise<void> } {
    const fifo = this.stdioFifo;
    rmSync(fifo, { force: true });
    const made = spawnSync(findBinary('mkfifo'), ['-m', '0600', fifo], { encoding: 'utf8' });
    if (made.status !== 0) {
      throw new Error(`${this.name}: mkfifo ${fifo}: ${made.stderr}`);
    }
    chownSync(fifo, this.options.workload.runAsUser, this.options.workload.runAsGroup);
    const readFd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writeFd = openSync(fifo, constants.O_WRONLY);
    const reader = new Socket({ fd: readFd, readable: true, writable: false });
    const drained = new Promise<void>((resolve) => {
      reader.on('data', (chunk) => appendFileSync(this.logFile, chunk));
      reader.once('end', () => resolve());
      reader.once('close', () => resolve());
      reader.once('error', () => resolve());
    });
    return { writeFd, drained };
  }

  private containerEnv(): Record<string, string> {
    const { workload, name } = this.options;
    const env = resolveEnv(this.container, { name, namespace: workload.namespace }, this.secrets);
    for (const variable of this.options.pathVariables) {
      if (env[variable] === undefined) {
        throw new Error(`${name}: the container env has no ${variable}`);
      }
      env[variable] = this.hostPath(env[variable]);
    }
    // Set by the runtime, not by the manifest: the image's PATH (here: the pod's symlinks), the pod's host name,
    // and HOME=/ for a user the image's /etc/passwd does not know.
    return { PATH: this.binDir, HOSTNAME: name, HOME: '/', ...env };
  }

  private mountFor(containerPath: string) {
    return this.mounts
      .filter((mount) => containerPath === mount.mountPath || containerPath.startsWith(`${mount.mountPath}/`))
      .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
  }

  /** Arguments that are paths under a volume mount become the pod's directory for it. */
  private translateCommand(command: readonly string[]): string[] {
    return command.map((argument) => {
      const mount = this.mountFor(argument);
      return mount && !IN_PLACE_MOUNTS.includes(mount.mountPath) ? mount.hostPath + argument.slice(mount.mountPath.length) : argument;
    });
  }

  private workdir(): string {
    const workdir = this.options.imageWorkdir ?? '/';
    const mount = this.mountFor(workdir);
    return mount ? mount.hostPath + workdir.slice(mount.mountPath.length) : '/';
  }

  /** setpriv (user, groups, no capabilities) and `env -i` with exactly the container's environment. */
  private asContainerUser(command: readonly string[]): string[] {
    const { runAsUser, runAsGroup, fsGroup } = this.options.workload;
    return [
      findBinary('setpriv'),
      `--reuid=${runAsUser}`,
      `--regid=${runAsGroup}`,
      `--groups=${fsGroup}`,
      '--no-new-privs',
      '--inh-caps=-all',
      '--bounding-set=-all',
      // Changing the user clears the parent-death signal that unshare --kill-child set; arm it again, so that PID 1
      // dies with unshare (and an exec'd command with nsenter).
      '--pdeathsig=SIGKILL',
      '--',
      findBinary('env'),
      '-i',
      ...Object.entries(this.env).map(([key, value]) => `${key}=${value}`),
      ...command,
    ];
  }

  private setupEnv(): NodeJS.ProcessEnv {
    const writable = this.mounts.filter((mount) => !mount.readOnly).map((mount) => mount.hostPath);
    const inPlace = this.mounts.filter((mount) => IN_PLACE_MOUNTS.includes(mount.mountPath)).map((mount) => `${mount.hostPath}=${mount.mountPath}`);
    const resolvConf = this.options.resolvConf ?? '';
    for (const path of [...writable, ...inPlace, this.options.hostsFile, resolvConf]) {
      if (/\s/.test(path)) {
        throw new Error(`harness paths must not contain white space: ${path}`);
      }
    }
    return {
      PATH: SYSTEM_PATH,
      HARNESS_HOSTS: this.options.hostsFile,
      HARNESS_RESOLV_CONF: resolvConf,
      HARNESS_WRITABLE: writable.join(' '),
      HARNESS_IN_PLACE: inPlace.join(' '),
      HARNESS_READ_ONLY_ROOT: this.options.workload.readOnlyRootFilesystem ? '1' : '0',
      HARNESS_WORKDIR: this.workdir(),
    };
  }

  private makeBinDir(): void {
    rmSync(this.binDir, { recursive: true, force: true });
    mkdirSync(this.binDir, { mode: 0o755 });
    for (const binary of this.options.imageBinaries) {
      symlinkSync(findBinary(binary), join(this.binDir, binary));
    }
  }

  /**
   * Creates the volumes; with `fresh`, empties emptyDirs (and the listed claims) as a new pod would see them, or only
   * the volumes listed in `only`.
   */
  private makeVolumes(fresh: boolean, wipeClaims: readonly string[] = [], only?: readonly string[]): void {
    const { workload, configMaps } = this.options;
    const volumesDir = join(this.root, 'volumes');
    mkdirSync(volumesDir, { recursive: true, mode: 0o755 });
    for (const mount of this.mounts.filter((candidate) => only === undefined || only.includes(candidate.volume))) {
      const volume = workload.volumes[mount.volume];
      const isClaim = workload.claimNames.includes(mount.volume);
      if (volume?.configMap) {
        const data = configMaps[volume.configMap.name];
        if (!data) {
          throw new Error(`${this.name}: ConfigMap ${volume.configMap.name} is not in the manifest`);
        }
        rmSync(mount.hostPath, { recursive: true, force: true });
        mkdirSync(mount.hostPath, { mode: 0o755 });
        for (const [file, text] of Object.entries(data)) {
          writeFileSync(join(mount.hostPath, file), text, { mode: volume.configMap.defaultMode ?? 0o644 });
        }
      } else if (volume?.emptyDir || isClaim) {
        const wipe = !existsSync(mount.hostPath) || (fresh && (!isClaim || wipeClaims.includes(mount.volume)));
        if (wipe) {
          rmSync(mount.hostPath, { recursive: true, force: true });
          mkdirSync(mount.hostPath);
          // Like fsGroup: group-owned by fsGroup, setgid, group-writable.
          chownSync(mount.hostPath, workload.runAsUser, workload.fsGroup);
          chmodSync(mount.hostPath, 0o2775);
        }
      } else {
        throw new Error(`${this.name}: volume ${mount.volume} is neither a ConfigMap, an emptyDir nor a claim`);
      }
    }
  }

  /** The container's PID 1: the child that `unshare --fork` made. */
  private async findChild(parent: number, exited: Promise<ContainerExit>): Promise<number> {
    let gone = false;
    void exited.then(() => (gone = true));
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      // Taken before looking, so that a look always follows the deadline: concurrent tests may keep the event loop
      // busy for seconds.
      const late = Date.now() >= deadline;
      const child = childrenOf(parent)[0];
      if (child !== undefined) {
        return child;
      }
      if (gone || late) {
        break;
      }
      await sleep(5);
    }
    throw new Error(`${this.name}: the container did not start (unshare ${gone ? 'exited' : 'made no child'}); log:\n${this.log()}`);
  }
}

/**
 * Runs as root at the start of the pod, inside its new mount and PID namespaces, then execs the container command
 * (wrapped in setpriv and env -i). The bind mounts are private to the pod's mount namespace.
 */
const POD_SETUP = `set -eu
mount --bind "$HARNESS_HOSTS" /etc/hosts
if [ -n "$HARNESS_RESOLV_CONF" ]; then mount --bind "$HARNESS_RESOLV_CONF" /etc/resolv.conf; fi
for dir in $HARNESS_WRITABLE; do mount --bind "$dir" "$dir"; done
for pair in $HARNESS_IN_PLACE; do mount --bind "\${pair%%=*}" "\${pair#*=}"; done
if [ "$HARNESS_READ_ONLY_ROOT" = 1 ]; then mount -o remount,bind,ro /; fi
cd "$HARNESS_WORKDIR"
exec "$@"
`;

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // No children file (kernel without CONFIG_PROC_CHILDREN): scan /proc.
    const children: number[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) {
        continue;
      }
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const parentPid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (parentPid === pid) {
          children.push(Number(entry));
        }
      } catch {
        // exited meanwhile
      }
    }
    return children;
  }
}
