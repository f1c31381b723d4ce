import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

import { readContainerFile } from '../../../pipelines/avro/container';
import { createEventTable, planCommit, type CommitPlan, type EventTableState } from '../../../pipelines/iceberg/commit';
import { deserializeSingleValue } from '../../../pipelines/iceberg/bounds';
import type { EventDataFileInput } from '../../../pipelines/iceberg/event-data-file';
import { IcebergError } from '../../../pipelines/iceberg/iceberg-error';
import { readManifest } from '../../../pipelines/iceberg/manifest';
import { readManifestList } from '../../../pipelines/iceberg/manifest-list';
import { parseTableMetadata } from '../../../pipelines/iceberg/metadata';
import { ManualClock } from '../../../src/clock';
import { eventFileInput } from '../../support/event-files';
import { r2TableStore } from '../../support/r2-table-store';

const DAY = 19_723;

function newTable(clock = new ManualClock(1_700_000_000_000)) {
  const location = `s3://tenantlog-events/test-${crypto.randomUUID()}`;
  const store = r2TableStore(env.LOG);
  const created = createEventTable({ location, clock });
  return { location, store, clock, created };
}

async function commit(
  table: ReturnType<typeof newTable>,
  state: EventTableState,
  files: EventDataFileInput[],
  extra: { manifestMergeThreshold?: number; maxPreviousMetadataFiles?: number } = {},
): Promise<CommitPlan> {
  const plan = await planCommit(state, files, { clock: table.clock, readFile: table.store.readFile, ...extra });
  await table.store.write(plan.files);
  return plan;
}

describe('createEventTable', () => {
  it('describes the events table layout in v1', () => {
    const { created, location } = newTable();
    const metadata = parseTableMetadata(new TextDecoder().decode(created.files[0]!.bytes));

    expect(created.metadataPath).toBe(`${location}/metadata/v1.metadata.json`);
    expect(metadata['format-version']).toBe(2);
    expect(metadata.location).toBe(location);
    expect(metadata.schemas[0]!.fields.map((field) => [field.id, field.name, field.type, field.required])).toEqual([
      [1, 'tenant', 'string', true],
      [2, 'seq', 'long', true],
      [3, 'id', 'string', true],
      [4, 'type', 'string', true],
      [5, 'schema_version', 'int', true],
      [6, 'occurred_at', 'timestamptz', true],
      [7, 'actor', 'string', false],
      [8, 'correlation_id', 'string', true],
      [9, 'causation_id', 'string', false],
      [10, 'idempotency_key', 'string', false],
      [11, 'payload', 'string', true],
      [12, 'prev_hash', 'string', true],
      [13, 'hash', 'string', true],
    ]);
    expect(metadata['partition-specs']).toEqual([
      {
        'spec-id': 0,
        fields: [
          { name: 'tenant', transform: 'identity', 'source-id': 1, 'field-id': 1000 },
          { name: 'occurred_at_day', transform: 'day', 'source-id': 6, 'field-id': 1001 },
        ],
      },
    ]);

    expect(metadata['default-sort-order-id']).toBe(1);
    expect(metadata['sort-orders'][0]!.fields.map((field) => [field['source-id'], field.direction])).toEqual([
      [1, 'asc'],
      [2, 'asc'],
    ]);
    expect(metadata['last-column-id']).toBe(13);
    expect(metadata['last-partition-id']).toBe(1001);
    expect(metadata['current-snapshot-id']).toBe(-1n);
    expect(metadata['metadata-log']).toEqual([]);

    expect(new TextDecoder().decode(created.files[1]!.bytes)).toBe('1');
    expect(created.files[1]!.key).toBe(`${location.slice('s3://tenantlog-events/'.length)}/metadata/version-hint.text`);
  });

  it('rejects a location without a bucket', () => {
    expect(() => createEventTable({ location: 'events', clock: new ManualClock(0) })).toThrow(/invalid table location/);
  });
});

describe('planCommit', () => {
  it('writes the first snapshot without a parent', async () => {
    const table = newTable();
    const file = eventFileInput({ location: table.location, tenant: 'acme', firstSeq: 1, count: 20, day: DAY });
    const plan = await commit(table, table.created.state, [file]);

    const snapshot = plan.metadata.snapshots[0]!;
    expect(plan.version).toBe(2);
    expect(snapshot).not.toHaveProperty('parent-snapshot-id');
    expect(snapshot['sequence-number']).toBe(1);
    expect(snapshot['snapshot-id']).toBeGreaterThan(0n);
    expect(snapshot['snapshot-id']).toBeLessThan(2n ** 63n);
    expect(plan.metadata.refs.main).toEqual({ 'snapshot-id': snapshot['snapshot-id'], type: 'branch' });
    expect(plan.metadata['current-snapshot-id']).toBe(snapshot['snapshot-id']);
    expect(plan.metadata['snapshot-log']).toEqual([{ 'timestamp-ms': snapshot['timestamp-ms'], 'snapshot-id': snapshot['snapshot-id'] }]);
    expect(plan.metadata['metadata-log']).toEqual([
      { 'timestamp-ms': table.created.metadata['last-updated-ms'], 'metadata-file': table.created.metadataPath },
    ]);
    expect(snapshot.summary).toMatchObject({
      operation: 'append',
      'added-data-files': '1',
      'added-records': '20',
      'added-files-size': String(file.fileSizeBytes),
      'changed-partition-count': '1',
      'total-records': '20',
      'total-data-files': '1',
      'total-files-size': String(file.fileSizeBytes),
      'total-delete-files': '0',
    });

    // The manifest list header has no parent on the root snapshot.
    const list = await readContainerFile(plan.manifestList.bytes);
    expect(list.metadata).toEqual({
      'snapshot-id': snapshot['snapshot-id'].toString(),
      'sequence-number': '1',
      'format-version': '2',
    });
    expect(plan.files.map((tableFile) => tableFile.path)).toEqual([
      plan.addedManifest.path,
      plan.manifestList.path,
      plan.metadataPath,
    ]);
  });

  it('lists the added manifest with exact lengths and inherited sequence numbers', async () => {
    const table = newTable();
    const file = eventFileInput({ location: table.location, tenant: 'acme', firstSeq: 1, count: 20, day: DAY });
    const plan = await commit(table, table.created.state, [file]);

    const { manifests } = await readManifestList(plan.manifestList.bytes);
    expect(manifests).toHaveLength(1);
    expect(manifests[0]).toMatchObject({
      manifest_path: plan.addedManifest.path,
      manifest_length: plan.addedManifest.bytes.length,
      partition_spec_id: 0,
      content: 0,
      sequence_number: 1n,
      min_sequence_number: 1n,
      added_snapshot_id: plan.snapshot['snapshot-id'],
      added_files_count: 1,
      existing_files_count: 0,
      deleted_files_count: 0,
      added_rows_count: 20,
      existing_rows_count: 0,
      deleted_rows_count: 0,
    });
    const [tenantSummary, daySummary] = manifests[0]!.partitions!;
    expect(tenantSummary!.contains_null).toBe(false);
    expect(new TextDecoder().decode(tenantSummary!.lower_bound!)).toBe('acme');
    expect(deserializeSingleValue('date', daySummary!.upper_bound!)).toBe(DAY);

    const manifest = await readManifest(plan.addedManifest.bytes);
    expect(manifest.metadata).toMatchObject({ 'format-version': '2', content: 'data', 'partition-spec-id': '0', 'schema-id': '0' });
    expect(JSON.parse(manifest.metadata['partition-spec']!)).toEqual([
      { name: 'tenant', transform: 'identity', 'source-id': 1, 'field-id': 1000 },
      { name: 'occurred_at_day', transform: 'day', 'source-id': 6, 'field-id': 1001 },
    ]);
    const entry = manifest.entries[0]!;
    expect(entry.status).toBe(1);
    expect(entry.snapshot_id).toBe(plan.snapshot['snapshot-id']);
    expect(entry.sequence_number).toBeNull();
    expect(entry.file_sequence_number).toBeNull();
    expect(entry.data_file).toMatchObject({
      content: 0,
      file_path: file.path,
      file_format: 'PARQUET',
      partition: { tenant: 'acme', occurred_at_day: DAY },
      record_count: 20,
      file_size_in_bytes: file.fileSizeBytes,
      sort_order_id: 1,
    });
    expect(entry.data_file.value_counts!.get(2)).toBe(20);
    expect(entry.data_file.null_value_counts!.get(7)).toBe(20);
    expect(entry.data_file.lower_bounds!.has(7)).toBe(false);
    expect(deserializeSingleValue('long', entry.data_file.upper_bounds!.get(2)!)).toBe(20n);
    // The 64-character hash bound is truncated to 16 characters, the upper one incremented.
    expect(new TextDecoder().decode(entry.data_file.lower_bounds!.get(13)!)).toBe('0'.repeat(16));
    expect(new TextDecoder().decode(entry.data_file.upper_bounds!.get(13)!)).toBe(`${'f'.repeat(15)}g`);
  });

  it('links later snapshots to their parent and keeps older manifests', async () => {
    const table = newTable();
    const first = await commit(table, table.created.state, [
      eventFileInput({ location: table.location, tenant: 'acme', firstSeq: 1, count: 5, day: DAY }),
    ]);
    const second = await commit(table, first.nextState, [
      eventFileInput({ location: table.location, tenant: 'acme', firstSeq: 6, count: 5, day: DAY }),
      eventFileInput({ location: table.location, tenant: 'globex', firstSeq: 1, count: 3, day: DAY + 1 }),
    ]);

    expect(second.snapshot['parent-snapshot-id']).toBe(first.snapshot['snapshot-id']);
    expect(second.snapshot['sequence-number']).toBe(2);
    expect(second.snapshot.summary).toMatchObject({
      'added-data-files': '2',
      'added-records': '8',
      'changed-partition-count': '2',
      'total-records': '13',
      'total-data-files': '3',
    });
    const list = await readContainerFile(second.manifestList.bytes);
    expect(list.metadata['parent-snapshot-id']).toBe(first.snapshot['snapshot-id'].toString());
    const { manifests } = await readManifestList(second.manifestList.bytes);
    expect(manifests.map((manifest) => manifest.manifest_path)).toEqual([second.addedManifest.path, first.addedManifest.path]);
    expect(manifests[1]!.sequence_number).toBe(1n);
    expect(second.metadata['metadata-log'].map((entry) => entry['metadata-file'])).toEqual([
      table.created.metadataPath,
      first.metadataPath,
    ]);
    expect(second.metadata['metadata-log'].map((entry) => entry['metadata-file'])).not.toContain(second.metadataPath);
  });

  it('never moves timestamps backwards', async () => {
    const table = newTable();
    let state = table.created.state;
    const times: number[] = [state.metadata['last-updated-ms']];
    for (const [index, now] of [1_700_000_000_000, 1_700_000_000_000, 1_600_000_000_000, 1_700_000_005_000].entries()) {
      table.clock.set(now);
      const plan = await commit(table, state, [
        eventFileInput({ location: table.location, tenant: 'acme', firstSeq: index * 2 + 1, count: 2, day: DAY }),
      ]);
      expect(plan.snapshot['timestamp-ms']).toBe(plan.metadata['last-updated-ms']);
      times.push(plan.metadata['last-updated-ms']);
      state = plan.nextState;
    }
    expect(times).toEqual([1_700_000_000_000, 1_700_000_000_001, 1_700_000_000_002, 1_700_000_000_003, 1_700_000_005_000]);
  });

  it('keeps a bounded metadata log', async () => {
    const table = newTable();
    let state = table.created.state;
    for (let index = 0; index < 5; index++) {
      const plan = await commit(
        table,
        state,
        [eventFileInput({ location: table.location, tenant: 'acme', firstSeq: index + 1, count: 1, day: DAY })],
        { maxPreviousMetadataFiles: 3 },
      );
      state = plan.nextState;
    }
    const log = state.metadata['metadata-log'].map((entry) => entry['metadata-file'].split('/').pop());
    expect(log).toEqual(['v3.metadata.json', 'v4.metadata.json', 'v5.metadata.json']);
    expect(state.metadataPath.endsWith('v6.metadata.json')).toBe(true);
  });

  it('merges small manifests into EXISTING entries with their original sequence numbers', async () => {
    const table = newTable();
    let state = table.created.state;
    const plans: CommitPlan[] = [];
    for (let index = 0; index < 4; index++) {
      const plan = await commit(
        table,
        state,
        [eventFileInput({ location: table.location, tenant: 'acme', firstSeq: index * 10 + 1, count: 10, day: DAY })],
        { manifestMergeThreshold: 3 },
      );
      plans.push(plan);
      state = plan.nextState;
    }

    const last = plans[3]!;
    expect(last.mergedManifest).toBeDefined();
    expect(last.replacedManifestPaths.sort()).toEqual(plans.slice(0, 3).map((plan) => plan.addedManifest.path).sort());
    expect(last.snapshot.summary).toMatchObject({ 'manifests-created': '2', 'manifests-replaced': '3', 'manifests-kept': '0', 'total-records': '40' });

    const { manifests } = await readManifestList(last.manifestList.bytes);
    expect(manifests).toHaveLength(2);
    expect(manifests[1]).toMatchObject({
      manifest_path: last.mergedManifest!.path,
      manifest_length: last.mergedManifest!.bytes.length,
      sequence_number: 4n,
      min_sequence_number: 1n,
      added_snapshot_id: last.snapshot['snapshot-id'],
      added_files_count: 0,
      existing_files_count: 3,
      existing_rows_count: 30,
    });
    const merged = await readManifest(last.mergedManifest!.bytes);
    // The merged manifest lists entries newest manifest first, like the manifest list.
    const bySeq = merged.entries
      .map((entry) => [entry.status, entry.snapshot_id, entry.sequence_number, entry.file_sequence_number])
      .sort((a, b) => Number(a[2]) - Number(b[2]));
    expect(bySeq).toEqual(
      plans.slice(0, 3).map((plan, index) => [0, plan.snapshot['snapshot-id'], BigInt(index + 1), BigInt(index + 1)]),
    );
  });

  it('rejects a file already in the table when merging reads it', async () => {
    const table = newTable();
    let state = table.created.state;
    const files = [1, 2].map((index) => eventFileInput({ location: table.location, tenant: 'acme', firstSeq: index, count: 1, day: DAY }));
    for (const file of files) state = (await commit(table, state, [file], { manifestMergeThreshold: 2 })).nextState;
    await expect(commit(table, state, [files[0]!], { manifestMergeThreshold: 2 })).rejects.toThrow(/already in the table/);
  });
});

describe('planCommit input checks', () => {
  const table = newTable();
  const valid = eventFileInput({ location: table.location, tenant: 'acme', firstSeq: 1, count: 3, day: DAY });
  const stats = valid.columnStats;
  const cases: Array<[string, EventDataFileInput, RegExp]> = [
    ['a path outside the table', { ...valid, path: 's3://other/x.parquet' }, /path must be absolute under/],
    ['a path outside data/', { ...valid, path: `${table.location}/metadata/x.parquet` }, /path must be absolute under/],
    ['an empty file', { ...valid, recordCount: 0 }, /recordCount must be a positive integer/],
    ['a non-integer size', { ...valid, fileSizeBytes: 1.5 }, /fileSizeBytes/],
    ['an empty tenant', { ...valid, partition: { tenant: '', occurredAtDay: DAY } }, /partition.tenant/],
    ['an unknown column', { ...valid, columnStats: { ...stats, bogus: stats.seq } as never }, /unknown column "bogus"/],
    ['nulls in a required column', { ...valid, columnStats: { ...stats, hash: { valueCount: 3, nullValueCount: 1 } } }, /hash is required/],
    ['a value count that differs', { ...valid, columnStats: { ...stats, id: { valueCount: 2, nullValueCount: 0 } } }, /id.valueCount 2/],
    ['missing seq bounds', { ...valid, columnStats: { ...stats, seq: { valueCount: 3, nullValueCount: 0 } } }, /seq needs lowerBound/],
    ['a seq gap', { ...valid, columnStats: { ...stats, seq: { valueCount: 3, nullValueCount: 0, lowerBound: 1n, upperBound: 4n } } }, /not 3 consecutive/],
    ['inverted bounds', { ...valid, columnStats: { ...stats, type: { valueCount: 3, nullValueCount: 0, lowerBound: 'z', upperBound: 'a' } } }, /lowerBound is greater/],
    ['occurred_at on another day', { ...valid, partition: { tenant: 'acme', occurredAtDay: DAY + 1 } }, /not on partition day/],
    ['another tenant in the bounds', { ...valid, partition: { tenant: 'globex', occurredAtDay: DAY } }, /differs from partition tenant/],
    ['bounds on an all-null column', { ...valid, columnStats: { ...stats, actor: { valueCount: 3, nullValueCount: 3, lowerBound: 'a' } } }, /only nulls but has bounds/],
  ];

  for (const [name, input, message] of cases) {
    it(`rejects ${name}`, async () => {
      await expect(planCommit(table.created.state, [input], { clock: table.clock, readFile: table.store.readFile })).rejects.toThrow(message);
    });
  }

  it('rejects the same path twice in one commit', async () => {
    await expect(planCommit(table.created.state, [valid, valid], { clock: table.clock, readFile: table.store.readFile })).rejects.toThrow(
      /appears twice in one commit/,
    );
  });

  it('rejects an empty commit', async () => {
    await expect(planCommit(table.created.state, [], { clock: table.clock, readFile: table.store.readFile })).rejects.toThrow(IcebergError);
  });

  it('rejects a table with another schema', async () => {
    const metadata = { ...table.created.metadata, schemas: [{ ...table.created.metadata.schemas[0]!, fields: [] }] };
    await expect(
      planCommit({ ...table.created.state, metadata }, [valid], { clock: table.clock, readFile: table.store.readFile }),
    ).rejects.toThrow(/does not have the events schema/);
  });
});
