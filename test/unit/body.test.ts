import { describe, expect, it } from 'vitest';

import { isJsonContentType, MAX_BODY_BYTES, MAX_DRAIN_BYTES, readBodyText, readJsonBody } from '../../src/http/body';
import { assertStorableJson, MAX_JSON_DEPTH } from '../../src/http/json-constraints';
import { asyncErrorOf, errorOf } from './error-of';

/** Creates a stream of `count` chunks of `size` bytes that records how far it was read and whether it was cancelled. */
function trackedStream(count: number, size: number) {
  const state = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.pulled === count) {
        controller.close();
        return;
      }
      state.pulled += 1;
      controller.enqueue(new Uint8Array(size).fill(0x20));
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

function jsonRequest(body: BodyInit | null, contentType: string | null = 'application/json'): Request {
  const headers: Record<string, string> = contentType === null ? {} : { 'content-type': contentType };
  return new Request('https://tenant.internal/things', { method: 'POST', headers, body });
}

describe('readBodyText', () => {
  it('reads a body as UTF-8 text', async () => {
    expect(await readBodyText(jsonRequest('{"a":"ü😀"}'))).toBe('{"a":"ü😀"}');
    expect(await readBodyText(jsonRequest(null))).toBe('');
  });

  it('rejects a declared Content-Length over the limit without reading', async () => {
    const { stream, state } = trackedStream(1, 10);
    const request = new Request('https://tenant.internal/x', {
      method: 'POST',
      headers: { 'content-length': String(MAX_BODY_BYTES + 1) },
      body: stream,
    });
    const error = await asyncErrorOf(() => readBodyText(request));
    expect(error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(error.details).toEqual({ limitBytes: MAX_BODY_BYTES });
    expect(state.pulled).toBeLessThanOrEqual(1);
  });

  it('drains an oversized stream', async () => {
    const { stream, state } = trackedStream(40, 64 * 1024);
    const error = await asyncErrorOf(() => readBodyText(jsonRequest(stream)));
    expect(error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(error.message).toBe(`request body of at least ${40 * 64 * 1024} bytes exceeds the limit of ${MAX_BODY_BYTES} bytes`);
    expect(state.pulled).toBe(40);
    expect(state.cancelled).toBe(false);
  });

  it('cancels a stream that goes on past the drain limit', async () => {
    const chunk = 256 * 1024;
    const { stream, state } = trackedStream(1_000_000, chunk);
    const error = await asyncErrorOf(() => readBodyText(jsonRequest(stream)));
    expect(error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(state.cancelled).toBe(true);
    // Allows for the chunk that crossed each limit and one chunk the stream pulls ahead.
    expect(state.pulled * chunk).toBeLessThanOrEqual(MAX_BODY_BYTES + MAX_DRAIN_BYTES + 3 * chunk);
  });

  it('accepts exactly the limit', async () => {
    const text = await readBodyText(jsonRequest('x'.repeat(MAX_BODY_BYTES)));
    expect(text.length).toBe(MAX_BODY_BYTES);
  });

  it('rejects bytes that are not UTF-8', async () => {
    const error = await asyncErrorOf(() => readBodyText(jsonRequest(new Uint8Array([0x22, 0xc3, 0x28, 0x22]))));
    expect(error.code).toBe('INVALID_JSON');
  });
});

describe('readJsonBody', () => {
  it('parses JSON and returns undefined for an empty body', async () => {
    expect(await readJsonBody(jsonRequest('{"a":[1,true,null]}'))).toEqual({ a: [1, true, null] });
    expect(await readJsonBody(jsonRequest(null))).toBeUndefined();
    expect(await readJsonBody(jsonRequest('', null))).toBeUndefined();
  });

  it('needs a JSON content type for a non-empty body', async () => {
    for (const contentType of [null, 'text/plain', 'application/jsonx']) {
      expect((await asyncErrorOf(() => readJsonBody(jsonRequest('{}', contentType)))).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
  });

  it('rejects text that is not JSON', async () => {
    for (const text of ['{', 'nul', "{'a':1}", '[1,]', '{"a":1}x']) {
      const error = await asyncErrorOf(() => readJsonBody(jsonRequest(text)));
      expect(error.code, text).toBe('INVALID_JSON');
      expect(error.message).toMatch(/^request body is not valid JSON: /);
    }
  });

  it('applies assertStorableJson to the parsed value', async () => {
    expect((await asyncErrorOf(() => readJsonBody(jsonRequest('[1e999]')))).code).toBe('INVALID_JSON');
  });
});

describe('isJsonContentType', () => {
  it('accepts application/json and +json types with parameters', () => {
    for (const value of ['application/json', 'Application/JSON', 'application/json;charset=utf-8', ' application/json ; x=y', 'application/problem+json', 'application/vnd.a.b+json']) {
      expect(isJsonContentType(value), value).toBe(true);
    }
  });

  it('rejects other types', () => {
    for (const value of [null, '', 'text/json', 'application/jsonp', 'application/json-seq', 'json', 'application/+json ']) {
      expect(isJsonContentType(value), String(value)).toBe(false);
    }
  });
});

describe('assertStorableJson', () => {
  function nestArrays(depth: number): unknown {
    let value: unknown = 0;
    for (let level = 0; level < depth; level++) value = [value];
    return value;
  }

  it('accepts ordinary JSON values', () => {
    for (const value of [null, true, 0, -0, 1.5e300, 'text 😀', [], {}, { a: [1, { b: null }] }, nestArrays(MAX_JSON_DEPTH)]) {
      expect(() => assertStorableJson(value)).not.toThrow();
    }
  });

  it('rejects nesting deeper than the limit, without using the stack', () => {
    expect(errorOf(() => assertStorableJson(nestArrays(MAX_JSON_DEPTH + 1))).code).toBe('INVALID_JSON');
    expect(errorOf(() => assertStorableJson(JSON.parse(`${'['.repeat(500_000)}${']'.repeat(500_000)}`))).code).toBe('INVALID_JSON');
    expect(errorOf(() => assertStorableJson({ a: { b: nestArrays(MAX_JSON_DEPTH - 1) } })).details).toEqual({ maxDepth: MAX_JSON_DEPTH });
  });

  it('rejects infinities and NaN anywhere', () => {
    for (const value of [Number.POSITIVE_INFINITY, [Number.NEGATIVE_INFINITY], { a: { b: Number.NaN } }]) {
      expect(errorOf(() => assertStorableJson(value)).code).toBe('INVALID_JSON');
    }
  });

  it('rejects unpaired surrogates in values and member names', () => {
    for (const value of ['\ud800', ['ok', 'x\udc00'], { '\ud83d': 1 }, { a: { b: '\ude00\ud83d' } }]) {
      expect(errorOf(() => assertStorableJson(value)).code).toBe('INVALID_JSON');
    }
  });

  it('rejects the member name __proto__ at any depth', () => {
    for (const text of ['{"__proto__":{}}', '{"a":[{"__proto__":1}]}']) {
      const error = errorOf(() => assertStorableJson(JSON.parse(text)));
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.message).toContain('__proto__');
    }
  });
});
