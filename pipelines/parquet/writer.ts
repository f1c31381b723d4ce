import { Table, tableToIPC } from 'apache-arrow';

import type { EventEnvelope } from '../../events/envelope';
import { TenantlogError } from '../../src/errors';
import { encodeEventRecordBatch } from './arrow-encoder';
import { type ColumnStatistics, computeColumnStatistics } from './column-statistics';
import { type DataFileCaps, type DataFilePlan, dataFileKey, planDataFiles, resolveDataFileCaps } from './data-file-plan';
import { EVENT_ARROW_SCHEMA } from './event-columns';
import { type EventRow, toEventRow } from './event-rows';
import { readParquetFooter } from './footer';
import { parquetWasmBindings } from './parquet-wasm';

export interface WriteEventDataFilesOptions {
  /** Table location inside the bucket, such as `tenantlog/events`. Data files go under `<table>/data/`. */
  table: string;
  /** Overrides of `DEFAULT_DATA_FILE_CAPS`. */
  caps?: Partial<DataFileCaps>;
}

/** One written Parquet data file and what an Iceberg commit records about it. */
export interface WrittenDataFile {
  /** Object key, deterministic for the same batch and caps. */
  key: string;
  bytes: Uint8Array;
  recordCount: number;
  fileSizeBytes: number;
  /** Iceberg partition tuple: tenant identity and `day(occurred_at)` as days since 1970-01-01. */
  partition: { tenant: string; occurredAtDay: number };
  firstSeq: number;
  lastSeq: number;
  /** Rows of each row group, in file order. */
  rowGroupRecordCounts: number[];
  /** One entry per column, in field id order, computed from the rows rather than read back from the file. */
  columnStatistics: ColumnStatistics[];
}

// Columns whose values are (nearly) unique per row: a dictionary would only be
// built and then abandoned, which costs time without saving bytes.
const DICTIONARY_DISABLED_COLUMNS = ['id', 'payload', 'prev_hash', 'hash'] as const;

/**
 * Writes a seq-ordered, gap-free batch of one tenant's events as Parquet data
 * files: one or more per UTC day, split by `planDataFiles` and named by
 * `dataFileKey`. Files are ZSTD-compressed with column statistics per row group.
 *
 * Files are produced one at a time, so a caller can upload each and drop its
 * bytes before the next is encoded. Only the current file's rows stay in memory.
 * An empty batch yields nothing. parquet-wasm must be initialised first (see
 * `./parquet-wasm`).
 *
 * Throws LOG_INTEGRITY when the batch mixes tenants or has a seq gap, and
 * TypeError when an event lacks a required field.
 */
export function* writeEventDataFiles(events: Iterable<EventEnvelope>, options: WriteEventDataFilesOptions): Generator<WrittenDataFile> {
  const caps = resolveDataFileCaps(options.caps);
  const plans = planDataFiles(singleTenantRows(events), caps);
  for (;;) {
    // The plan stays inside writeNextFile, so its rows are garbage while the caller
    // handles the file and while the next plan fills up.
    const file = writeNextFile(plans, options.table, caps);
    if (file === null) return;
    yield file;
  }
}

function* singleTenantRows(events: Iterable<EventEnvelope>): Generator<EventRow> {
  let tenant: string | null = null;
  for (const event of events) {
    tenant ??= event.tenant;
    if (event.tenant !== tenant) {
      throw new TenantlogError('LOG_INTEGRITY', `batch mixes tenants: seq ${event.seq} belongs to ${event.tenant}, not ${tenant}`);
    }
    yield toEventRow(event);
  }
}

function writeNextFile(plans: Generator<DataFilePlan<EventRow>>, table: string, caps: DataFileCaps): WrittenDataFile | null {
  const next = plans.next();
  return next.done ? null : writeDataFile(next.value, table, caps);
}

function writeDataFile(plan: DataFilePlan<EventRow>, table: string, caps: DataFileCaps): WrittenDataFile {
  // Every row has the batch's one tenant, checked as rows are read.
  const tenant = plan.rowGroups[0]![0]!.event.tenant;
  const key = dataFileKey(table, tenant, plan);
  const parquet = parquetWasmBindings();

  // Step 1: one Arrow record batch per planned row group, serialised as an IPC stream.
  const ipc = tableToIPC(new Table(EVENT_ARROW_SCHEMA, plan.rowGroups.map(encodeEventRecordBatch)), 'stream');

  // Step 2: encode with parquet-wasm. Both calls consume their wasm arguments.
  let properties = new parquet.WriterPropertiesBuilder()
    .setCompression(parquet.Compression.ZSTD)
    .setStatisticsEnabled(parquet.EnabledStatistics.Chunk)
    .setMaxRowGroupSize(caps.maxRowsPerRowGroup)
    // NOTE: a 1-byte limit makes arrow-rs close the row group after every record
    // batch, so row groups follow the plan. Checked against the footer below,
    // because this relies on how parquet-wasm 0.8 applies the byte limit.
    .setMaxRowGroupBytes(1);
  for (const column of DICTIONARY_DISABLED_COLUMNS) properties = properties.setColumnDictionaryEnabled(column, false);
  const bytes = parquet.writeParquet(parquet.Table.fromIPCStream(ipc), properties.build());

  // Step 3: confirm the row groups match the plan before anyone commits this file.
  const planned = plan.rowGroups.map((group) => group.length);
  const written = readParquetFooter(bytes).rowGroups.map((group) => group.numRows);
  if (written.join(',') !== planned.join(',')) {
    throw new Error(`parquet-wasm wrote row groups of [${written.join(', ')}] rows for ${key}, planned [${planned.join(', ')}]`);
  }

  return {
    key,
    bytes,
    recordCount: plan.rowCount,
    fileSizeBytes: bytes.byteLength,
    partition: { tenant, occurredAtDay: plan.occurredAtDay },
    firstSeq: plan.firstSeq,
    lastSeq: plan.lastSeq,
    rowGroupRecordCounts: planned,
    columnStatistics: computeColumnStatistics(plan.rowGroups.flat()),
  };
}
