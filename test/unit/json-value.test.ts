import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import { isJsonValue, jsonValue } from '../../events/types/json-value';

describe('isJsonValue', () => {
  const cases: Array<[string, unknown]> = [
    ['a string', 'text'],
    ['an empty string', ''],
    ['true', true],
    ['a number', 12.5],
    ['negative zero', -0],
    ['null', null],
    ['an array', [1, 'a', null, [true]]],
    ['an empty array', []],
    ['a plain object', { a: 1, b: { c: [null] } }],
    ['an object without prototype', Object.assign(Object.create(null) as object, { a: 1 })],
    ['NaN', Number.NaN],
    ['an infinity', Number.POSITIVE_INFINITY],
    ['undefined', undefined],
    ['a bigint', 1n],
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['a Date', new Date(0)],
    ['a Map', new Map()],
    ['an array with a hole', [1, , 2]],
    ['an array holding undefined', [undefined]],
    ['an object holding undefined', { a: undefined }],
    ['a nested infinity', { a: [1, { b: Number.NEGATIVE_INFINITY }] }],
    ['a nested Date', [{ at: new Date(0) }]],
  ];

  for (const [name, value] of cases) {
    it(`agrees with z.json() on ${name}`, () => {
      expect(isJsonValue(value)).toBe(z.json().safeParse(value).success);
    });
  }

  it('returns the value itself from the schema', () => {
    const value = { a: [1, { b: 'c' }] };
    expect(jsonValue.parse(value)).toBe(value);
    expect(jsonValue.safeParse(Number.NaN).success).toBe(false);
  });
});
