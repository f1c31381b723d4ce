import type { EventEnvelope } from '../events/envelope';
import type { CostAlertRaised, MonitoringConfigured } from '../events/types/monitoring';
import type { Projection, SqlExecutor } from './projection';

/** The tenant's monitoring configuration; every field null or true until `monitoring.configured`. */
export interface MonitoringConfig extends MonitoringConfigured {
  /** Seq of the event that set it, 0 when never configured. */
  seq: number;
}

export const DEFAULT_MONITORING_CONFIG: MonitoringConfig = {
  displayName: null,
  costAlertsEnabled: true,
  costAlertWarning: null,
  costAlertCritical: null,
  webhookUrl: null,
  seq: 0,
};

type ConfigRow = {
  display_name: string | null;
  cost_alerts_enabled: number;
  cost_alert_warning: number | null;
  cost_alert_critical: number | null;
  webhook_url: string | null;
  seq: number;
};

export function readMonitoringConfig(sql: SqlExecutor): MonitoringConfig {
  const row = sql.exec<ConfigRow>(`SELECT * FROM monitoring_config WHERE singleton = 1`).toArray()[0];
  if (!row) return DEFAULT_MONITORING_CONFIG;
  return {
    displayName: row.display_name,
    costAlertsEnabled: row.cost_alerts_enabled === 1,
    costAlertWarning: row.cost_alert_warning,
    costAlertCritical: row.cost_alert_critical,
    webhookUrl: row.webhook_url,
    seq: row.seq,
  };
}

/** Alert levels raised in `period` (`YYYY-MM`), from the `cost.alert` events of the log. */
export function readRaisedAlertLevels(sql: SqlExecutor, period: string): ('warning' | 'critical')[] {
  return sql
    .exec<{ level: 'warning' | 'critical' }>(`SELECT level FROM cost_alerts_raised WHERE period = ? ORDER BY seq`, period)
    .toArray()
    .map((row) => row.level);
}

function apply(sql: SqlExecutor, event: EventEnvelope): void {
  if (event.type === 'monitoring.configured') {
    const config = event.payload as MonitoringConfigured;
    sql.exec(
      `INSERT INTO monitoring_config (singleton, display_name, cost_alerts_enabled, cost_alert_warning, cost_alert_critical, webhook_url, seq)
       VALUES (1, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(singleton) DO UPDATE SET display_name = excluded.display_name, cost_alerts_enabled = excluded.cost_alerts_enabled,
         cost_alert_warning = excluded.cost_alert_warning, cost_alert_critical = excluded.cost_alert_critical,
         webhook_url = excluded.webhook_url, seq = excluded.seq`,
      config.displayName,
      config.costAlertsEnabled ? 1 : 0,
      config.costAlertWarning,
      config.costAlertCritical,
      config.webhookUrl,
      event.seq,
    );
    return;
  }
  const alert = event.payload as CostAlertRaised;
  sql.exec(
    `INSERT OR IGNORE INTO cost_alerts_raised (period, level, threshold, total_cost, occurred_at, seq) VALUES (?, ?, ?, ?, ?, ?)`,
    alert.period,
    alert.level,
    alert.threshold,
    alert.totalCost,
    event.occurredAt,
    event.seq,
  );
}

/** Monitoring configuration and the cost alerts raised per billing period. */
export const monitoringProjection: Projection = {
  name: 'monitoring',
  tables: ['monitoring_config', 'cost_alerts_raised'],
  schema: [
    `CREATE TABLE IF NOT EXISTS monitoring_config (
       singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
       display_name TEXT,
       cost_alerts_enabled INTEGER NOT NULL,
       cost_alert_warning REAL,
       cost_alert_critical REAL,
       webhook_url TEXT,
       seq INTEGER NOT NULL
     )`,
    `CREATE TABLE IF NOT EXISTS cost_alerts_raised (
       period TEXT NOT NULL,
       level TEXT NOT NULL,
       threshold REAL NOT NULL,
       total_cost REAL NOT NULL,
       occurred_at INTEGER NOT NULL,
       seq INTEGER NOT NULL,
       PRIMARY KEY (period, level)
     ) WITHOUT ROWID`,
  ],
  handles: new Set(['monitoring.configured', 'cost.alert']),
  apply,
  *checksumRows(sql) {
    yield* sql.exec(`SELECT * FROM monitoring_config`);
    yield* sql.exec(`SELECT * FROM cost_alerts_raised ORDER BY period, level`);
  },
};
