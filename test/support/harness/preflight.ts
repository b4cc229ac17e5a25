import { spawnSync } from 'node:child_process';
import { findBinary } from './system';

/** What a component's pods run, beyond the harness's own tools. */
export interface ComponentBinaries {
  /** Who needs them, for the message: "The Redis pods". */
  readonly component: string;
  readonly binaries: readonly string[];
  /** The Debian packages that install them. */
  readonly packages: readonly string[];
}

/**
 * Throws, with what is missing and why it is needed, unless this machine can run harness pods: root (namespaces,
 * bind mounts, switching to the pods' user), util-linux's unshare/nsenter/setpriv with PID and mount namespaces
 * working, iproute2's `ip` with network namespaces and veth pairs working, and the component's own binaries. Call it
 * in beforeAll: a suite that cannot run its pods must fail, never skip.
 */
export function assertPodSandboxAvailable(needs: ComponentBinaries): void {
  const problems: string[] = [];
  if (process.platform !== 'linux') {
    problems.push(`the harness needs Linux (namespaces, /proc), not ${process.platform}`);
  }
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    problems.push(`the harness must run as root (uid 0) to create mount and PID namespaces and bind-mount /etc/hosts; uid is ${process.getuid?.()}`);
  }
  const packages = ['util-linux', 'mount', 'iproute2', ...needs.packages].join(' ');
  for (const binary of ['unshare', 'nsenter', 'setpriv', 'mount', 'ip', ...needs.binaries]) {
    try {
      findBinary(binary);
    } catch {
      problems.push(`${binary} is not installed (Debian: apt-get install ${packages})`);
    }
  }
  if (problems.length === 0) {
    const probe = spawnSync(
      'unshare',
      [
        '--pid',
        '--fork',
        '--kill-child',
        '--mount',
        '--propagation',
        'private',
        '--mount-proc',
        '/bin/sh',
        '-c',
        'mount --bind /etc/hosts /etc/hosts && test "$$" = 1',
      ],
      { encoding: 'utf8', timeout: 10_000 },
    );
    if (probe.status !== 0) {
      problems.push(
        `unshare cannot create PID and mount namespaces with a bind mount here (exit ${probe.status}, ${probe.error ?? ''} ${probe.stderr.trim()}); ` +
          'a container needs CAP_SYS_ADMIN (e.g. docker run --privileged) for these tests',
      );
    }
  }
  if (problems.length === 0) {
    const network = networkProbe();
    if (network) {
      problems.push(`ip cannot create a network namespace with a veth pair here (${network}); a container needs CAP_NET_ADMIN and CAP_SYS_ADMIN`);
    }
  }
  if (problems.length > 0) {
    throw new Error(`${needs.component} cannot run on this machine:\n- ${problems.join('\n- ')}`);
  }
}

/** Creates and removes a namespace with a veth pair; returns what went wrong, if anything. */
function networkProbe(): string | undefined {
  const namespace = `pod-harness-preflight-${process.pid}-probe`;
  const ip = (...args: string[]) => spawnSync(findBinary('ip'), args, { encoding: 'utf8', timeout: 10_000 });
  const added = ip('netns', 'add', namespace);
  if (added.status !== 0) {
    return `ip netns add: ${added.stderr.trim()}`;
  }
  try {
    const veth = ip('-n', namespace, 'link', 'add', 'probe0', 'type', 'veth', 'peer', 'name', 'probe1');
    return veth.status === 0 ? undefined : `ip link add type veth: ${veth.stderr.trim()}`;
  } finally {
    ip('netns', 'del', namespace);
  }
}
