import { DurableObject } from 'cloudflare:workers';
import type { Hono } from 'hono';

import { type Clock, systemClock } from '../clock';
import type { Env } from '../env';
import { TenantlogError } from '../errors';
import { errorResponse } from '../http/error-response';
import type { MetricsRecorder } from '../observability/metrics';
import { TenantTelemetry } from '../observability/tenant-telemetry';
import { TenantPipeline } from '../pipeline/tenant-pipeline';
import type { PipelineHealth, RequestInfo, TenantAppEnv, TenantServices } from './api/context';
import { AlarmScheduler } from './alarm-scheduler';
import { createTenantApp } from './app';
import { countsTowardQueryLatency, RollingAverage } from './latency';
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
  /** Flushes the log to the Iceberg table and reads it back; see `TenantPipeline`. */
  readonly pipeline: TenantPipeline;
  readonly telemetry: TenantTelemetry;
  readonly metrics: MetricsRecorder;
  private readonly app: Hono<TenantAppEnv>;
  private readonly startedAt: number;
  private readonly sqlLatency = new RollingAverage();
  private tenant: string | null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.startedAt = Date.now();
    const clock = { now: () => this.clock.now() };
    // `GUARDRAILS=off` runs the object bare (no plugins, no metering), so a benchmark can measure their overhead.
    const guardrails = env.GUARDRAILS !== 'off';
    this.telemetry = new TenantTelemetry({
      ctx,
      env,
      clock,
      tenant: () => this.tenant,
      store: () => this.store,
      pendingEvents: (tenant) => this.pipelineHealth(tenant).pendingEvents,
      metered: guardrails,
    });
    this.metrics = this.telemetry.metrics;
    this.store = new TenantStore(this.telemetry.storage, clock);
    this.store.onCommit((events) => this.telemetry.onCommit(events));
    this.tenant = this.store.log.storedTenant();
    this.scheduler = new AlarmScheduler(ctx.storage, clock, () => this.tenant);
    // Part of every object, also with `GUARDRAILS=off`: trimming the local log relies on it.
    this.pipeline = new TenantPipeline({
      ctx,
      env,
      store: this.store,
      clock,
      scheduler: this.scheduler,
      telemetry: this.telemetry,
      tenant: () => this.tenant,
    });
    const pluginContext = {
      ctx: withStorage(ctx, this.telemetry.storage),
      env,
      store: this.store,
      clock,
      scheduler: this.scheduler,
      metrics: this.metrics,
      telemetry: this.telemetry,
      tenant: () => this.tenant,
    };
    this.plugins = guardrails ? tenantPluginFactories.map((create) => create(pluginContext)) : [];
    this.app = createTenantApp((info) => this.servicesFor(info), this.plugins);
  }

  override async alarm(): Promise<void> {
    await this.scheduler.run();
  }

  override async fetch(request: Request): Promise<Response> {
    const started = performance.now();
    try {
      return await this.app.fetch(request);
    } catch (error) {
      return errorResponse(error);
    } finally {
      if (countsTowardQueryLatency(new URL(request.url).pathname)) this.sqlLatency.add(performance.now() - started);
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
      pipeline: this.pipeline,
      pipelineHealth: () => this.pipelineHealth(info.tenant),
    };
  }

  private pipelineHealth(tenant: string): PipelineHealth {
    return this.pipeline.health(tenant);
  }
}

/** `ctx` with `storage` replaced, every other member bound to the original. */
function withStorage(ctx: DurableObjectState, storage: DurableObjectStorage): DurableObjectState {
  if (storage === ctx.storage) return ctx;
  return new Proxy(ctx, {
    get(target, property) {
      if (property === 'storage') return storage;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
