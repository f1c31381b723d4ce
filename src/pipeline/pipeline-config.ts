import { normalizeTableLocation, objectKey } from '../../pipelines/iceberg';
import type { Env } from '../env';
import { TenantlogError } from '../errors';

/** Settings of the pipeline that moves tenant logs to the Iceberg table, from the Worker's variables. */
export interface PipelineConfig {
  /** Pending events that make a flush due at once (`FLUSH_MAX_EVENTS`). */
  flushMaxEvents: number;
  /** Longest time an event waits before a flush is due, in ms (`FLUSH_INTERVAL_MS`). */
  flushIntervalMs: number;
  /** Maximum events one flush round writes; a larger backlog takes several rounds (`FLUSH_ROUND_MAX_EVENTS`). */
  flushRoundMaxEvents: number;
  /** Flushed events kept in the tenant object before they are trimmed (`LOCAL_RETENTION_EVENTS`). */
  localRetentionEvents: number;
  /** Table location, `scheme://bucket/prefix` (`TABLE_LOCATION`); object keys are the part after the bucket. */
  tableLocation: string;
  /** Manifests in a snapshot above which a commit merges the small ones (`MANIFEST_MERGE_THRESHOLD`). */
  manifestMergeThreshold: number;
  /** How long flushing may keep failing before health reports `degraded`, in ms (`PIPELINE_DEGRADED_AFTER_MS`). */
  degradedAfterMs: number;
  /** Minimum time between two commit rounds of the catalog, in ms (`CATALOG_COMMIT_INTERVAL_MS`). */
  commitIntervalMs: number;
}

export const DEFAULT_TABLE_LOCATION = 's3://tenantlog-events/events';

type PipelineVariable =
  | 'FLUSH_MAX_EVENTS'
  | 'FLUSH_INTERVAL_MS'
  | 'FLUSH_ROUND_MAX_EVENTS'
  | 'LOCAL_RETENTION_EVENTS'
  | 'MANIFEST_MERGE_THRESHOLD'
  | 'PIPELINE_DEGRADED_AFTER_MS'
  | 'CATALOG_COMMIT_INTERVAL_MS';

const DAY_MS = 86_400_000;

/**
 * Reads the pipeline variables; an unset or empty one takes the default documented
 * in wrangler.toml. Throws INTERNAL naming the variable when a value is invalid,
 * since that is a deployment error.
 */
export function readPipelineConfig(env: Env): PipelineConfig {
  const tableLocation = env.TABLE_LOCATION?.trim() || DEFAULT_TABLE_LOCATION;
  try {
    // A location needs a prefix under the bucket, because object keys are relative to it.
    objectKey(normalizeTableLocation(tableLocation));
  } catch (cause) {
    throw new TenantlogError('INTERNAL', `variable TABLE_LOCATION=${JSON.stringify(tableLocation)} is invalid: expected scheme://bucket/prefix`, {
      cause,
    });
  }
  return {
    flushMaxEvents: integerVar(env, 'FLUSH_MAX_EVENTS', 10_000, 1, 100_000_000),
    flushIntervalMs: integerVar(env, 'FLUSH_INTERVAL_MS', 10_000, 0, DAY_MS),
    flushRoundMaxEvents: integerVar(env, 'FLUSH_ROUND_MAX_EVENTS', 100_000, 1, 1_000_000),
    localRetentionEvents: integerVar(env, 'LOCAL_RETENTION_EVENTS', 100_000, 0, 100_000_000),
    tableLocation: normalizeTableLocation(tableLocation),
    manifestMergeThreshold: integerVar(env, 'MANIFEST_MERGE_THRESHOLD', 100, 2, 100_000),
    degradedAfterMs: integerVar(env, 'PIPELINE_DEGRADED_AFTER_MS', 60_000, 0, DAY_MS),
    commitIntervalMs: integerVar(env, 'CATALOG_COMMIT_INTERVAL_MS', 1_000, 0, 60_000),
  };
}

function integerVar(env: Env, name: PipelineVariable, fallback: number, min: number, max: number): number {
  const text = env[name]?.trim();
  if (!text) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new TenantlogError('INTERNAL', `variable ${name}=${JSON.stringify(text)} is invalid: expected an integer from ${min} to ${max}`);
  }
  return value;
}
