import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DEV_ADMIN_TOKEN, type DevServer, removeStateDir, startDevServer } from './harness/wrangler-dev';

const verifyScript = resolve(import.meta.dirname, '..', '..', 'scripts', 'verify-chain.mjs');
const json = { 'content-type': 'application/json' };

let server: DevServer;

beforeAll(async () => {
  server = await startDevServer();
});

afterAll(async () => {
  await server?.stop();
  if (server) removeStateDir(server.persistDir);
});

describe('README walkthrough under wrangler dev', () => {
  it('README isolation steps', async () => {
    const created = await server.request('tenant-a', '/things', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ id: 'secret-data', $type: 'Secret', data: 'tenant-a-secret' }),
    });
    expect(created.status, server.output()).toBe(201);

    const hidden = await server.request('tenant-b', '/things/secret-data');
    expect(hidden.status).toBe(404);
    expect((await hidden.json()) as unknown).toMatchObject({ error: { code: 'NOT_FOUND' } });

    const emptyList = await server.request('tenant-b', '/things?type=Secret');
    expect(await emptyList.text()).toBe('{"items":[],"count":0,"cursor":null}');

    const statsA = (await (await server.request('tenant-a', '/stats')).json()) as { thingCount: number };
    const statsB = (await (await server.request('tenant-b', '/stats')).json()) as { thingCount: number };
    expect(statsA.thingCount).toBe(1);
    expect(statsB.thingCount).toBe(0);

    const sameId = await server.request('tenant-b', '/things', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ id: 'secret-data', type: 'Secret', data: 'tenant-b-secret' }),
    });
    expect(sameId.status).toBe(201);

    const head = await server.request('tenant-a', '/things/secret-data', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('x-tenant-id')).toBe('tenant-a');

    const events = (await (await server.request('tenant-a', '/events?after=0')).json()) as { items: Array<{ type: string }> };
    expect(events.items.map((event) => event.type)).toEqual(['thing.created']);

    const rebuild = await server.request('tenant-a', '/admin/projections/rebuild', {
      method: 'POST',
      headers: { authorization: `Bearer ${DEV_ADMIN_TOKEN}` },
    });
    expect(rebuild.status).toBe(200);
    expect(await rebuild.json()).toMatchObject({ eventsReplayed: 1, matches: true });
  });

  it('event pages pass verify-chain.mjs', async () => {
    const tenant = 'chain-check';
    for (let index = 0; index < 12; index++) {
      const response = await server.request(tenant, '/things', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ id: `t${index}`, type: 'T', data: { index, text: 'ü😀', big: 1e21 } }),
      });
      expect(response.status).toBe(201);
    }
    await server.request(tenant, '/things/t1', { method: 'PATCH', headers: json, body: '{"data":{"more":[1,2]}}' });
    await server.request(tenant, '/things/t2', { method: 'DELETE' });

    let pages = '';
    let after = 0;
    for (;;) {
      const text = await (await server.request(tenant, `/events?after=${after}&limit=5`)).text();
      pages += text;
      const next = (JSON.parse(text) as { next: number | null }).next;
      if (next === null) break;
      after = next;
    }

    const verified = spawnSync(process.execPath, [verifyScript], { input: pages, encoding: 'utf8' });
    expect(verified.stdout).toMatch(/^OK 14 events, last seq 14, head hash [0-9a-f]{64}\n$/);
    expect(verified.status).toBe(0);

    const tampered = pages.replace('"index":3', '"index":4');
    const broken = spawnSync(process.execPath, [verifyScript], { input: tampered, encoding: 'utf8' });
    expect(broken.stdout).toMatch(/^BROKEN at seq 4: /);
    expect(broken.status).toBe(1);
  });

  it('early 400 and 413 log no errors', async () => {
    await server.request('early', '/things', { method: 'POST', headers: json, body: '{"id":"x","type":"T"}' });
    const body = JSON.stringify({ data: { pad: 'p'.repeat(200_000) } });
    for (let attempt = 0; attempt < 3; attempt++) {
      const rejected = await server.request('early', '/things/x', { method: 'PATCH', headers: { ...json, 'if-match': 'nonsense' }, body });
      expect(rejected.status).toBe(400);
      const tooLarge = await server.request('early', '/things', { method: 'POST', headers: json, body: 'x'.repeat(1_200_000) });
      expect(tooLarge.status).toBe(413);
    }
    // Give workerd time to report anything it would report about the aborted bodies.
    await new Promise((wait) => setTimeout(wait, 500));
    expect(server.output()).not.toMatch(/Can't read from request stream|Network connection lost|Uncaught/);
  });
});
