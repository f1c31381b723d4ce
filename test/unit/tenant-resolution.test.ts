import { describe, expect, it } from 'vitest';

import { resolveTenant, type TenantResolution } from '../../src/routing/tenant-resolution';

const options = { domains: ['api.example.dev', 'localhost'], unknownHost: 'default' as const };

describe('resolveTenant', () => {
  const cases: Array<[string, TenantResolution['kind'], string]> = [
    ['acme.api.example.dev', 'tenant', 'acme'],
    ['acme.localhost:8787', 'tenant', 'acme'],
    ['ACME.Localhost:8787', 'tenant', 'acme'],
    ['acme.api.example.dev.', 'tenant', 'acme'],
    ['acme.api.example.dev.:443', 'tenant', 'acme'],
    ['api.example.dev', 'tenant', 'default'],
    ['localhost:8787', 'tenant', 'default'],
    ['localhost', 'tenant', 'default'],
    ['127.0.0.1:8787', 'tenant', 'default'],
    ['[::1]:8787', 'tenant', 'default'],
    ['', 'tenant', 'default'],
    ['unknown.example.com', 'tenant', 'default'],
    ['acme.localhost.evil.com', 'tenant', 'default'],
    ['a.b.api.example.dev', 'invalid', 'a.b'],
    ['-acme.localhost', 'invalid', '-acme'],
    ['acme-.localhost', 'invalid', 'acme-'],
    ['ac_me.localhost', 'invalid', 'ac_me'],
    [`${'a'.repeat(64)}.localhost`, 'invalid', 'a'.repeat(64)],
    [`${'a'.repeat(63)}.localhost`, 'tenant', 'a'.repeat(63)],
    ['tenant-a.localhost', 'tenant', 'tenant-a'],
    ['9.localhost', 'tenant', '9'],
  ];

  for (const [host, kind, value] of cases) {
    it(`maps ${JSON.stringify(host)} to ${kind} ${value}`, () => {
      const result = resolveTenant(host, options);
      expect(result.kind).toBe(kind);
      if (result.kind === 'tenant') expect(result.tenant).toBe(value);
      if (result.kind === 'invalid') expect(result.label).toBe(value);
    });
  }

  it('rejects unknown hosts under the reject policy', () => {
    const result = resolveTenant('acme.localhost.evil.com', { ...options, unknownHost: 'reject' });
    expect(result).toEqual({ kind: 'unknown', host: 'acme.localhost.evil.com' });
  });

  it('prefers the longest matching apex', () => {
    const result = resolveTenant('acme.api.example.dev', { domains: ['example.dev', 'api.example.dev'], unknownHost: 'default' });
    expect(result).toEqual({ kind: 'tenant', tenant: 'acme' });
  });
});
