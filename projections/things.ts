import type { ThingCreated, ThingDeleted, ThingUpdated } from '../events/types/things';
import type { EventEnvelope } from '../events/envelope';
import { utf8Length } from '../events/utf8';
import { TenantlogError } from '../src/errors';
import { type CounterDeltas, readCounter } from './counters';
import { insertOnce } from './insert-once';
import { SharedValuesInsert } from './multi-row-insert';
import { MAX_PAGE_BYTES, takePage } from './page';
import type { Projection, SqlExecutor } from './projection';

export interface Thing {
  id: string;
  type: string;
  data: unknown;
  /** Starts at 1 and grows by one with every update; `If-Match` compares against it. */
  version: number;
  /** ms since the Unix epoch */
  createdAt: number;
  /** ms since the Unix epoch */
  updatedAt: number;
  /** Seq of the event that last changed the thing. */
  seq: number;
}

/**
 * Returns the state of one thing after `event`, or null once it is deleted.
 * Pure: the projection below and the unit tests share it.
 *
 * `deletedVersion` is the last version of an earlier thing with the same id that
 * was deleted (0 if none). A re-created thing continues from it, so an `If-Match`
 * or ETag taken from the deleted thing never matches its successor.
 */
export function reduceThing(current: Thing | null, event: EventEnvelope, deletedVersion = 0): Thing | null {
  switch (event.type) {
    case 'thing.created': {
      const payload = event.payload as ThingCreated;
      if (current) throw invariant(event, `thing ${payload.id} already exists`);
      return {
        id: payload.id,
        type: payload.type,
        data: payload.data,
        version: deletedVersion + 1,
        createdAt: event.occurredAt,
        updatedAt: event.occurredAt,
        seq: event.seq,
      };
    }
    case 'thing.updated': {
      const payload = event.payload as ThingUpdated;
      if (!current) throw invariant(event, `thing ${payload.id} does not exist`);
      return {
        ...current,
        type: payload.type,
        data: payload.data,
        version: current.version + 1,
        updatedAt: event.occurredAt,
        seq: event.seq,
      };
    }
    case 'thing.deleted': {
      const payload = event.payload as ThingDeleted;
      if (!current) throw invariant(event, `thing ${payload.id} does not exist`);
      return null;
    }
    default:
      return current;
  }
}

function invariant(event: EventEnvelope, message: string): TenantlogError {
  return new TenantlogError('INTERNAL', `projection things: ${message} (event ${event.type} seq ${event.seq})`);
}

type ThingRow = {
  id: string;
  type: string;
  data: string;
  version: number;
  created_at: number;
  updated_at: number;
  seq: number;
};

function rowToThing(row: ThingRow): Thing {
  return {
    id: row.id,
    type: row.type,
    data: JSON.parse(row.data),
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    seq: row.seq,
  };
}

/** Bytes a thing adds to the tenant's storage: UTF-8 length of id, type and data JSON. */
export function thingSizeBytes(id: string, type: string, dataJson: string): number {
  return utf8Length(id) + utf8Length(type) + utf8Length(dataJson);
}

export function readThing(sql: SqlExecutor, id: string): Thing | null {
  const row = sql.exec<ThingRow>(`SELECT * FROM things WHERE id = ?`, id).toArray()[0];
  return row ? rowToThing(row) : null;
}

/** True when thing `id` exists; cheaper than `readThing`, which reads and parses its data. */
export function thingExists(sql: SqlExecutor, id: string): boolean {
  return sql.exec(`SELECT 1 AS found FROM things WHERE id = ?`, id).toArray().length > 0;
}

/**
 * Whether thing `id` exists, and the last version of a deleted thing with that id
 * (0 if none), in one statement; cheaper than `readThing`, which parses the data.
 */
export function thingPresence(sql: SqlExecutor, id: string): { exists: boolean; deletedVersion: number } {
  const row = sql
    .exec<{ live: number | null; deleted: number | null }>(
      `SELECT (SELECT 1 FROM things WHERE id = ?1) AS live, (SELECT version FROM thing_tombstones WHERE id = ?1) AS deleted`,
      id,
    )
    .toArray()[0];
  return { exists: row?.live === 1, deletedVersion: row?.deleted ?? 0 };
}

/**
 * `thingPresence` of many ids in one statement; ids without a thing or tombstone
 * are left out of the map. The ids go in as one JSON array, so their number is not
 * bound by the limit on bound values.
 */
export function readThingPresences(sql: SqlExecutor, ids: readonly string[]): Map<string, { exists: boolean; deletedVersion: number }> {
  const found = new Map<string, { exists: boolean; deletedVersion: number }>();
  if (ids.length === 0) return found;
  const rows = sql.exec<{ id: string; live: number | null; deleted: number | null }>(
    `SELECT id, 1 AS live, NULL AS deleted FROM things WHERE id IN (SELECT value FROM json_each(?1))
     UNION ALL
     SELECT id, NULL AS live, version AS deleted FROM thing_tombstones WHERE id IN (SELECT value FROM json_each(?1))`,
    JSON.stringify(ids),
  );
  for (const row of rows) {
    const presence = found.get(row.id) ?? { exists: false, deletedVersion: 0 };
    if (row.live === 1) presence.exists = true;
    if (row.deleted !== null) presence.deletedVersion = row.deleted;
    found.set(row.id, presence);
  }
  return found;
}

export interface ThingPage {
  items: Thing[];
  count: number;
  /** Id of the last item when more may follow; the next page starts after it. */
  nextAfterId: string | null;
}

/**
 * Lists things in id order, all types when `type` is null: at most `limit` of them,
 * and fewer once their data passes `maxBytes` (see `takePage`).
 */
export function listThings(
  sql: SqlExecutor,
  type: string | null,
  afterId: string | null,
  limit: number,
  maxBytes = MAX_PAGE_BYTES,
): ThingPage {
  const filters: string[] = [];
  const bindings: unknown[] = [];
  if (type !== null) {
    filters.push('type = ?');
    bindings.push(type);
  }
  // The running counters give the total without a COUNT(*) over every matching row.
  const count = readCounter(sql, type === null ? 'things' : `things.type:${type}`);

  if (afterId !== null) {
    filters.push('id > ?');
    bindings.push(afterId);
  }
  const where = filters.length > 0 ? `WHERE ${filters.join(' AND ')}` : '';
  const rows = sql.exec<ThingRow>(`SELECT * FROM things ${where} ORDER BY id LIMIT ?`, ...bindings, limit + 1);
  const page = takePage(rows, limit, maxBytes, (row) => row.data.length);
  const items = page.rows.map(rowToThing);
  return {
    items,
    count,
    nextAfterId: page.more ? (items[items.length - 1]?.id ?? null) : null,
  };
}

function writeThing(sql: SqlExecutor, event: EventEnvelope, previous: Thing | null, next: Thing | null, counters: CounterDeltas): void {
  if (previous) {
    const previousJson = JSON.stringify(previous.data);
    counters.add('things', -1);
    counters.add(`things.type:${previous.type}`, -1);
    counters.add('things.bytes', -thingSizeBytes(previous.id, previous.type, previousJson));
  }
  if (!next) {
    if (previous) {
      sql.exec(`DELETE FROM things WHERE id = ?`, previous.id);
      sql.exec(
        `INSERT INTO thing_tombstones (id, version, seq) VALUES (?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET version = excluded.version, seq = excluded.seq`,
        previous.id,
        previous.version,
        event.seq,
      );
    }
    return;
  }

  const dataJson = JSON.stringify(next.data);
  const values = [next.id, next.type, dataJson, next.version, next.createdAt, next.updatedAt, next.seq];
  if (previous) {
    sql.exec(
      `INSERT INTO things (id, type, data, version, created_at, updated_at, seq) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET type = excluded.type, data = excluded.data, version = excluded.version,
         updated_at = excluded.updated_at, seq = excluded.seq`,
      ...values,
    );
  } else {
    // The version comes from the tombstone in the same statement, not from `next`:
    // `reduceThing` computes the same value when given the tombstone's version, as
    // `createThing` does, and this saves reading the tombstone first.
    insertOnce(
      sql,
      `INSERT INTO things (id, type, data, version, created_at, updated_at, seq)
       VALUES (?1, ?2, ?3, COALESCE((SELECT version FROM thing_tombstones WHERE id = ?1), 0) + 1, ?5, ?6, ?7)`,
      values,
      () => invariant(event, `thing ${next.id} already exists`),
    );
  }
  counters.add('things', 1);
  counters.add(`things.type:${next.type}`, 1);
  counters.add('things.bytes', thingSizeBytes(next.id, next.type, dataJson));
}

/**
 * INSERT of the rows of created things that share their time: id, type, data and
 * seq per row, the time bound once. The version comes from the tombstone as in
 * `writeThing`.
 */
const createdInsert = new SharedValuesInsert(
  'INSERT INTO things (id, type, data, version, created_at, updated_at, seq)',
  'v.column1, v.column2, v.column3, COALESCE((SELECT version FROM thing_tombstones WHERE id = v.column1), 0) + 1, ?1, ?1, v.column4',
  1,
  4,
);

/**
 * Inserts the things of consecutive `thing.created` events, one multi-row INSERT
 * per statement's worth of events with the same time. When a statement fails on a
 * taken id, SQLite has undone that statement alone, and its events are applied one
 * by one to throw the invariant error for the event that names the taken id.
 */
function insertCreatedThings(sql: SqlExecutor, events: readonly EventEnvelope[], counters: CounterDeltas): void {
  let first = 0;
  while (first < events.length) {
    const occurredAt = events[first]!.occurredAt;
    let end = first + 1;
    while (end < events.length && end - first < createdInsert.rowsPerStatement && events[end]!.occurredAt === occurredAt) end++;

    const statementEvents = events.slice(first, end);
    const rows: unknown[] = [];
    const sizes: number[] = [];
    for (const event of statementEvents) {
      const payload = event.payload as ThingCreated;
      const dataJson = JSON.stringify(payload.data);
      rows.push(payload.id, payload.type, dataJson, event.seq);
      sizes.push(thingSizeBytes(payload.id, payload.type, dataJson));
    }
    try {
      createdInsert.run(sql, [occurredAt], rows);
    } catch (error) {
      if (!(error instanceof Error && error.message.includes('UNIQUE constraint failed'))) throw error;
      for (const event of statementEvents) thingsProjection.apply(sql, event, counters);
      throw error;
    }
    statementEvents.forEach((event, index) => {
      const type = (event.payload as ThingCreated).type;
      counters.add('things', 1);
      counters.add(`things.type:${type}`, 1);
      counters.add('things.bytes', sizes[index]!);
    });
    first = end;
  }
}

export const thingsProjection: Projection = {
  name: 'things',
  tables: ['things', 'thing_tombstones'],
  schema: [
    `CREATE TABLE IF NOT EXISTS things (
       id TEXT PRIMARY KEY,
       type TEXT NOT NULL,
       data TEXT NOT NULL,
       version INTEGER NOT NULL,
       created_at INTEGER NOT NULL,
       updated_at INTEGER NOT NULL,
       seq INTEGER NOT NULL
     ) WITHOUT ROWID`,
    `CREATE INDEX IF NOT EXISTS things_by_type ON things (type, id)`,
    // Last version of each deleted thing, so a re-created thing with the same id continues its
    // versions. A row stays after the re-creation; the next delete overwrites it.
    `CREATE TABLE IF NOT EXISTS thing_tombstones (
       id TEXT PRIMARY KEY,
       version INTEGER NOT NULL,
       seq INTEGER NOT NULL
     ) WITHOUT ROWID`,
  ],
  handles: new Set(['thing.created', 'thing.updated', 'thing.deleted']),
  apply(sql, event, counters) {
    const id = (event.payload as { id: string }).id;
    // A created thing has no previous state: instead of a read, the INSERT's primary key rejects an id that exists.
    const previous = event.type === 'thing.created' ? null : readThing(sql, id);
    writeThing(sql, event, previous, reduceThing(previous, event), counters);
  },
  applyMany(sql, events, counters) {
    if (events[0]?.type === 'thing.created') {
      insertCreatedThings(sql, events, counters);
      return;
    }
    for (const event of events) thingsProjection.apply(sql, event, counters);
  },
  *checksumRows(sql) {
    yield* sql.exec<ThingRow>(`SELECT * FROM things ORDER BY id`);
    yield* sql.exec(`SELECT 'tombstone' AS kind, id, version, seq FROM thing_tombstones ORDER BY id`);
  },
};
