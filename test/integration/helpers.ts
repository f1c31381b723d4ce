import { env, runInDurableObject, SELF } from 'cloudflare:test';
import { expect } from 'vitest';

import type { EventEnvelope } from '../../events/envelope';
import { ManualClock } from '../../src/clock';
import type { ErrorBody } from '../../src/http/error-response';
import type { TenantDO } from '../../src/tenant/tenant-do';

let tenantCounter = 0;

/**
 * Returns a tenant slug that no other test uses, so every test gets its own
 * Durable Object and tests never see each other's events.
 */
export function uniqueTenant(prefix: string): string {
  tenantCounter += 1;
  return `${prefix}-${tenantCounter}-${crypto.randomUUID().slice(0, 8)}`;
}

/** Sends a request through the Worker as `http://<tenant>.localhost<path>`. */
export function call(tenant: string, path: string, init?: RequestInit): Promise<Response> {
  return SELF.fetch(`http://${tenant}.localhost${path}`, init);
}

/** Sends `body` as JSON with `method` to the tenant's `path`. */
export function sendJson(
  tenant: string,
  method: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return call(tenant, path, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** A thing as the API returns it. */
export interface ThingBody {
  id: string;
  type: string;
  data: unknown;
  version: number;
  createdAt: string;
  updatedAt: string;
  seq: number;
}

/** Creates a thing and returns its body; throws with the response text unless the status is 201. */
export async function createThing(tenant: string, body: Record<string, unknown>): Promise<ThingBody> {
  const response = await sendJson(tenant, 'POST', '/things', body);
  if (response.status !== 201) {
    throw new Error(`POST /things for ${tenant} returned ${response.status}: ${await response.text()}`);
  }
  return response.json<ThingBody>();
}

/** Creates a relationship and returns its body; throws unless the status is 201. */
export async function createRelationship(tenant: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const response = await sendJson(tenant, 'POST', '/relationships', body);
  if (response.status !== 201) {
    throw new Error(`POST /relationships for ${tenant} returned ${response.status}: ${await response.text()}`);
  }
  return response.json<Record<string, unknown>>();
}

/**
 * Checks that `response` is a JSON error with `status` and `code`, and returns the
 * error object for further checks.
 */
export async function expectError(response: Response, status: number, code: string): Promise<ErrorBody['error']> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = JSON.parse(text) as ErrorBody;
  expect(body.error.code, text).toBe(code);
  expect(body.error.message).toEqual(expect.any(String));
  return body.error;
}

export function tenantStub(tenant: string): DurableObjectStub<TenantDO> {
  return env.TENANTS.get(env.TENANTS.idFromName(tenant));
}

/**
 * Gives the tenant's Durable Object a clock that starts at `startMs` and only moves
 * when the test moves it. Objects run in the test's isolate, so the test can keep
 * the returned clock and advance it between requests.
 */
export async function useManualClock(tenant: string, startMs: number): Promise<ManualClock> {
  const clock = new ManualClock(startMs);
  await runInDurableObject(tenantStub(tenant), (instance) => {
    instance.clock = clock;
  });
  return clock;
}

/** Rows in the tenant's `events` table, read from its SQLite directly. */
export function countEvents(tenant: string): Promise<number> {
  return runInDurableObject(tenantStub(tenant), (_instance, state) => {
    return state.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM events').one().n;
  });
}

/** Reads every event of the tenant's log, page by page through `GET /events`. */
export async function readAllEvents(tenant: string): Promise<EventEnvelope[]> {
  const events: EventEnvelope[] = [];
  let after = 0;
  for (;;) {
    const response = await call(tenant, `/events?after=${after}&limit=1000`);
    expect(response.status).toBe(200);
    const page = await response.json<{ items: EventEnvelope[]; next: number | null }>();
    events.push(...page.items);
    if (page.next === null) return events;
    after = page.next;
  }
}
