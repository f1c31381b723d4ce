import type { OverrideIndexDO } from './limits/override-index';
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
  /** Singleton index of rate-limit overrides across tenants, served by `GET /admin/overrides`. */
  OVERRIDE_INDEX: DurableObjectNamespace<OverrideIndexDO>;
  /** Default requests per window of every tenant (default 1000). */
  RATE_LIMIT_REQUESTS?: string;
  /** Default rate-limit window in ms (default 60000). */
  RATE_LIMIT_WINDOW_MS?: string;
  /** Default window strategy: `fixed`, `sliding` or `sliding-log` (default `sliding`). */
  RATE_LIMIT_STRATEGY?: string;
  /** Default fraction of a limit at which a warning is logged, 0 < t <= 1 (default 0.8). */
  RATE_LIMIT_WARNING_THRESHOLD?: string;
  /** Comma-separated tenant slugs that are never rate limited. */
  RATE_LIMIT_ADMIN_TENANTS?: string;
  /** Plan of a tenant without a `tenant.configured` event: `starter`, `pro` or `enterprise` (default `starter`). */
  DEFAULT_PLAN?: string;
}
