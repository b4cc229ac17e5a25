import { join } from 'node:path';
import { NamespaceAgent } from '../../../support/harness/namespace-agent';
import type { Attachment } from '../../../support/harness/network';
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

const AGENT = join(__dirname, 'sql-agent.ts');

export class SqlClient {
  private readonly agent: NamespaceAgent<SqlAgentRequest>;

  constructor(attachment: Attachment, logFile: string) {
    this.agent = new NamespaceAgent('the SQL agent', AGENT, attachment, logFile, process.env);
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

  close(): Promise<void> {
    return this.agent.close();
  }

  private call(request: SqlAgentRequest, timeoutMs: number): Promise<unknown> {
    return this.agent.call(request, timeoutMs);
  }
}
