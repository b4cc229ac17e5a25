import { spawnSync } from 'node:child_process';
import { existsSync, linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findBinary, listeningIn, processExists } from './system';

/**
 * A private network for one harness cluster, built from network namespaces: a bridge in a "switch" namespace of its
 * own, and one namespace per pod (and one for the test client), each plugged into the bridge by a veth pair. Nothing
 * is created in the machine's own namespace and nothing is routed out of these namespaces, so every packet of a test
 * stays between namespaces the test made.
 *
 * Addresses come from the benchmark range 198.18.0.0/15 (RFC 2544), which no real network routes: network `index`
 * is the /24 198.(18 + index / 256).(index % 256).0. Indexes are reserved with a lock file per index, so concurrent
 * tests, and concurrent test processes, never share an address; namespace names also carry the owner's PID.
 *
 * Faults are real: `cut` takes the switch side of a pod's link down (the pod's packets go nowhere, as with a pulled
 * cable or a dead node), `heal` brings it back; `sideLink` gives two namespaces a direct link, so that a client can
 * stay on the far side of a partition with the pod it cut off.
 */

const BASE_DIR = '/var/tmp';
const NAMESPACE_DIR = '/run/netns';
/** Network indexes: the /24s of 198.18.0.0/15. */
const NETWORK_COUNT = 512;
/** Host numbers handed out in each /24; .0 and .255 are the network and broadcast addresses. */
const FIRST_HOST = 1;
const LAST_HOST = 254;
const BRIDGE = 'br0';
/**
 * Namespace names are `<prefix><network index>-<owner PID>-<label>`: unique even if two processes ever shared an
 * index, and telling whose they are when their owner died without removing them.
 */
const NAMESPACE_PREFIX = 'pod-harness-';

/** One namespace plugged into the switch. */
export interface Attachment {
  /** `ip netns` name. */
  readonly namespace: string;
  /** Path of the namespace, for `nsenter --net=`. */
  readonly path: string;
  readonly ip: string;
  /** Name of the switch-side end of its veth (in the switch namespace). */
  readonly port: string;
}

const liveNetworks = new Set<PodNetwork>();
let exitHookInstalled = false;

export class PodNetwork {
  readonly index: number;
  /** Prefix of every namespace name of this network. */
  readonly prefix: string;
  private readonly switchNamespace: string;
  private readonly namespaces = new Set<string>();
  private nextHost = FIRST_HOST;
  private nextLink = 0;
  private destroyed = false;

  private constructor(index: number) {
    this.index = index;
    this.prefix = `${NAMESPACE_PREFIX}${index}-${process.pid}-`;
    this.switchNamespace = `${this.prefix}switch`;
  }

  /** Reserves a free network and creates its switch. */
  static create(): PodNetwork {
    installExitHook();
    removeAbandonedNamespaces();
    const network = new PodNetwork(reserveNetwork());
    liveNetworks.add(network);
    try {
      network.addNamespace(network.switchNamespace);
      ip('-n', network.switchNamespace, 'link', 'add', BRIDGE, 'type', 'bridge');
      ip('-n', network.switchNamespace, 'link', 'set', BRIDGE, 'up');
    } catch (error) {
      network.destroy();
      throw error;
    }
    return network;
  }

  /** The network's address of host number `host`. */
  address(host: number): string {
    return `198.${18 + Math.floor(this.index / 256)}.${this.index % 256}.${host}`;
  }

  /**
   * A new namespace named `<prefix><label>` with the next free address, plugged into the switch. A pod created again
   * gets a new attachment, and with it a new address, as a Kubernetes pod does.
   */
  attach(label: string): Attachment {
    if (this.nextHost > LAST_HOST) {
      throw new Error(`network ${this.index}: no address left`);
    }
    const host = this.nextHost++;
    const namespace = `${this.prefix}${label}`;
    const port = `p${host}`;
    const address = this.address(host);
    this.addNamespace(namespace);
    ip('-n', this.switchNamespace, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', namespace);
    ip('-n', this.switchNamespace, 'link', 'set', port, 'master', BRIDGE, 'up');
    ip('-n', namespace, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
    ip('-n', namespace, 'link', 'set', 'eth0', 'up');
    ip('-n', namespace, 'link', 'set', 'lo', 'up');
    return { namespace, path: join(NAMESPACE_DIR, namespace), ip: address, port };
  }

  /** Removes an attachment's namespace (and with it its link). Its processes must be gone. */
  detach(attachment: Attachment): void {
    this.removeNamespace(attachment.namespace);
  }

  /** Takes the switch side of the attachment's link down: a real partition of that namespace. */
  cut(attachment: Attachment): void {
    ip('-n', this.switchNamespace, 'link', 'set', attachment.port, 'down');
  }

  heal(attachment: Attachment): void {
    ip('-n', this.switchNamespace, 'link', 'set', attachment.port, 'up');
  }

  /**
   * A direct link between two attachments, with host routes that make it their path to each other: traffic between
   * them no longer crosses the switch, so a partition of one leaves the two connected. Returns a function that
   * removes the link (the routes go with it, and the two talk through the switch again).
   */
  sideLink(a: Attachment, b: Attachment): () => void {
    const name = `side${this.nextLink++}`;
    ip('-n', a.namespace, 'link', 'add', name, 'type', 'veth', 'peer', 'name', name, 'netns', b.namespace);
    for (const [from, to] of [
      [a, b],
      [b, a],
    ]) {
      ip('-n', from.namespace, 'link', 'set', name, 'up');
      ip('-n', from.namespace, 'route', 'add', `${to.ip}/32`, 'dev', name, 'src', from.ip);
    }
    return () => ip('-n', a.namespace, 'link', 'del', name);
  }

  /** TCP sockets listening in the namespace, as `ip:port`. */
  listening(attachment: Attachment): string[] {
    // /proc/net shows the namespace of the process that reads it. tcp6 is missing where IPv6 is off; cat still prints tcp.
    const read = spawnSync(findBinary('nsenter'), [`--net=${attachment.path}`, '--', findBinary('cat'), '/proc/net/tcp', '/proc/net/tcp6'], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    if (read.stdout === null || !read.stdout.includes('local_address')) {
      throw new Error(`cannot read the sockets of ${attachment.namespace}: ${read.error ?? ''}${read.stderr}`);
    }
    return listeningIn(read.stdout);
  }

  /** Namespaces of this network that still exist. */
  remainingNamespaces(): string[] {
    return listNamespaces().filter((name) => name.startsWith(this.prefix));
  }

  /** Removes every namespace of the network (their processes must be gone) and releases its addresses. */
  destroy(): void {
    if (this.destroyed) {
      return;
    }
    this.destroyed = true;
    liveNetworks.delete(this);
    const errors: string[] = [];
    for (const namespace of [...this.namespaces].reverse()) {
      try {
        this.removeNamespace(namespace);
      } catch (error) {
        errors.push(String(error));
      }
    }
    const left = this.remainingNamespaces();
    const mounted = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .filter((line) => line.includes(`${NAMESPACE_DIR}/${this.prefix}`));
    if (left.length === 0 && mounted.length === 0) {
      releaseNetwork(this.index);
    } else {
      errors.push(`namespaces left: ${left.join(', ') || '-'}; mounts left: ${mounted.join(' | ') || '-'}`);
    }
    if (errors.length > 0) {
      throw new Error(`network ${this.index}: ${errors.join('; ')}`);
    }
  }

  private addNamespace(namespace: string): void {
    ip('netns', 'add', namespace);
    this.namespaces.add(namespace);
  }

  private removeNamespace(namespace: string): void {
    if (existsSync(join(NAMESPACE_DIR, namespace))) {
      ip('netns', 'del', namespace);
    }
    this.namespaces.delete(namespace);
  }
}

function ip(...args: string[]): string {
  return run(findBinary('ip'), args);
}

function run(binary: string, args: string[]): string {
  const result = spawnSync(binary, args, { encoding: 'utf8', timeout: 10_000 });
  if (result.status !== 0) {
    throw new Error(`${binary} ${args.join(' ')}: exit ${result.status ?? result.signal}: ${result.error ?? ''}${result.stderr.trim()}`);
  }
  return result.stdout;
}

function listNamespaces(): string[] {
  return run(findBinary('ip'), ['netns', 'list'])
    .split('\n')
    .map((line) => line.split(' ')[0])
    .filter(Boolean);
}

const held = new Set<number>();
const lockFile = (index: number) => join(BASE_DIR, `pod-harness-network-${index}.lock`);
/** The PID in a lock file; undefined when the file is gone (its owner released it meanwhile). */
function lockOwner(file: string): number | undefined {
  try {
    return Number(readFileSync(file, 'utf8').trim());
  } catch {
    return undefined;
  }
}

/**
 * Reserves a network index: a lock file holding the owner's PID, created whole in one step (a hard link to a file
 * already written), so another process never reads a lock without its owner. A lock whose owner is gone is taken
 * over: moved aside under a name of our own, which only one of two processes taking it over at once can do; the one
 * that finds it moved a live owner's lock instead puts it back.
 */
function reserveNetwork(): number {
  const draft = join(BASE_DIR, `pod-harness-network-draft-${process.pid}`);
  const aside = `${draft}.aside`;
  writeFileSync(draft, String(process.pid));
  try {
    for (let index = 0; index < NETWORK_COUNT; index++) {
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          linkSync(draft, lockFile(index));
          held.add(index);
          return index;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
            throw error;
          }
        }
        const owner = lockOwner(lockFile(index));
        if (owner === undefined) {
          continue;
        }
        if (owner === process.pid || processExists(owner) || !moveAside(lockFile(index), aside, owner)) {
          break;
        }
      }
    }
  } finally {
    rmSync(draft, { force: true });
  }
  throw new Error('no free harness network in 198.18.0.0/15');
}

/** Moves the lock `file` of the dead `owner` to `aside` and removes it; false when it turned out to be another's. */
function moveAside(file: string, aside: string, owner: number): boolean {
  try {
    renameSync(file, aside);
  } catch {
    return false;
  }
  if (lockOwner(aside) !== owner) {
    try {
      linkSync(aside, file);
    } catch {
      // A third process took the index meanwhile; the owner we moved keeps its namespaces, only its lock is lost.
    }
    rmSync(aside, { force: true });
    return false;
  }
  rmSync(aside, { force: true });
  return true;
}

/**
 * Removes namespaces whose owner process is gone (its pods died with it: see the parent-death signals in pod.ts),
 * preflight.ts's probe included.
 */
function removeAbandonedNamespaces(): void {
  for (const namespace of listNamespaces()) {
    const owner = new RegExp(`^${NAMESPACE_PREFIX}(?:\\d+|preflight)-(\\d+)-`).exec(namespace)?.[1];
    if (owner !== undefined && !processExists(Number(owner))) {
      ip('netns', 'del', namespace);
    }
  }
}

function releaseNetwork(index: number): void {
  if (held.delete(index)) {
    rmSync(lockFile(index), { force: true });
  }
}

/** Last resort when the test process exits without destroying its networks: their pods are dead by then. */
function installExitHook(): void {
  if (exitHookInstalled) {
    return;
  }
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const network of liveNetworks) {
      for (const namespace of network.remainingNamespaces()) {
        spawnSync(findBinary('ip'), ['netns', 'del', namespace]);
      }
    }
    for (const index of held) {
      rmSync(lockFile(index), { force: true });
    }
  });
}
