/**
 * Manifest files (Iceberg table spec, "Manifests", format version 2): Avro container
 * files of `manifest_entry` records, whose header metadata carries the table schema
 * and the partition spec the manifest was written with.
 */
import { writeContainerFile, readContainerFile } from '../avro/container';
import type { AvroCodec } from '../avro/codec';
import type { AvroRecordType, AvroRecordValue, AvroSchemaJson } from '../avro/schema';
import { FieldsById, optionalField, requiredField } from './avro-fields';
import { dataFileAvroSchema, dataFileFromAvro, dataFileToAvro, type DataFile } from './data-file';
import { IcebergError } from './iceberg-error';
import { parseLosslessJson } from './lossless-json';
import { partitionAvroSchema, type PartitionField, type PartitionSpec } from './partition';
import type { IcebergSchema } from './table-schema';

/** `status` of a manifest entry. */
export const ManifestEntryStatus = { EXISTING: 0, ADDED: 1, DELETED: 2 } as const;
export type ManifestEntryStatus = (typeof ManifestEntryStatus)[keyof typeof ManifestEntryStatus];

export interface ManifestEntry {
  status: ManifestEntryStatus;
  /** Null means "inherited from the manifest's `added_snapshot_id`". */
  snapshot_id: bigint | null;
  /** Data sequence number; null on ADDED entries means "inherited from the manifest list". */
  sequence_number: bigint | null;
  /** File sequence number; inherited like `sequence_number`. */
  file_sequence_number: bigint | null;
  data_file: DataFile;
}

/** Builds the `manifest_entry` record schema for a partition spec. */
export function manifestEntryAvroSchema(spec: PartitionSpec, schema: IcebergSchema): AvroSchemaJson {
  return {
    type: 'record',
    name: 'manifest_entry',
    fields: [
      requiredField('status', 0, 'int'),
      optionalField('snapshot_id', 1, 'long'),
      optionalField('sequence_number', 3, 'long'),
      optionalField('file_sequence_number', 4, 'long'),
      requiredField('data_file', 2, dataFileAvroSchema(partitionAvroSchema(spec, schema))),
    ],
  };
}

export interface ManifestWriteOptions {
  schema: IcebergSchema;
  spec: PartitionSpec;
  entries: readonly ManifestEntry[];
  codec?: AvroCodec;
}

/** Encodes a data manifest. The byte length of the result is the `manifest_length` to list for it. */
export async function writeManifest(options: ManifestWriteOptions): Promise<Uint8Array> {
  return writeContainerFile({
    schema: manifestEntryAvroSchema(options.spec, options.schema),
    records: options.entries.map(manifestEntryToAvro),
    codec: options.codec ?? 'deflate',
    metadata: {
      schema: JSON.stringify(options.schema),
      'schema-id': String(options.schema['schema-id']),
      // Only the fields array, as the spec requires for this key.
      'partition-spec': JSON.stringify(options.spec.fields),
      'partition-spec-id': String(options.spec['spec-id']),
      'format-version': '2',
      content: 'data',
    },
  });
}

function manifestEntryToAvro(entry: ManifestEntry): AvroRecordValue {
  return {
    status: entry.status,
    snapshot_id: entry.snapshot_id,
    sequence_number: entry.sequence_number,
    file_sequence_number: entry.file_sequence_number,
    data_file: dataFileToAvro(entry.data_file),
  };
}

export interface Manifest {
  /** Header metadata as stored (strings), e.g. `format-version`, `content`. */
  metadata: Record<string, string>;
  partitionSpecId: number | null;
  partitionFields: PartitionField[];
  entries: ManifestEntry[];
}

/** Decodes a manifest written by any v1 or v2 writer; fields are read by id, so names may differ from the spec's. */
export async function readManifest(bytes: Uint8Array): Promise<Manifest> {
  const container = await readContainerFile(bytes);
  if (container.schema.kind !== 'record') throw new IcebergError('manifest: the Avro schema is not a record');
  const entryType: AvroRecordType = container.schema;

  const entries = container.records.map((record) => {
    const fields = new FieldsById(entryType, record as AvroRecordValue);
    const status = fields.requiredNumber(0);
    if (status !== 0 && status !== 1 && status !== 2) throw new IcebergError(`manifest: invalid entry status ${status}`);
    return {
      status,
      snapshot_id: fields.optionalLong(1),
      sequence_number: fields.optionalLong(3),
      file_sequence_number: fields.optionalLong(4),
      data_file: dataFileFromAvro(fields.record(2)),
    } satisfies ManifestEntry;
  });

  const specId = container.metadata['partition-spec-id'];
  const specFields = container.metadata['partition-spec'];
  return {
    metadata: container.metadata,
    partitionSpecId: specId === undefined ? null : Number(specId),
    partitionFields: specFields === undefined ? [] : (parseLosslessJson(specFields) as unknown as PartitionField[]),
    entries,
  };
}

/**
 * Fills in the values an entry inherits from the manifest list (Iceberg table spec,
 * "Sequence Number Inheritance"): a null snapshot id becomes the manifest's
 * `added_snapshot_id`, and null sequence numbers of ADDED entries become the manifest's
 * `sequence_number`. EXISTING and DELETED entries must carry their own.
 */
export function inheritManifestValues(
  entry: ManifestEntry,
  manifest: { manifest_path: string; added_snapshot_id: bigint; sequence_number: bigint },
): ManifestEntry & { snapshot_id: bigint; sequence_number: bigint; file_sequence_number: bigint } {
  const inherit = (value: bigint | null, field: string): bigint => {
    if (value !== null) return value;
    if (entry.status === ManifestEntryStatus.ADDED) return manifest.sequence_number;
    throw new IcebergError(
      `manifest ${manifest.manifest_path}: ${field} of non-ADDED entry ${entry.data_file.file_path} is null`,
    );
  };
  return {
    ...entry,
    snapshot_id: entry.snapshot_id ?? manifest.added_snapshot_id,
    sequence_number: inherit(entry.sequence_number, 'sequence_number'),
    file_sequence_number: inherit(entry.file_sequence_number, 'file_sequence_number'),
  };
}
