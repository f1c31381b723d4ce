import type { Hono, MiddlewareHandler } from 'hono';

import type { Clock } from '../clock';
import type { Env } from '../env';
import type { MetricsRecorder } from '../observability/metrics';
import type { TenantTelemetry } from '../observability/tenant-telemetry';
import type { AlarmScheduler } from './alarm-scheduler';
import type { TenantAppEnv } from './api/context';
import type { TenantStore } from './tenant-store';

/** What a plugin receives when its tenant object starts. */
export interface TenantPluginContext {
  /** The object's state; `ctx.storage.sql` is metered, so rows a plugin touches count for the request. */
  ctx: DurableObjectState;
  env: Env;
  store: TenantStore;
  clock: Clock;
  scheduler: AlarmScheduler;
  /** The object's metrics; exported by `GET /metrics` and pushed to the aggregator. */
  metrics: MetricsRecorder;
  /** Metrics registry, cost collector (`telemetry.cost`, for the pipeline's R2 and delivery counts) and request meter. */
  telemetry: TenantTelemetry;
  /** Tenant slug of this object, or null before its first request. */
  tenant(): string | null;
}

/**
 * A feature that runs inside every tenant object: rate limiting, quotas, metrics,
 * the pipeline. Plugins are created once per object and keep their state in the
 * closure of the factory.
 */
export interface TenantPlugin {
  name: string;
  /** Runs around every request, in plugin order, after the request info is known. */
  middleware?: MiddlewareHandler<TenantAppEnv>;
  /** Adds the plugin's routes. */
  routes?(app: Hono<TenantAppEnv>): void;
}

export type TenantPluginFactory = (context: TenantPluginContext) => TenantPlugin;
