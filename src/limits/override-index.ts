import { DurableObject } from 'cloudflare:workers';

import { type OverrideColumns, rowToOverride } from '../../projections/rate-limits';
import { type Clock, systemClock } from '../clock';
import type { Env } from '../env';
import type { RateLimitOverride } from './overrides';
import { overrideView } from './rate-limit-state';

/** Name of the single index object. */
export const OVERRIDE_INDEX_NAME = 'global';

type IndexRow = OverrideColumns & { tenant: string };

/**
 * Copy of every tenant's rate-limit overrides, so `GET /admin/overrides` is served
 * from one object instead of calling every tenant's. Tenant objects own the
 * overrides (as events) and push their whole set here after each change; the
 * index is a cache that a push fully replaces. Expiry is applied when listing,
 * so an override that lapses needs no push.
 */
export class OverrideIndexDO extends DurableObject<Env> {
  /** Replaced by tests to step time; see `Clock`. */
  clock: Clock = systemClock;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS tenant_versions (tenant TEXT PRIMARY KEY, version INTEGER NOT NULL) WITHOUT ROWID`);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS overrides (
       tenant TEXT NOT NULL,
       id TEXT NOT NULL,
       type TEXT NOT NULL,
       multiplier REAL,
       expires_at INTEGER,
       reason TEXT NOT NULL,
       created_at INTEGER NOT NULL,
       PRIMARY KEY (tenant, id)
     ) WITHOUT ROWID`);
  }

  /**
   * Replaces the entries of `tenant` with `overrides` and returns whether it did.
   * `version` is the tenant's log seq when it read them. A push older than the
   * stored one is ignored, so pushes that arrive out of order leave the newest set.
   */
  sync(tenant: string, version: number, overrides: RateLimitOverride[]): boolean {
    const sql = this.ctx.storage.sql;
    return this.ctx.storage.transactionSync(() => {
      const stored = sql
        .exec<{ version: number }>(`SELECT version FROM tenant_versions WHERE tenant = ?`, tenant)
        .toArray()[0];
      if (stored && stored.version > version) return false;
      sql.exec(
        `INSERT INTO tenant_versions (tenant, version) VALUES (?, ?) ON CONFLICT(tenant) DO UPDATE SET version = excluded.version`,
        tenant,
        version,
      );
      sql.exec(`DELETE FROM overrides WHERE tenant = ?`, tenant);
      for (const override of overrides) {
        sql.exec(
          `INSERT INTO overrides (tenant, id, type, multiplier, expires_at, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
          tenant,
          override.id,
          override.type,
          override.multiplier,
          override.expiresAt,
          override.reason,
          override.createdAt,
        );
      }
      return true;
    });
  }

  /** Overrides in force now across tenants (or of one tenant), by tenant then creation time. */
  listActive(tenant: string | null = null) {
    const now = this.clock.now();
    const rows = this.ctx.storage.sql
      .exec<IndexRow>(
        `SELECT * FROM overrides WHERE (?1 IS NULL OR tenant = ?1) AND (expires_at IS NULL OR expires_at > ?2)
         ORDER BY tenant, created_at, id`,
        tenant,
        now,
      )
      .toArray();
    return rows.map((row) => overrideView(row.tenant, rowToOverride(row), now));
  }
}
