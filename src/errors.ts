/**
 * Error codes of the public API. Each maps to one HTTP status in
 * `src/http/error-response.ts`; domain code throws by code and never picks a status.
 */
export type ErrorCode =
  | 'INVALID_TENANT'
  | 'UNKNOWN_HOST'
  | 'INVALID_JSON'
  | 'VALIDATION_FAILED'
  | 'INVALID_CURSOR'
  | 'BATCH_TOO_LARGE'
  | 'PAYLOAD_TOO_LARGE'
  | 'WRITE_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'ALREADY_EXISTS'
  | 'REFERENCE_NOT_FOUND'
  | 'VERSION_CONFLICT'
  | 'PRECONDITION_REQUIRED'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'IDEMPOTENCY_KEY_IN_PROGRESS'
  | 'RATE_LIMITED'
  | 'QUOTA_EXCEEDED'
  | 'TENANT_MISMATCH'
  | 'LOG_INTEGRITY'
  | 'UNAVAILABLE'
  | 'INTERNAL';

/**
 * Root of every error this service raises on purpose. `details` is safe to return
 * to the client (no secrets, no payloads); `cause` keeps the original error for logs.
 */
export class TenantlogError extends Error {
  override readonly name = 'TenantlogError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.details = options.details;
    this.headers = options.headers;
  }

  readonly details: Record<string, unknown> | undefined;
  /** Extra response headers, such as `Retry-After` or `Allow`. */
  readonly headers: Record<string, string> | undefined;
}

export function isTenantlogError(error: unknown): error is TenantlogError {
  return error instanceof TenantlogError;
}
