import type { Hono } from 'hono';

import type { EventEnvelope } from '../../events/envelope';
import { errorFields, log } from '../observability/log';
import type { TenantAppEnv } from '../tenant/api/context';
import { parseIntegerParam } from '../tenant/api/inputs';

/** Events per chunk of an export stream. */
const EXPORT_BATCH_SIZE = 1000;

/**
 * Admin routes of the pipeline inside a tenant object:
 * `POST /admin/checkpoint` flushes every pending event now and returns
 * `{flushedSeq, files, events, snapshotId, durationMs}`;
 * `GET /admin/export?fromSeq=&toSeq=` streams the log as JSON Lines, one stored
 * event per line (payloads as written, so each line's hash can be checked), from
 * R2 and SQLite alike.
 */
export function registerPipelineRoutes(app: Hono<TenantAppEnv>): void {
  app.post('/admin/checkpoint', async (c) => {
    const { pipeline } = c.var.services;
    return c.json(await pipeline.checkpoint(c.var.info.tenant));
  });

  app.get('/admin/export', async (c) => {
    const { pipeline, store } = c.var.services;
    const tenant = c.var.info.tenant;
    const headSeq = store.log.readHead(tenant).seq;
    const fromSeq = parseIntegerParam(c.req.query('fromSeq'), 'fromSeq', 1, 1, Number.MAX_SAFE_INTEGER);
    const toSeq = parseIntegerParam(c.req.query('toSeq'), 'toSeq', headSeq, fromSeq - 1, Number.MAX_SAFE_INTEGER);
    const batches = pipeline.readLog(tenant, { fromSeq, toSeq, batchSize: EXPORT_BATCH_SIZE });

    // The first batch is read before the response starts, so a broken or unavailable
    // log still gets a JSON error. A failure later can only abort the stream.
    const first = await batches.next();
    const encoder = new TextEncoder();
    const toLines = (events: EventEnvelope[]) => encoder.encode(events.map((event) => `${JSON.stringify(event)}\n`).join(''));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        if (first.done) controller.close();
        else controller.enqueue(toLines(first.value));
      },
      async pull(controller) {
        try {
          const next = await batches.next();
          if (next.done) controller.close();
          else controller.enqueue(toLines(next.value));
        } catch (error) {
          log('error', 'export stream failed', { tenant, fromSeq, toSeq, requestId: c.var.info.requestId, ...errorFields(error) });
          controller.error(error);
        }
      },
      async cancel() {
        await batches.return(undefined);
      },
    });
    return new Response(body, {
      headers: {
        'content-type': 'application/x-ndjson; charset=utf-8',
        'x-export-from-seq': String(fromSeq),
        'x-export-to-seq': String(Math.min(toSeq, headSeq)),
      },
    });
  });
}
