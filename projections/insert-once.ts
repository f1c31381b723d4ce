import type { SqlExecutor } from './projection';

/**
 * Runs an INSERT of a row that must not exist yet and throws `conflict()` when its
 * primary key is taken. The constraint check replaces a read before the
 * write, which would cost one more statement per event. Any other error is
 * rethrown as it is.
 */
export function insertOnce(sql: SqlExecutor, statement: string, values: readonly unknown[], conflict: () => Error): void {
  try {
    sql.exec(statement, ...values);
  } catch (error) {
    // SQLite reports a primary key conflict as "UNIQUE constraint failed: <table>.<column>".
    if (error instanceof Error && error.message.includes('UNIQUE constraint failed')) throw conflict();
    throw error;
  }
}
