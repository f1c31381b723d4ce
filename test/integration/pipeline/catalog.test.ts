import { env, runInDurableObject, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

import { listLiveDataFiles, loadTableState } from '../../../pipelines/iceberg';
import { type CommitRequest, type CommitResult, requestCommit, type SnapshotEntry, type TableSummary } from '../../../src/pipeline/catalog-types';
import { r2ReadFile } from '../../../src/pipeline/r2-table-files';
import { coveredSeqEnd } from '../../support/seq-ranges';
import { ADMIN_TOKEN, catalog, tableSummary } from './helpers';
import { commitRequest, fakeHash, LOCATION } from './commit-requests';

function commit(request: CommitRequest): Promise<CommitResult> {
  return requestCommit(catalog(), request);
}

async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the commit to be rejected');
}

describe('CatalogDO commits', () => {
  it('skips a path already committed', async () => {
    const request = await commitRequest({ tenant: 'cat-first', firstSeq: 1, count: 10 });
    const first = await commit(request);
    expect(first.added).toEqual([request.files[0]!.key]);
    expect(first.alreadyCommitted).toEqual([]);
    expect(first.metadataLocation).toMatch(/\/metadata\/v\d+\.metadata\.json$/);

    const retried = await commit(request);
    expect(retried).toEqual({ ...first, added: [], alreadyCommitted: [request.files[0]!.key] });

    const summary = await tableSummary();
    expect(summary.snapshotId).toBe(first.snapshotId);
    expect(summary.metadataLocation).toBe(first.metadataLocation);
    const state = await loadTableState(summary.metadataLocation!, r2ReadFile(env.LOG));
    const live = await listLiveDataFiles(state.metadata, r2ReadFile(env.LOG));
    expect(live.filter((file) => file.dataFile.partition.tenant === 'cat-first')).toHaveLength(1);
  });

  it('batches queued requests into one snapshot', async () => {
    await runInDurableObject(catalog(), (instance) => {
      instance.configOverrides = { commitIntervalMs: 500 };
    });
    try {
      const requests = await Promise.all(
        ['a', 'b', 'c', 'd', 'e', 'f'].map((suffix) => commitRequest({ tenant: `cat-batch-${suffix}`, firstSeq: 1, count: 5 })),
      );
      const before = await tableSummary();
      // After a quiet spell longer than the pause, the first request to arrive starts a round at once.
      // The others arrive during that round or the pause after it, so they share the next round.
      await new Promise((resolve) => setTimeout(resolve, 600));
      const results = await Promise.all(requests.map((request) => commit(request)));
      expect(new Set(results.map((result) => result.snapshotId)).size).toBe(2);

      const after = await tableSummary();
      expect(after.sequenceNumber).toBe(before.sequenceNumber + 2);
      const [newest, previous] = await catalog().snapshots(2);
      expect(newest).toMatchObject({ flushes: 5, addedDataFiles: 5, addedRecords: 25 });
      expect(previous).toMatchObject({ flushes: 1, addedDataFiles: 1, addedRecords: 5 });
      expect(results.filter((result) => result.snapshotId === newest!.snapshotId)).toHaveLength(5);
    } finally {
      await runInDurableObject(catalog(), (instance) => {
        instance.configOverrides = {};
      });
    }
  });

  it('rejects files that do not continue the tenant log', async () => {
    await commit(await commitRequest({ tenant: 'cat-chain', firstSeq: 1, count: 10 }));

    const gap = await commitRequest({ tenant: 'cat-chain', firstSeq: 12, count: 3 });
    expect(await rejection(commit(gap))).toMatch(/starts at seq 12, but the committed log of tenant cat-chain ends at seq 10/);
    // Over RPC the rejection is a value, since workerd logs every exception an RPC method throws as uncaught.
    expect(await catalog().commit(gap)).toEqual({ ok: false, code: 'LOG_INTEGRITY', message: expect.stringMatching(/^commit request rejected: .* starts at seq 12/) });

    const overlap = await commitRequest({ tenant: 'cat-chain', firstSeq: 6, count: 10 });
    expect(await rejection(commit(overlap))).toMatch(/starts at seq 6/);

    const otherChain = { ...(await commitRequest({ tenant: 'cat-chain', firstSeq: 11, count: 5 })), prevHash: fakeHash('someone-else', 10) };
    expect(await rejection(commit(otherChain))).toMatch(/does not continue the hash chain/);

    const diverged = { ...(await commitRequest({ tenant: 'cat-chain', firstSeq: 1, count: 10 })), lastHash: fakeHash('cat-chain', 99) };
    expect(await rejection(commit(diverged))).toMatch(/diverged/);

    // A bad request fails alone; the next one continues where the log ends.
    const [bad, good] = await Promise.allSettled([
      commit(gap),
      commit(await commitRequest({ tenant: 'cat-chain', firstSeq: 11, count: 5 })),
    ]);
    expect(bad.status).toBe('rejected');
    expect(good.status).toBe('fulfilled');
    expect(await catalog().committedLastSeq('cat-chain')).toBe(15);
  });

  it('rejects files outside the data folder, of another tenant, or not stored', async () => {
    const request = await commitRequest({ tenant: 'cat-input', firstSeq: 1, count: 3 });
    const file = request.files[0]!;

    const outside = { ...request, files: [{ ...file, key: 'elsewhere/cat-input-1-3.parquet' }] };
    expect(await rejection(commit(outside))).toMatch(/is not under events\/data\//);

    const foreign = { ...request, tenant: 'cat-other' };
    expect(await rejection(commit(foreign))).toMatch(/belongs to tenant "cat-input", not cat-other/);

    const unstored = await commitRequest({ tenant: 'cat-input', firstSeq: 1, count: 4, unstored: true });
    expect(await rejection(commit(unstored))).toMatch(/is not in the bucket/);

    const wrongSize = { ...request, files: [{ ...file, fileSizeBytes: file.fileSizeBytes + 1 }] };
    expect(await rejection(commit(wrongSize))).toMatch(/bytes in the bucket, expected 1361/);

    const badStats = { ...request, files: [{ ...file, recordCount: 4 }] };
    expect(await rejection(commit(badStats))).toMatch(/valueCount 3 differs from recordCount 4/);
    expect(await catalog().commit(badStats)).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });

    expect(await catalog().committedLastSeq('cat-input')).toBe(0);
  });

  it('fails a round that finds a metadata file it never started', async () => {
    await commit(await commitRequest({ tenant: 'cat-writer', firstSeq: 1, count: 2 }));
    const before = await tableSummary();
    const foreignKey = `events/metadata/v${before.version + 1}.metadata.json`;
    await env.LOG.put(foreignKey, '{"written-by": "another engine"}');

    const request = await commitRequest({ tenant: 'cat-writer', firstSeq: 3, count: 2 });
    expect(await rejection(commit(request))).toMatch(/another writer is committing to the table/);
    expect(await (await env.LOG.get(foreignKey))!.text()).toBe('{"written-by": "another engine"}');
    expect(await tableSummary()).toEqual(before);

    // Still refused on a retry: the failed round's intent does not vouch for a file it did not write.
    expect(await rejection(commit(request))).toMatch(/another writer/);

    await env.LOG.delete(foreignKey);
    const committed = await commit(request);
    expect(committed.metadataLocation).toBe(`${LOCATION}/metadata/v${before.version + 1}.metadata.json`);
  });

  it("lists a tenant's committed files that overlap a seq range", async () => {
    for (const [firstSeq, count] of [[1, 10], [11, 5], [16, 20]] as const) {
      await commit(await commitRequest({ tenant: 'cat-files', firstSeq, count }));
    }
    const ranges = (files: Array<{ firstSeq: number; lastSeq: number }>) => files.map((file) => [file.firstSeq, file.lastSeq]);
    expect(ranges(await catalog().committedFiles('cat-files', 1, 100))).toEqual([[1, 10], [11, 15], [16, 35]]);
    expect(ranges(await catalog().committedFiles('cat-files', 12, 16))).toEqual([[11, 15], [16, 35]]);
    expect(ranges(await catalog().committedFiles('cat-files', 36, 40))).toEqual([]);
    expect(ranges(await catalog().committedFiles('cat-files', 1, 100, 1))).toEqual([[1, 10]]);
    expect(await catalog().committedFiles('cat-nobody', 1, 100)).toEqual([]);
  });
});

describe('table admin routes', () => {
  const get = (path: string, token: string | null = ADMIN_TOKEN) =>
    SELF.fetch(`http://localhost${path}`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });

  it('report the current table and its history', async () => {
    const committed: CommitResult = await commit(await commitRequest({ tenant: 'cat-routes', firstSeq: 1, count: 7 }));
    const response = await get('/admin/table');
    expect(response.status).toBe(200);
    const table = (await response.json()) as TableSummary;
    expect(table).toMatchObject({ location: LOCATION, metadataLocation: committed.metadataLocation, snapshotId: committed.snapshotId });
    expect(table.totals.records).toBeGreaterThanOrEqual(7);

    const history = (await (await get('/admin/table/snapshots?limit=2')).json()) as { items: SnapshotEntry[]; next: number | null };
    expect(history.items[0]).toMatchObject({ snapshotId: committed.snapshotId, metadataLocation: committed.metadataLocation, addedRecords: 7 });
    expect(history.items.map((item) => item.sequenceNumber)).toEqual([table.sequenceNumber, table.sequenceNumber - 1]);
    expect(history.next).toBe(table.sequenceNumber - 1);
    const older = (await (await get(`/admin/table/snapshots?before=${history.next}&limit=1000`)).json()) as { items: SnapshotEntry[] };
    expect(older.items.length).toBe(table.sequenceNumber - 2);
    expect(older.items[0]!.snapshotId).toBe(history.items[1]!.parentSnapshotId);
  });

  it('need the admin token and valid parameters', async () => {
    expect((await get('/admin/table', null)).status).toBe(401);
    expect((await get('/admin/table/snapshots', 'wrong')).status).toBe(401);
    const invalid = await get('/admin/table/snapshots?limit=0');
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED');
  });

  it('treat an empty before as absent', async () => {
    await commit(await commitRequest({ tenant: 'cat-before', firstSeq: 1, count: 2 }));
    const absent = (await (await get('/admin/table/snapshots?limit=3')).json()) as { items: SnapshotEntry[] };
    const empty = (await (await get('/admin/table/snapshots?limit=3&before=')).json()) as { items: SnapshotEntry[] };
    expect(absent.items.length).toBeGreaterThan(0);
    expect(empty.items.map((item) => item.sequenceNumber)).toEqual(absent.items.map((item) => item.sequenceNumber));
  });

  it('reject other methods with 405', async () => {
    for (const path of ['/admin/table', '/admin/table/snapshots']) {
      for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
        const response = await SELF.fetch(`http://localhost${path}`, { method, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
        expect(response.status, `${method} ${path}`).toBe(405);
        expect(response.headers.get('allow'), `${method} ${path}`).toBe('GET, HEAD');
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe('METHOD_NOT_ALLOWED');
      }
    }
  });
});

describe('table after 200 commits through the catalog', () => {
  // About 15 s on a 2-core machine: 200 rounds of R2 writes and the merges' reads.
  it('stays valid, with the manifest list bounded by the merge threshold', { timeout: 120_000 }, async () => {
    await runInDurableObject(catalog(), (instance) => {
      instance.configOverrides = { manifestMergeThreshold: 10 };
    });
    const tenants = ['cat-many-a', 'cat-many-b', 'cat-many-c'];
    const nextSeq = new Map(tenants.map((tenant) => [tenant, 1]));
    try {
      for (let index = 0; index < 200; index++) {
        const tenant = tenants[index % tenants.length]!;
        const firstSeq = nextSeq.get(tenant)!;
        const count = 1 + (index % 4);
        await commit(await commitRequest({ tenant, firstSeq, count, day: 19_900 + Math.floor(index / 50) }));
        nextSeq.set(tenant, firstSeq + count);
      }
    } finally {
      await runInDurableObject(catalog(), (instance) => {
        instance.configOverrides = {};
      });
    }

    const summary = await tableSummary();
    const state = await loadTableState(summary.metadataLocation!, r2ReadFile(env.LOG));
    expect(state.manifests.length).toBeLessThanOrEqual(10);
    expect(state.metadata.snapshots).toHaveLength(summary.sequenceNumber);
    expect(state.metadata['current-snapshot-id'].toString()).toBe(summary.snapshotId);
    const live = await listLiveDataFiles(state.metadata, r2ReadFile(env.LOG));
    expect(live).toHaveLength(summary.totals.dataFiles);
    expect(live.reduce((total, file) => total + file.dataFile.record_count, 0)).toBe(summary.totals.records);

    for (const tenant of tenants) {
      expect(coveredSeqEnd(live, tenant)).toBe(BigInt(nextSeq.get(tenant)!));
      expect(await catalog().committedLastSeq(tenant)).toBe(nextSeq.get(tenant)! - 1);
    }
  });
});
