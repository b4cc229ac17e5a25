import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { Attachment } from './network';
import { findBinary } from './system';
import { withTimeout } from './wait';

/**
 * A test client process (a TypeScript file run with tsx) in a network namespace of its own, answering requests over
 * the IPC channel: `{ id, request }` in, `{ id, result }` or `{ id, error }` out. It dies with the test process
 * (setpriv --pdeathsig) and, by convention, exits when the channel closes.
 */

/** Margin on top of a request's own deadline for the IPC round trip, so the agent's own timeout fires first. */
const IPC_MARGIN_MS = 5000;
const REPOSITORY_ROOT = join(__dirname, '..', '..', '..');

export interface AgentMessage<Request> {
  readonly id: number;
  readonly request: Request;
}

export interface AgentReply {
  readonly id: number;
  readonly result?: unknown;
  readonly error?: string;
}

export class NamespaceAgent<Request extends { readonly method: string }> {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private readonly exited: Promise<void>;
  private nextId = 1;
  private failure: Error | undefined;

  /** Starts `script` in `attachment`'s namespace with `env`; its output goes to `logFile`. `what` names it in errors. */
  constructor(
    private readonly what: string,
    script: string,
    attachment: Attachment,
    logFile: string,
    env: NodeJS.ProcessEnv,
  ) {
    const log = openSync(logFile, 'a');
    try {
      // setpriv --pdeathsig: the agent dies with the test process. nsenter --net execs node in the client's namespace.
      this.child = spawn(
        findBinary('setpriv'),
        ['--pdeathsig=SIGKILL', '--', findBinary('nsenter'), `--net=${attachment.path}`, '--', process.execPath, '--import', 'tsx', script],
        { stdio: ['ignore', log, log, 'ipc'], cwd: REPOSITORY_ROOT, env },
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
        this.fail(new Error(`${what} exited (${code ?? signal}); see ${logFile}`));
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

  /** Sends `request`; resolves with the agent's result, or rejects with its error or once `timeoutMs` (plus margin) passed. */
  call(request: Request, timeoutMs: number): Promise<unknown> {
    if (this.failure) {
      return Promise.reject(this.failure);
    }
    const id = this.nextId++;
    const reply = new Promise<unknown>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const message: AgentMessage<Request> = { id, request };
      this.child.send(message, (error) => {
        if (error) {
          this.pending.delete(id);
          reject(error);
        }
      });
    });
    return withTimeout(`${this.what} to answer ${request.method}`, reply, timeoutMs + IPC_MARGIN_MS).finally(() => this.pending.delete(id));
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
    await withTimeout(`${this.what} to exit`, this.exited, 10_000);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.pending.values()) {
      waiter.reject(this.failure);
    }
    this.pending.clear();
  }
}

/**
 * The agent side: answers every request with `handle` (an error as `describeError` words it), and exits when the test
 * closes the channel.
 */
export function serveRequests<Request>(
  handle: (request: Request) => Promise<unknown>,
  describeError: (error: Error) => string = (error) => error.message,
): void {
  process.on('message', (message: AgentMessage<Request>) => {
    void handle(message.request).then(
      (result) => process.send!({ id: message.id, result } satisfies AgentReply),
      (error: Error) => process.send!({ id: message.id, error: describeError(error) } satisfies AgentReply),
    );
  });
  process.on('disconnect', () => process.exit(0));
}
