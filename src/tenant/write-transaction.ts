import type { AppendContext, EventDraft, EventEnvelope } from '../../events/envelope';
import { applyEventsToProjections } from '../../projections/apply';
import { CounterDeltas } from '../../projections/counters';
import type { SqlExecutor } from '../../projections/projection';
import type { EventLog, LogHead, StagedEvents } from './event-log';
import type { CommandTx } from './tenant-store';

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
