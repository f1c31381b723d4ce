import { EVENT_COLUMNS, type EventColumnName, type IcebergPrimitiveType } from './event-columns';
import { type EventRow, occurredAtMicros, STRING_COLUMN_VALUES, type StringColumnName } from './event-rows';
import { compareCodePoints } from './utf8';

/** A column value as the Iceberg bound encoder takes it. */
export type ColumnBound = string | bigint | number;

/**
 * Iceberg metrics of one column in one data file. Bounds are exact, not truncated:
 * strings are the full min and max by code point, `long` columns are bigint,
 * `timestamptz` is bigint micros since the epoch, `int` is a number. Bounds are
 * null when every value is null.
 */
export interface ColumnStatistics {
  fieldId: number;
  name: EventColumnName;
  type: IcebergPrimitiveType;
  /** Number of values including nulls, equal to the file's record count. */
  valueCount: number;
  nullCount: number;
  lowerBound: ColumnBound | null;
  upperBound: ColumnBound | null;
}

/** Computes the statistics of every column over the rows of one data file, in field id order. */
export function computeColumnStatistics(rows: Iterable<EventRow>): ColumnStatistics[] {
  const statistics = EVENT_COLUMNS.map(
    (column): ColumnStatistics => ({
      fieldId: column.fieldId,
      name: column.name,
      type: column.type,
      valueCount: 0,
      nullCount: 0,
      lowerBound: null,
      upperBound: null,
    }),
  );
  const readers = EVENT_COLUMNS.map((column) => columnValueReader(column.name));

  for (const row of rows) {
    for (let i = 0; i < statistics.length; i++) {
      const entry = statistics[i]!;
      const value = readers[i]!(row);
      entry.valueCount += 1;
      if (value === null) {
        entry.nullCount += 1;
        continue;
      }
      if (entry.lowerBound === null || compareBounds(value, entry.lowerBound) < 0) entry.lowerBound = value;
      if (entry.upperBound === null || compareBounds(value, entry.upperBound) > 0) entry.upperBound = value;
    }
  }
  return statistics;
}

function columnValueReader(name: EventColumnName): (row: EventRow) => ColumnBound | null {
  switch (name) {
    case 'seq':
      return (row) => BigInt(row.seq);
    case 'schema_version':
      return (row) => row.event.schemaVersion;
    case 'occurred_at':
      return occurredAtMicros;
    default:
      return STRING_COLUMN_VALUES[name as StringColumnName];
  }
}

function compareBounds(left: ColumnBound, right: ColumnBound): number {
  if (typeof left === 'string' && typeof right === 'string') return compareCodePoints(left, right);
  if (left < right) return -1;
  if (left > right) return 1;
  return 0;
}
