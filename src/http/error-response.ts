import type { ContentfulStatusCode } from 'hono/utils/http-status';

import { type ErrorCode, isTenantlogError, TenantlogError } from '../errors';

/** Content-Type of every JSON response: JSON is always UTF-8 (RFC 8259), and the charset is named anyway. */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

const statusByCode: Record<ErrorCode, ContentfulStatusCode> = {
  INVALID_TENANT: 400,
  INVALID_JSON: 400,
  VALIDATION_FAILED: 400,
  INVALID_CURSOR: 400,
  BATCH_TOO_LARGE: 413,
  PAYLOAD_TOO_LARGE: 413,
  WRITE_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  QUOTA_EXCEEDED: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  ALREADY_EXISTS: 409,
  VERSION_CONFLICT: 409,
  IDEMPOTENCY_KEY_IN_PROGRESS: 409,
  UNKNOWN_HOST: 421,
  REFERENCE_NOT_FOUND: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
  PRECONDITION_REQUIRED: 428,
  RATE_LIMITED: 429,
  TENANT_MISMATCH: 500,
  LOG_INTEGRITY: 500,
  INTERNAL: 500,
  UNAVAILABLE: 503,
};

export function statusForCode(code: ErrorCode): ContentfulStatusCode {
  return statusByCode[code];
}

/** Body of every error response: `{"error": {"code", "message", ...details}}`. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string } & Record<string, unknown>;
}

/**
 * Turns any thrown value into a JSON error response. Unexpected errors become a
 * generic 500 whose message does not leak internals; the caller logs the original.
 */
export function errorResponse(error: unknown, extraHeaders: Record<string, string> = {}): Response {
  const known: TenantlogError = isTenantlogError(error)
    ? error
    : new TenantlogError('INTERNAL', 'internal error: the request failed unexpectedly; quote its X-Request-ID when reporting it');
  const { code: _code, message: _message, ...details } = known.details ?? {};
  const body: ErrorBody = { error: { code: known.code, message: known.message, ...details } };
  return new Response(JSON.stringify(body), {
    status: statusForCode(known.code),
    headers: { 'content-type': JSON_CONTENT_TYPE, ...known.headers, ...extraHeaders },
  });
}
