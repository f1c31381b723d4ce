import { DurableObject } from 'cloudflare:workers';
import type { Hono } from 'hono';

import { type Clock, systemClock } from '../clock';
import type { Env } from '../env';
import { TenantlogError } from '../errors';
import { discardUnreadBody } from '../http/body';
import { errorResponse } from '../http/error-response';
import { InMemoryMetrics, type MetricsRecorder } from '../observability/metrics';
import type { PipelineHealth, RequestInfo, TenantAppEnv, TenantServices } from './api/context';
import { AlarmScheduler } from './alarm-scheduler';
import { createTenantApp } from './app';
import { RollingAverage } from './latency';
import type { TenantPlugin } from './plugin';
import { tenantPluginFactories } from './plugins';
import { TenantStore } from './tenant-store';

/**
 * One tenant's Durable Object: its event log, projections and API. The Worker
 * addresses it with `idFromName(tenant)`, so no request path reaches another
 * tenant's storage; the object also refuses a request for a tenant other than
 * the one its log was created for.
 */
export class TenantDO extends DurableObject<Env> {
  /** Replaced by tests to step time; see `Clock`. */
  clock: Clock = systemClock;
  readonly store: TenantStore;
  readonly scheduler: AlarmScheduler;
  readonly plugins: readonly TenantPlugin[];
  readonly metrics: MetricsRecorder = new InMemoryMetrics();
  private readonly app: Hono<TenantAppEnv>;
  private readonly startedAt: number;
  private readonly sqlLatency = new RollingAverage();
  private tenant: string | null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.startedAt = Date.now();
    this.store = new TenantStore(ctx.storage, { now: () => this.clock.now() });
    this.tenant = this.store.log.storedTenant();
    const clock = { now: () => this.clock.now() };
    this.scheduler = new AlarmScheduler(ctx.storage, clock, () => this.tenant);
    const pluginContext = { ctx, env, store: this.store, clock, scheduler: this.scheduler, metrics: this.metrics, tenant: () => this.tenant };
    this.plugins = tenantPluginFactories.map((create) => create(pluginContext));
    this.app = createTenantApp((info) => this.servicesFor(info), this.plugins);
  }

  override async alarm(): Promise<void> {
    await this.scheduler.run();
  }

  override async fetch(request: Request): Promise<Response> {
    const started = performance.now();
    try {
      const response = await this.app.fetch(request);
      await discardUnreadBody(request);
      return response;
    } catch (error) {
      return errorResponse(error);
    } finally {
      this.sqlLatency.add(performance.now() - started);
    }
  }

  private servicesFor(info: RequestInfo): TenantServices {
    if (this.tenant === null) {
      this.tenant = info.tenant;
    } else if (this.tenant !== info.tenant) {
      throw new TenantlogError('TENANT_MISMATCH', `object of tenant ${this.tenant} received a request for ${info.tenant}`);
    }
    return {
      store: this.store,
      startedAt: this.startedAt,
      sqlLatency: this.sqlLatency,
      pipelineHealth: () => this.pipelineHealth(info.tenant),
    };
  }

  private pipelineHealth(tenant: string): PipelineHealth {
    // Until the pipeline commits events to R2, every appended event is pending.
    return { status: 'healthy', pendingEvents: this.store.log.readHead(tenant).seq };
  }
}
