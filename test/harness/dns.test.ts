import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { respond } from '../support/harness/dns';

/** The harness's stand-in for cluster DNS (test/support/harness/dns.ts), which the proxies' HAProxy queries. */

const HOST = 'sessions-redis-1.sessions-redis-headless.shop.svc.cluster.local';
const TYPE_A = 1;
const TYPE_AAAA = 28;

function query(name: string, type: number, id = 0x1234): Buffer {
  const labels = name.split('.').map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, 'ascii')]));
  const header = Buffer.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
  const tail = Buffer.from([0, type >> 8, type & 0xff, 0, 1]);
  return Buffer.concat([header, ...labels, tail]);
}

describe('harness DNS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'harness-dns-'));
  const hostsFile = join(dir, 'hosts');
  writeFileSync(hostsFile, `127.0.0.1 localhost\n198.18.0.5 ${HOST}\n`);

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('answers an A query for a name in the hosts file with its address, TTL 0', () => {
    // WHEN
    const response = respond(hostsFile, query(HOST, TYPE_A))!;

    // THEN
    expect(response.readUInt16BE(0)).toBe(0x1234);
    expect(response.readUInt8(3) & 0x0f).toBe(0);
    expect([response.readUInt16BE(4), response.readUInt16BE(6)]).toEqual([1, 1]);
    const answer = response.subarray(response.length - 16);
    expect([answer.readUInt16BE(2), answer.readUInt32BE(6), [...answer.subarray(12)].join('.')]).toEqual([TYPE_A, 0, '198.18.0.5']);
  });

  test('answers NODATA for another type of a known name, NXDOMAIN for an unknown name', () => {
    const nodata = respond(hostsFile, query(HOST, TYPE_AAAA))!;
    expect([nodata.readUInt8(3) & 0x0f, nodata.readUInt16BE(6)]).toEqual([0, 0]);

    const unknown = respond(hostsFile, query('sessions-redis-0.sessions-redis-headless.shop.svc.cluster.local', TYPE_A))!;
    expect([unknown.readUInt8(3) & 0x0f, unknown.readUInt16BE(6)]).toEqual([3, 0]);
  });

  test('a removed record is gone at the next query', () => {
    // GIVEN
    writeFileSync(hostsFile, '127.0.0.1 localhost\n');

    // WHEN
    const response = respond(hostsFile, query(HOST, TYPE_A))!;

    // THEN
    expect(response.readUInt8(3) & 0x0f).toBe(3);
  });

  test('ignores a packet too short to be a query, and answers FORMERR to a malformed question', () => {
    expect(respond(hostsFile, Buffer.alloc(5))).toBeUndefined();
    const truncated = query(HOST, TYPE_A).subarray(0, 20);
    expect(respond(hostsFile, truncated)!.readUInt8(3) & 0x0f).toBe(1);
  });
});
