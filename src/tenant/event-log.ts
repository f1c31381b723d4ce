import { upcastPayload, validatePayload } from '../../events/catalogue';
import type { AppendContext, EventDraft, EventEnvelope } from '../../events/envelope';
import { GENESIS_HASH, hashEvent, verifyChain } from '../../events/hash';
import { utf8Length } from '../../events/utf8';
import type { UuidV7Generator } from '../../events/uuidv7';
import { MultiRowInsert, SharedValuesInsert } from '../../projections/multi-row-insert';
import { MAX_PAGE_BYTES, takePage } from '../../projections/page';
import type { SqlExecutor } from '../../projections/projection';
import { TenantlogError } from '../errors';

export const eventLogSchema = [
  `CREATE TABLE IF NOT EXISTS events (
     seq INTEGER PRIMARY KEY,
     id TEXT NOT NULL,
     type TEXT NOT NULL,
     schema_version INTEGER NOT NULL,
     occurred_at INTEGER NOT NULL,
     actor TEXT,
     correlation_id TEXT NOT NULL,
     causation_id TEXT,
     idempotency_key TEXT,
     payload TEXT NOT NULL,
     prev_hash TEXT NOT NULL,
     hash TEXT NOT NULL
   )`,
  // One row: the chain head survives trimming of old events from the table above.
  `CREATE TABLE IF NOT EXISTS log_head (
     singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
     tenant TEXT NOT NULL,
     seq INTEGER NOT NULL,
     hash TEXT NOT NULL,
     bytes INTEGER NOT NULL
   )`,
] as const;

/**
 * Largest payload one event may carry, in UTF-8 bytes of its JSON (1.5 MiB). The
 * limit is above the 1 MiB request body limit, so data stored about as it was sent
 * always fits, with room for a generated id. A merge can grow data past it, and so
 * can numbers that are longer when written out (`1e20` becomes 21 digits). It is
 * below the 2 MB that Durable Object SQLite stores in one value or row, which leaves
 * room for the envelope and for a stored idempotent response that repeats the data.
 */
export const MAX_EVENT_PAYLOAD_BYTES = 1536 * 1024;

export type EventRow = {
  seq: number;
  id: string;
  type: string;
  schema_version: number;
  occurred_at: number;
  actor: string | null;
  correlation_id: string;
  causation_id: string | null;
  idempotency_key: string | null;
  payload: string;
  prev_hash: string;
  hash: string;
};

export interface LogHead {
  tenant: string;
  seq: number;
  hash: string;
  /** UTF-8 bytes of every payload appended so far, for storage accounting. */
  bytes: number;
}

/**
 * Converts a stored row to an envelope. `upcast` lifts the payload to its type's
 * current schema version; the hash is always over the stored form, so hash checks
 * use `upcast: false`.
 */
export function rowToEvent(tenant: string, row: EventRow, upcast = true): EventEnvelope {
  const payload = JSON.parse(row.payload) as unknown;
  return {
    tenant,
    seq: row.seq,
    id: row.id,
    type: row.type,
    schemaVersion: row.schema_version,
    occurredAt: row.occurred_at,
    actor: row.actor,
    correlationId: row.correlation_id,
    causationId: row.causation_id,
    idempotencyKey: row.idempotency_key,
    payload: upcast ? upcastPayload(row.type, row.schema_version, payload) : payload,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** Events numbered and hashed by `EventLog.stage`, not yet stored. */
export interface StagedEvents {
  events: EventEnvelope[];
  /** The `payload` column of each event: its payload as `JSON.stringify` writes it. */
  payloadJson: string[];
  /** Head after the last event, or the head passed in when there are none. */
  head: LogHead;
}

/** Columns of an `events` row in the order `eventRowValues` lists them. */
export const EVENT_COLUMNS = 'seq, id, type, schema_version, occurred_at, actor, correlation_id, causation_id, idempotency_key, payload, prev_hash, hash';

/** Lists the values of `event`'s row in the order of EVENT_COLUMNS, with `payloadJson` as its stored payload text. */
export function eventRowValues(event: EventEnvelope, payloadJson: string): unknown[] {
  return [
    event.seq,
    event.id,
    event.type,
    event.schemaVersion,
    event.occurredAt,
    event.actor,
    event.correlationId,
    event.causationId,
    event.idempotencyKey,
    payloadJson,
    event.prevHash,
    event.hash,
  ];
}

/**
 * INSERT of `events` rows that share every column but seq, id, payload and the
 * two hashes, as the events of one write mostly do: one type, time, actor,
 * request and cause. 18 rows fit one statement, against 8 with every value bound per row.
 */
const eventInsert = new SharedValuesInsert(
  'INSERT INTO events (type, schema_version, occurred_at, actor, correlation_id, causation_id, idempotency_key, seq, id, payload, prev_hash, hash)',
  '?1, ?2, ?3, ?4, ?5, ?6, ?7, v.column1, v.column2, v.column3, v.column4, v.column5',
  7,
  5,
);

/** INSERT of `events` rows with every value bound, 8 rows per statement, for events outside long runs. */
const eventRowInsert = new MultiRowInsert(`INSERT INTO events (${EVENT_COLUMNS})`, 12);

/**
 * Shortest run of events with the same shared columns that `eventInsert` takes.
 * Shorter runs, as in a batch that alternates creates and updates, would cost a
 * statement each, so their rows go to `eventRowInsert` together.
 */
const MIN_SHARED_RUN = 4;

/** True when `a` and `b` have the same values in the columns `eventInsert` shares. */
function sharesColumns(a: EventEnvelope, b: EventEnvelope): boolean {
  return (
    a.type === b.type &&
    a.schemaVersion === b.schemaVersion &&
    a.occurredAt === b.occurredAt &&
    a.actor === b.actor &&
    a.correlationId === b.correlationId &&
    a.causationId === b.causationId &&
    a.idempotencyKey === b.idempotencyKey
  );
}


/**
 * The tenant's append-only, hash-chained event log in Durable Object SQLite.
 *
 * `append` (or `stage` and later `store`) must run inside `transactionSync`
 * together with the projection updates. It returns the new head, which the caller
 * adopts with `commitHead` only after the transaction has committed, so a
 * rolled-back append leaves the cached head untouched.
 */
export class EventLog {
  private head: LogHead | null = null;

  constructor(
    private readonly sql: SqlExecutor,
    private readonly ids: UuidV7Generator,
  ) {
    for (const statement of eventLogSchema) sql.exec(statement);
  }

  /** Current head, or seq 0 with the genesis hash for an empty log of `tenant`. */
  readHead(tenant: string): LogHead {
    if (this.head && this.head.tenant === tenant) return this.head;
    const row = this.sql
      .exec<{ tenant: string; seq: number; hash: string; bytes: number }>(`SELECT tenant, seq, hash, bytes FROM log_head WHERE singleton = 1`)
      .toArray()[0];
    if (row && row.tenant !== tenant) {
      throw new TenantlogError('TENANT_MISMATCH', `this log belongs to tenant ${row.tenant}, not ${tenant}`);
    }
    this.head = row
      ? { tenant: row.tenant, seq: row.seq, hash: row.hash, bytes: row.bytes }
      : { tenant, seq: 0, hash: GENESIS_HASH, bytes: 0 };
    return this.head;
  }

  /** Tenant recorded in the log, or null before the first append. */
  storedTenant(): string | null {
    const row = this.sql.exec<{ tenant: string }>(`SELECT tenant FROM log_head WHERE singleton = 1`).toArray()[0];
    return row?.tenant ?? null;
  }

  /**
   * Appends drafts after `head` and returns the stored events with the new head:
   * `stage` followed by `store`.
   */
  append(
    head: LogHead,
    drafts: readonly EventDraft[],
    context: AppendContext,
    causationId: string | null = null,
  ): { events: EventEnvelope[]; head: LogHead } {
    const staged = this.stage(head, drafts, context, causationId);
    if (staged.events.length > 0) this.store(staged.events, staged.payloadJson, staged.head);
    return { events: staged.events, head: staged.head };
  }

  /**
   * Turns drafts into the events that follow `head`, without writing anything:
   * validates each payload against the catalogue, numbers and hashes the events,
   * and returns them with the head after the last one. A payload that does not
   * match its schema is a programming error and throws INTERNAL; a payload over
   * MAX_EVENT_PAYLOAD_BYTES, such as a thing whose merged data grew too large,
   * throws PAYLOAD_TOO_LARGE. Either aborts the surrounding transaction.
   */
  stage(head: LogHead, drafts: readonly EventDraft[], context: AppendContext, causationId: string | null = null): StagedEvents {
    const events: EventEnvelope[] = [];
    const payloadJson: string[] = [];
    let { seq, hash, bytes } = head;

    for (const draft of drafts) {
      const { schemaVersion, payload } = validatePayload(draft.type, draft.payload);
      const json = JSON.stringify(payload);
      const payloadBytes = utf8Length(json);
      if (payloadBytes > MAX_EVENT_PAYLOAD_BYTES) {
        throw new TenantlogError(
          'PAYLOAD_TOO_LARGE',
          `${draft.type} payload of ${payloadBytes} bytes exceeds the limit of ${MAX_EVENT_PAYLOAD_BYTES} bytes per event; store less data in one thing or relationship`,
          { details: { limitBytes: MAX_EVENT_PAYLOAD_BYTES } },
        );
      }
      const event: EventEnvelope = {
        tenant: head.tenant,
        seq: seq + 1,
        id: this.ids.next(context.now),
        type: draft.type,
        schemaVersion,
        occurredAt: context.now,
        actor: context.actor,
        correlationId: context.correlationId,
        causationId: draft.causedByDraft === undefined ? causationId : (events[draft.causedByDraft]?.id ?? null),
        idempotencyKey: context.idempotencyKey,
        payload,
        prevHash: hash,
        // Set below from prevHash and the canonical JSON of the other members.
        hash: '',
      };
      event.hash = hashEvent(hash, event, json);
      events.push(event);
      payloadJson.push(json);
      seq = event.seq;
      hash = event.hash;
      bytes += payloadBytes;
    }
    return { events, payloadJson, head: { tenant: head.tenant, seq, hash, bytes } };
  }

  /**
   * Inserts staged events with as few multi-row INSERTs as the binding limit
   * allows: each run of at least MIN_SHARED_RUN consecutive events with the same
   * shared columns through `eventInsert`, the other events together through
   * `eventRowInsert`. Then it writes `head`, the head after the last of them. The events must
   * continue the stored log without a gap, as `stage` numbers them, and this must
   * run in the transaction that applies them to the projections.
   */
  store(events: readonly EventEnvelope[], payloadJson: readonly string[], head: LogHead): void {
    const looseRows: unknown[] = [];
    let first = 0;
    while (first < events.length) {
      const shared = events[first]!;
      let end = first + 1;
      while (end < events.length && sharesColumns(shared, events[end]!)) end++;
      if (end - first < MIN_SHARED_RUN) {
        for (let index = first; index < end; index++) looseRows.push(...eventRowValues(events[index]!, payloadJson[index]!));
        first = end;
        continue;
      }

      const rows: unknown[] = [];
      for (let index = first; index < end; index++) {
        const event = events[index]!;
        rows.push(event.seq, event.id, payloadJson[index]!, event.prevHash, event.hash);
      }
      const sharedValues = [
        shared.type,
        shared.schemaVersion,
        shared.occurredAt,
        shared.actor,
        shared.correlationId,
        shared.causationId,
        shared.idempotencyKey,
      ];
      eventInsert.run(this.sql, sharedValues, rows);
      first = end;
    }
    if (looseRows.length > 0) eventRowInsert.run(this.sql, looseRows);
    this.sql.exec(
      `INSERT INTO log_head (singleton, tenant, seq, hash, bytes) VALUES (1, ?, ?, ?, ?)
       ON CONFLICT(singleton) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, bytes = excluded.bytes`,
      head.tenant,
      head.seq,
      head.hash,
      head.bytes,
    );
  }

  /** Adopts a head written by `append` once its transaction has committed. */
  commitHead(head: LogHead): void {
    this.head = head;
  }

  /** Forgets the cached head, e.g. after a transaction failed. */
  invalidateHead(): void {
    this.head = null;
  }

  /**
   * Events with `seq > afterSeq` still held locally, in seq order, at most `limit`.
   * With `maxBytes` the page also stops before the payloads pass that size (see
   * `takePage`), so a short page does not mean the log has ended.
   */
  readAfter(tenant: string, afterSeq: number, limit: number, upcast = true, maxBytes = Number.POSITIVE_INFINITY): EventEnvelope[] {
    const rows = this.sql.exec<EventRow>(`SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?`, afterSeq, limit);
    return takePage(rows, limit, maxBytes, (row) => row.payload.length).rows.map((row) => rowToEvent(tenant, row, upcast));
  }

  /** Lowest seq still held in the local table, or null when it is empty. */
  oldestLocalSeq(): number | null {
    const row = this.sql.exec<{ seq: number | null }>(`SELECT MIN(seq) AS seq FROM events`).toArray()[0];
    return row?.seq ?? null;
  }

  /**
   * Yields the whole locally held log from seq 1 in pages, checking the hash chain
   * as it goes. Throws LOG_INTEGRITY on a gap or a broken link, and UNAVAILABLE if
   * the oldest events are no longer held locally.
   */
  *iterateLocal(tenant: string, pageSize = 1000): Generator<EventEnvelope> {
    const oldest = this.oldestLocalSeq();
    if (oldest !== null && oldest > 1) {
      throw new TenantlogError('UNAVAILABLE', `events before seq ${oldest} are no longer held locally`);
    }
    let afterSeq = 0;
    let afterHash = GENESIS_HASH;
    for (;;) {
      const stored = this.readAfter(tenant, afterSeq, pageSize, false, MAX_PAGE_BYTES);
      if (stored.length === 0) return;
      const verification = verifyChain(stored, afterSeq, afterHash);
      if (!verification.ok) {
        throw new TenantlogError('LOG_INTEGRITY', `hash chain of tenant ${tenant} is broken at seq ${verification.seq}: ${verification.reason}`);
      }
      for (const event of stored) {
        yield { ...event, payload: upcastPayload(event.type, event.schemaVersion, event.payload) };
      }
      afterSeq = verification.lastSeq;
      afterHash = verification.lastHash;
    }
  }
}
