import { env, runInDurableObject, SELF } from 'cloudflare:test';

import { ManualClock } from '../../../src/clock';
import { OVERRIDE_INDEX_NAME } from '../../../src/limits/override-index';

/** Admin token that wrangler.toml sets for local runs and tests. */
export const ADMIN_TOKEN = 'dev-admin-token';

/**
 * A time aligned to every window used in these tests (a multiple of 60 s), in a known UTC
 * month. It lies in the future of the real clock, because workerd fires Durable Object
 * alarms by the real clock: alarms armed from a clock in the past (metrics pushes, override
 * index retries) would run over and over for the rest of the file.
 */
export const T0 = Date.UTC(2100, 3, 15, 12, 0, 0);

export function tenantStub(tenant: string) {
  return env.TENANTS.get(env.TENANTS.idFromName(tenant));
}

/** Gives the tenant's object a manual clock at `start`; call before its first request. */
export async function useManualClock(tenant: string, start = T0): Promise<ManualClock> {
  const clock = new ManualClock(start);
  await runInDurableObject(tenantStub(tenant), (instance) => {
    instance.clock = clock;
  });
  return clock;
}

/** Gives the override index a manual clock. */
export async function useIndexClock(clock: ManualClock): Promise<void> {
  const stub = env.OVERRIDE_INDEX.get(env.OVERRIDE_INDEX.idFromName(OVERRIDE_INDEX_NAME));
  await runInDurableObject(stub, (instance) => {
    instance.clock = clock;
  });
}

/** Sends a data-plane request to `http://<tenant>.localhost<path>`. */
export function tenantRequest(tenant: string, path: string, init: RequestInit = {}): Promise<Response> {
  return SELF.fetch(`http://${tenant}.localhost${path}`, init);
}

export function createThing(tenant: string, thing: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Response> {
  return tenantRequest(tenant, '/things', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(thing),
  });
}

/** Sends an admin request to `/admin/tenants/<tenant><path>` with the admin token. */
export function adminRequest(tenant: string, method: string, path: string, body?: unknown): Promise<Response> {
  return SELF.fetch(`http://localhost/admin/tenants/${tenant}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? null : JSON.stringify(body),
  });
}

/** Sets the tenant's rate-limit settings and fails the test unless that worked. */
export async function configureRateLimit(tenant: string, settings: Record<string, unknown>): Promise<void> {
  const response = await adminRequest(tenant, 'PUT', '/rate-limit', settings);
  if (response.status !== 200) throw new Error(`PUT rate-limit failed: ${response.status} ${await response.text()}`);
}

/** Event types in the tenant's log, read inside its object. */
export async function eventTypesOf(tenant: string): Promise<string[]> {
  return await runInDurableObject(tenantStub(tenant), (instance) =>
    instance.store.log.readAfter(tenant, 0, 1000).map((event) => event.type),
  );
}

export interface RateLimitHeaders {
  limit: string | null;
  remaining: string | null;
  reset: string | null;
}

export function rateLimitHeaders(response: Response): RateLimitHeaders {
  return {
    limit: response.headers.get('x-ratelimit-limit'),
    remaining: response.headers.get('x-ratelimit-remaining'),
    reset: response.headers.get('x-ratelimit-reset'),
  };
}

/** Status codes of `count` GET /things requests sent one after another. */
export async function statusesOf(tenant: string, count: number, path = '/things'): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) {
    const response = await tenantRequest(tenant, path);
    await response.body?.cancel();
    statuses.push(response.status);
  }
  return statuses;
}

/**
 * Reads one sample from `GET /admin/tenants/<tenant>/metrics`. Admin requests are
 * neither rate limited nor counted in the window under test.
 */
export async function adminMetricValue(tenant: string, series: string): Promise<number | undefined> {
  const response = await adminRequest(tenant, 'GET', '/metrics');
  if (response.status !== 200) throw new Error(`GET /metrics of ${tenant} returned ${response.status}: ${await response.text()}`);
  const text = await response.text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
