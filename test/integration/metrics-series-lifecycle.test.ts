import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

import { ManualClock } from '../../src/clock';
import { AGGREGATOR_NAME } from '../../src/observability/aggregator-do';
import { METRIC } from '../../src/observability/catalogue';
import { runScheduledPush, scrapeAll, send, sendAdmin, setClock } from './observability-helpers';

async function scrape(tenant: string): Promise<string> {
  const response = await send(tenant, 'GET', '/metrics');
  expect(response.status).toBe(200);
  return response.text();
}

/** The tenant's metrics through the admin route, which is not attributed to the tenant. */
async function adminScrape(tenant: string): Promise<string> {
  const response = await sendAdmin(tenant, 'GET', '/metrics');
  expect(response.status).toBe(200);
  return response.text();
}

/** Sample lines of `dotdo_tenant_info` for `tenant`. */
function tenantInfoLines(text: string, tenant: string): string[] {
  return text.split('\n').filter((line) => line.startsWith('dotdo_tenant_info{') && line.includes(`namespace="${tenant}"`));
}

async function setDisplayName(tenant: string, displayName: string | null): Promise<void> {
  const response = await sendAdmin(tenant, 'PUT', '/monitoring', { displayName });
  expect(response.status, await response.clone().text()).toBe(200);
}

describe('tenant_info after a display name change', () => {
  it('keeps only the current name in /metrics', async () => {
    const tenant = 'info-rename';
    await setDisplayName(tenant, 'Old Name');
    expect(tenantInfoLines(await scrape(tenant), tenant)).toEqual([`dotdo_tenant_info{display_name="Old Name",namespace="${tenant}"} 1`]);

    await setDisplayName(tenant, 'New Name');
    expect(tenantInfoLines(await scrape(tenant), tenant)).toEqual([`dotdo_tenant_info{display_name="New Name",namespace="${tenant}"} 1`]);

    await setDisplayName(tenant, null);
    expect(tenantInfoLines(await scrape(tenant), tenant)).toEqual([]);
  });

  it('drops the old name from the aggregator', async () => {
    const tenant = 'info-rename-pushed';
    await setDisplayName(tenant, 'First');
    await send(tenant, 'GET', '/stats');
    await runScheduledPush(tenant);
    expect(tenantInfoLines(await scrapeAll(), tenant)).toEqual([`dotdo_tenant_info{display_name="First",namespace="${tenant}"} 1`]);

    await setDisplayName(tenant, 'Second');
    await send(tenant, 'GET', '/stats');
    await runScheduledPush(tenant);
    expect(tenantInfoLines(await scrapeAll(), tenant)).toEqual([`dotdo_tenant_info{display_name="Second",namespace="${tenant}"} 1`]);

    await setDisplayName(tenant, null);
    await send(tenant, 'GET', '/stats');
    await runScheduledPush(tenant);
    expect(tenantInfoLines(await scrapeAll(), tenant)).toEqual([]);
  });

  it('drops a name that an earlier instance pushed', async () => {
    const tenant = 'info-restarted';
    // The name an object instance that has since been replaced pushed before the change.
    const aggregator = env.METRICS_AGGREGATOR.get(env.METRICS_AGGREGATOR.idFromName(AGGREGATOR_NAME));
    const receipt = await aggregator.push({
      tenant,
      instance: 'replaced-instance',
      epoch: 1,
      seq: 1,
      pushedAt: Date.now(),
      series: [{ name: METRIC.tenantInfo, labels: { namespace: tenant, display_name: 'Stale' }, recordedAs: 'gauge', mode: 'absolute', value: 1 }],
    });
    expect(receipt).toEqual({ applied: true });

    await setDisplayName(tenant, 'Fresh');
    await send(tenant, 'GET', '/stats');
    await runScheduledPush(tenant);
    expect(tenantInfoLines(await scrapeAll(), tenant)).toEqual([`dotdo_tenant_info{display_name="Fresh",namespace="${tenant}"} 1`]);
  });
});

describe('entity type labels from reads', () => {
  it('take no place for types only read', async () => {
    const tenant = 'labels-read-only';
    const longType = 'x'.repeat(4000);
    for (const type of [longType, 'Ghost', 'a"b']) {
      const response = await send(tenant, 'GET', `/things?type=${encodeURIComponent(type)}`);
      expect(response.status).toBe(200);
    }
    const text = await scrape(tenant);
    expect(text).not.toContain(longType);
    expect(text).not.toContain('entity_type="Ghost"');
    expect(text).toContain(`dotdo_reads_total{entity_type="other",namespace="${tenant}",operation_type="list",status="ok"} 3`);
  });

  it('keep the label of a written type', async () => {
    const tenant = 'labels-written';
    expect((await send(tenant, 'POST', '/things', { id: 'c1', type: 'Customer' })).status).toBe(201);
    expect((await send(tenant, 'GET', '/things?type=Customer')).status).toBe(200);
    expect((await send(tenant, 'GET', '/things/c1')).status).toBe(200);
    const text = await scrape(tenant);
    expect(text).toContain(`dotdo_reads_total{entity_type="Customer",namespace="${tenant}",operation_type="list",status="ok"} 1`);
    expect(text).toContain(`dotdo_reads_total{entity_type="Customer",namespace="${tenant}",operation_type="read",status="ok"} 1`);
  });

  it('leave places for later writes', async () => {
    const tenant = 'labels-places';
    // As many probes as METRICS_MAX_ENTITY_TYPES has places by default.
    for (let i = 0; i < 50; i++) expect((await send(tenant, 'GET', `/things?type=Probe${i}`)).status).toBe(200);
    expect((await send(tenant, 'POST', '/things', { id: 'o1', type: 'Order' })).status).toBe(201);
    expect(await scrape(tenant)).toContain(`dotdo_writes_total{entity_type="Order",namespace="${tenant}",operation_type="create",status="ok"} 1`);
  });
});

describe('cache_hit_ratio at a new billing period', () => {
  it('is absent until the period has a read', async () => {
    const tenant = 'ratio-rollover';
    // In the future of the real clock, so workerd does not fire the metrics push alarm on its own over and over.
    const clock = new ManualClock(Date.UTC(2100, 2, 31, 23, 0));
    await setClock(tenant, clock);
    expect((await send(tenant, 'GET', '/stats')).status).toBe(200);
    expect(await adminScrape(tenant)).toContain(`dotdo_cache_hit_ratio{namespace="${tenant}"}`);

    clock.set(Date.UTC(2100, 3, 1, 1, 0));
    expect(await adminScrape(tenant)).not.toContain('dotdo_cache_hit_ratio');
  });
});
