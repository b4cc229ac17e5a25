import type { AgentRequest } from './client';
import { PASSWORD_VARIABLE, toWire } from './client';
import { serveHostsFile } from '../../../support/harness/dns';
import { Load } from './load';
import { serveRequests } from '../../../support/harness/namespace-agent';
import { RespConnection, command } from './resp';

/**
 * The test client, run by client.ts as a child process inside the client's network namespace. It answers requests
 * from the test over the IPC channel, one connection (or one load) at a time per request, and exits when the
 * channel closes, so it never outlives the test. It also stands in for cluster DNS when a set has pods that resolve
 * names themselves (dns.ts).
 */

let password = process.env[PASSWORD_VARIABLE];
let load: Load | undefined;
let dnsServed = false;

async function handle(request: AgentRequest): Promise<unknown> {
  switch (request.method) {
    case 'command':
      return toWire(await command(request.host, request.port, request.args, { password, timeoutMs: request.timeoutMs }));
    case 'session': {
      const connection = await RespConnection.open(request.host, request.port, { password, timeoutMs: request.timeoutMs });
      try {
        const replies = [];
        for (const args of request.commands) {
          replies.push(toWire(await connection.send(...args)));
        }
        return replies;
      } finally {
        connection.close();
      }
    }
    case 'startLoad':
      if (load) {
        throw new Error('a load is already running');
      }
      load = new Load({ ...request.spec, password });
      await load.started();
      return null;
    case 'serveDns':
      if (!dnsServed) {
        await serveHostsFile(request.hostsFile);
        dnsServed = true;
      }
      return null;
    case 'setPassword':
      password = request.password;
      return null;
    case 'stopLoad': {
      if (!load) {
        throw new Error('no load is running');
      }
      const log = await load.stop();
      load = undefined;
      return log;
    }
  }
}

serveRequests(handle);
