import { createConnection } from 'mysql2/promise';
import { serveHostsFile } from '../../../support/harness/dns';
import { CommitLoad } from './commit-load';
import { serveRequests } from '../../../support/harness/namespace-agent';
import type { SqlAgentRequest } from './sql-client';

/**
 * The test's SQL client, run by sql-client.ts as a child process in the client's network namespace: one connection
 * per query, the commit load, and the cluster DNS for HAProxy (which resolves the members itself). It exits when the
 * IPC channel closes, so it never outlives the test.
 */

let load: CommitLoad | undefined;
let dnsServed = false;

async function handle(request: SqlAgentRequest): Promise<unknown> {
  switch (request.method) {
    case 'query': {
      const connection = await createConnection({
        host: request.host,
        port: request.port,
        user: request.user,
        password: request.password,
        connectTimeout: request.timeoutMs,
        multipleStatements: false,
      });
      try {
        const [rows] = await connection.query({ sql: request.sql, timeout: request.timeoutMs });
        return Array.isArray(rows) ? rows : [rows];
      } finally {
        connection.destroy();
      }
    }
    case 'startLoad':
      if (load) {
        throw new Error('a load is already running');
      }
      load = new CommitLoad(request.spec);
      return null;
    case 'stopLoad': {
      if (!load) {
        throw new Error('no load is running');
      }
      const log = await load.stop();
      load = undefined;
      return log;
    }
    case 'serveDns':
      if (!dnsServed) {
        await serveHostsFile(request.hostsFile);
        dnsServed = true;
      }
      return null;
  }
}

// JSON round trip: mysql2 rows carry prototypes and Buffers the IPC channel's serialization does not take as is.
serveRequests(
  async (request: SqlAgentRequest) => JSON.parse(JSON.stringify(await handle(request)) ?? 'null'),
  (error: Error & { code?: string }) => (error.code ? `${error.code}: ${error.message}` : error.message),
);
