import { ChildProcess, execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { findBinary, processExists } from '../support/harness/system';
import { sleep, withTimeout } from '../support/harness/wait';

/**
 * Long-running helper processes (an exporter, Prometheus) run inside one of the harness's network namespaces, so that
 * every connection they make or accept stays on the harness's private network, and a bounded HTTP GET made from inside
 * such a namespace. The harness runs only a pod's first container; these stand in for the metrics sidecar and for
 * the cluster's Prometheus.
 */

/** Fails (never skips) when a binary the test needs is not installed. */
export function requireBinary(path: string, packageName: string): string {
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: install Debian's ${packageName} to run the end-to-end alert test`);
  }
  return path;
}

export class NamespacedProcess {
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private hasExited = false;

  /**
   * Starts `command` in the network namespace at `netnsPath`. nsenter and setpriv exec the command, so the child's
   * PID is the command's own; the parent-death signal kills it if the test process dies without stopping it.
   */
  constructor(
    readonly name: string,
    netnsPath: string,
    command: readonly string[],
    private readonly logFile: string,
    env: NodeJS.ProcessEnv = {},
  ) {
    const log = openSync(logFile, 'a');
    try {
      this.child = spawn(findBinary('nsenter'), [`--net=${netnsPath}`, '--', findBinary('setpriv'), '--pdeathsig', 'KILL', '--', ...command], {
        stdio: ['ignore', log, log],
        env: { PATH: process.env.PATH, ...env },
      });
    } finally {
      closeSync(log);
    }
    this.exited = new Promise((resolve) => {
      this.child.once('exit', () => {
        this.hasExited = true;
        resolve();
      });
      this.child.once('error', () => resolve());
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Throws, with the log, when the process is no longer running. */
  assertRunning(): void {
    if (this.hasExited || this.child.exitCode !== null || this.child.signalCode !== null) {
      throw new Error(`${this.name} exited (${this.child.exitCode ?? this.child.signalCode}):\n${this.logTail()}`);
    }
  }

  logTail(lines = 30): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone, throws if it survives. */
  async stop(graceMs = 5000): Promise<void> {
    const pid = this.child.pid;
    if (pid === undefined || this.child.exitCode !== null || this.child.signalCode !== null) {
      return;
    }
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
      try {
        await withTimeout(`${this.name} (pid ${pid}) to exit after ${signal}`, this.exited, graceMs);
        break;
      } catch {
        // try the next signal
      }
    }
    // The exit event may come a little after the process is reaped; give /proc a moment to agree.
    for (let attempt = 0; attempt < 20 && processExists(pid); attempt++) {
      await sleep(50);
    }
    if (processExists(pid)) {
      throw new Error(`${this.name} (pid ${pid}) survived SIGKILL`);
    }
  }
}

/**
 * Node with fetch, run inside the namespace (no curl needed). Prints the status and body as JSON; the request is
 * aborted after the given number of milliseconds.
 */
const FETCH_SCRIPT = [
  'fetch(process.argv[1], { signal: AbortSignal.timeout(Number(process.argv[2])) }).then(',
  '  async (response) => process.stdout.write(JSON.stringify({ status: response.status, body: await response.text() })),',
  '  (error) => { process.stderr.write(String(error)); process.exit(1); });',
].join('\n');

export interface HttpResponse {
  readonly status: number;
  readonly body: string;
}

/** GET `url` from inside the network namespace at `netnsPath`, bounded by `timeoutMs`. */
export function httpGetInNamespace(netnsPath: string, url: string, timeoutMs: number): Promise<HttpResponse> {
  const args = [`--net=${netnsPath}`, '--', process.execPath, '-e', FETCH_SCRIPT, url, String(timeoutMs)];
  return new Promise((resolve, reject) => {
    // The node child's own start-up comes on top of the request's timeout.
    execFile(findBinary('nsenter'), args, { timeout: timeoutMs + 5000, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`GET ${url} in ${netnsPath}: ${stderr.trim() || error.message}`));
        return;
      }
      resolve(JSON.parse(stdout) as HttpResponse);
    });
  });
}
