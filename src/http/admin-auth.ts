import { createHash } from 'node:crypto';

import { TenantlogError } from '../errors';

/**
 * Compares two secrets in time that depends on neither their content nor their
 * length: both are hashed to 32 bytes first, then every byte is compared.
 */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

/**
 * Checks `Authorization: Bearer <token>` against the configured admin token.
 * Throws UNAUTHORIZED when the header is missing or wrong, or when no token is
 * configured, in which case admin routes stay closed.
 */
export function requireAdmin(authorization: string | null | undefined, adminToken: string | undefined): void {
  if (!adminToken) {
    throw new TenantlogError('UNAUTHORIZED', 'admin routes are disabled: set the ADMIN_TOKEN secret to enable them', {
      headers: { 'www-authenticate': 'Bearer realm="tenantlog-admin"' },
    });
  }
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match) {
    throw new TenantlogError('UNAUTHORIZED', 'admin routes need Authorization: Bearer <ADMIN_TOKEN>', {
      headers: { 'www-authenticate': 'Bearer realm="tenantlog-admin"' },
    });
  }
  if (!secretsEqual(match[1]!, adminToken)) {
    throw new TenantlogError('UNAUTHORIZED', 'admin token is invalid', {
      headers: { 'www-authenticate': 'Bearer realm="tenantlog-admin", error="invalid_token"' },
    });
  }
}
