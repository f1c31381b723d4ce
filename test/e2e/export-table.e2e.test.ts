import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DEV_ADMIN_TOKEN } from './harness/wrangler-dev';
import { useDevServer } from './harness/use-dev-server';

const projectRoot = resolve(import.meta.dirname, '..', '..');
const script = join(projectRoot, 'scripts', 'export-table.ts');
// By URL, because `--import tsx` would resolve the package from the working folder, outside the project.
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const server = useDevServer();
const scratch = mkdtempSync(join(tmpdir(), 'tenantlog-export-table-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs scripts/export-table.ts as `npm run export-table` does, from `cwd`. */
function exportTable(args: string[], cwd = scratch) {
  const result = spawnSync(process.execPath, ['--import', tsxLoader, script, '--state', server.persistDir, ...args], { cwd, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function createThings(tenant: string, ids: string[]): Promise<void> {
  for (const id of ids) {
    const response = await server.request(tenant, '/things', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id, type: 'Widget', data: { note: "it's" } }),
    });
    expect(response.status, await response.text()).toBe(201);
  }
}

async function checkpoint(tenant: string): Promise<void> {
  const response = await server.request(tenant, '/admin/checkpoint', { method: 'POST', headers: { authorization: `Bearer ${DEV_ADMIN_TOKEN}` } });
  expect(response.status, await response.text()).toBe(200);
}

async function query(sql: string, cwd: string): Promise<Array<Record<string, unknown>>> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    // Relative paths in the printed query resolve against the folder it was printed in.
    await connection.run(`SET file_search_path = '${cwd}'`);
    return (await connection.runAndReadAll(sql)).getRowObjectsJS();
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe('scripts/export-table.ts', () => {
  beforeAll(async () => {
    // Two flushes for alpha (two data files), one for beta, while the server keeps running.
    await createThings('export-alpha', ['a1', 'a2', 'a3']);
    await checkpoint('export-alpha');
    await createThings('export-alpha', ['a4', 'a5']);
    await checkpoint('export-alpha');
    await createThings('export-beta', ['b1']);
    await checkpoint('export-beta');
  });

  it('copies one tenant and prints a query over its files', async () => {
    const result = exportTable(['--tenant', 'export-alpha', '--out', 'alpha']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/copied snapshot \d+ of s3:\/\/tenantlog-events\/events\/metadata\/v\d+\.metadata\.json: 2 data files with 5 events of tenant export-alpha, to alpha/);
    expect(readdirSync(join(scratch, 'alpha', 'data')).sort()).toEqual(['export-alpha-1-3.parquet', 'export-alpha-4-5.parquet']);
    const [metadataFile] = readdirSync(join(scratch, 'alpha', 'metadata'));
    expect(metadataFile).toMatch(/^v\d+\.metadata\.json$/);
    expect(JSON.parse(readFileSync(join(scratch, 'alpha', 'metadata', metadataFile!), 'utf8')).location).toBe('s3://tenantlog-events/events');

    const sql = result.stdout.trim();
    expect(sql).toBe(
      "SELECT tenant, seq, type, occurred_at, payload FROM read_parquet(['alpha/data/export-alpha-1-3.parquet', 'alpha/data/export-alpha-4-5.parquet']) ORDER BY tenant, seq;",
    );
    const rows = await query(sql, scratch);
    expect(rows.map((row) => [row.tenant, Number(row.seq), row.type])).toEqual(
      [1, 2, 3, 4, 5].map((seq) => ['export-alpha', seq, 'thing.created']),
    );
    expect(JSON.parse(String(rows[0]!.payload))).toEqual({ id: 'a1', type: 'Widget', data: { note: "it's" } });
  });

  it('copies every tenant and runs the query with --run', () => {
    // A folder outside the working folder appears in the query by its absolute path.
    const result = exportTable(['--out', join(scratch, 'all'), '--run'], projectRoot);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/3 data files with 6 events, to /);
    const [sql, header, ...rows] = result.stdout.trim().split('\n');
    expect(sql).toContain(`'${join(scratch, 'all', 'data', 'export-beta-1-1.parquet')}'`);
    expect(header).toBe('tenant\tseq\ttype\toccurred_at\tpayload');
    expect(rows.map((row) => row.split('\t').slice(0, 3).join(' '))).toEqual([
      'export-alpha 1 thing.created',
      'export-alpha 2 thing.created',
      'export-alpha 3 thing.created',
      'export-alpha 4 thing.created',
      'export-alpha 5 thing.created',
      'export-beta 1 thing.created',
    ]);
  });

  it('keeps an existing folder unless told to replace it', () => {
    const again = exportTable(['--tenant', 'export-beta', '--out', 'alpha']);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('exists and is not empty; choose another --out or pass --replace');
    expect(readdirSync(join(scratch, 'alpha', 'data'))).toHaveLength(2);

    const unknown = exportTable(['--tenant', 'export-gamma', '--out', 'alpha', '--replace']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/has no data files of tenant export-gamma/);
    expect(readdirSync(join(scratch, 'alpha', 'data'))).toHaveLength(2);

    const replaced = exportTable(['--tenant', 'export-beta', '--out', 'alpha', '--replace']);
    expect(replaced.status, replaced.stderr).toBe(0);
    expect(readdirSync(join(scratch, 'alpha', 'data'))).toEqual(['export-beta-1-1.parquet']);
  });

  it('prints its usage for --help and exits 0', () => {
    for (const flag of ['--help', '-h']) {
      const help = exportTable([flag]);
      expect(help.status, help.stderr).toBe(0);
      expect(help.stdout).toMatch(/^usage: npm run export-table -- /);
      expect(help.stdout).toContain('--tenant SLUG');
      expect(help.stderr).toBe('');
    }
  });

  it('rejects invalid options', () => {
    const badTenant = exportTable(['--tenant', 'Not_A_Slug']);
    expect(badTenant.status).toBe(2);
    expect(badTenant.stderr).toContain('is not a tenant slug');

    const unknownOption = exportTable(['--verbose']);
    expect(unknownOption.status).toBe(2);
    expect(unknownOption.stderr).toContain("Unknown option '--verbose'");

    const noState = spawnSync(process.execPath, ['--import', tsxLoader, script, '--state', join(scratch, 'nothing')], { cwd: scratch, encoding: 'utf8' });
    expect(noState.status).toBe(2);
    expect(noState.stderr).toContain('no wrangler state in');
    expect(existsSync(join(scratch, 'nothing'))).toBe(false);
  });
});
