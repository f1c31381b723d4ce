import type { SqlExecutor } from '../../projections/projection';

/** Progress of a tenant object's pipeline, kept in one SQLite row. */
export interface PipelineState {
  /** Highest seq whose events are committed to the table; 0 before the first flush. */
  flushedSeq: number;
  /**
   * Last seq of the flush in progress, stored before its first data file is put, so a
   * retry after a crash writes exactly the same files under the same keys; null between flushes.
   */
  plannedLastSeq: number | null;
  /** ms since the epoch of the last successful flush round. */
  lastFlushAt: number | null;
  /** Message of the last failed flush round, cleared by the next success. */
  lastError: string | null;
  /** ms since the epoch of the first failure since the last success. */
  failingSince: number | null;
  consecutiveFailures: number;
}

const schema = `CREATE TABLE IF NOT EXISTS pipeline_state (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  flushed_seq INTEGER NOT NULL,
  planned_last_seq INTEGER,
  last_flush_at INTEGER,
  last_error TEXT,
  failing_since INTEGER,
  consecutive_failures INTEGER NOT NULL
)`;

type StateRow = {
  flushed_seq: number;
  planned_last_seq: number | null;
  last_flush_at: number | null;
  last_error: string | null;
  failing_since: number | null;
  consecutive_failures: number;
};

/**
 * Reads and updates the `pipeline_state` row. It is the only writer of the row, so
 * it keeps a copy in memory and refreshes it after each change. `advance` runs inside
 * the caller's transaction, and the caller adopts the result with `adopt` once that
 * transaction has committed.
 */
export class PipelineStateStore {
  private cached: PipelineState;

  constructor(private readonly sql: SqlExecutor) {
    sql.exec(schema);
    sql.exec(`INSERT OR IGNORE INTO pipeline_state (singleton, flushed_seq, consecutive_failures) VALUES (1, 0, 0)`);
    this.cached = this.load();
  }

  read(): PipelineState {
    return this.cached;
  }

  setPlannedLastSeq(seq: number): void {
    this.sql.exec(`UPDATE pipeline_state SET planned_last_seq = ? WHERE singleton = 1`, seq);
    this.cached = { ...this.cached, plannedLastSeq: seq };
  }

  recordFailure(message: string, now: number): PipelineState {
    this.sql.exec(
      `UPDATE pipeline_state SET last_error = ?, failing_since = COALESCE(failing_since, ?),
         consecutive_failures = consecutive_failures + 1 WHERE singleton = 1`,
      message,
      now,
    );
    this.cached = this.load();
    return this.cached;
  }

  /** Marks `flushedSeq` committed and clears the plan and any failure; call inside the flush's final transaction. */
  advance(flushedSeq: number, now: number): PipelineState {
    this.sql.exec(
      `UPDATE pipeline_state SET flushed_seq = ?, planned_last_seq = NULL, last_flush_at = ?, last_error = NULL,
         failing_since = NULL, consecutive_failures = 0 WHERE singleton = 1`,
      flushedSeq,
      now,
    );
    return this.load();
  }

  adopt(state: PipelineState): void {
    this.cached = state;
  }

  private load(): PipelineState {
    const row = this.sql.exec<StateRow>(`SELECT * FROM pipeline_state WHERE singleton = 1`).toArray()[0]!;
    return {
      flushedSeq: row.flushed_seq,
      plannedLastSeq: row.planned_last_seq,
      lastFlushAt: row.last_flush_at,
      lastError: row.last_error,
      failingSince: row.failing_since,
      consecutiveFailures: row.consecutive_failures,
    };
  }
}
