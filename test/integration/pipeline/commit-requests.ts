/**
 * Commit requests for catalog tests that do not go through a tenant object. Each
 * file's object is stored with placeholder bytes of its declared size, because the
 * catalog checks the bucket but never reads data files. Hashes are stand-ins that
 * only need to chain consistently.
 */
import { env } from 'cloudflare:test';

import { GENESIS_HASH } from '../../../events/hash';
import { objectKey } from '../../../pipelines/iceberg';
import type { CommitRequest } from '../../../src/pipeline/catalog-types';
import { eventFileInput } from '../../support/event-files';

export const LOCATION = 's3://tenantlog-events/events';

/** Stand-in hash of `tenant`'s event `seq`; the genesis hash for seq 0. */
export function fakeHash(tenant: string, seq: number): string {
  return seq === 0 ? GENESIS_HASH : `${tenant}:${seq}`.padEnd(64, '-');
}

export interface RequestSpec {
  tenant: string;
  firstSeq: number;
  count: number;
  /** Days since 1970-01-01; 19900 by default. */
  day?: number;
  /** Stores no object for the file. */
  unstored?: boolean;
}

/** Builds a request with one file of events `firstSeq..firstSeq+count-1` and stores the file's object. */
export async function commitRequest(spec: RequestSpec): Promise<CommitRequest> {
  const { tenant, firstSeq, count } = spec;
  const input = eventFileInput({ location: LOCATION, tenant, firstSeq, count, day: spec.day ?? 19_900 });
  const key = objectKey(input.path);
  if (!spec.unstored) await env.LOG.put(key, new Uint8Array(input.fileSizeBytes));
  return {
    tenant,
    files: [{ key, recordCount: input.recordCount, fileSizeBytes: input.fileSizeBytes, partition: input.partition, columnStats: input.columnStats }],
    prevHash: fakeHash(tenant, firstSeq - 1),
    lastHash: fakeHash(tenant, firstSeq + count - 1),
  };
}
