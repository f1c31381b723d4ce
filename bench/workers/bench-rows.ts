import type { EventEnvelope } from '../../events/envelope';
import type { SqlExecutor } from '../../projections/projection';
import { eventLogSchema } from '../../src/tenant/event-log';

/** Tenant every bench object writes for; the event log binds an object to one tenant. */
export const BENCH_TENANT = 'bench';
export const BENCH_TYPE = 'BenchItem';
/** 64 hex characters, the length of a real `prevHash` and `hash`. */
export const PLACEHOLDER_HASH = 'ab'.repeat(32);

/** Returns the `data` of benchmark thing `index`, a record of about 150 bytes of JSON. */
export function benchData(index: number): Record<string, unknown> {
  return { name: `item ${index}`, price: 12.5 + index, tags: ['bench', 'append'], note: 'n'.repeat(80) };
}

export function thingId(index: number): string {
  return `item-${String(index).padStart(8, '0')}`;
}

/** Returns a string shaped and sized like a UUIDv7, without the cost of generating one. */
export function eventIdLike(index: number): string {
  return `00000000-0000-7000-8000-${String(index).padStart(12, '0')}`;
}

/** Builds the `thing.created` event the real path would append for thing `index`, with placeholder hashes. */
export function benchEvent(index: number, now: number): EventEnvelope {
  return {
    tenant: BENCH_TENANT,
    seq: index + 1,
    id: eventIdLike(index),
    type: 'thing.created',
    schemaVersion: 1,
    occurredAt: now,
    actor: null,
    correlationId: `bench-${index}`,
    causationId: null,
    idempotencyKey: null,
    payload: { id: thingId(index), type: BENCH_TYPE, data: benchData(index) },
    prevHash: PLACEHOLDER_HASH,
    hash: PLACEHOLDER_HASH,
  };
}

/** Tables with the columns of `events` and `log_head` that nothing else reads or writes. */
const bareSchema = [
  eventLogSchema[0].replace('CREATE TABLE IF NOT EXISTS events', 'CREATE TABLE IF NOT EXISTS bare_events'),
  eventLogSchema[1].replace('CREATE TABLE IF NOT EXISTS log_head', 'CREATE TABLE IF NOT EXISTS bare_head'),
];

export function createBareTables(sql: SqlExecutor): void {
  for (const statement of bareSchema) sql.exec(statement);
}

/** Inserts, with one bare INSERT, the row the real log would store for thing `index`. */
export function insertBareEvent(sql: SqlExecutor, index: number, now: number): void {
  const event = benchEvent(index, now);
  sql.exec(
    `INSERT INTO bare_events (seq, id, type, schema_version, occurred_at, actor, correlation_id, causation_id,
       idempotency_key, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    event.seq,
    event.id,
    event.type,
    event.schemaVersion,
    event.occurredAt,
    event.actor,
    event.correlationId,
    event.causationId,
    event.idempotencyKey,
    JSON.stringify(event.payload),
    event.prevHash,
    event.hash,
  );
}

/** Runs the log head upsert of one append on the bare copy of `log_head`. */
export function upsertBareHead(sql: SqlExecutor, index: number): void {
  sql.exec(
    `INSERT INTO bare_head (singleton, tenant, seq, hash, bytes) VALUES (1, ?, ?, ?, ?)
     ON CONFLICT(singleton) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, bytes = excluded.bytes`,
    BENCH_TENANT,
    index + 1,
    PLACEHOLDER_HASH,
    index * 150,
  );
}
