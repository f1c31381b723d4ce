import type { TenantLogSource } from '../../pipelines/log-reader';
import { TenantlogError } from '../errors';
import type { EventLog } from '../tenant/event-log';
import type { CatalogDO } from './catalog-do';

/**
 * Returns a tenant object's log as the log reader sees it. Events still held come
 * from the local `events` table; trimmed ones come from the files that the
 * catalog's record lists, read from the bucket.
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
