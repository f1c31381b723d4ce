import type { AppendContext, EventDraft, EventEnvelope } from '../../events/envelope';
import { applyEventsToProjections } from '../../projections/apply';
import { CounterDeltas } from '../../projections/counters';
import type { SqlExecutor } from '../../projections/projection';
import type { EventLog, LogHead, StagedEvents } from './event-log';
import { TenantlogError } from '../errors';
import type { CommandTx } from './tenant-store';

/**
 * Most UTF-8 bytes of event payload JSON one write may append (8 MiB), cascades
 * included. Each event is capped at 1.5 MiB, but a batch of small patches to one
 * large thing makes every `thing.updated` event carry the whole merged data. A
 * write keeps its events, their JSON and the response in memory until it
 * commits, and a Durable Object isolate has 128 MB, so the cap leaves room for
 * several times the JSON in parsed objects and copies. `emit` checks the total
 * after each call, so a write stops at most one event (1.5 MiB) past the cap.
 * NOTE: 8 MiB is an estimate from that reasoning; the isolate's peak during a
 * write at the cap has not been measured.
 */
export const MAX_WRITE_PAYLOAD_BYTES = 8 * 1024 * 1024;

/**
 * The state of one write inside its SQLite transaction, handed to the command as
 * its `CommandTx`. Emitted events wait in memory until something needs their
 * effect, so that a run of them reaches the projections together (see
 * `applyEventsToProjections`): every statement through `sql`, `counterDelta` and
 * `storeEmitted` first applies the events still waiting. A command or guard
 * therefore always reads projection rows with every event emitted so far applied.
 * `storeEmitted` writes the `events` rows, the log head and the projection counter
 * changes with as few statements as it can.
 */
export class WriteTransaction implements CommandTx {
  readonly appended: EventEnvelope[] = [];
  /** Head after the last emitted event; the store adopts it once the transaction commits. */
  head: LogHead;
  /** The transaction's SQL: each statement runs after the waiting events are applied. */
  readonly sql: SqlExecutor;
  private readonly counters = new CounterDeltas();
  private unapplied: EventEnvelope[] = [];
  private unstored: StagedEvents;

  constructor(
    private readonly storageSql: SqlExecutor,
    readonly now: number,
    private readonly log: EventLog,
    private readonly context: AppendContext,
    private readonly startHead: LogHead,
  ) {
    this.head = startHead;
    this.unstored = { events: [], payloadJson: [], head: startHead };
    this.sql = {
      exec: (query, ...bindings) => {
        this.applyEmitted();
        return storageSql.exec(query, ...bindings);
      },
    };
  }

  get appendedBytes(): number {
    return this.head.bytes - this.startHead.bytes;
  }

  counterDelta(name: string): number {
    this.applyEmitted();
    return this.counters.total(name);
  }

  emit(drafts: readonly EventDraft[], causationId: string | null = null): EventEnvelope[] {
    const staged = this.log.stage(this.head, drafts, this.context, causationId);
    const writeBytes = staged.head.bytes - this.startHead.bytes;
    if (writeBytes > MAX_WRITE_PAYLOAD_BYTES) {
      throw new TenantlogError(
        'WRITE_TOO_LARGE',
        `the events of this write reached ${writeBytes} bytes of payload, over the limit of ${MAX_WRITE_PAYLOAD_BYTES} bytes per write; split it into smaller requests`,
        { details: { limitBytes: MAX_WRITE_PAYLOAD_BYTES, reachedBytes: writeBytes } },
      );
    }
    this.head = staged.head;
    this.unapplied.push(...staged.events);
    this.unstored.events.push(...staged.events);
    this.unstored.payloadJson.push(...staged.payloadJson);
    this.unstored.head = staged.head;
    this.appended.push(...staged.events);
    return staged.events;
  }

  /** Applies the waiting events, writes the events emitted since the last call, the log head after them and the counter changes. */
  storeEmitted(): void {
    this.applyEmitted();
    if (this.unstored.events.length > 0) {
      this.log.store(this.unstored.events, this.unstored.payloadJson, this.unstored.head);
      this.unstored = { events: [], payloadJson: [], head: this.head };
    }
    this.counters.flush(this.storageSql);
  }

  /** Applies the events emitted since the last application to the projections. */
  private applyEmitted(): void {
    if (this.unapplied.length === 0) return;
    const events = this.unapplied;
    // Cleared first: should a projection throw, the write aborts and nothing may apply the events again.
    this.unapplied = [];
    applyEventsToProjections(this.storageSql, events, this.counters);
  }
}
