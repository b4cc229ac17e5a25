import { join } from 'node:path';
import type { LoadLog, LoadSpec } from './load';
import { NamespaceAgent } from '../../../support/harness/namespace-agent';
import type { Attachment } from '../../../support/harness/network';
import { RespErrorReply, RespValue } from './resp';

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

const AGENT = join(__dirname, 'client-agent.ts');
/** The env variable through which the agent gets the set's password. */
export const PASSWORD_VARIABLE = 'REDIS_HARNESS_CLIENT_PASSWORD';

export class ClientAgent {
  private readonly agent: NamespaceAgent<AgentRequest>;

  /** Starts the agent in `attachment`'s namespace; its output goes to `logFile`. */
  constructor(attachment: Attachment, logFile: string, password: string | undefined) {
    this.agent = new NamespaceAgent('the client agent', AGENT, attachment, logFile, { ...process.env, [PASSWORD_VARIABLE]: password });
  }

  get pid(): number | undefined {
    return this.agent.pid;
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
  close(): Promise<void> {
    return this.agent.close();
  }

  private call(request: AgentRequest, timeoutMs: number): Promise<unknown> {
    return this.agent.call(request, timeoutMs);
  }
}
