import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { resolve } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startPrometheus, type PrometheusServer } from './harness/prometheus-server';
import { runPromtool } from './harness/promtool';
import { DEV_ADMIN_TOKEN, type DevServer, freePort, removeStateDir, startDevServer } from './harness/wrangler-dev';

const docs = resolve(import.meta.dirname, '..', '..', 'docs');

/** Writes per tenant in each phase; the ranking queries expect this order. */
const WORKLOAD = { 'tenant-alpha': 6, 'tenant-beta': 3, 'tenant-gamma': 1 } as const;
const TENANTS = Object.keys(WORKLOAD) as (keyof typeof WORKLOAD)[];

let server: DevServer;
let prometheus: PrometheusServer | undefined;
let webhook: Server;
const webhookCalls: { path: string; body: Record<string, unknown> }[] = [];

function adminHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${DEV_ADMIN_TOKEN}`, ...extra };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${server?.output().slice(-4000)}\n${prometheus?.output() ?? ''}`);
    await new Promise((wait) => setTimeout(wait, 250));
  }
}

async function writeThings(tenant: string, count: number, phase: string): Promise<void> {
  for (let i = 0; i < count; i++) {
    const response = await server.request(tenant, '/things', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: `${phase}-${i}`, type: 'Order', total: i }),
    });
    expect(response.status, await response.text()).toBe(201);
  }
}

async function scrapeAggregated(): Promise<string> {
  const response = await server.request(null, '/admin/metrics', { headers: adminHeaders() });
  expect(response.status).toBe(200);
  return response.text();
}

beforeAll(async () => {
  webhook = createServer((request, response) => {
    void readBody(request).then((text) => {
      webhookCalls.push({ path: request.url ?? '', body: JSON.parse(text) as Record<string, unknown> });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  server = await startDevServer({ vars: { METRICS_PUSH_INTERVAL_MS: '300' } });
});

afterAll(async () => {
  await prometheus?.stop();
  await server?.stop();
  if (server) removeStateDir(server.persistDir);
  await new Promise((resolve) => webhook?.close(resolve));
});

describe('observability under wrangler dev', () => {
  it('fires the cost webhook once per crossing', async () => {
    const address = webhook.address();
    if (address === null || typeof address === 'string') throw new Error('webhook server has no port');
    const configured = await server.request(null, '/admin/tenants/tenant-alpha/monitoring', {
      method: 'PUT',
      headers: adminHeaders({ 'content-type': 'application/json' }),
      body: JSON.stringify({ costAlertWarning: 0.000001, costAlertCritical: 1000, webhookUrl: `http://127.0.0.1:${address.port}/hooks/cost?token=s3cret` }),
    });
    expect(configured.status, await configured.text()).toBe(200);

    await writeThings('tenant-alpha', 3, 'hook');
    const call = await until('the cost webhook', async () => webhookCalls[0]);
    expect(call.path).toBe('/hooks/cost?token=s3cret');
    expect(call.body).toMatchObject({ type: 'cost.alert', tenantId: 'tenant-alpha', level: 'warning', threshold: 0.000001 });
    await writeThings('tenant-alpha', 2, 'hook-more');
    await new Promise((wait) => setTimeout(wait, 1_000));
    expect(webhookCalls).toHaveLength(1);
    // The log line names the alert without the webhook's path or token.
    expect(server.output()).not.toContain('s3cret');
  });

  it('produces exposition text that promtool accepts', async () => {
    for (const tenant of TENANTS) await writeThings(tenant, WORKLOAD[tenant], 'before');
    const missing = await server.request('tenant-gamma', '/things/missing');
    expect(missing.status).toBe(404);

    const own = await server.request('tenant-alpha', '/metrics');
    expect(own.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const ownText = await own.text();
    expect(ownText).toContain('dotdo_writes_total{entity_type="Order",namespace="tenant-alpha",operation_type="create",status="ok"}');
    const ownCheck = runPromtool(['check', 'metrics'], ownText);
    expect(ownCheck.status, ownCheck.output).toBe(0);

    const aggregated = await until('every tenant in the aggregator', async () => {
      const text = await scrapeAggregated();
      return TENANTS.every((tenant) => text.includes(`namespace="${tenant}"`)) ? text : undefined;
    });
    const aggregatedCheck = runPromtool(['check', 'metrics'], aggregated);
    expect(aggregatedCheck.status, aggregatedCheck.output).toBe(0);
  });

  it('answers the documented queries in a real Prometheus', async () => {
    prometheus = await startPrometheus({
      target: `127.0.0.1:${server.port}`,
      metricsPath: '/admin/metrics',
      bearerToken: DEV_ADMIN_TOKEN,
      port: await freePort(),
      ruleFiles: [resolve(docs, 'prometheus', 'tenantlog-alerts.yml')],
    });
    await until('a successful scrape', async () => {
      const up = await prometheus!.query('up{job="tenantlog"}');
      return up[0]?.value[1] === '1' ? true : undefined;
    });
    // A second phase after the first scrapes, so rate() measures the counters growing.
    await new Promise((wait) => setTimeout(wait, 2_500));
    for (const tenant of TENANTS) await writeThings(tenant, WORKLOAD[tenant] * 2, 'after');

    const top = await until('writes in rate()', async () => {
      const result = await prometheus!.query('topk(10, sum(rate(dotdo_writes_total[1m])) by (namespace))');
      const ranked = result.filter((sample) => Number(sample.value[1]) > 0).map((sample) => sample.metric.namespace);
      return ranked.length === 3 ? result : undefined;
    });
    const ranking = [...top].sort((a, b) => Number(b.value[1]) - Number(a.value[1])).map((sample) => sample.metric.namespace);
    expect(ranking).toEqual(['tenant-alpha', 'tenant-beta', 'tenant-gamma']);

    const rate = await prometheus.query('sum(rate(dotdo_writes_total[1m])) by (namespace, operation_type)');
    expect(rate.map((sample) => `${sample.metric.namespace}/${sample.metric.operation_type}`).sort()).toEqual([
      'tenant-alpha/create',
      'tenant-beta/create',
      'tenant-gamma/create',
    ]);

    // Every tenant, including `default`, which the harness's health checks reach.
    const cost = await prometheus.query('sum by (namespace) (dotdo_tenant_cost_total)');
    const costByTenant = new Map(cost.map((sample) => [sample.metric.namespace, Number(sample.value[1])]));
    for (const tenant of TENANTS) expect(costByTenant.get(tenant), tenant).toBeGreaterThan(0);

    const cacheRatio = await prometheus.query('dotdo_cache_hit_ratio{namespace=~"tenant-gamma"}');
    expect(cacheRatio.map((sample) => sample.metric.namespace)).toEqual(['tenant-gamma']);
  });

  it('evaluates the alert rules and every dashboard query', async () => {
    const groups = await until('rule evaluation', async () => {
      const loaded = await prometheus!.rules();
      return loaded[0]?.rules.every((rule) => rule.health === 'ok') ? loaded : undefined;
    });
    expect(groups[0]!.rules.map((rule) => rule.name)).toEqual(['TenantHighCost', 'TenantRateLimitApproaching', 'TenantHighErrorRate']);

    const dashboard = JSON.parse(readFileSync(resolve(docs, 'grafana-dashboard.json'), 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
    for (const panel of dashboard.panels) {
      for (const target of panel.targets) {
        const expr = target.expr.replaceAll('$tenant', '.*');
        await expect(prometheus!.query(expr), `${panel.title}: ${expr}`).resolves.toBeInstanceOf(Array);
      }
    }
    const costPanel = dashboard.panels.find((panel) => panel.title.startsWith('Cost by tenant'))!;
    const costs = await prometheus!.query(costPanel.targets[0]!.expr.replaceAll('$tenant', 'tenant-.*'));
    expect(costs).toHaveLength(3);
  });
});
