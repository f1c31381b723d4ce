import '../../pipelines/parquet/parquet-wasm-workerd';

import type { EventEnvelope } from '../../events/envelope';
import { type DataFileCommit, dataFileCommit, tableKeyPrefix } from '../../pipelines/data-file-commit';
import { writeEventDataFiles } from '../../pipelines/parquet';

/** A data file ready to store: its key, its bytes, and what the commit records about it. */
export interface EncodedDataFile {
  key: string;
  bytes: Uint8Array;
  contentType: string;
  commit: DataFileCommit;
}

/**
 * The file-writing step of a flush. `write` takes one tenant's events in seq order
 * without gaps and yields their data files one at a time, so the caller can store
 * each and drop its bytes before the next is encoded. The same events always give
 * the same files and keys, which is what makes a retried flush overwrite instead
 * of duplicate.
 */
export interface DataFileWriter {
  write(events: Iterable<EventEnvelope>): Iterable<EncodedDataFile>;
}

/** Media type of Parquet files. */
export const PARQUET_CONTENT_TYPE = 'application/vnd.apache.parquet';

/**
 * Writes Parquet files under `<table>/data/` with the Parquet library's default caps.
 * parquet-wasm is initialised when this module loads, from the WebAssembly module
 * the bundler compiled, so the first flush of a cold isolate needs no setup.
 */
export function parquetDataFileWriter(tableLocation: string): DataFileWriter {
  const table = tableKeyPrefix(tableLocation);
  return {
    *write(events) {
      for (const file of writeEventDataFiles(events, { table })) {
        yield { key: file.key, bytes: file.bytes, contentType: PARQUET_CONTENT_TYPE, commit: dataFileCommit(file) };
      }
    },
  };
}
