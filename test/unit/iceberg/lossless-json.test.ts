import { describe, expect, it } from 'vitest';

import { IcebergError } from '../../../pipelines/iceberg/iceberg-error';
import { parseLosslessJson, stringifyLosslessJson } from '../../../pipelines/iceberg/lossless-json';

describe('lossless JSON', () => {
  it('keeps 64-bit snapshot ids exact', () => {
    const text = '{"snapshot-id": 8656952484400131532, "small": 12, "negative": -9223372036854775808}';
    const value = parseLosslessJson(text) as Record<string, unknown>;
    expect(value['snapshot-id']).toBe(8656952484400131532n);
    expect(value.small).toBe(12);
    expect(value.negative).toBe(-9223372036854775808n);
    expect(stringifyLosslessJson(value as never, 0)).toBe(
      '{"snapshot-id":8656952484400131532,"small":12,"negative":-9223372036854775808}',
    );
  });

  it('parses what JSON.parse parses', () => {
    const text = '{"a":[1,2.5,-0.1e3,true,false,null],"b":"x\\"y\\u00fc\\n","c":{},"d":[]}';
    expect(parseLosslessJson(text)).toEqual(JSON.parse(text));
  });

  it('prints indented JSON that JSON.parse reads back', () => {
    const value = { a: [1, { b: 'c' }], empty: {}, none: [] };
    const text = stringifyLosslessJson(value, 2);
    expect(text).toContain('\n  "a": [\n    1,');
    expect(JSON.parse(text)).toEqual(value);
  });

  it('reports the offset of invalid input', () => {
    expect(() => parseLosslessJson('{"a": }')).toThrow(IcebergError);
    expect(() => parseLosslessJson('{"a": 1} x')).toThrow(/unexpected text after the value at offset 9/);
    expect(() => parseLosslessJson('"open')).toThrow(/unterminated string/);
  });
});
