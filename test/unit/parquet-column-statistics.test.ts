import { describe, expect, it } from 'vitest';

import type { EventEnvelope } from '../../events/envelope';
import { computeColumnStatistics } from '../../pipelines/parquet/column-statistics';
import { toEventRow } from '../../pipelines/parquet/event-rows';
import { compareCodePoints, utf8ByteLength } from '../../pipelines/parquet/utf8';

function event(seq: number, overrides: Partial<EventEnvelope> = {}): EventEnvelope {
  return {
    tenant: 'acme',
    seq,
    id: `id-${seq}`,
    type: 'thing.created',
    schemaVersion: 1,
    occurredAt: Date.UTC(2026, 2, 1) + seq,
    actor: null,
    correlationId: `req-${seq}`,
    causationId: null,
    idempotencyKey: null,
    payload: { n: seq },
    prevHash: 'a'.repeat(64),
    hash: 'b'.repeat(64),
    ...overrides,
  };
}

describe('computeColumnStatistics', () => {
  const events = [
    event(7, { actor: 'key_b', schemaVersion: 2, type: 'thing.updated' }),
    event(8, { actor: null, idempotencyKey: 'k1' }),
    event(9, { actor: 'key_a', schemaVersion: 1 }),
  ];
  const statistics = computeColumnStatistics(events.map(toEventRow));
  const byName = Object.fromEntries(statistics.map((entry) => [entry.name, entry]));

  it('covers every column in field id order', () => {
    expect(statistics.map((entry) => entry.fieldId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect(statistics.every((entry) => entry.valueCount === 3)).toBe(true);
  });

  it('types seq and occurred_at bounds as bigint', () => {
    expect(byName.seq).toMatchObject({ type: 'long', nullCount: 0, lowerBound: 7n, upperBound: 9n });
    const micros = (ms: number) => BigInt(ms) * 1000n;
    expect(byName.occurred_at).toMatchObject({
      type: 'timestamptz',
      lowerBound: micros(Date.UTC(2026, 2, 1) + 7),
      upperBound: micros(Date.UTC(2026, 2, 1) + 9),
    });
  });

  it('types schema_version bounds as number', () => {
    expect(byName.schema_version).toMatchObject({ type: 'int', lowerBound: 1, upperBound: 2 });
  });

  it('counts nulls and skips them in bounds', () => {
    expect(byName.actor).toMatchObject({ nullCount: 1, lowerBound: 'key_a', upperBound: 'key_b' });
    expect(byName.idempotency_key).toMatchObject({ nullCount: 2, lowerBound: 'k1', upperBound: 'k1' });
  });

  it('leaves bounds null when every value is null', () => {
    expect(byName.causation_id).toMatchObject({ valueCount: 3, nullCount: 3, lowerBound: null, upperBound: null });
  });

  it('bounds the payload by its JSON text', () => {
    expect(byName.payload).toMatchObject({ lowerBound: '{"n":7}', upperBound: '{"n":9}' });
  });

  it('orders strings by code point, not UTF-16 unit', () => {
    // U+FF5E sorts before U+1F600 by code point, but after its surrogates by UTF-16 unit.
    const rows = [event(1, { actor: '\u{FF5E}' }), event(2, { actor: '\u{1F600}' })].map(toEventRow);
    const actor = computeColumnStatistics(rows).find((entry) => entry.name === 'actor')!;
    expect(actor.lowerBound).toBe('\u{FF5E}');
    expect(actor.upperBound).toBe('\u{1F600}');
  });
});

describe('compareCodePoints', () => {
  it('matches the order of UTF-8 bytes', () => {
    const values = ['', 'a', 'ab', 'b', 'é', '\u{FF5E}', '\u{FFFF}', '\u{10000}', '\u{1F600}', 'zz', '\u{E000}'];
    const byBytes = [...values].sort((left, right) => Buffer.compare(Buffer.from(left), Buffer.from(right)));
    expect([...values].sort(compareCodePoints)).toEqual(byBytes);
  });
});

describe('utf8ByteLength', () => {
  it('equals the length TextEncoder produces', () => {
    for (const value of ['', 'ascii', 'é', '€', '\u{1F600}', 'a\u{1F600}b', '\uD800', 'x\uDC00y', '日本語テキスト']) {
      expect(utf8ByteLength(value), value).toBe(new TextEncoder().encode(value).length);
    }
  });
});

describe('toEventRow', () => {
  it('measures the row as Arrow bytes', () => {
    const row = toEventRow(event(1));
    const strings = ['acme', 'id-1', 'thing.created', 'req-1', '{"n":1}', 'a'.repeat(64), 'b'.repeat(64)].join('').length;
    expect(row.byteSize).toBe(61 + strings);
    expect(row.payloadJson).toBe('{"n":1}');
  });

  it('rejects a schemaVersion outside int32', () => {
    expect(() => toEventRow(event(1, { schemaVersion: 2 ** 31 }))).toThrowError('schemaVersion 2147483648');
    expect(() => toEventRow(event(1, { schemaVersion: 1.5 }))).toThrowError(TypeError);
  });

  it('rejects a payload JSON cannot represent', () => {
    expect(() => toEventRow(event(1, { payload: undefined }))).toThrowError('payload that JSON cannot represent');
  });
});
