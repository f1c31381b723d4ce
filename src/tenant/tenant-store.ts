import type { EventDraft, EventEnvelope } from '../../events/envelope';
import { UuidV7Generator } from '../../events/uuidv7';
import { applyEventsToProjections, createProjectionSchema, resetProjections } from '../../projections/apply';
import { type ProjectionChecksum, projectionChecksum } from '../../projections/checksum';
import { CounterDeltas } from '../../projections/counters';
import type { SqlExecutor } from '../../projections/projection';
import type { Clock } from '../clock';
import { EventLog } from './event-log';
import {
  findStoredResponse,
  type IdempotencyRequest,
  idempotencySchema,
  purgeExpiredKeys,
  type StoredResponse,
  storeResponse,
} from './idempotency';
import { WriteTransaction } from './write-transaction';

/** Who is writing and how the write is identified; shared by every event it appends. */
export interface WriteRequest {
  tenant: string;
  actor: string | null;
  correlationId: string;
  idempotency: IdempotencyRequest | null;
}

/** What a command sees inside the write transaction. */
export interface CommandTx {
  readonly sql: SqlExecutor;
  /** Time of the write, ms since the Unix epoch; every event of the write carries it. */
  readonly now: number;
  /**
   * Appends events. They reach the projections before the next statement through
   * `sql` (or the store's `sql`) and before `counterDelta`, so later reads in the
   * same transaction (and later operations of a batch) see their effect, while a
   * run of events without a read between them is applied together. The `events`
   * rows, the log head and the projection counters are written once per write,
   * after the command and before the write guards' checks.
   */
  emit(drafts: readonly EventDraft[], causationId?: string | null): EventEnvelope[];
  /** Events appended so far by this write. */
  readonly appended: readonly EventEnvelope[];
  /** UTF-8 bytes of the payloads of `appended`, which the log head's `bytes` grows by. */
  readonly appendedBytes: number;
  /** Net change this write's events made so far to projection counter `name` (see `projection_counters`). */
  counterDelta(name: string): number;
}

export interface WriteResult {
  response: StoredResponse;
  /** True when an earlier response to the same `Idempotency-Key` was returned. */
  replayed: boolean;
  events: EventEnvelope[];
}

export type CommitListener = (events: readonly EventEnvelope[]) => void;

/**
 * Runs inside every write transaction before the command; the check it returns
 * runs after the command, when `tx.appended` and the projections show the write's
 * effect. A throw from either rolls the whole write back (quotas use this).
 */
export type WriteGuard = (tx: CommandTx) => ((tx: CommandTx) => void) | void;

/** Events a rebuild hands to the projections at once. */
const REBUILD_RUN_EVENTS = 1000;

/** Interval between purges of expired idempotency keys, in ms. */
const PURGE_INTERVAL_MS = 60 * 60 * 1000;

/**
 * The write path of one tenant: every mutation runs as a command inside one
 * SQLite transaction that checks the idempotency key, appends events, applies
 * them to the projections and stores the response for replays. Any throw rolls
 * all of it back.
 */
export class TenantStore {
  readonly log: EventLog;
  private readonly commitListeners: CommitListener[] = [];
  private readonly writeGuards: WriteGuard[] = [];
  private lastPurgeAt = 0;
  /** The write whose transaction is open, if any. */
  private activeWrite: WriteTransaction | null = null;

  constructor(
    private readonly storage: DurableObjectStorage,
    readonly clock: Clock,
    ids = new UuidV7Generator(),
  ) {
    this.log = new EventLog(storage.sql, ids);
    storage.transactionSync(() => {
      for (const statement of idempotencySchema) storage.sql.exec(statement);
      createProjectionSchema(storage.sql);
    });
  }

  /**
   * The tenant's SQL. During a write it is the write's `CommandTx.sql`, so code
   * that reads through the store inside a command sees the write's events applied.
   */
  get sql(): SqlExecutor {
    return this.activeWrite?.sql ?? this.storage.sql;
  }

  /** Registers a callback that runs after each committed write that appended events. */
  onCommit(listener: CommitListener): void {
    this.commitListeners.push(listener);
  }

  /** Registers a guard that every later write runs inside its transaction. */
  addWriteGuard(guard: WriteGuard): void {
    this.writeGuards.push(guard);
  }

  /**
   * Runs `command` in one transaction. `command` returns the response to send; it
   * is stored with the idempotency key so a repeat gets the same status and body.
   */
  write(request: WriteRequest, command: (tx: CommandTx) => StoredResponse): WriteResult {
    const now = this.clock.now();
    const sql = this.storage.sql;
    const appendContext = {
      actor: request.actor,
      correlationId: request.correlationId,
      idempotencyKey: request.idempotency?.key ?? null,
      now,
    };
    const tx = new WriteTransaction(sql, now, this.log, appendContext, this.log.readHead(request.tenant));

    this.activeWrite = tx;
    const outcome = this.runTransaction((): { response: StoredResponse; replayed: boolean } => {
      if (request.idempotency) {
        const stored = findStoredResponse(sql, request.idempotency, now);
        if (stored) return { response: stored, replayed: true };
      }

      const checks = this.writeGuards.map((guard) => guard(tx));
      const response = command(tx);
      tx.storeEmitted();
      for (const check of checks) check?.(tx);
      // A check that emitted events of its own gets them stored too.
      tx.storeEmitted();
      if (request.idempotency) storeResponse(sql, request.idempotency, response, now);
      return { response, replayed: false };
    });

    this.log.commitHead(tx.head);
    if (tx.appended.length > 0) {
      for (const listener of this.commitListeners) listener(tx.appended);
    }
    this.purgeIdempotencyKeys(now);
    return { ...outcome, events: tx.appended };
  }

  /**
   * Drops every projection and replays `events` into them in one transaction, so
   * readers never see a half-built state. `events` must be the whole log from seq 1
   * in order, as the hash chain check in the log reader guarantees.
   */
  rebuildProjections(events: Iterable<EventEnvelope>): { events: number; checksum: ProjectionChecksum } {
    const sql = this.storage.sql;
    return this.storage.transactionSync(() => {
      resetProjections(sql);
      const counters = new CounterDeltas();
      let count = 0;
      // Events go to the projections in runs, so runs of creates take multi-row INSERTs as in a write.
      let run: EventEnvelope[] = [];
      for (const event of events) {
        run.push(event);
        count += 1;
        if (run.length === REBUILD_RUN_EVENTS) {
          applyEventsToProjections(sql, run, counters);
          run = [];
        }
      }
      applyEventsToProjections(sql, run, counters);
      counters.flush(sql);
      return { events: count, checksum: projectionChecksum(sql) };
    });
  }

  checksum(): ProjectionChecksum {
    return projectionChecksum(this.storage.sql);
  }

  /** Runs `work` in `transactionSync` and ends the active write with it, also when it throws. */
  private runTransaction<T>(work: () => T): T {
    try {
      return this.storage.transactionSync(work);
    } finally {
      this.activeWrite = null;
    }
  }

  private purgeIdempotencyKeys(now: number): void {
    if (now - this.lastPurgeAt < PURGE_INTERVAL_MS) return;
    this.lastPurgeAt = now;
    purgeExpiredKeys(this.storage.sql, now);
  }
}
