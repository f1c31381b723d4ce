/** The CatalogDO's RPC messages, shared by its callers (tenant objects, edge routes, tests). */
import type { DataFileCommit } from '../../pipelines/data-file-commit';
import type { Env } from '../env';
import { type ErrorCode, TenantlogError } from '../errors';

/** Name of the single catalog object. */
export const CATALOG_NAME = 'events';

/** Returns the stub of the single catalog object. */
export function catalogStub(env: Pick<Env, 'CATALOG'>) {
  return env.CATALOG.get(env.CATALOG.idFromName(CATALOG_NAME));
}

/**
 * The data files of one flush of one tenant. `prevHash` is the `prevHash` of the
 * first event in the files and `lastHash` the hash of the last one, so the catalog
 * can check that the tenant's committed log continues its chain.
 */
export interface CommitRequest {
  tenant: string;
  files: DataFileCommit[];
  prevHash: string;
  lastHash: string;
}

/** Result of a commit request, returned once the commit that contains its files is durable in the catalog's own record. */
export interface CommitResult {
  /** Snapshot that contains the files, as a decimal string because ids exceed 2^53. */
  snapshotId: string;
  sequenceNumber: number;
  /** Absolute path of the metadata file of that snapshot. */
  metadataLocation: string;
  /** Keys this request added to the table. */
  added: string[];
  /** Keys of the request that an earlier commit had added already. */
  alreadyCommitted: string[];
  /** Size of all the tenant's committed data files, in bytes. */
  tenantBytes: number;
}

/**
 * Result of `CatalogDO.commit`. A rejected request or a failed round comes back as a
 * value rather than a thrown error, because workerd logs every exception thrown out of
 * an RPC method as uncaught, even when the caller handles the rejection.
 */
export type CommitOutcome = { ok: true; result: CommitResult } | { ok: false; code: ErrorCode; message: string };

/**
 * Sends `request` to the catalog and returns its result once the commit is durable.
 * Throws a `TenantlogError` with the catalog's code and message when the catalog
 * rejected the request (VALIDATION_FAILED, LOG_INTEGRITY) or its round failed.
 */
export async function requestCommit(catalog: Pick<ReturnType<typeof catalogStub>, 'commit'>, request: CommitRequest): Promise<CommitResult> {
  const outcome = await catalog.commit(request);
  if (!outcome.ok) throw new TenantlogError(outcome.code, outcome.message);
  return outcome.result;
}

/** The current state of the table, from the catalog's record. */
export interface TableSummary {
  location: string;
  /** Absolute path of the current metadata file; null before the first commit created the table. */
  metadataLocation: string | null;
  /** `N` of the current `v<N>.metadata.json`; 0 before the table exists. */
  version: number;
  /** Current snapshot id as a decimal string; null while the table has no snapshot. */
  snapshotId: string | null;
  sequenceNumber: number;
  lastUpdatedMs: number | null;
  totals: { records: number; dataFiles: number; filesSizeBytes: number; tenants: number };
}

/** One snapshot of the table's history. */
export interface SnapshotEntry {
  snapshotId: string;
  parentSnapshotId: string | null;
  sequenceNumber: number;
  timestampMs: number;
  metadataLocation: string;
  manifestList: string;
  addedDataFiles: number;
  addedRecords: number;
  totalRecords: number;
  totalDataFiles: number;
  /** Manifests in the snapshot's manifest list. */
  manifests: number;
  /** Commit requests (flushes) the snapshot carries. */
  flushes: number;
}
