/**
 * Prometheus metric type of a family, as written on its `# TYPE` line. `untyped`
 * marks gauges whose names end in `_count` or `_total`: promtool's lint reserves
 * those suffixes for histograms, summaries and counters, and the operations guide
 * fixes the names. PromQL treats untyped samples like gauges.
 */
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'untyped';

/**
 * Transport of a series to the aggregator: an increment to add, the latest value
 * to keep, or (`remove`) the removal of every series of that name of the tenant.
 */
export type PushMode = 'delta' | 'absolute' | 'remove';

export interface MetricDefinition {
  /** Name without the configured prefix, e.g. `writes_total`. */
  name: string;
  type: MetricType;
  help: string;
  /** Upper bounds of the histogram buckets, ascending, in the metric's unit; `+Inf` is implied. */
  buckets?: readonly number[];
  /**
   * Exported without the prefix and labelled `tenant` instead of `namespace`, so
   * the rate-limit alert rules of the operations guide work as written.
   */
  verbatim?: boolean;
}

/** Bucket bounds in seconds for request and checkpoint latencies: 1 ms to 10 s. */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Names of every metric the service records, without the prefix. */
export const METRIC = {
  writes: 'writes_total',
  reads: 'reads_total',
  requestDuration: 'request_duration_seconds',
  requestBytes: 'request_bytes_total',
  responseBytes: 'response_bytes_total',
  sqliteRowsRead: 'sqlite_rows_read_total',
  sqliteRowsWritten: 'sqlite_rows_written_total',
  tenantCost: 'tenant_cost_total',
  writesCost: 'tenant_writes_cost',
  readsCost: 'tenant_reads_cost',
  pipelineCost: 'tenant_pipeline_cost',
  sqliteCost: 'tenant_sqlite_cost',
  r2Cost: 'tenant_r2_cost',
  costAlerts: 'cost_alerts_total',
  cacheHitRatio: 'cache_hit_ratio',
  entriesCount: 'entries_count',
  entriesBytes: 'entries_bytes',
  dirtyEntries: 'dirty_entries_count',
  checkpointDuration: 'checkpoint_duration_seconds',
  tenantInfo: 'tenant_info',
  lastPush: 'metrics_last_push_timestamp_seconds',
  rateLimitRemaining: 'rate_limit_remaining',
  rateLimitTotal: 'rate_limit_total',
  rateLimitWarnings: 'rate_limit_warnings_total',
  rateLimitedRequests: 'rate_limited_requests_total',
  quotaExceeded: 'quota_exceeded_total',
} as const;

const definitions: readonly MetricDefinition[] = [
  { name: METRIC.writes, type: 'counter', help: 'Write requests (every method but GET and HEAD) handled by the tenant object.' },
  { name: METRIC.reads, type: 'counter', help: 'Read requests (GET and HEAD) handled by the tenant object.' },
  {
    name: METRIC.requestDuration,
    type: 'histogram',
    help: 'Time the tenant object spent on a request, in seconds; synchronous SQLite work measures as 0 in workerd.',
    buckets: LATENCY_BUCKETS_SECONDS,
  },
  { name: METRIC.requestBytes, type: 'counter', help: 'Request body bytes received by the tenant object.' },
  { name: METRIC.responseBytes, type: 'counter', help: 'Response body bytes sent by the tenant object.' },
  { name: METRIC.sqliteRowsRead, type: 'counter', help: 'SQLite rows read while serving requests, as Durable Objects bill them.' },
  { name: METRIC.sqliteRowsWritten, type: 'counter', help: 'SQLite rows written while serving requests, as Durable Objects bill them.' },
  {
    name: METRIC.tenantCost,
    type: 'counter',
    help: 'Cost attributed to the tenant in the current billing period, in US dollars; resets when a period starts.',
  },
  { name: METRIC.writesCost, type: 'gauge', help: 'Cost of write requests in the current billing period, in US dollars.' },
  { name: METRIC.readsCost, type: 'gauge', help: 'Cost of read requests in the current billing period, in US dollars.' },
  { name: METRIC.pipelineCost, type: 'gauge', help: 'Cost of pipeline delivery in the current billing period, in US dollars.' },
  { name: METRIC.sqliteCost, type: 'gauge', help: 'Cost of SQLite rows and storage in the current billing period, in US dollars.' },
  { name: METRIC.r2Cost, type: 'gauge', help: 'Cost of R2 operations and storage in the current billing period, in US dollars.' },
  { name: METRIC.costAlerts, type: 'counter', help: 'Cost alerts raised, by level (warning or critical).' },
  { name: METRIC.cacheHitRatio, type: 'gauge', help: 'Share of reads in the current billing period served without reading a SQLite row (0-1).' },
  { name: METRIC.entriesCount, type: 'untyped', help: 'Things and relationships currently stored by the tenant.' },
  { name: METRIC.entriesBytes, type: 'gauge', help: 'UTF-8 bytes of the ids, types and data of the things the tenant stores.' },
  { name: METRIC.dirtyEntries, type: 'untyped', help: 'Events appended but not yet committed to the Iceberg table.' },
  { name: METRIC.checkpointDuration, type: 'histogram', help: 'Duration of pipeline flushes to R2, in seconds.', buckets: LATENCY_BUCKETS_SECONDS },
  { name: METRIC.tenantInfo, type: 'gauge', help: 'Always 1; carries the tenant display name as a label.' },
  { name: METRIC.lastPush, type: 'gauge', help: 'Unix time in seconds of the last metrics push the aggregator accepted from the tenant.' },
  { name: METRIC.rateLimitRemaining, type: 'gauge', help: 'Requests left in the current rate-limit window.', verbatim: true },
  { name: METRIC.rateLimitTotal, type: 'untyped', help: 'Requests allowed per rate-limit window.', verbatim: true },
  { name: METRIC.rateLimitWarnings, type: 'counter', help: 'Requests that passed the rate-limit warning threshold.' },
  { name: METRIC.rateLimitedRequests, type: 'counter', help: 'Requests rejected by the rate limiter.' },
  { name: METRIC.quotaExceeded, type: 'counter', help: 'Requests rejected because a quota was exhausted.' },
];

const byName = new Map(definitions.map((definition) => [definition.name, definition]));

/**
 * Definition of `name`. A name outside the catalogue still exports, typed by how
 * it was recorded, so a new metric never disappears for lack of an entry here.
 */
export function metricDefinition(name: string, recordedAs: MetricType): MetricDefinition {
  return byName.get(name) ?? { name, type: recordedAs, help: `${name} (recorded without a catalogue entry).`, ...(recordedAs === 'histogram' ? { buckets: LATENCY_BUCKETS_SECONDS } : {}) };
}

/** Label that names the tenant on an exported series: `tenant` for verbatim metrics, `namespace` for the rest. */
export function tenantLabelName(definition: MetricDefinition): 'tenant' | 'namespace' {
  return definition.verbatim ? 'tenant' : 'namespace';
}

/** Default prefix of exported names; `METRICS_PREFIX` overrides it. */
export const DEFAULT_METRICS_PREFIX = 'dotdo_';

const PREFIX_PATTERN = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** Reads `METRICS_PREFIX`; throws when it would produce invalid metric names. */
export function metricsPrefix(configured: string | undefined): string {
  if (configured === undefined) return DEFAULT_METRICS_PREFIX;
  if (configured === '' || PREFIX_PATTERN.test(configured)) return configured;
  throw new Error(`METRICS_PREFIX ${JSON.stringify(configured)} is invalid: use letters, digits, _ and :, not starting with a digit`);
}
