import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadLog, LoadSpec } from './load';
import type { Attachment } from './network';
import { RespErrorReply, RespValue } from './resp';
import { findBinary } from './system';
import { withTimeout } from './wait';

/**
 * The test's client: a child process (client-agent.ts) in a network namespace of its own, plugged into the set's
 * switch like any pod. Every connection a test makes to Redis or a sentinel is made by that process, so no test
 * traffic touches the machine's own namespace, and a partition of a pod cuts the test client off from it as it cuts
 * the other pods (unless the test gives the client a side link to that pod).
 */

export type Args = readonly (string | number)[];

/** A RESP value as it crosses the IPC channel: an error reply becomes `{ error }`. */
export type WireValue = string | number | null | { readonly error: string } | WireValue[];

export type AgentRequest =
  | { readonly method: 'command'; readonly host: string; readonly port: number; readonly args: Args; readonly timeoutMs: number }
  | { readonly method: 'session'; readonly host: string; readonly port: number; readonly commands: readonly Args[]; readonly timeoutMs: number }
  | { readonly method: 'startLoad'; readonly spec: LoadSpec }
  | { readonly method: 'stopLoad' }
  | { readonly method: 'serveDns'; readonly hostsFile: string }
  | { readonly method: 'setPassword'; readonly password: string };

export interface AgentMessage {
  readonly id: number;
  readonly request: AgentRequest;
}

export interface AgentReply {
  readonly id: number;
  readonly result?: unknown;
  readonly error?: string;
}

export function toWire(value: RespValue): WireValue {
  if (value instanceof RespErrorReply) {
    return { error: value.message };
  }
  return Array.isArray(value) ? value.map(toWire) : value;
}

export function fromWire(value: WireValue): RespValue {
  if (Array.isArray(value)) {
    return value.map(fromWire);
  }
  return value !== null && typeof value === 'object' ? new RespErrorReply(value.error) : value;
}

/** Margin on top of a request's own deadline for the IPC round trip, so the agent's own timeout fires first. */
const IPC_MARGIN_MS = 5000;
const AGENT = join(__dirname, 'client-agent.ts');
const REPOSITORY_ROOT = join(__dirname, '..', '..', '..', '..');
/** The env variable through which the agent gets the set's password. */
export const PASSWORD_VARIABLE = 'REDIS_HARNESS_CLIENT_PASSWORD';

export class ClientAgent {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private readonly exited: Promise<void>;
  private nextId = 1;
  private failure: Error | undefined;

  /** Starts the agent in `attachment`'s namespace; its output goes to `logFile`. */
  constructor(attachment: Attachment, logFile: string, password: string | undefined) {
    const log = openSync(logFile, 'a');
    try {
      // setpriv --pdeathsig: the agent dies with the test process. nsenter --net execs node in the client's namespace.
      this.child = spawn(
        findBinary('setpriv'),
        ['--pdeathsig=SIGKILL', '--', findBinary('nsenter'), `--net=${attachment.path}`, '--', process.execPath, '--import', 'tsx', AGENT],
        {
          stdio: ['ignore', log, log, 'ipc'],
          cwd: REPOSITORY_ROOT,
          env: { ...process.env, [PASSWORD_VARIABLE]: password },
        },
      );
    } finally {
      closeSync(log);
    }
    this.child.on('message', (reply: AgentReply) => {
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.error === undefined) {
        waiter?.resolve(reply.result);
      } else {
        waiter?.reject(new Error(reply.error));
      }
    });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.fail(new Error(`the client agent exited (${code ?? signal}); see ${logFile}`));
        resolve();
      });
      this.child.once('error', (error) => {
        this.fail(error);
        resolve();
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  async command(host: string, port: number, args: Args, timeoutMs: number): Promise<RespValue> {
    return fromWire((await this.call({ method: 'command', host, port, args, timeoutMs }, timeoutMs)) as WireValue);
  }

  /** Commands sent one after another on one connection; resolves with every reply. */
  async session(host: string, port: number, commands: readonly Args[], timeoutMs: number): Promise<RespValue[]> {
    const replies = (await this.call({ method: 'session', host, port, commands, timeoutMs }, timeoutMs * (commands.length + 1))) as WireValue[];
    return replies.map(fromWire);
  }

  async startLoad(spec: LoadSpec): Promise<void> {
    await this.call({ method: 'startLoad', spec }, 10_000);
  }

  /** Serves the hosts file as DNS on port 53 of the client's address (see dns.ts), until the agent exits. */
  async serveDns(hostsFile: string): Promise<void> {
    await this.call({ method: 'serveDns', hostsFile }, 5000);
  }

  /** The password of the agent's connections from now on. */
  async setPassword(password: string): Promise<void> {
    await this.call({ method: 'setPassword', password }, 5000);
  }

  async stopLoad(): Promise<LoadLog> {
    return (await this.call({ method: 'stopLoad' }, 30_000)) as LoadLog;
  }

  /** Stops the agent: SIGKILL by PID, then waits for it to be gone. */
  async close(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null && this.child.pid !== undefined) {
      try {
        process.kill(this.child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await withTimeout('the client agent to exit', this.exited, 10_000);
  }

  private call(request: AgentRequest, timeoutMs: number): Promise<unknown> {
    if (this.failure) {
      return Promise.reject(this.failure);
    }
    const id = this.nextId++;
    const reply = new Promise<unknown>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const message: AgentMessage = { id, request };
      this.child.send(message, (error) => {
        if (error) {
          this.pending.delete(id);
          reject(error);
        }
      });
    });
    return withTimeout(`the client agent to answer ${request.method}`, reply, timeoutMs + IPC_MARGIN_MS).finally(() => this.pending.delete(id));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.pending.values()) {
      waiter.reject(this.failure);
    }
    this.pending.clear();
  }
}
