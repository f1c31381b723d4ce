import { validatePayload } from '../../events/catalogue';
import type { EventEnvelope } from '../../events/envelope';
import { hashEvent } from '../../events/hash';
import { UuidV7Generator } from '../../events/uuidv7';
import { utf8Length } from '../../events/utf8';
import { applyEventsToProjections, applyToProjections } from '../../projections/apply';
import { CounterDeltas } from '../../projections/counters';
import type { SqlExecutor } from '../../projections/projection';
import { readThingPresences, thingExists } from '../../projections/things';
import { readEffectiveTenantConfig, readStorageBytes } from '../../src/limits/tenant-usage';
import { thingEtag, thingView } from '../../src/tenant/api/views';
import { jsonResponse } from '../../src/tenant/api/write';
import { BATCH_SIZE, type AppendStage } from './append-bench-protocol';
import { BENCH_TYPE, benchData, benchEvent, insertBareEvents, insertBareEvent, PLACEHOLDER_HASH, thingId, upsertBareHead } from './bench-rows';

/** Storage a step runs on: the object's plain storage, and the same storage as the request meter wraps it. */
export interface StageStorage {
  plain: DurableObjectStorage;
  metered: DurableObjectStorage;
}

type Stage = (storage: StageStorage, start: number, count: number, now: number) => void;

/** Builds a stage that runs `step` once for each index from `start` on. */
function perIndex(step: (storage: StageStorage, index: number, now: number) => void): Stage {
  return (storage, start, count, now) => {
    for (let index = start; index < start + count; index++) step(storage, index, now);
  };
}

/**
 * The steps of one append, each run `count` times alone on the inputs the real
 * path would give it, which explains where the time of the whole append goes.
 */
export const appendStages = {
  /** An empty `transactionSync`, the savepoint every write opens. */
  transaction: perIndex(({ plain }) => plain.transactionSync(() => undefined)),
  /** `createThing`'s check that the new id is free, which finds no row. */
  exists: perIndex(({ plain }, index) => thingExists(plain.sql, `absent-${index}`)),
  /** The check of a batch: the presence of BATCH_SIZE new ids in one statement. */
  existsBatch: ({ plain }, start, count) => {
    for (let first = start; first < start + count; first += BATCH_SIZE) {
      const ids = [];
      for (let index = first; index < Math.min(first + BATCH_SIZE, start + count); index++) ids.push(`absent-${index}`);
      readThingPresences(plain.sql, ids);
    }
  },
  /** The same check through the request meter's view of storage, inside a metered request. */
  meteredExists: perIndex(({ metered }, index) => thingExists(metered.sql, `absent-${index}`)),
  /** Validation of the `thing.created` payload (a hand-written check, which leaves to zod what it does not accept). */
  validate: perIndex((_storage, index, now) => validatePayload('thing.created', benchEvent(index, now).payload)),
  /** UUIDv7 of the event. */
  id: perIndex((_storage, _index, now) => stageIds.next(now)),
  /**
   * The payload's JSON text for the `payload` column, its UTF-8 size for the log head, and the hash,
   * for events of writes of one operation each.
   */
  hash: perIndex((_storage, index, now) => hashBenchEvent(benchEvent(index, now))),
  /** The same for events of writes of BATCH_SIZE operations, which share their correlation id, so the hash reuses more text. */
  hashBatch: perIndex((_storage, index, now) => hashBenchEvent(benchEvent(index, now, index - (index % BATCH_SIZE)))),
  /** INSERT of one event row, as a write of one operation does. */
  insert: perIndex(({ plain }, index, now) => insertBareEvent(plain.sql, index, now)),
  /** INSERT of the event rows of BATCH_SIZE operations in multi-row statements that bind shared columns once, as a batch write does. */
  insertBatch: ({ plain }, start, count, now) => {
    for (let first = start; first < start + count; first += BATCH_SIZE) {
      insertBareEvents(plain.sql, BATCH_STAGE_FIRST_INDEX + first, Math.min(BATCH_SIZE, start + count - first), now);
    }
  },
  /** Upsert of the log head, once per write. */
  head: perIndex(({ plain }, index) => upsertBareHead(plain.sql, index)),
  /** Every projection applying the event: the things row; counter changes stay in memory. */
  project: perIndex(({ plain }, index, now) => applyToProjections(plain.sql, benchEvent(index, now), new CounterDeltas())),
  /** The projections applying the events of BATCH_SIZE creates together: multi-row INSERTs of the things rows. */
  projectBatch: ({ plain }, start, count, now) => {
    for (let first = start; first < start + count; first += BATCH_SIZE) {
      const events = [];
      for (let index = first; index < Math.min(first + BATCH_SIZE, start + count); index++) events.push(benchEvent(PROJECT_BATCH_FIRST_INDEX + index, now));
      applyEventsToProjections(plain.sql, events, new CounterDeltas());
    }
  },
  /** The counter changes of a write that created things of one type, flushed in one upsert. */
  counters: perIndex(({ plain }) => {
    const counters = new CounterDeltas();
    counters.add('things', 1);
    counters.add(`things.type:${BENCH_TYPE}`, 1);
    counters.add('things.bytes', 160);
    counters.flush(plain.sql);
  }),
  /** The quota check's reads after a write that added data: tenant config and storage bytes. */
  quota: perIndex(({ plain }) => {
    readEffectiveTenantConfig(plain.sql, 'starter');
    readStorageBytes(plain.sql);
  }),
  /** The response body `POST /things` stores and returns. */
  respond: perIndex((_storage, index, now) => {
    const thing = { id: thingId(index), type: BENCH_TYPE, data: benchData(index), version: 1, createdAt: now, updatedAt: now, seq: index + 1 };
    jsonResponse(201, thingView(thing), { etag: thingEtag(thing.version), location: `/things/${thing.id}` });
  }),
  /** The response body of `POST /batch`, built for batches of BATCH_SIZE creates. */
  respondBatch: (_storage, start, count) => {
    for (let first = start; first < start + count; first += BATCH_SIZE) {
      const last = Math.min(first + BATCH_SIZE, start + count);
      const results = [];
      for (let index = first; index < last; index++) {
        results.push({ op: 'create', collection: 'things', id: thingId(index), type: BENCH_TYPE, version: 1, seq: index + 1 });
      }
      jsonResponse(200, { results, count: results.length, events: results.length, firstSeq: first + 1, lastSeq: last });
    }
  },
  /** The four row writes of a single-operation append, without a transaction around them. */
  rowWrites: perIndex(({ plain }, index, now) => writeAppendRows(plain.sql, ROW_WRITES_FIRST_INDEX + index, now)),
  /** The same writes inside `transactionSync`, as `TenantStore.write` runs them. */
  rowWritesInTransaction: perIndex(({ plain }, index, now) =>
    plain.transactionSync(() => writeAppendRows(plain.sql, ROW_WRITES_IN_TRANSACTION_FIRST_INDEX + index, now)),
  ),
} satisfies Record<AppendStage, Stage>;

function hashBenchEvent(event: EventEnvelope): number {
  const json = JSON.stringify(event.payload);
  return utf8Length(json) + hashEvent(PLACEHOLDER_HASH, event, json).length;
}

/** Writes the rows a single-operation append of thing `index` writes: event, thing, counters, log head. */
function writeAppendRows(sql: SqlExecutor, index: number, now: number): void {
  const counters = new CounterDeltas();
  insertBareEvent(sql, index, now);
  applyToProjections(sql, benchEvent(index, now), counters);
  counters.flush(sql);
  upsertBareHead(sql, index);
}

const stageIds = new UuidV7Generator();
// Stages that write event rows or things start past every index another stage uses.
const BATCH_STAGE_FIRST_INDEX = 1_000_000_000;
const ROW_WRITES_FIRST_INDEX = 2_000_000_000;
const ROW_WRITES_IN_TRANSACTION_FIRST_INDEX = 3_000_000_000;
const PROJECT_BATCH_FIRST_INDEX = 4_000_000_000;
