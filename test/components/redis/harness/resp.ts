import { Socket, connect } from 'node:net';

/**
 * A minimal RESP2 client, so the tests talk to Redis and Sentinel without another dependency and without a
 * redis-cli process per check. Every operation has a deadline.
 */

/** An error reply (`-ERR ...`, `-NOREPLICAS ...`), returned as a value: the caller decides whether it is a failure. */
export class RespErrorReply {
  constructor(public readonly message: string) {}
  toString(): string {
    return this.message;
  }
}

export type RespValue = string | number | null | RespErrorReply | RespValue[];

export interface RespOptions {
  /** AUTH with this password right after connecting. */
  readonly password?: string;
  /** Deadline of each command. @default 2000 */
  readonly timeoutMs?: number;
  /** Deadline of the connection. @default - timeoutMs */
  readonly connectTimeoutMs?: number;
}

interface Parsed {
  readonly value: RespValue;
  readonly end: number;
}

/** Parses one reply starting at `start`, or returns undefined when the buffer does not hold all of it yet. */
function parse(buffer: Buffer, start: number): Parsed | undefined {
  const lineEnd = buffer.indexOf('\r\n', start);
  if (lineEnd < 0) {
    return undefined;
  }
  const type = String.fromCharCode(buffer[start]);
  const line = buffer.toString('utf8', start + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case '+':
      return { value: line, end: next };
    case '-':
      return { value: new RespErrorReply(line), end: next };
    case ':':
      return { value: Number(line), end: next };
    case '$': {
      const length = Number(line);
      if (length < 0) {
        return { value: null, end: next };
      }
      if (buffer.length < next + length + 2) {
        return undefined;
      }
      return { value: buffer.toString('utf8', next, next + length), end: next + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) {
        return { value: null, end: next };
      }
      const items: RespValue[] = [];
      let position = next;
      for (let i = 0; i < count; i++) {
        const item = parse(buffer, position);
        if (!item) {
          return undefined;
        }
        items.push(item.value);
        position = item.end;
      }
      return { value: items, end: position };
    }
    default:
      throw new Error(`unexpected RESP type byte ${JSON.stringify(type)}`);
  }
}

function encode(args: readonly (string | number)[]): string {
  return `*${args.length}\r\n` + args.map((arg) => `$${Buffer.byteLength(String(arg))}\r\n${arg}\r\n`).join('');
}

/** One connection; commands are answered in order. */
export class RespConnection {
  private buffer = Buffer.alloc(0);
  private readonly waiting: { resolve: (value: RespValue) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }[] = [];
  private failure: Error | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly label: string,
    private readonly timeoutMs: number,
  ) {
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error(`${label}: connection closed`)));
  }

  static async open(host: string, port: number, options: RespOptions = {}): Promise<RespConnection> {
    const timeoutMs = options.timeoutMs ?? 2000;
    const connectTimeoutMs = options.connectTimeoutMs ?? timeoutMs;
    const label = `${host}:${port}`;
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host, port });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error(`${label}: connect timed out after ${connectTimeoutMs} ms`));
      }, connectTimeoutMs);
      s.once('connect', () => {
        clearTimeout(timer);
        resolve(s);
      });
      s.once('error', (error) => {
        clearTimeout(timer);
        s.destroy();
        reject(new Error(`${label}: ${error.message}`));
      });
    });
    socket.setNoDelay(true);
    const connection = new RespConnection(socket, label, timeoutMs);
    if (options.password !== undefined) {
      const reply = await connection.send('AUTH', options.password);
      if (reply instanceof RespErrorReply) {
        connection.close();
        throw new Error(`${label}: AUTH failed: ${reply.message}`);
      }
    }
    return connection;
  }

  /** Sends one command and resolves with its reply (an error reply included). Rejects on I/O errors and timeouts. */
  send(...args: (string | number)[]): Promise<RespValue> {
    if (this.failure) {
      return Promise.reject(this.failure);
    }
    return new Promise<RespValue>((resolve, reject) => {
      const timer = setTimeout(
        () => this.fail(new Error(`${this.label}: no reply to ${String(args[0])} within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      this.waiting.push({ resolve, reject, timer });
      this.socket.write(encode(args));
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      let parsed: Parsed | undefined;
      try {
        parsed = parse(this.buffer, 0);
      } catch (error) {
        this.fail(error as Error);
        return;
      }
      if (!parsed) {
        return;
      }
      this.buffer = this.buffer.subarray(parsed.end);
      const waiter = this.waiting.shift();
      if (waiter) {
        clearTimeout(waiter.timer);
        waiter.resolve(parsed.value);
      }
    }
  }

  private fail(error: Error): void {
    if (!this.failure) {
      this.failure = error;
    }
    for (const waiter of this.waiting.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(this.failure);
    }
    this.socket.destroy();
  }
}

/** Opens a connection, sends one command, closes. */
export async function command(host: string, port: number, args: readonly (string | number)[], options: RespOptions = {}): Promise<RespValue> {
  const connection = await RespConnection.open(host, port, options);
  try {
    return await connection.send(...args);
  } finally {
    connection.close();
  }
}

/** Parses INFO output into a map of field to value. */
export function parseInfo(text: RespValue): Record<string, string> {
  if (typeof text !== 'string') {
    throw new Error(`not an INFO reply: ${String(text)}`);
  }
  const fields: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) {
      fields[line.slice(0, colon)] = line.slice(colon + 1);
    }
  }
  return fields;
}

/** Turns a flat [key, value, key, value, ...] reply (SENTINEL MASTER, CONFIG GET) into an object. */
export function pairs(reply: RespValue): Record<string, string> {
  if (!Array.isArray(reply)) {
    throw new Error(`not a flat key/value array: ${String(reply)}`);
  }
  const result: Record<string, string> = {};
  for (let i = 0; i + 1 < reply.length; i += 2) {
    result[String(reply[i])] = String(reply[i + 1]);
  }
  return result;
}
