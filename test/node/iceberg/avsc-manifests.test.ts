import { beforeAll, describe, expect, it } from 'vitest';

import { readContainerFile } from '../../../pipelines/avro/container';
import type { CommitPlan } from '../../../pipelines/iceberg/commit';
import { eventFileInput } from '../../support/event-files';
import { decodeWithAvsc, encodeWithAvsc, readAs, type AvscContainer } from './avsc-container';
import { readFixture, readFixtureJson } from './fixtures';
import { SPEC_MANIFEST_ENTRY, SPEC_MANIFEST_FILE } from './spec-schemas';
import { MemoryTable } from './table-files';

const SPARK_MANIFEST = 'a85973e4-4009-4cba-875e-5278a2c6027d-m0';
const SPARK_MANIFEST_LIST = 'snap-8656952484400131532-1-a85973e4-4009-4cba-875e-5278a2c6027d';
const LOCATION = 's3://tenantlog-events/events';
const DAY = 19_900;

interface FieldFacts {
  name: string;
  nullable: boolean;
  /** The non-null type: a primitive name, or the kind of a complex type with its record name. */
  type: string;
}

/** Collects every field id (and array element id) of an Avro schema JSON with facts to compare. */
function fieldsById(schema: any, facts = new Map<number, FieldFacts>()): Map<number, FieldFacts> {
  const visit = (type: any): void => {
    if (Array.isArray(type)) type.forEach(visit);
    else if (type && typeof type === 'object') {
      if (type.type === 'record') {
        for (const field of type.fields) {
          const branches = Array.isArray(field.type) ? field.type : [field.type];
          const nonNull = branches.find((branch: any) => branch !== 'null');
          facts.set(field['field-id'], { name: field.name, nullable: branches.includes('null'), type: describeType(nonNull) });
          visit(field.type);
        }
      } else if (type.type === 'array') {
        if (type['element-id'] !== undefined) facts.set(type['element-id'], { name: '<element>', nullable: false, type: describeType(type.items) });
        visit(type.items);
      }
    }
  };
  visit(schema);
  return facts;
}

/** Writes longs as JSON numbers and bytes as arrays of numbers, as the fixture companions do. */
function toCompanionJson(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Uint8Array) return [...value];
  return value;
}

function describeType(type: any): string {
  if (typeof type === 'string') return type;
  if (type.type === 'record') return `record ${type.name}`;
  if (type.type === 'array') return type.logicalType === 'map' ? 'map' : 'array';
  return type.logicalType ? `${type.type}/${type.logicalType}` : type.type;
}

describe('our manifests read by avsc', () => {
  const table = new MemoryTable(LOCATION);
  let first: CommitPlan;
  let second: CommitPlan;
  let manifest: AvscContainer;
  let manifestList: AvscContainer;

  beforeAll(async () => {
    first = await table.commit([eventFileInput({ location: LOCATION, tenant: 'acme', firstSeq: 1, count: 20, day: DAY })]);
    second = await table.commit([
      eventFileInput({ location: LOCATION, tenant: 'acme', firstSeq: 21, count: 5, day: DAY }),
      eventFileInput({ location: LOCATION, tenant: 'globex', firstSeq: 1, count: 3, day: DAY + 1 }),
    ]);
    manifest = await decodeWithAvsc(second.addedManifest.bytes);
    manifestList = await decodeWithAvsc(second.manifestList.bytes);
  });

  it('decodes with the deflate codec and the spec’s record names', () => {
    expect(manifest.codec).toBe('deflate');
    expect(manifest.schemaJson.name).toBe('manifest_entry');
    expect(manifestList.schemaJson.name).toBe('manifest_file');
  });

  it('resolves against the spec’s manifest_entry schema', () => {
    const entries = readAs(manifest, SPEC_MANIFEST_ENTRY) as any[];
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({
      status: 1,
      snapshot_id: second.snapshot['snapshot-id'],
      sequence_number: null,
      file_sequence_number: null,
    });
    expect(entries[1].data_file).toMatchObject({
      content: 0,
      file_path: `${LOCATION}/data/tenant=globex/occurred_at_day=${DAY + 1}/globex-000000000001-000000000003.parquet`,
      file_format: 'PARQUET',
      partition: { tenant: 'globex', occurred_at_day: DAY + 1 },
      record_count: 3n,
      sort_order_id: 1,
    });
    const seqLower = entries[1].data_file.lower_bounds.find((entry: any) => entry.key === 2);
    expect(Buffer.from(seqLower.value).readBigInt64LE()).toBe(1n);
  });

  it('resolves against the spec’s manifest_file schema', () => {
    const manifests = readAs(manifestList, SPEC_MANIFEST_FILE) as any[];
    expect(manifests.map((record) => [record.manifest_path, record.manifest_length, record.sequence_number])).toEqual([
      [second.addedManifest.path, BigInt(second.addedManifest.bytes.length), 2n],
      [first.addedManifest.path, BigInt(first.addedManifest.bytes.length), 1n],
    ]);
    expect(manifests[0]).toMatchObject({ added_files_count: 2, added_rows_count: 8n, existing_files_count: 0, added_snapshot_id: second.snapshot['snapshot-id'] });
  });

  it('writes the manifest metadata keys the spec requires', () => {
    const { metadata } = manifest;
    expect(JSON.parse(metadata.schema!)).toMatchObject({ type: 'struct', 'schema-id': 0 });
    expect(metadata['schema-id']).toBe('0');
    expect(JSON.parse(metadata['partition-spec']!)).toEqual([
      { name: 'tenant', transform: 'identity', 'source-id': 1, 'field-id': 1000 },
      { name: 'occurred_at_day', transform: 'day', 'source-id': 6, 'field-id': 1001 },
    ]);
    expect(metadata['partition-spec-id']).toBe('0');
    expect(metadata['format-version']).toBe('2');
    expect(metadata.content).toBe('data');
  });

  it('writes the manifest list metadata, with a parent except on the root', async () => {
    expect(manifestList.metadata).toMatchObject({
      'snapshot-id': second.snapshot['snapshot-id'].toString(),
      'parent-snapshot-id': first.snapshot['snapshot-id'].toString(),
      'sequence-number': '2',
      'format-version': '2',
    });
    const root = await decodeWithAvsc(first.manifestList.bytes);
    expect(root.metadata).not.toHaveProperty('parent-snapshot-id');
    expect(root.metadata['sequence-number']).toBe('1');
  });

  it('uses the field ids, names and nullability of Spark’s manifest', () => {
    const spark = fieldsById(readFixtureJson(`${SPARK_MANIFEST}.metadata.json`).metadata['avro.schema']);
    const ours = fieldsById(manifest.schemaJson);
    expect([...ours.keys()].sort()).toEqual([...spark.keys(), 1000, 1001].sort());
    for (const [id, facts] of spark) {
      // Spark's partition record is empty (unpartitioned), and ours has the two partition fields.
      if (id === 102) continue;
      expect({ id, ...ours.get(id) }).toEqual({ id, ...facts });
    }
    expect(ours.get(102)).toEqual({ name: 'partition', nullable: false, type: 'record r102' });
    expect(ours.get(1000)).toEqual({ name: 'tenant', nullable: true, type: 'string' });
    expect(ours.get(1001)).toEqual({ name: 'occurred_at_day', nullable: true, type: 'int/date' });
  });

  it('uses Spark’s manifest list field ids with the spec’s field names', () => {
    const spark = fieldsById(readFixtureJson(`${SPARK_MANIFEST_LIST}.metadata.json`).metadata['avro.schema']);
    const ours = fieldsById(manifestList.schemaJson);
    expect([...ours.keys()].sort()).toEqual([...spark.keys()].sort());
    // Spark names ids 504-506 `*_data_files_count`; the spec names them `*_files_count`.
    const specNames = new Map([
      [504, 'added_files_count'],
      [505, 'existing_files_count'],
      [506, 'deleted_files_count'],
    ]);
    for (const [id, facts] of spark) {
      expect({ id, ...ours.get(id) }).toEqual({ id, ...facts, name: specNames.get(id) ?? facts.name });
    }
  });
});

describe('our decoder on files we did not write', () => {
  it('reads Spark’s manifest like its decoded companion', async () => {
    const file = await readContainerFile(readFixture(`${SPARK_MANIFEST}.avro`));
    const companion = readFixtureJson(`${SPARK_MANIFEST}.json`);
    const header = readFixtureJson(`${SPARK_MANIFEST}.metadata.json`);
    expect(file.codec).toBe('deflate');
    expect([...file.syncMarker]).toEqual(header.syncMarker);
    expect(file.schemaJson).toEqual(header.metadata['avro.schema']);
    expect(JSON.parse(file.metadata.schema!)).toEqual(header.metadata.schema);
    const asJson = JSON.parse(JSON.stringify(file.records, toCompanionJson));
    expect(asJson).toEqual(companion.map((entry: any) => ({ sequence_number: null, file_sequence_number: null, ...entry, data_file: { key_metadata: null, equality_ids: null, ...entry.data_file } })));
  });

  it('reads Spark’s manifest list like its decoded companion', async () => {
    const file = await readContainerFile(readFixture(`${SPARK_MANIFEST_LIST}.avro`));
    const [record] = file.records as any[];
    const [expected] = readFixtureJson(`${SPARK_MANIFEST_LIST}.json`);
    expect(record.added_snapshot_id).toBe(8656952484400131532n);
    expect(Number(record.added_snapshot_id)).toBe(expected.added_snapshot_id);
    expect(Number(record.manifest_length)).toBe(expected.manifest_length);
    expect(record.manifest_path).toBe(expected.manifest_path);
    expect(file.metadata['parent-snapshot-id']).toBe('null');
  });

  for (const codec of ['null', 'deflate'] as const) {
    it(`reads a container file avsc wrote with the ${codec} codec`, async () => {
      const records = Array.from({ length: 300 }, (_, index) => ({
        snapshot_id: 8656952484400131532n - BigInt(index),
        name: index % 3 ? null : `name ${index}`,
        counts: [{ key: index, value: BigInt(index) * 1000n }],
      }));
      const schema = {
        type: 'record',
        name: 'sample',
        fields: [
          { name: 'snapshot_id', type: 'long' },
          { name: 'name', type: ['null', 'string'] },
          { name: 'counts', type: { type: 'array', items: { type: 'record', name: 'kv', fields: [{ name: 'key', type: 'int' }, { name: 'value', type: 'long' }] } } },
        ],
      };
      const file = await readContainerFile(await encodeWithAvsc(schema, records, codec));
      expect(file.codec).toBe(codec);
      expect(file.records).toEqual(records);
    });
  }
});
