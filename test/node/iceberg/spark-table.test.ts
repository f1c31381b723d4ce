import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { planCommit } from '../../../pipelines/iceberg/commit';
import { currentSchema, parseTableMetadata, type TableMetadata } from '../../../pipelines/iceberg/metadata';
import { decodeBounds, listLiveDataFiles, loadTableState, type LiveDataFile } from '../../../pipelines/iceberg/table-reader';
import { ManualClock } from '../../../src/clock';
import { eventFileInput } from '../../support/event-files';
import { FIXTURES_DIRECTORY } from './fixtures';

const TABLE_LOCATION = 's3a://hyperparam-iceberg/spark/rename_column';
const TABLE_DIRECTORY = join(FIXTURES_DIRECTORY, 'hyperparam-iceberg/spark/rename_column');

/** Reads the table's absolute `s3a://` paths from the fixture folder. */
async function readTableFile(path: string): Promise<Uint8Array> {
  if (!path.startsWith(`${TABLE_LOCATION}/`)) throw new Error(`path outside the fixture table: ${path}`);
  return new Uint8Array(await readFile(join(TABLE_DIRECTORY, path.slice(TABLE_LOCATION.length + 1))));
}

describe('reading the Spark table rename_column', () => {
  let metadata: TableMetadata;
  let live: LiveDataFile[];
  let duckdb: DuckDBInstance;

  beforeAll(async () => {
    metadata = parseTableMetadata(await readFile(join(TABLE_DIRECTORY, 'metadata/v3.metadata.json'), 'utf8'));
    live = await listLiveDataFiles(metadata, readTableFile);
    duckdb = await DuckDBInstance.create(':memory:');
  });

  afterAll(() => duckdb.closeSync());

  it('parses the metadata with an exact snapshot id', () => {
    expect(metadata['current-snapshot-id']).toBe(5276958600260276572n);
    expect(metadata.refs.main!['snapshot-id']).toBe(5276958600260276572n);
    expect(metadata['current-schema-id']).toBe(1);
    expect(currentSchema(metadata).fields.map((field) => field.name)).toEqual(['id', 'name', 'event_date', 'price', 'active']);
    expect(metadata['metadata-log'].map((entry) => entry['metadata-file'])).toEqual([
      `${TABLE_LOCATION}/metadata/v1.metadata.json`,
      `${TABLE_LOCATION}/metadata/v2.metadata.json`,
    ]);
  });

  it('lists the three live data files with inherited sequence numbers', () => {
    expect(live.map((file) => file.dataFile.file_path.slice(TABLE_LOCATION.length)).sort()).toEqual([
      '/data/id_bucket=0/date=2022-01-01/00000-20-b65939d1-96e1-4d30-a733-aa5264a479aa-00001.parquet',
      '/data/id_bucket=2/date=2022-01-02/00000-20-b65939d1-96e1-4d30-a733-aa5264a479aa-00003.parquet',
      '/data/id_bucket=3/date=null/00000-20-b65939d1-96e1-4d30-a733-aa5264a479aa-00002.parquet',
    ]);
    for (const file of live) {
      expect(file.dataSequenceNumber).toBe(1n);
      expect(file.fileSequenceNumber).toBe(1n);
      expect(file.snapshotId).toBe(5276958600260276572n);
      expect(file.partitionSpecId).toBe(0);
    }
    expect(live.reduce((total, file) => total + file.dataFile.record_count, 0)).toBe(4);
  });

  it('reads partition values, including a null one', () => {
    const partitions = live.map((file) => file.dataFile.partition).sort((a, b) => Number(a.id_bucket) - Number(b.id_bucket));
    // `date` partitions are days since 1970-01-01: 18993 is 2022-01-01.
    expect(partitions).toEqual([
      { id_bucket: 0, date: 18_993 },
      { id_bucket: 2, date: 18_994 },
      { id_bucket: 3, date: null },
    ]);
  });

  it('reports file sizes that match the Parquet files', async () => {
    for (const file of live) {
      const local = join(TABLE_DIRECTORY, file.dataFile.file_path.slice(TABLE_LOCATION.length + 1));
      expect(file.dataFile.file_size_in_bytes).toBe((await stat(local)).size);
    }
  });

  it('decodes bounds that agree with DuckDB on the data files', async () => {
    const connection = await duckdb.connect();
    for (const file of live) {
      const local = join(TABLE_DIRECTORY, file.dataFile.file_path.slice(TABLE_LOCATION.length + 1));
      const reader = await connection.runAndReadAll(
        `select min(id)::integer, max(id)::integer, min(name), max(name), count(*)::integer, count(date)::integer from read_parquet('${local}')`,
      );
      const [minId, maxId, minName, maxName, rows, dates] = reader.getRows()[0]!;
      const { lower, upper } = decodeBounds(file.dataFile, currentSchema(metadata));
      expect(lower.get(1)).toBe(minId);
      expect(upper.get(1)).toBe(maxId);
      expect(lower.get(2)).toBe(minName);
      expect(upper.get(2)).toBe(maxName);
      expect(file.dataFile.record_count).toBe(rows);
      expect(file.dataFile.value_counts!.get(3)! - file.dataFile.null_value_counts!.get(3)!).toBe(dates);
    }
    connection.closeSync();
  });

  it('decodes decimal and boolean bounds', () => {
    const values = live.map((file) => decodeBounds(file.dataFile, currentSchema(metadata)).lower);
    for (const lower of values) {
      expect(lower.get(4)).toMatch(/^-?\d+\.\d{2}$/);
      expect(typeof lower.get(5)).toBe('boolean');
    }
  });

  it('loads the state of a table without snapshots as empty', async () => {
    const state = await loadTableState(`${TABLE_LOCATION}/metadata/v1.metadata.json`, readTableFile);
    expect(state.manifests).toEqual([]);
    expect(await listLiveDataFiles(state.metadata, readTableFile)).toEqual([]);
  });

  it('refuses to commit events to a table with another layout', async () => {
    const state = await loadTableState(`${TABLE_LOCATION}/metadata/v3.metadata.json`, readTableFile);
    const file = eventFileInput({ location: TABLE_LOCATION, tenant: 'acme', firstSeq: 1, count: 1, day: 19_000 });
    await expect(planCommit(state, [file], { clock: new ManualClock(0), readFile: readTableFile })).rejects.toThrow(
      /does not have the events schema/,
    );
  });
});
