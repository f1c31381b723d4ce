import type { Context } from 'hono';

import type { TenantPipeline } from '../../pipeline/tenant-pipeline';
import type { RollingAverage } from '../latency';
import type { TenantStore } from '../tenant-store';

/** Facts the edge Worker established about a request before forwarding it. */
export interface RequestInfo {
  tenant: string;
  requestId: string;
  actor: string | null;
  /** True for a request to an admin route (`/admin/...`) with a valid admin token; the edge checks the token on those paths only. */
  admin: boolean;
}

/** Per-object services that route handlers use. */
export interface TenantServices {
  store: TenantStore;
  /** ms since the Unix epoch when this object instance started. */
  startedAt: number;
  /** Durations of SQL-backed request handling, in ms. */
  sqlLatency: RollingAverage;
  /** Flushes the log to the Iceberg table and reads it back from there. */
  pipeline: TenantPipeline;
  /** State of the pipeline that moves the log to R2. */
  pipelineHealth(): PipelineHealth;
}

export interface PipelineHealth {
  status: 'healthy' | 'degraded' | 'unhealthy';
  /** Events appended but not yet committed to the Iceberg table. */
  pendingEvents: number;
  [key: string]: unknown;
}

export type TenantAppEnv = {
  Variables: { info: RequestInfo; services: TenantServices };
};

export type TenantContext = Context<TenantAppEnv>;
