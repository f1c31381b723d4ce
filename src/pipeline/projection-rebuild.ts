import { readTenantLog, type TenantLogSource } from '../../pipelines/log-reader';
import { applyToProjections, resetProjections } from '../../projections/apply';

/** Events applied per transaction while rebuilding. */
const EVENTS_PER_TRANSACTION = 1000;

const markerSchema = `CREATE TABLE IF NOT EXISTS projection_rebuild (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  started_at INTEGER NOT NULL,
  target_seq INTEGER NOT NULL
)`;

/**
 * Rebuilds every projection from the whole log, including events that were trimmed
 * locally and live only in R2. Reading R2 is asynchronous, so the rebuild cannot be
 * one `transactionSync`: it resets the projections and applies the log in chunks of
 * transactions. A marker row is set with the reset and cleared after the last chunk.
 * A restarted object that finds it has half-built projections, so it runs the
 * rebuild again before serving anything (see `TenantPipeline`).
 *
 * The caller runs `rebuild` inside `ctx.blockConcurrencyWhile`, so no write or alarm
 * sees the projections while they are incomplete.
 */
export class ProjectionRebuild {
  constructor(private readonly storage: DurableObjectStorage) {
    storage.sql.exec(markerSchema);
  }

  /** True when a rebuild started and never finished. */
  interrupted(): boolean {
    return this.storage.sql.exec(`SELECT 1 FROM projection_rebuild WHERE singleton = 1`).toArray().length > 0;
  }

  /** Reads the whole log through the log reader's checks without changing anything; throws what the reader throws. */
  async check(source: TenantLogSource): Promise<void> {
    for await (const batch of readTenantLog(source, { batchSize: EVENTS_PER_TRANSACTION })) {
      // Only the reader's checks matter here.
      void batch;
    }
  }

  /** Replays the log from seq 1 to its head into empty projections and returns the number of events applied. */
  async rebuild(source: TenantLogSource, now: number): Promise<number> {
    const { storage } = this;
    const target = source.head().seq;
    storage.transactionSync(() => {
      resetProjections(storage.sql);
      storage.sql.exec(
        `INSERT INTO projection_rebuild (singleton, started_at, target_seq) VALUES (1, ?, ?)
         ON CONFLICT(singleton) DO UPDATE SET started_at = excluded.started_at, target_seq = excluded.target_seq`,
        now,
        target,
      );
    });

    let applied = 0;
    for await (const batch of readTenantLog(source, { toSeq: target, upcast: true, batchSize: EVENTS_PER_TRANSACTION })) {
      storage.transactionSync(() => {
        for (const event of batch) applyToProjections(storage.sql, event);
      });
      applied += batch.length;
    }

    storage.sql.exec(`DELETE FROM projection_rebuild WHERE singleton = 1`);
    return applied;
  }
}
