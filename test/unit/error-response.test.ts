import { describe, expect, it } from 'vitest';

import { TenantlogError } from '../../src/errors';
import { errorResponse, statusForCode } from '../../src/http/error-response';

describe('errorResponse', () => {
  it('writes code, message and details with the code status', async () => {
    const response = errorResponse(new TenantlogError('VERSION_CONFLICT', 'stale', { details: { currentVersion: 2 }, headers: { 'retry-after': '1' } }));
    expect(response.status).toBe(409);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.json()).toEqual({ error: { code: 'VERSION_CONFLICT', message: 'stale', currentVersion: 2 } });
  });

  it('does not let details overwrite code or message', async () => {
    const response = errorResponse(new TenantlogError('NOT_FOUND', 'gone', { details: { code: 'X', message: 'Y', id: 'a' } }));
    expect(await response.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'gone', id: 'a' } });
  });

  it('hides unexpected errors behind a generic 500', async () => {
    const response = errorResponse(new Error('SQLITE_TOOBIG at /secret/path'));
    expect(response.status).toBe(500);
    const body = await response.json<{ error: { code: string; message: string } }>();
    expect(body.error.code).toBe('INTERNAL');
    expect(body.error.message).not.toContain('SQLITE');
  });
});

describe('statusForCode', () => {
  it('maps the codes of the public API', () => {
    const expected: Array<[Parameters<typeof statusForCode>[0], number]> = [
      ['INVALID_TENANT', 400],
      ['INVALID_JSON', 400],
      ['VALIDATION_FAILED', 400],
      ['INVALID_CURSOR', 400],
      ['UNAUTHORIZED', 401],
      ['NOT_FOUND', 404],
      ['METHOD_NOT_ALLOWED', 405],
      ['ALREADY_EXISTS', 409],
      ['VERSION_CONFLICT', 409],
      ['PAYLOAD_TOO_LARGE', 413],
      ['BATCH_TOO_LARGE', 413],
      ['WRITE_TOO_LARGE', 413],
      ['UNSUPPORTED_MEDIA_TYPE', 415],
      ['UNKNOWN_HOST', 421],
      ['REFERENCE_NOT_FOUND', 422],
      ['IDEMPOTENCY_KEY_REUSED', 422],
      ['LOG_INTEGRITY', 500],
      ['INTERNAL', 500],
    ];
    for (const [code, status] of expected) expect(statusForCode(code), code).toBe(status);
  });
});
