import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The fault suite's report. Each fault test writes one row (a JSON file) into the directory named by
 * FAULT_REPORT_DIR, when it is set; `npm run test:faults` runs this file, which runs jest on test/faults with a
 * fresh directory and prints the rows as a table. `tsx test/faults/report.ts --print <dir>` prints a kept directory.
 */

export const REPORT_DIR_VARIABLE = 'FAULT_REPORT_DIR';

export interface FaultRow {
  readonly component?: 'redis-sentinel';
  /** Orders the table: the scenario's number in the issue, e.g. "2b". */
  readonly id: string;
  readonly scenario: string;
  /** down-after-milliseconds / failover-timeout / min-replicas-max-lag of the set, and its data class. */
  readonly timings: string;
  /** From the fault to a sentinel majority naming the new master. */
  readonly failoverSeconds?: number;
  /** The longest time without an acknowledged write. */
  readonly unavailableSeconds?: number;
  /** Writes answered OK per second before the fault. */
  readonly writesPerSecond: number;
  readonly acknowledged: number;
  /** Acknowledged writes missing from the final master; must be 0. */
  readonly acknowledgedLost: number;
  readonly okNotAcknowledged: number;
  /** Writes (load and probes) answered OK by a node while another node was the elected master; must be 0. */
  readonly nonElected: number;
  readonly passed: boolean;
}

/** A scenario of the MysqlReplication (MARIADB_11_4) fault suite. */
export interface GaleraFaultRow {
  readonly component: 'mysql-replication';
  readonly id: string;
  readonly scenario: string;
  /** evs.suspect_timeout and the proxies' checks, as the members and HAProxy run them. */
  readonly timings: string;
  /** The longest time without an acknowledged commit through the writer endpoint, from the fault on. */
  readonly unavailableSeconds: number;
  readonly commitsPerSecond: number;
  readonly acknowledged: number;
  /** Acknowledged commits missing from any member at the end; must be 0. */
  readonly acknowledgedLost: number;
  /** Commits that ended in an error or without an answer: their outcome is unknown to the client. */
  readonly unknownOutcome: number;
  /** Writes a member outside the primary component accepted; must be 0. */
  readonly acceptedOutsidePrimary: number;
  readonly passed: boolean;
}

/** Writes a row, when the suite runs under the report. */
export function writeRow(row: FaultRow | GaleraFaultRow): void {
  const dir = process.env[REPORT_DIR_VARIABLE];
  if (dir !== undefined && existsSync(dir)) {
    writeFileSync(join(dir, `${row.id}.json`), JSON.stringify(row));
  }
}

export function readRows(dir: string): (FaultRow | GaleraFaultRow)[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as FaultRow | GaleraFaultRow)
    .sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
}

function isGaleraRow(row: FaultRow | GaleraFaultRow): row is GaleraFaultRow {
  return row.component === 'mysql-replication';
}

/** A markdown table, numbers right-aligned. */
function markdownTable(header: readonly string[], cells: readonly (readonly string[])[], numeric: (column: number) => boolean): string {
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => line[column].length)));
  const line = (values: readonly string[]) =>
    `| ${values.map((value, column) => (numeric(column) ? value.padStart(widths[column]) : value.padEnd(widths[column]))).join(' | ')} |`;
  return [
    line(header),
    `|${widths.map((width, column) => (numeric(column) ? `${'-'.repeat(width + 1)}:` : '-'.repeat(width + 2))).join('|')}|`,
    ...cells.map(line),
  ].join('\n');
}

export function formatGaleraTable(rows: readonly GaleraFaultRow[]): string {
  const header = [
    'scenario',
    'suspect timeout / proxy checks',
    'unavailable s',
    'commits/s',
    'acknowledged',
    'acknowledged lost',
    'unknown outcome',
    'accepted outside the primary component',
    'result',
  ];
  const cells = rows.map((row) => [
    `${row.id}. ${row.scenario}`,
    row.timings,
    seconds(row.unavailableSeconds),
    row.commitsPerSecond.toFixed(0),
    String(row.acknowledged),
    String(row.acknowledgedLost),
    String(row.unknownOutcome),
    String(row.acceptedOutsidePrimary),
    row.passed ? 'passed' : 'FAILED',
  ]);
  return markdownTable(header, cells, (column) => column >= 2 && column < header.length - 1);
}

/** A table per component that has rows: RedisSentinel's, then MysqlReplication's. */
export function formatTables(rows: readonly (FaultRow | GaleraFaultRow)[]): string {
  const galera = rows.filter(isGaleraRow);
  const redis = rows.filter((row): row is FaultRow => !isGaleraRow(row));
  return [
    ...(redis.length > 0 ? [`RedisSentinel (${redis.length} scenarios):\n${formatTable(redis)}`] : []),
    ...(galera.length > 0 ? [`MysqlReplication, MARIADB_11_4 (${galera.length} scenarios):\n${formatGaleraTable(galera)}`] : []),
  ].join('\n\n');
}

const seconds = (value: number | undefined) => (value === undefined ? '-' : value.toFixed(1));

export function formatTable(rows: readonly FaultRow[]): string {
  const header = [
    'scenario',
    'down-after ms / failover-timeout ms / max-lag s',
    'failover s',
    'unavailable s',
    'OK writes/s',
    'acknowledged',
    'acknowledged lost',
    'OK, not acknowledged',
    'OK by a non-elected node',
    'result',
  ];
  const cells = rows.map((row) => [
    `${row.id}. ${row.scenario}`,
    row.timings,
    seconds(row.failoverSeconds),
    seconds(row.unavailableSeconds),
    row.writesPerSecond.toFixed(0),
    String(row.acknowledged),
    String(row.acknowledgedLost),
    String(row.okNotAcknowledged),
    String(row.nonElected),
    row.passed ? 'passed' : 'FAILED',
  ]);
  return markdownTable(header, cells, (column) => column >= 2 && column < header.length - 1);
}

function main(args: readonly string[]): number {
  if (args[0] === '--print') {
    console.log(formatTables(readRows(args[1])));
    return 0;
  }
  const dir = mkdtempSync(join(tmpdir(), 'fault-report-'));
  try {
    const jest = spawnSync(join(__dirname, '..', '..', 'node_modules', '.bin', 'jest'), ['test/faults', ...args], {
      stdio: 'inherit',
      env: { ...process.env, [REPORT_DIR_VARIABLE]: dir },
      cwd: join(__dirname, '..', '..'),
    });
    const rows = readRows(dir);
    console.log(`\nFault scenarios (${rows.length}):\n${formatTables(rows)}`);
    return jest.status ?? 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
