import { DurableObject } from 'cloudflare:workers';

import type { Env } from '../env';
import { METRIC, metricDefinition, metricsPrefix, type MetricType, tenantLabelName } from './catalogue';
import { renderExposition } from './exposition';
import type { MetricLabels } from './metrics';
import { seriesKey } from './metrics';
import type { HistogramValue, PushedSeries, SeriesSample } from './registry';

/** Changes one tenant object sends in one push. */
export interface MetricsPush {
  tenant: string;
  /** Id of the sending object instance; a restarted object sends a new one and starts `seq` again at 1. */
  instance: string;
  /** ms since the Unix epoch when that instance started; a push from an older instance than the last one is stale. */
  epoch: number;
  /** 1, 2, ... per instance; a push is applied once, a retry with the same seq is acknowledged without effect. */
  seq: number;
  /** Time of the push, ms since the Unix epoch. */
  pushedAt: number;
  series: PushedSeries[];
}

export interface PushReceipt {
  applied: boolean;
  /** Why a push was not applied: it repeats one already applied, or comes from an instance that was replaced. */
  reason?: 'duplicate' | 'stale';
}

/** Name of the one aggregator object. */
export const AGGREGATOR_NAME = 'global';

interface StoredSeries extends SeriesSample {
  tenant: string;
}

interface Source {
  instance: string;
  epoch: number;
  seq: number;
  pushedAt: number;
}

const schema = [
  `CREATE TABLE IF NOT EXISTS aggregator_sources (
     tenant TEXT PRIMARY KEY, instance TEXT NOT NULL, epoch INTEGER NOT NULL, seq INTEGER NOT NULL, pushed_at INTEGER NOT NULL
   ) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS aggregator_series (
     key TEXT PRIMARY KEY, tenant TEXT NOT NULL, name TEXT NOT NULL, labels TEXT NOT NULL, recorded_as TEXT NOT NULL,
     value REAL, histogram TEXT
   ) WITHOUT ROWID`,
] as const;

/**
 * Holds the metrics of every tenant for `GET /admin/metrics`, so a scrape reads
 * one object instead of calling each tenant's. Tenant objects push their changes
 * at most once per push interval. Counters and histograms arrive as increments
 * and are added, and gauges arrive as values that replace the stored ones. A
 * removal drops every series of one name of the tenant, such as an old display
 * name. Everything is kept in SQLite and mirrored in memory for scrapes.
 */
export class MetricsAggregatorDO extends DurableObject<Env> {
  private readonly series = new Map<string, StoredSeries>();
  /** Keys of `series` per tenant and metric name, so a removal does not scan every tenant's series. */
  private readonly families = new Map<string, Set<string>>();
  private readonly sources = new Map<string, Source>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    for (const statement of schema) sql.exec(statement);
    for (const row of sql.exec<{ tenant: string; instance: string; epoch: number; seq: number; pushed_at: number }>(`SELECT * FROM aggregator_sources`)) {
      this.sources.set(row.tenant, { instance: row.instance, epoch: row.epoch, seq: row.seq, pushedAt: row.pushed_at });
    }
    for (const row of sql.exec<{ key: string; tenant: string; name: string; labels: string; recorded_as: string; value: number | null; histogram: string | null }>(
      `SELECT * FROM aggregator_series`,
    )) {
      this.keep(row.key, {
        tenant: row.tenant,
        name: row.name,
        labels: JSON.parse(row.labels) as MetricLabels,
        recordedAs: row.recorded_as as MetricType,
        ...(row.value === null ? {} : { value: row.value }),
        ...(row.histogram === null ? {} : { histogram: JSON.parse(row.histogram) as HistogramValue }),
      });
    }
  }

  /** Applies one push unless it repeats or predates what was already applied for its tenant. */
  push(batch: MetricsPush): PushReceipt {
    const source = this.sources.get(batch.tenant);
    if (source) {
      if (source.instance === batch.instance && batch.seq <= source.seq) return { applied: false, reason: 'duplicate' };
      if (source.instance !== batch.instance && batch.epoch < source.epoch) return { applied: false, reason: 'stale' };
    }

    // In push order, because a removal clears the series of its name that came before it.
    const changed = new Map<string, StoredSeries>();
    const removed = new Set<string>();
    for (const incoming of batch.series) {
      if (incoming.mode === 'remove') {
        const family = familyKey(batch.tenant, incoming.name);
        for (const key of this.families.get(family) ?? []) removed.add(key);
        for (const [key, series] of changed) {
          if (familyKey(series.tenant, series.name) !== family) continue;
          changed.delete(key);
          removed.add(key);
        }
        continue;
      }
      const key = storedKey(batch.tenant, incoming.name, incoming.labels);
      const current = changed.get(key) ?? (removed.has(key) ? undefined : this.series.get(key));
      changed.set(key, this.merge(batch.tenant, incoming, current));
      removed.delete(key);
    }
    const next: Source = { instance: batch.instance, epoch: batch.epoch, seq: batch.seq, pushedAt: batch.pushedAt };

    const sql = this.ctx.storage.sql;
    this.ctx.storage.transactionSync(() => {
      for (const key of removed) sql.exec(`DELETE FROM aggregator_series WHERE key = ?`, key);
      for (const series of changed.values()) {
        sql.exec(
          `INSERT INTO aggregator_series (key, tenant, name, labels, recorded_as, value, histogram) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(key) DO UPDATE SET value = excluded.value, histogram = excluded.histogram, recorded_as = excluded.recorded_as`,
          storedKey(batch.tenant, series.name, series.labels),
          batch.tenant,
          series.name,
          JSON.stringify(series.labels),
          series.recordedAs,
          series.value ?? null,
          series.histogram ? JSON.stringify(series.histogram) : null,
        );
      }
      sql.exec(
        `INSERT INTO aggregator_sources (tenant, instance, epoch, seq, pushed_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(tenant) DO UPDATE SET instance = excluded.instance, epoch = excluded.epoch, seq = excluded.seq, pushed_at = excluded.pushed_at`,
        batch.tenant,
        next.instance,
        next.epoch,
        next.seq,
        next.pushedAt,
      );
    });

    // Memory follows only after the transaction committed, so a failed write leaves both unchanged.
    for (const key of removed) this.forget(key);
    for (const [key, series] of changed) this.keep(key, series);
    this.sources.set(batch.tenant, next);
    return { applied: true };
  }

  /** Renders every tenant's series in the Prometheus text format, with the configured prefix. */
  exposition(): string {
    const samples: SeriesSample[] = [...this.series.values()];
    const lastPush = metricDefinition(METRIC.lastPush, 'gauge');
    for (const [tenant, source] of this.sources) {
      samples.push({ name: METRIC.lastPush, labels: { [tenantLabelName(lastPush)]: tenant }, recordedAs: 'gauge', value: source.pushedAt / 1000 });
    }
    return renderExposition(samples, metricsPrefix(this.env.METRICS_PREFIX));
  }

  private keep(key: string, series: StoredSeries): void {
    this.series.set(key, series);
    const family = familyKey(series.tenant, series.name);
    const keys = this.families.get(family);
    if (keys) keys.add(key);
    else this.families.set(family, new Set([key]));
  }

  private forget(key: string): void {
    const series = this.series.get(key);
    if (!series) return;
    this.series.delete(key);
    const family = familyKey(series.tenant, series.name);
    const keys = this.families.get(family);
    keys?.delete(key);
    if (keys?.size === 0) this.families.delete(family);
  }

  /** Returns the state of `current` (undefined for a new series) after one incoming series, without changing it. */
  private merge(tenant: string, incoming: PushedSeries, current: StoredSeries | undefined): StoredSeries {
    const base = { tenant, name: incoming.name, labels: incoming.labels, recordedAs: incoming.recordedAs };

    if (incoming.histogram) {
      const previous = current?.histogram;
      // Bounds change only with a code change; the older counts cannot be re-bucketed, so they restart.
      if (!previous || !sameBounds(previous.bounds, incoming.histogram.bounds)) return { ...base, histogram: incoming.histogram };
      return {
        ...base,
        histogram: {
          bounds: previous.bounds,
          counts: previous.counts.map((count, index) => count + (incoming.histogram!.counts[index] ?? 0)),
          sum: previous.sum + incoming.histogram.sum,
          count: previous.count + incoming.histogram.count,
        },
      };
    }
    const value = incoming.mode === 'delta' ? (current?.value ?? 0) + (incoming.value ?? 0) : (incoming.value ?? 0);
    return { ...base, value };
  }
}

function storedKey(tenant: string, name: string, labels: MetricLabels): string {
  return `${tenant}\n${seriesKey(name, labels)}`;
}

function familyKey(tenant: string, name: string): string {
  return `${tenant}\n${name}`;
}

function sameBounds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((bound, index) => bound === b[index]);
}
