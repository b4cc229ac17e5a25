import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { Attachment } from '../../redis/harness/network';
import { findBinary } from '../../redis/harness/system';
import { withTimeout } from '../../redis/harness/wait';
import type { CommitLoadSpec, CommitLog } from './commit-load';

/**
 * The test's SQL client: a child process (sql-agent.ts) in a network namespace of its own on the members' switch.
 * Every connection a test makes to a member or a proxy is made by that process, so a partition cuts the test off a
 * member exactly as it cuts the other members.
 */

export interface SqlTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
}

export type SqlAgentRequest =
  | ({ readonly method: 'query'; readonly sql: string; readonly timeoutMs: number } & SqlTarget)
  | { readonly method: 'startLoad'; readonly spec: CommitLoadSpec }
  | { readonly method: 'stopLoad' }
  | { readonly method: 'serveDns'; readonly hostsFile: string };

export interface SqlAgentMessage {
  readonly id: number;
  readonly request: SqlAgentRequest;
}

export interface SqlAgentReply {
  readonly id: number;
  readonly result?: unknown;
  readonly error?: string;
}

const IPC_MARGIN_MS = 5000;
const AGENT = join(__dirname, 'sql-agent.ts');
const REPOSITORY_ROOT = join(__dirname, '..', '..', '..', '..');

export class SqlClient {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private readonly exited: Promise<void>;
  private nextId = 1;
  private failure: Error | undefined;

  constructor(attachment: Attachment, logFile: string) {
    const log = openSync(logFile, 'a');
    try {
      this.child = spawn(
        findBinary('setpriv'),
        ['--pdeathsig=SIGKILL', '--', findBinary('nsenter'), `--net=${attachment.path}`, '--', process.execPath, '--import', 'tsx', AGENT],
        { stdio: ['ignore', log, log, 'ipc'], cwd: REPOSITORY_ROOT, env: process.env },
      );
    } finally {
      closeSync(log);
    }
    this.child.on('message', (reply: SqlAgentReply) => {
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
        this.fail(new Error(`the SQL agent exited (${code ?? signal}); see ${logFile}`));
        resolve();
      });
      this.child.once('error', (error) => {
        this.fail(error);
        resolve();
      });
    });
  }

  /** The rows of one statement on a connection of its own. */
  async query(target: SqlTarget, sql: string, timeoutMs = 5000): Promise<Record<string, unknown>[]> {
    return (await this.call({ method: 'query', ...target, sql, timeoutMs }, timeoutMs * 2)) as Record<string, unknown>[];
  }

  async startLoad(spec: CommitLoadSpec): Promise<void> {
    await this.call({ method: 'startLoad', spec }, 5000);
  }

  async stopLoad(): Promise<CommitLog> {
    return (await this.call({ method: 'stopLoad' }, 60_000)) as CommitLog;
  }

  /** Serves the hosts file as DNS on port 53 of the client's address (for HAProxy's resolvers). */
  async serveDns(hostsFile: string): Promise<void> {
    await this.call({ method: 'serveDns', hostsFile }, 5000);
  }

  async close(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null && this.child.pid !== undefined) {
      try {
        process.kill(this.child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await withTimeout('the SQL agent to exit', this.exited, 10_000);
  }

  private call(request: SqlAgentRequest, timeoutMs: number): Promise<unknown> {
    if (this.failure) {
      return Promise.reject(this.failure);
    }
    const id = this.nextId++;
    const reply = new Promise<unknown>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const message: SqlAgentMessage = { id, request };
      this.child.send(message, (error) => {
        if (error) {
          this.pending.delete(id);
          reject(error);
        }
      });
    });
    return withTimeout(`the SQL agent to answer ${request.method}`, reply, timeoutMs + IPC_MARGIN_MS).finally(() => this.pending.delete(id));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.pending.values()) {
      waiter.reject(this.failure);
    }
    this.pending.clear();
  }
}
