import type { SqlExecutor } from './projection';

/**
 * Most values one statement may bind in Durable Object SQLite. workerd rejects a
 * statement with more ("too many SQL variables"), locally as in production.
 */
export const MAX_BOUND_VALUES = 100;

/**
 * An INSERT of many rows that runs as few statements as the binding limit allows:
 * `prefix` is the statement up to `VALUES`, `suffix` follows the value lists (such
 * as an `ON CONFLICT` clause). The text for each row count is built once.
 */
export class MultiRowInsert {
  readonly rowsPerStatement: number;
  private readonly statements: string[] = [];

  constructor(
    private readonly prefix: string,
    private readonly columns: number,
    private readonly suffix = '',
  ) {
    this.rowsPerStatement = Math.floor(MAX_BOUND_VALUES / columns);
  }

  /** Inserts the rows whose values `values` lists one row after another. */
  run(sql: SqlExecutor, values: readonly unknown[]): void {
    if (values.length % this.columns !== 0) {
      throw new RangeError(`MultiRowInsert: ${values.length} values do not make rows of ${this.columns}`);
    }
    const step = this.rowsPerStatement * this.columns;
    for (let start = 0; start < values.length; start += step) {
      const chunk = values.slice(start, start + step);
      sql.exec(this.statement(chunk.length / this.columns), ...chunk);
    }
  }

  private statement(rows: number): string {
    let text = this.statements[rows];
    if (text === undefined) {
      const row = `(${Array.from({ length: this.columns }, () => '?').join(', ')})`;
      text = `${this.prefix} VALUES ${Array.from({ length: rows }, () => row).join(', ')}${this.suffix ? ` ${this.suffix}` : ''}`;
      this.statements[rows] = text;
    }
    return text;
  }
}

/**
 * An INSERT of many rows in which some values are the same for every row of a
 * statement: those are bound once, as `?1` to `?N` with N = `sharedValues`, and
 * the rest of each row comes from a `VALUES` list as `v.column1`, `v.column2`, ...
 * Fewer bound values per row fit more rows under MAX_BOUND_VALUES, and each bound
 * value costs time in workerd. Under wrangler 4.86 on the 2-core machine of
 * docs/benchmarks.md, an `events` row took 5.4 µs with 7 of its 12 values shared
 * and 7.2 µs with all 12 bound per row (one run of 10,000 rows each).
 *
 * `prefix` is the statement up to `SELECT`, such as `INSERT INTO t (a, b, c)`;
 * `select` lists the inserted expressions, such as `v.column1, ?1, v.column2`, and
 * must name `?N`, because the plain `?` of the rows number on from the highest `?N` before them.
 */
export class SharedValuesInsert {
  readonly rowsPerStatement: number;
  private readonly statements: string[] = [];

  constructor(
    private readonly prefix: string,
    private readonly select: string,
    private readonly sharedValues: number,
    private readonly rowValues: number,
  ) {
    this.rowsPerStatement = Math.floor((MAX_BOUND_VALUES - sharedValues) / rowValues);
  }

  /** Inserts the rows whose own values `rows` lists one row after another, each with the `shared` values. */
  run(sql: SqlExecutor, shared: readonly unknown[], rows: readonly unknown[]): void {
    if (shared.length !== this.sharedValues || rows.length % this.rowValues !== 0) {
      throw new RangeError(`SharedValuesInsert: ${shared.length} shared and ${rows.length} row values do not fit ${this.sharedValues} and rows of ${this.rowValues}`);
    }
    const step = this.rowsPerStatement * this.rowValues;
    for (let start = 0; start < rows.length; start += step) {
      const chunk = rows.slice(start, start + step);
      sql.exec(this.statement(chunk.length / this.rowValues), ...shared, ...chunk);
    }
  }

  private statement(rows: number): string {
    let text = this.statements[rows];
    if (text === undefined) {
      const row = `(${Array.from({ length: this.rowValues }, () => '?').join(', ')})`;
      text = `${this.prefix} SELECT ${this.select} FROM (VALUES ${Array.from({ length: rows }, () => row).join(', ')}) AS v`;
      this.statements[rows] = text;
    }
    return text;
  }
}
