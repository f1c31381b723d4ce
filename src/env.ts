import type { TenantDO } from './tenant/tenant-do';

/** Bindings and variables of the Worker, as declared in wrangler.toml. */
export interface Env {
  TENANTS: DurableObjectNamespace<TenantDO>;
  LOG: R2Bucket;
  /** Comma-separated apex domains; a first-level subdomain of one is a tenant. */
  TENANT_DOMAINS?: string;
  /** `default` (serve unknown hosts as the default tenant) or `reject` (421). */
  UNKNOWN_HOST?: string;
  /** Bearer token for /admin routes. Unset means every admin request is rejected. */
  ADMIN_TOKEN?: string;
  /** `false` turns off the per-request log line (the test suite does, to keep its output readable). */
  LOG_REQUESTS?: string;
}
