/** Stores table files in an R2 bucket binding by object key; for tests that run in workerd. */
import type { TableFile } from '../../pipelines/iceberg/commit';
import { objectKey } from '../../pipelines/iceberg/paths';

export interface TableStore {
  write(files: readonly TableFile[]): Promise<void>;
  readFile(path: string): Promise<Uint8Array>;
}

export function r2TableStore(bucket: R2Bucket): TableStore {
  return {
    async write(files) {
      for (const file of files) await bucket.put(file.key, file.bytes, { httpMetadata: { contentType: file.contentType } });
    },
    async readFile(path) {
      const object = await bucket.get(objectKey(path));
      if (object === null) throw new Error(`test store: no object for ${path}`);
      return new Uint8Array(await object.arrayBuffer());
    },
  };
}
