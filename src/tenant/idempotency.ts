import type { SqlExecutor } from '../../projections/projection';
import { TenantlogError } from '../errors';

/** How long a stored response answers repeats of its key, in ms (24 hours). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export const idempotencySchema = [
  `CREATE TABLE IF NOT EXISTS idempotency_keys (
     key TEXT PRIMARY KEY,
     fingerprint TEXT NOT NULL,
     status INTEGER NOT NULL,
     headers TEXT NOT NULL,
     body TEXT NOT NULL,
     created_at INTEGER NOT NULL
   ) WITHOUT ROWID`,
  `CREATE INDEX IF NOT EXISTS idempotency_keys_by_age ON idempotency_keys (created_at)`,
] as const;

/** A response as stored for replay: status, the headers worth repeating and the body text. */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface IdempotencyRequest {
  key: string;
  /** Hash of method, path and body; a repeat with a different fingerprint is rejected. */
  fingerprint: string;
}

/**
 * Returns the stored response for a repeated key, null for a new key, and throws
 * `IDEMPOTENCY_KEY_REUSED` when the key was used for a different request.
 */
export function findStoredResponse(sql: SqlExecutor, request: IdempotencyRequest, now: number): StoredResponse | null {
  const row = sql
    .exec<{ fingerprint: string; status: number; headers: string; body: string; created_at: number }>(
      `SELECT fingerprint, status, headers, body, created_at FROM idempotency_keys WHERE key = ?`,
      request.key,
    )
    .toArray()[0];
  if (!row || row.created_at < now - IDEMPOTENCY_TTL_MS) return null;
  if (row.fingerprint !== request.fingerprint) {
    throw new TenantlogError(
      'IDEMPOTENCY_KEY_REUSED',
      `Idempotency-Key ${JSON.stringify(request.key)} was already used for a different request; use a new key for a new request`,
    );
  }
  return { status: row.status, headers: JSON.parse(row.headers) as Record<string, string>, body: row.body };
}

export function storeResponse(sql: SqlExecutor, request: IdempotencyRequest, response: StoredResponse, now: number): void {
  sql.exec(
    `INSERT INTO idempotency_keys (key, fingerprint, status, headers, body, created_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT(key) DO UPDATE SET fingerprint = excluded.fingerprint, status = excluded.status,
       headers = excluded.headers, body = excluded.body, created_at = excluded.created_at`,
    request.key,
    request.fingerprint,
    response.status,
    JSON.stringify(response.headers),
    response.body,
    now,
  );
}

/** Deletes keys older than the TTL; returns how many went. */
export function purgeExpiredKeys(sql: SqlExecutor, now: number): number {
  const rows = sql
    .exec<{ key: string }>(`DELETE FROM idempotency_keys WHERE created_at < ? RETURNING key`, now - IDEMPOTENCY_TTL_MS)
    .toArray();
  return rows.length;
}
