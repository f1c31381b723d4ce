import { describe, expect, it } from 'vitest';

import { requireAdmin, secretsEqual } from '../../src/http/admin-auth';
import { errorOf } from './error-of';

describe('secretsEqual', () => {
  it('compares content, whatever the lengths', () => {
    expect(secretsEqual('token', 'token')).toBe(true);
    expect(secretsEqual('token', 'tokem')).toBe(false);
    expect(secretsEqual('token', 'token2')).toBe(false);
    expect(secretsEqual('', 'token')).toBe(false);
    expect(secretsEqual('ü', 'ü')).toBe(true);
  });
});

describe('requireAdmin', () => {
  it('accepts the configured bearer token', () => {
    expect(() => requireAdmin('Bearer s3cret', 's3cret')).not.toThrow();
    expect(() => requireAdmin('bearer s3cret', 's3cret')).not.toThrow();
    expect(() => requireAdmin('Bearer   s3cret  ', 's3cret')).not.toThrow();
  });

  it('rejects a missing, malformed or wrong header', () => {
    for (const header of [undefined, null, '', 'Bearer', 'Bearer ', 's3cret', 'Basic s3cret', 'Bearer s3cret extra', 'Bearer s3cre', 'Bearer s3cret!']) {
      const error = errorOf(() => requireAdmin(header, 's3cret'));
      expect(error.code, String(header)).toBe('UNAUTHORIZED');
      expect(error.headers?.['www-authenticate']).toMatch(/^Bearer realm="tenantlog-admin"/);
    }
  });

  it('marks a wrong token as invalid_token', () => {
    expect(errorOf(() => requireAdmin('Bearer nope', 's3cret')).headers?.['www-authenticate']).toContain('error="invalid_token"');
  });

  it('rejects everything when no token is configured', () => {
    for (const configured of [undefined, '']) {
      expect(errorOf(() => requireAdmin('Bearer anything', configured)).message).toContain('ADMIN_TOKEN');
    }
  });

  it('never echoes the token in its message', () => {
    const error = errorOf(() => requireAdmin('Bearer guess-123', 'real-456'));
    expect(error.message).not.toContain('guess-123');
    expect(error.message).not.toContain('real-456');
  });
});
