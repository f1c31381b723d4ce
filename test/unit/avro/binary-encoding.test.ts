import { describe, expect, it } from 'vitest';

import { AvroDecoder, decodeAvroValue } from '../../../pipelines/avro/decoder';
import { AvroEncoder, encodeAvroValue } from '../../../pipelines/avro/encoder';
import { AvroError, parseAvroSchema, type AvroValue } from '../../../pipelines/avro/schema';

function encodeLong(value: bigint | number): number[] {
  const encoder = new AvroEncoder();
  encoder.writeLong(value);
  return [...encoder.toBytes()];
}

describe('Avro zig-zag varints', () => {
  // Expected bytes follow the examples of the Avro 1.11 specification and the zig-zag rule.
  const cases: Array<[bigint, number[]]> = [
    [0n, [0x00]],
    [-1n, [0x01]],
    [1n, [0x02]],
    [-2n, [0x03]],
    [2n, [0x04]],
    [-64n, [0x7f]],
    [64n, [0x80, 0x01]],
    [2147483647n, [0xfe, 0xff, 0xff, 0xff, 0x0f]],
    [-2147483648n, [0xff, 0xff, 0xff, 0xff, 0x0f]],
    [9223372036854775807n, [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]],
    [-9223372036854775808n, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]],
  ];

  for (const [value, bytes] of cases) {
    it(`encodes and decodes ${value}`, () => {
      expect(encodeLong(value)).toEqual(bytes);
      expect(new AvroDecoder(new Uint8Array(bytes)).readLong()).toBe(value);
    });
  }

  it('encodes a safe number like the same bigint', () => {
    expect(encodeLong(8_656_952_484)).toEqual(encodeLong(8_656_952_484n));
  });

  it('rejects longs outside 64 bits and unsafe numbers', () => {
    expect(() => encodeLong(2n ** 63n)).toThrow(AvroError);
    expect(() => encodeLong(2 ** 60)).toThrow(/safe integer/);
  });

  it('rejects ints outside 32 bits', () => {
    const encoder = new AvroEncoder();
    expect(() => encoder.writeInt(2 ** 31)).toThrow(/32-bit/);
    const decoder = new AvroDecoder(new Uint8Array(encodeLong(2n ** 31n)));
    expect(() => decoder.readInt()).toThrow(/32-bit/);
  });

  it('rejects a varint longer than 10 bytes', () => {
    const decoder = new AvroDecoder(new Uint8Array(11).fill(0x80));
    expect(() => decoder.readLong()).toThrow(/longer than 10 bytes/);
  });

  it('reports truncated input', () => {
    const decoder = new AvroDecoder(new Uint8Array([0x80]));
    expect(() => decoder.readLong()).toThrow(/unexpected end of data/);
  });
});

describe('Avro values by schema', () => {
  const schema = parseAvroSchema({
    type: 'record',
    name: 'everything',
    namespace: 'test',
    fields: [
      { name: 'nothing', type: 'null' },
      { name: 'flag', type: 'boolean' },
      { name: 'small', type: 'int' },
      { name: 'big', type: 'long' },
      { name: 'single', type: 'float' },
      { name: 'double', type: 'double' },
      { name: 'raw', type: 'bytes' },
      { name: 'text', type: 'string' },
      { name: 'list', type: { type: 'array', items: 'long' } },
      { name: 'dictionary', type: { type: 'map', values: ['null', 'string'] } },
      { name: 'maybe', type: ['null', 'long'], default: null },
      { name: 'either', type: ['string', 'int'] },
      { name: 'hash', type: { type: 'fixed', name: 'md5', size: 4 } },
      { name: 'colour', type: { type: 'enum', name: 'colour', symbols: ['red', 'green'] } },
      { name: 'inner', type: { type: 'record', name: 'point', fields: [{ name: 'x', type: 'int' }] } },
      // A reference by name to the record defined in the previous field.
      { name: 'again', type: 'point' },
      { name: 'qualified', type: 'test.point' },
    ],
  });

  const value = {
    nothing: null,
    flag: true,
    small: -123456,
    big: 8656952484400131532n,
    single: 1.5,
    double: 0.9,
    raw: new Uint8Array([0, 255, 7]),
    text: 'naïve ☃ 😀',
    list: [1n, -2n, 3n],
    dictionary: new Map<string, AvroValue>([
      ['a', 'x'],
      ['b', null],
    ]),
    maybe: null,
    either: 7,
    hash: new Uint8Array([1, 2, 3, 4]),
    colour: 'green',
    inner: { x: 1 },
    again: { x: 2 },
    qualified: { x: 3 },
  };

  it('round-trips every supported type', () => {
    const encoder = new AvroEncoder();
    encodeAvroValue(encoder, schema, value);
    const decoder = new AvroDecoder(encoder.toBytes());
    expect(decodeAvroValue(decoder, schema)).toEqual(value);
    expect(decoder.remaining).toBe(0);
  });

  it('picks the union branch by value', () => {
    const union = parseAvroSchema(['null', 'string', 'long']);
    for (const [item, branch] of [
      [null, 0],
      ['x', 1],
      [5n, 2],
    ] as const) {
      const encoder = new AvroEncoder();
      encodeAvroValue(encoder, union, item);
      expect(encoder.toBytes()[0]).toBe(branch * 2);
    }
  });

  it('names the path of a mismatched value', () => {
    const encoder = new AvroEncoder();
    expect(() => encodeAvroValue(encoder, schema, { ...value, inner: { x: 'one' } })).toThrow(
      /value at \$\.inner\.x is not a valid int/,
    );
    expect(() => encodeAvroValue(encoder, schema, { ...value, small: undefined } as never)).toThrow(/\$\.small/);
  });

  it('decodes array blocks with a negative count and a byte size', () => {
    // Two blocks: count -2 with byte size 2, then count 1, then the end marker.
    const bytes = new Uint8Array([0x03, 0x04, 0x02, 0x04, 0x02, 0x06, 0x00]);
    const decoded = decodeAvroValue(new AvroDecoder(bytes), parseAvroSchema({ type: 'array', items: 'long' }));
    expect(decoded).toEqual([1n, 2n, 3n]);
  });

  it('rejects an unknown type name', () => {
    expect(() => parseAvroSchema({ type: 'record', name: 'r', fields: [{ name: 'a', type: 'nowhere' }] })).toThrow(
      /unknown type name "nowhere"/,
    );
  });

  it('rejects invalid UTF-8 in a string', () => {
    const bytes = new Uint8Array([0x02, 0xff]);
    expect(() => decodeAvroValue(new AvroDecoder(bytes), parseAvroSchema('string'))).toThrow(/not valid UTF-8/);
  });
});
