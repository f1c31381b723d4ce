import { describe, expect, it } from 'vitest';

import { MAX_BODY_BYTES } from '../../src/http/body';
import { MAX_JSON_DEPTH } from '../../src/http/json-constraints';
import { MAX_EVENT_PAYLOAD_BYTES } from '../../src/tenant/event-log';
import { call, countEvents, createThing, expectError, sendJson, type ThingBody, uniqueTenant } from './helpers';

function postRaw(tenant: string, path: string, body: BodyInit, contentType: string | null = 'application/json'): Promise<Response> {
  const headers: Record<string, string> = contentType === null ? {} : { 'content-type': contentType };
  return call(tenant, path, { method: 'POST', headers, body });
}

/** Creates a stream of `chunks` chunks of `chunkBytes` spaces, which fetch sends without a Content-Length. */
function chunkedBody(chunks: number, chunkBytes: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent === chunks) {
        controller.close();
        return;
      }
      sent += 1;
      controller.enqueue(new Uint8Array(chunkBytes).fill(0x20));
    },
  });
}

/** Every route that reads a JSON body; `/things/x` must exist. */
const WRITE_ENDPOINTS = [
  ['POST', '/things'],
  ['PATCH', '/things/x'],
  ['PUT', '/things/x'],
  ['POST', '/relationships'],
  ['POST', '/batch'],
] as const;

function nested(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

describe('malformed JSON', () => {
  it('returns 400 INVALID_JSON on every write endpoint', async () => {
    const tenant = uniqueTenant('bad-json');
    await createThing(tenant, { id: 'x', type: 'T' });
    for (const [method, path] of WRITE_ENDPOINTS) {
      const response = await call(tenant, path, { method, headers: { 'content-type': 'application/json' }, body: '{"type": "T",' });
      const error = await expectError(response, 400, 'INVALID_JSON');
      expect(error.message).toMatch(/^request body is not valid JSON/);
    }
    expect(await countEvents(tenant)).toBe(1);
  });

  it('rejects a body that is not UTF-8', async () => {
    const tenant = uniqueTenant('bad-utf8');
    const bytes = new Uint8Array([0x7b, 0x22, 0x74, 0x79, 0x70, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
    await expectError(await postRaw(tenant, '/things', bytes), 400, 'INVALID_JSON');
  });

  it('accepts a UTF-8 byte order mark', async () => {
    const tenant = uniqueTenant('bom');
    const response = await postRaw(tenant, '/things', '\uFEFF{"type":"T"}');
    expect(response.status).toBe(201);
  });

  it('rejects numbers beyond the 64-bit float range', async () => {
    const tenant = uniqueTenant('overflow');
    for (const body of ['{"type":"T","data":1e400}', '{"type":"T","data":[-1e309]}', '{"type":"T","n":1e999}']) {
      await expectError(await postRaw(tenant, '/things', body), 400, 'INVALID_JSON');
    }
    // Underflow to zero loses nothing a double could carry, so it is accepted.
    const tiny = await postRaw(tenant, '/things', '{"id":"tiny","type":"T","data":1e-400}');
    expect((await tiny.json<ThingBody>()).data).toBe(0);
  });

  it(`accepts nesting to ${MAX_JSON_DEPTH} levels and rejects deeper bodies`, async () => {
    const tenant = uniqueTenant('depth');
    // The body object itself is the first level.
    const deepest = await postRaw(tenant, '/things', `{"id":"deep","type":"T","data":${nested(MAX_JSON_DEPTH - 1)}}`);
    expect(deepest.status).toBe(201);
    const patched = await sendJson(tenant, 'PATCH', '/things/deep', { type: 'U' });
    expect(patched.status).toBe(200);

    for (const depth of [MAX_JSON_DEPTH, 10_000, 200_000]) {
      const error = await expectError(await postRaw(tenant, '/things', `{"type":"T","data":${nested(depth)}}`), 400, 'INVALID_JSON');
      expect(error.maxDepth).toBe(MAX_JSON_DEPTH);
    }
    expect(await countEvents(tenant)).toBe(2);
  });

  it('rejects strings and names with unpaired surrogates', async () => {
    const tenant = uniqueTenant('surrogate');
    for (const body of ['{"type":"a\\ud800b"}', '{"type":"T","data":"\\udc00"}', '{"type":"T","data":{"\\ud83d":1}}', '{"type":"T","data":["\\ude00\\ud83d"]}']) {
      await expectError(await postRaw(tenant, '/things', body), 400, 'INVALID_JSON');
    }
    const paired = await postRaw(tenant, '/things', '{"id":"pair","type":"\\ud83d\\ude00","data":"\\ud83d\\ude00"}');
    expect(await paired.json()).toMatchObject({ type: '😀', data: '😀' });
  });

  it('rejects the member name __proto__ instead of dropping it', async () => {
    const tenant = uniqueTenant('proto');
    for (const body of ['{"type":"T","__proto__":{"x":1}}', '{"type":"T","data":{"a":{"__proto__":null}}}', '{"operations":[{"op":"create","type":"T","__proto__":1}]}']) {
      const path = body.startsWith('{"operations"') ? '/batch' : '/things';
      await expectError(await postRaw(tenant, path, body), 400, 'VALIDATION_FAILED');
    }
    expect(await countEvents(tenant)).toBe(0);
  });
});

describe('body size', () => {
  it(`accepts a body of exactly ${MAX_BODY_BYTES} bytes and rejects one byte more`, async () => {
    const tenant = uniqueTenant('size-edge');
    const frame = '{"id":"max","type":"T","data":""}';
    const exact = frame.replace('""', `"${'x'.repeat(MAX_BODY_BYTES - frame.length)}"`);
    expect(exact.length).toBe(MAX_BODY_BYTES);
    expect((await postRaw(tenant, '/things', exact)).status).toBe(201);

    const over = exact.replace('"max"', '"more"');
    const error = await expectError(await postRaw(tenant, '/things', over), 413, 'PAYLOAD_TOO_LARGE');
    expect(error.limitBytes).toBe(MAX_BODY_BYTES);
    expect(await countEvents(tenant)).toBe(1);
  });

  it('chunked body over the limit', async () => {
    const tenant = uniqueTenant('size-chunked');
    await createThing(tenant, { id: 'x', type: 'T' });
    for (const [method, path] of WRITE_ENDPOINTS) {
      const response = await call(tenant, path, {
        method,
        headers: { 'content-type': 'application/json' },
        body: chunkedBody(17, 64 * 1024),
      });
      await expectError(response, 413, 'PAYLOAD_TOO_LARGE');
    }
    expect(await countEvents(tenant)).toBe(1);
  });

  it('rejects a thing whose merged data outgrows one event', async () => {
    const tenant = uniqueTenant('size-merge');
    const half = 'x'.repeat(900_000);
    await createThing(tenant, { id: 'grow', type: 'T', data: { a: half } });
    const error = await expectError(await sendJson(tenant, 'PATCH', '/things/grow', { data: { b: half } }), 413, 'PAYLOAD_TOO_LARGE');
    expect(error.limitBytes).toBe(MAX_EVENT_PAYLOAD_BYTES);
    expect(await countEvents(tenant)).toBe(1);
    expect((await (await call(tenant, '/things/grow')).json<ThingBody>()).version).toBe(1);
  });

  it('numbers that grow past the limit', async () => {
    const tenant = uniqueTenant('size-numbers');
    // 5 bytes each in the request, 21 digits each once stored.
    const numbers = Array(200_000).fill('1e20').join(',');
    await expectError(await postRaw(tenant, '/things', `{"type":"N","data":[${numbers}]}`), 413, 'PAYLOAD_TOO_LARGE');
    expect(await countEvents(tenant)).toBe(0);
  });
});

describe('content type', () => {
  it('non-JSON media types get 415', async () => {
    const tenant = uniqueTenant('media-type');
    for (const contentType of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp', null]) {
      const response = await postRaw(tenant, '/things', '{"type":"T"}', contentType);
      await expectError(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
    }
    expect(await countEvents(tenant)).toBe(0);
  });

  it('accepts JSON media types with parameters and any case', async () => {
    const tenant = uniqueTenant('media-json');
    for (const contentType of ['application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/vnd.api+json', 'application/merge-patch+json']) {
      const response = await postRaw(tenant, '/things', '{"type":"T"}', contentType);
      expect(response.status, contentType).toBe(201);
    }
  });
});

describe('routes and methods', () => {
  it('returns a JSON 404 for unknown routes', async () => {
    const tenant = uniqueTenant('not-found');
    for (const path of ['/nope', '/things/a/b', '/things/', '/Things', '//things', '/events/1']) {
      const response = await call(tenant, path);
      const error = await expectError(response, 404, 'NOT_FOUND');
      expect(error.message).toContain('no route');
    }
  });

  it('wrong method gets 405 with Allow', async () => {
    const tenant = uniqueTenant('method');
    const cases: Array<[string, string, string]> = [
      ['POST', '/things/x', 'DELETE, GET, HEAD, PATCH, PUT'],
      ['DELETE', '/things', 'GET, HEAD, POST'],
      ['PUT', '/things', 'GET, HEAD, POST'],
      ['GET', '/batch', 'POST'],
      ['DELETE', '/batch', 'POST'],
      ['POST', '/events', 'GET, HEAD'],
      ['POST', '/stats', 'GET, HEAD'],
      ['DELETE', '/health', 'GET, HEAD'],
      ['PATCH', '/relationships/x', 'DELETE, GET, HEAD'],
      ['OPTIONS', '/relationships', 'GET, HEAD, POST'],
    ];
    for (const [method, path, allow] of cases) {
      const response = await call(tenant, path, { method });
      await expectError(response, 405, 'METHOD_NOT_ALLOWED');
      expect(response.headers.get('allow'), `${method} ${path}`).toBe(allow);
    }
    expect(await countEvents(tenant)).toBe(0);
  });
});
