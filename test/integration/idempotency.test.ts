import { describe, expect, it } from 'vitest';

import { IDEMPOTENCY_TTL_MS } from '../../src/tenant/idempotency';
import {
  call,
  countEvents,
  createThing,
  expectError,
  readAllEvents,
  sendJson,
  type ThingBody,
  uniqueTenant,
  useManualClock,
} from './helpers';

describe('Idempotency-Key', () => {
  it('same key twice gives one row', async () => {
    const tenant = uniqueTenant('idem-repeat');
    const body = { type: 'Order', data: { total: 10 } };

    const first = await sendJson(tenant, 'POST', '/things', body, { 'idempotency-key': 'order-1' });
    const firstText = await first.text();
    // The client lost that response and sends the same request again.
    const second = await sendJson(tenant, 'POST', '/things', body, { 'idempotency-key': 'order-1' });
    const secondText = await second.text();

    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(secondText).toBe(firstText);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    expect(JSON.parse(secondText).seq).toBe(JSON.parse(firstText).seq);
    expect(await countEvents(tenant)).toBe(1);

    const events = await readAllEvents(tenant);
    expect(events[0]!.idempotencyKey).toBe('order-1');
  });

  it('member order does not matter', async () => {
    const tenant = uniqueTenant('idem-canonical');
    const headers = { 'content-type': 'application/json', 'idempotency-key': 'k' };
    const first = await call(tenant, '/things', { method: 'POST', headers, body: '{"type":"T","data":{"a":1,"b":2}}' });
    const second = await call(tenant, '/things', { method: 'POST', headers, body: '{ "data": { "b": 2, "a": 1 }, "type": "T" }' });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await countEvents(tenant)).toBe(1);
  });

  it('different body gets 422', async () => {
    const tenant = uniqueTenant('idem-reuse');
    await sendJson(tenant, 'POST', '/things', { type: 'T', data: { n: 1 } }, { 'idempotency-key': 'k' });
    const error = await expectError(
      await sendJson(tenant, 'POST', '/things', { type: 'T', data: { n: 2 } }, { 'idempotency-key': 'k' }),
      422,
      'IDEMPOTENCY_KEY_REUSED',
    );
    expect(error.message).toContain('"k"');
    expect(await countEvents(tenant)).toBe(1);
  });

  it('another path, method or If-Match gets 422', async () => {
    const tenant = uniqueTenant('idem-scope');
    await createThing(tenant, { id: 'a', type: 'T' });
    await createThing(tenant, { id: 'b', type: 'T' });
    const patch = { data: { n: 1 } };
    expect((await sendJson(tenant, 'PATCH', '/things/a', patch, { 'idempotency-key': 'k' })).status).toBe(200);

    await expectError(await sendJson(tenant, 'PATCH', '/things/b', patch, { 'idempotency-key': 'k' }), 422, 'IDEMPOTENCY_KEY_REUSED');
    await expectError(await sendJson(tenant, 'PUT', '/things/a', patch, { 'idempotency-key': 'k' }), 422, 'IDEMPOTENCY_KEY_REUSED');
    await expectError(
      await sendJson(tenant, 'PATCH', '/things/a', patch, { 'idempotency-key': 'k', 'if-match': '"2"' }),
      422,
      'IDEMPOTENCY_KEY_REUSED',
    );
    await expectError(await call(tenant, '/things/a', { method: 'DELETE', headers: { 'idempotency-key': 'k' } }), 422, 'IDEMPOTENCY_KEY_REUSED');
    expect(await countEvents(tenant)).toBe(3);
  });

  it('returns the stored response even after the thing changed', async () => {
    const tenant = uniqueTenant('idem-stale');
    await createThing(tenant, { id: 'a', type: 'T' });
    const headers = { 'idempotency-key': 'patch-1', 'if-match': '"1"' };
    const first = await sendJson(tenant, 'PATCH', '/things/a', { data: { n: 1 } }, headers);
    expect(first.status).toBe(200);
    await sendJson(tenant, 'PATCH', '/things/a', { data: { n: 2 } });

    // Version 1 is stale now, but the repeat gets the stored response and is not run again.
    const repeat = await sendJson(tenant, 'PATCH', '/things/a', { data: { n: 1 } }, headers);
    expect(repeat.status).toBe(200);
    expect((await repeat.json<ThingBody>()).version).toBe(2);
    expect(await countEvents(tenant)).toBe(3);
  });

  it('replays a 204 with an empty body', async () => {
    const tenant = uniqueTenant('idem-204');
    await createThing(tenant, { id: 'a', type: 'T' });
    const first = await call(tenant, '/things/a', { method: 'DELETE', headers: { 'idempotency-key': 'del' } });
    const second = await call(tenant, '/things/a', { method: 'DELETE', headers: { 'idempotency-key': 'del' } });
    expect(first.status).toBe(204);
    expect(second.status).toBe(204);
    expect(await second.text()).toBe('');
    expect(second.headers.get('content-type')).toBeNull();
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await countEvents(tenant)).toBe(2);

    // Without the key the same delete is a new request and the thing is gone.
    await expectError(await call(tenant, '/things/a', { method: 'DELETE' }), 404, 'NOT_FOUND');
  });

  it('replays a relationship create and delete', async () => {
    const tenant = uniqueTenant('idem-rel');
    await createThing(tenant, { id: 'a', type: 'T' });
    await createThing(tenant, { id: 'b', type: 'T' });
    const body = { from: 'a', to: 'b', type: 'knows' };
    const first = await sendJson(tenant, 'POST', '/relationships', body, { 'idempotency-key': 'rel' });
    const second = await sendJson(tenant, 'POST', '/relationships', body, { 'idempotency-key': 'rel' });
    expect(second.status).toBe(201);
    expect(await second.text()).toBe(await first.text());
    const id = (await (await call(tenant, '/relationships')).json<{ items: Array<{ id: string }> }>()).items[0]!.id;

    const deleteFirst = await call(tenant, `/relationships/${id}`, { method: 'DELETE', headers: { 'idempotency-key': 'rel-del' } });
    const deleteSecond = await call(tenant, `/relationships/${id}`, { method: 'DELETE', headers: { 'idempotency-key': 'rel-del' } });
    expect(deleteFirst.status).toBe(204);
    expect(deleteSecond.status).toBe(204);
    expect(await countEvents(tenant)).toBe(4);
  });

  it('error responses are not stored', async () => {
    const tenant = uniqueTenant('idem-error');
    const headers = { 'idempotency-key': 'early' };
    await expectError(await sendJson(tenant, 'PATCH', '/things/a', { data: { n: 1 } }, headers), 404, 'NOT_FOUND');
    await createThing(tenant, { id: 'a', type: 'T' });
    const retry = await sendJson(tenant, 'PATCH', '/things/a', { data: { n: 1 } }, headers);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
  });

  it('keeps keys per tenant', async () => {
    const tenantA = uniqueTenant('idem-a');
    const tenantB = uniqueTenant('idem-b');
    const a = await sendJson(tenantA, 'POST', '/things', { id: 'x', type: 'T' }, { 'idempotency-key': 'shared' });
    const b = await sendJson(tenantB, 'POST', '/things', { id: 'y', type: 'T' }, { 'idempotency-key': 'shared' });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
  });

  it('forgets a key after 24 hours', async () => {
    const tenant = uniqueTenant('idem-ttl');
    const clock = await useManualClock(tenant, Date.UTC(2030, 0, 1));
    const body = { type: 'T' };
    const first = await (await sendJson(tenant, 'POST', '/things', body, { 'idempotency-key': 'daily' })).json<ThingBody>();

    clock.advance(IDEMPOTENCY_TTL_MS);
    const withinTtl = await sendJson(tenant, 'POST', '/things', body, { 'idempotency-key': 'daily' });
    expect(withinTtl.headers.get('idempotent-replayed')).toBe('true');

    clock.advance(1);
    const afterTtl = await sendJson(tenant, 'POST', '/things', body, { 'idempotency-key': 'daily' });
    expect(afterTtl.status).toBe(201);
    expect(afterTtl.headers.get('idempotent-replayed')).toBeNull();
    expect((await afterTtl.json<ThingBody>()).id).not.toBe(first.id);
    expect(await countEvents(tenant)).toBe(2);
  });

  it('rejects malformed keys', async () => {
    const tenant = uniqueTenant('idem-invalid');
    for (const key of ['x'.repeat(256), 'has space', 'tab\there', 'delete\x7f']) {
      const headers = new Headers({ 'content-type': 'application/json' });
      headers.set('idempotency-key', key);
      const response = await call(tenant, '/things', { method: 'POST', headers, body: JSON.stringify({ type: 'T' }) });
      await expectError(response, 400, 'VALIDATION_FAILED');
    }
    const empty = await call(tenant, '/things', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': '' },
      body: JSON.stringify({ type: 'T' }),
    });
    await expectError(empty, 400, 'VALIDATION_FAILED');
    expect(await countEvents(tenant)).toBe(0);
    expect((await sendJson(tenant, 'POST', '/things', { type: 'T' }, { 'idempotency-key': 'x'.repeat(255) })).status).toBe(201);
  });
});
