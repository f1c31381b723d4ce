import { describe, expect, it } from 'vitest';

import {
  compareSingleValues,
  deserializeSingleValue,
  serializeSingleValue,
  truncateLowerBound,
  truncateUpperBound,
  type SingleValue,
} from '../../../pipelines/iceberg/bounds';
import { IcebergError } from '../../../pipelines/iceberg/iceberg-error';
import { dayFromMicros, dayFromMillis } from '../../../pipelines/iceberg/partition';

describe('single-value serialization', () => {
  // Byte values come from the Iceberg spec's Appendix D rules; the double and long
  // cases match bounds in the Spark-written manifest fixture.
  const cases: Array<[string, SingleValue, number[]]> = [
    ['boolean', true, [1]],
    ['boolean', false, [0]],
    ['int', 5, [5, 0, 0, 0]],
    ['int', -1, [255, 255, 255, 255]],
    ['date', 19_000, [0x38, 0x4a, 0, 0]],
    ['long', 5n, [5, 0, 0, 0, 0, 0, 0, 0]],
    ['long', -2n, [254, 255, 255, 255, 255, 255, 255, 255]],
    ['timestamptz', 1_700_000_000_000_000n, [0x00, 0x40, 0x1e, 0x18, 0x24, 0x0a, 0x06, 0x00]],
    ['double', 0.9, [205, 204, 204, 204, 204, 204, 236, 63]],
    ['float', 1.5, [0, 0, 0xc0, 0x3f]],
    ['string', 'Lop', [76, 111, 112]],
    ['string', 'ü', [0xc3, 0xbc]],
    ['uuid', 'f79c3e09-677c-4bbd-a479-3f349cb785e7', [0xf7, 0x9c, 0x3e, 0x09, 0x67, 0x7c, 0x4b, 0xbd, 0xa4, 0x79, 0x3f, 0x34, 0x9c, 0xb7, 0x85, 0xe7]],
    ['binary', new Uint8Array([0, 1, 255]), [0, 1, 255]],
  ];

  for (const [type, value, bytes] of cases) {
    it(`serializes ${type} ${String(value)}`, () => {
      expect([...serializeSingleValue(type, value)]).toEqual(bytes);
      expect(deserializeSingleValue(type, new Uint8Array(bytes))).toEqual(value);
    });
  }

  it('reads 4-byte bounds of promoted types', () => {
    expect(deserializeSingleValue('long', new Uint8Array([7, 0, 0, 0]))).toBe(7n);
    expect(deserializeSingleValue('timestamptz', new Uint8Array([1, 0, 0, 0]))).toBe(86_400_000_000n);
    expect(deserializeSingleValue('double', new Uint8Array([0, 0, 0xc0, 0x3f]))).toBe(1.5);
  });

  it('decodes decimals from two’s complement big-endian', () => {
    expect(deserializeSingleValue('decimal(10, 2)', new Uint8Array([0x04, 0xd2]))).toBe('12.34');
    expect(deserializeSingleValue('decimal(10,2)', new Uint8Array([0xfb, 0x2e]))).toBe('-12.34');
    expect(deserializeSingleValue('decimal(10, 2)', new Uint8Array([0]))).toBe('0.00');
  });

  it('rejects values that do not fit the type', () => {
    expect(() => serializeSingleValue('int', 2 ** 31)).toThrow(IcebergError);
    expect(() => serializeSingleValue('long', 2n ** 63n)).toThrow(IcebergError);
    expect(() => serializeSingleValue('string', 5)).toThrow(/type string/);
    expect(() => deserializeSingleValue('int', new Uint8Array(3))).toThrow(/4 bytes, got 3/);
  });
});

describe('string bound truncation', () => {
  it('truncates a lower bound to a prefix', () => {
    // The Spark fixture stores "American Fuzzy Lop" truncated to 16 characters.
    expect(truncateLowerBound('American Fuzzy Lop', 16)).toBe('American Fuzzy L');
    expect(truncateLowerBound('short', 16)).toBe('short');
  });

  it('increments the last code point of a truncated upper bound', () => {
    expect(truncateUpperBound('abcdef', 3)).toBe('abd');
    expect(truncateUpperBound('abc', 3)).toBe('abc');
  });

  it('counts code points, not UTF-16 units', () => {
    expect(truncateLowerBound('😀😀😀', 2)).toBe('😀😀');
    expect(truncateUpperBound('a😀b', 2)).toBe('a😁');
  });

  it('skips the surrogate range and maximal code points', () => {
    expect(truncateUpperBound('a\ud7ffz', 2)).toBe('a\ue000');
    expect(truncateUpperBound('a\u{10ffff}z', 2)).toBe('b');
    expect(truncateUpperBound('\u{10ffff}\u{10ffff}z', 2)).toBeUndefined();
  });

  it('keeps truncated bounds around the value', () => {
    const value = 'tenant-with-a-very-long-name';
    expect(compareSingleValues('string', truncateLowerBound(value, 16), value)).toBeLessThanOrEqual(0);
    expect(compareSingleValues('string', truncateUpperBound(value, 16)!, value)).toBeGreaterThan(0);
  });
});

describe('compareSingleValues', () => {
  it('orders strings by code point, not by UTF-16 unit', () => {
    // U+FFFF sorts before U+1F600 by code point but after it by UTF-16 unit.
    expect('\uffff' > '😀').toBe(true);
    expect(compareSingleValues('string', '\uffff', '😀')).toBeLessThan(0);
  });

  it('orders numbers numerically', () => {
    expect(compareSingleValues('long', 9n, 10n)).toBeLessThan(0);
    expect(compareSingleValues('int', -1, 1)).toBeLessThan(0);
  });
});

describe('day transform', () => {
  it('counts whole UTC days and rounds toward negative infinity', () => {
    expect(dayFromMicros(0n)).toBe(0);
    expect(dayFromMicros(86_399_999_999n)).toBe(0);
    expect(dayFromMicros(86_400_000_000n)).toBe(1);
    expect(dayFromMicros(-1n)).toBe(-1);
    expect(dayFromMicros(-86_400_000_000n)).toBe(-1);
    expect(dayFromMillis(Date.UTC(2024, 0, 1, 23, 59))).toBe(19_723);
    expect(dayFromMicros(BigInt(Date.UTC(2024, 0, 1)) * 1000n)).toBe(19_723);
  });
});
