import { createHash } from 'node:crypto';

import { canonicalJson } from '../../../events/canonical';
import { utf8Length } from '../../../events/utf8';
import { TenantlogError } from '../../errors';
import { JSON_CONTENT_TYPE } from '../../http/error-response';
import type { StoredResponse } from '../idempotency';
import type { CommandTx } from '../tenant-store';
import type { TenantContext } from './context';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** Builds a JSON response to store and send. */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): StoredResponse {
  return { status, headers, body: status === 204 ? '' : JSON.stringify(body) };
}

/**
 * Runs a write command for the request in `c` and turns its stored response into
 * an HTTP response. `body` is the parsed request body, hashed together with the
 * method, path and `If-Match` so a reused `Idempotency-Key` with another request is caught.
 */
export function runWrite(c: TenantContext, body: unknown, command: (tx: CommandTx) => StoredResponse): Response {
  const { info, services } = c.var;
  const key = c.req.header('idempotency-key');
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
    throw new TenantlogError('VALIDATION_FAILED', 'Idempotency-Key must be 1-255 visible ASCII characters');
  }
  const idempotency =
    key === undefined
      ? null
      : {
          key,
          fingerprint: createHash('sha256')
            .update(`${c.req.method} ${new URL(c.req.url).pathname}\n${c.req.header('if-match') ?? ''}\n`)
            .update(body === undefined ? '' : canonicalJson(body))
            .digest('hex'),
        };

  const result = services.store.write(
    { tenant: info.tenant, actor: info.actor, correlationId: info.requestId, idempotency },
    command,
  );
  const headers = new Headers(result.response.headers);
  if (result.response.body !== '') {
    headers.set('content-type', JSON_CONTENT_TYPE);
    // Declared, so the metrics middleware counts the response without reading it back.
    headers.set('content-length', String(utf8Length(result.response.body)));
  }
  if (result.replayed) headers.set('idempotent-replayed', 'true');
  return new Response(result.response.body === '' ? null : result.response.body, {
    status: result.response.status,
    headers,
  });
}
