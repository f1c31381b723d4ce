import type { AppendContext, EventDraft, EventEnvelope } from '../../events/envelope';
import { applyToProjections } from '../../projections/apply';
import { CounterDeltas } from '../../projections/counters';
import type { SqlExecutor } from '../../projections/projection';
import type { EventLog, LogHead, StagedEvents } from './event-log';
import type { CommandTx } from './tenant-store';

/**
 * The state of one write inside its SQLite transaction, handed to the command as
 * its `CommandTx`. Emitted events are applied to the projections at once. Their
 * `events` rows, the log head and the projection counter changes wait in memory
 * until `storeEmitted` writes them with as few statements as it can.
 */
export class WriteTransaction implements CommandTx {
  readonly appended: EventEnvelope[] = [];
  /** Head after the last emitted event; the store adopts it once the transaction commits. */
  head: LogHead;
  private readonly counters = new CounterDeltas();
  private unstored: StagedEvents;

  constructor(
    readonly sql: SqlExecutor,
    readonly now: number,
    private readonly log: EventLog,
    private readonly context: AppendContext,
    private readonly startHead: LogHead,
  ) {
    this.head = startHead;
    this.unstored = { events: [], payloadJson: [], head: startHead };
  }

  get appendedBytes(): number {
    return this.head.bytes - this.startHead.bytes;
  }

  counterDelta(name: string): number {
    return this.counters.total(name);
  }

  emit(drafts: readonly EventDraft[], causationId: string | null = null): EventEnvelope[] {
    const staged = this.log.stage(this.head, drafts, this.context, causationId);
    this.head = staged.head;
    for (const event of staged.events) applyToProjections(this.sql, event, this.counters);
    this.unstored.events.push(...staged.events);
    this.unstored.payloadJson.push(...staged.payloadJson);
    this.unstored.head = staged.head;
    this.appended.push(...staged.events);
    return staged.events;
  }

  /** Writes the events emitted since the last call, the log head after them and the counter changes. */
  storeEmitted(): void {
    if (this.unstored.events.length > 0) {
      this.log.store(this.unstored.events, this.unstored.payloadJson, this.unstored.head);
      this.unstored = { events: [], payloadJson: [], head: this.head };
    }
    this.counters.flush(this.sql);
  }
}
