import type { TenantConfigured } from '../events/types/tenant';
import type { Projection, SqlExecutor } from './projection';

/** A tenant's configuration as its last `tenant.configured` event set it. */
export interface TenantConfig extends TenantConfigured {
  /** ms since the Unix epoch */
  configuredAt: number;
  seq: number;
}

type TenantConfigRow = { plan: string; limits: string; features: string; configured_at: number; seq: number };

/** Reads the stored configuration, or null while the tenant has never been configured. */
export function readTenantConfig(sql: SqlExecutor): TenantConfig | null {
  const row = sql.exec<TenantConfigRow>(`SELECT * FROM tenant_config WHERE singleton = 1`).toArray()[0];
  if (!row) return null;
  return {
    plan: row.plan as TenantConfig['plan'],
    limits: JSON.parse(row.limits) as TenantConfig['limits'],
    features: JSON.parse(row.features) as string[],
    configuredAt: row.configured_at,
    seq: row.seq,
  };
}

export const tenantConfigProjection: Projection = {
  name: 'tenant-config',
  tables: ['tenant_config'],
  schema: [
    `CREATE TABLE IF NOT EXISTS tenant_config (
       singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
       plan TEXT NOT NULL,
       limits TEXT NOT NULL,
       features TEXT NOT NULL,
       configured_at INTEGER NOT NULL,
       seq INTEGER NOT NULL
     )`,
  ],
  handles: new Set(['tenant.configured']),
  apply(sql, event) {
    const payload = event.payload as TenantConfigured;
    sql.exec(
      `INSERT INTO tenant_config (singleton, plan, limits, features, configured_at, seq) VALUES (1, ?, ?, ?, ?, ?)
       ON CONFLICT(singleton) DO UPDATE SET plan = excluded.plan, limits = excluded.limits, features = excluded.features,
         configured_at = excluded.configured_at, seq = excluded.seq`,
      payload.plan,
      JSON.stringify(payload.limits),
      JSON.stringify(payload.features),
      event.occurredAt,
      event.seq,
    );
  },
  *checksumRows(sql) {
    yield* sql.exec<TenantConfigRow>(`SELECT plan, limits, features, configured_at, seq FROM tenant_config`);
  },
};
