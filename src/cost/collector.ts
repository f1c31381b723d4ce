import type { Clock } from '../clock';
import { periodAt } from './period';
import type { PriceList } from './prices';
import { accrueStorage, emptyUsage, type PeriodUsage, priceUsage, type UsageCost } from './usage';

export type AlertLevel = 'warning' | 'critical';

/** Alert thresholds in US dollars per billing period; null turns a level off. */
export interface CostThresholds {
  warning: number | null;
  critical: number | null;
}

/** A threshold the tenant's period cost has just reached. */
export interface CostAlert {
  level: AlertLevel;
  /** The threshold that was reached, in US dollars. */
  threshold: number;
  /** Cost of the period when it was reached, in US dollars. */
  totalCost: number;
  period: string;
}

/**
 * Cost tracking calls of the pipeline when it flushes the log to R2. Call them
 * outside `transactionSync`, because reaching an alert threshold appends a
 * `cost.alert` event.
 */
export interface CostRecorder {
  /** Counts events delivered by one flush and their uncompressed bytes. */
  trackPipelineEvents(events: number, bytes: number): void;
  /** Counts R2 operations: class A mutate state (put, delete, list), class B read it (get, head). */
  trackR2Operations(operationClass: 'A' | 'B', count?: number): void;
  /** Sets the bytes the tenant currently stores in R2; storage cost accrues from now at this size. */
  setR2StorageBytes(bytes: number): void;
}

export interface CostCollectorOptions {
  clock: Clock;
  prices: PriceList;
  /** Stored usage of a period, or null when none was saved. */
  load(periodId: string): PeriodUsage | null;
  save(usage: PeriodUsage): void;
  thresholds(): CostThresholds;
  /** Levels already raised in a period, from the log; read when a period is loaded. */
  raisedLevels(periodId: string): Iterable<AlertLevel>;
  onAlert(alert: CostAlert): void;
}

/** Usage that one measured request adds. */
export interface RequestUsage {
  kind: 'read' | 'write';
  /** Request body bytes of a write, response body bytes of a read. */
  bytes: number;
  /** True for a read that read no SQLite row. */
  cacheHit: boolean;
  rowsRead: number;
  rowsWritten: number;
}

/**
 * Cost attribution of one tenant: running totals of the current billing period,
 * priced on demand. Every tracking call is O(1) in time and memory, including the
 * alert check, which compares the period total with the two thresholds. Totals
 * reach SQLite through `persist`, so a restart loses at most the usage since the
 * last call.
 */
export class CostCollector implements CostRecorder {
  private usage: PeriodUsage;
  private raised: Set<AlertLevel>;
  /** First ms after the period of `usage`, so `current` computes no calendar dates until it ends. */
  private periodEnd: number;
  private dirty = false;

  constructor(private readonly options: CostCollectorOptions) {
    const period = periodAt(options.clock.now());
    this.usage = options.load(period.id) ?? emptyUsage(period);
    this.periodEnd = period.end;
    this.raised = new Set(options.raisedLevels(period.id));
  }

  /** Counts one request as `trackWrite` or `trackRead` and `trackSqlRows` would, with one alert check. */
  trackRequest(request: RequestUsage): void {
    const usage = this.current();
    if (request.kind === 'write') {
      usage.writes.count += 1;
      usage.writes.bytes += request.bytes;
    } else {
      usage.reads.count += 1;
      usage.reads.bytes += request.bytes;
      if (request.cacheHit) usage.reads.cacheHits += 1;
    }
    usage.sqlite.rowsRead += request.rowsRead;
    usage.sqlite.rowsWritten += request.rowsWritten;
    this.changed();
  }

  /** Counts one write request with its request body bytes. */
  trackWrite(bytes: number): void {
    const usage = this.current();
    usage.writes.count += 1;
    usage.writes.bytes += bytes;
    this.changed();
  }

  /** Counts one read request with its response body bytes; a cache hit read no SQLite row. */
  trackRead(bytes: number, cacheHit: boolean): void {
    const usage = this.current();
    usage.reads.count += 1;
    usage.reads.bytes += bytes;
    if (cacheHit) usage.reads.cacheHits += 1;
    this.changed();
  }

  /** Adds response bytes of a read counted earlier, for streamed bodies whose size is known only at the end. */
  trackReadBytes(bytes: number): void {
    this.current().reads.bytes += bytes;
    this.dirty = true;
  }

  trackSqlRows(rowsRead: number, rowsWritten: number): void {
    const usage = this.current();
    usage.sqlite.rowsRead += rowsRead;
    usage.sqlite.rowsWritten += rowsWritten;
    this.changed();
  }

  /** Sets the size of the object's SQLite database; storage cost accrues from now at this size. */
  setSqliteStorageBytes(bytes: number): void {
    const usage = this.current();
    if (usage.sqlite.storage.bytes === bytes) return;
    usage.sqlite.storage.bytes = bytes;
    this.changed();
  }

  trackPipelineEvents(events: number, bytes: number): void {
    const usage = this.current();
    usage.pipeline.events += events;
    usage.pipeline.bytes += bytes;
    this.changed();
  }

  trackR2Operations(operationClass: 'A' | 'B', count = 1): void {
    const usage = this.current();
    if (operationClass === 'A') usage.r2.classA += count;
    else usage.r2.classB += count;
    this.changed();
  }

  setR2StorageBytes(bytes: number): void {
    const usage = this.current();
    if (usage.r2.storage.bytes === bytes) return;
    usage.r2.storage.bytes = bytes;
    this.changed();
  }

  /** Usage of the current period with storage accrued up to now. The caller must not change it. */
  current(): PeriodUsage {
    const now = this.options.clock.now();
    this.rollOver(now);
    accrueStorage(this.usage, now);
    return this.usage;
  }

  cost(): UsageCost {
    return priceUsage(this.current(), this.options.prices);
  }

  /** Levels raised in the current period. */
  raisedLevels(): AlertLevel[] {
    this.current();
    return [...this.raised];
  }

  /** Writes the current period's totals if they changed since the last call. */
  persist(): void {
    const usage = this.current();
    if (!this.dirty) return;
    this.options.save(usage);
    this.dirty = false;
  }

  /** Re-checks the thresholds, e.g. after the configuration changed or storage accrued. */
  checkAlerts(): void {
    const thresholds = this.options.thresholds();
    if (thresholds.warning === null && thresholds.critical === null) return;

    const total = this.cost().total;
    for (const level of ['warning', 'critical'] as const) {
      const threshold = thresholds[level];
      if (threshold === null || this.raised.has(level) || total < threshold) continue;
      this.raised.add(level);
      this.options.onAlert({ level, threshold, totalCost: total, period: this.usage.period });
    }
  }

  private changed(): void {
    this.dirty = true;
    this.checkAlerts();
  }

  /** Closes every period that ended before `now`: accrues its storage to its end and saves it. */
  private rollOver(now: number): void {
    while (now >= this.periodEnd) {
      accrueStorage(this.usage, this.periodEnd);
      this.options.save(this.usage);
      const next = periodAt(this.periodEnd);
      this.usage = this.options.load(next.id) ?? emptyUsage(next, this.usage.sqlite.storage.bytes, this.usage.r2.storage.bytes);
      this.raised = new Set(this.options.raisedLevels(next.id));
      this.dirty = false;
      this.periodEnd = next.end;
    }
  }
}
