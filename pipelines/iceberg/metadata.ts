/**
 * Table metadata files (Iceberg table spec, "Table Metadata" and Appendix C), format
 * version 2. Keys are the spec's JSON keys, so the typed object serializes as is.
 * Snapshot ids are `bigint` because they exceed 2^53; `parseTableMetadata` and
 * `serializeTableMetadata` keep them exact.
 */
import { IcebergError } from './iceberg-error';
import { parseLosslessJson, stringifyLosslessJson, type JsonValue } from './lossless-json';
import { EVENT_LAST_PARTITION_ID, EVENT_PARTITION_SPEC, type PartitionSpec } from './partition';
import type { Snapshot, SnapshotLogEntry } from './snapshot';
import { EVENT_SORT_ORDER, type SortOrder } from './sort-order';
import { EVENT_LAST_COLUMN_ID, EVENT_SCHEMA, type IcebergSchema } from './table-schema';

export interface SnapshotReference {
  'snapshot-id': bigint;
  type: 'branch' | 'tag';
}

export interface MetadataLogEntry {
  'timestamp-ms': number;
  'metadata-file': string;
}

export interface TableMetadata {
  'format-version': 2;
  'table-uuid': string;
  location: string;
  'last-sequence-number': number;
  'last-updated-ms': number;
  'last-column-id': number;
  'current-schema-id': number;
  schemas: IcebergSchema[];
  'default-spec-id': number;
  'partition-specs': PartitionSpec[];
  'last-partition-id': number;
  'default-sort-order-id': number;
  'sort-orders': SortOrder[];
  properties: Record<string, string>;
  /** -1 when the table has no snapshot, as the reference implementation writes for v2 tables. */
  'current-snapshot-id': bigint;
  refs: Record<string, SnapshotReference>;
  snapshots: Snapshot[];
  statistics: unknown[];
  'snapshot-log': SnapshotLogEntry[];
  /** Previous metadata files, oldest first; never the file that contains this list. */
  'metadata-log': MetadataLogEntry[];
}

/** `current-snapshot-id` of a table without snapshots. */
export const NO_SNAPSHOT_ID = -1n;

export interface CreateTableMetadataOptions {
  /** Table location such as `s3://bucket/events`, without a trailing slash. */
  location: string;
  tableUuid: string;
  timestampMs: number;
  properties?: Record<string, string>;
}

/** Metadata of the empty events table: its schema, partition spec and sort order, and no snapshots. */
export function createEventTableMetadata(options: CreateTableMetadataOptions): TableMetadata {
  return {
    'format-version': 2,
    'table-uuid': options.tableUuid,
    location: options.location,
    'last-sequence-number': 0,
    'last-updated-ms': options.timestampMs,
    'last-column-id': EVENT_LAST_COLUMN_ID,
    'current-schema-id': EVENT_SCHEMA['schema-id'],
    schemas: [EVENT_SCHEMA],
    'default-spec-id': EVENT_PARTITION_SPEC['spec-id'],
    'partition-specs': [EVENT_PARTITION_SPEC],
    'last-partition-id': EVENT_LAST_PARTITION_ID,
    'default-sort-order-id': EVENT_SORT_ORDER['order-id'],
    'sort-orders': [EVENT_SORT_ORDER],
    properties: { 'write.format.default': 'parquet', ...options.properties },
    'current-snapshot-id': NO_SNAPSHOT_ID,
    refs: {},
    snapshots: [],
    statistics: [],
    'snapshot-log': [],
    'metadata-log': [],
  };
}

/** Serializes metadata as pretty-printed JSON with exact snapshot ids. */
export function serializeTableMetadata(metadata: TableMetadata): string {
  return stringifyLosslessJson(metadata as unknown as JsonValue, 2);
}

/**
 * Parses and checks a metadata JSON file of format version 1 or 2 (v1 files get the v2
 * defaults the spec gives). Throws IcebergError naming the first missing or invalid field.
 */
export function parseTableMetadata(text: string): TableMetadata {
  const json = parseLosslessJson(text);
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new IcebergError('table metadata: the file is not a JSON object');
  }
  const raw = json as Record<string, JsonValue>;
  const formatVersion = requireInteger(raw, 'format-version');
  if (formatVersion !== 1 && formatVersion !== 2) {
    throw new IcebergError(`table metadata: format-version ${formatVersion} is not supported (only 1 and 2)`);
  }

  const snapshots = ((raw.snapshots ?? []) as Array<Record<string, JsonValue>>).map((snapshot) => {
    const parsed: Snapshot = {
      'snapshot-id': requireLong(snapshot, 'snapshot-id'),
      'sequence-number': typeof snapshot['sequence-number'] === 'number' ? snapshot['sequence-number'] : 0,
      'timestamp-ms': requireInteger(snapshot, 'timestamp-ms'),
      'manifest-list': requireString(snapshot, 'manifest-list'),
      summary: (snapshot.summary ?? { operation: 'append' }) as Snapshot['summary'],
    };
    if (snapshot['parent-snapshot-id'] !== undefined && snapshot['parent-snapshot-id'] !== null) {
      parsed['parent-snapshot-id'] = requireLong(snapshot, 'parent-snapshot-id');
    }
    if (typeof snapshot['schema-id'] === 'number') parsed['schema-id'] = snapshot['schema-id'];
    return parsed;
  });

  const refs: Record<string, SnapshotReference> = {};
  for (const [name, ref] of Object.entries((raw.refs ?? {}) as Record<string, Record<string, JsonValue>>)) {
    refs[name] = { ...ref, 'snapshot-id': requireLong(ref, 'snapshot-id'), type: ref.type === 'tag' ? 'tag' : 'branch' };
  }
  const currentSnapshotId =
    raw['current-snapshot-id'] === undefined || raw['current-snapshot-id'] === null
      ? NO_SNAPSHOT_ID
      : requireLong(raw, 'current-snapshot-id');
  // A v2 table always has a main branch; older writers only set current-snapshot-id.
  if (refs.main === undefined && currentSnapshotId !== NO_SNAPSHOT_ID) {
    refs.main = { 'snapshot-id': currentSnapshotId, type: 'branch' };
  }

  const schemas = (raw.schemas ?? (raw.schema === undefined ? [] : [{ ...(raw.schema as object), 'schema-id': 0 }])) as unknown as IcebergSchema[];
  const specs = (raw['partition-specs'] ??
    [{ 'spec-id': 0, fields: raw['partition-spec'] ?? [] }]) as unknown as PartitionSpec[];
  return {
    'format-version': 2,
    'table-uuid': typeof raw['table-uuid'] === 'string' ? raw['table-uuid'] : '',
    location: requireString(raw, 'location'),
    'last-sequence-number': typeof raw['last-sequence-number'] === 'number' ? raw['last-sequence-number'] : 0,
    'last-updated-ms': requireInteger(raw, 'last-updated-ms'),
    'last-column-id': requireInteger(raw, 'last-column-id'),
    'current-schema-id': typeof raw['current-schema-id'] === 'number' ? raw['current-schema-id'] : 0,
    schemas,
    'default-spec-id': typeof raw['default-spec-id'] === 'number' ? raw['default-spec-id'] : 0,
    'partition-specs': specs,
    'last-partition-id': typeof raw['last-partition-id'] === 'number' ? raw['last-partition-id'] : 999,
    'default-sort-order-id': typeof raw['default-sort-order-id'] === 'number' ? raw['default-sort-order-id'] : 0,
    'sort-orders': (raw['sort-orders'] ?? [{ 'order-id': 0, fields: [] }]) as unknown as SortOrder[],
    properties: (raw.properties ?? {}) as Record<string, string>,
    'current-snapshot-id': currentSnapshotId,
    refs,
    snapshots,
    statistics: (raw.statistics ?? []) as unknown[],
    'snapshot-log': ((raw['snapshot-log'] ?? []) as Array<Record<string, JsonValue>>).map((entry) => ({
      'timestamp-ms': requireInteger(entry, 'timestamp-ms'),
      'snapshot-id': requireLong(entry, 'snapshot-id'),
    })),
    'metadata-log': (raw['metadata-log'] ?? []) as unknown as MetadataLogEntry[],
  };
}

/** Returns the snapshot that `current-snapshot-id` refers to, or undefined for an empty table. */
export function currentSnapshot(metadata: TableMetadata): Snapshot | undefined {
  const id = metadata['current-snapshot-id'];
  if (id === NO_SNAPSHOT_ID) return undefined;
  const snapshot = metadata.snapshots.find((candidate) => candidate['snapshot-id'] === id);
  if (snapshot === undefined) throw new IcebergError(`table metadata: current snapshot ${id} is not in snapshots`);
  return snapshot;
}

export function currentSchema(metadata: TableMetadata): IcebergSchema {
  const schema = metadata.schemas.find((candidate) => candidate['schema-id'] === metadata['current-schema-id']);
  if (schema === undefined) throw new IcebergError(`table metadata: current schema ${metadata['current-schema-id']} is missing`);
  return schema;
}

export function defaultPartitionSpec(metadata: TableMetadata): PartitionSpec {
  const spec = metadata['partition-specs'].find((candidate) => candidate['spec-id'] === metadata['default-spec-id']);
  if (spec === undefined) throw new IcebergError(`table metadata: default spec ${metadata['default-spec-id']} is missing`);
  return spec;
}

function requireString(object: Record<string, JsonValue>, key: string): string {
  const value = object[key];
  if (typeof value !== 'string') throw new IcebergError(`table metadata: ${key} is missing or not a string`);
  return value;
}

function requireInteger(object: Record<string, JsonValue>, key: string): number {
  const value = object[key];
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new IcebergError(`table metadata: ${key} is missing or not an integer`);
  }
  return value;
}

function requireLong(object: Record<string, JsonValue>, key: string): bigint {
  const value = object[key];
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  throw new IcebergError(`table metadata: ${key} is missing or not an integer`);
}
