/**
 * Reads one tenant's log in seq order from wherever each part of it lives: the
 * committed Parquet files of the Iceberg table for events no longer held locally,
 * then the Durable Object's local table for the rest. Every event is checked
 * against the previous one (no gap, hash chain intact) before it is yielded, and
 * events are yielded in batches so memory stays near one Parquet row group.
 */
import { upcastPayload } from '../events/catalogue';
import type { EventEnvelope } from '../events/envelope';
import { GENESIS_HASH, verifyChain } from '../events/hash';
import { TenantlogError } from '../src/errors';
import { readEventRowGroups } from './parquet';

/** A committed data file of one tenant, as the catalog records it. */
export interface CommittedFile {
  /** Object key in the bucket. */
  key: string;
  firstSeq: number;
  lastSeq: number;
  recordCount: number;
}

/**
 * Storage of one tenant's log. Events from `oldestLocalSeq()` up to the head are
 * held locally, and everything before was flushed and committed. Local events may be
 * trimmed while a read is in progress, so the reader asks again before each step.
 */
export interface TenantLogSource {
  readonly tenant: string;
  /** Last appended seq (0 for an empty log) and its hash. */
  head(): { seq: number; hash: string };
  /** Lowest seq still held locally, or null when nothing is. */
  oldestLocalSeq(): number | null;
  /** Local events with `seq > afterSeq` in seq order, at most `limit`, as stored (not upcast). */
  readLocal(afterSeq: number, limit: number): EventEnvelope[];
  /** Committed files of this tenant that overlap `fromSeq..toSeq`, ordered by seq, at most `limit`. */
  committedFiles(fromSeq: number, toSeq: number, limit: number): Promise<CommittedFile[]>;
  /** The bytes of a committed file. */
  readFile(key: string): Promise<Uint8Array>;
}

export interface ReadTenantLogOptions {
  /** First seq to return; 1 by default. */
  fromSeq?: number;
  /** Last seq to return; the head at the start of the read by default, and never past it. */
  toSeq?: number;
  /** Maximum events per yielded batch; 1000 by default. */
  batchSize?: number;
  /** Lifts payloads to their type's current schema version; false (the stored form, which the hashes cover) by default. */
  upcast?: boolean;
}

const DEFAULT_BATCH_SIZE = 1000;
/** Committed files asked for per catalog call. */
const FILES_PER_CALL = 100;

/**
 * Yields the events `fromSeq..toSeq` of the source's tenant in seq order, in batches.
 *
 * Throws LOG_INTEGRITY when an event is missing (neither local nor in a committed
 * file), belongs to another tenant, or breaks the hash chain. A read from seq 1
 * checks the chain from the genesis hash; a read from a later seq checks it from
 * the first event returned. A read that reaches the head checks the head's hash.
 */
export async function* readTenantLog(source: TenantLogSource, options: ReadTenantLogOptions = {}): AsyncGenerator<EventEnvelope[]> {
  const head = source.head();
  const fromSeq = options.fromSeq ?? 1;
  const lastSeq = Math.min(options.toSeq ?? head.seq, head.seq);
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isSafeInteger(fromSeq) || fromSeq < 1) throw new RangeError(`fromSeq must be a positive integer, got ${fromSeq}`);
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);

  const chain = new ChainCheck(source.tenant, fromSeq);
  let pending: EventEnvelope[] = [];
  const finish = (events: EventEnvelope[]) => (options.upcast ? events.map(upcastEvent) : events);

  while (chain.nextSeq <= lastSeq) {
    const oldestLocal = source.oldestLocalSeq();

    // Step 1: the next event is held locally; read a page of the local table.
    if (oldestLocal !== null && oldestLocal <= chain.nextSeq) {
      const limit = Math.min(batchSize - pending.length, lastSeq - chain.nextSeq + 1);
      const events = source.readLocal(chain.nextSeq - 1, limit);
      if (events.length === 0) throw chain.missing(lastSeq, 'the local table');
      pending.push(...chain.accept(events));
      if (pending.length >= batchSize) {
        yield finish(pending);
        pending = [];
      }
      continue;
    }

    // Step 2: the next event was trimmed locally; read committed files up to the local part.
    const upTo = oldestLocal === null ? lastSeq : Math.min(lastSeq, oldestLocal - 1);
    const files = await source.committedFiles(chain.nextSeq, upTo, FILES_PER_CALL);
    if (files.length === 0) throw chain.missing(upTo, 'the committed files');
    for (const file of files) {
      if (chain.nextSeq > upTo) break;
      if (file.firstSeq > chain.nextSeq || file.lastSeq < chain.nextSeq) throw chain.missing(Math.min(upTo, file.firstSeq - 1), 'the committed files');
      const bytes = await source.readFile(file.key);
      for await (const rows of readEventRowGroups(bytes, { seqRange: { from: chain.nextSeq, to: upTo } })) {
        pending.push(...chain.accept(rows));
        while (pending.length >= batchSize) {
          yield finish(pending.slice(0, batchSize));
          pending = pending.slice(batchSize);
        }
      }
      // A file whose rows stop short of its recorded range would otherwise be asked for again forever.
      if (chain.nextSeq <= Math.min(file.lastSeq, upTo)) throw chain.missing(Math.min(file.lastSeq, upTo), `committed file ${file.key}`);
    }
  }

  if (pending.length > 0) yield finish(pending);
  if (lastSeq === head.seq && head.seq >= fromSeq) chain.assertHead(head);
}

/** Collects a whole range into memory; for tests and small ranges. */
export async function readTenantLogToArray(source: TenantLogSource, options: ReadTenantLogOptions = {}): Promise<EventEnvelope[]> {
  const events: EventEnvelope[] = [];
  for await (const batch of readTenantLog(source, options)) events.push(...batch);
  return events;
}

/** Running check of seq continuity, tenant and hash chain over everything accepted so far. */
class ChainCheck {
  nextSeq: number;
  private lastHash: string | null;

  constructor(
    private readonly tenant: string,
    fromSeq: number,
  ) {
    this.nextSeq = fromSeq;
    this.lastHash = fromSeq === 1 ? GENESIS_HASH : null;
  }

  /** Checks `events`, which must continue the chain, and returns them. */
  accept(events: EventEnvelope[]): EventEnvelope[] {
    if (events.length === 0) return events;
    for (const event of events) {
      if (event.tenant !== this.tenant) {
        throw new TenantlogError('LOG_INTEGRITY', `log of tenant ${this.tenant} contains seq ${event.seq} of tenant ${event.tenant}`);
      }
    }
    const verification = verifyChain(events, this.nextSeq - 1, this.lastHash ?? events[0]!.prevHash);
    if (!verification.ok) {
      throw new TenantlogError('LOG_INTEGRITY', `log of tenant ${this.tenant} is broken at seq ${verification.seq}: ${verification.reason}`);
    }
    this.nextSeq = verification.lastSeq + 1;
    this.lastHash = verification.lastHash;
    return events;
  }

  missing(upTo: number, where: string): TenantlogError {
    return new TenantlogError(
      'LOG_INTEGRITY',
      `log of tenant ${this.tenant} has a gap: seq ${this.nextSeq}..${Math.max(this.nextSeq, upTo)} is not in ${where}`,
    );
  }

  assertHead(head: { seq: number; hash: string }): void {
    if (this.lastHash !== head.hash) {
      throw new TenantlogError('LOG_INTEGRITY', `log of tenant ${this.tenant} ends at a hash that differs from its head at seq ${head.seq}`);
    }
  }
}

function upcastEvent(event: EventEnvelope): EventEnvelope {
  return { ...event, payload: upcastPayload(event.type, event.schemaVersion, event.payload) };
}
