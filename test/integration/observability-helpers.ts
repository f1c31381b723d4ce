import { env, runDurableObjectAlarm, runInDurableObject, SELF } from 'cloudflare:test';

import { type Clock, ManualClock } from '../../src/clock';
import { PUSH_TASK } from '../../src/observability/tenant-telemetry';
import type { TenantDO } from '../../src/tenant/tenant-do';

export const ADMIN_HEADERS = { authorization: 'Bearer dev-admin-token' };

export function tenantStub(tenant: string) {
  return env.TENANTS.get(env.TENANTS.idFromName(tenant));
}

/** Sends a JSON request to `tenant` through the Worker. */
export function send(tenant: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return SELF.fetch(`http://${tenant}.localhost${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? null : JSON.stringify(body),
  });
}

/** Sends an admin request for `tenant` through `/admin/tenants/:tenant/...`. */
export function sendAdmin(tenant: string, method: string, rest: string, body?: unknown): Promise<Response> {
  return SELF.fetch(`http://localhost/admin/tenants/${tenant}${rest}`, {
    method,
    headers: body === undefined ? ADMIN_HEADERS : { ...ADMIN_HEADERS, 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
}

/** Replaces the clock of the tenant's object. */
export async function setClock(tenant: string, clock: Clock): Promise<void> {
  await runInDurableObject(tenantStub(tenant), (instance: TenantDO) => {
    instance.clock = clock;
  });
}

/**
 * Runs the tenant's scheduled metrics push through its alarm: steps a manual clock
 * to the task's due time first. Throws when no push was scheduled.
 */
export async function runScheduledPush(tenant: string): Promise<void> {
  const stub = tenantStub(tenant);
  await runInDurableObject(stub, (instance: TenantDO) => {
    const due = instance.scheduler.dueAt(PUSH_TASK);
    if (due === null) throw new Error(`no metrics push is scheduled for ${tenant}`);
    // workerd fires the storage alarm by the real clock. Once that time has passed it may
    // fire on its own at any moment, before this helper moves the tenant's clock to the
    // push, and then runDurableObjectAlarm finds no alarm to run.
    if (due <= Date.now()) {
      throw new Error(`the metrics push of ${tenant} is due at ${new Date(due).toISOString()}, already past by the real clock; give the tenant a ManualClock in the future`);
    }
    const clock = instance.clock instanceof ManualClock ? instance.clock : new ManualClock(Date.now());
    clock.set(Math.max(clock.now(), due));
    instance.clock = clock;
  });
  await runDurableObjectAlarm(stub);
  await runInDurableObject(stub, (instance: TenantDO) => {
    if (instance.scheduler.dueAt(PUSH_TASK) !== null) throw new Error(`the metrics push of ${tenant} did not run`);
  });
}

export async function scrapeAll(): Promise<string> {
  const response = await SELF.fetch('http://localhost/admin/metrics', { headers: ADMIN_HEADERS });
  if (response.status !== 200) throw new Error(`GET /admin/metrics returned ${response.status}: ${await response.text()}`);
  return response.text();
}

/** Value of the sample line that starts with `series` (name and label set as exported), or undefined. */
export function sampleValue(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
