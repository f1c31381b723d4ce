import { canonicalJson, canonicalJsonFromStringified, plainCanonicalJson, quotePlainString } from './canonical';
import type { EventEnvelope } from './envelope';
import { sha256Hex } from './sha256';

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
 * `crypto.subtle`. `sha256Hex` costs less per event in workerd than `node:crypto`,
 * and gives the same hash (`scripts/verify-chain.mjs` checks chains with `node:crypto`).
 * `payloadJson`, when given, must be `JSON.stringify(event.payload)`; it saves
 * serialising the payload again where it already is canonical.
 */
export function hashEvent(prevHash: string, event: HashedEventFields, payloadJson?: string): string {
  return sha256Hex(prevHash + canonicalEventFields(event, payloadJson));
}

/**
 * Returns `canonicalJson` of the hashed fields. An envelope whose fields have
 * their declared types and whose strings contain no unpaired surrogate is written
 * out member by member in sorted order, which saves sorting and walking the
 * envelope on every append. The members that the events of one write share are
 * written once (see `sharedText`). Anything else, such as an event read from a
 * damaged export, takes the general path, so both give the same text for every
 * input. `test/unit/hash.test.ts` checks the two against each other.
 */
export function canonicalEventFields(event: HashedEventFields, payloadJson?: string): string {
  if (hasDeclaredTypes(event)) {
    const payload = payloadJson === undefined ? plainCanonicalJson(event.payload) : canonicalJsonFromStringified(event.payload, payloadJson);
    const id = quotePlainString(event.id);
    const shared = sharedText(event);
    if (payload !== undefined && id !== undefined && shared !== undefined) {
      return `${shared.beforeId}${id}${shared.beforePayload}${payload}${shared.beforeSeq}${String(event.seq)}${shared.afterSeq}`;
    }
  }
  return canonicalJson(hashedFields(event));
}

/**
 * The canonical text of an envelope's members other than `id`, `payload` and
 * `seq`, in the four pieces between those three. The events of one write share
 * these members, so the pieces of the last envelope are kept and reused.
 */
interface SharedText {
  fields: SharedFields;
  beforeId: string;
  beforePayload: string;
  beforeSeq: string;
  afterSeq: string;
}

type SharedFields = Pick<HashedEventFields, 'actor' | 'causationId' | 'correlationId' | 'idempotencyKey' | 'occurredAt' | 'schemaVersion' | 'tenant' | 'type'>;

let lastShared: SharedText | null = null;

/** Returns the shared pieces of `event`, or undefined when one of their strings may contain an unpaired surrogate. */
function sharedText(event: HashedEventFields): SharedText | undefined {
  const last = lastShared?.fields;
  if (
    last !== undefined &&
    last.actor === event.actor &&
    last.causationId === event.causationId &&
    last.correlationId === event.correlationId &&
    last.idempotencyKey === event.idempotencyKey &&
    last.occurredAt === event.occurredAt &&
    last.schemaVersion === event.schemaVersion &&
    last.tenant === event.tenant &&
    last.type === event.type
  ) {
    return lastShared!;
  }
  const { actor, causationId, correlationId, idempotencyKey, occurredAt, schemaVersion, tenant, type } = event;
  const quoted = [nullableString(actor), nullableString(causationId), quotePlainString(correlationId), nullableString(idempotencyKey), quotePlainString(tenant), quotePlainString(type)];
  if (quoted.includes(undefined)) return undefined;
  const [actorText, causationText, correlationText, idempotencyText, tenantText, typeText] = quoted;
  lastShared = {
    fields: { actor, causationId, correlationId, idempotencyKey, occurredAt, schemaVersion, tenant, type },
    beforeId: `{"actor":${actorText},"causationId":${causationText},"correlationId":${correlationText},"id":`,
    beforePayload: `,"idempotencyKey":${idempotencyText},"occurredAt":${String(occurredAt)},"payload":`,
    beforeSeq: `,"schemaVersion":${String(schemaVersion)},"seq":`,
    afterSeq: `,"tenant":${tenantText},"type":${typeText}}`,
  };
  return lastShared;
}

function hasDeclaredTypes(event: HashedEventFields): boolean {
  return (
    typeof event.tenant === 'string' &&
    typeof event.id === 'string' &&
    typeof event.type === 'string' &&
    typeof event.correlationId === 'string' &&
    Number.isFinite(event.seq) &&
    Number.isFinite(event.schemaVersion) &&
    Number.isFinite(event.occurredAt) &&
    isOptionalString(event.actor) &&
    isOptionalString(event.causationId) &&
    isOptionalString(event.idempotencyKey) &&
    event.payload !== undefined
  );
}

function isOptionalString(value: unknown): boolean {
  return value === null || value === undefined || typeof value === 'string';
}

function nullableString(value: string | null | undefined): string | undefined {
  return value === null || value === undefined ? 'null' : quotePlainString(value);
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
