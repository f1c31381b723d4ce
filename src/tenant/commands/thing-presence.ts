import { readThingPresences, thingPresence } from '../../../projections/things';
import type { CommandTx } from '../tenant-store';

/** Whether a thing exists, and the last version of a deleted thing with its id (0 if none). */
export type ThingPresence = ReturnType<typeof thingPresence>;

/** Looks up the presence of thing `id` as the write's events so far left it. */
export type ThingPresenceLookup = (id: string) => ThingPresence;

/**
 * The presence of many thing ids, read in one statement before a batch runs, so
 * that each create of the batch need not query its id. The snapshot follows the
 * write's events: an id that a later `thing.created` names exists from then on,
 * and an id that any other thing event names is queried again (through `tx.sql`,
 * after the waiting events are applied). Ids outside the snapshot are queried too.
 */
export class ThingPresenceSnapshot {
  private readonly known = new Map<string, ThingPresence>();
  private readonly stale = new Set<string>();
  /** Index into `tx.appended` of the first event the snapshot has not followed yet. */
  private followed: number;

  constructor(
    private readonly tx: CommandTx,
    ids: readonly string[],
  ) {
    this.followed = tx.appended.length;
    const found = readThingPresences(tx.sql, ids);
    for (const id of ids) this.known.set(id, found.get(id) ?? { exists: false, deletedVersion: 0 });
  }

  readonly lookup: ThingPresenceLookup = (id) => {
    this.followEvents();
    const presence = this.stale.has(id) ? undefined : this.known.get(id);
    return presence ?? thingPresence(this.tx.sql, id);
  };

  private followEvents(): void {
    const appended = this.tx.appended;
    for (; this.followed < appended.length; this.followed++) {
      const event = appended[this.followed]!;
      if (!event.type.startsWith('thing.')) continue;
      const id = (event.payload as { id: string }).id;
      if (event.type === 'thing.created') {
        this.known.set(id, { exists: true, deletedVersion: 0 });
        this.stale.delete(id);
      } else {
        this.stale.add(id);
      }
    }
  }
}
