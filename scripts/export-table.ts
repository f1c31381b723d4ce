/**
 * Copies the current snapshot of the local events table to a folder and prints a
 * DuckDB query over it. Under `npm start`, wrangler keeps the R2 bucket in
 * content-addressed blobs under `.wrangler/state`, which no engine can read by path,
 * so this reads it through wrangler's `getPlatformProxy` instead.
 *
 *   npm run export-table -- [--state DIR] [--out DIR] [--tenant SLUG] [--replace] [--run]
 *
 *   --state DIR    wrangler's local state (`.wrangler/state`, or the `--persist-to` folder)
 *   --out DIR      folder to create (`table-export`); it must not exist unless --replace
 *   --tenant SLUG  copy only that tenant's data files
 *   --replace      delete --out first if it exists
 *   --run          also run the query with DuckDB (@duckdb/node-api) and print the rows
 *
 * Writes `<out>/metadata/v<N>.metadata.json` (the current metadata file, as stored) and
 * `<out>/data/<tenant>-<firstSeq>-<lastSeq>.parquet` (the snapshot's live data files).
 * Prints a summary to standard error and the query as one line to standard output.
 * Exits 1 when there is no table or no data file to copy, 2 for invalid options.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { eventFileSeqRange, type LiveDataFile, objectKey } from '../pipelines/iceberg';
import { TENANT_SLUG } from '../src/routing/tenant-resolution';
import { copyDataFiles, openLocalBucket, readLocalTable, readObject, TABLE_LOCATION } from './local-table';

const USAGE = 'usage: npm run export-table -- [--state DIR] [--out DIR] [--tenant SLUG] [--replace] [--run]';
const HELP = `${USAGE}

Copies the current snapshot of the local events table of \`npm start\` to a folder
and prints a DuckDB query over the copied Parquet files.

  --state DIR    wrangler's local state folder (default .wrangler/state, or the --persist-to folder)
  --out DIR      folder to write (default table-export); it must be absent or empty unless --replace
  --tenant SLUG  copy only this tenant's data files (default: every tenant)
  --replace      delete --out first, once there is something to copy
  --run          also run the query with DuckDB (@duckdb/node-api) and print the rows, tab-separated
  -h, --help     print this help and exit

Exits 0 on success, 1 when there is no table or no data file to copy, 2 for invalid options.
`;

/** A failure to report in one line, with the exit code it ends the script with. */
class ExportError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

interface ExportOptions {
  state: string;
  out: string;
  tenant: string | undefined;
  replace: boolean;
  run: boolean;
  help: boolean;
}

function parseOptions(args: string[]): ExportOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        state: { type: 'string', default: '.wrangler/state' },
        out: { type: 'string', default: 'table-export' },
        tenant: { type: 'string' },
        replace: { type: 'boolean', default: false },
        run: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    throw new ExportError(`${(error as Error).message}\n${USAGE}`, 2);
  }
  if (values.tenant !== undefined && !TENANT_SLUG.test(values.tenant)) {
    throw new ExportError(`tenant ${JSON.stringify(values.tenant)} is not a tenant slug (a-z, 0-9 and inner hyphens, 1 to 63 characters)`, 2);
  }
  return { state: values.state, out: values.out, tenant: values.tenant, replace: values.replace, run: values.run, help: values.help };
}

/** Returns `path` as the query shows it: relative to the working folder when inside it, so the query stays short. */
function displayPath(path: string): string {
  const fromHere = relative(process.cwd(), path);
  return fromHere.startsWith('..') || isAbsolute(fromHere) ? path : fromHere;
}

/** Orders data files by tenant, then by their first seq, so the query lists them in log order. */
function byTenantAndSeq(a: LiveDataFile, b: LiveDataFile): number {
  const tenantOrder = String(a.dataFile.partition.tenant).localeCompare(String(b.dataFile.partition.tenant));
  if (tenantOrder !== 0) return tenantOrder;
  const difference = eventFileSeqRange(a.dataFile).first - eventFileSeqRange(b.dataFile).first;
  if (difference === 0n) return 0;
  return difference < 0n ? -1 : 1;
}

/** SQL string literal, with quotes doubled. */
function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** Copies the snapshot files that `options` select and returns the summary line and the local data file paths. */
async function copySnapshot(options: ExportOptions): Promise<{ summary: string; paths: string[] }> {
  const stateDir = resolve(options.state);
  const outDir = resolve(options.out);
  if (!existsSync(join(stateDir, 'v3'))) {
    throw new ExportError(`no wrangler state in ${stateDir} (expected a v3 folder); pass --state with the folder \`wrangler dev\` persisted to`, 2);
  }
  const outInUse = existsSync(outDir) && readdirSync(outDir).length > 0;
  if (outInUse && !options.replace) throw new ExportError(`${outDir} exists and is not empty; choose another --out or pass --replace`, 2);

  const { bucket, dispose } = await openLocalBucket(stateDir);
  try {
    if ((await bucket.get(objectKey(`${TABLE_LOCATION}/metadata/version-hint.text`))) === null) {
      throw new ExportError(`the local bucket in ${stateDir} has no events table yet; flush first with POST /admin/checkpoint`, 1);
    }
    const table = await readLocalTable(bucket);
    const snapshotId = table.metadata['current-snapshot-id'];
    const files = table.files
      .filter((file) => options.tenant === undefined || file.dataFile.partition.tenant === options.tenant)
      .sort(byTenantAndSeq);
    const ofTenant = options.tenant === undefined ? '' : ` of tenant ${options.tenant}`;
    if (files.length === 0) throw new ExportError(`snapshot ${snapshotId} has no data files${ofTenant}`, 1);

    // Only now, with files to copy, does --replace delete the old folder.
    if (outInUse) rmSync(outDir, { recursive: true, force: true });
    mkdirSync(join(outDir, 'metadata'), { recursive: true });
    writeFileSync(join(outDir, 'metadata', basename(table.metadataPath)), await readObject(bucket, table.metadataPath));
    const paths = await copyDataFiles(bucket, table, join(outDir, 'data'), files);

    const events = files.reduce((total, file) => total + Number(file.dataFile.record_count), 0);
    const summary = `copied snapshot ${snapshotId} of ${table.metadataPath}: ${files.length} data files with ${events} events${ofTenant}, to ${displayPath(outDir)}`;
    return { summary, paths };
  } finally {
    await dispose();
  }
}

/** Runs `query` in an in-memory DuckDB and prints the result as tab-separated lines under a header. */
async function runQuery(query: string): Promise<void> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(query);
    console.log(reader.columnNames().join('\t'));
    for (const row of reader.getRowsJson()) console.log(row.map((value) => (typeof value === 'string' ? value : JSON.stringify(value))).join('\t'));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

try {
  const options = parseOptions(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(HELP);
  } else {
    const { summary, paths } = await copySnapshot(options);
    const query = `SELECT tenant, seq, type, occurred_at, payload FROM read_parquet([${paths.map((path) => sqlString(displayPath(path))).join(', ')}]) ORDER BY tenant, seq;`;
    console.error(`export-table: ${summary}`);
    console.log(query);
    if (options.run) await runQuery(query);
  }
} catch (error) {
  if (!(error instanceof ExportError)) throw error;
  console.error(`export-table: ${error.message}`);
  process.exitCode = error.exitCode;
}
