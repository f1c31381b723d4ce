/**
 * One flush round of a tenant object: its pending events become Parquet files in R2
 * and a commit to the Iceberg table. Steps, in order:
 *
 * 1. Fix the round's range `(flushedSeq, plannedLastSeq]` and store `plannedLastSeq`
 *    durably, or reuse the range of a round that failed or crashed.
 * 2. Encode the range as data files and put each one to R2 (deterministic keys).
 * 3. Send the files to the catalog and wait until its commit is durable.
 * 4. In one transaction, advance `flushedSeq` and trim events that are committed and
 *    older than the retention.
 *
 * A crash or error at any step leaves `flushedSeq` where it was and the plan in
 * place. The next round rewrites the same objects, and the catalog skips files it
 * has already committed, so every event ends up in the table exactly once.
 */
import type { EventEnvelope } from '../../events/envelope';
import type { Clock } from '../clock';
import { TenantlogError } from '../errors';
import type { EventLog } from '../tenant/event-log';
import type { CommitRequest, CommitResult } from './catalog-types';
import type { DataFileWriter } from './data-file-writer';
import type { PipelineConfig } from './pipeline-config';
import type { PipelineStateStore } from './pipeline-state';

/** Test-only switches that make a round fail at one step, as a crash there would. */
export interface FlushFaults {
  /** Throw once the data files are put, before the commit request. */
  afterParquetPut?: boolean;
  /** Throw once the catalog has committed, before `flushedSeq` advances. */
  beforeFlushedSeqAdvances?: boolean;
}

export interface FlushContext {
  storage: DurableObjectStorage;
  log: EventLog;
  state: PipelineStateStore;
  bucket: R2Bucket;
  writer: DataFileWriter;
  commit(request: CommitRequest): Promise<CommitResult>;
  config: PipelineConfig;
  clock: Clock;
  faults: FlushFaults;
}

export interface FlushRoundResult {
  /** Events this round committed; 0 when nothing was pending. */
  events: number;
  files: number;
  flushedSeq: number;
  /** Snapshot that contains the round's files; null when the round had nothing to flush. */
  snapshotId: string | null;
  /** Size of the round's events as stored: text columns in characters (close to bytes for mostly ASCII data) plus 8 per number. */
  eventBytes: number;
  /** Size of all the tenant's committed data files afterwards, in bytes; null when the round had nothing to flush. */
  tenantBytes: number | null;
}

/** Events read from SQLite per query while encoding. */
const READ_PAGE_SIZE = 1000;

/** Runs one flush round for `tenant`. Throws on any failure; the caller records it and retries later. */
export async function flushRound(context: FlushContext, tenant: string): Promise<FlushRoundResult> {
  const { log, state, config, clock, storage } = context;
  const before = state.read();
  const head = log.readHead(tenant);

  // 1. The range of this round, stored before anything is written.
  let lastSeq = before.plannedLastSeq;
  if (lastSeq === null) {
    lastSeq = Math.min(head.seq, before.flushedSeq + config.flushRoundMaxEvents);
    if (lastSeq <= before.flushedSeq) {
      return { events: 0, files: 0, flushedSeq: before.flushedSeq, snapshotId: null, eventBytes: 0, tenantBytes: null };
    }
    state.setPlannedLastSeq(lastSeq);
    await storage.sync();
  }

  // 2. Data files, each stored before the next is encoded.
  const range = localRange(log, tenant, before.flushedSeq, lastSeq);
  const files: CommitRequest['files'] = [];
  for (const file of context.writer.write(range.events())) {
    await context.bucket.put(file.key, file.bytes, { httpMetadata: { contentType: file.contentType } });
    files.push(file.commit);
  }
  if (context.faults.afterParquetPut) throw new Error('injected fault: after the Parquet put');

  // 3. The commit; resolves once the catalog's record contains it.
  const committed = await context.commit({ tenant, files, ...range.hashes() });
  if (context.faults.beforeFlushedSeqAdvances) throw new Error('injected fault: before flushedSeq advances');

  // 4. Advance and trim together, so a trimmed event is always a committed one.
  const eventBytes = storedBytes(storage.sql, before.flushedSeq, lastSeq);
  const now = clock.now();
  const trimBelow = lastSeq - config.localRetentionEvents;
  const after = storage.transactionSync(() => {
    if (trimBelow > 0) storage.sql.exec(`DELETE FROM events WHERE seq <= ?`, trimBelow);
    return state.advance(lastSeq, now);
  });
  state.adopt(after);
  return {
    events: lastSeq - before.flushedSeq,
    files: files.length,
    flushedSeq: lastSeq,
    snapshotId: committed.snapshotId,
    eventBytes,
    tenantBytes: committed.tenantBytes,
  };
}

/**
 * Reads the stored events `afterSeq+1..lastSeq` lazily in pages and records the
 * hashes at both ends for the commit request. Throws LOG_INTEGRITY when an event
 * of the range is not held locally, which would mean it was trimmed unflushed.
 */
function localRange(log: EventLog, tenant: string, afterSeq: number, lastSeq: number) {
  let prevHash: string | null = null;
  let lastHash: string | null = null;
  const missing = (seq: number) =>
    new TenantlogError('LOG_INTEGRITY', `flush of tenant ${tenant} needs seq ${seq}, which is not held locally`);

  return {
    *events(): Generator<EventEnvelope> {
      let seq = afterSeq;
      while (seq < lastSeq) {
        const page = log.readAfter(tenant, seq, Math.min(READ_PAGE_SIZE, lastSeq - seq), false);
        if (page.length === 0) throw missing(seq + 1);
        for (const event of page) {
          if (event.seq !== seq + 1) throw missing(seq + 1);
          prevHash ??= event.prevHash;
          lastHash = event.hash;
          seq = event.seq;
          yield event;
        }
      }
    },
    /** Hashes at both ends of the range; call once `events` has been read to the end. */
    hashes(): { prevHash: string; lastHash: string } {
      if (prevHash === null || lastHash === null) throw missing(afterSeq + 1);
      return { prevHash, lastHash };
    },
  };
}

/**
 * Sums the stored size of events `afterSeq+1..lastSeq` in SQLite, so that cost
 * attribution allocates nothing per event in JavaScript. Call it before the range is trimmed.
 */
function storedBytes(sql: SqlStorage, afterSeq: number, lastSeq: number): number {
  const row = sql
    .exec<{ bytes: number | null }>(
      `SELECT SUM(length(id) + length(type) + IFNULL(length(actor), 0) + length(correlation_id) + IFNULL(length(causation_id), 0)
         + IFNULL(length(idempotency_key), 0) + length(payload) + length(prev_hash) + length(hash) + 24) AS bytes
       FROM events WHERE seq > ? AND seq <= ?`,
      afterSeq,
      lastSeq,
    )
    .one();
  return row.bytes ?? 0;
}
