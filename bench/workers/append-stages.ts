import { validatePayload } from '../../events/catalogue';
import { hashEvent } from '../../events/hash';
import { UuidV7Generator } from '../../events/uuidv7';
import { applyToProjections } from '../../projections/apply';
import { readThing } from '../../projections/things';
import { thingEtag, thingView } from '../../src/tenant/api/views';
import { jsonResponse } from '../../src/tenant/api/write';
import type { AppendStage } from './append-bench-protocol';
import { BENCH_TYPE, benchData, benchEvent, insertBareEvent, PLACEHOLDER_HASH, thingId, upsertBareHead } from './bench-rows';

/**
 * The steps of one append, each run alone on the inputs the real path would
 * give it. Timing `count` runs of one step explains where the time of the whole
 * append goes. `project` must run before `read` on the same indices, since
 * `read` reads the things that `project` created.
 */
export const appendStages = {
  /** zod validation of the `thing.created` payload. */
  validate: (_storage, index, now) => {
    validatePayload('thing.created', benchEvent(index, now).payload);
  },
  /** UUIDv7 of the event. */
  id: (_storage, _index, now) => {
    stageIds.next(now);
  },
  /** Canonical JSON and SHA-256 of the event. */
  hash: (_storage, index, now) => {
    hashEvent(PLACEHOLDER_HASH, benchEvent(index, now));
  },
  /** INSERT of the event row. */
  insert: (storage, index, now) => {
    insertBareEvent(storage.sql, index, now);
  },
  /** Upsert of the log head. */
  head: (storage, index) => {
    upsertBareHead(storage.sql, index);
  },
  /** Every projection applying the event: read of the previous state, things row, counters. */
  project: (storage, index, now) => {
    applyToProjections(storage.sql, benchEvent(index, now));
  },
  /** One read of the thing, as `createThing` does twice (existence check, result). */
  read: (storage, index) => {
    readThing(storage.sql, thingId(index));
  },
  /** The response body the command stores and returns. */
  respond: (_storage, index, now) => {
    const thing = { id: thingId(index), type: BENCH_TYPE, data: benchData(index), version: 1, createdAt: now, updatedAt: now, seq: index + 1 };
    jsonResponse(201, thingView(thing), { etag: thingEtag(thing.version), location: `/things/${thing.id}` });
  },
  /** An empty `transactionSync`, the savepoint every write opens. */
  transaction: (storage) => {
    storage.transactionSync(() => undefined);
  },
} satisfies Record<AppendStage, (storage: DurableObjectStorage, index: number, now: number) => void>;

const stageIds = new UuidV7Generator();
