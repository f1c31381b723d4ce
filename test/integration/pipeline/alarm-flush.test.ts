import { runDurableObjectAlarm, runInDurableObject, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

import { FLUSH_TASK } from '../../../src/pipeline/tenant-pipeline';
import { createThings, expectCompleteLog, pipelineStateOf, setUpTenant, tableEvents, tenantStub } from './helpers';

/** FLUSH_INTERVAL_MS that vitest.config.ts sets for the workers project. */
const INTERVAL_MS = 3_600_000;

/** Due time of the flush task; checks that the object's alarm is armed no later, since other tasks share it. */
async function flushDueAt(tenant: string): Promise<number | null> {
  const { dueAt, alarm } = await runInDurableObject(tenantStub(tenant), async (instance, state) => ({
    dueAt: instance.scheduler.dueAt(FLUSH_TASK),
    alarm: await state.storage.getAlarm(),
  }));
  if (dueAt !== null) {
    expect(alarm).not.toBeNull();
    expect(alarm!).toBeLessThanOrEqual(dueAt);
  }
  return dueAt;
}

async function pipelineHealth(tenant: string): Promise<Record<string, unknown>> {
  const response = await SELF.fetch(`http://${tenant}.localhost/health`);
  const body = (await response.json()) as { status: string; components: { pipeline: Record<string, unknown> } };
  return { overall: body.status, ...body.components.pipeline };
}

async function setFaults(tenant: string, faults: Record<string, boolean>): Promise<void> {
  await runInDurableObject(tenantStub(tenant), (instance) => {
    instance.pipeline.faults = faults;
  });
}

describe('flush from the alarm', () => {
  it('is due FLUSH_INTERVAL_MS after the oldest pending event', async () => {
    const clock = await setUpTenant('alarm-interval');
    const start = clock.now();
    await createThings('alarm-interval', 2);
    expect(await flushDueAt('alarm-interval')).toBe(start + INTERVAL_MS);

    // Later writes do not push the flush back.
    clock.advance(60_000);
    await createThings('alarm-interval', 2, 'later');
    expect(await flushDueAt('alarm-interval')).toBe(start + INTERVAL_MS);

    // An alarm that fires early runs nothing and stays armed.
    expect(await runDurableObjectAlarm(tenantStub('alarm-interval'))).toBe(true);
    expect((await pipelineStateOf('alarm-interval')).flushedSeq).toBe(0);
    expect(await flushDueAt('alarm-interval')).toBe(start + INTERVAL_MS);

    clock.set(start + INTERVAL_MS);
    expect(await runDurableObjectAlarm(tenantStub('alarm-interval'))).toBe(true);
    expect((await pipelineStateOf('alarm-interval')).flushedSeq).toBe(4);
    expect(await flushDueAt('alarm-interval')).toBeNull();
  });

  it('is due at once when FLUSH_MAX_EVENTS are pending', async () => {
    const clock = await setUpTenant('alarm-max', { flushMaxEvents: 10 });
    await createThings('alarm-max', 9);
    expect(await flushDueAt('alarm-max')).toBe(clock.now() + INTERVAL_MS);
    clock.advance(1_000);
    await createThings('alarm-max', 1, 'tenth');
    expect(await flushDueAt('alarm-max')).toBe(clock.now());

    expect(await runDurableObjectAlarm(tenantStub('alarm-max'))).toBe(true);
    expect((await pipelineStateOf('alarm-max')).flushedSeq).toBe(10);
  });

  it('writes events whose optional fields are null', async () => {
    const clock = await setUpTenant('alarm-nulls');
    // Data-plane writes without an API key or Idempotency-Key have no actor and no key.
    await createThings('alarm-nulls', 5);
    clock.advance(INTERVAL_MS);
    expect(await runDurableObjectAlarm(tenantStub('alarm-nulls'))).toBe(true);

    const events = await tableEvents('alarm-nulls');
    expectCompleteLog(events, 5);
    for (const event of events) {
      expect(event.actor).toBeNull();
      expect(event.idempotencyKey).toBeNull();
      expect(event.causationId).toBeNull();
    }
  });

  it('retries a failing flush with backoff and reports degraded health', async () => {
    const clock = await setUpTenant('alarm-failing', { degradedAfterMs: 5_000 });
    await createThings('alarm-failing', 3);
    await setFaults('alarm-failing', { afterParquetPut: true });
    clock.advance(INTERVAL_MS);

    // First failure: retried after 1 s; not degraded yet.
    await runDurableObjectAlarm(tenantStub('alarm-failing'));
    expect(await flushDueAt('alarm-failing')).toBe(clock.now() + 1_000);
    expect(await pipelineHealth('alarm-failing')).toMatchObject({
      overall: 'healthy',
      status: 'healthy',
      pendingEvents: 3,
      lastError: 'injected fault: after the Parquet put',
      failingForMs: 0,
    });

    // Still failing 6 s later: the delay doubles and health turns degraded.
    clock.advance(6_000);
    await runDurableObjectAlarm(tenantStub('alarm-failing'));
    expect(await flushDueAt('alarm-failing')).toBe(clock.now() + 2_000);
    expect(await pipelineHealth('alarm-failing')).toMatchObject({ overall: 'degraded', status: 'degraded', failingForMs: 6_000 });
    expect((await pipelineStateOf('alarm-failing')).plannedLastSeq).toBe(3);

    // Once the cause is gone the retry succeeds and health recovers.
    await setFaults('alarm-failing', {});
    clock.advance(2_000);
    await runDurableObjectAlarm(tenantStub('alarm-failing'));
    const health = await pipelineHealth('alarm-failing');
    expect(health).toMatchObject({ overall: 'healthy', status: 'healthy', pendingEvents: 0, flushedSeq: 3 });
    expect(health).not.toHaveProperty('lastError');
    expect(await flushDueAt('alarm-failing')).toBeNull();
    expectCompleteLog(await tableEvents('alarm-failing'), 3);
  });
});
