import type { BillingPeriod } from './period';
import { BYTES_PER_GB, MS_PER_STORAGE_MONTH, type PriceList } from './prices';

/** Stored bytes and their integral over time, for GB-month pricing. */
export interface StorageUsage {
  /** Bytes stored now. */
  bytes: number;
  /** Integral of stored bytes over the period so far, in byte-milliseconds. */
  byteMs: number;
}

/**
 * Running totals of one tenant in one billing period. Counters only; one record
 * per period, however many operations it covers.
 */
export interface PeriodUsage {
  period: string;
  writes: { count: number; bytes: number };
  reads: { count: number; bytes: number; cacheHits: number };
  pipeline: { events: number; bytes: number };
  sqlite: { rowsRead: number; rowsWritten: number; storage: StorageUsage };
  r2: { classA: number; classB: number; storage: StorageUsage };
  /** Time up to which the storage integrals are accrued, ms since the Unix epoch. */
  accruedAt: number;
}

/** Empty usage of `period`, starting from the stored bytes carried over from the previous period. */
export function emptyUsage(period: BillingPeriod, sqliteBytes = 0, r2Bytes = 0): PeriodUsage {
  return {
    period: period.id,
    writes: { count: 0, bytes: 0 },
    reads: { count: 0, bytes: 0, cacheHits: 0 },
    pipeline: { events: 0, bytes: 0 },
    sqlite: { rowsRead: 0, rowsWritten: 0, storage: { bytes: sqliteBytes, byteMs: 0 } },
    r2: { classA: 0, classB: 0, storage: { bytes: r2Bytes, byteMs: 0 } },
    accruedAt: period.start,
  };
}

/** Adds stored bytes times elapsed time to both storage integrals, up to `until`. */
export function accrueStorage(usage: PeriodUsage, until: number): void {
  const elapsed = until - usage.accruedAt;
  if (elapsed <= 0) return;
  usage.sqlite.storage.byteMs += usage.sqlite.storage.bytes * elapsed;
  usage.r2.storage.byteMs += usage.r2.storage.bytes * elapsed;
  usage.accruedAt = until;
}

/** Cost of each part of a period's usage, in US dollars. */
export interface UsageCost {
  writes: number;
  reads: number;
  pipeline: number;
  sqlite: number;
  r2: number;
  total: number;
}

/**
 * Prices `usage`. Each part is rounded to whole picodollars (10^-12 USD), so
 * reports carry no float noise; the total is the sum of the rounded parts.
 */
export function priceUsage(usage: PeriodUsage, prices: PriceList): UsageCost {
  const perRequest = (prices.workerRequestPerMillion + prices.durableObjectRequestPerMillion) / 1e6;
  const writes = roundDollars(usage.writes.count * perRequest);
  const reads = roundDollars(usage.reads.count * perRequest);
  const pipeline = roundDollars((usage.pipeline.bytes / BYTES_PER_GB) * prices.pipelinePerGb);
  const sqlite = roundDollars(
    (usage.sqlite.rowsRead * prices.sqliteRowsReadPerMillion) / 1e6 +
      (usage.sqlite.rowsWritten * prices.sqliteRowsWrittenPerMillion) / 1e6 +
      gbMonths(usage.sqlite.storage) * prices.sqliteStoragePerGbMonth,
  );
  const r2 = roundDollars(
    (usage.r2.classA * prices.r2ClassAPerMillion) / 1e6 +
      (usage.r2.classB * prices.r2ClassBPerMillion) / 1e6 +
      gbMonths(usage.r2.storage) * prices.r2StoragePerGbMonth,
  );
  return { writes, reads, pipeline, sqlite, r2, total: roundDollars(writes + reads + pipeline + sqlite + r2) };
}

/** Storage integral in GB-months. */
export function gbMonths(storage: StorageUsage): number {
  return storage.byteMs / BYTES_PER_GB / MS_PER_STORAGE_MONTH;
}

export function roundDollars(dollars: number): number {
  return Math.round(dollars * 1e12) / 1e12;
}
