import type { Clock } from '../clock';
import { errorFields, log } from '../observability/log';

/** A task run from the Durable Object alarm. Returns when it wants to run next (ms since the epoch), or null. */
export type AlarmTask = () => Promise<number | null> | number | null;

/** Delay before a task that threw runs again, in ms. */
const RETRY_DELAY_MS = 5_000;

/**
 * Shares a Durable Object's single alarm between several tasks (pipeline flush,
 * metrics push, ...). Due times live in SQLite so they survive eviction; the
 * storage alarm is always set to the earliest of them.
 */
export class AlarmScheduler {
  private readonly tasks = new Map<string, AlarmTask>();

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly clock: Clock,
    private readonly tenant: () => string | null,
  ) {
    storage.sql.exec(`CREATE TABLE IF NOT EXISTS alarm_tasks (name TEXT PRIMARY KEY, due_at INTEGER NOT NULL) WITHOUT ROWID`);
  }

  /** Registers the code of a task; call from the object's constructor, before any alarm can run. */
  register(name: string, task: AlarmTask): void {
    if (this.tasks.has(name)) throw new Error(`alarm task ${name} is already registered`);
    this.tasks.set(name, task);
  }

  /** Makes `name` due at `at` (or earlier, if it is already due sooner). */
  async schedule(name: string, at: number): Promise<void> {
    this.storage.sql.exec(
      `INSERT INTO alarm_tasks (name, due_at) VALUES (?, ?)
       ON CONFLICT(name) DO UPDATE SET due_at = MIN(due_at, excluded.due_at)`,
      name,
      Math.floor(at),
    );
    await this.armEarliest();
  }

  /** Removes a pending run of `name`. */
  async cancel(name: string): Promise<void> {
    this.storage.sql.exec(`DELETE FROM alarm_tasks WHERE name = ?`, name);
    await this.armEarliest();
  }

  /** Due time of `name`, or null when it is not scheduled. */
  dueAt(name: string): number | null {
    const row = this.storage.sql
      .exec<{ due_at: number }>(`SELECT due_at FROM alarm_tasks WHERE name = ?`, name)
      .toArray()[0];
    return row?.due_at ?? null;
  }

  /** Runs every due task; call from the Durable Object's `alarm()` handler. */
  async run(): Promise<void> {
    const now = this.clock.now();
    const due = this.storage.sql
      .exec<{ name: string }>(`SELECT name FROM alarm_tasks WHERE due_at <= ? ORDER BY due_at`, now)
      .toArray();

    for (const { name } of due) {
      this.storage.sql.exec(`DELETE FROM alarm_tasks WHERE name = ?`, name);
      const task = this.tasks.get(name);
      if (!task) {
        log('warn', 'alarm task has no registered code; dropped', { task: name, tenant: this.tenant() });
        continue;
      }
      try {
        const next = await task();
        if (next !== null) await this.schedule(name, next);
      } catch (error) {
        log('error', 'alarm task failed; retrying', {
          task: name,
          tenant: this.tenant(),
          retryInMs: RETRY_DELAY_MS,
          ...errorFields(error),
        });
        await this.schedule(name, this.clock.now() + RETRY_DELAY_MS);
      }
    }
    await this.armEarliest();
  }

  private async armEarliest(): Promise<void> {
    const row = this.storage.sql
      .exec<{ due_at: number | null }>(`SELECT MIN(due_at) AS due_at FROM alarm_tasks`)
      .toArray()[0];
    const earliest = row?.due_at ?? null;
    if (earliest === null) {
      await this.storage.deleteAlarm();
      return;
    }
    const current = await this.storage.getAlarm();
    if (current !== earliest) await this.storage.setAlarm(earliest);
  }
}
