import { DurableObject } from 'cloudflare:workers';

import type { CommittedFile } from '../../pipelines/log-reader';
import { type Clock, systemClock } from '../clock';
import type { Env } from '../env';
import { isTenantlogError, TenantlogError } from '../errors';
import { errorFields, log } from '../observability/log';
import { CatalogStore } from './catalog-store';
import type { CommitOutcome, CommitRequest, CommitResult, SnapshotEntry, TableSummary } from './catalog-types';
import { CommitBatcher } from './commit-batcher';
import { type PipelineConfig, readPipelineConfig } from './pipeline-config';
import { type CatalogFaults, TableCommitter } from './table-committer';

/** Maximum committed files one `committedFiles` call returns. */
const MAX_FILES_PER_CALL = 1000;
/** Maximum snapshots one `snapshots` call returns. */
export const MAX_SNAPSHOTS_PER_CALL = 1000;

/**
 * The single writer of the events table's metadata (one object, `idFromName('events')`).
 * Tenant objects send it the data files of each flush, and it batches concurrent
 * requests into one snapshot per round (see `TableCommitter` for the protocol). It
 * batches because R2 accepts about one write per second to one key, and every round
 * rewrites `version-hint.text`. Its SQLite record of the current metadata version
 * and of every committed file is the authority on the table's contents.
 */
export class CatalogDO extends DurableObject<Env> {
  /** Replaced by tests to step time; see `Clock`. */
  clock: Clock = systemClock;
  /** Test-only fault injection, set through `runInDurableObject`; nothing else sets it. */
  faults: CatalogFaults = {};
  /** Test-only settings that replace the Worker's variables, set through `runInDurableObject`. */
  configOverrides: Partial<PipelineConfig> = {};
  private readonly store: CatalogStore;
  private readonly committer: TableCommitter;
  private readonly batcher: CommitBatcher<CommitRequest, CommitResult>;
  private config: PipelineConfig | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new CatalogStore(ctx.storage);
    const clock = { now: () => this.clock.now() };
    this.committer = new TableCommitter({
      bucket: env.LOG,
      store: this.store,
      clock,
      config: () => this.pipelineConfig(),
      faults: () => this.faults,
    });
    this.batcher = new CommitBatcher({
      runRound: (requests) => this.committer.commitRound(requests),
      intervalMs: () => this.pipelineConfig().commitIntervalMs,
      now: clock.now,
    });
  }

  /**
   * Commits the data files of one flush and resolves once the commit that contains them
   * is durable in this object's record. Files committed before (by path) are skipped,
   * so a retried flush is harmless. Resolves to `{ ok: false }` with the reason when the
   * request breaks the table layout, does not continue the tenant's committed log, or its
   * round failed. Callers use `requestCommit`, which throws that reason. The promise never rejects.
   */
  async commit(request: CommitRequest): Promise<CommitOutcome> {
    try {
      return { ok: true, result: await this.batcher.submit(request) };
    } catch (error) {
      if (isTenantlogError(error)) return { ok: false, code: error.code, message: error.message };
      // Only the message crosses to the caller, so the stack is logged here.
      log('error', 'catalog commit failed', { tenant: request?.tenant, ...errorFields(error) });
      return { ok: false, code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
    }
  }

  /** Committed files of `tenant` that overlap `fromSeq..toSeq`, by seq, at most `limit` (up to 1000). */
  committedFiles(tenant: string, fromSeq: number, toSeq: number, limit = MAX_FILES_PER_CALL): CommittedFile[] {
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_FILES_PER_CALL) {
      throw new TenantlogError('VALIDATION_FAILED', `limit must be an integer from 1 to ${MAX_FILES_PER_CALL}, got ${limit}`);
    }
    return this.store.filesOverlapping(tenant, fromSeq, toSeq, limit);
  }

  /** Returns the last committed seq of `tenant` (0 when nothing is committed). */
  committedLastSeq(tenant: string): number {
    return this.store.readTenant(tenant, '').lastSeq;
  }

  summary(): TableSummary {
    return this.store.summary(this.pipelineConfig().tableLocation);
  }

  /** Snapshots newest first; `beforeSequence` continues a page. */
  snapshots(limit: number, beforeSequence: number | null = null): SnapshotEntry[] {
    return this.store.snapshots(Math.min(Math.max(1, limit), MAX_SNAPSHOTS_PER_CALL), beforeSequence);
  }

  private pipelineConfig(): PipelineConfig {
    this.config ??= readPipelineConfig(this.env);
    return { ...this.config, ...this.configOverrides };
  }
}
