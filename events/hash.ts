import { hash } from 'node:crypto';

import { canonicalJson, canonicalJsonFromStringified, canonicalNumber, canonicalString } from './canonical';
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
 * `crypto.subtle`. `node:crypto` is available in workerd with `nodejs_compat`; its
 * one-shot `hash` costs about 1 µs less per event there than a `createHash` object.
 * `payloadJson`, when given, must be `JSON.stringify(event.payload)`; it saves
 * serialising the payload again where it already is canonical.
 */
export function hashEvent(prevHash: string, event: HashedEventFields, payloadJson?: string): string {
  return hash('sha256', prevHash + canonicalEventFields(event, payloadJson), 'hex');
}

/**
 * Returns `canonicalJson` of the hashed fields. An envelope whose fields have
 * their declared types is written out member by member in sorted order, which
 * saves sorting and walking the envelope on every append. Anything else, such as
 * an event read from a damaged export, takes the general path, so both give the
 * same text for every input. `test/unit/hash.test.ts` checks the two against each other.
 */
export function canonicalEventFields(event: HashedEventFields, payloadJson?: string): string {
  if (!hasDeclaredTypes(event)) return canonicalJson(hashedFields(event));
  const payload = payloadJson === undefined ? canonicalJson(event.payload) : canonicalJsonFromStringified(event.payload, payloadJson);
  return (
    `{"actor":${nullableString(event.actor)}` +
    `,"causationId":${nullableString(event.causationId)}` +
    `,"correlationId":${canonicalString(event.correlationId)}` +
    `,"id":${canonicalString(event.id)}` +
    `,"idempotencyKey":${nullableString(event.idempotencyKey)}` +
    `,"occurredAt":${canonicalNumber(event.occurredAt)}` +
    `,"payload":${payload}` +
    `,"schemaVersion":${canonicalNumber(event.schemaVersion)}` +
    `,"seq":${canonicalNumber(event.seq)}` +
    `,"tenant":${canonicalString(event.tenant)}` +
    `,"type":${canonicalString(event.type)}}`
  );
}

function hasDeclaredTypes(event: HashedEventFields): boolean {
  return (
    typeof event.tenant === 'string' &&
    typeof event.id === 'string' &&
    typeof event.type === 'string' &&
    typeof event.correlationId === 'string' &&
    typeof event.seq === 'number' &&
    typeof event.schemaVersion === 'number' &&
    typeof event.occurredAt === 'number' &&
    isOptionalString(event.actor) &&
    isOptionalString(event.causationId) &&
    isOptionalString(event.idempotencyKey) &&
    event.payload !== undefined
  );
}

function isOptionalString(value: unknown): boolean {
  return value === null || value === undefined || typeof value === 'string';
}

function nullableString(value: string | null | undefined): string {
  return value === null || value === undefined ? 'null' : canonicalString(value);
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
