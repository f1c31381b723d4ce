import { describe, expect, it } from 'vitest';

import { canonicalJson, hasLoneSurrogate } from '../../events/canonical';
import { seededRandom } from '../fixtures/seeded-random';

/** Builds the double whose IEEE 754 bits are the 16 hex digits `bits`. */
function ieee754(bits: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${bits}`));
  return view.getFloat64(0);
}

describe('canonicalJson', () => {
  // RFC 8785, Appendix B: IEEE 754 values and their canonical text.
  const numberVectors: Array<[string, string]> = [
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ];
  for (const [bits, expected] of numberVectors) {
    it(`writes the double 0x${bits} as ${expected}`, () => {
      expect(canonicalJson(ieee754(bits))).toBe(expected);
    });
  }

  it('rejects NaN and the infinities', () => {
    for (const bits of ['7fffffffffffffff', '7ff0000000000000', 'fff0000000000000']) {
      expect(() => canonicalJson(ieee754(bits))).toThrow(TypeError);
    }
  });

  it('sorts member names by UTF-16 code units', () => {
    // RFC 8785, section 3.2.3: the emoji's high surrogate (D83D) sorts before U+FB33.
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    expect(canonicalJson(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it('transforms the RFC 8785 example', () => {
    // RFC 8785, section 3.2.2: the input as parsed from its JSON text.
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",' +
        ' "literals": [null, true, false]}',
    );
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('escapes only what JSON requires', () => {
    expect(canonicalJson('\u0001\b\f\t\u001f\u007f/é')).toBe('"\\u0001\\b\\f\\t\\u001f\u007f/é"');
  });

  it('writes nested values without white space and is a fixed point', () => {
    const input = { b: [{}, [], { z: 1, a: -0 }], a: '' };
    const canonical = canonicalJson(input);
    expect(canonical).toBe('{"a":"","b":[{},[],{"a":0,"z":1}]}');
    expect(canonicalJson(JSON.parse(canonical))).toBe(canonical);
  });

  it('sorts integer-like member names as strings', () => {
    expect(canonicalJson({ 10: 'a', 2: 'b', 1: 'c', a: 'd' })).toBe('{"1":"c","10":"a","2":"b","a":"d"}');
  });

  it('leaves out undefined members and writes undefined array items as null', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(canonicalJson([undefined, 1])).toBe('[null,1]');
  });

  it('rejects values JSON cannot carry', () => {
    expect(() => canonicalJson(10n)).toThrow(TypeError);
    expect(() => canonicalJson(() => 1)).toThrow(TypeError);
    expect(() => canonicalJson(Symbol('s'))).toThrow(TypeError);
    expect(() => canonicalJson({ nested: [Number.NaN] })).toThrow(TypeError);
  });

  it('rejects strings and names with unpaired surrogates', () => {
    expect(() => canonicalJson('a\ud800')).toThrow(/unpaired surrogate/);
    expect(() => canonicalJson({ '\udc00': 1 })).toThrow(/unpaired surrogate/);
    expect(() => canonicalJson(['\ude00\ud83d'])).toThrow(/unpaired surrogate/);
    expect(canonicalJson('\ud83d\ude00')).toBe('"😀"');
  });
});

/** RFC 8785 written as plainly as possible, to check the faster walks of canonicalJson against. */
function referenceCanonical(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') {
    if (hasLoneSurrogate(value)) throw new TypeError('unpaired surrogate');
    return JSON.stringify(value);
  }
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`${value} has no JSON form`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${Array.from(value, (item) => (item === undefined ? 'null' : referenceCanonical(item))).join(',')}]`;
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .sort()
      .filter((key) => record[key] !== undefined)
      .map((key) => `${referenceCanonical(key)}:${referenceCanonical(record[key])}`);
    return `{${members.join(',')}}`;
  }
  throw new TypeError(`a ${typeof value} has no JSON form`);
}

const textPieces = ['a', 'Z', '1', '10', ' ', '"', '\\', '\\ud800', '\n', '\u0001', '\u007f', 'é', '€', '😀', '\ud800', '\udc00', '\ufb33', '__proto__'];
const numbers = [0, -0, 1, -7, 12.5, 0.1, 1e21, 5e-324, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY];

function randomText(random: () => number): string {
  let text = '';
  const pieces = Math.floor(random() * 4);
  for (let index = 0; index < pieces; index++) text += textPieces[Math.floor(random() * textPieces.length)];
  return text;
}

function randomValue(random: () => number, depth: number): unknown {
  const kind = Math.floor(random() * (depth > 2 ? 5 : 9));
  switch (kind) {
    case 0:
      return randomText(random);
    case 1:
      return numbers[Math.floor(random() * numbers.length)];
    case 2:
      return random() < 0.5;
    case 3:
      return null;
    case 4:
      return random() < 0.9 ? randomText(random) : undefined;
    case 5:
    case 6: {
      const items: unknown[] = [];
      const length = Math.floor(random() * 4);
      for (let index = 0; index < length; index++) items[index] = randomValue(random, depth + 1);
      if (random() < 0.1) items.length += 1;
      return items;
    }
    default: {
      const record: Record<string, unknown> = random() < 0.1 ? (Object.create(null) as Record<string, unknown>) : {};
      const size = Math.floor(random() * 5);
      for (let index = 0; index < size; index++) {
        // defineProperty, so that a member named __proto__ is an own member, as JSON.parse makes it.
        Object.defineProperty(record, randomText(random), { value: randomValue(random, depth + 1), enumerable: true, writable: true, configurable: true });
      }
      return random() < 0.05 ? new Date(0) : record;
    }
  }
}

/** Returns the text, or "throws" when the serialisation throws. */
function outcome(serialise: (value: unknown) => string, value: unknown): string {
  try {
    return serialise(value);
  } catch {
    return 'throws';
  }
}

describe('canonicalJson against a plain reference', () => {
  it('matches on objects with many members', () => {
    const random = seededRandom(40);
    for (const size of [2, 16, 17, 40, 2000]) {
      const record: Record<string, number> = {};
      for (let index = 0; index < size; index++) record[`${randomText(random)}${Math.floor(random() * 1e6)}${'k'.repeat(index % 70)}`] = index;
      expect(outcome(canonicalJson, record), `size ${size}`).toBe(outcome(referenceCanonical, record));
    }
  });

  it('matches on 5,000 generated values', () => {
    const random = seededRandom(8785);
    for (let run = 0; run < 5000; run++) {
      const value = randomValue(random, 0);
      expect(outcome(canonicalJson, value), `run ${run}`).toBe(outcome(referenceCanonical, value));
    }
  });
});

describe('hasLoneSurrogate', () => {
  it('finds unpaired halves and accepts pairs', () => {
    expect(hasLoneSurrogate('plain')).toBe(false);
    expect(hasLoneSurrogate('😀 pair')).toBe(false);
    expect(hasLoneSurrogate('\ud800')).toBe(true);
    expect(hasLoneSurrogate('x\udfff')).toBe(true);
    expect(hasLoneSurrogate('\ude00\ud83d')).toBe(true);
    expect(hasLoneSurrogate('\ud83d\ud83d\ude00')).toBe(true);
  });
});
