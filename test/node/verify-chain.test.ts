import '../../pipelines/parquet/parquet-wasm-node';

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';

import type { EventEnvelope } from '../../events/envelope';
import { GENESIS_HASH, type HashedEventFields, hashEvent } from '../../events/hash';
import { UuidV7Generator } from '../../events/uuidv7';
import { writeEventDataFiles } from '../../pipelines/parquet';
import workedExample from '../fixtures/worked-example.json';

const script = resolve(import.meta.dirname, '..', '..', 'scripts', 'verify-chain.mjs');
const workDir = mkdtempSync(join(tmpdir(), 'verify-chain-'));

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

/** Payloads that exercise the canonical form: key order, escapes, unicode and number forms. */
const PAYLOADS: unknown[] = [
  { id: 'user-1', type: 'User', data: { name: 'Ada', tags: ['admin'] } },
  { id: 'user-1', type: 'User', data: { z: 1, a: { y: [3, 2, 1], b: null } } },
  { id: 'n', type: 'Numbers', data: [0, -1, 0.1, 1e21, 1e-7, 123456789012345680000, 5e-324, 1.7976931348623157e308, 333333333.33333329] },
  { id: 's', type: 'Strings', data: { '\r': 'cr', '1': 'one', '\u20ac': 'euro', '😀': 'emoji', '\ufb33': 'dalet', quote: '"\\/\b\f\n\t\u0001\u007f' } },
  { id: 'u', type: 'ünïcødé 日本', data: 'ü😀' },
  { id: 'r1', type: 'knows', from: 'user-1', to: 'n', data: {} },
  { id: 'r1', cascadeFrom: 'user-1' },
  { id: 'e', type: 'Empty', data: [[], {}, '', false, true] },
];
const TYPES = ['thing.created', 'thing.updated', 'thing.created', 'thing.created', 'thing.created', 'relationship.created', 'relationship.deleted', 'thing.created'];

/**
 * Builds a chain with the project's own hashing, as the tenant object stores it.
 * Event `seq` occurs at `startMs + seq * stepMs`.
 */
function buildChain(count: number, tenant = 'acme', startMs = 1_719_835_200_000, stepMs = 7): EventEnvelope[] {
  const ids = new UuidV7Generator();
  const events: EventEnvelope[] = [];
  let prevHash = GENESIS_HASH;
  let causationId: string | null = null;
  for (let seq = 1; seq <= count; seq++) {
    const occurredAt = startMs + seq * stepMs;
    const type = TYPES[(seq - 1) % TYPES.length]!;
    const fields: HashedEventFields = {
      tenant,
      seq,
      id: ids.next(occurredAt),
      type,
      schemaVersion: 1,
      occurredAt,
      actor: seq % 3 === 0 ? 'admin' : null,
      correlationId: `req-${Math.ceil(seq / 2)}`,
      causationId: type === 'relationship.deleted' ? causationId : null,
      idempotencyKey: seq % 4 === 0 ? `key-${seq}` : null,
      payload: PAYLOADS[(seq - 1) % PAYLOADS.length],
    };
    const hash = hashEvent(prevHash, fields);
    events.push({ ...fields, prevHash, hash });
    causationId = fields.id;
    prevHash = hash;
  }
  return events;
}

function jsonl(events: readonly unknown[]): string {
  return events.map((event) => JSON.stringify(event)).join('\n') + '\n';
}

/** Writes `events` as one `GET /events` page, as the API does. */
function page(events: EventEnvelope[], lastSeq: number): string {
  const last = events[events.length - 1];
  return JSON.stringify({ items: events, count: events.length, lastSeq, next: last && last.seq < lastSeq ? last.seq : null });
}

function run(args: string[], input?: string) {
  const result = spawnSync(process.execPath, [script, ...args], { input, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
}

function runOnFile(name: string, content: string, args: string[] = []) {
  const file = join(workDir, name);
  writeFileSync(file, content);
  return run([file, ...args]);
}

describe('scripts/verify-chain.mjs', () => {
  it('accepts a chain written as JSONL', () => {
    const events = buildChain(24);
    const result = runOnFile('valid.jsonl', jsonl(events));
    expect(result).toEqual({ status: 0, stdout: `OK 24 events, last seq 24, head hash ${events[23]!.hash}`, stderr: '' });
  });

  it('accepts GET /events pages, pretty-printed or concatenated', () => {
    const events = buildChain(10);
    const concatenated = page(events.slice(0, 4), 10) + page(events.slice(4, 8), 10) + page(events.slice(8), 10);
    expect(runOnFile('pages.json', concatenated).status).toBe(0);

    const pretty = JSON.stringify({ items: events, count: 10, lastSeq: 10, next: null }, null, 2);
    expect(runOnFile('pretty.json', pretty).stdout).toMatch(/^OK 10 events/);

    const arrayOfEvents = JSON.stringify(events);
    expect(runOnFile('array.json', arrayOfEvents).status).toBe(0);
  });

  it('reads standard input', () => {
    const events = buildChain(5);
    expect(run([], jsonl(events)).stdout).toMatch(/^OK 5 events/);
    expect(run(['-'], jsonl(events)).status).toBe(0);
  });

  it('accepts the documented worked example', () => {
    const expected = `OK 2 events, last seq 2, head hash ${workedExample.events[1]!.hash}`;
    expect(run([], jsonl(workedExample.events)).stdout).toBe(expected);
    // The fixture file as it is: an object whose `events` member contains the events.
    const fixture = resolve(import.meta.dirname, '..', 'fixtures', 'worked-example.json');
    expect(run([fixture])).toEqual({ status: 0, stdout: expected, stderr: '' });
  });

  it('reports a tampered payload at its seq', () => {
    const events = buildChain(12);
    const tampered = structuredClone(events);
    (tampered[6]!.payload as Record<string, unknown>).cascadeFrom = 'someone-else';
    const result = runOnFile('payload.jsonl', jsonl(tampered));
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^BROKEN at seq 7: hash [0-9a-f]{64} does not match content \(expected [0-9a-f]{64}\)$/);
  });

  it('reports each kind of tampering at the first broken seq', () => {
    const events = buildChain(12);
    const cases: Array<[string, (copy: Array<Record<string, unknown>>) => void, string]> = [
      ['changed time', (copy) => (copy[3]!.occurredAt = (copy[3]!.occurredAt as number) + 1), 'BROKEN at seq 4: hash'],
      ['changed actor', (copy) => (copy[2]!.actor = 'mallory'), 'BROKEN at seq 3: hash'],
      ['changed tenant', (copy) => (copy[0]!.tenant = 'other'), 'BROKEN at seq 1: hash'],
      ['changed hash', (copy) => (copy[5]!.hash = 'f'.repeat(64)), 'BROKEN at seq 6: hash'],
      ['wrong prevHash', (copy) => (copy[8]!.prevHash = 'a'.repeat(64)), 'BROKEN at seq 9: prevHash does not match the hash of seq 8'],
      ['gap', (copy) => copy.splice(4, 1), 'BROKEN at seq 6: expected seq 5, found 6'],
      ['swap', (copy) => copy.splice(2, 2, copy[3]!, copy[2]!), 'BROKEN at seq 4: expected seq 3, found 4'],
      ['duplicate', (copy) => copy.splice(2, 0, copy[1]!), 'BROKEN at seq 2: expected seq 3, found 2'],
      ['missing payload', (copy) => delete copy[10]!.payload, 'BROKEN at seq 11: event at seq 11 has no payload'],
      ['missing actor', (copy) => delete copy[0]!.actor, 'OK 12 events'],
    ];
    for (const [label, tamper, expected] of cases) {
      const copy = structuredClone(events) as unknown as Array<Record<string, unknown>>;
      tamper(copy);
      const result = run([], jsonl(copy));
      expect(result.stdout, label).toMatch(new RegExp(`^${expected.replace(/[()]/g, '\\$&')}`));
      expect(result.status, label).toBe(expected.startsWith('OK') ? 0 : 1);
    }
  });

  it('finds a forged event whose hash was recomputed, at the next seq', () => {
    const events = buildChain(6);
    const forged = structuredClone(events);
    forged[2]!.payload = { id: 'user-1', type: 'User', data: { name: 'Mallory' } };
    forged[2]!.hash = hashEvent(forged[2]!.prevHash, forged[2]!);
    expect(run([], jsonl(forged)).stdout).toBe('BROKEN at seq 4: prevHash does not match the hash of seq 3');
  });

  it('continues a known head with --after-seq and --after-hash', () => {
    const events = buildChain(8);
    const tail = jsonl(events.slice(5));
    expect(run(['-', '--after-seq=5', `--after-hash=${events[4]!.hash}`], tail).stdout).toMatch(/^OK 3 events, last seq 8/);
    expect(run(['-', '--after-seq=5', `--after-hash=${events[3]!.hash}`], tail).stdout).toBe('BROKEN at seq 6: prevHash does not match the hash of seq 5');
  });

  it('takes option values after a space as well as after =', () => {
    const events = buildChain(8);
    const tail = jsonl(events.slice(5));
    expect(run(['--after-seq', '5', '--after-hash', events[4]!.hash], tail).stdout).toMatch(/^OK 3 events, last seq 8/);
    expect(run(['-', '--after-seq', '5', `--after-hash=${events[4]!.hash}`], tail).stdout).toMatch(/^OK 3 events, last seq 8/);
    const file = join(workDir, 'tail.jsonl');
    writeFileSync(file, tail);
    expect(run(['--after-hash', events[4]!.hash, file, '--after-seq', '5']).stdout).toMatch(/^OK 3 events, last seq 8/);
  });

  it('asks for the head before a part of a log', () => {
    const events = buildChain(14);
    const part = jsonl(events.slice(12));
    const result = run([], part);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'verify-chain: the input starts at seq 13, not 1, so it is part of a log. To check it, pass the seq and hash of the event ' +
        'before it, taken from a source you trust: --after-seq=12 --after-hash=<hash of seq 12>',
    );
    // A full log without its first event is reported the same way, because nothing distinguishes it from a part.
    expect(run([], jsonl(events.slice(1))).stderr).toMatch(/^verify-chain: the input starts at seq 2, not 1, so it is part of a log/);
    expect(run(['--after-seq=12', `--after-hash=${events[11]!.hash}`], part).stdout).toMatch(/^OK 2 events, last seq 14/);

    const wrongHead = run(['--after-seq=10', `--after-hash=${events[9]!.hash}`], part);
    expect(wrongHead.status).toBe(2);
    expect(wrongHead.stderr).toBe(
      'verify-chain: the input starts at seq 13, but --after-seq=10 expects seq 11; pass the seq and hash of the event just before the input',
    );
  });

  it('rejects an input without events unless allowed', () => {
    for (const input of ['', '\n  \n', '[]', '{"items":[],"count":0,"lastSeq":14,"next":null}']) {
      const result = run([], input);
      expect(result.status, JSON.stringify(input)).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe('verify-chain: the input contains no events; pass --allow-empty if an empty log or range is expected');
    }
    expect(run(['--allow-empty'], '')).toEqual({ status: 0, stdout: `OK 0 events, last seq 0, head hash ${GENESIS_HASH}`, stderr: '' });
    const head = 'c'.repeat(64);
    expect(run(['--allow-empty', '--after-seq', '14', '--after-hash', head], '').stdout).toBe(`OK 0 events, last seq 14, head hash ${head}`);
  });

  it('prints its usage for --help', () => {
    const result = run(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^usage: node scripts\/verify-chain\.mjs /);
    expect(result.stdout).toContain('--allow-empty');
  });

  it('exits 2 for input or options it cannot read', () => {
    const cases: Array<[string[], string | undefined]> = [
      [[], 'not json'],
      [[], '{"items": [1, 2]}'],
      [[], '{"seq": 1'],
      [[], '42'],
      [[join(workDir, 'does-not-exist.jsonl')], undefined],
      [['--after-seq=5'], '[]'],
      [['--after-seq=x', `--after-hash=${'0'.repeat(64)}`], '[]'],
      [['--after-seq=1', '--after-hash=XYZ'], '[]'],
      [['--verbose'], '[]'],
      [['--after-seq'], '[]'],
      [['--after-hash', 'f'.repeat(64), '--after-seq'], '[]'],
      [['--after-seq', '--after-hash', 'f'.repeat(64)], '[]'],
    ];
    for (const [args, input] of cases) {
      const result = run(args, input);
      expect(result.status, `${args.join(' ')} ${input}`).toBe(2);
      expect(result.stderr).toMatch(/^verify-chain: /);
    }
  });
});

describe('scripts/verify-chain.mjs on rows of the table', () => {
  const tableDir = join(workDir, 'table-export');
  // Across midnight UTC, so the events lie in two data files, with times whose fractions DuckDB shortens (.92, .06).
  const events = buildChain(40, 'acme', Date.UTC(2026, 11, 4, 23, 59, 59, 850), 7);
  const otherTenant = buildChain(5, 'other', Date.UTC(2026, 11, 4, 12), 1_000);

  /** Writes the events as the flush does, and the files flat under `data/` as `npm run export-table` copies them. */
  function writeTable(): string[] {
    mkdirSync(join(tableDir, 'data'), { recursive: true });
    const paths: string[] = [];
    for (const file of [...writeEventDataFiles(events, { table: 's3://bucket/events' }), ...writeEventDataFiles(otherTenant, { table: 's3://bucket/events' })]) {
      const path = join(tableDir, 'data', file.key.split('/').pop()!);
      writeFileSync(path, file.bytes);
      paths.push(path);
    }
    return paths;
  }

  /** Runs `statements` in a fresh in-memory DuckDB and returns the rows of the last one as JSON values. */
  async function duckdb(...statements: string[]): Promise<Record<string, unknown>[]> {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      let rows: Record<string, unknown>[] = [];
      for (const statement of statements) rows = (await connection.runAndReadAll(statement)).getRowObjectsJson() as Record<string, unknown>[];
      return rows;
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  }

  const paths = writeTable();
  const head = `OK 40 events, last seq 40, head hash ${events[39]!.hash}`;
  const acmeRows = `SELECT * FROM read_parquet('${join(tableDir, 'data', '*.parquet')}') WHERE tenant = 'acme' ORDER BY seq`;

  it('verifies the JSON lines of a DuckDB COPY, as docs/pipeline.md shows', async () => {
    expect(paths.filter((path) => path.includes('acme-'))).toHaveLength(2);
    const output = join(workDir, 'acme-rows.jsonl');
    await duckdb(`COPY (${acmeRows}) TO '${output}' (FORMAT json)`);
    const firstLine = readFileSync(output, 'utf8').split('\n')[0]!;
    expect(JSON.parse(firstLine)).toMatchObject({ seq: 1, schema_version: 1, occurred_at: '2026-12-04 23:59:59.857+00', prev_hash: GENESIS_HASH });
    expect(run([output])).toEqual({ status: 0, stdout: head, stderr: '' });
  });

  it('verifies rows whose integers are text', async () => {
    // @duckdb/node-api returns BIGINT as text in JSON, and timestamps in UTC.
    const rows = await duckdb(acmeRows);
    expect(rows[0]).toMatchObject({ seq: '1', occurred_at: '2026-12-04 23:59:59.857+00' });
    expect(run([], JSON.stringify(rows))).toEqual({ status: 0, stdout: head, stderr: '' });
  });

  it('verifies rows whose times have another UTC offset', async () => {
    const output = join(workDir, 'acme-rows-kolkata.jsonl');
    await duckdb(`SET TimeZone = 'Asia/Kolkata'`, `COPY (${acmeRows}) TO '${output}' (FORMAT json)`);
    expect(JSON.parse(readFileSync(output, 'utf8').split('\n')[0]!)).toMatchObject({ occurred_at: '2026-12-05 05:29:59.857+05:30' });
    expect(run([output])).toEqual({ status: 0, stdout: head, stderr: '' });
  });

  it('reports tampered rows at their seq', async () => {
    const rows = await duckdb(acmeRows);
    const cases: Array<[string, (copy: Array<Record<string, unknown>>) => void, string]> = [
      ['changed payload', (copy) => (copy[1]!.payload = String(copy[1]!.payload).replace('user-1', 'user-9')), 'BROKEN at seq 2: hash'],
      ['time moved by 1 ms', (copy) => (copy[21]!.occurred_at = '2026-12-05 00:00:00.005+00'), 'BROKEN at seq 22: hash'],
      ['same time as ISO 8601', (copy) => (copy[21]!.occurred_at = '2026-12-05T00:00:00.004Z'), 'OK 40 events'],
      ['same time at -03:30', (copy) => (copy[21]!.occurred_at = '2026-12-04 20:30:00.004-03:30'), 'OK 40 events'],
      ['time below the ms', (copy) => (copy[21]!.occurred_at = '2026-12-05 00:00:00.0041+00'), 'BROKEN at seq 22: column occurred_at "2026-12-05 00:00:00.0041+00" has digits below the millisecond'],
      ['time without offset', (copy) => (copy[21]!.occurred_at = '2026-12-05 00:00:00.004'), 'BROKEN at seq 22: column occurred_at "2026-12-05 00:00:00.004" is not a timestamp with a UTC offset'],
      ['payload not text', (copy) => (copy[2]!.payload = { id: 'n' }), 'BROKEN at seq 3: column payload must be JSON text'],
      ['row missing', (copy) => copy.splice(20, 1), 'BROKEN at seq 22: expected seq 21, found 22'],
    ];
    expect(rows[9]!.occurred_at).toBe('2026-12-04 23:59:59.92+00');
    expect(rows[21]!.occurred_at).toBe('2026-12-05 00:00:00.004+00');
    for (const [label, tamper, expected] of cases) {
      const copy = structuredClone(rows);
      tamper(copy);
      const result = run([], jsonl(copy));
      expect(result.stdout.startsWith(expected), `${label}: ${result.stdout}`).toBe(true);
      expect(result.status, label).toBe(expected.startsWith('OK') ? 0 : 1);
    }
  });
});
