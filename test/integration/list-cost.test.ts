import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

import { call, sendJson } from './helpers';

const ADMIN = { authorization: 'Bearer dev-admin-token' };

/** SQLite rows the tenant's requests have read so far, from its own metrics. */
async function rowsRead(tenant: string): Promise<number> {
  const response = await SELF.fetch(`http://localhost/admin/tenants/${tenant}/metrics`, { headers: ADMIN });
  expect(response.status).toBe(200);
  const line = (await response.text()).split('\n').find((candidate) => candidate.startsWith('dotdo_sqlite_rows_read_total'));
  return Number(line?.split(' ')[1] ?? 0);
}

/** Sends `operations` in batches of 1,000 on the enterprise plan, whose storage quota they fit. */
async function runBatches(tenant: string, operations: Array<Record<string, unknown>>): Promise<void> {
  const plan = await SELF.fetch(`http://localhost/admin/tenants/${tenant}/config`, {
    method: 'PUT',
    headers: { ...ADMIN, 'content-type': 'application/json' },
    body: JSON.stringify({ plan: 'enterprise' }),
  });
  expect(plan.status).toBe(200);
  for (let start = 0; start < operations.length; start += 1000) {
    const response = await sendJson(tenant, 'POST', '/batch', { operations: operations.slice(start, start + 1000) });
    expect(response.status).toBe(200);
    await response.body?.cancel();
  }
}

describe('list pages', () => {
  // Defect in projections/things.ts (listThings): every page runs SELECT COUNT(*) over
  // the matching things to fill `count`, so one `GET /things?limit=1` reads (and is
  // billed for) every thing of the tenant. The `things` and `things.type:<type>`
  // counters of projection_counters already hold that number.
  it('read rows in proportion to the page, not the tenant', async () => {
    const tenant = 'list-cost-things';
    await runBatches(tenant, Array.from({ length: 3000 }, (_, i) => ({ op: 'create', id: `t${i}`, type: 'T' })));

    const before = await rowsRead(tenant);
    const page = await call(tenant, '/things?limit=1');
    expect(page.status).toBe(200);
    expect(((await page.json()) as { count: number }).count).toBe(3000);
    const filtered = await call(tenant, '/things?type=T&limit=1');
    expect(((await filtered.json()) as { count: number }).count).toBe(3000);
    const after = await rowsRead(tenant);

    expect(after - before).toBeLessThan(100);
  });

  // Defect in projections/relationships.ts (listRelationships): the same COUNT(*) runs
  // over every relationship for an unfiltered page, which the `relationships` counter holds.
  it('read rows of relationships in proportion to the page', async () => {
    const tenant = 'list-cost-relationships';
    const ends = [{ op: 'create', id: 'a', type: 'T' }, { op: 'create', id: 'b', type: 'T' }];
    const links = Array.from({ length: 2998 }, (_, i) => ({ op: 'create', collection: 'relationships', id: `r${i}`, from: 'a', to: 'b', type: 'links' }));
    await runBatches(tenant, [...ends, ...links]);

    const before = await rowsRead(tenant);
    const page = await call(tenant, '/relationships?limit=1');
    expect(page.status).toBe(200);
    expect(((await page.json()) as { count: number }).count).toBe(2998);
    const after = await rowsRead(tenant);

    expect(after - before).toBeLessThan(100);
  });
});
