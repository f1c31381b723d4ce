import { describe, expect, it } from 'vitest';

import {
  decodeCursor,
  encodeCursor,
  parseEntityId,
  parseIfMatch,
  parseIntegerParam,
  parseRelationshipInput,
  parseThingInput,
  requireObject,
} from '../../src/tenant/api/inputs';
import { errorOf } from './error-of';

describe('parseThingInput', () => {
  it('reads id, type and data', () => {
    expect(parseThingInput({ id: 'a', type: 'T', data: { x: 1 } })).toEqual({ id: 'a', type: 'T', data: { x: 1 }, hasData: true });
  });

  it('reads $type as the type', () => {
    expect(parseThingInput({ $type: 'Secret', data: 's' })).toMatchObject({ type: 'Secret', data: 's' });
    expect(parseThingInput({ type: 'S', $type: 'S' }).type).toBe('S');
  });

  it('defaults data to an empty object and says it was absent', () => {
    expect(parseThingInput({ type: 'T' })).toEqual({ id: undefined, type: 'T', data: {}, hasData: false });
  });

  it('keeps null and other JSON values as data', () => {
    for (const data of [null, 0, '', false, [], [null], 'text']) {
      expect(parseThingInput({ type: 'T', data })).toMatchObject({ data, hasData: true });
    }
  });

  it('moves other top-level fields into data', () => {
    expect(parseThingInput({ type: 'T', a: 1, b: null })).toEqual({ id: undefined, type: 'T', data: { a: 1, b: null }, hasData: true });
    expect(parseThingInput({ type: 'T', data: { a: 1 }, b: 2 }).data).toEqual({ a: 1, b: 2 });
    expect(parseThingInput({ type: 'T', data: { a: 1 }, a: 2 }).data).toEqual({ a: 2 });
  });

  it('treats only id, type, $type and data as reserved', () => {
    const extras = { op: 'o', collection: 'c', ifMatch: 'i', mode: 'm', version: 3, verb: 'v', from: 'f' };
    expect(parseThingInput({ type: 'T', ...extras }).data).toEqual(extras);
  });

  it('rejects fields next to data that is not an object', () => {
    for (const data of [[1], 'text', 5, null]) {
      expect(errorOf(() => parseThingInput({ type: 'T', data, extra: 1 })).code).toBe('VALIDATION_FAILED');
    }
  });

  it('leaves type undefined when absent, so a PATCH can keep it', () => {
    expect(parseThingInput({ data: { a: 1 } }).type).toBeUndefined();
  });

  it('rejects invalid ids and types', () => {
    const invalid: Array<Record<string, unknown>> = [
      { id: '' },
      { id: 'a'.repeat(257) },
      { id: '-a' },
      { id: '.a' },
      { id: 'a b' },
      { id: 'a/b' },
      { id: 'ü' },
      { id: 5 },
      { id: null },
      { type: '' },
      { type: 'x'.repeat(129) },
      { type: '*' },
      { type: 1 },
      { type: null },
      { $type: [] },
      { type: 'A', $type: 'B' },
    ];
    for (const body of invalid) {
      const error = errorOf(() => parseThingInput({ type: 'T', ...body }));
      expect(error.code, JSON.stringify(body)).toBe('VALIDATION_FAILED');
    }
  });

  it('accepts the id characters that stay readable in a URL path', () => {
    for (const id of ['a', 'A9', 'user:42@example.org', 'a.b_c-d~e', '9'.repeat(256)]) {
      expect(parseThingInput({ id, type: 'T' }).id).toBe(id);
    }
  });

  it('names the field and the rule in the message', () => {
    const error = errorOf(() => parseThingInput({ id: 'a b', type: 'T' }));
    expect(error.message).toBe('invalid thing id: must be 1-256 characters of A-Z, a-z, 0-9 and . _ : @ ~ -, starting with a letter or digit');
    expect(error.details?.field).toBe('thing id');
  });
});

describe('parseRelationshipInput', () => {
  it('reads a relationship with type or verb', () => {
    expect(parseRelationshipInput({ from: 'a', to: 'b', type: 'knows' })).toEqual({ id: undefined, type: 'knows', from: 'a', to: 'b', data: {} });
    expect(parseRelationshipInput({ id: 'r', from: 'a', to: 'b', verb: 'likes', data: [1] })).toEqual({
      id: 'r',
      type: 'likes',
      from: 'a',
      to: 'b',
      data: [1],
    });
    expect(parseRelationshipInput({ from: 'a', to: 'b', type: 'x', verb: 'x' }).type).toBe('x');
  });

  it('rejects missing or conflicting types, bad ends and unknown fields', () => {
    const invalid: Array<Record<string, unknown>> = [
      { from: 'a', to: 'b' },
      { from: 'a', to: 'b', type: 'x', verb: 'y' },
      { from: 'a', to: 'b', type: '*' },
      { to: 'b', type: 'x' },
      { from: 'a', type: 'x' },
      { from: '', to: 'b', type: 'x' },
      { from: 'a', to: 'b c', type: 'x' },
      { from: 'a', to: 'b', type: 'x', weight: 2 },
    ];
    for (const body of invalid) {
      expect(errorOf(() => parseRelationshipInput(body)).code, JSON.stringify(body)).toBe('VALIDATION_FAILED');
    }
  });

  it('names an unknown field in the message', () => {
    expect(errorOf(() => parseRelationshipInput({ from: 'a', to: 'b', type: 'x', weight: 2 })).message).toContain('"weight"');
  });
});

describe('parseEntityId', () => {
  it('returns a valid id and rejects others', () => {
    expect(parseEntityId('a:b', 'thing id')).toBe('a:b');
    expect(errorOf(() => parseEntityId('%ZZ', 'thing id')).code).toBe('VALIDATION_FAILED');
  });
});

describe('requireObject', () => {
  it('accepts an object and rejects everything else', () => {
    expect(requireObject({ a: 1 }, 'POST /x')).toEqual({ a: 1 });
    for (const [body, described] of [
      [undefined, 'requires a JSON object body'],
      [null, 'not null'],
      [[], 'not an array'],
      ['s', 'not a string'],
      [1, 'not a number'],
      [true, 'not a boolean'],
    ] as const) {
      const error = errorOf(() => requireObject(body, 'POST /x'));
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.message).toContain(described);
    }
  });
});

describe('parseIfMatch', () => {
  it('reads a version from the ETag forms', () => {
    const cases: Array<[string, number]> = [
      ['"3"', 3],
      ['3', 3],
      ['W/"3"', 3],
      [' "12" ', 12],
      ['"0"', 0],
      ['999999999999999', 999_999_999_999_999],
    ];
    for (const [value, version] of cases) expect(parseIfMatch(value), value).toBe(version);
  });

  it('names a list as unsupported', () => {
    expect(errorOf(() => parseIfMatch('"1", "2"')).message).toContain('list');
  });

  it('returns null when absent or *', () => {
    expect(parseIfMatch(undefined)).toBeNull();
    expect(parseIfMatch(null)).toBeNull();
    expect(parseIfMatch('*')).toBeNull();
    expect(parseIfMatch(' * ')).toBeNull();
  });

  it('rejects what is not one version', () => {
    for (const value of ['', 'abc', '"a"', '"1", "2"', '-1', '1.5', '1e3', '"1234567890123456"', 'W/', 'w/"1"', '**', '"1', '1"', 'W/1', '"01"', '01', 'W/"01"', '"1" ,"2"']) {
      expect(errorOf(() => parseIfMatch(value)).code, value).toBe('VALIDATION_FAILED');
    }
  });
});

describe('parseIntegerParam', () => {
  it('echoes an out-of-range value as sent', () => {
    expect(errorOf(() => parseIntegerParam('99999999999999999999', 'after', 0, 0, Number.MAX_SAFE_INTEGER)).message).toBe(
      'query parameter after=99999999999999999999 is out of range 0..9007199254740991',
    );
  });

  it('returns the fallback when absent or empty', () => {
    expect(parseIntegerParam(undefined, 'limit', 100, 1, 1000)).toBe(100);
    expect(parseIntegerParam('', 'limit', 100, 1, 1000)).toBe(100);
  });

  it('reads integers within the range, including its ends', () => {
    expect(parseIntegerParam('1', 'limit', 100, 1, 1000)).toBe(1);
    expect(parseIntegerParam('1000', 'limit', 100, 1, 1000)).toBe(1000);
    expect(parseIntegerParam('007', 'limit', 100, 1, 1000)).toBe(7);
  });

  it('rejects values out of range or not integers', () => {
    for (const value of ['0', '1001', '-1', '1.0', '1e2', ' 5', '0x10', 'ten', '99999999999999999999']) {
      const error = errorOf(() => parseIntegerParam(value, 'limit', 100, 1, 1000));
      expect(error.code, value).toBe('VALIDATION_FAILED');
      expect(error.message).toContain('limit');
    }
  });
});

describe('list cursors', () => {
  it('round-trips an id and keeps null for the last page', () => {
    for (const id of ['a', 'user:42@example.org', '01906e2a-8a00-7000-8000-000000000001', 'z'.repeat(256)]) {
      const cursor = encodeCursor(id)!;
      expect(cursor).toMatch(/^[A-Za-z0-9+/]+$/);
      expect(decodeCursor(cursor)).toBe(id);
    }
    expect(encodeCursor(null)).toBeNull();
  });

  it('treats an absent or empty cursor as the first page', () => {
    expect(decodeCursor(undefined)).toBeNull();
    expect(decodeCursor('')).toBeNull();
  });

  it('rejects cursors it did not make', () => {
    for (const cursor of ['!!!', 'not base64 at all', btoa('plain text'), btoa('{"after":5}'), btoa('{"before":"a"}'), btoa('null'), btoa('["a"]'), '😀']) {
      const error = errorOf(() => decodeCursor(cursor));
      expect(error.code, cursor).toBe('INVALID_CURSOR');
    }
  });
});
