/**
 * Reads the events table that a `wrangler dev` run left in its local R2 state, from
 * Node, as an outside engine would: through `getPlatformProxy` (the same bucket the
 * Worker used), the table's own version hint, metadata and manifests.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

import { getPlatformProxy } from 'wrangler';

import { listLiveDataFiles, type LiveDataFile, objectKey, parseTableMetadata, type TableMetadata } from '../pipelines/iceberg';

/** Bucket and table location that wrangler.toml configures. */
const BUCKET_NAME = 'tenantlog-events';
export const TABLE_LOCATION = `s3://${BUCKET_NAME}/events`;

/** The part of an R2 bucket binding these readers use. */
export interface LocalBucket {
  get(key: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer> } | null>;
  list(options?: { prefix?: string; cursor?: string }): Promise<{ objects: Array<{ key: string; size: number }>; truncated: boolean; cursor?: string }>;
}

export interface LocalBucketHandle {
  bucket: LocalBucket;
  dispose(): Promise<void>;
}

/**
 * Opens the `LOG` bucket of a `wrangler dev`, running or stopped, that persisted to `persistDir`
 * (`wrangler dev --persist-to` keeps its state in `<persistDir>/v3`).
 */
export async function openLocalBucket(persistDir: string): Promise<LocalBucketHandle> {
  // A configuration with the bucket alone: the project's own would also start its
  // Durable Object bindings, which a proxy without the Worker cannot serve.
  const configDir = mkdtempSync(join(tmpdir(), 'tenantlog-bucket-config-'));
  const configPath = join(configDir, 'wrangler.toml');
  writeFileSync(configPath, `name = "tenantlog-bucket-reader"\ncompatibility_date = "2026-04-26"\n\n[[r2_buckets]]\nbinding = "LOG"\nbucket_name = "${BUCKET_NAME}"\n`);
  const proxy = await getPlatformProxy<{ LOG: LocalBucket }>({ configPath, persist: { path: join(persistDir, 'v3') } });
  return {
    bucket: proxy.env.LOG,
    dispose: async () => {
      await proxy.dispose();
      rmSync(configDir, { recursive: true, force: true });
    },
  };
}

/** Reads a table file by absolute path; throws when it is missing. */
export async function readObject(bucket: LocalBucket, path: string): Promise<Uint8Array> {
  const object = await bucket.get(objectKey(path));
  if (object === null) throw new Error(`local bucket: no object for ${path}`);
  return new Uint8Array(await object.arrayBuffer());
}

export interface LocalTable {
  metadataPath: string;
  metadata: TableMetadata;
  files: LiveDataFile[];
}

/** Finds the current metadata through `version-hint.text` and lists the live data files of its snapshot. */
export async function readLocalTable(bucket: LocalBucket, location = TABLE_LOCATION): Promise<LocalTable> {
  const version = new TextDecoder().decode(await readObject(bucket, `${location}/metadata/version-hint.text`)).trim();
  const metadataPath = `${location}/metadata/v${version}.metadata.json`;
  const metadata = parseTableMetadata(new TextDecoder().decode(await readObject(bucket, metadataPath)));
  const files = await listLiveDataFiles(metadata, (path) => readObject(bucket, path));
  return { metadataPath, metadata, files };
}

/**
 * Copies live data files of the table (all of them, or `files`) into `directory`,
 * flat under their own file names (`<tenant>-<firstSeq>-<lastSeq>.parquet`), and
 * returns their local paths for DuckDB's `read_parquet`. The partition folders are
 * left out, because DuckDB would read `tenant=<t>` folders as extra hive columns.
 */
export async function copyDataFiles(bucket: LocalBucket, table: LocalTable, directory: string, files = table.files): Promise<string[]> {
  mkdirSync(directory, { recursive: true });
  const paths: string[] = [];
  for (const file of files) {
    const local = join(directory, basename(file.dataFile.file_path));
    if (paths.includes(local)) throw new Error(`local table: two live data files are named ${basename(local)}`);
    writeFileSync(local, await readObject(bucket, file.dataFile.file_path));
    paths.push(local);
  }
  return paths;
}

/**
 * Returns a `fetch` that serves the bucket at the S3 URLs icebird derives from
 * `s3://` paths (`https://<bucket>.s3.amazonaws.com/<key>`), with range requests.
 * Any other URL fails, so nothing leaves the machine.
 */
export function serveBucket(bucket: LocalBucket, bucketName = BUCKET_NAME): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.hostname !== `${bucketName}.s3.amazonaws.com`) throw new Error(`test fetch: unexpected URL ${url.href}`);
    const object = await bucket.get(decodeURIComponent(url.pathname.slice(1)));
    if (object === null) return new Response('NoSuchKey', { status: 404 });
    const bytes = new Uint8Array(await object.arrayBuffer());
    const range = /^bytes=(\d+)-(\d*)$/.exec(new Headers(init?.headers).get('range') ?? '');
    if (range === null) return new Response(bytes, { status: 200 });
    const start = Number(range[1]);
    const end = range[2] === '' ? bytes.length : Number(range[2]) + 1;
    return new Response(bytes.slice(start, end), { status: 206 });
  };
}
