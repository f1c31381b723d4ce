import type { SqlExecutor } from './projection';

/**
 * Running totals that projections keep next to their rows, so stats stay O(1)
 * instead of a COUNT(*) over a table that may hold millions of rows.
 */
export const countersSchema = [
  `CREATE TABLE IF NOT EXISTS projection_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)`,
] as const;

export function addToCounter(sql: SqlExecutor, name: string, delta: number): void {
  if (delta === 0) return;
  sql.exec(
    `INSERT INTO projection_counters (name, value) VALUES (?, ?)
     ON CONFLICT(name) DO UPDATE SET value = value + excluded.value`,
    name,
    delta,
  );
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
