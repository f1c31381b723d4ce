import type { EventEnvelope } from '../events/envelope';
import type { RateLimitConfigured, RateLimitOverrideLifted, RateLimitOverrideSet } from '../events/types/rate-limits';
import type { RateLimitSettings } from '../src/limits/rate-limit-config';
import type { OverrideType, RateLimitOverride } from '../src/limits/overrides';
import { TenantlogError } from '../src/errors';
import type { Projection, SqlExecutor } from './projection';

/** Columns of an override row; the override index stores the same columns. */
export type OverrideColumns = {
  id: string;
  type: string;
  multiplier: number | null;
  expires_at: number | null;
  reason: string;
  created_at: number;
};

type OverrideRow = OverrideColumns & { seq: number };

export function rowToOverride(row: OverrideColumns): RateLimitOverride {
  return {
    id: row.id,
    type: row.type as OverrideType,
    multiplier: row.multiplier,
    expiresAt: row.expires_at,
    reason: row.reason,
    createdAt: row.created_at,
  };
}

/** Reads the settings of the tenant's last `ratelimit.configured` event, or null if it has none. */
export function readRateLimitSettings(sql: SqlExecutor): RateLimitSettings | null {
  const row = sql.exec<{ settings: string }>(`SELECT settings FROM rate_limit_settings WHERE singleton = 1`).toArray()[0];
  return row ? (JSON.parse(row.settings) as RateLimitSettings) : null;
}

/** Reads the overrides set and not lifted, expired ones included, in creation order. */
export function readRateLimitOverrides(sql: SqlExecutor): RateLimitOverride[] {
  return sql
    .exec<OverrideRow>(`SELECT * FROM rate_limit_overrides ORDER BY created_at, id`)
    .toArray()
    .map(rowToOverride);
}

export function readRateLimitOverride(sql: SqlExecutor, id: string): RateLimitOverride | null {
  const row = sql.exec<OverrideRow>(`SELECT * FROM rate_limit_overrides WHERE id = ?`, id).toArray()[0];
  return row ? rowToOverride(row) : null;
}

function invariant(event: EventEnvelope, message: string): TenantlogError {
  return new TenantlogError('INTERNAL', `projection rate-limits: ${message} (event ${event.type} seq ${event.seq})`);
}

/**
 * A tenant's rate-limit settings and its overrides that were not lifted. Expired
 * overrides stay until lifted, because expiry is decided at read time from the
 * clock and needs no event.
 */
export const rateLimitsProjection: Projection = {
  name: 'rate-limits',
  tables: ['rate_limit_settings', 'rate_limit_overrides'],
  schema: [
    `CREATE TABLE IF NOT EXISTS rate_limit_settings (
       singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
       settings TEXT NOT NULL,
       seq INTEGER NOT NULL
     )`,
    `CREATE TABLE IF NOT EXISTS rate_limit_overrides (
       id TEXT PRIMARY KEY,
       type TEXT NOT NULL,
       multiplier REAL,
       expires_at INTEGER,
       reason TEXT NOT NULL,
       created_at INTEGER NOT NULL,
       seq INTEGER NOT NULL
     ) WITHOUT ROWID`,
  ],
  handles: new Set(['ratelimit.configured', 'ratelimit.override.set', 'ratelimit.override.lifted']),
  apply(sql, event) {
    switch (event.type) {
      case 'ratelimit.configured': {
        const payload = event.payload as RateLimitConfigured;
        sql.exec(
          `INSERT INTO rate_limit_settings (singleton, settings, seq) VALUES (1, ?, ?)
           ON CONFLICT(singleton) DO UPDATE SET settings = excluded.settings, seq = excluded.seq`,
          JSON.stringify(payload.settings),
          event.seq,
        );
        return;
      }
      case 'ratelimit.override.set': {
        const payload = event.payload as RateLimitOverrideSet;
        if (readRateLimitOverride(sql, payload.id)) throw invariant(event, `override ${payload.id} already exists`);
        sql.exec(
          `INSERT INTO rate_limit_overrides (id, type, multiplier, expires_at, reason, created_at, seq) VALUES (?, ?, ?, ?, ?, ?, ?)`,
          payload.id,
          payload.type,
          payload.multiplier,
          payload.expiresAt,
          payload.reason,
          event.occurredAt,
          event.seq,
        );
        return;
      }
      case 'ratelimit.override.lifted': {
        const payload = event.payload as RateLimitOverrideLifted;
        if (!readRateLimitOverride(sql, payload.id)) throw invariant(event, `override ${payload.id} does not exist`);
        sql.exec(`DELETE FROM rate_limit_overrides WHERE id = ?`, payload.id);
        return;
      }
    }
  },
  *checksumRows(sql) {
    yield* sql.exec(`SELECT settings, seq FROM rate_limit_settings`);
    yield* sql.exec<OverrideRow>(`SELECT * FROM rate_limit_overrides ORDER BY id`);
  },
};
