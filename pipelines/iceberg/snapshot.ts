/**
 * Snapshots in table metadata (Iceberg table spec, "Snapshots" and Appendix F): ids,
 * timestamps and the summary of an append.
 */
import type { Clock } from '../../src/clock';
import type { DataFile } from './data-file';
import { IcebergError } from './iceberg-error';

export interface SnapshotSummary {
  operation: 'append' | 'replace' | 'overwrite' | 'delete';
  [key: string]: string;
}

export interface Snapshot {
  'snapshot-id': bigint;
  /** Absent on a table's first snapshot. */
  'parent-snapshot-id'?: bigint;
  'sequence-number': number;
  'timestamp-ms': number;
  'manifest-list': string;
  summary: SnapshotSummary;
  'schema-id'?: number;
}

export interface SnapshotLogEntry {
  'timestamp-ms': number;
  'snapshot-id': bigint;
}

const MAX_ATTEMPTS = 16;

/**
 * Returns a random positive 63-bit snapshot id that is not in `taken`. Random ids keep
 * two writers that raced from colliding, and the spec requires writers to check
 * against existing snapshots.
 */
export function generateSnapshotId(taken: ReadonlySet<bigint>, random: (bytes: Uint8Array) => Uint8Array = defaultRandom): bigint {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const bytes = random(new Uint8Array(8));
    const id = BigInt.asUintN(63, new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0));
    if (id !== 0n && !taken.has(id)) return id;
  }
  throw new IcebergError(`could not find an unused snapshot id in ${MAX_ATTEMPTS} attempts; is the random source broken?`);
}

function defaultRandom(bytes: Uint8Array): Uint8Array {
  return crypto.getRandomValues(bytes);
}

/**
 * Returns the timestamp of the next table change: the clock's time, but at least 1 ms after
 * `lastUpdatedMs`. In Workers `Date.now()` only advances across I/O, so two commits in
 * one request would otherwise share a timestamp, and a clock that steps back must not
 * make `last-updated-ms` or snapshot times go backwards.
 */
export function nextTimestampMs(clock: Clock, lastUpdatedMs: number): number {
  return Math.max(clock.now(), lastUpdatedMs + 1);
}

export interface AppendSummaryInput {
  previous: SnapshotSummary | undefined;
  addedFiles: readonly DataFile[];
  /** Live data files and records before this commit, used when `previous` lacks the totals. */
  fallbackTotals: { dataFiles: number; records: number };
  manifestsCreated: number;
  manifestsKept: number;
  manifestsReplaced: number;
  /** Entries read from replaced manifests and rewritten as EXISTING. */
  entriesProcessed: number;
}

/** Builds the summary of an append snapshot, with running totals carried over from the previous snapshot. */
export function appendSummary(input: AppendSummaryInput): SnapshotSummary {
  const addedRecords = sum(input.addedFiles.map((file) => file.record_count));
  const addedSize = sum(input.addedFiles.map((file) => file.file_size_in_bytes));
  const partitions = new Set(input.addedFiles.map((file) => JSON.stringify(Object.values(file.partition))));

  const previousFiles = readTotal(input.previous, 'total-data-files') ?? input.fallbackTotals.dataFiles;
  const previousRecords = readTotal(input.previous, 'total-records') ?? input.fallbackTotals.records;
  const previousSize = input.previous === undefined ? 0 : readTotal(input.previous, 'total-files-size');

  const summary: SnapshotSummary = {
    operation: 'append',
    'added-data-files': String(input.addedFiles.length),
    'added-records': String(addedRecords),
    'added-files-size': String(addedSize),
    'changed-partition-count': String(partitions.size),
    'total-records': String(previousRecords + addedRecords),
    'total-data-files': String(previousFiles + input.addedFiles.length),
    'total-delete-files': '0',
    'total-position-deletes': '0',
    'total-equality-deletes': '0',
    'manifests-created': String(input.manifestsCreated),
    'manifests-kept': String(input.manifestsKept),
    'manifests-replaced': String(input.manifestsReplaced),
    'entries-processed': String(input.entriesProcessed),
  };
  // Without the previous size the total is unknown, and a wrong total is worse than none.
  if (previousSize !== undefined) summary['total-files-size'] = String(previousSize + addedSize);
  return summary;
}

/** Reads a numeric summary field; returns undefined when it is absent or not a non-negative integer. */
export function readTotal(summary: SnapshotSummary | undefined, key: string): number | undefined {
  const text = summary?.[key];
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
