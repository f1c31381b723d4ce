import { describe, expect, it } from 'vitest';

import { call, createRelationship, createThing, sendJson, uniqueTenant, useManualClock } from './helpers';

interface Stats {
  tenant: string;
  thingCount: number;
  relationshipCount: number;
  eventCount: number;
  lastSeq: number;
  byType: Record<string, number>;
}

async function stats(tenant: string): Promise<Stats> {
  const response = await call(tenant, '/stats');
  expect(response.status).toBe(200);
  return response.json<Stats>();
}

describe('GET /stats', () => {
  it('reports zeros for a new tenant', async () => {
    const tenant = uniqueTenant('stats-empty');
    expect(await stats(tenant)).toEqual({ tenant, thingCount: 0, relationshipCount: 0, eventCount: 0, lastSeq: 0, byType: {} });
  });

  it('follows creates, type changes, deletes and cascades', async () => {
    const tenant = uniqueTenant('stats');
    await createThing(tenant, { id: 'a', type: 'Person' });
    await createThing(tenant, { id: 'b', type: 'Person' });
    await createThing(tenant, { id: 'c', type: 'Company' });
    await createRelationship(tenant, { id: 'r1', from: 'a', to: 'c', type: 'worksAt' });
    await createRelationship(tenant, { id: 'r2', from: 'b', to: 'c', type: 'worksAt' });
    expect(await stats(tenant)).toEqual({
      tenant,
      thingCount: 3,
      relationshipCount: 2,
      eventCount: 5,
      lastSeq: 5,
      byType: { Company: 1, Person: 2 },
    });

    await sendJson(tenant, 'PUT', '/things/b', { type: 'Robot', data: {} });
    await call(tenant, '/things/c', { method: 'DELETE' });

    expect(await stats(tenant)).toEqual({
      tenant,
      thingCount: 2,
      relationshipCount: 0,
      eventCount: 9,
      lastSeq: 9,
      byType: { Person: 1, Robot: 1 },
    });
  });

  it('counts types with any characters, including emoji', async () => {
    const tenant = uniqueTenant('stats-unicode');
    const types = ['😀', 'a:b', 'Ünïcode', 'with space', '日本', '\u{10FFFF}', 'z'];
    for (const [index, type] of types.entries()) await createThing(tenant, { id: `t${index}`, type });
    await createThing(tenant, { id: 'second-emoji', type: '😀' });

    const { byType, thingCount } = await stats(tenant);
    expect(thingCount).toBe(types.length + 1);
    expect(byType).toEqual(Object.fromEntries(types.map((type) => [type, type === '😀' ? 2 : 1])));
  });
});

describe('GET /health', () => {
  it('reports every component', async () => {
    const tenant = uniqueTenant('health');
    await useManualClock(tenant, Date.UTC(2032, 1, 3, 4, 5, 6));
    await createThing(tenant, { id: 'a', type: 'T' });
    await createThing(tenant, { id: 'b', type: 'T' });
    await call(tenant, '/things/b', { method: 'DELETE' });

    const response = await call(tenant, '/health');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-tenant-id')).toBe(tenant);
    const body = await response.json<Record<string, unknown>>();
    expect(body).toEqual({
      status: 'healthy',
      timestamp: '2032-02-03T04:05:06.000Z',
      uptimeMs: expect.any(Number),
      components: {
        state: { status: 'healthy', thingCount: 1 },
        pipeline: { status: 'healthy', pendingEvents: 3, flushedSeq: 0, lastFlushAt: null, lagMs: 0 },
        sql: { status: 'healthy', avgQueryLatencyMs: expect.any(Number) },
      },
    });
    expect(body.uptimeMs).toBeGreaterThanOrEqual(0);
  });

  it('leaves admin requests out of SQL latency', async () => {
    const tenant = uniqueTenant('health-latency');
    await createThing(tenant, { id: 'a', type: 'T' });
    const sqlLatency = async (): Promise<number> => {
      const body = await (await call(tenant, '/health')).json<{ components: { sql: { avgQueryLatencyMs: number } } }>();
      return body.components.sql.avgQueryLatencyMs;
    };
    const before = await sqlLatency();

    const startedAt = Date.now();
    const checkpoint = await call(tenant, '/admin/checkpoint', { method: 'POST', headers: { authorization: 'Bearer dev-admin-token' } });
    expect(checkpoint.status, await checkpoint.text()).toBe(200);
    expect(Date.now() - startedAt).toBeGreaterThan(0);
    expect((await call(tenant, '/admin/projections/checksum', { headers: { authorization: 'Bearer dev-admin-token' } })).status).toBe(200);

    expect(await sqlLatency()).toBe(before);
  });

  it('answers HEAD without a body', async () => {
    const tenant = uniqueTenant('health-head');
    const response = await call(tenant, '/health', { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });
});
