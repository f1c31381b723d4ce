import { describe, expect, it } from 'vitest';

import { MAX_WRITE_PAYLOAD_BYTES } from '../../src/tenant/write-transaction';
import { call, createThing, expectError, sendJson, type ThingBody, uniqueTenant } from './helpers';

/** Bytes of the `blob` member of the large thing, so each of its events carries about this much. */
const BLOB_BYTES = 1_000_000;

async function createLargeThing(tenant: string): Promise<void> {
  await createThing(tenant, { id: 'big', type: 'Big', data: { blob: 'x'.repeat(BLOB_BYTES) } });
}

function patchBatch(count: number): { operations: Array<Record<string, unknown>> } {
  return { operations: Array.from({ length: count }, (_, i) => ({ op: 'update', id: 'big', data: { i } })) };
}

async function readState(tenant: string): Promise<{ lastSeq: number; version: number }> {
  const stats = await (await call(tenant, '/stats')).json<{ lastSeq: number }>();
  const thing = await (await call(tenant, '/things/big')).json<ThingBody>();
  return { lastSeq: stats.lastSeq, version: thing.version };
}

describe('write size limit', () => {
  it('rejects patches that amplify a large thing', { timeout: 60_000 }, async () => {
    const tenant = uniqueTenant('write-limit-amplify');
    await createLargeThing(tenant);
    const before = await readState(tenant);

    const startedAt = Date.now();
    const error = await expectError(await sendJson(tenant, 'POST', '/batch', patchBatch(1000)), 413, 'WRITE_TOO_LARGE');
    expect(Date.now() - startedAt).toBeLessThan(20_000);
    expect(error.limitBytes).toBe(MAX_WRITE_PAYLOAD_BYTES);
    expect(error.reachedBytes).toBeGreaterThan(MAX_WRITE_PAYLOAD_BYTES);
    expect(error.reachedBytes).toBeLessThan(MAX_WRITE_PAYLOAD_BYTES + 2 * BLOB_BYTES);
    expect(error.message).toContain(String(MAX_WRITE_PAYLOAD_BYTES));

    expect(await readState(tenant)).toEqual(before);
  });

  it('accepts a batch just under the limit', { timeout: 60_000 }, async () => {
    const tenant = uniqueTenant('write-limit-under');
    await createLargeThing(tenant);
    const fitting = Math.floor(MAX_WRITE_PAYLOAD_BYTES / (BLOB_BYTES + 100));
    expect(fitting).toBe(8);

    const response = await sendJson(tenant, 'POST', '/batch', patchBatch(fitting));
    expect(response.status, await response.clone().text()).toBe(200);
    expect(await readState(tenant)).toEqual({ lastSeq: 1 + fitting, version: 1 + fitting });

    await expectError(await sendJson(tenant, 'POST', '/batch', patchBatch(fitting + 1)), 413, 'WRITE_TOO_LARGE');
    expect(await readState(tenant)).toEqual({ lastSeq: 1 + fitting, version: 1 + fitting });
  });
});
