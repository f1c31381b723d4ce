import { describe, expect, it } from 'vitest';

import { canonicalJson } from '../../events/canonical';
import type { EventEnvelope } from '../../events/envelope';
import { canonicalEventFields, GENESIS_HASH, type HashedEventFields, hashEvent, verifyChain } from '../../events/hash';
import workedExample from '../fixtures/worked-example.json';

const [firstEvent, secondEvent] = workedExample.events as EventEnvelope[];
const { prevHash: _firstPrev, hash: FIRST_HASH, ...first } = firstEvent!;
const { prevHash: _secondPrev, hash: SECOND_HASH, ...second } = secondEvent!;
const [FIRST_CANONICAL, SECOND_CANONICAL] = workedExample.canonical;

/** Builds a valid chain of `count` events of tenant `acme`. */
function chain(count: number): EventEnvelope[] {
  const events: EventEnvelope[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= count; seq++) {
    const fields: HashedEventFields = {
      ...first,
      seq,
      id: `01906e2a-8a00-7000-8000-${String(seq).padStart(12, '0')}`,
      payload: { id: `t${seq}`, type: 'T', data: { seq } },
    };
    const hash = hashEvent(prevHash, fields);
    events.push({ ...fields, prevHash, hash });
    prevHash = hash;
  }
  return events;
}

describe('hashEvent', () => {
  it('matches the documented worked example', () => {
    expect(canonicalJson(first)).toBe(FIRST_CANONICAL);
    expect(canonicalJson(second)).toBe(SECOND_CANONICAL);
    expect(hashEvent(GENESIS_HASH, first)).toBe(FIRST_HASH);
    expect(hashEvent(FIRST_HASH, second)).toBe(SECOND_HASH);
  });

  it('ignores prevHash, hash and unknown fields on the event itself', () => {
    const withExtras = { ...first, prevHash: 'x', hash: 'y', extra: 1 } as unknown as HashedEventFields;
    expect(hashEvent(GENESIS_HASH, withExtras)).toBe(FIRST_HASH);
  });

  it('hashes absent optional fields as null', () => {
    const withoutOptionals: Partial<HashedEventFields> = { ...first };
    delete withoutOptionals.actor;
    delete withoutOptionals.causationId;
    expect(hashEvent(GENESIS_HASH, withoutOptionals as HashedEventFields)).toBe(FIRST_HASH);
  });

  it('changes with every hashed field and with prevHash', () => {
    const variants: Array<Partial<HashedEventFields>> = [
      { tenant: 'acme2' },
      { seq: 3 },
      { id: '01906e2a-8a00-7000-8000-000000000009' },
      { type: 'thing.updated' },
      { schemaVersion: 2 },
      { occurredAt: first.occurredAt + 1 },
      { actor: 'admin' },
      { correlationId: 'other' },
      { causationId: '01906e2a-8a00-7000-8000-000000000000' },
      { idempotencyKey: null },
      { payload: { id: 'user-1', type: 'User', data: { name: 'Ada', tags: [] } } },
    ];
    for (const variant of variants) {
      expect(hashEvent(GENESIS_HASH, { ...first, ...variant }), JSON.stringify(variant)).not.toBe(FIRST_HASH);
    }
    expect(hashEvent('f'.repeat(64), first)).not.toBe(FIRST_HASH);
  });

  it('does not depend on member order', () => {
    const reordered = { payload: { data: { tags: ['admin'], name: 'Ada' }, type: 'User', id: 'user-1' } };
    expect(hashEvent(GENESIS_HASH, { ...first, ...reordered })).toBe(FIRST_HASH);
  });
});

/** Writes the hashed fields in the general form: every member, absent optional values as null. */
function generalCanonical(event: HashedEventFields): string {
  const { tenant, seq, id, type, schemaVersion, occurredAt, actor, correlationId, causationId, idempotencyKey, payload } = event;
  return canonicalJson({
    tenant,
    seq,
    id,
    type,
    schemaVersion,
    occurredAt,
    actor: actor ?? null,
    correlationId,
    causationId: causationId ?? null,
    idempotencyKey: idempotencyKey ?? null,
    payload,
  });
}

describe('canonicalEventFields', () => {
  it('writes what canonicalJson writes for the hashed fields', () => {
    const variants: Array<Partial<HashedEventFields>> = [
      {},
      { actor: 'key-1', causationId: '01906e2a-8a00-7000-8000-000000000000', idempotencyKey: 'k "quoted" \\ ü' },
      { actor: undefined, causationId: undefined, idempotencyKey: undefined },
      { tenant: 'täst', type: 'relationship.created', correlationId: '😀\n\t' },
      { seq: 2 ** 53 - 1, occurredAt: 0, schemaVersion: 12 },
      { payload: null },
      { payload: [1.5, -0, 1e21, 'x', { b: 1, a: [{ d: 2, c: 3 }] }] },
      { payload: { '\u20ac': 1, '\r': 2, '1': 3, '\ud83d\ude00': 4, '\ufb33': 5 } },
    ];
    for (const variant of variants) {
      const event = { ...first, ...variant };
      expect(canonicalEventFields(event), JSON.stringify(variant)).toBe(generalCanonical(event));
    }
  });

  it('follows shared fields that change', () => {
    const run: Array<Partial<HashedEventFields>> = [
      {},
      { seq: 2, id: '01906e2a-8a00-7000-8000-000000000002', payload: { b: 1, a: 'ü' } },
      { seq: 3, correlationId: 'other request' },
      { seq: 4, occurredAt: first.occurredAt + 1 },
      { seq: 5, actor: 'key-1' },
      { seq: 6, type: 'thing.updated', schemaVersion: 2 },
      { seq: 7, tenant: 'other' },
      { seq: 8, causationId: '01906e2a-8a00-7000-8000-000000000001', idempotencyKey: null },
      { seq: 9, correlationId: 'a "quoted" \\ request\n' },
      { seq: 10 },
    ];
    for (const variant of run) {
      const event = { ...first, ...variant };
      expect(canonicalEventFields(event), JSON.stringify(variant)).toBe(generalCanonical(event));
    }
  });

  it('takes the general path for fields of other types', () => {
    const odd = [{ seq: '1' }, { actor: 7 }, { tenant: undefined }, { payload: undefined }, { occurredAt: null }];
    for (const variant of odd) {
      const event = { ...first, ...variant } as unknown as HashedEventFields;
      expect(canonicalEventFields(event), JSON.stringify(variant)).toBe(generalCanonical(event));
    }
  });

  it('rejects what canonicalJson rejects', () => {
    expect(() => canonicalEventFields({ ...first, seq: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalEventFields({ ...first, actor: 'a\ud800' })).toThrow(/unpaired surrogate/);
    expect(() => canonicalEventFields({ ...first, id: '\udc00' })).toThrow(/unpaired surrogate/);
    expect(() => canonicalEventFields({ ...first, payload: { a: ['\ud800'] } })).toThrow(/unpaired surrogate/);
    const sortedWithLoneSurrogate = { a: 'x\ud800' };
    expect(() => canonicalEventFields({ ...first, payload: sortedWithLoneSurrogate }, JSON.stringify(sortedWithLoneSurrogate))).toThrow(/unpaired surrogate/);
    expect(() => canonicalEventFields({ ...first, payload: { big: 1n } })).toThrow(TypeError);
  });
});

describe('verifyChain', () => {
  it('accepts a valid chain and returns its head', () => {
    const events = chain(5);
    expect(verifyChain(events)).toEqual({ ok: true, lastSeq: 5, lastHash: events[4]!.hash });
  });

  it('accepts the worked example', () => {
    expect(verifyChain([firstEvent!, secondEvent!])).toEqual({ ok: true, lastSeq: 2, lastHash: SECOND_HASH });
  });

  it('accepts an empty run as the genesis head', () => {
    expect(verifyChain([])).toEqual({ ok: true, lastSeq: 0, lastHash: GENESIS_HASH });
  });

  it('continues from a given seq and hash', () => {
    const events = chain(6);
    expect(verifyChain(events.slice(3), 3, events[2]!.hash)).toEqual({ ok: true, lastSeq: 6, lastHash: events[5]!.hash });
    expect(verifyChain(events.slice(3))).toMatchObject({ ok: false, seq: 4 });
  });

  it('reports a tampered payload at its seq', () => {
    const events = chain(5);
    events[2] = { ...events[2]!, payload: { id: 't3', type: 'T', data: { seq: 99 } } };
    const result = verifyChain(events);
    expect(result).toMatchObject({ ok: false, seq: 3 });
    if (!result.ok) expect(result.reason).toContain('does not match content');
  });

  it('reports a tampered envelope field at its seq', () => {
    const events = chain(4);
    events[1] = { ...events[1]!, occurredAt: events[1]!.occurredAt + 1 };
    expect(verifyChain(events)).toMatchObject({ ok: false, seq: 2 });
  });

  it('reports a recomputed hash as a broken link on the next event', () => {
    const events = chain(4);
    const tampered = { ...events[1]!, payload: { forged: true } };
    tampered.hash = hashEvent(tampered.prevHash, tampered);
    events[1] = tampered;
    const result = verifyChain(events);
    expect(result).toMatchObject({ ok: false, seq: 3 });
    if (!result.ok) expect(result.reason).toContain('prevHash');
  });

  it('reports a gap', () => {
    const events = chain(5);
    events.splice(2, 1);
    const result = verifyChain(events);
    expect(result).toMatchObject({ ok: false, seq: 4 });
    if (!result.ok) expect(result.reason).toBe('expected seq 3, found 4');
  });

  it('reports a repeated or reordered seq', () => {
    const events = chain(3);
    expect(verifyChain([events[0]!, events[0]!, events[1]!])).toMatchObject({ ok: false, seq: 1 });
    expect(verifyChain([events[0]!, events[2]!, events[1]!])).toMatchObject({ ok: false, seq: 3 });
  });

  it('reports a wrong prevHash', () => {
    const events = chain(3);
    events[1] = { ...events[1]!, prevHash: 'e'.repeat(64) };
    const result = verifyChain(events);
    expect(result).toMatchObject({ ok: false, seq: 2 });
    if (!result.ok) expect(result.reason).toBe('prevHash does not match the hash of seq 1');
  });

  it('reports a first event whose prevHash is not the genesis hash', () => {
    const events = chain(2);
    events[0] = { ...events[0]!, prevHash: '1'.repeat(64) };
    expect(verifyChain(events)).toMatchObject({ ok: false, seq: 1 });
  });
});
