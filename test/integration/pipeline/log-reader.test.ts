import { abortAllDurableObjects, env, runInDurableObject, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

import type { EventEnvelope } from '../../../events/envelope';
import { GENESIS_HASH, verifyChain } from '../../../events/hash';
import { writeEventDataFiles } from '../../../pipelines/parquet';
import { resetProjections } from '../../../projections/apply';
import { admin, checkpoint, createThings, DAY_MS, pipelineStateOf, setUpTenant, tenantStub } from './helpers';

async function exportLines(tenant: string, query = ''): Promise<{ status: number; events: EventEnvelope[]; text: string }> {
  const response = await admin(tenant, 'GET', `/export${query}`);
  const text = new TextDecoder().decode(await response.arrayBuffer());
  const events = response.status === 200 ? text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as EventEnvelope) : [];
  return { status: response.status, events, text };
}

async function write(tenant: string, method: string, path: string, body?: unknown): Promise<void> {
  const response = await SELF.fetch(`http://${tenant}.localhost${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(response.status, await response.text()).toBeLessThan(300);
}

/** Committed, trimmed history: three flushes over two days, with only the last 5 events held locally. */
async function buildTrimmedLog(tenant: string): Promise<number> {
  const clock = await setUpTenant(tenant, { localRetentionEvents: 5 });
  await createThings(tenant, 30, 'first');
  await checkpoint(tenant);
  clock.advance(DAY_MS);
  await createThings(tenant, 20, 'second');
  await checkpoint(tenant);
  await createThings(tenant, 8, 'unflushed');
  return (await pipelineStateOf(tenant)).headSeq;
}

describe('GET /admin/export', () => {
  it('streams the whole log, committed and unflushed, as JSON Lines', async () => {
    const lastSeq = await buildTrimmedLog('reader-export');
    expect(await pipelineStateOf('reader-export')).toMatchObject({ flushedSeq: 50, oldestLocalSeq: 46, headSeq: 58 });

    const { status, events, text } = await exportLines('reader-export');
    expect(status).toBe(200);
    expect(text.endsWith('\n')).toBe(true);
    expect(events.map((event) => event.seq)).toEqual(Array.from({ length: lastSeq }, (_, index) => index + 1));
    // Lines carry the stored events, so anyone can check the chain from them.
    expect(verifyChain(events, 0, GENESIS_HASH)).toMatchObject({ ok: true, lastSeq });
    expect(events[0]).toMatchObject({ tenant: 'reader-export', seq: 1, type: 'thing.created', actor: null });
  });

  it('streams a seq range, clamped to the head', async () => {
    await buildTrimmedLog('reader-range');
    const middle = await exportLines('reader-range', '?fromSeq=25&toSeq=48');
    expect(middle.events.map((event) => event.seq)).toEqual(Array.from({ length: 24 }, (_, index) => index + 25));
    expect(verifyChain(middle.events, 24, middle.events[0]!.prevHash).ok).toBe(true);

    const tail = await exportLines('reader-range', '?fromSeq=57&toSeq=1000');
    expect(tail.events.map((event) => event.seq)).toEqual([57, 58]);
    expect((await exportLines('reader-range', '?fromSeq=59')).events).toEqual([]);
  });

  it('rejects invalid ranges with a JSON error', async () => {
    await setUpTenant('reader-invalid');
    await createThings('reader-invalid', 3);
    for (const query of ['?fromSeq=0', '?fromSeq=abc', '?fromSeq=5&toSeq=2']) {
      const response = await admin('reader-invalid', 'GET', `/export${query}`);
      expect(response.status, query).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED');
    }
    const anonymous = await SELF.fetch('http://reader-invalid.localhost/admin/export');
    expect(anonymous.status).toBe(401);
  });

  it('fails when a committed file is missing or altered', async () => {
    await buildTrimmedLog('reader-broken');
    const key = 'events/data/tenant=reader-broken/day=2100-01-01/reader-broken-1-30.parquet';

    // An altered payload keeps the file readable but breaks the hash chain.
    const original = await exportLines('reader-broken', '?toSeq=30');
    const altered = original.events.map((event) => (event.seq === 7 ? { ...event, payload: { id: 'forged', type: 'Widget', data: {} } } : event));
    const [forged] = [...writeEventDataFiles(altered, { table: 'events' })];
    expect(forged!.key).toBe(key);
    const saved = await env.LOG.get(key);
    const savedBytes = new Uint8Array(await saved!.arrayBuffer());
    await env.LOG.put(key, forged!.bytes);
    const tampered = await admin('reader-broken', 'GET', '/export');
    expect(tampered.status).toBe(500);
    expect(await tampered.json()).toMatchObject({ error: { code: 'LOG_INTEGRITY', message: expect.stringContaining('seq 7') } });

    await env.LOG.delete(key);
    const missing = await admin('reader-broken', 'GET', '/export');
    expect(missing.status).toBe(503);
    expect(await missing.json()).toMatchObject({ error: { code: 'UNAVAILABLE', message: expect.stringContaining(key) } });

    await env.LOG.put(key, savedBytes);
    expect((await exportLines('reader-broken')).status).toBe(200);
  });
});

describe('POST /admin/projections/rebuild', () => {
  it('rebuilds from R2 after local trimming and matches the checksum', async () => {
    await setUpTenant('reader-rebuild', { localRetentionEvents: 0 });
    await createThings('reader-rebuild', 12);
    await write('reader-rebuild', 'PATCH', '/things/thing-3', { data: { colour: 'red' } });
    await write('reader-rebuild', 'DELETE', '/things/thing-4');
    await write('reader-rebuild', 'POST', '/relationships', { type: 'owns', from: 'thing-1', to: 'thing-2' });
    await checkpoint('reader-rebuild');
    expect(await pipelineStateOf('reader-rebuild')).toMatchObject({ flushedSeq: 15, oldestLocalSeq: null });

    const response = await admin('reader-rebuild', 'POST', '/projections/rebuild');
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ eventsReplayed: 15, lastSeq: 15, matches: true });
    const thing = await SELF.fetch('http://reader-rebuild.localhost/things/thing-3');
    expect(((await thing.json()) as { data: unknown }).data).toMatchObject({ colour: 'red' });
    expect((await SELF.fetch('http://reader-rebuild.localhost/things/thing-4')).status).toBe(404);
  });

  it('changes nothing when the trimmed log cannot be read', async () => {
    await buildTrimmedLog('reader-rebuild-broken');
    const checksum = async () =>
      ((await (await admin('reader-rebuild-broken', 'GET', '/projections/checksum')).json()) as { checksum: string }).checksum;
    const before = await checksum();
    await env.LOG.delete('events/data/tenant=reader-rebuild-broken/day=2100-01-02/reader-rebuild-broken-31-50.parquet');

    const response = await admin('reader-rebuild-broken', 'POST', '/projections/rebuild');
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { code: 'UNAVAILABLE' } });
    expect(await checksum()).toBe(before);
    const listed = await SELF.fetch('http://reader-rebuild-broken.localhost/things?limit=100');
    expect(((await listed.json()) as { items: unknown[] }).items).toHaveLength(58);
  });

  it('finishes an interrupted rebuild before serving requests', async () => {
    await setUpTenant('reader-resume', { localRetentionEvents: 3 });
    await createThings('reader-resume', 10);
    await checkpoint('reader-resume');
    const checksum = async () => ((await (await admin('reader-resume', 'GET', '/projections/checksum')).json()) as { checksum: string }).checksum;
    const expected = await checksum();

    // A rebuild that stopped half-way: projections reset and the marker left behind.
    await runInDurableObject(tenantStub('reader-resume'), (_instance, state) => {
      state.storage.transactionSync(() => {
        resetProjections(state.storage.sql);
        state.storage.sql.exec(`INSERT INTO projection_rebuild (singleton, started_at, target_seq) VALUES (1, 0, 10)`);
      });
    });
    await abortAllDurableObjects();

    const listed = await SELF.fetch('http://reader-resume.localhost/things?limit=100');
    expect(((await listed.json()) as { items: unknown[] }).items).toHaveLength(10);
    expect(await checksum()).toBe(expected);
    const marker = await runInDurableObject(tenantStub('reader-resume'), (_instance, state) =>
      state.storage.sql.exec(`SELECT COUNT(*) AS count FROM projection_rebuild`).one().count,
    );
    expect(marker).toBe(0);
  });
});
