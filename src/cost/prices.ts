/**
 * Unit prices used for cost attribution, in US dollars, from Cloudflare's
 * published pay-as-you-go rates on the Workers Paid plan. Checked on 2026-12-04
 * against these pages:
 *
 * - Workers (Standard usage model), https://developers.cloudflare.com/workers/platform/pricing/ :
 *   requests $0.30 per million.
 * - Durable Objects, https://developers.cloudflare.com/durable-objects/platform/pricing/ :
 *   requests $0.15 per million; SQLite storage backend rows read $0.001 per million,
 *   rows written $1.00 per million, stored data $0.20 per GB-month.
 * - R2 Standard storage, https://developers.cloudflare.com/r2/pricing/ :
 *   storage $0.015 per GB-month, Class A operations $4.50 per million,
 *   Class B operations $0.36 per million.
 * - Pipelines, https://developers.cloudflare.com/pipelines/platform/pricing/ :
 *   sink to R2 in Parquet or Iceberg format $0.06 per GB of uncompressed data.
 *
 * What the attribution leaves out, so a report is a lower bound of the bill:
 * - Included monthly allowances (10 million Worker requests, 1 million Durable
 *   Object requests, ...) belong to the account, not to a tenant, so every unit is
 *   priced at the marginal rate.
 * - CPU time and Durable Object duration (GB-s) are not measured per request.
 * - Our pipeline writes Parquet to R2 itself instead of using Cloudflare Pipelines.
 *   Pipeline bytes are priced at the Pipelines sink rate, as the cost of the same
 *   delivery by the managed service. Set `pipelinePerGb` to 0 to count only the R2
 *   operations and storage the flush causes, which are attributed separately.
 */
export interface PriceList {
  /** Worker invocation plus the Durable Object request it forwards, per request. */
  workerRequestPerMillion: number;
  durableObjectRequestPerMillion: number;
  sqliteRowsReadPerMillion: number;
  sqliteRowsWrittenPerMillion: number;
  sqliteStoragePerGbMonth: number;
  r2ClassAPerMillion: number;
  r2ClassBPerMillion: number;
  r2StoragePerGbMonth: number;
  pipelinePerGb: number;
}

export const CLOUDFLARE_PRICES: PriceList = {
  workerRequestPerMillion: 0.3,
  durableObjectRequestPerMillion: 0.15,
  sqliteRowsReadPerMillion: 0.001,
  sqliteRowsWrittenPerMillion: 1.0,
  sqliteStoragePerGbMonth: 0.2,
  r2ClassAPerMillion: 4.5,
  r2ClassBPerMillion: 0.36,
  r2StoragePerGbMonth: 0.015,
  pipelinePerGb: 0.06,
};

/** Date the prices above were checked against the published pages. */
export const PRICES_CHECKED_ON = '2026-12-04';

/**
 * Bytes per GB. The pricing pages do not define the unit; we assume the decimal
 * gigabyte (10^9 bytes), which makes storage costs slightly higher than 2^30 would.
 */
export const BYTES_PER_GB = 1_000_000_000;

/** Length of the GB-month used to prorate storage, in ms: 30 days, the period Cloudflare averages storage over. */
export const MS_PER_STORAGE_MONTH = 30 * 24 * 60 * 60 * 1000;
