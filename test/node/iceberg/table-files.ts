/** Builds an events table in memory by running real commits; for Node tests that read it independently. */
import { createEventTable, planCommit, type CommitPlan, type EventTableState } from '../../../pipelines/iceberg/commit';
import type { EventDataFileInput } from '../../../pipelines/iceberg/event-data-file';
import { ManualClock } from '../../../src/clock';

export class MemoryTable {
  readonly files = new Map<string, Uint8Array>();
  readonly plans: CommitPlan[] = [];
  readonly clock = new ManualClock(1_718_000_000_000);
  state: EventTableState;

  constructor(readonly location: string, properties?: Record<string, string>) {
    const created = createEventTable({ location, clock: this.clock, ...(properties && { properties }) });
    for (const file of created.files) this.files.set(file.path, file.bytes);
    this.state = created.state;
  }

  readFile = async (path: string): Promise<Uint8Array> => {
    const bytes = this.files.get(path);
    if (bytes === undefined) throw new Error(`memory table: no file ${path}`);
    return bytes;
  };

  async commit(files: EventDataFileInput[]): Promise<CommitPlan> {
    const plan = await planCommit(this.state, files, { clock: this.clock, readFile: this.readFile });
    for (const file of [...plan.files, plan.versionHint]) this.files.set(file.path, file.bytes);
    this.plans.push(plan);
    this.state = plan.nextState;
    return plan;
  }
}
