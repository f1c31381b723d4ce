import type { OverrideIndexDO } from './limits/override-index';
import type { MetricsAggregatorDO } from './observability/aggregator-do';
import type { CatalogDO } from './pipeline/catalog-do';
import type { TenantDO } from './tenant/tenant-do';

/** Bindings and variables of the Worker, as declared in wrangler.toml. */
export interface Env {
  TENANTS: DurableObjectNamespace<TenantDO>;
  LOG: R2Bucket;
  /** The one object that collects every tenant's metrics for `GET /admin/metrics`. */
  METRICS_AGGREGATOR: DurableObjectNamespace<MetricsAggregatorDO>;
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
  /** `off` runs tenant objects without plugins or request metering; the benchmark compares both. */
  GUARDRAILS?: string;
  /** Prefix of exported metric names; `dotdo_` when unset. */
  METRICS_PREFIX?: string;
  /** Entity types per tenant with their own `entity_type` label value; 50 when unset. */
  METRICS_MAX_ENTITY_TYPES?: string;
  /** Least ms between two metric pushes of one tenant to the aggregator; 10000 when unset. */
  METRICS_PUSH_INTERVAL_MS?: string;
  /** Default cost warning threshold per billing period, in US dollars; 10 when unset. */
  COST_ALERT_WARNING?: string;
  /** Default cost critical threshold per billing period, in US dollars; 100 when unset. */
  COST_ALERT_CRITICAL?: string;
  /** The one object that owns the Iceberg table's metadata and serialises its commits. */
  CATALOG: DurableObjectNamespace<CatalogDO>;
  /** Pending events that make a flush due at once (default 10000). */
  FLUSH_MAX_EVENTS?: string;
  /** Longest wait of an event before a flush is due, in ms (default 10000). */
  FLUSH_INTERVAL_MS?: string;
  /** Most events one flush round writes (default 100000). */
  FLUSH_ROUND_MAX_EVENTS?: string;
  /** Flushed events a tenant object keeps before trimming them (default 100000). */
  LOCAL_RETENTION_EVENTS?: string;
  /** Iceberg table location, `scheme://bucket/prefix` (default `s3://tenantlog-events/events`). */
  TABLE_LOCATION?: string;
  /** Manifests per snapshot above which commits merge small ones (default 100). */
  MANIFEST_MERGE_THRESHOLD?: string;
  /** ms of failing flushes after which health reports the pipeline `degraded` (default 60000). */
  PIPELINE_DEGRADED_AFTER_MS?: string;
  /** Least ms between two commit rounds of the catalog (default 1000). */
  CATALOG_COMMIT_INTERVAL_MS?: string;
}
