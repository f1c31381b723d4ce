import type { EventEnvelope } from '../../events/envelope';
import { readTenantLog, type ReadTenantLogOptions, type TenantLogSource } from '../../pipelines/log-reader';
import type { ProjectionChecksum } from '../../projections/checksum';
import type { Clock } from '../clock';
import type { CostRecorder } from '../cost/collector';
import type { Env } from '../env';
import { TenantlogError } from '../errors';
import { METRIC } from '../observability/catalogue';
import { errorFields, log } from '../observability/log';
import type { MetricsRecorder } from '../observability/metrics';
import type { AlarmScheduler } from '../tenant/alarm-scheduler';
import type { PipelineHealth } from '../tenant/api/context';
import type { TenantStore } from '../tenant/tenant-store';
import { catalogStub, requestCommit } from './catalog-types';
import { parquetDataFileWriter } from './data-file-writer';
import { type FlushFaults, flushRound, type FlushRoundResult } from './flush';
import { type PipelineConfig, readPipelineConfig } from './pipeline-config';
import { PipelineStateStore } from './pipeline-state';
import { ProjectionRebuild } from './projection-rebuild';
import { tenantLogSource } from './tenant-log-source';

/** Alarm task that flushes pending events. */
export const FLUSH_TASK = 'pipeline.flush';

/** Delay before the first retry of a failed flush, in ms; it doubles per failure up to `MAX_RETRY_DELAY_MS`. */
const FIRST_RETRY_DELAY_MS = 1_000;
const MAX_RETRY_DELAY_MS = 60_000;

export interface TenantPipelineContext {
  ctx: DurableObjectState;
  env: Env;
  store: TenantStore;
  clock: Clock;
  scheduler: AlarmScheduler;
  /** Receivers of the pipeline's R2 operations, delivered events and flush durations. */
  telemetry: { readonly cost: CostRecorder; readonly metrics: MetricsRecorder };
  /** Tenant slug of the object, or null before its first request. */
  tenant(): string | null;
}

/** Result of `POST /admin/checkpoint`. */
export interface CheckpointResult {
  flushedSeq: number;
  /** Data files written by this checkpoint's rounds. */
  files: number;
  events: number;
  /** Snapshot holding the last round's files; null when nothing was pending. */
  snapshotId: string | null;
  durationMs: number;
}

/** Result of `POST /admin/projections/rebuild`. */
export interface RebuildResult {
  events: number;
  lastSeq: number;
  checksumBefore: string;
  checksum: ProjectionChecksum;
}

/**
 * The pipeline inside one tenant object: it flushes pending events to the Iceberg
 * table from the object's alarm, reads the whole log back (R2 for trimmed events,
 * SQLite for the rest), and rebuilds projections from it.
 *
 * It is part of every tenant object rather than an optional plugin, because the
 * log reader it provides serves core routes (`GET /events`, rebuild) once events are
 * trimmed locally, and trimming is only safe while flushing runs.
 *
 * When a flush is due: `FLUSH_MAX_EVENTS` pending events make it due at once;
 * otherwise it is due `FLUSH_INTERVAL_MS` after the oldest pending event occurred.
 * At most one round runs at a time in an object; `checkpoint` waits for a running one.
 */
export class TenantPipeline {
  /** Test-only fault injection, set through `runInDurableObject`; nothing else sets it. */
  faults: FlushFaults = {};
  /** Test-only settings that replace the Worker's variables, set through `runInDurableObject`. */
  configOverrides: Partial<PipelineConfig> = {};
  readonly state: PipelineStateStore;
  private readonly rebuilds: ProjectionRebuild;
  private inFlight: Promise<FlushRoundResult> | null = null;
  /** Due time of the flush task as last scheduled by this instance; null when not scheduled. */
  private knownDueAt: number | null;
  private config: PipelineConfig | null = null;

  constructor(private readonly context: TenantPipelineContext) {
    const { ctx, store, scheduler } = context;
    this.state = new PipelineStateStore(ctx.storage.sql);
    this.rebuilds = new ProjectionRebuild(ctx.storage);
    this.knownDueAt = scheduler.dueAt(FLUSH_TASK);
    scheduler.register(FLUSH_TASK, () => this.runScheduledFlush());
    store.onCommit((events) => this.scheduleAfterCommit(events));

    const tenant = context.tenant();
    if (tenant !== null && this.rebuilds.interrupted()) {
      // Half-built projections must not be served: finish the rebuild before any request runs.
      void ctx.blockConcurrencyWhile(async () => {
        log('warn', 'projection rebuild was interrupted; running it again', { tenant });
        await this.rebuilds.rebuild(this.logSource(tenant), context.clock.now());
      });
    }
  }

  pipelineConfig(): PipelineConfig {
    this.config ??= readPipelineConfig(this.context.env);
    return { ...this.config, ...this.configOverrides };
  }

  /** Flushes until every event appended before the call is committed; throws UNAVAILABLE when a round fails. */
  async checkpoint(tenant: string): Promise<CheckpointResult> {
    const started = this.context.clock.now();
    const target = this.context.store.log.readHead(tenant).seq;
    const result: CheckpointResult = { flushedSeq: this.state.read().flushedSeq, files: 0, events: 0, snapshotId: null, durationMs: 0 };
    while (this.state.read().flushedSeq < target) {
      let round: FlushRoundResult;
      try {
        round = await this.flushExclusive(tenant);
      } catch (error) {
        throw new TenantlogError('UNAVAILABLE', `checkpoint of tenant ${tenant} failed: ${messageOf(error)}`, {
          cause: error,
          headers: { 'retry-after': '1' },
        });
      }
      result.files += round.files;
      result.events += round.events;
      result.snapshotId = round.snapshotId ?? result.snapshotId;
      if (round.events === 0) break;
    }
    result.flushedSeq = this.state.read().flushedSeq;
    result.durationMs = Math.max(0, this.context.clock.now() - started);
    return result;
  }

  /** Returns the pipeline component of `GET /health`. */
  health(tenant: string): PipelineHealth {
    const state = this.state.read();
    const now = this.context.clock.now();
    const pendingEvents = Math.max(0, this.context.store.log.readHead(tenant).seq - state.flushedSeq);
    const oldestPendingAt = pendingEvents > 0 ? this.occurredAtOf(state.flushedSeq + 1) : null;
    const failingForMs = state.failingSince === null ? null : now - state.failingSince;
    const degraded = failingForMs !== null && failingForMs > this.pipelineConfig().degradedAfterMs;
    return {
      status: degraded ? 'degraded' : 'healthy',
      pendingEvents,
      flushedSeq: state.flushedSeq,
      lastFlushAt: state.lastFlushAt === null ? null : new Date(state.lastFlushAt).toISOString(),
      lagMs: oldestPendingAt === null ? 0 : Math.max(0, now - oldestPendingAt),
      ...(state.lastError !== null && { lastError: state.lastError, failingForMs }),
    };
  }

  /** Reads the tenant's log from wherever each part lives; see `readTenantLog`. */
  readLog(tenant: string, options: ReadTenantLogOptions = {}): AsyncGenerator<EventEnvelope[]> {
    return readTenantLog(this.logSource(tenant), options);
  }

  /**
   * Reads the stored events with `seq > afterSeq` for `GET /events`: at most `limit`,
   * and no more payload text than `maxBytes` (but at least one event). The page comes
   * from SQLite when it still has the events and through the log reader otherwise.
   */
  async readPage(tenant: string, afterSeq: number, limit: number, maxBytes: number): Promise<EventEnvelope[]> {
    const log = this.context.store.log;
    const oldestLocal = log.oldestLocalSeq();
    const headSeq = log.readHead(tenant).seq;
    if (afterSeq >= headSeq || (oldestLocal !== null && oldestLocal <= afterSeq + 1)) {
      return log.readAfter(tenant, afterSeq, limit, false, maxBytes);
    }
    const batches = readTenantLog(this.logSource(tenant), { fromSeq: afterSeq + 1, toSeq: afterSeq + limit, batchSize: limit });
    const events = async function* () {
      for await (const batch of batches) yield* batch;
    };
    const page: EventEnvelope[] = [];
    let bytes = 0;
    for await (const event of events()) {
      const size = JSON.stringify(event.payload).length;
      if (page.length > 0 && bytes + size > maxBytes) break;
      page.push(event);
      bytes += size;
    }
    return page;
  }

  /**
   * Rebuilds every projection from the whole log. A log held wholly in SQLite is
   * replayed in one transaction, as before any trimming. Otherwise the object
   * accepts nothing else meanwhile: it first reads the whole log to check it, so a
   * broken or unreadable log fails with nothing changed, then replays it in chunks
   * (see `ProjectionRebuild`). Throws LOG_INTEGRITY or UNAVAILABLE from the check.
   */
  async rebuildProjections(tenant: string): Promise<RebuildResult> {
    const { ctx, store, clock } = this.context;
    const checksumBefore = store.checksum().checksum;
    const lastSeq = store.log.readHead(tenant).seq;
    const oldestLocal = store.log.oldestLocalSeq();
    if (lastSeq === 0 || oldestLocal === 1) {
      const result = store.rebuildProjections(store.log.iterateLocal(tenant));
      return { events: result.events, lastSeq, checksumBefore, checksum: result.checksum };
    }

    const source = this.logSource(tenant);
    const outcome = await ctx.blockConcurrencyWhile(async (): Promise<{ events: number } | { error: unknown }> => {
      try {
        await this.rebuilds.check(source);
      } catch (error) {
        // Nothing has changed yet, so the object goes on serving; only a failure after the reset below resets it.
        return { error };
      }
      return { events: await this.rebuilds.rebuild(source, clock.now()) };
    });
    if ('error' in outcome) throw outcome.error;
    return { events: outcome.events, lastSeq, checksumBefore, checksum: store.checksum() };
  }

  logSource(tenant: string): TenantLogSource {
    const { store, env } = this.context;
    return tenantLogSource(tenant, store.log, catalogStub(env), env.LOG, () => this.context.telemetry.cost.trackR2Operations('B'));
  }

  /** Runs one round once no other round is running; records a failure before rethrowing it. */
  private async flushExclusive(tenant: string): Promise<FlushRoundResult> {
    while (this.inFlight !== null) await this.inFlight.catch(() => undefined);
    const { ctx, env, store, clock } = this.context;
    const config = this.pipelineConfig();
    const round = flushRound(
      {
        storage: ctx.storage,
        log: store.log,
        state: this.state,
        bucket: env.LOG,
        writer: parquetDataFileWriter(config.tableLocation),
        commit: (request) => requestCommit(catalogStub(env), request),
        config,
        clock,
        faults: this.faults,
      },
      tenant,
    );
    this.inFlight = round;
    const started = clock.now();
    try {
      const result = await round;
      this.recordRound(result, clock.now() - started);
      return result;
    } catch (error) {
      const state = this.state.recordFailure(messageOf(error), clock.now());
      log('error', 'flush failed', { tenant, flushedSeq: state.flushedSeq, consecutiveFailures: state.consecutiveFailures, ...errorFields(error) });
      throw error;
    } finally {
      this.inFlight = null;
    }
  }

  /** Runs the alarm task: one round, then returns the next due time, or a retry time with backoff after a failure. */
  private async runScheduledFlush(): Promise<number | null> {
    this.knownDueAt = null;
    const tenant = this.context.tenant();
    if (tenant === null) return null;
    let next: number | null;
    try {
      // A backlog left by the round cap is old enough to be due again at once.
      await this.flushExclusive(tenant);
      next = this.dueAt(tenant);
    } catch {
      const failures = this.state.read().consecutiveFailures;
      next = this.context.clock.now() + Math.min(MAX_RETRY_DELAY_MS, FIRST_RETRY_DELAY_MS * 2 ** Math.max(0, failures - 1));
    }
    if (next !== null) this.knownDueAt = Math.min(this.knownDueAt ?? next, next);
    return next;
  }

  /** Reports a successful round's work for cost attribution and the checkpoint duration histogram. */
  private recordRound(round: FlushRoundResult, durationMs: number): void {
    if (round.events === 0) return;
    const { cost, metrics } = this.context.telemetry;
    cost.trackPipelineEvents(round.events, round.eventBytes);
    cost.trackR2Operations('A', round.files);
    if (round.tenantBytes !== null) cost.setR2StorageBytes(round.tenantBytes);
    metrics.observe(METRIC.checkpointDuration, {}, durationMs / 1000);
  }

  /** When the next flush is due given what is pending now; null when nothing is. */
  private dueAt(tenant: string): number | null {
    const config = this.pipelineConfig();
    const flushedSeq = this.state.read().flushedSeq;
    const pending = this.context.store.log.readHead(tenant).seq - flushedSeq;
    if (pending <= 0) return null;
    if (pending >= config.flushMaxEvents) return this.context.clock.now();
    return (this.occurredAtOf(flushedSeq + 1) ?? this.context.clock.now()) + config.flushIntervalMs;
  }

  /**
   * Makes the flush task due for the events just committed. Runs after every write,
   * so it only touches storage when the due time moves earlier: the first pending
   * event sets it, and reaching `FLUSH_MAX_EVENTS` pulls it to now.
   */
  private scheduleAfterCommit(events: readonly EventEnvelope[]): void {
    const last = events[events.length - 1];
    if (last === undefined) return;
    const config = this.pipelineConfig();
    const flushedSeq = this.state.read().flushedSeq;
    const pending = last.seq - flushedSeq;
    let due: number;
    if (pending >= config.flushMaxEvents) {
      due = this.context.clock.now();
    } else if (this.knownDueAt !== null) {
      return;
    } else {
      const first = events[0]!;
      const oldestPendingAt = first.seq === flushedSeq + 1 ? first.occurredAt : this.occurredAtOf(flushedSeq + 1);
      due = (oldestPendingAt ?? first.occurredAt) + config.flushIntervalMs;
    }
    if (this.knownDueAt !== null && this.knownDueAt <= due) return;
    this.knownDueAt = due;
    this.context.scheduler.schedule(FLUSH_TASK, due).catch((error: unknown) => {
      this.knownDueAt = null;
      log('error', 'could not schedule the flush alarm', { tenant: last.tenant, dueAt: due, ...errorFields(error) });
    });
  }

  private occurredAtOf(seq: number): number | null {
    const row = this.context.ctx.storage.sql
      .exec<{ occurred_at: number }>(`SELECT occurred_at FROM events WHERE seq = ?`, seq)
      .toArray()[0];
    return row?.occurred_at ?? null;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
