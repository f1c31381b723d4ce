/**
 * What a flush tells the catalog about one Parquet data file it stored, and the
 * conversions on either side: from the Parquet writer's output, and to the Iceberg
 * library's commit input with an absolute path under the table location.
 */
import type { EventColumnStats, EventDataFileInput, EventPartition } from './iceberg';
import { normalizeTableLocation, objectKey } from './iceberg';
import type { ColumnStatistics as ParquetColumnStatistics, WrittenDataFile } from './parquet';

/** One data file of a commit request; plain data, so it crosses Durable Object RPC as is. */
export interface DataFileCommit {
  /** Object key in the bucket, e.g. `events/data/tenant=acme/day=2026-03-01/acme-1-500.parquet`. */
  key: string;
  recordCount: number;
  /** Exact size of the stored object in bytes. */
  fileSizeBytes: number;
  partition: EventPartition;
  /** Per column, keyed by column name; long and timestamptz bounds are bigint (timestamptz in µs). */
  columnStats: EventColumnStats;
}

/** Describes a file from `writeEventDataFiles` for the commit. */
export function dataFileCommit(file: WrittenDataFile): DataFileCommit {
  return {
    key: file.key,
    recordCount: file.recordCount,
    fileSizeBytes: file.fileSizeBytes,
    partition: { tenant: file.partition.tenant, occurredAtDay: file.partition.occurredAtDay },
    columnStats: columnStatsByName(file.columnStatistics),
  };
}

function columnStatsByName(statistics: readonly ParquetColumnStatistics[]): EventColumnStats {
  const byName: Record<string, unknown> = {};
  for (const column of statistics) {
    byName[column.name] = {
      valueCount: column.valueCount,
      nullValueCount: column.nullCount,
      ...(column.lowerBound !== null && { lowerBound: column.lowerBound }),
      ...(column.upperBound !== null && { upperBound: column.upperBound }),
    };
  }
  return byName as EventColumnStats;
}

/**
 * Returns the object key prefix of a table location: `events` for `s3://tenantlog-events/events`.
 * Throws IcebergError for a location without a prefix under the bucket, because data
 * and metadata files need a folder of their own.
 */
export function tableKeyPrefix(location: string): string {
  return objectKey(normalizeTableLocation(location));
}

/** Returns the absolute path of an object key in the table's bucket, as metadata and manifests spell it. */
export function tablePathOfKey(location: string, key: string): string {
  const normalized = normalizeTableLocation(location);
  const bucketRoot = normalized.slice(0, normalized.length - objectKey(normalized).length);
  return `${bucketRoot}${key}`;
}

/** Converts a commit request's file to the Iceberg library's commit input. */
export function dataFileInput(file: DataFileCommit, location: string): EventDataFileInput {
  return {
    path: tablePathOfKey(location, file.key),
    recordCount: file.recordCount,
    fileSizeBytes: file.fileSizeBytes,
    partition: file.partition,
    columnStats: file.columnStats,
  };
}
