import { TenantlogError } from '../../src/errors';
import { TENANT_SLUG } from '../../src/routing/tenant-resolution';

const MS_PER_DAY = 86_400_000;
// The range of ECMAScript Date values; its micros still fit Iceberg's signed 64 bits.
const MAX_ABS_TIME_MS = 8.64e15;

/**
 * Limits on one data file and on each of its row groups. Bytes are the rows'
 * size as Arrow data (UTF-8 strings, offsets and fixed-width values), which is
 * what parquet-wasm keeps in WebAssembly memory while it encodes them.
 */
export interface DataFileCaps {
  maxRowsPerFile: number;
  maxBytesPerFile: number;
  maxRowsPerRowGroup: number;
  maxBytesPerRowGroup: number;
}

/**
 * Defaults sized for a Worker's 128 MB. parquet-wasm keeps a whole file in memory while it
 * encodes it (the IPC copy, the decoded arrays and the output), and its memory is
 * never returned to the isolate. With 4 MiB files, flushes of 20,000 events with
 * 2 KB payloads keep parquet-wasm at about 16 MB and the transient Arrow and IPC
 * buffers at about 11 MB. With 8 MiB files both measured 21 MB
 * (scripts/parquet-memory-probe.ts, Node 20).
 */
export const DEFAULT_DATA_FILE_CAPS: DataFileCaps = {
  maxRowsPerFile: 100_000,
  maxBytesPerFile: 4 * 1024 * 1024,
  maxRowsPerRowGroup: 10_000,
  maxBytesPerRowGroup: 2 * 1024 * 1024,
};

/** The fields of one event that the planner uses. */
export interface PlannedRow {
  seq: number;
  /** ms since the Unix epoch. */
  occurredAt: number;
  /** Size of the row as Arrow data, in bytes. */
  byteSize: number;
}

/** One data file to write: rows of one UTC day with consecutive seqs. */
export interface DataFilePlan<Row extends PlannedRow> {
  /** Days since 1970-01-01 (UTC) of every row's `occurredAt`: Iceberg's `day` transform. */
  occurredAtDay: number;
  firstSeq: number;
  lastSeq: number;
  rowCount: number;
  byteSize: number;
  /** Rows split into row groups, in seq order. */
  rowGroups: Row[][];
}

/** Fills in defaults and rejects caps that are not positive integers. */
export function resolveDataFileCaps(caps: Partial<DataFileCaps> = {}): DataFileCaps {
  const resolved = { ...DEFAULT_DATA_FILE_CAPS, ...caps };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`data file cap ${name} must be a positive integer, got ${value}`);
    }
  }
  return resolved;
}

/** Days since 1970-01-01 of a UTC time in ms, as Iceberg's `day` transform computes it. */
export function utcDay(ms: number): number {
  return Math.floor(ms / MS_PER_DAY);
}

/** `yyyy-mm-dd` of a day number from `utcDay`. */
export function formatUtcDay(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/**
 * Splits a seq-ordered batch of one tenant's events into data files.
 *
 * A new file starts when the UTC day of `occurredAt` changes or when the next row
 * would pass `maxRowsPerFile` or `maxBytesPerFile`. Inside a file, a new row group
 * starts at the row group caps. A single row larger than a byte cap still gets
 * its own row group and file, because rows are never split.
 *
 * The plan depends only on the rows and the caps, so a retried flush of the same
 * batch yields the same files and keys. Rows are consumed lazily and only the
 * current file's rows are held; callers may pass a generator.
 *
 * Throws LOG_INTEGRITY when seqs are not consecutive (each one more than the last),
 * since file keys and row group pruning rely on gap-free seq ranges.
 */
export function* planDataFiles<Row extends PlannedRow>(
  rows: Iterable<Row>,
  caps: DataFileCaps = DEFAULT_DATA_FILE_CAPS,
): Generator<DataFilePlan<Row>> {
  let current: DataFilePlan<Row> | null = null;
  let group: Row[] = [];
  let groupBytes = 0;
  let previousSeq: number | null = null;

  for (const row of rows) {
    if (previousSeq === null && (!Number.isSafeInteger(row.seq) || row.seq < 1)) {
      throw new TenantlogError('LOG_INTEGRITY', `batch starts at seq ${row.seq}, expected a positive integer`);
    }
    if (!Number.isSafeInteger(row.occurredAt) || Math.abs(row.occurredAt) > MAX_ABS_TIME_MS) {
      throw new TenantlogError('LOG_INTEGRITY', `event seq ${row.seq} has occurredAt ${row.occurredAt}, expected integer ms within ±8.64e15`);
    }
    if (previousSeq !== null && row.seq !== previousSeq + 1) {
      throw new TenantlogError('LOG_INTEGRITY', `batch is not gap-free: seq ${row.seq} follows seq ${previousSeq}`);
    }
    previousSeq = row.seq;
    const day = utcDay(row.occurredAt);

    // Step 1: close the current file at a day change or a file cap.
    if (
      current !== null &&
      (day !== current.occurredAtDay ||
        current.rowCount + 1 > caps.maxRowsPerFile ||
        current.byteSize + row.byteSize > caps.maxBytesPerFile)
    ) {
      current.rowGroups.push(group);
      yield current;
      current = null;
    }
    if (current === null) {
      current = { occurredAtDay: day, firstSeq: row.seq, lastSeq: row.seq, rowCount: 0, byteSize: 0, rowGroups: [] };
      group = [];
      groupBytes = 0;
    }

    // Step 2: close the current row group at a row group cap.
    if (group.length > 0 && (group.length + 1 > caps.maxRowsPerRowGroup || groupBytes + row.byteSize > caps.maxBytesPerRowGroup)) {
      current.rowGroups.push(group);
      group = [];
      groupBytes = 0;
    }

    group.push(row);
    groupBytes += row.byteSize;
    current.rowCount += 1;
    current.byteSize += row.byteSize;
    current.lastSeq = row.seq;
  }

  if (current !== null) {
    current.rowGroups.push(group);
    yield current;
  }
}

/**
 * Object key of a data file:
 * `<table>/data/tenant=<tenant>/day=<yyyy-mm-dd>/<tenant>-<firstSeq>-<lastSeq>.parquet`.
 * `table` is the table's location inside the bucket, without a trailing slash.
 */
export function dataFileKey(
  table: string,
  tenant: string,
  plan: Pick<DataFilePlan<PlannedRow>, 'occurredAtDay' | 'firstSeq' | 'lastSeq'>,
): string {
  if (!TENANT_SLUG.test(tenant)) {
    throw new TenantlogError('INVALID_TENANT', `tenant ${JSON.stringify(tenant)} is not a valid slug`);
  }
  if (table === '' || table.startsWith('/') || table.endsWith('/')) {
    throw new RangeError(`table location ${JSON.stringify(table)} must be a non-empty key prefix without leading or trailing slash`);
  }
  const day = formatUtcDay(plan.occurredAtDay);
  return `${table}/data/tenant=${tenant}/day=${day}/${tenant}-${plan.firstSeq}-${plan.lastSeq}.parquet`;
}
