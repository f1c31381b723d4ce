import { describe, expect, it } from 'vitest';

import { applyMergePatch, isPlainObject } from '../../src/tenant/commands/merge-patch';

describe('applyMergePatch', () => {
  // RFC 7396, Appendix A: original, patch, result.
  const rfcExamples: Array<[unknown, unknown, unknown]> = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];

  for (const [original, patch, result] of rfcExamples) {
    it(`patches ${JSON.stringify(original)} with ${JSON.stringify(patch)}`, () => {
      expect(applyMergePatch(original, patch)).toEqual(result);
    });
  }

  it('leaves the original and the patch unchanged', () => {
    const original = { a: { b: 1 }, c: [1] };
    const patch = { a: { b: null, d: 2 } };
    const originalCopy = structuredClone(original);
    const patchCopy = structuredClone(patch);
    applyMergePatch(original, patch);
    expect(original).toEqual(originalCopy);
    expect(patch).toEqual(patchCopy);
  });

  it('treats an empty patch as no change', () => {
    expect(applyMergePatch({ a: 1 }, {})).toEqual({ a: 1 });
  });

  it('object patch on a non-object target', () => {
    expect(applyMergePatch('text', { a: 1 })).toEqual({ a: 1 });
    expect(applyMergePatch(null, { a: null })).toEqual({});
  });
});

describe('isPlainObject', () => {
  it('accepts objects and rejects arrays, null and scalars', () => {
    expect(isPlainObject({})).toBe(true);
    expect(isPlainObject([])).toBe(false);
    expect(isPlainObject(null)).toBe(false);
    expect(isPlainObject('x')).toBe(false);
    expect(isPlainObject(1)).toBe(false);
  });
});
