import { describe, expect, it } from 'vitest';

import { canonicalJson, canonicalJsonFromStringified } from '../../events/canonical';
import { utf8Length } from '../../events/utf8';

/** Returns what `canonicalJson` does for `value`, or the message it throws. */
function outcome(run: () => string): string {
  try {
    return run();
  } catch (error) {
    return `throws ${error instanceof Error ? error.message : String(error)}`;
  }
}

const sameAsCanonical: Array<[string, unknown]> = [
  ['sorted object', { a: 1, b: [true, null, 'x'], c: { d: 2.5, e: 'ü' } }],
  ['unsorted keys', { b: 1, a: 2 }],
  ['nested unsorted keys', { a: { z: 1, y: 2 } }],
  ['integer-like keys', { '10': 1, '9': 2 }],
  ['upper case before lower case', { B: 1, a: 2 }],
  ['keys above U+FFFF and U+E000', { '\u{1F600}': 1, '\uE000': 2 }],
  ['lone surrogate in a value', { a: 'x\uD800y' }],
  ['lone surrogate in a key', { 'k\uDC00': 1 }],
  ['backslash and ud in text', { a: '\\ud800 is text' }],
  ['NaN', { a: Number.NaN }],
  ['infinity in an array', [Number.POSITIVE_INFINITY]],
  ['negative zero and exponents', [-0, 1e21, 5e-324, 0.1]],
  ['undefined member', { a: undefined, b: 1 }],
  ['undefined in an array', [undefined, 1]],
  ['date', { at: new Date(0) }],
  ['map', new Map([['a', 1]])],
  ['null prototype', Object.assign(Object.create(null) as object, { b: 1, a: 2 })],
  ['function member', { a: () => 1 }],
  ['emoji and controls', { a: '😀\u0001\n"' }],
  ['empty containers', { a: {}, b: [] }],
  ['scalar string', 'plain'],
  ['scalar number', 42],
  ['null', null],
];

describe('canonicalJsonFromStringified', () => {
  for (const [name, value] of sameAsCanonical) {
    it(`matches canonicalJson: ${name}`, () => {
      const json = JSON.stringify(value) ?? 'undefined';
      expect(outcome(() => canonicalJsonFromStringified(value, json))).toBe(outcome(() => canonicalJson(value)));
    });
  }

  it('returns the stringified text when it is canonical', () => {
    const json = JSON.stringify({ a: 1, b: 'x' });
    expect(canonicalJsonFromStringified({ a: 1, b: 'x' }, json)).toBe(json);
  });
});

describe('utf8Length', () => {
  const texts = ['', 'ascii', 'ü', '€', '😀', 'a\uD800b', '\uDC00', 'x\uD83D', 'mixed ü € 😀 text'];
  for (const text of texts) {
    it(`matches TextEncoder for ${JSON.stringify(text)}`, () => {
      expect(utf8Length(text)).toBe(new TextEncoder().encode(text).length);
    });
  }
});
