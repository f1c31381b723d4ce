/** Table files in the R2 bucket: reads by absolute path, plain puts, and create-only puts. */
import { objectKey, type ReadFile, type TableFile } from '../../pipelines/iceberg';
import { TenantlogError } from '../errors';

/** Returns a `ReadFile` over the bucket; a missing object throws UNAVAILABLE naming the path. */
export function r2ReadFile(bucket: R2Bucket): ReadFile {
  return async (path) => {
    const object = await bucket.get(objectKey(path));
    if (object === null) throw new TenantlogError('UNAVAILABLE', `table file ${path} is missing from the bucket`);
    return new Uint8Array(await object.arrayBuffer());
  };
}

/** Stores a table file, replacing any object at its key. */
export async function putTableFile(bucket: R2Bucket, file: TableFile): Promise<void> {
  await bucket.put(file.key, file.bytes, { httpMetadata: { contentType: file.contentType } });
}

/**
 * Stores a table file only if no object exists at its key, and returns whether it did.
 * R2 evaluates `etagDoesNotMatch: '*'` atomically on its side, so of two writers
 * racing for one key exactly one succeeds. Local R2 under wrangler 4.86 honours it
 * too: the second put returns null and keeps the first object.
 */
export async function createTableFile(bucket: R2Bucket, file: TableFile): Promise<boolean> {
  const stored = await bucket.put(file.key, file.bytes, {
    httpMetadata: { contentType: file.contentType },
    onlyIf: { etagDoesNotMatch: '*' },
  });
  return stored !== null;
}
