import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

import { call, createThing, sendJson, uniqueTenant } from './helpers';

const JSON_UTF8 = 'application/json; charset=utf-8';
const ADMIN = { authorization: 'Bearer dev-admin-token' };

describe('Content-Type of JSON responses', () => {
  it('is the same on reads, writes, errors, admin and edge routes', async () => {
    const tenant = uniqueTenant('content-type');
    await createThing(tenant, { id: 'user-1', type: 'User' });

    const responses: Array<[string, Promise<Response>]> = [
      ['POST /things', sendJson(tenant, 'POST', '/things', { id: 'user-2', type: 'User' })],
      ['GET /things/:id', call(tenant, '/things/user-1')],
      ['GET /things', call(tenant, '/things')],
      ['PATCH /things/:id', sendJson(tenant, 'PATCH', '/things/user-1', { data: { name: 'Ada' } })],
      ['GET /stats', call(tenant, '/stats')],
      ['GET /health', call(tenant, '/health')],
      ['GET /events', call(tenant, '/events')],
      ['GET /usage', call(tenant, '/usage')],
      ['404 NOT_FOUND', call(tenant, '/things/nobody')],
      ['GET /admin/projections/checksum', call(tenant, '/admin/projections/checksum', { headers: ADMIN })],
      ['POST /admin/checkpoint', call(tenant, '/admin/checkpoint', { method: 'POST', headers: ADMIN })],
      ['GET /admin/tenants/:t/monitoring', SELF.fetch(`http://localhost/admin/tenants/${tenant}/monitoring`, { headers: ADMIN })],
      ['GET /admin/tenants/:t/rate-limit', SELF.fetch(`http://localhost/admin/tenants/${tenant}/rate-limit`, { headers: ADMIN })],
      ['GET /admin/table (edge)', SELF.fetch('http://localhost/admin/table', { headers: ADMIN })],
      ['GET /admin/overrides (edge)', SELF.fetch('http://localhost/admin/overrides', { headers: ADMIN })],
      ['401 UNAUTHORIZED (edge)', SELF.fetch('http://localhost/admin/table')],
    ];
    for (const [label, pending] of responses) {
      const response = await pending;
      const body = await response.text();
      expect(response.headers.get('content-type'), `${label}: ${response.status} ${body}`).toBe(JSON_UTF8);
      expect(() => JSON.parse(body), label).not.toThrow();
    }
  });

  it('leaves the metrics text and the export alone', async () => {
    const tenant = uniqueTenant('content-type-other');
    await createThing(tenant, { id: 'user-1', type: 'User' });

    const metrics = await call(tenant, '/metrics');
    await metrics.body?.cancel();
    expect(metrics.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');

    const exported = await call(tenant, '/admin/export', { headers: ADMIN });
    await exported.body?.cancel();
    expect(exported.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');

    const deleted = await call(tenant, '/things/user-1', { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect(deleted.headers.get('content-type')).toBeNull();
  });
});
