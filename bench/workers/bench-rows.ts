import type { EventEnvelope } from '../../events/envelope';
import { SharedValuesInsert } from '../../projections/multi-row-insert';
import type { SqlExecutor } from '../../projections/projection';
import { EVENT_COLUMNS, eventLogSchema, eventRowValues } from '../../src/tenant/event-log';

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

/**
 * Builds the `thing.created` event the real path would append for thing `index`, with placeholder hashes.
 * Its correlation id is that of a write of thing `index` alone, or of the write that starts at thing `writeStart`.
 */
export function benchEvent(index: number, now: number, writeStart = index): EventEnvelope {
  return {
    tenant: BENCH_TENANT,
    seq: index + 1,
    id: eventIdLike(index),
    type: 'thing.created',
    schemaVersion: 1,
    occurredAt: now,
    actor: null,
    correlationId: `bench-${writeStart}`,
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

/** Values of the row the real log would store for thing `index`, in the column order of `events`. */
function bareEventValues(index: number, now: number): unknown[] {
  const event = benchEvent(index, now);
  return eventRowValues(event, JSON.stringify(event.payload));
}

/** Inserts, with one bare INSERT, the row the real log would store for thing `index`. */
export function insertBareEvent(sql: SqlExecutor, index: number, now: number): void {
  sql.exec(`INSERT INTO bare_events (${EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, ...bareEventValues(index, now));
}

/** The statement shape of `EventLog.store` for a run of events that share 7 of their 12 columns. */
const bareSharedValuesInsert = new SharedValuesInsert(
  'INSERT INTO bare_events (type, schema_version, occurred_at, actor, correlation_id, causation_id, idempotency_key, seq, id, payload, prev_hash, hash)',
  '?1, ?2, ?3, ?4, ?5, ?6, ?7, v.column1, v.column2, v.column3, v.column4, v.column5',
  7,
  5,
);

/** Inserts the rows of things `first` to `first + count - 1` with multi-row INSERTs, as `EventLog.store` does for a batch of creates. */
export function insertBareEvents(sql: SqlExecutor, first: number, count: number, now: number): void {
  const rows: unknown[] = [];
  let shared: unknown[] = [];
  for (let index = first; index < first + count; index++) {
    const event = benchEvent(index, now);
    shared = [event.type, event.schemaVersion, event.occurredAt, event.actor, event.correlationId, event.causationId, event.idempotencyKey];
    rows.push(event.seq, event.id, JSON.stringify(event.payload), event.prevHash, event.hash);
  }
  bareSharedValuesInsert.run(sql, shared, rows);
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
