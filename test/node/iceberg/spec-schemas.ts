/**
 * The Avro schemas of manifest entries and manifest list records for format version 2,
 * written out here from the Iceberg table spec's field tables ("Manifests" and
 * "Manifest Lists") and Appendix A, independent of the library under test. Optional
 * fields are unions with null; int-keyed maps are arrays of key/value records.
 */
function optional(name: string, id: number, type: unknown) {
  return { name, type: ['null', type], default: null, 'field-id': id };
}

function required(name: string, id: number, type: unknown) {
  return { name, type, 'field-id': id };
}

function intMap(keyId: number, valueId: number, value: string) {
  return {
    type: 'array',
    logicalType: 'map',
    items: { type: 'record', name: `k${keyId}_v${valueId}`, fields: [required('key', keyId, 'int'), required('value', valueId, value)] },
  };
}

/** `manifest_entry` for the events partition spec: tenant (identity, string) and day(occurred_at) (date). */
export const SPEC_MANIFEST_ENTRY = {
  type: 'record',
  name: 'manifest_entry',
  fields: [
    required('status', 0, 'int'),
    optional('snapshot_id', 1, 'long'),
    optional('sequence_number', 3, 'long'),
    optional('file_sequence_number', 4, 'long'),
    required('data_file', 2, {
      type: 'record',
      name: 'r2',
      fields: [
        required('content', 134, 'int'),
        required('file_path', 100, 'string'),
        required('file_format', 101, 'string'),
        required('partition', 102, {
          type: 'record',
          name: 'r102',
          fields: [optional('tenant', 1000, 'string'), optional('occurred_at_day', 1001, { type: 'int', logicalType: 'date' })],
        }),
        required('record_count', 103, 'long'),
        required('file_size_in_bytes', 104, 'long'),
        optional('column_sizes', 108, intMap(117, 118, 'long')),
        optional('value_counts', 109, intMap(119, 120, 'long')),
        optional('null_value_counts', 110, intMap(121, 122, 'long')),
        optional('nan_value_counts', 137, intMap(138, 139, 'long')),
        optional('lower_bounds', 125, intMap(126, 127, 'bytes')),
        optional('upper_bounds', 128, intMap(129, 130, 'bytes')),
        optional('key_metadata', 131, 'bytes'),
        optional('split_offsets', 132, { type: 'array', items: 'long', 'element-id': 133 }),
        optional('equality_ids', 135, { type: 'array', items: 'int', 'element-id': 136 }),
        optional('sort_order_id', 140, 'int'),
      ],
    }),
  ],
};

export const SPEC_MANIFEST_FILE = {
  type: 'record',
  name: 'manifest_file',
  fields: [
    required('manifest_path', 500, 'string'),
    required('manifest_length', 501, 'long'),
    required('partition_spec_id', 502, 'int'),
    required('content', 517, 'int'),
    required('sequence_number', 515, 'long'),
    required('min_sequence_number', 516, 'long'),
    required('added_snapshot_id', 503, 'long'),
    required('added_files_count', 504, 'int'),
    required('existing_files_count', 505, 'int'),
    required('deleted_files_count', 506, 'int'),
    required('added_rows_count', 512, 'long'),
    required('existing_rows_count', 513, 'long'),
    required('deleted_rows_count', 514, 'long'),
    optional('partitions', 507, {
      type: 'array',
      'element-id': 508,
      items: {
        type: 'record',
        name: 'r508',
        fields: [
          required('contains_null', 509, 'boolean'),
          optional('contains_nan', 518, 'boolean'),
          optional('lower_bound', 510, 'bytes'),
          optional('upper_bound', 511, 'bytes'),
        ],
      },
    }),
  ],
};
