import { createSocket, Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';

/**
 * A DNS server over the cluster's hosts file, standing in for cluster DNS for containers that resolve names at run
 * time with their own resolver (HAProxy's `resolvers` section) instead of libc. It answers A queries for the names in
 * the file (TTL 0, read anew for every query, so a removed or changed record shows at once), NODATA for other types
 * of a known name, and NXDOMAIN for unknown names, over UDP only. Run by the client agent, in the client's namespace.
 */

const TYPE_A = 1;
const CLASS_IN = 1;
const RCODE_NXDOMAIN = 3;
const RCODE_FORMERR = 1;

const DNS_PORT = 53;

export function serveHostsFile(hostsFile: string): Promise<Socket> {
  const socket = createSocket('udp4');
  socket.on('message', (query, peer) => {
    const answer = respond(hostsFile, query);
    if (answer) {
      socket.send(answer, peer.port, peer.address);
    }
  });
  return new Promise((resolveBound, reject) => {
    socket.once('error', reject);
    socket.bind(DNS_PORT, '0.0.0.0', () => resolveBound(socket));
  });
}

/** The response to one query, or undefined for a packet too short to answer. */
export function respond(hostsFile: string, query: Buffer): Buffer | undefined {
  if (query.length < 12) {
    return undefined;
  }
  const question = readQuestion(query);
  if (question === undefined) {
    return header(query, RCODE_FORMERR, 0, 0);
  }
  const address = resolve(hostsFile, question.name.toLowerCase());
  const questionBytes = query.subarray(12, question.end);
  if (address === undefined) {
    return Buffer.concat([header(query, RCODE_NXDOMAIN, 1, 0), questionBytes]);
  }
  if (question.type !== TYPE_A || question.class !== CLASS_IN) {
    return Buffer.concat([header(query, 0, 1, 0), questionBytes]);
  }
  const record = Buffer.alloc(16);
  record.writeUInt16BE(0xc00c, 0); // a pointer to the name in the question
  record.writeUInt16BE(TYPE_A, 2);
  record.writeUInt16BE(CLASS_IN, 4);
  record.writeUInt32BE(0, 6);
  record.writeUInt16BE(4, 10);
  address.split('.').forEach((octet, i) => record.writeUInt8(Number(octet), 12 + i));
  return Buffer.concat([header(query, 0, 1, 1), questionBytes, record]);
}

function readQuestion(query: Buffer): { name: string; type: number; class: number; end: number } | undefined {
  if (query.readUInt16BE(4) !== 1) {
    return undefined;
  }
  const labels: string[] = [];
  let offset = 12;
  for (;;) {
    if (offset >= query.length) {
      return undefined;
    }
    const length = query.readUInt8(offset);
    if (length === 0) {
      offset += 1;
      break;
    }
    if (length > 63 || offset + 1 + length > query.length) {
      return undefined;
    }
    labels.push(query.toString('ascii', offset + 1, offset + 1 + length));
    offset += 1 + length;
  }
  if (offset + 4 > query.length) {
    return undefined;
  }
  return { name: labels.join('.'), type: query.readUInt16BE(offset), class: query.readUInt16BE(offset + 2), end: offset + 4 };
}

/** A response header for `query`: its id, QR and AA set, its RD copied, RA set, the given counts. */
function header(query: Buffer, rcode: number, questions: number, answers: number): Buffer {
  const out = Buffer.alloc(12);
  out.writeUInt16BE(query.readUInt16BE(0), 0);
  const recursionDesired = query.readUInt8(2) & 0x01;
  out.writeUInt8(0x84 | recursionDesired, 2);
  out.writeUInt8(0x80 | rcode, 3);
  out.writeUInt16BE(questions, 4);
  out.writeUInt16BE(answers, 6);
  return out;
}

/** The address of `host` in a hosts file, as the pods' resolver would find it (the first line that names it). */
export function resolve(hostsFile: string, host: string): string | undefined {
  for (const line of readFileSync(hostsFile, 'utf8').split('\n')) {
    const [address, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (names.includes(host)) {
      return address;
    }
  }
  return undefined;
}
