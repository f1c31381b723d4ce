/** Tenant slugs: lower-case DNS labels of 1 to 63 characters. */
export const TENANT_SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Tenant that serves the bare apex, IP addresses and (by default) unknown hosts. */
export const DEFAULT_TENANT = 'default';

export type UnknownHostPolicy = 'default' | 'reject';

export interface TenantResolutionOptions {
  /** Apex domains whose first-level subdomains are tenants, e.g. `api.example.dev`. */
  domains: readonly string[];
  unknownHost: UnknownHostPolicy;
}

export type TenantResolution =
  | { kind: 'tenant'; tenant: string }
  | { kind: 'invalid'; label: string; reason: string }
  | { kind: 'unknown'; host: string };

/**
 * Maps a `Host` header to a tenant.
 *
 * `<slug>.<apex>` is the tenant `<slug>`; the bare apex and IP literals are the
 * default tenant; deeper names and labels that are not slugs are invalid. A host
 * under no configured apex (including one that merely contains an apex, such as
 * `acme.localhost.evil.com`) is unknown: the default tenant under the `default`
 * policy, or an `unknown` result for the caller to reject. Case, a port and a
 * trailing dot do not change the result.
 */
export function resolveTenant(hostHeader: string | null | undefined, options: TenantResolutionOptions): TenantResolution {
  const host = normaliseHost(hostHeader ?? '');
  if (host === '' || isIpLiteral(host)) return { kind: 'tenant', tenant: DEFAULT_TENANT };

  // Longest apex first, so `api.example.dev` wins over `example.dev` when both are configured.
  const apexes = [...options.domains].map(normaliseHost).filter((apex) => apex !== '');
  apexes.sort((a, b) => b.length - a.length);

  for (const apex of apexes) {
    if (host === apex) return { kind: 'tenant', tenant: DEFAULT_TENANT };
    if (!host.endsWith(`.${apex}`)) continue;

    const label = host.slice(0, host.length - apex.length - 1);
    if (label.includes('.')) {
      return { kind: 'invalid', label, reason: `only one label may precede ${apex}` };
    }
    if (!TENANT_SLUG.test(label)) {
      return { kind: 'invalid', label, reason: 'a tenant must be 1-63 characters of a-z, 0-9 and inner hyphens' };
    }
    return { kind: 'tenant', tenant: label };
  }

  return options.unknownHost === 'reject' ? { kind: 'unknown', host } : { kind: 'tenant', tenant: DEFAULT_TENANT };
}

/** Lower-cases a host, drops the port and one trailing dot; IPv6 literals keep their brackets. */
export function normaliseHost(host: string): string {
  let result = host.trim().toLowerCase();
  if (result.startsWith('[')) {
    const end = result.indexOf(']');
    return end === -1 ? result : result.slice(0, end + 1);
  }
  const colon = result.lastIndexOf(':');
  if (colon !== -1) result = result.slice(0, colon);
  if (result.endsWith('.')) result = result.slice(0, -1);
  return result;
}

function isIpLiteral(host: string): boolean {
  if (host.startsWith('[')) return true;
  const parts = host.split('.');
  return parts.length === 4 && parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255);
}

/** Parses `TENANT_DOMAINS`, a comma-separated list of apex domains. */
export function parseTenantDomains(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((domain) => domain.trim())
    .filter((domain) => domain !== '');
}
