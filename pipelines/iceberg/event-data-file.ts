/**
 * The commit input for one Parquet file of the events table, its checks, and its
 * conversion to a manifest `data_file`. A file contains one tenant's events of one UTC
 * day, with consecutive `seq` values sorted ascending.
 */
import { compareSingleValues, serializeSingleValue, truncateLowerBound, truncateUpperBound, type SingleValue } from './bounds';
import { DATA_FILE_CONTENT_DATA, type DataFile } from './data-file';
import { IcebergError } from './iceberg-error';
import { dayFromMicros, eventPartitionRecord, type EventPartition } from './partition';
import { EVENT_SORT_ORDER_ID } from './sort-order';
import { EVENT_COLUMNS, type EventColumnName, type EventColumnValue } from './table-schema';

/** Statistics of one column in one file. Bounds cover the non-null values. */
export interface ColumnStatistics<Value> {
  /** Values including nulls; equals the file's record count for a top-level column. */
  valueCount: number;
  nullValueCount: number;
  lowerBound?: Value;
  upperBound?: Value;
}

export type EventColumnStats = { [Name in EventColumnName]?: ColumnStatistics<EventColumnValue<Name>> };

export interface EventDataFileInput {
  /** Absolute path under `<location>/data/`. */
  path: string;
  recordCount: number;
  /** Exact size of the Parquet object in bytes. */
  fileSizeBytes: number;
  partition: EventPartition;
  /** Must include `seq` and `occurred_at` with bounds; other columns are optional. */
  columnStats: EventColumnStats;
  /** Byte offsets of the Parquet row groups in ascending order; optional. */
  splitOffsets?: number[];
}

/** String bounds longer than this many code points are truncated, as the reference implementation does by default. */
export const DEFAULT_STRING_BOUND_LENGTH = 16;

/**
 * Checks a commit input against the table layout and converts it to a `data_file`.
 * Throws IcebergError naming the path and the broken rule.
 */
export function eventDataFile(input: EventDataFileInput, location: string, stringBoundLength = DEFAULT_STRING_BOUND_LENGTH): DataFile {
  const fail = (message: string): never => {
    throw new IcebergError(`data file ${JSON.stringify(input.path)}: ${message}`);
  };

  // File-level facts.
  if (typeof input.path !== 'string' || !input.path.startsWith(`${location}/data/`) || input.path.includes('/../')) {
    fail(`path must be absolute under ${location}/data/`);
  }
  if (!Number.isSafeInteger(input.recordCount) || input.recordCount < 1) fail(`recordCount must be a positive integer, got ${input.recordCount}`);
  if (!Number.isSafeInteger(input.fileSizeBytes) || input.fileSizeBytes < 1) fail(`fileSizeBytes must be a positive integer, got ${input.fileSizeBytes}`);
  const { tenant, occurredAtDay } = input.partition ?? {};
  if (typeof tenant !== 'string' || tenant === '') fail('partition.tenant must be a non-empty string');
  if (!Number.isSafeInteger(occurredAtDay)) fail(`partition.occurredAtDay must be an integer, got ${occurredAtDay}`);

  // Column statistics, keyed by field id in the manifest.
  const valueCounts = new Map<number, number>();
  const nullValueCounts = new Map<number, number>();
  const lowerBounds = new Map<number, Uint8Array>();
  const upperBounds = new Map<number, Uint8Array>();
  const known = new Set<string>(EVENT_COLUMNS.map((column) => column.name));
  for (const name of Object.keys(input.columnStats ?? {})) {
    if (!known.has(name)) fail(`columnStats has unknown column ${JSON.stringify(name)}`);
  }

  for (const column of EVENT_COLUMNS) {
    const stats = input.columnStats[column.name] as ColumnStatistics<SingleValue> | undefined;
    if (stats === undefined) continue;
    const { valueCount, nullValueCount, lowerBound, upperBound } = stats;
    if (valueCount !== input.recordCount) fail(`${column.name}.valueCount ${valueCount} differs from recordCount ${input.recordCount}`);
    if (!Number.isSafeInteger(nullValueCount) || nullValueCount < 0 || nullValueCount > valueCount) {
      fail(`${column.name}.nullValueCount must be between 0 and ${valueCount}, got ${nullValueCount}`);
    }
    if (column.required && nullValueCount !== 0) fail(`${column.name} is required but has ${nullValueCount} nulls`);
    if (nullValueCount === valueCount && (lowerBound !== undefined || upperBound !== undefined)) {
      fail(`${column.name} has only nulls but has bounds`);
    }
    valueCounts.set(column.id, valueCount);
    nullValueCounts.set(column.id, nullValueCount);

    const lower = lowerBound === undefined ? undefined : serializeBound(column.type, lowerBound, column.name, fail);
    const upper = upperBound === undefined ? undefined : serializeBound(column.type, upperBound, column.name, fail);
    if (lower !== undefined && upper !== undefined && compareSingleValues(column.type, lowerBound!, upperBound!) > 0) {
      fail(`${column.name}.lowerBound is greater than its upperBound`);
    }
    if (lower !== undefined) {
      lowerBounds.set(column.id, column.type === 'string' ? truncatedLower(lowerBound as string, stringBoundLength) : lower);
    }
    const truncatedUpperBytes = upper !== undefined && column.type === 'string' ? truncatedUpper(upperBound as string, stringBoundLength) : upper;
    if (truncatedUpperBytes !== undefined) upperBounds.set(column.id, truncatedUpperBytes);
  }

  // Layout rules that readers of the table rely on.
  const seq = input.columnStats.seq;
  if (seq?.lowerBound === undefined || seq.upperBound === undefined) fail('columnStats.seq needs lowerBound and upperBound');
  if (BigInt(seq!.upperBound!) - BigInt(seq!.lowerBound!) + 1n !== BigInt(input.recordCount)) {
    fail(`seq ${seq!.lowerBound}..${seq!.upperBound} is not ${input.recordCount} consecutive values`);
  }
  const occurredAt = input.columnStats.occurred_at;
  if (occurredAt?.lowerBound === undefined || occurredAt.upperBound === undefined) {
    fail('columnStats.occurred_at needs lowerBound and upperBound');
  }
  for (const bound of [occurredAt!.lowerBound!, occurredAt!.upperBound!]) {
    if (dayFromMicros(BigInt(bound)) !== occurredAtDay) fail(`occurred_at ${bound} µs is not on partition day ${occurredAtDay}`);
  }
  const tenantStats = input.columnStats.tenant;
  for (const bound of [tenantStats?.lowerBound, tenantStats?.upperBound]) {
    if (bound !== undefined && bound !== tenant) fail(`tenant bound ${JSON.stringify(bound)} differs from partition tenant`);
  }
  if (input.splitOffsets !== undefined && !input.splitOffsets.every((offset, index, all) => Number.isSafeInteger(offset) && (index === 0 || offset > (all[index - 1] as number)))) {
    fail('splitOffsets must be ascending integers');
  }

  return {
    content: DATA_FILE_CONTENT_DATA,
    file_path: input.path,
    file_format: 'PARQUET',
    partition: eventPartitionRecord(input.partition),
    record_count: input.recordCount,
    file_size_in_bytes: input.fileSizeBytes,
    column_sizes: null,
    value_counts: valueCounts,
    null_value_counts: nullValueCounts,
    // No float or double columns, so no NaN counts.
    nan_value_counts: null,
    lower_bounds: lowerBounds,
    upper_bounds: upperBounds,
    key_metadata: null,
    split_offsets: input.splitOffsets ?? null,
    equality_ids: null,
    sort_order_id: EVENT_SORT_ORDER_ID,
  };
}

function serializeBound(type: string, value: SingleValue, column: string, fail: (message: string) => never): Uint8Array {
  try {
    return serializeSingleValue(type, value);
  } catch (error) {
    return fail(`${column} bound: ${(error as Error).message}`);
  }
}

function truncatedLower(value: string, length: number): Uint8Array {
  return serializeSingleValue('string', truncateLowerBound(value, length));
}

function truncatedUpper(value: string, length: number): Uint8Array | undefined {
  const bound = truncateUpperBound(value, length);
  return bound === undefined ? undefined : serializeSingleValue('string', bound);
}
