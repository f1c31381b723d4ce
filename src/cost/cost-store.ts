import type { SqlExecutor } from '../../projections/projection';
import type { PeriodUsage } from './usage';

/**
 * Cost totals per billing period in the tenant's SQLite. They are operational
 * counters, not events: one row per period, overwritten as the period goes on.
 */
export class CostStore {
  constructor(private readonly sql: SqlExecutor) {
    sql.exec(`CREATE TABLE IF NOT EXISTS cost_periods (period TEXT PRIMARY KEY, usage TEXT NOT NULL) WITHOUT ROWID`);
  }

  load(periodId: string): PeriodUsage | null {
    const row = this.sql.exec<{ usage: string }>(`SELECT usage FROM cost_periods WHERE period = ?`, periodId).toArray()[0];
    return row ? (JSON.parse(row.usage) as PeriodUsage) : null;
  }

  save(usage: PeriodUsage): void {
    this.sql.exec(
      `INSERT INTO cost_periods (period, usage) VALUES (?, ?) ON CONFLICT(period) DO UPDATE SET usage = excluded.usage`,
      usage.period,
      JSON.stringify(usage),
    );
  }
}
