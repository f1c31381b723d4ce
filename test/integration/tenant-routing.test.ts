import { createExecutionContext, env, SELF, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

import { createEdgeApp } from '../../src/edge/app';
import type { Env } from '../../src/env';
import { call, createThing, expectError, uniqueTenant } from './helpers';

const edge = createEdgeApp();

/** Sends a request straight to an edge app with overridden variables and a raw Host header. */
async function fetchEdge(url: string, vars: Partial<Env> = {}, init: RequestInit = {}): Promise<Response> {
  const context = createExecutionContext();
  const response = await edge.fetch(new Request(url, init), { ...env, LOG_REQUESTS: 'false', ...vars }, context);
  await waitOnExecutionContext(context);
  return response;
}

describe('tenant from the Host header', () => {
  it('serves <tenant>.localhost as the tenant', async () => {
    const tenant = uniqueTenant('route');
    await createThing(tenant, { id: 'x', type: 'T' });
    for (const url of [`http://${tenant}.localhost/things/x`, `http://${tenant}.localhost:8787/things/x`, `http://${tenant}.localhost./things/x`]) {
      const response = await SELF.fetch(url);
      expect(response.status, url).toBe(200);
      expect(response.headers.get('x-tenant-id'), url).toBe(tenant);
    }
  });

  it('normalises a raw Host header', async () => {
    const tenant = uniqueTenant('route-host');
    await createThing(tenant, { id: 'x', type: 'T' });
    for (const host of [`${tenant.toUpperCase()}.LocalHost:8787`, `${tenant}.localhost.`, `${tenant}.localhost.:8787`]) {
      const response = await fetchEdge('http://ignored.invalid/things/x', {}, { headers: { host } });
      expect(response.status, host).toBe(200);
      expect(response.headers.get('x-tenant-id'), host).toBe(tenant);
    }
  });

  it('bare apex, IPs and unknown hosts are default', async () => {
    for (const url of ['http://localhost/stats', 'http://localhost:8787/stats', 'http://127.0.0.1:8787/stats', 'http://[::1]/stats', 'http://example.com/stats']) {
      const response = await SELF.fetch(url);
      expect(response.status, url).toBe(200);
      expect(response.headers.get('x-tenant-id'), url).toBe('default');
      expect((await response.json<{ tenant: string }>()).tenant).toBe('default');
    }
  });

  it('apex inside a host is unknown', async () => {
    const tenant = uniqueTenant('route-evil');
    await createThing(tenant, { id: 'private', type: 'T' });
    const response = await SELF.fetch(`http://${tenant}.localhost.evil.com/things/private`);
    expect(response.headers.get('x-tenant-id')).toBe('default');
    await expectError(response, 404, 'NOT_FOUND');
  });

  it('deeper names and non-slugs get 400', async () => {
    for (const url of ['http://a.b.localhost/stats', 'http://ac_me.localhost/stats', 'http://-acme.localhost/stats', `http://${'a'.repeat(64)}.localhost/stats`]) {
      const response = await SELF.fetch(url);
      await expectError(response, 400, 'INVALID_TENANT');
      expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      // No tenant was resolved, so there is none to name.
      expect(response.headers.get('x-tenant-id')).toBeNull();
    }
  });

  it('resolves tenants under every apex in TENANT_DOMAINS', async () => {
    const tenant = uniqueTenant('route-apex');
    await createThing(tenant, { id: 'x', type: 'T' });
    const vars = { TENANT_DOMAINS: ' api.example.dev , localhost,,Example.ORG ' };
    for (const url of [`http://${tenant}.api.example.dev/things/x`, `http://${tenant}.localhost/things/x`, `http://${tenant}.example.org/things/x`]) {
      const response = await fetchEdge(url, vars);
      expect(response.status, url).toBe(200);
      expect(response.headers.get('x-tenant-id')).toBe(tenant);
    }
    const apex = await fetchEdge('http://api.example.dev/stats', vars);
    expect(apex.headers.get('x-tenant-id')).toBe('default');
    // Under the longer apex, `api` is not a tenant of example.dev.
    await expectError(await fetchEdge(`http://${tenant}.x.api.example.dev/stats`, vars), 400, 'INVALID_TENANT');
  });

  it('rejects unknown hosts with 421 when UNKNOWN_HOST is reject', async () => {
    const vars = { UNKNOWN_HOST: 'reject' };
    for (const url of ['http://example.com/stats', 'http://acme.localhost.evil.com/stats', 'http://localhost.com/stats']) {
      const response = await fetchEdge(url, vars);
      const error = await expectError(response, 421, 'UNKNOWN_HOST');
      expect(error.message).toContain('TENANT_DOMAINS');
      expect(response.headers.get('x-tenant-id')).toBeNull();
    }
    for (const [url, tenant] of [
      ['http://localhost/stats', 'default'],
      ['http://127.0.0.1/stats', 'default'],
      ['http://known.localhost/stats', 'known'],
    ] as const) {
      const response = await fetchEdge(url, vars);
      expect(response.status, url).toBe(200);
      expect(response.headers.get('x-tenant-id')).toBe(tenant);
    }
  });
});

describe('X-Request-ID', () => {
  it('echoes a valid client id', async () => {
    const tenant = uniqueTenant('request-id');
    const id = 'req_01:ABC/xyz=~!';
    const response = await call(tenant, '/stats', { headers: { 'x-request-id': id } });
    expect(response.headers.get('x-request-id')).toBe(id);
  });

  it('replaces an invalid client id with a generated one', async () => {
    const tenant = uniqueTenant('request-id-bad');
    for (const id of ['has space', 'x'.repeat(129), 'tab\tinside']) {
      const response = await call(tenant, '/stats', { headers: { 'x-request-id': id } });
      const echoed = response.headers.get('x-request-id');
      expect(echoed, id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    }
    const longest = 'y'.repeat(128);
    expect((await call(tenant, '/stats', { headers: { 'x-request-id': longest } })).headers.get('x-request-id')).toBe(longest);
  });

  it('is on every response, errors included', async () => {
    const tenant = uniqueTenant('request-id-errors');
    const responses = [
      await call(tenant, '/nowhere'),
      await call(tenant, '/things/missing'),
      await call(tenant, '/admin/projections/checksum'),
      await call(tenant, '/batch', { method: 'GET' }),
      await call(tenant, '/things/missing', { method: 'DELETE' }),
    ];
    for (const response of responses) {
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.headers.get('x-tenant-id')).toBe(tenant);
    }
  });
});
