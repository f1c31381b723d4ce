import { describe, expect, it } from 'vitest';

import { normaliseHost, parseTenantDomains, resolveTenant, type TenantResolution } from '../../src/routing/tenant-resolution';

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
    ['acme.localhost:', 'tenant', 'acme'],
    ['  acme.localhost  ', 'tenant', 'acme'],
    ['xn--bcher-kva.api.example.dev', 'tenant', 'xn--bcher-kva'],
    ['a--b.localhost', 'tenant', 'a--b'],
    ['LOCALHOST.', 'tenant', 'default'],
    ['api.example.dev:443', 'tenant', 'default'],
    ['10.0.0.1', 'tenant', 'default'],
    ['[2001:db8::1]', 'tenant', 'default'],
    ['[::1]', 'tenant', 'default'],
    ['256.1.1.1', 'tenant', 'default'],
    ['1.2.3', 'tenant', 'default'],
    ['example.dev', 'tenant', 'default'],
    ['evil-localhost', 'tenant', 'default'],
    ['acmelocalhost', 'tenant', 'default'],
    ['acme.localhost..', 'tenant', 'default'],
    ['acme.api.example.dev.evil.com', 'tenant', 'default'],
    ['localhost.evil.com', 'tenant', 'default'],
    ['.localhost', 'invalid', ''],
    ['a.b.c.localhost', 'invalid', 'a.b.c'],
    ['www.acme.api.example.dev', 'invalid', 'www.acme'],
    ['acme..localhost', 'invalid', 'acme.'],
    ['ac me.localhost', 'invalid', 'ac me'],
    ['acmé.localhost', 'invalid', 'acmé'],
    ['acme!.localhost', 'invalid', 'acme!'],
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

  it('reject policy keeps apex and IPs default', () => {
    for (const host of ['localhost', 'api.example.dev:443', '127.0.0.1', '[::1]:8787', '', null, undefined]) {
      expect(resolveTenant(host, { ...options, unknownHost: 'reject' }), String(host)).toEqual({ kind: 'tenant', tenant: 'default' });
    }
    expect(resolveTenant('acme.localhost', { ...options, unknownHost: 'reject' })).toEqual({ kind: 'tenant', tenant: 'acme' });
    expect(resolveTenant('Evil.Example.COM.:8443', { ...options, unknownHost: 'reject' })).toEqual({ kind: 'unknown', host: 'evil.example.com' });
  });

  it('normalises the configured apex domains too', () => {
    const configured = { domains: [' API.Example.Dev. ', 'localhost:8787', ''], unknownHost: 'reject' as const };
    expect(resolveTenant('acme.api.example.dev', configured)).toEqual({ kind: 'tenant', tenant: 'acme' });
    expect(resolveTenant('acme.localhost:9000', configured)).toEqual({ kind: 'tenant', tenant: 'acme' });
  });

  it('treats every host as unknown when no apex is configured', () => {
    expect(resolveTenant('acme.localhost', { domains: [], unknownHost: 'reject' })).toEqual({ kind: 'unknown', host: 'acme.localhost' });
    expect(resolveTenant('acme.localhost', { domains: [], unknownHost: 'default' })).toEqual({ kind: 'tenant', tenant: 'default' });
  });

  it('explains why a label is invalid', () => {
    const deeper = resolveTenant('a.b.localhost', options);
    expect(deeper).toMatchObject({ kind: 'invalid', reason: 'only one label may precede localhost' });
    const notSlug = resolveTenant('a_b.localhost', options);
    expect(notSlug).toMatchObject({ kind: 'invalid', reason: expect.stringContaining('1-63 characters') });
  });

  it('prefers the longest matching apex', () => {
    const result = resolveTenant('acme.api.example.dev', { domains: ['example.dev', 'api.example.dev'], unknownHost: 'default' });
    expect(result).toEqual({ kind: 'tenant', tenant: 'acme' });
  });
});

describe('normaliseHost', () => {
  it('lower-cases and drops the port and one trailing dot', () => {
    const cases: Array<[string, string]> = [
      ['Acme.LocalHost:8787', 'acme.localhost'],
      ['acme.localhost.', 'acme.localhost'],
      ['acme.localhost.:80', 'acme.localhost'],
      ['acme.localhost..', 'acme.localhost.'],
      ['[::1]:8787', '[::1]'],
      ['[2001:DB8::1]', '[2001:db8::1]'],
      ['  host  ', 'host'],
      ['', ''],
    ];
    for (const [input, expected] of cases) expect(normaliseHost(input), input).toBe(expected);
  });
});

describe('parseTenantDomains', () => {
  it('splits a comma list and drops blanks', () => {
    expect(parseTenantDomains(' api.example.dev , localhost,, ')).toEqual(['api.example.dev', 'localhost']);
    expect(parseTenantDomains('')).toEqual([]);
    expect(parseTenantDomains(undefined)).toEqual([]);
  });
});
