import type { EventEnvelope } from '../../events/envelope';
import { readCounter } from '../../projections/counters';
import { type MonitoringConfig, readMonitoringConfig, readRaisedAlertLevels } from '../../projections/monitoring';
import type { Clock } from '../clock';
import { type AlertLevel, type CostAlert, CostCollector } from '../cost/collector';
import { CostStore } from '../cost/cost-store';
import { deploymentThresholds, effectiveThresholds } from '../cost/monitoring-config';
import { CLOUDFLARE_PRICES } from '../cost/prices';
import { sendWebhook } from '../cost/webhook';
import type { Env } from '../env';
import type { TenantStore } from '../tenant/tenant-store';
import { AGGREGATOR_NAME } from './aggregator-do';
import { METRIC, metricsPrefix } from './catalogue';
import { EntityTypeLabels, maxEntityTypes } from './entity-type-labels';
import { renderExposition } from './exposition';
import { log } from './log';
import { type PendingPush, MetricsRegistry } from './registry';
import { RequestMeter, type RowCounts } from './request-meter';

/** Default of `METRICS_PUSH_INTERVAL_MS`: at most one push to the aggregator per tenant per 10 s. */
export const DEFAULT_PUSH_INTERVAL_MS = 10_000;

/** Minimum clock time between two samples of the database size for the storage cost, in ms. */
export const STORAGE_SAMPLE_INTERVAL_MS = 1_000;

/** Name of the alarm task that pushes metrics and saves cost totals. */
export const PUSH_TASK = 'metrics.push';

/** One request as the metrics plugin measured it. */
export interface MeasuredRequest {
  kind: 'read' | 'write';
  operationType: string;
  entityType: string;
  status: 'ok' | 'error';
  durationSeconds: number;
  requestBytes: number;
  /** Response body bytes, or null while a streamed body is still being sent (see `addResponseBytes`). */
  responseBytes: number | null;
  rows: RowCounts;
}

export interface TenantTelemetryOptions {
  ctx: DurableObjectState;
  env: Env;
  clock: Clock;
  tenant(): string | null;
  /** The object's store; read lazily because the store is built on `storage` below. */
  store(): TenantStore;
  /** Events appended but not yet committed to the Iceberg table, as the object's health check reports them. */
  pendingEvents(tenant: string): number;
  /** False turns request metering off (`GUARDRAILS=off`): `storage` is then the plain storage. */
  metered: boolean;
}

/**
 * Metrics and cost attribution of one tenant object. It owns the metrics registry
 * (`GET /metrics`, pushes to the aggregator), the cost collector with its alert
 * thresholds, and the request meter whose storage view the store runs on.
 * Bookkeeping of its own (entity type admissions, cost totals) uses the plain
 * storage, so it is not attributed to requests.
 */
export class TenantTelemetry {
  readonly meter = new RequestMeter();
  /** Storage for the store: metered unless metering is off. */
  readonly storage: DurableObjectStorage;
  readonly metrics: MetricsRegistry;
  private readonly entityTypes: EntityTypeLabels;
  readonly pushIntervalMs: number;

  private readonly instance = crypto.randomUUID();
  private readonly epoch = Date.now();
  private nextSeq = 1;
  private inflight: (PendingPush & { seq: number }) | null = null;
  private pushScheduled = false;
  private configCache: MonitoringConfig | null = null;
  /** Display name that `tenant_info` carries; undefined until this instance first sets it. */
  private infoDisplayName: string | null | undefined = undefined;
  private costCollector: CostCollector | null = null;
  /** Clock time of the last `databaseSize` sample; see `sampleStorageBytes`. */
  private storageSampledAt = Number.NEGATIVE_INFINITY;
  /** Cost alert thresholds of the deployment (`COST_ALERT_WARNING`, `COST_ALERT_CRITICAL`), in dollars. */
  readonly deployment: { warning: number; critical: number };
  /** Stored cost totals of every period. */
  readonly costs: CostStore;

  constructor(private readonly options: TenantTelemetryOptions) {
    const { ctx, env, clock } = options;
    this.storage = options.metered ? this.meter.storage(ctx.storage) : ctx.storage;
    this.entityTypes = new EntityTypeLabels(ctx.storage.sql, maxEntityTypes(env.METRICS_MAX_ENTITY_TYPES));
    this.metrics = new MetricsRegistry(this.entityTypes);
    this.pushIntervalMs = positiveInteger('METRICS_PUSH_INTERVAL_MS', env.METRICS_PUSH_INTERVAL_MS, DEFAULT_PUSH_INTERVAL_MS);
    this.deployment = deploymentThresholds(env.COST_ALERT_WARNING, env.COST_ALERT_CRITICAL);

    this.costs = new CostStore(ctx.storage.sql);
  }

  /**
   * Cost attribution of the tenant; the pipeline reports R2 operations and
   * delivered events here. Created on first use because it reads the projections,
   * whose tables the store creates after this object.
   */
  get cost(): CostCollector {
    this.costCollector ??= new CostCollector({
      clock: this.options.clock,
      prices: CLOUDFLARE_PRICES,
      load: (period) => this.costs.load(period),
      save: (usage) => this.costs.save(usage),
      thresholds: () => effectiveThresholds(this.config(), this.deployment),
      raisedLevels: (period) => this.raisedLevelsIn(period),
      onAlert: (alert) => this.raiseAlert(alert),
    });
    return this.costCollector;
  }

  /** Returns the tenant's monitoring configuration, cached until a `monitoring.configured` event commits. */
  config(): MonitoringConfig {
    this.configCache ??= readMonitoringConfig(this.options.ctx.storage.sql);
    return this.configCache;
  }

  /** Alert levels raised in a billing period, from the `cost.alert` events of the log. */
  raisedLevelsIn(period: string): AlertLevel[] {
    return readRaisedAlertLevels(this.options.ctx.storage.sql, period);
  }

  /** Follows committed events: attributes them to the current request and notices configuration changes. */
  onCommit(events: readonly EventEnvelope[]): void {
    this.meter.recordCommit(events);
    if (events.some((event) => event.type === 'monitoring.configured')) this.configCache = null;
  }

  /**
   * Records one measured request in the metrics and the cost totals, and stores
   * the totals. Call it before the request's next I/O, so the totals commit in the
   * same batch of writes as the request's own.
   */
  recordRequest(request: MeasuredRequest): void {
    // Only writes admit entity types: they name types that exist, while a read may name any text.
    const entityType = request.kind === 'write' ? request.entityType : this.entityTypes.existingLabel(request.entityType);
    const labels = { operation_type: request.operationType, entity_type: entityType, status: request.status };
    this.metrics.increment(request.kind === 'write' ? METRIC.writes : METRIC.reads, labels);
    this.metrics.observe(METRIC.requestDuration, { operation_type: request.operationType, status: request.status }, request.durationSeconds);
    if (request.requestBytes > 0) this.metrics.increment(METRIC.requestBytes, {}, request.requestBytes);
    if (request.rows.rowsRead > 0) this.metrics.increment(METRIC.sqliteRowsRead, {}, request.rows.rowsRead);
    if (request.rows.rowsWritten > 0) this.metrics.increment(METRIC.sqliteRowsWritten, {}, request.rows.rowsWritten);
    const responseBytes = request.responseBytes ?? 0;
    if (responseBytes > 0) this.metrics.increment(METRIC.responseBytes, {}, responseBytes);

    this.cost.trackRequest({
      kind: request.kind,
      bytes: request.kind === 'write' ? request.requestBytes : responseBytes,
      cacheHit: request.kind === 'read' && request.status === 'ok' && request.rows.rowsRead === 0,
      rowsRead: request.rows.rowsRead,
      rowsWritten: request.rows.rowsWritten,
    });
    this.sampleStorageBytes(false);
    this.cost.persist();
  }

  /**
   * Passes the database size to the cost collector, at most once per
   * `STORAGE_SAMPLE_INTERVAL_MS` of the clock unless `force` is set. Reading
   * `databaseSize` took about 5 µs in workerd, a cost per request that a size
   * changing by a few hundred bytes per write does not need. Storage accrues at
   * the last sampled size, so the GB-month integral lags the true size by up to one
   * interval.
   */
  private sampleStorageBytes(force: boolean): void {
    const now = this.options.clock.now();
    if (!force && now - this.storageSampledAt < STORAGE_SAMPLE_INTERVAL_MS) return;
    this.storageSampledAt = now;
    this.cost.setSqliteStorageBytes(this.options.ctx.storage.sql.databaseSize);
  }

  /** Adds the bytes of a streamed response once it has been sent. */
  addResponseBytes(kind: 'read' | 'write', bytes: number): void {
    if (bytes === 0) return;
    this.metrics.increment(METRIC.responseBytes, {}, bytes);
    if (kind === 'read') this.cost.trackReadBytes(bytes);
  }

  /** Makes sure a push runs within one push interval; call after each request. */
  async schedulePush(scheduler: { schedule(name: string, at: number): Promise<void> }): Promise<void> {
    if (this.pushScheduled) return;
    this.pushScheduled = true;
    await scheduler.schedule(PUSH_TASK, this.options.clock.now() + this.pushIntervalMs);
  }

  /** Renders the tenant's metrics in the Prometheus text format. */
  exposition(tenant: string): string {
    this.refreshGauges(tenant);
    return renderExposition(this.metrics.samples(tenant), metricsPrefix(this.options.env.METRICS_PREFIX));
  }

  /**
   * Saves the cost totals and sends the metric changes since the last push to the
   * aggregator. A push that failed is resent unchanged with the same sequence
   * number before anything newer, so the aggregator counts every change once.
   */
  async push(): Promise<void> {
    this.pushScheduled = false;
    const tenant = this.options.tenant();
    if (tenant === null) return;
    this.sampleStorageBytes(true);
    this.cost.persist();
    this.refreshGauges(tenant);

    if (!this.inflight) {
      const pending = this.metrics.takePending(tenant);
      if (pending.series.length === 0) return;
      this.inflight = { ...pending, seq: this.nextSeq++ };
    }
    const { env } = this.options;
    const aggregator = env.METRICS_AGGREGATOR.get(env.METRICS_AGGREGATOR.idFromName(AGGREGATOR_NAME));
    await aggregator.push({
      tenant,
      instance: this.instance,
      epoch: this.epoch,
      seq: this.inflight.seq,
      pushedAt: Date.now(),
      series: this.inflight.series,
    });
    this.inflight.acknowledge();
    this.inflight = null;
  }

  /** Sets the gauges that derive from state rather than from requests. */
  refreshGauges(tenant: string): void {
    // The store's metered SQL: a `GET /metrics` pays for the counters it reads.
    const sql = this.options.store().sql;
    const cost = this.cost.cost();
    const usage = this.cost.current();
    this.metrics.set(METRIC.tenantCost, {}, cost.total);
    this.metrics.set(METRIC.writesCost, {}, cost.writes);
    this.metrics.set(METRIC.readsCost, {}, cost.reads);
    this.metrics.set(METRIC.pipelineCost, {}, cost.pipeline);
    this.metrics.set(METRIC.sqliteCost, {}, cost.sqlite);
    this.metrics.set(METRIC.r2Cost, {}, cost.r2);
    if (usage.reads.count > 0) this.metrics.set(METRIC.cacheHitRatio, {}, usage.reads.cacheHits / usage.reads.count);
    // A new period has no reads yet, so the ratio of the last one must go.
    else if (this.metrics.value(METRIC.cacheHitRatio) !== undefined) this.metrics.resetFamily(METRIC.cacheHitRatio);
    this.metrics.set(METRIC.entriesCount, {}, readCounter(sql, 'things') + readCounter(sql, 'relationships'));
    this.metrics.set(METRIC.entriesBytes, {}, readCounter(sql, 'things.bytes'));
    this.metrics.set(METRIC.dirtyEntries, {}, this.options.pendingEvents(tenant));
    const displayName = this.config().displayName;
    // A renamed or cleared display name must not leave its old series at 1, also not one an earlier instance pushed.
    if (displayName !== this.infoDisplayName) {
      this.metrics.resetFamily(METRIC.tenantInfo);
      this.infoDisplayName = displayName;
    }
    if (displayName !== null) this.metrics.set(METRIC.tenantInfo, { display_name: displayName }, 1);
  }

  private raiseAlert(alert: CostAlert): void {
    const tenant = this.options.tenant();
    if (tenant === null) return;
    const occurredAt = this.options.clock.now();

    // The event makes the crossing part of the log; the projection remembers it per period, so it is raised once.
    this.options.store().write({ tenant, actor: 'system', correlationId: crypto.randomUUID(), idempotency: null }, (tx) => {
      tx.emit([{ type: 'cost.alert', payload: alert }]);
      return { status: 200, headers: {}, body: '' };
    });
    this.metrics.increment(METRIC.costAlerts, { level: alert.level });
    // `alertLevel`, because the line's own `level` is the log severity (`warn` or `error`).
    const { level: alertLevel, ...alertFields } = alert;
    log(alertLevel === 'critical' ? 'error' : 'warn', 'cost alert', { tenant, alertLevel, ...alertFields });

    const url = this.config().webhookUrl;
    if (url !== null) {
      const payload = { type: 'cost.alert', tenantId: tenant, ...alert, occurredAt: new Date(occurredAt).toISOString() };
      this.options.ctx.waitUntil(sendWebhook(url, payload, tenant));
    }
  }
}

function positiveInteger(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new Error(`${name} ${JSON.stringify(value)} is invalid: use a positive integer`);
  return number;
}
