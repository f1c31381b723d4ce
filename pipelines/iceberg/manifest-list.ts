/**
 * Manifest lists (Iceberg table spec, "Manifest Lists", format version 2): one Avro
 * container file of `manifest_file` records per snapshot.
 */
import type { AvroCodec } from '../avro/codec';
import { readContainerFile, writeContainerFile } from '../avro/container';
import type { AvroRecordValue, AvroSchemaJson, AvroValue } from '../avro/schema';
import { FieldsById, listOf, optionalField, requiredField } from './avro-fields';
import { compareSingleValues, serializeSingleValue, type SingleValue } from './bounds';
import { IcebergError } from './iceberg-error';
import { partitionResultType, type PartitionSpec } from './partition';
import type { IcebergSchema } from './table-schema';

/** `content` of a manifest: 0 data files, 1 delete files. */
export const MANIFEST_CONTENT_DATA = 0;

/** Summary of one partition field over the files of a manifest. */
export interface FieldSummary {
  contains_null: boolean;
  contains_nan: boolean | null;
  lower_bound: Uint8Array | null;
  upper_bound: Uint8Array | null;
}

export interface ManifestFile {
  manifest_path: string;
  /** Exact byte length of the manifest file. */
  manifest_length: number;
  partition_spec_id: number;
  content: number;
  /** Sequence number of the snapshot that added the manifest. */
  sequence_number: bigint;
  /** Lowest data sequence number of the live files in the manifest. */
  min_sequence_number: bigint;
  added_snapshot_id: bigint;
  added_files_count: number;
  existing_files_count: number;
  deleted_files_count: number;
  added_rows_count: number;
  existing_rows_count: number;
  deleted_rows_count: number;
  partitions: FieldSummary[] | null;
}

const FIELD_SUMMARY_SCHEMA: AvroSchemaJson = {
  type: 'record',
  name: 'r508',
  fields: [
    requiredField('contains_null', 509, 'boolean'),
    optionalField('contains_nan', 518, 'boolean'),
    optionalField('lower_bound', 510, 'bytes'),
    optionalField('upper_bound', 511, 'bytes'),
  ],
};

/** The `manifest_file` record schema with the spec's v2 field names and ids. */
export const MANIFEST_FILE_AVRO_SCHEMA: AvroSchemaJson = {
  type: 'record',
  name: 'manifest_file',
  fields: [
    requiredField('manifest_path', 500, 'string'),
    requiredField('manifest_length', 501, 'long'),
    requiredField('partition_spec_id', 502, 'int'),
    requiredField('content', 517, 'int'),
    requiredField('sequence_number', 515, 'long'),
    requiredField('min_sequence_number', 516, 'long'),
    requiredField('added_snapshot_id', 503, 'long'),
    requiredField('added_files_count', 504, 'int'),
    requiredField('existing_files_count', 505, 'int'),
    requiredField('deleted_files_count', 506, 'int'),
    requiredField('added_rows_count', 512, 'long'),
    requiredField('existing_rows_count', 513, 'long'),
    requiredField('deleted_rows_count', 514, 'long'),
    optionalField('partitions', 507, listOf(508, FIELD_SUMMARY_SCHEMA)),
  ],
};

export interface ManifestListWriteOptions {
  snapshotId: bigint;
  /** Omitted from the header for the table's first snapshot. */
  parentSnapshotId: bigint | null;
  sequenceNumber: bigint;
  manifests: readonly ManifestFile[];
  codec?: AvroCodec;
}

export async function writeManifestList(options: ManifestListWriteOptions): Promise<Uint8Array> {
  const metadata: Record<string, string> = {
    'snapshot-id': options.snapshotId.toString(),
    'sequence-number': options.sequenceNumber.toString(),
    'format-version': '2',
  };
  if (options.parentSnapshotId !== null) metadata['parent-snapshot-id'] = options.parentSnapshotId.toString();
  return writeContainerFile({
    schema: MANIFEST_FILE_AVRO_SCHEMA,
    records: options.manifests.map(manifestFileToAvro),
    metadata,
    codec: options.codec ?? 'deflate',
  });
}

function manifestFileToAvro(manifest: ManifestFile): AvroRecordValue {
  return {
    ...manifest,
    partitions: manifest.partitions === null ? null : manifest.partitions.map((summary) => ({ ...summary })),
  };
}

export interface ManifestList {
  metadata: Record<string, string>;
  manifests: ManifestFile[];
}

/** Decodes a manifest list by field id. v1 lists lack the sequence numbers and content, which read as 0. */
export async function readManifestList(bytes: Uint8Array): Promise<ManifestList> {
  const container = await readContainerFile(bytes);
  const type = container.schema;
  if (type.kind !== 'record') throw new IcebergError('manifest list: the Avro schema is not a record');

  const manifests = container.records.map((record): ManifestFile => {
    const fields = new FieldsById(type, record as AvroRecordValue);
    return {
      manifest_path: fields.requiredString(500),
      manifest_length: fields.requiredNumber(501),
      partition_spec_id: fields.requiredNumber(502),
      content: fields.optionalNumber(517) ?? MANIFEST_CONTENT_DATA,
      sequence_number: fields.optionalLong(515) ?? 0n,
      min_sequence_number: fields.optionalLong(516) ?? 0n,
      added_snapshot_id: fields.requiredLong(503),
      added_files_count: fields.optionalNumber(504) ?? 0,
      existing_files_count: fields.optionalNumber(505) ?? 0,
      deleted_files_count: fields.optionalNumber(506) ?? 0,
      added_rows_count: fields.optionalNumber(512) ?? 0,
      existing_rows_count: fields.optionalNumber(513) ?? 0,
      deleted_rows_count: fields.optionalNumber(514) ?? 0,
      partitions: fields.list(507, fieldSummaryFromAvro),
    };
  });
  return { metadata: container.metadata, manifests };
}

function fieldSummaryFromAvro(value: AvroValue): FieldSummary {
  const record = value as AvroRecordValue;
  const bound = (item: AvroValue | undefined): Uint8Array | null => (item instanceof Uint8Array ? item : null);
  return {
    contains_null: record.contains_null === true,
    contains_nan: typeof record.contains_nan === 'boolean' ? record.contains_nan : null,
    lower_bound: bound(record.lower_bound),
    upper_bound: bound(record.upper_bound),
  };
}

/**
 * Summarizes the partition tuples of a manifest's files, one summary per spec field:
 * whether any value is null and the serialized min and max of the others. `contains_nan`
 * is false for non-floating types, as the reference implementation writes it.
 */
export function summarizePartitions(
  spec: PartitionSpec,
  schema: IcebergSchema,
  partitions: ReadonlyArray<Record<string, AvroValue>>,
): FieldSummary[] {
  return spec.fields.map((field) => {
    const type = partitionResultType(field, schema);
    let containsNull = false;
    let containsNan = false;
    let lower: SingleValue | null = null;
    let upper: SingleValue | null = null;

    for (const partition of partitions) {
      const value = partition[field.name] ?? null;
      if (value === null) {
        containsNull = true;
        continue;
      }
      if (typeof value === 'number' && Number.isNaN(value)) {
        containsNan = true;
        continue;
      }
      const single = value as SingleValue;
      if (lower === null || compareSingleValues(type, single, lower) < 0) lower = single;
      if (upper === null || compareSingleValues(type, single, upper) > 0) upper = single;
    }
    return {
      contains_null: containsNull,
      contains_nan: containsNan,
      lower_bound: lower === null ? null : serializeSingleValue(type, lower),
      upper_bound: upper === null ? null : serializeSingleValue(type, upper),
    };
  });
}

export interface DescribeManifestInput {
  path: string;
  /** The encoded manifest; its length becomes `manifest_length`. */
  bytes: Uint8Array;
  spec: PartitionSpec;
  schema: IcebergSchema;
  snapshotId: bigint;
  sequenceNumber: bigint;
  entries: ReadonlyArray<{ status: number; sequence_number: bigint | null; data_file: { record_count: number; partition: Record<string, AvroValue> } }>;
}

/** Builds the manifest list record of a manifest this writer just encoded: counts by status, row counts, partition summaries. */
export function describeManifest(input: DescribeManifestInput): ManifestFile {
  const byStatus = (status: number) => input.entries.filter((entry) => entry.status === status);
  const rows = (entries: DescribeManifestInput['entries']) => entries.reduce((total, entry) => total + entry.data_file.record_count, 0);
  const added = byStatus(1);
  const existing = byStatus(0);
  const deleted = byStatus(2);
  const live = [...added, ...existing];
  // Null sequence numbers are inherited from this manifest, i.e. `sequenceNumber`.
  const minSequenceNumber = live.reduce(
    (min, entry) => {
      const sequence = entry.sequence_number ?? input.sequenceNumber;
      return sequence < min ? sequence : min;
    },
    input.sequenceNumber,
  );
  return {
    manifest_path: input.path,
    manifest_length: input.bytes.length,
    partition_spec_id: input.spec['spec-id'],
    content: MANIFEST_CONTENT_DATA,
    sequence_number: input.sequenceNumber,
    min_sequence_number: minSequenceNumber,
    added_snapshot_id: input.snapshotId,
    added_files_count: added.length,
    existing_files_count: existing.length,
    deleted_files_count: deleted.length,
    added_rows_count: rows(added),
    existing_rows_count: rows(existing),
    deleted_rows_count: rows(deleted),
    partitions: summarizePartitions(input.spec, input.schema, live.map((entry) => entry.data_file.partition)),
  };
}
