import type { EventEnvelope } from '../events/envelope';
import type { CounterDeltas } from './counters';

/** Bindings accepted by Durable Object SQLite. */
export type SqlValue = string | number | null | ArrayBuffer;

/**
 * The part of `SqlStorage` that projections use. Durable Object SQLite satisfies it;
 * so can any synchronous SQLite binding, which keeps projections testable outside workerd.
 */
export interface SqlExecutor {
  exec<T extends Record<string, SqlValue>>(query: string, ...bindings: unknown[]): SqlRows<T>;
}

/** Rows of one statement, read lazily when iterated. */
export interface SqlRows<T> extends Iterable<T> {
  toArray(): T[];
}

/**
 * A read model kept in the tenant's SQLite, changed only by applying events.
 * `apply` runs inside the append's transaction, so a throw aborts the append.
 * Changes to the shared `projection_counters` go to `counters`, which the caller
 * writes once for all events of a write.
 */
export interface Projection {
  name: string;
  /** Tables the projection owns; a rebuild drops exactly these. */
  tables: readonly string[];
  /** `CREATE TABLE IF NOT EXISTS` and index statements, run in order. */
  schema: readonly string[];
  /** Event types this projection reacts to; others are skipped without a call. */
  handles: ReadonlySet<string>;
  apply(sql: SqlExecutor, event: EventEnvelope, counters: CounterDeltas): void;
  /**
   * Optional: applies consecutive events of one type, leaving the same rows and
   * counter changes as `apply` on each in turn, with fewer statements. Without it,
   * each event goes to `apply`.
   */
  applyMany?(sql: SqlExecutor, events: readonly EventEnvelope[], counters: CounterDeltas): void;
  /** Every row of the projection in a fixed order, for the rebuild checksum. */
  checksumRows(sql: SqlExecutor): Iterable<unknown>;
}
