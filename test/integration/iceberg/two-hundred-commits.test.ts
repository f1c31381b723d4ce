import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

import { createEventTable, planCommit, type EventTableState } from '../../../pipelines/iceberg/commit';
import { readManifestList } from '../../../pipelines/iceberg/manifest-list';
import { readTotal } from '../../../pipelines/iceberg/snapshot';
import { listLiveDataFiles, loadTableState } from '../../../pipelines/iceberg/table-reader';
import { ManualClock } from '../../../src/clock';
import { eventFileInput } from '../../support/event-files';
import { r2TableStore } from '../../support/r2-table-store';
import { coveredSeqEnd } from '../../support/seq-ranges';

const COMMITS = 200;
const MERGE_THRESHOLD = 20;
const TENANTS = ['acme', 'globex', 'initech'];

describe('events table after 200 commits in R2', () => {
  // About 10 s on a 2-core machine: 600 R2 writes and the merges' reads.
  it('stays valid, bounded and consistent', { timeout: 120_000 }, async () => {
    const location = `s3://tenantlog-events/commits-${crypto.randomUUID()}`;
    const store = r2TableStore(env.LOG);
    // The clock never moves, as in a Worker that does no I/O between commits.
    const clock = new ManualClock(1_718_000_000_000);
    const created = createEventTable({
      location,
      clock,
      properties: { 'commit.manifest.min-count-to-merge': String(MERGE_THRESHOLD) },
    });
    await store.write(created.files);

    let state: EventTableState = created.state;
    const nextSeq = new Map(TENANTS.map((tenant) => [tenant, 1]));
    let insertedRecords = 0;
    let maxManifests = 0;
    let merges = 0;
    const snapshotIds = new Set<bigint>();

    for (let index = 0; index < COMMITS; index++) {
      const tenant = TENANTS[index % TENANTS.length]!;
      const count = 1 + (index % 7);
      const firstSeq = nextSeq.get(tenant)!;
      nextSeq.set(tenant, firstSeq + count);
      insertedRecords += count;
      const file = eventFileInput({ location, tenant, firstSeq, count, day: 19_900 + Math.floor(index / 30) });

      const plan = await planCommit(state, [file], { clock, readFile: store.readFile });
      await store.write(plan.files);
      await store.write([plan.versionHint]);

      expect(plan.snapshot['parent-snapshot-id']).toBe(index === 0 ? undefined : state.metadata['current-snapshot-id']);
      expect(plan.metadata['last-updated-ms']).toBeGreaterThan(state.metadata['last-updated-ms']);
      expect(snapshotIds.has(plan.snapshot['snapshot-id'])).toBe(false);
      snapshotIds.add(plan.snapshot['snapshot-id']);
      expect(readTotal(plan.snapshot.summary, 'total-records')).toBe(insertedRecords);
      maxManifests = Math.max(maxManifests, plan.nextState.manifests.length);
      if (plan.mergedManifest !== undefined) merges++;
      state = plan.nextState;
    }

    // Merging kept the manifest list bounded and actually ran.
    expect(maxManifests).toBeLessThanOrEqual(MERGE_THRESHOLD);
    expect(merges).toBeGreaterThanOrEqual(Math.floor(COMMITS / MERGE_THRESHOLD) - 1);

    // What is stored reads back as the state the planner returned.
    const loaded = await loadTableState(state.metadataPath, store.readFile);
    expect(loaded.metadata).toEqual(state.metadata);
    expect(loaded.manifests).toEqual(state.manifests);
    expect(new TextDecoder().decode(await store.readFile(`${location}/metadata/version-hint.text`))).toBe(String(COMMITS + 1));

    // Snapshot history and logs.
    const metadata = loaded.metadata;
    expect(metadata['last-sequence-number']).toBe(COMMITS);
    expect(metadata.snapshots).toHaveLength(COMMITS);
    expect(metadata['snapshot-log']).toHaveLength(COMMITS);
    expect(metadata['metadata-log']).toHaveLength(100);
    expect(metadata['metadata-log'].map((entry) => entry['metadata-file'])).not.toContain(state.metadataPath);
    expect(metadata['metadata-log'].at(-1)!['metadata-file']).toBe(`${location}/metadata/v${COMMITS}.metadata.json`);
    const timestamps = metadata.snapshots.map((snapshot) => snapshot['timestamp-ms']);
    expect(timestamps).toEqual([...timestamps].sort((a, b) => a - b));
    expect(new Set(timestamps).size).toBe(COMMITS);

    // Totals add up across the summary, the manifest list and the live files.
    const summary = metadata.snapshots.at(-1)!.summary;
    expect(readTotal(summary, 'total-data-files')).toBe(COMMITS);
    const { manifests } = await readManifestList(await store.readFile(metadata.snapshots.at(-1)!['manifest-list']));
    expect(manifests.reduce((total, manifest) => total + manifest.added_rows_count + manifest.existing_rows_count, 0)).toBe(
      insertedRecords,
    );
    const live = await listLiveDataFiles(metadata, store.readFile);
    expect(live).toHaveLength(COMMITS);
    expect(new Set(live.map((file) => file.dataFile.file_path)).size).toBe(COMMITS);
    expect(live.reduce((total, file) => total + file.dataFile.record_count, 0)).toBe(insertedRecords);
    expect(
      live.reduce((total, file) => total + file.dataFile.file_size_in_bytes, 0),
    ).toBe(readTotal(summary, 'total-files-size'));

    // Each file kept the sequence number and snapshot of the commit that added it.
    const bySequence = [...live].sort((a, b) => Number(a.dataSequenceNumber - b.dataSequenceNumber));
    bySequence.forEach((file, index) => {
      expect(file.dataSequenceNumber).toBe(BigInt(index + 1));
      expect(file.fileSequenceNumber).toBe(BigInt(index + 1));
      expect(file.snapshotId).toBe(metadata.snapshots[index]!['snapshot-id']);
    });

    // Per tenant, the seq ranges of the files cover 1..last without gaps or overlaps.
    for (const tenant of TENANTS) {
      expect(coveredSeqEnd(live, tenant)).toBe(BigInt(nextSeq.get(tenant)!));
    }
  });
});
