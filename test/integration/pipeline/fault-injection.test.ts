import { abortAllDurableObjects, env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

import type { CatalogFaults } from '../../../src/pipeline/table-committer';
import type { FlushFaults } from '../../../src/pipeline/flush';
import {
  admin,
  catalog,
  checkpoint,
  createThings,
  expectCompleteLog,
  pipelineStateOf,
  readTable,
  setUpTenant,
  tableEvents,
  tableSummary,
  tenantStub,
} from './helpers';

type FaultPoint = { name: string } & ({ tenantFault: keyof FlushFaults } | { catalogFault: keyof CatalogFaults });

/** Each step of a flush at which a crash can stop it, in protocol order. */
const faultPoints: FaultPoint[] = [
  { name: 'after the Parquet put', tenantFault: 'afterParquetPut' },
  { name: 'after the manifest write', catalogFault: 'afterManifestWrite' },
  { name: 'after the metadata write', catalogFault: 'afterMetadataWrite' },
  { name: 'before flushedSeq advances', tenantFault: 'beforeFlushedSeqAdvances' },
];

async function injectFault(tenant: string, point: FaultPoint, on: boolean): Promise<void> {
  if ('tenantFault' in point) {
    await runInDurableObject(tenantStub(tenant), (instance) => {
      instance.pipeline.faults = on ? { [point.tenantFault]: true } : {};
    });
  } else {
    await runInDurableObject(catalog(), (instance) => {
      instance.faults = on ? { [point.catalogFault]: true } : {};
    });
  }
}

describe('a flush that stops at one step', () => {
  for (const [index, point] of faultPoints.entries()) {
    it(`completes on the next flush when it stopped ${point.name}`, async () => {
      const tenant = `fault-${index}`;
      await setUpTenant(tenant);
      await createThings(tenant, 20);
      await checkpoint(tenant);
      const committedBefore = await tableSummary();

      // The failing flush: the checkpoint reports it and nothing advances.
      await createThings(tenant, 15, 'second');
      await injectFault(tenant, point, true);
      const failed = await admin(tenant, 'POST', '/checkpoint');
      expect(failed.status).toBe(503);
      expect(((await failed.json()) as { error: { code: string } }).error.code).toBe('UNAVAILABLE');
      expect(await pipelineStateOf(tenant)).toMatchObject({ flushedSeq: 20, plannedLastSeq: 35, headSeq: 35 });

      // A crash loses every object's memory, but nothing durable.
      await injectFault(tenant, point, false);
      await abortAllDurableObjects();
      await setUpTenant(tenant);

      await createThings(tenant, 5, 'third');
      const recovered = await checkpoint(tenant);
      expect(recovered.flushedSeq).toBe(40);
      expect(await pipelineStateOf(tenant)).toMatchObject({ flushedSeq: 40, plannedLastSeq: null });

      // Exactly once: every event, no duplicate, no gap, chain intact, in the planned files.
      expectCompleteLog(await tableEvents(tenant), 40);
      const { metadata, files } = await readTable();
      const paths = files.filter((file) => file.dataFile.partition.tenant === tenant).map((file) => file.dataFile.file_path);
      const prefix = `s3://tenantlog-events/events/data/tenant=${tenant}/day=2100-01-01/${tenant}`;
      expect(paths.sort()).toEqual([`${prefix}-1-20.parquet`, `${prefix}-21-35.parquet`, `${prefix}-36-40.parquet`]);
      expect(await catalog().committedLastSeq(tenant)).toBe(40);

      // The table's history and pointer stay consistent with the catalog's record.
      const summary = await tableSummary();
      expect(summary.totals.records).toBe(committedBefore.totals.records + 20);
      expect(metadata['current-snapshot-id'].toString()).toBe(summary.snapshotId);
      expect(await (await env.LOG.get('events/metadata/version-hint.text'))?.text()).toBe(String(summary.version));
      const snapshotCount = metadata.snapshots.length;
      expect(snapshotCount).toBe(summary.sequenceNumber);
    });
  }

  it('leaves the orphan metadata file of a stopped commit to be replaced', async () => {
    await setUpTenant('fault-orphan');
    await createThings('fault-orphan', 3);
    const before = await tableSummary();
    await injectFault('fault-orphan', { name: 'metadata', catalogFault: 'afterMetadataWrite' }, true);
    expect((await admin('fault-orphan', 'POST', '/checkpoint')).status).toBe(503);
    await injectFault('fault-orphan', { name: 'metadata', catalogFault: 'afterMetadataWrite' }, false);

    // The orphan exists under the next version, but the pointer still names the last commit.
    const orphanKey = `events/metadata/v${before.version + 1}.metadata.json`;
    const orphan = await (await env.LOG.get(orphanKey))!.text();
    expect(await (await env.LOG.get('events/metadata/version-hint.text'))?.text()).toBe(String(before.version));
    expect((await tableSummary()).version).toBe(before.version);

    await checkpoint('fault-orphan');
    const after = await tableSummary();
    expect(after.version).toBe(before.version + 1);
    const replaced = await (await env.LOG.get(orphanKey))!.text();
    expect(replaced).not.toBe(orphan);
    expect(replaced).toContain(after.snapshotId!);
  });
});
