import { MultiRowInsert } from './multi-row-insert';
import type { SqlExecutor } from './projection';

/**
 * Running totals that projections keep next to their rows, so stats stay O(1)
 * instead of a COUNT(*) over a table that may hold millions of rows.
 */
export const countersSchema = [
  `CREATE TABLE IF NOT EXISTS projection_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)`,
] as const;

const counterUpsert = new MultiRowInsert(
  'INSERT INTO projection_counters (name, value)',
  2,
  'ON CONFLICT(name) DO UPDATE SET value = value + excluded.value',
);

/**
 * Counter changes that projections add while a write (or a rebuild) applies its
 * events, summed per counter and written by `flush` in one upsert of all of them,
 * instead of one upsert per counter per event. Until `flush`, SQLite contains the
 * counters as they were before, so a write flushes before anything reads them.
 */
export class CounterDeltas {
  private readonly unwritten = new Map<string, number>();
  private readonly totals = new Map<string, number>();

  add(name: string, delta: number): void {
    if (delta === 0) return;
    this.unwritten.set(name, (this.unwritten.get(name) ?? 0) + delta);
    this.totals.set(name, (this.totals.get(name) ?? 0) + delta);
  }

  /** Net change added to counter `name` since this object was created, flushed or not. */
  total(name: string): number {
    return this.totals.get(name) ?? 0;
  }

  /** Adds the changes made since the last flush to the stored counters; changes that cancel out write nothing. */
  flush(sql: SqlExecutor): void {
    if (this.unwritten.size === 0) return;
    const values: (string | number)[] = [];
    for (const [name, delta] of this.unwritten) {
      if (delta !== 0) values.push(name, delta);
    }
    this.unwritten.clear();
    if (values.length > 0) counterUpsert.run(sql, values);
  }
}

export function readCounter(sql: SqlExecutor, name: string): number {
  const row = sql.exec<{ value: number }>(`SELECT value FROM projection_counters WHERE name = ?`, name).toArray()[0];
  return row?.value ?? 0;
}

/**
 * Reads every counter whose name starts with `prefix`, keyed by the rest of the name.
 * `prefix` must end in an ASCII character, such as the `:` of `things.type:`.
 */
export function readCountersWithPrefix(sql: SqlExecutor, prefix: string): Record<string, number> {
  // SQLite compares text as UTF-8 bytes, so every name that starts with the prefix sorts
  // below the prefix with its last (ASCII) character incremented. An upper bound of
  // `prefix + U+FFFF` would miss names with characters above U+FFFF, such as emoji.
  const upperBound = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
  const rows = sql
    .exec<{ name: string; value: number }>(
      `SELECT name, value FROM projection_counters WHERE name >= ? AND name < ? AND value != 0 ORDER BY name`,
      prefix,
      upperBound,
    )
    .toArray();
  const result: Record<string, number> = {};
  for (const row of rows) result[row.name.slice(prefix.length)] = row.value;
  return result;
}
