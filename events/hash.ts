import { createHash } from 'node:crypto';

import { canonicalJson } from './canonical';
import type { EventEnvelope } from './envelope';

/** `prevHash` of the first event in every log. */
export const GENESIS_HASH = '0'.repeat(64);

/** The hashed fields of an event: the envelope without `prevHash` and `hash`. */
export type HashedEventFields = Omit<EventEnvelope, 'prevHash' | 'hash'>;

/**
 * Computes an event's hash: lower-case hex SHA-256 of the UTF-8 bytes of
 * `prevHash` followed directly by the RFC 8785 canonical JSON of the hashed fields
 * (`tenant, seq, id, type, schemaVersion, occurredAt, actor, correlationId,
 * causationId, idempotencyKey, payload`, absent values as null).
 *
 * Synchronous on purpose: appends run inside `transactionSync`, which cannot await
 * `crypto.subtle`. `node:crypto` is available in workerd with `nodejs_compat`.
 */
export function hashEvent(prevHash: string, event: HashedEventFields): string {
  return createHash('sha256').update(prevHash).update(canonicalJson(hashedFields(event))).digest('hex');
}

function hashedFields(event: HashedEventFields): HashedEventFields {
  return {
    tenant: event.tenant,
    seq: event.seq,
    id: event.id,
    type: event.type,
    schemaVersion: event.schemaVersion,
    occurredAt: event.occurredAt,
    actor: event.actor ?? null,
    correlationId: event.correlationId,
    causationId: event.causationId ?? null,
    idempotencyKey: event.idempotencyKey ?? null,
    payload: event.payload,
  };
}

/** Outcome of checking a run of events against the hash chain. */
export type ChainVerification =
  | { ok: true; lastSeq: number; lastHash: string }
  | { ok: false; seq: number; reason: string };

/**
 * Checks that `events` continue the chain after (`afterSeq`, `afterHash`): seqs
 * follow each other without a gap, each `prevHash` is the previous hash, and each
 * `hash` matches its content.
 */
export function verifyChain(
  events: Iterable<EventEnvelope>,
  afterSeq = 0,
  afterHash = GENESIS_HASH,
): ChainVerification {
  let lastSeq = afterSeq;
  let lastHash = afterHash;
  for (const event of events) {
    if (event.seq !== lastSeq + 1) {
      return { ok: false, seq: event.seq, reason: `expected seq ${lastSeq + 1}, found ${event.seq}` };
    }
    if (event.prevHash !== lastHash) {
      return { ok: false, seq: event.seq, reason: `prevHash does not match the hash of seq ${lastSeq}` };
    }
    const expected = hashEvent(event.prevHash, event);
    if (event.hash !== expected) {
      return { ok: false, seq: event.seq, reason: `hash ${event.hash} does not match content (expected ${expected})` };
    }
    lastSeq = event.seq;
    lastHash = event.hash;
  }
  return { ok: true, lastSeq, lastHash };
}
