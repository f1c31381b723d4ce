import type { MiddlewareHandler } from 'hono';

import type { AlarmScheduler } from '../tenant/alarm-scheduler';
import type { TenantAppEnv, TenantContext } from '../tenant/api/context';
import { classifyRequest, entityTypeOfCommitted, entityTypeOfResponseBody } from './request-classifier';
import type { TenantTelemetry } from './tenant-telemetry';

/**
 * Measures every request the tenant is charged for: its class and labels, the
 * duration, body bytes in and out, and the SQLite rows it touched. Then it records
 * the request and makes sure a push to the aggregator is scheduled. It runs first
 * among the plugins, so a request another plugin rejects (429, 403) is measured too.
 *
 * A response that declares its `Content-Length` (`runWrite` sets it on every
 * write response) is recorded without reading its body, so before any further
 * I/O, and the cost totals then commit in the same batch of writes as the
 * request's own. Replays and responses without a declared length are read first.
 */
export function createMetricsMiddleware(telemetry: TenantTelemetry, scheduler: AlarmScheduler): MiddlewareHandler<TenantAppEnv> {
  return async function measureRequest(c, next) {
    const requestClass = classifyRequest(c.req.method, c.req.path, c.req.query('type'));
    if (!requestClass.attributed) return next();

    const started = performance.now();
    const requestBytes = countRequestBytes(c);
    const measured = await telemetry.meter.measure(() => next());
    const durationSeconds = (performance.now() - started) / 1000;

    const ok = c.res.status < 400;
    let entityType = requestClass.entityType;
    // A replayed write commits no events, but its stored response names what the original wrote.
    const replayed = c.res.headers.get('idempotent-replayed') === 'true';
    if (entityType === null && requestClass.kind === 'write' && !replayed) entityType = entityTypeOfCommitted(measured.committed);
    let responseBytes = declaredResponseBytes(c);
    if (responseBytes === null || (entityType === null && ok)) {
      const body = await readResponse(c, (bytes) => telemetry.addResponseBytes(requestClass.kind, bytes));
      responseBytes = body.bytes;
      if (entityType === null && ok) entityType = entityTypeOfResponseBody(body.json());
    }

    telemetry.recordRequest({
      kind: requestClass.kind,
      operationType: requestClass.operationType,
      entityType: entityType ?? 'unknown',
      status: ok ? 'ok' : 'error',
      durationSeconds,
      requestBytes: requestBytes(),
      responseBytes,
      rows: measured.rows,
    });
    await telemetry.schedulePush(scheduler);
  };
}

/**
 * Returns a function that reports the request body's bytes: the declared
 * `Content-Length`, or for a chunked body the bytes the handler actually read.
 */
function countRequestBytes(c: TenantContext): () => number {
  const declared = c.req.header('content-length');
  if (declared !== undefined && /^\d+$/.test(declared)) return () => Number(declared);
  const body = c.req.raw.body;
  if (body === null) return () => 0;

  let bytes = 0;
  const counted = body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        bytes += chunk.byteLength;
        controller.enqueue(chunk);
      },
    }),
  );
  c.req.raw = new Request(c.req.raw, { body: counted });
  return () => bytes;
}

/** Bytes of the response body when known without reading it: 0 without a body, else its `Content-Length`, or null. */
function declaredResponseBytes(c: TenantContext): number | null {
  if (c.res.body === null) return 0;
  const declared = c.res.headers.get('content-length');
  return declared !== null && /^\d+$/.test(declared) ? Number(declared) : null;
}

/**
 * Measures the response body. A JSON body is already a string in memory, so it
 * is read whole for its size and, on single-thing reads and replays, its entity type (`json`). Any other
 * body is counted as it streams out and reported through `onStreamed` at its end,
 * so a large export is never buffered.
 */
async function readResponse(c: TenantContext, onStreamed: (bytes: number) => void): Promise<{ bytes: number | null; json: () => string | null }> {
  const response = c.res;
  if (response.body === null) return { bytes: 0, json: () => null };

  const mediaType = (response.headers.get('content-type') ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (mediaType === 'application/json') {
    const buffer = await response.arrayBuffer();
    c.res = new Response(buffer, response);
    // Decoded only when the entity type must come from the body.
    return { bytes: buffer.byteLength, json: () => new TextDecoder().decode(buffer) };
  }

  let bytes = 0;
  const counted = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        bytes += chunk.byteLength;
        controller.enqueue(chunk);
      },
      flush() {
        onStreamed(bytes);
      },
    }),
  );
  c.res = new Response(counted, response);
  return { bytes: null, json: () => null };
}
