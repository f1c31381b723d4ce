import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DuckDBInstance } from '@duckdb/node-api';
import { icebergRead } from 'icebird';
import { afterAll, describe, expect, it } from 'vitest';

import type { EventEnvelope } from '../../events/envelope';
import { GENESIS_HASH, verifyChain } from '../../events/hash';
import { createStateDir, DEV_ADMIN_TOKEN, type DevServer, removeStateDir, startDevServer } from './harness/wrangler-dev';
import { copyDataFiles, openLocalBucket, readLocalTable, serveBucket, TABLE_LOCATION } from '../../scripts/local-table';

const cleanups: Array<() => Promise<void> | void> = [];

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function adminJson(server: DevServer, method: string, path: string): Promise<{ status: number; body: any }> {
  const response = await server.request(null, path, { method, headers: { authorization: `Bearer ${DEV_ADMIN_TOKEN}` } });
  const text = await response.text();
  return { status: response.status, body: text === '' ? null : JSON.parse(text) };
}

async function createBatch(server: DevServer, tenant: string, first: number, count: number): Promise<number> {
  const operations = Array.from({ length: count }, (_, index) => ({ op: 'create', id: `t-${first + index}`, type: 'Widget', data: { n: first + index } }));
  const response = await server.request(tenant, '/batch', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ operations }),
    timeoutMs: 10_000,
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`POST /batch for ${tenant} returned ${response.status}: ${text}`);
  return (JSON.parse(text) as { lastSeq: number }).lastSeq;
}

async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Converts a row of the table (as DuckDB returns it) back to an envelope, to check hashes. */
function rowToEvent(row: Record<string, unknown>): EventEnvelope {
  return {
    tenant: String(row.tenant),
    seq: Number(row.seq),
    id: String(row.id),
    type: String(row.type),
    schemaVersion: Number(row.schema_version),
    occurredAt: Number(row.occurred_at_ms),
    actor: (row.actor as string | null) ?? null,
    correlationId: String(row.correlation_id),
    causationId: (row.causation_id as string | null) ?? null,
    idempotencyKey: (row.idempotency_key as string | null) ?? null,
    payload: JSON.parse(String(row.payload)),
    prevHash: String(row.prev_hash),
    hash: String(row.hash),
  };
}

describe('pipeline under wrangler dev', () => {
  it('flushes from the alarm on a cold isolate, with null optional fields', async () => {
    const server = await startDevServer({ vars: { FLUSH_INTERVAL_MS: '300', LOCAL_RETENTION_EVENTS: '0', CATALOG_COMMIT_INTERVAL_MS: '100' } });
    cleanups.push(() => removeStateDir(server.persistDir), () => server.stop());

    // No API key and no Idempotency-Key: actor and idempotency_key are null in every row.
    for (let index = 0; index < 5; index++) {
      const response = await server.request('e2e-cold', '/things', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: `cold-${index}`, type: 'Widget' }),
      });
      expect(response.status, await response.text()).toBe(201);
    }

    // Nothing but the alarm flushes here.
    const health = await waitFor(
      'the alarm flush',
      async () => (await (await server.request('e2e-cold', '/health')).json()) as { components: { pipeline: Record<string, unknown> } },
      (body) => body.components.pipeline.flushedSeq === 5,
    );
    expect(health.components.pipeline).toMatchObject({ status: 'healthy', pendingEvents: 0 });
    const table = await adminJson(server, 'GET', '/admin/table');
    expect(table.body).toMatchObject({ totals: { records: 5, dataFiles: 1, tenants: 1 } });

    // Every local event is trimmed, so this export reads the Parquet file back inside workerd.
    const exported = await server.request(null, '/admin/tenants/e2e-cold/export', { headers: { authorization: `Bearer ${DEV_ADMIN_TOKEN}` } });
    const lines = (await exported.text()).split('\n').filter((line) => line !== '');
    expect(lines.map((line) => (JSON.parse(line) as EventEnvelope).seq)).toEqual([1, 2, 3, 4, 5]);
    expect(lines.map((line) => (JSON.parse(line) as EventEnvelope).actor)).toEqual([null, null, null, null, null]);
    expect(server.output()).not.toMatch(/EvalError|Code generation from strings/);
  });

  it('keeps every acknowledged event exactly once across a SIGKILL mid-flush', { timeout: 240_000 }, async () => {
    const persistDir = createStateDir();
    cleanups.push(() => removeStateDir(persistDir));
    // Flushes start by count (40 events). The interval is longer than the test, so events acknowledged
    // just before the kill are still pending when the process dies, however slow the machine.
    const vars = { FLUSH_MAX_EVENTS: '40', FLUSH_INTERVAL_MS: '60000', CATALOG_COMMIT_INTERVAL_MS: '100', LOCAL_RETENTION_EVENTS: '30' };
    const writing = ['e2e-kill-a', 'e2e-kill-b', 'e2e-kill-c'];
    // Gets one small batch right before the kill, below the flush count.
    const tail = 'e2e-kill-tail';
    const tenants = [...writing, tail];
    const acknowledged = new Map(tenants.map((tenant) => [tenant, 0]));

    // 1. Writes and flushes run side by side until the process is killed.
    const first = await startDevServer({ persistDir, vars });
    let killed = false;
    const writers = writing.map(async (tenant) => {
      let next = 0;
      while (!killed) {
        try {
          acknowledged.set(tenant, await createBatch(first, tenant, next, 15));
          next += 15;
        } catch (error) {
          if (!killed) throw error;
        }
      }
    });
    await waitFor('some flushes', async () => (await adminJson(first, 'GET', '/admin/table')).body, (body) => body.totals.dataFiles >= 6);
    acknowledged.set(tail, await createBatch(first, tail, 0, 5));
    killed = true;
    await first.kill();
    await Promise.all(writers);
    const written = [...acknowledged.values()].reduce((total, seq) => total + seq, 0);
    expect(written).toBeGreaterThan(0);

    // 2. The same state on a new process: a checkpoint flushes whatever was left.
    const second = await startDevServer({ persistDir, vars });
    const pendingAtRestart = await Promise.all(
      tenants.map(async (tenant) => {
        const health = (await (await second.request(tenant, '/health')).json()) as { components: { pipeline: { pendingEvents: number } } };
        return health.components.pipeline.pendingEvents;
      }),
    );
    // The tail tenant's events were acknowledged but not flushed, so the checkpoint below has work to do.
    // The writing tenants may have died before, during or after a flush.
    expect(pendingAtRestart[tenants.indexOf(tail)]).toBe(5);
    const heads = new Map<string, number>();
    for (const tenant of tenants) {
      const checkpoint = await adminJson(second, 'POST', `/admin/tenants/${tenant}/checkpoint`);
      expect(checkpoint.status, JSON.stringify(checkpoint.body)).toBe(200);
      const checksum = await adminJson(second, 'GET', `/admin/tenants/${tenant}/projections/checksum`);
      expect(checkpoint.body.flushedSeq).toBe(checksum.body.lastSeq);
      expect(checksum.body.lastSeq).toBeGreaterThanOrEqual(acknowledged.get(tenant)!);
      heads.set(tenant, checksum.body.lastSeq);
    }
    await second.stop();

    // 3. Outside readers on the local R2 state.
    const { bucket, dispose } = await openLocalBucket(persistDir);
    cleanups.push(dispose);
    const table = await readLocalTable(bucket);
    const total = [...heads.values()].reduce((sum, seq) => sum + seq, 0);
    expect(table.files.reduce((sum, file) => sum + file.dataFile.record_count, 0)).toBe(total);

    // DuckDB over the data files the current manifests name.
    const scratch = mkdtempSync(join(tmpdir(), 'tenantlog-e2e-parquet-'));
    cleanups.push(() => rmSync(scratch, { recursive: true, force: true }));
    const paths = await copyDataFiles(bucket, table, scratch);
    const duckdb = await DuckDBInstance.create(':memory:');
    cleanups.push(() => duckdb.closeSync());
    const connection = await duckdb.connect();
    const files = `read_parquet([${paths.map((path) => `'${path}'`).join(', ')}])`;
    const counts = (await connection.runAndReadAll(`select count(*)::integer, count(distinct (tenant, seq))::integer from ${files}`)).getRows()[0]!;
    expect(counts).toEqual([total, total]);
    const reader = await connection.runAndReadAll(
      `select tenant, seq::integer as seq, id, type, schema_version, epoch_ms(occurred_at)::bigint::varchar as occurred_at_ms, actor,
         correlation_id, causation_id, idempotency_key, payload, prev_hash, hash from ${files} order by tenant, seq`,
    );
    const rows = reader.getRowObjectsJS() as Array<Record<string, unknown>>;
    for (const tenant of tenants) {
      const events = rows.filter((row) => row.tenant === tenant).map(rowToEvent);
      expect(events.map((event) => event.seq)).toEqual(Array.from({ length: heads.get(tenant)! }, (_, index) => index + 1));
      expect(verifyChain(events, 0, GENESIS_HASH)).toMatchObject({ ok: true, lastSeq: heads.get(tenant) });
    }
    connection.closeSync();

    // icebird through the version hint, metadata and manifests.
    const realFetch = globalThis.fetch;
    globalThis.fetch = serveBucket(bucket);
    try {
      const icebirdRows = await icebergRead({ tableUrl: TABLE_LOCATION });
      expect(icebirdRows).toHaveLength(total);
      const key = (row: { tenant?: unknown; seq?: unknown }) => `${String(row.tenant)}/${String(row.seq)}`;
      expect(new Set(icebirdRows.map(key)).size).toBe(total);
      const hashes = new Map(rows.map((row) => [key(row), row.hash]));
      for (const row of icebirdRows) expect(row.hash).toBe(hashes.get(key(row)));
    } finally {
      globalThis.fetch = realFetch;
    }
  });
});
