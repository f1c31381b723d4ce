import { describe, expect, it } from 'vitest';

import { verifyChain } from '../../events/hash';
import { call, countEvents, createThing, expectError, readAllEvents, sendJson, type ThingBody, uniqueTenant } from './helpers';

function statuses(responses: Response[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const response of responses) counts[response.status] = (counts[response.status] ?? 0) + 1;
  return counts;
}

describe('If-Match', () => {
  it('applies an update whose version matches', async () => {
    const tenant = uniqueTenant('if-match-ok');
    await createThing(tenant, { id: 'a', type: 'T' });
    for (const [version, ifMatch] of [
      [1, '"1"'],
      [2, '2'],
      [3, 'W/"3"'],
      [4, '*'],
      [5, ' "5" '],
    ] as const) {
      const response = await sendJson(tenant, 'PATCH', '/things/a', { data: { step: version } }, { 'if-match': ifMatch });
      expect(response.status, ifMatch).toBe(200);
      expect(response.headers.get('etag')).toBe(`"${version + 1}"`);
    }
  });

  it('accepts the ETag of a read as If-Match', async () => {
    const tenant = uniqueTenant('etag-round-trip');
    await createThing(tenant, { id: 'a', type: 'T' });
    const etag = (await call(tenant, '/things/a')).headers.get('etag')!;
    const response = await sendJson(tenant, 'PUT', '/things/a', { data: { x: 1 } }, { 'if-match': etag });
    expect(response.status).toBe(200);
  });

  it('stale version gets 409', async () => {
    const tenant = uniqueTenant('if-match-stale');
    await createThing(tenant, { id: 'a', type: 'T', data: { n: 0 } });
    await sendJson(tenant, 'PATCH', '/things/a', { data: { n: 1 } });

    for (const [method, body] of [
      ['PATCH', { data: { n: 2 } }],
      ['PUT', { data: { n: 2 } }],
      ['DELETE', undefined],
    ] as const) {
      const init: RequestInit = { method, headers: { 'if-match': '"1"', 'content-type': 'application/json' } };
      if (body !== undefined) init.body = JSON.stringify(body);
      const error = await expectError(await call(tenant, '/things/a', init), 409, 'VERSION_CONFLICT');
      expect(error).toMatchObject({ id: 'a', expectedVersion: 1, currentVersion: 2 });
    }

    expect(await countEvents(tenant)).toBe(2);
    const thing = await (await call(tenant, '/things/a')).json<ThingBody>();
    expect(thing).toMatchObject({ version: 2, data: { n: 1 } });
  });

  it('deletes with a matching If-Match', async () => {
    const tenant = uniqueTenant('if-match-delete');
    await createThing(tenant, { id: 'a', type: 'T' });
    const response = await call(tenant, '/things/a', { method: 'DELETE', headers: { 'if-match': '"1"' } });
    expect(response.status).toBe(204);
  });

  it('rejects an If-Match that is not a version', async () => {
    const tenant = uniqueTenant('if-match-bad');
    await createThing(tenant, { id: 'a', type: 'T' });
    for (const ifMatch of ['abc', '"1", "2"', '""', '1.5', '-1', '"1234567890123456"', 'W/', '"1', '1"', 'W/1', '"01"']) {
      await expectError(
        await sendJson(tenant, 'PATCH', '/things/a', { data: {} }, { 'if-match': ifMatch }),
        400,
        'VALIDATION_FAILED',
      );
      await expectError(await call(tenant, '/things/a', { method: 'DELETE', headers: { 'if-match': ifMatch } }), 400, 'VALIDATION_FAILED');
    }
    expect(await countEvents(tenant)).toBe(1);
  });
});

describe('concurrent writes to one tenant', () => {
  it('ten updates with one If-Match', async () => {
    const tenant = uniqueTenant('ten-updates');
    await createThing(tenant, { id: 'counter', type: 'Counter', data: { value: 0 } });

    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        sendJson(tenant, 'PATCH', '/things/counter', { data: { value: index + 1 } }, { 'if-match': '"1"' }),
      ),
    );

    expect(statuses(responses)).toEqual({ 200: 1, 409: 9 });
    for (const response of responses.filter((candidate) => candidate.status === 409)) {
      await expectError(response, 409, 'VERSION_CONFLICT');
    }
    const winner = await responses.find((response) => response.status === 200)!.json<ThingBody>();
    const stored = await (await call(tenant, '/things/counter')).json<ThingBody>();
    expect(stored.version).toBe(2);
    expect(stored.data).toEqual(winner.data);
    expect(await countEvents(tenant)).toBe(2);
  });

  it('ten deletes with one If-Match', async () => {
    const tenant = uniqueTenant('ten-deletes');
    await createThing(tenant, { id: 'a', type: 'T' });
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => call(tenant, '/things/a', { method: 'DELETE', headers: { 'if-match': '"1"' } })),
    );
    // After the first delete the thing is gone, so the others find nothing to delete.
    expect(statuses(responses)).toEqual({ 204: 1, 404: 9 });
    expect(await countEvents(tenant)).toBe(2);
  });

  it('ten creates of one id', async () => {
    const tenant = uniqueTenant('ten-creates');
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, index) => sendJson(tenant, 'POST', '/things', { id: 'race', type: 'T', data: { index } })),
    );
    expect(statuses(responses)).toEqual({ 201: 1, 409: 9 });
    expect(await countEvents(tenant)).toBe(1);
  });

  it('ten requests with one Idempotency-Key', async () => {
    const tenant = uniqueTenant('ten-idempotent');
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => sendJson(tenant, 'POST', '/things', { type: 'T' }, { 'idempotency-key': 'once' })),
    );
    expect(statuses(responses)).toEqual({ 201: 10 });
    const bodies = new Set(await Promise.all(responses.map((response) => response.text())));
    expect(bodies.size).toBe(1);
    expect(responses.filter((response) => response.headers.get('idempotent-replayed') === 'true')).toHaveLength(9);
    expect(await countEvents(tenant)).toBe(1);
  });

  it('fifty concurrent writes stay chained', async () => {
    const tenant = uniqueTenant('fifty');
    await createThing(tenant, { id: 'shared', type: 'T', data: {} });
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        index % 2 === 0
          ? sendJson(tenant, 'POST', '/things', { id: `t${index}`, type: 'T' })
          : sendJson(tenant, 'PATCH', '/things/shared', { data: { [`k${index}`]: index } }),
      ),
    );
    expect(statuses(responses)).toEqual({ 200: 25, 201: 25 });

    const events = await readAllEvents(tenant);
    expect(events.map((event) => event.seq)).toEqual(Array.from({ length: 51 }, (_, index) => index + 1));
    expect(verifyChain(events).ok).toBe(true);
    const shared = await (await call(tenant, '/things/shared')).json<ThingBody>();
    expect(shared.version).toBe(26);
    expect(Object.keys(shared.data as object)).toHaveLength(25);
  });
});
