import type { TenantLogSource } from '../../pipelines/log-reader';
import { TenantlogError } from '../errors';
import type { EventLog } from '../tenant/event-log';
import type { CatalogDO } from './catalog-do';

/**
 * A tenant object's log as the log reader sees it: the local `events` table for
 * what is still held, the catalog's record of committed files for what was
 * trimmed, and the bucket for those files' bytes.
 */
export function tenantLogSource(
  tenant: string,
  log: EventLog,
  catalog: DurableObjectStub<CatalogDO>,
  bucket: R2Bucket,
  /** Called for every object read from the bucket, for cost attribution. */
  onBucketRead: () => void,
): TenantLogSource {
  return {
    tenant,
    head: () => log.readHead(tenant),
    oldestLocalSeq: () => log.oldestLocalSeq(),
    readLocal: (afterSeq, limit) => log.readAfter(tenant, afterSeq, limit, false),
    committedFiles: async (fromSeq, toSeq, limit) => await catalog.committedFiles(tenant, fromSeq, toSeq, limit),
    readFile: async (key) => {
      const object = await bucket.get(key);
      onBucketRead();
      if (object === null) {
        throw new TenantlogError('UNAVAILABLE', `committed data file ${key} of tenant ${tenant} is missing from the bucket`);
      }
      return new Uint8Array(await object.arrayBuffer());
    },
  };
}
