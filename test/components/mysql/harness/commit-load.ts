import { createConnection, Connection } from 'mysql2/promise';

/**
 * The write load of a MySQL fault test, run by the SQL agent (sql-agent.ts) in the client's network namespace:
 * `connections` connections commit sequenced rows into `<database>.<table>` at `commitsPerSecond` in total, each
 * through one of the `endpoints` (the proxies' read-write port), autocommit, one row per transaction, as an
 * application does. The row records the member that committed it (`@@wsrep_node_name`, the pod name), for the verification. A commit is
 * acknowledged when the server answered OK; any error or a missing answer by `commandTimeoutMs` leaves its outcome
 * unknown, and the load reconnects.
 */

export interface CommitLoadSpec {
  readonly endpoints: readonly { readonly host: string; readonly port: number }[];
  readonly user: string;
  readonly password: string;
  readonly database: string;
  readonly table: string;
  readonly commitsPerSecond: number;
  readonly connections: number;
  readonly commandTimeoutMs: number;
}

export interface CommitRecord {
  readonly seq: number;
  readonly endpoint: string;
  readonly sentAt: number;
  readonly answeredAt: number;
  /** `OK`, or the error. */
  readonly reply: string;
}

export interface CommitLog {
  readonly startedAt: number;
  readonly stoppedAt: number;
  readonly commits: readonly CommitRecord[];
}

export class CommitLoad {
  private readonly commits: CommitRecord[] = [];
  private readonly startedAt = Date.now();
  private readonly workers: Promise<void>[];
  private nextSeq = 0;
  private stopping = false;

  constructor(private readonly spec: CommitLoadSpec) {
    const intervalMs = (1000 * spec.connections) / spec.commitsPerSecond;
    this.workers = Array.from({ length: spec.connections }, (_, index) => this.work(index, intervalMs));
  }

  async stop(): Promise<CommitLog> {
    this.stopping = true;
    await Promise.all(this.workers);
    return { startedAt: this.startedAt, stoppedAt: Date.now(), commits: [...this.commits].sort((a, b) => a.seq - b.seq) };
  }

  private async work(index: number, intervalMs: number): Promise<void> {
    const { endpoints } = this.spec;
    const endpoint = endpoints[index % endpoints.length];
    const label = `${endpoint.host}:${endpoint.port}`;
    let connection: Connection | undefined;
    let next = Date.now() + (intervalMs * index) / this.spec.connections;
    while (!this.stopping) {
      await sleepUntil(next);
      next += intervalMs;
      const seq = this.nextSeq++;
      const sentAt = Date.now();
      try {
        connection ??= await this.connect(endpoint);
        await connection.query({
          sql: `INSERT INTO \`${this.spec.table}\` (seq, member) VALUES (?, @@wsrep_node_name)`,
          values: [seq],
          timeout: this.spec.commandTimeoutMs,
        });
        this.commits.push({ seq, endpoint: label, sentAt, answeredAt: Date.now(), reply: 'OK' });
      } catch (error) {
        this.commits.push({ seq, endpoint: label, sentAt, answeredAt: Date.now(), reply: describe(error) });
        connection?.destroy();
        connection = undefined;
      }
    }
    connection?.destroy();
  }

  private async connect(endpoint: { host: string; port: number }): Promise<Connection> {
    return createConnection({
      host: endpoint.host,
      port: endpoint.port,
      user: this.spec.user,
      password: this.spec.password,
      database: this.spec.database,
      connectTimeout: this.spec.commandTimeoutMs,
    });
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: string }).code;
    return code ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

function sleepUntil(at: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));
}
