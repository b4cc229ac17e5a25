import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The PATH of the harness's own tools (unshare, nsenter, ip, ...); pods get a PATH of their own. */
export const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function findBinary(name: string): string {
  for (const dir of SYSTEM_PATH.split(':')) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) {
      return candidate;
    }
  }
  throw new Error(`${name} not found in ${SYSTEM_PATH}`);
}

export interface ExecResult {
  readonly command: readonly string[];
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly durationMs: number;
}

/** The trimmed standard output of a command that exited 0; otherwise an error with the command and its output. */
export function expectSuccess(result: ExecResult): string {
  if (result.code !== 0) {
    throw new Error(
      `${result.command.join(' ')} exited ${result.code ?? result.signal}${result.timedOut ? ' (timed out)' : ''}:\n${result.stdout}${result.stderr}`,
    );
  }
  return result.stdout.trim();
}

/**
 * Runs `argv` under `setpriv --pdeathsig` (it dies with the test) in a process group of its own, killed whole after
 * `timeoutMs`; reports it as `command`, what the caller asked to run.
 */
export async function runCollecting(command: readonly string[], argv: readonly string[], timeoutMs: number): Promise<ExecResult> {
  const started = Date.now();
  const child = spawn(findBinary('setpriv'), ['--pdeathsig=SIGKILL', '--', ...argv], {
    env: { PATH: SYSTEM_PATH },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, timeoutMs);
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('close', (c, s) => resolve({ code: c, signal: s }));
    child.once('error', (error) => {
      stderr += String(error);
      resolve({ code: null, signal: null });
    });
  });
  clearTimeout(timer);
  return { command, code, signal, stdout, stderr, timedOut, durationMs: Date.now() - started };
}

export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface TcpSocket {
  /** `ip:port` */
  readonly local: string;
  readonly remote: string;
  readonly state: string;
}

/** Kernel TCP states, as /proc/net/tcp numbers them. */
const TCP_STATES: Record<string, string> = {
  '01': 'ESTABLISHED',
  '02': 'SYN_SENT',
  '03': 'SYN_RECV',
  '04': 'FIN_WAIT1',
  '05': 'FIN_WAIT2',
  '06': 'TIME_WAIT',
  '07': 'CLOSE',
  '08': 'CLOSE_WAIT',
  '09': 'LAST_ACK',
  '0A': 'LISTEN',
  '0B': 'CLOSING',
};

/** The TCP sockets in the text of /proc/net/tcp and /proc/net/tcp6. */
export function socketsIn(procNetTcp: string): TcpSocket[] {
  const sockets: TcpSocket[] = [];
  for (const line of procNetTcp.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (!/^[0-9A-F]+:[0-9A-F]+$/.test(fields[1] ?? '') || !/^[0-9A-F]+:[0-9A-F]+$/.test(fields[2] ?? '')) {
      continue;
    }
    sockets.push({ local: endpoint(fields[1]), remote: endpoint(fields[2]), state: TCP_STATES[fields[3]] ?? fields[3] });
  }
  return sockets;
}

/** Listening TCP sockets, as `ip:port`, in the text of /proc/net/tcp and /proc/net/tcp6. */
export function listeningIn(procNetTcp: string): string[] {
  return socketsIn(procNetTcp)
    .filter((socket) => socket.state === 'LISTEN')
    .map((socket) => socket.local);
}

function endpoint(hex: string): string {
  const [hexIp, hexPort] = hex.split(':');
  return `${hexIp.length === 8 ? ipv4(hexIp) : ipv6(hexIp)}:${parseInt(hexPort, 16)}`;
}

/** /proc/net/tcp writes an IPv4 address as one little-endian 32-bit word. */
function ipv4(hex: string): string {
  return [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.');
}

/** /proc/net/tcp6 writes four little-endian 32-bit words; only the addresses a pod listens on need a readable form. */
function ipv6(hex: string): string {
  return /^0+$/.test(hex) ? '[::]' : `[${hex}]`;
}
