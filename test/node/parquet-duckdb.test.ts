import '../../pipelines/parquet/parquet-wasm-node';

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { EventEnvelope } from '../../events/envelope';
import { EVENT_COLUMNS, formatUtcDay, readEventFile, utcDay, writeEventDataFiles, type WrittenDataFile } from '../../pipelines/parquet';
import { makeEventBatch } from '../fixtures/event-batches';

const HOUR = 3_600_000;
let directory: string;
let connection: DuckDBConnection;
let instance: DuckDBInstance;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'tenantlog-parquet-'));
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
});

afterAll(() => {
  connection?.closeSync();
  instance?.closeSync();
  rmSync(directory, { recursive: true, force: true });
});

/** Writes a batch and saves each file under its object key, as R2 would store it. */
function saveFiles(name: string, events: EventEnvelope[], caps = {}): { files: WrittenDataFile[]; glob: string } {
  const files = [...writeEventDataFiles(events, { table: `${name}/events`, caps })];
  for (const file of files) {
    const path = join(directory, file.key);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.bytes);
  }
  return { files, glob: join(directory, name, 'events', 'data', '**', '*.parquet') };
}

async function query(sql: string): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}

/** DuckDB rows back as envelopes: BIGINT arrives as bigint, the timestamp as epoch ms. */
async function readWithDuckDb(glob: string): Promise<EventEnvelope[]> {
  const rows = await query(
    `SELECT tenant, seq, id, type, schema_version, epoch_ms(occurred_at) AS occurred_at_ms, actor, correlation_id,
            causation_id, idempotency_key, payload, prev_hash, hash
       FROM read_parquet('${glob}', hive_partitioning = false) ORDER BY seq`,
  );
  return rows.map((row) => ({
    tenant: row.tenant as string,
    seq: Number(row.seq),
    id: row.id as string,
    type: row.type as string,
    schemaVersion: row.schema_version as number,
    occurredAt: Number(row.occurred_at_ms),
    actor: row.actor as string | null,
    correlationId: row.correlation_id as string,
    causationId: row.causation_id as string | null,
    idempotencyKey: row.idempotency_key as string | null,
    payload: JSON.parse(row.payload as string) as unknown,
    prevHash: row.prev_hash as string,
    hash: row.hash as string,
  }));
}

describe('DuckDB reading our Parquet files', () => {
  it('returns the same rows across files and days', async () => {
    const events = makeEventBatch({ tenant: 'duck', count: 600, startMs: Date.UTC(2026, 2, 1, 18), stepMs: 30_000 });
    events[7] = { ...events[7]!, actor: '日本語 \u{1F600}', payload: { text: 'naïve café', list: [1, 2, 3] } };
    const { files, glob } = saveFiles('same-rows', events, { maxRowsPerFile: 250, maxRowsPerRowGroup: 100 });
    expect(files.length).toBeGreaterThan(2);
    expect(await readWithDuckDb(glob)).toEqual(events);
  });

  it('agrees with the day in each file key', async () => {
    const events = makeEventBatch({ tenant: 'days', count: 48, startMs: Date.UTC(2026, 2, 1, 12), stepMs: HOUR });
    const { files, glob } = saveFiles('days', events);
    expect(files).toHaveLength(3);
    const rows = await query(`SELECT CAST(day AS VARCHAR) AS day, epoch_ms(occurred_at) AS ms FROM read_parquet('${glob}', hive_partitioning = true)`);
    expect(rows).toHaveLength(48);
    for (const row of rows) expect(String(row.day)).toBe(formatUtcDay(utcDay(Number(row.ms))));
  });

  it('reads a file of null optional fields as NULLs', async () => {
    const events = makeEventBatch({ tenant: 'nulls', count: 120, nullOptionalFields: true });
    const { glob } = saveFiles('nulls', events);
    const [counts] = await query(
      `SELECT count(*) AS total, count(actor) AS actors, count(causation_id) AS causations, count(idempotency_key) AS keys,
              count(*) FILTER (WHERE actor IS NULL AND causation_id IS NULL AND idempotency_key IS NULL) AS all_null
         FROM read_parquet('${glob}')`,
    );
    expect(counts).toEqual({ total: 120n, actors: 0n, causations: 0n, keys: 0n, all_null: 120n });
    expect(await readWithDuckDb(glob)).toEqual(events);
  });

  it('sees field ids and a micros UTC timestamp in parquet_schema', async () => {
    const { files } = saveFiles('schema', makeEventBatch({ tenant: 'schema', count: 10 }));
    const rows = await query(
      `SELECT name, field_id, type, repetition_type, converted_type, logical_type, duckdb_type
         FROM parquet_schema('${join(directory, files[0]!.key)}') WHERE name <> 'arrow_schema'`,
    );
    expect(rows.map((row) => [row.name, Number(row.field_id)])).toEqual(EVENT_COLUMNS.map((column) => [column.name, column.fieldId]));
    expect(rows.map((row) => row.repetition_type)).toEqual(EVENT_COLUMNS.map((column) => (column.required ? 'REQUIRED' : 'OPTIONAL')));

    const occurredAt = rows.find((row) => row.name === 'occurred_at')!;
    expect(occurredAt).toMatchObject({ type: 'INT64', converted_type: 'TIMESTAMP_MICROS', duckdb_type: 'TIMESTAMP WITH TIME ZONE' });
    expect(occurredAt.logical_type).toContain('isAdjustedToUTC=1');
    expect(occurredAt.logical_type).toContain('MICROS=MicroSeconds()');
    expect(rows.find((row) => row.name === 'seq')).toMatchObject({ type: 'INT64', duckdb_type: 'BIGINT' });
    expect(rows.find((row) => row.name === 'schema_version')).toMatchObject({ type: 'INT32', duckdb_type: 'INTEGER' });
  });

  it('resolves columns by field id', async () => {
    const events = makeEventBatch({ tenant: 'ids', count: 5 });
    const { files } = saveFiles('ids', events);
    // Names here differ from the file's, so only the ids can match them.
    const rows = await query(
      `SELECT who, position FROM read_parquet('${join(directory, files[0]!.key)}', schema = MAP {
         1: { name: 'who', type: 'VARCHAR', default_value: NULL },
         2: { name: 'position', type: 'BIGINT', default_value: NULL } }) ORDER BY position`,
    );
    expect(rows).toEqual(events.map((event) => ({ who: 'ids', position: BigInt(event.seq) })));
  });

  it('sees ZSTD and statistics in parquet_metadata', async () => {
    const events = makeEventBatch({ tenant: 'meta', count: 300, nullOptionalFields: true });
    const { files } = saveFiles('meta', events, { maxRowsPerRowGroup: 100 });
    const path = join(directory, files[0]!.key);
    const chunks = await query(
      `SELECT row_group_id, row_group_num_rows, path_in_schema, compression, stats_min_value, stats_max_value, stats_null_count
         FROM parquet_metadata('${path}') ORDER BY row_group_id, column_id`,
    );
    expect(chunks).toHaveLength(3 * EVENT_COLUMNS.length);
    expect(new Set(chunks.map((chunk) => chunk.compression))).toEqual(new Set(['ZSTD']));
    expect(chunks.every((chunk) => chunk.stats_null_count !== null)).toBe(true);

    const seq = chunks.filter((chunk) => chunk.path_in_schema === 'seq');
    expect(seq.map((chunk) => [chunk.row_group_num_rows, chunk.stats_min_value, chunk.stats_max_value])).toEqual([
      [100n, '1', '100'],
      [100n, '101', '200'],
      [100n, '201', '300'],
    ]);
    const actor = chunks.filter((chunk) => chunk.path_in_schema === 'actor');
    expect(actor.map((chunk) => chunk.stats_null_count)).toEqual([100n, 100n, 100n]);
    const tenant = chunks.filter((chunk) => chunk.path_in_schema === 'tenant');
    expect(tenant.every((chunk) => chunk.stats_min_value === 'meta' && chunk.stats_max_value === 'meta')).toBe(true);
  });

  it('is read back by our reader in Node too', () => {
    const events = makeEventBatch({ tenant: 'node', count: 200 });
    const [file] = [...writeEventDataFiles(events, { table: 'node/events' })];
    expect(readEventFile(file!.bytes)).toEqual(events);
  });
});
