/**
 * The `data_file` struct of manifest entries (Iceberg table spec, "Manifests", v2): its
 * Avro schema with the spec's field ids, and conversion between the typed form and
 * decoded Avro records.
 *
 * Typed form: sizes and counts are `number` (checked to be safe integers), field names
 * are the spec's, and int-keyed maps are `Map`s keyed by column field id.
 */
import type { AvroRecordValue, AvroSchemaJson, AvroValue } from '../avro/schema';
import { FieldsById, intKeyedMap, listOf, optionalField, requiredField, toKeyValueArray, toSafeNumber } from './avro-fields';
import { IcebergError } from './iceberg-error';

/** `content` of a data file: 0 data, 1 position deletes, 2 equality deletes. */
export const DATA_FILE_CONTENT_DATA = 0;

export interface DataFile {
  content: number;
  /** Absolute location with scheme, e.g. `s3://bucket/events/data/...parquet`. */
  file_path: string;
  /** `PARQUET` for the events table; the spec allows any case. */
  file_format: string;
  /** Partition tuple keyed by partition field name. */
  partition: Record<string, AvroValue>;
  record_count: number;
  file_size_in_bytes: number;
  column_sizes: Map<number, number> | null;
  value_counts: Map<number, number> | null;
  null_value_counts: Map<number, number> | null;
  nan_value_counts: Map<number, number> | null;
  /** Single-value serialized bounds (Appendix D) keyed by column field id. */
  lower_bounds: Map<number, Uint8Array> | null;
  upper_bounds: Map<number, Uint8Array> | null;
  key_metadata: Uint8Array | null;
  split_offsets: number[] | null;
  equality_ids: number[] | null;
  sort_order_id: number | null;
}

/** The `data_file` record, named `r2` as the reference implementation names it, with the given partition record. */
export function dataFileAvroSchema(partitionRecord: AvroSchemaJson): AvroSchemaJson {
  return {
    type: 'record',
    name: 'r2',
    fields: [
      requiredField('content', 134, 'int'),
      requiredField('file_path', 100, 'string'),
      requiredField('file_format', 101, 'string'),
      requiredField('partition', 102, partitionRecord),
      requiredField('record_count', 103, 'long'),
      requiredField('file_size_in_bytes', 104, 'long'),
      optionalField('column_sizes', 108, intKeyedMap(117, 118, 'long')),
      optionalField('value_counts', 109, intKeyedMap(119, 120, 'long')),
      optionalField('null_value_counts', 110, intKeyedMap(121, 122, 'long')),
      optionalField('nan_value_counts', 137, intKeyedMap(138, 139, 'long')),
      optionalField('lower_bounds', 125, intKeyedMap(126, 127, 'bytes')),
      optionalField('upper_bounds', 128, intKeyedMap(129, 130, 'bytes')),
      optionalField('key_metadata', 131, 'bytes'),
      optionalField('split_offsets', 132, listOf(133, 'long')),
      optionalField('equality_ids', 135, listOf(136, 'int')),
      optionalField('sort_order_id', 140, 'int'),
    ],
  };
}

export function dataFileToAvro(file: DataFile): AvroRecordValue {
  return {
    content: file.content,
    file_path: file.file_path,
    file_format: file.file_format,
    partition: file.partition,
    record_count: file.record_count,
    file_size_in_bytes: file.file_size_in_bytes,
    column_sizes: toKeyValueArray(file.column_sizes),
    value_counts: toKeyValueArray(file.value_counts),
    null_value_counts: toKeyValueArray(file.null_value_counts),
    nan_value_counts: toKeyValueArray(file.nan_value_counts),
    lower_bounds: toKeyValueArray(file.lower_bounds),
    upper_bounds: toKeyValueArray(file.upper_bounds),
    key_metadata: file.key_metadata,
    split_offsets: file.split_offsets,
    equality_ids: file.equality_ids,
    sort_order_id: file.sort_order_id,
  };
}

/** Reads a decoded `data_file` record by field id; fields missing from the file's schema read as null. */
export function dataFileFromAvro(fields: FieldsById): DataFile {
  const count = (item: AvroValue): number => toSafeNumber(item, 'a count in a data_file map');
  const bytes = (item: AvroValue): Uint8Array => {
    if (!(item instanceof Uint8Array)) throw new IcebergError('a bound in a data_file map is not bytes');
    return item;
  };
  const keyMetadata = fields.get(131);
  return {
    // v1 manifests have no content field, and all their files are data files.
    content: fields.optionalNumber(134) ?? DATA_FILE_CONTENT_DATA,
    file_path: fields.requiredString(100),
    file_format: fields.requiredString(101),
    partition: fields.plainRecord(102),
    record_count: fields.requiredNumber(103),
    file_size_in_bytes: fields.requiredNumber(104),
    column_sizes: fields.intKeyedMap(108, count),
    value_counts: fields.intKeyedMap(109, count),
    null_value_counts: fields.intKeyedMap(110, count),
    nan_value_counts: fields.intKeyedMap(137, count),
    lower_bounds: fields.intKeyedMap(125, bytes),
    upper_bounds: fields.intKeyedMap(128, bytes),
    key_metadata: keyMetadata instanceof Uint8Array ? keyMetadata : null,
    split_offsets: fields.list(132, (item) => toSafeNumber(item, 'a split offset')),
    equality_ids: fields.list(135, (item) => toSafeNumber(item, 'an equality id')),
    sort_order_id: fields.optionalNumber(140),
  };
}
