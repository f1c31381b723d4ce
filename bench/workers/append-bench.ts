import { createThing } from '../../src/tenant/commands/thing-commands';
import { thingEtag, thingView } from '../../src/tenant/api/views';
import { jsonResponse } from '../../src/tenant/api/write';
import { type BatchOperation, runBatch } from '../../src/tenant/routes/batch';
import { TenantDO } from '../../src/tenant/tenant-do';
import type { Env } from '../../src/env';
import { isAppendStage, MAX_BATCH_SIZE, MAX_BENCH_OPERATIONS } from './append-bench-protocol';
import { appendStages } from './append-stages';
import { BENCH_TENANT, BENCH_TYPE, benchData, createBareTables, insertBareEvent, thingId } from './bench-rows';

export { TenantDO };

/**
 * A TenantDO with timed paths for the append benchmark, so every path runs in
 * the same kind of object with the same SQLite storage:
 *
 * - `POST /bench/events?count=N&start=S` creates N things through
 *   `TenantStore.write` and `createThing`, as `POST /things` does: payload
 *   validation, hash chain, projections and counters, one transaction per thing.
 * - `POST /bench/batches?count=N&start=S&size=B` creates the same things through
 *   `TenantStore.write` and `runBatch`, as `POST /batch` does, B creates per
 *   transaction.
 * - `POST /bench/insert?count=N&start=S` runs N bare INSERTs of rows with the
 *   columns and sizes of those `events` rows into a plain table.
 * - `POST /bench/stage/<step>?count=N&start=S` runs one step of an append N
 *   times (see `appendStages`) inside a metered request.
 *
 * Each returns once all N are done. Time inside workerd does not advance during
 * synchronous code, so the Node driver times the whole request from outside.
 */
export class AppendBenchDO extends TenantDO {
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (!url.pathname.startsWith('/bench/')) return await super.fetch(request);

    const count = readInteger(url, 'count', MAX_BENCH_OPERATIONS);
    const start = readInteger(url, 'start', Number.MAX_SAFE_INTEGER);
    const stage = url.pathname.startsWith('/bench/stage/') ? url.pathname.slice('/bench/stage/'.length) : null;
    if (url.pathname === '/bench/events') {
      this.appendThings(start, count);
    } else if (url.pathname === '/bench/batches') {
      this.appendBatches(start, count, Math.max(1, readInteger(url, 'size', MAX_BATCH_SIZE)));
    } else if (url.pathname === '/bench/insert') {
      this.insertBareRows(start, count);
    } else if (stage !== null && isAppendStage(stage)) {
      createBareTables(this.ctx.storage.sql);
      const now = Date.now();
      const storage = { plain: this.ctx.storage, metered: this.telemetry.storage };
      await this.telemetry.meter.measure(async () => appendStages[stage](storage, start, count, now));
    } else {
      return Response.json({ error: { code: 'NOT_FOUND', message: `no bench route ${url.pathname}` } }, { status: 404 });
    }
    return Response.json({ count });
  }

  private appendThings(start: number, count: number): void {
    for (let index = start; index < start + count; index++) {
      this.store.write({ tenant: BENCH_TENANT, actor: null, correlationId: `bench-${index}`, idempotency: null }, (tx) => {
        const thing = createThing(tx, { id: thingId(index), type: BENCH_TYPE, data: benchData(index) });
        return jsonResponse(201, thingView(thing), { etag: thingEtag(thing.version), location: `/things/${thing.id}` });
      });
    }
  }

  private appendBatches(start: number, count: number, size: number): void {
    for (let first = start; first < start + count; first += size) {
      const operations: BatchOperation[] = [];
      for (let index = first; index < Math.min(first + size, start + count); index++) {
        operations.push({ op: 'create', collection: 'things', thing: { id: thingId(index), type: BENCH_TYPE, data: benchData(index), hasData: true } });
      }
      this.store.write({ tenant: BENCH_TENANT, actor: null, correlationId: `bench-${first}`, idempotency: null }, (tx) => runBatch(tx, operations));
    }
  }

  private insertBareRows(start: number, count: number): void {
    const sql = this.ctx.storage.sql;
    createBareTables(sql);
    const now = Date.now();
    for (let index = start; index < start + count; index++) insertBareEvent(sql, index, now);
  }
}

function readInteger(url: URL, name: string, max: number): number {
  const value = Number(url.searchParams.get(name) ?? '0');
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`bench: ${name} must be an integer in 0..${max}, got ${url.searchParams.get(name)}`);
  }
  return value;
}

/** Routes `/<object>/bench/...` to the object named `<object>`, so each path gets its own database. */
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    // The dev-server harness polls /health until the Worker responds.
    if (url.pathname === '/health') return new Response('ok');
    const [, objectName, ...rest] = url.pathname.split('/');
    if (!objectName) return new Response('bench: name an object, as in /events/bench/events?count=100', { status: 404 });
    const stub = env.BENCH.get(env.BENCH.idFromName(objectName));
    return await stub.fetch(`https://bench.internal/${rest.join('/')}${url.search}`, { method: request.method });
  },
} satisfies ExportedHandler<Env & { BENCH: DurableObjectNamespace<AppendBenchDO> }>;
