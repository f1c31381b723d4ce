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
