import { afterEach, describe, expect, it, vi } from 'vitest';

import type { EventEnvelope } from '../../events/envelope';
import { send, sendAdmin } from './observability-helpers';

async function costAlertEvents(tenant: string): Promise<EventEnvelope[]> {
  const response = await send(tenant, 'GET', '/events?limit=1000');
  expect(response.status).toBe(200);
  const body = (await response.json()) as { items: EventEnvelope[] };
  return body.items.filter((event) => event.type === 'cost.alert');
}

async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  expect(response.status).toBe(400);
  return ((await response.json()) as { error: { code: string; message: string } }).error;
}

describe('monitoring configuration', () => {
  it('defaults to the deployment thresholds', async () => {
    const response = await sendAdmin('conf', 'GET', '/monitoring');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      displayName: null,
      costAlertsEnabled: true,
      costAlertWarning: null,
      costAlertCritical: null,
      webhookUrl: null,
      seq: 0,
      effectiveThresholds: { warning: 10, critical: 100 },
    });
  });

  it('stores a configuration as an event', async () => {
    const put = await sendAdmin('conf2', 'PUT', '/monitoring', { displayName: 'Conf Two', costAlertWarning: 5, webhookUrl: 'https://hooks.example/cost' });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ displayName: 'Conf Two', costAlertWarning: 5, costAlertCritical: null, seq: 1, effectiveThresholds: { warning: 5, critical: 100 } });

    const events = (await (await send('conf2', 'GET', '/events')).json()) as { items: EventEnvelope[] };
    expect(events.items.map((event) => [event.type, event.actor])).toEqual([['monitoring.configured', 'admin']]);
    const get = await sendAdmin('conf2', 'GET', '/monitoring');
    expect(await get.json()).toMatchObject({ displayName: 'Conf Two', webhookUrl: 'https://hooks.example/cost', seq: 1 });
  });

  it('rejects invalid configurations', async () => {
    expect(await errorOf(await sendAdmin('bad', 'PUT', '/monitoring', { costAlertWarning: 50, costAlertCritical: 20 }))).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'costAlertWarning 50 exceeds costAlertCritical 20; the warning must come first',
      field: 'costAlertWarning',
    });
    expect(await errorOf(await sendAdmin('bad', 'PUT', '/monitoring', { costAlertWarning: 500 }))).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'costAlertWarning 500 exceeds the deployment default costAlertCritical 100; the warning must come first',
      field: 'costAlertWarning',
    });
    expect((await errorOf(await sendAdmin('bad', 'PUT', '/monitoring', { costAlertCritical: 5 }))).message).toBe(
      'the deployment default costAlertWarning 10 exceeds costAlertCritical 5; the warning must come first',
    );
    expect((await errorOf(await sendAdmin('bad', 'PUT', '/monitoring', { webhookUrl: 'ftp://x/y' }))).message).toContain('webhookUrl');
    const withCredentials = await errorOf(await sendAdmin('bad', 'PUT', '/monitoring', { webhookUrl: 'https://user:secret@hooks.example/cost' }));
    expect(withCredentials.message).toContain('must not contain a user name or password');
    expect(withCredentials.message).not.toContain('secret');
    const userOnly = await errorOf(await sendAdmin('bad', 'PUT', '/monitoring', { webhookUrl: 'https://user@hooks.example/cost' }));
    expect(userOnly.message).toContain('must not contain a user name or password');
    const tooLong = await errorOf(await sendAdmin('bad', 'PUT', '/monitoring', { webhookUrl: `https://hooks.example/${'a'.repeat(2100)}` }));
    expect(tooLong.message).toContain('must be at most 2048 characters');
    expect((await errorOf(await sendAdmin('bad', 'PUT', '/monitoring', { costAlertWarning: -1 }))).message).toContain('costAlertWarning');
    expect((await errorOf(await sendAdmin('bad', 'PUT', '/monitoring', { color: 'red' }))).code).toBe('VALIDATION_FAILED');
    expect((await errorOf(await sendAdmin('bad', 'PUT', '/monitoring', [1]))).message).toContain('JSON object body');
    const events = (await (await send('bad', 'GET', '/events')).json()) as { items: unknown[] };
    expect(events.items).toEqual([]);
  });
});

describe('cost alerts', () => {
  afterEach(() => vi.restoreAllMocks());

  it('raises each crossing once as an event', async () => {
    // Each create costs about $0.00001 (mostly its SQLite rows written).
    expect((await sendAdmin('spend', 'PUT', '/monitoring', { costAlertWarning: 0.000001, costAlertCritical: 0.000015 })).status).toBe(200);
    await send('spend', 'POST', '/things', { id: 't0', type: 'T' });
    let alerts = await costAlertEvents('spend');
    expect(alerts.map((event) => (event.payload as { level: string }).level)).toEqual(['warning']);
    expect(alerts[0]).toMatchObject({ actor: 'system', payload: { level: 'warning', threshold: 0.000001, period: expect.stringMatching(/^\d{4}-\d{2}$/) } });
    expect((alerts[0]!.payload as { totalCost: number }).totalCost).toBeGreaterThanOrEqual(0.000001);

    for (let i = 1; i <= 5; i++) await send('spend', 'POST', '/things', { id: `t${i}`, type: 'T' });
    alerts = await costAlertEvents('spend');
    expect(alerts.map((event) => (event.payload as { level: string }).level)).toEqual(['warning', 'critical']);

    const cost = (await (await sendAdmin('spend', 'GET', '/cost')).json()) as { alerts: unknown; totalCost: number };
    expect(cost.alerts).toEqual({ thresholds: { warning: 0.000001, critical: 0.000015 }, raised: ['warning', 'critical'] });
    const metrics = await (await send('spend', 'GET', '/metrics')).text();
    expect(metrics).toContain('dotdo_cost_alerts_total{level="warning",namespace="spend"} 1');
    expect(metrics).toContain('dotdo_cost_alerts_total{level="critical",namespace="spend"} 1');

    // A rebuild replays the alerts into the projection, which keeps them from being raised again.
    const rebuild = await sendAdmin('spend', 'POST', '/projections/rebuild');
    expect(((await rebuild.json()) as { matches: boolean }).matches).toBe(true);
    await send('spend', 'POST', '/things', { id: 'after', type: 'T' });
    expect(await costAlertEvents('spend')).toHaveLength(2);
  });

  it('logs each alert at level warn or error', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const alertLines = (spy: typeof warn) =>
      spy.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>).filter((line) => line.message === 'cost alert');

    await sendAdmin('logged', 'PUT', '/monitoring', { costAlertWarning: 0.000001, costAlertCritical: 0.000002 });
    for (let i = 0; i < 3; i++) await send('logged', 'POST', '/things', { id: `t${i}`, type: 'T' });

    expect(alertLines(warn)).toEqual([expect.objectContaining({ level: 'warn', tenant: 'logged', alertLevel: 'warning', threshold: 0.000001 })]);
    expect(alertLines(error)).toEqual([expect.objectContaining({ level: 'error', tenant: 'logged', alertLevel: 'critical', threshold: 0.000002 })]);
  });

  it('raises at once when new thresholds are already exceeded', async () => {
    for (let i = 0; i < 3; i++) await send('late', 'POST', '/things', { id: `t${i}`, type: 'T' });
    expect(await costAlertEvents('late')).toEqual([]);
    expect((await sendAdmin('late', 'PUT', '/monitoring', { costAlertWarning: 0.000001 })).status).toBe(200);
    expect((await costAlertEvents('late')).map((event) => (event.payload as { level: string }).level)).toEqual(['warning']);
  });

  it('stays quiet when alerts are disabled', async () => {
    await sendAdmin('quiet', 'PUT', '/monitoring', { costAlertsEnabled: false, costAlertWarning: 0 });
    for (let i = 0; i < 3; i++) await send('quiet', 'POST', '/things', { id: `t${i}`, type: 'T' });
    expect(await costAlertEvents('quiet')).toEqual([]);
    const cost = (await (await sendAdmin('quiet', 'GET', '/cost')).json()) as { alerts: unknown };
    expect(cost.alerts).toEqual({ thresholds: { warning: null, critical: null }, raised: [] });
  });
});
