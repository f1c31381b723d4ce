import { icebergManifests, icebergMetadata, icebergRead } from 'icebird';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { objectKey } from '../../../pipelines/iceberg/paths';
import { MICROS_PER_DAY } from '../../support/event-files';
import { describeEventsFile, makeEvents, writeEventsParquet, type EventRow } from './parquet-events';
import { MemoryTable } from './table-files';

const BUCKET = 'tenantlog-events';
const LOCATION = `s3://${BUCKET}/events`;
const DAY = 19_900;

/**
 * Serves the memory table at the S3 URLs icebird derives from `s3://` paths
 * (`https://<bucket>.s3.amazonaws.com/<key>`), with range requests for Parquet reads.
 * Other URLs fail, so nothing leaves the machine.
 */
function serveTable(table: MemoryTable): typeof fetch {
  const byKey = new Map([...table.files].map(([path, bytes]) => [objectKey(path), bytes]));
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.hostname !== `${BUCKET}.s3.amazonaws.com`) throw new Error(`test fetch: unexpected URL ${url.href}`);
    const bytes = byKey.get(decodeURIComponent(url.pathname.slice(1)));
    if (bytes === undefined) return new Response('NoSuchKey', { status: 404 });
    const range = /^bytes=(\d+)-(\d*)$/.exec(new Headers(init?.headers).get('range') ?? '');
    if (range === null) return new Response(bytes, { status: 200 });
    const start = Number(range[1]);
    const end = range[2] === '' ? bytes.length : Number(range[2]) + 1;
    return new Response(bytes.slice(start, end), { status: 206 });
  };
}

describe('icebird reads our table', () => {
  // A threshold of 2 makes later commits merge manifests, so icebird also reads EXISTING entries.
  const table = new MemoryTable(LOCATION, { 'commit.manifest.min-count-to-merge': '2' });
  const written: EventRow[] = [];
  const realFetch = globalThis.fetch;

  beforeAll(async () => {
    const batches: Array<[string, number, number, number]> = [
      ['acme', 1, 4, DAY],
      ['globex', 1, 3, DAY],
      ['acme', 5, 2, DAY + 1],
      ['acme', 7, 5, DAY + 1],
    ];
    for (const [tenant, firstSeq, count, day] of batches) {
      const rows = makeEvents(tenant, firstSeq, count, BigInt(day) * MICROS_PER_DAY + 3_600_000_000n);
      const path = `${LOCATION}/data/tenant=${tenant}/occurred_at_day=${day}/${tenant}-${firstSeq}-${firstSeq + count - 1}.parquet`;
      const bytes = writeEventsParquet(rows);
      table.files.set(path, bytes);
      await table.commit([describeEventsFile(path, rows, bytes)]);
      written.push(...rows);
    }
    globalThis.fetch = serveTable(table);
  });

  afterAll(() => {
    globalThis.fetch = realFetch;
  });

  it('finds the current version through version-hint.text', async () => {
    const metadata = await icebergMetadata({ tableUrl: LOCATION });
    expect(metadata['format-version']).toBe(2);
    expect(metadata['last-sequence-number']).toBe(4);
    expect(metadata.snapshots).toHaveLength(4);
  });

  it('reads the manifests with inherited and preserved sequence numbers', async () => {
    const metadata = await icebergMetadata({ tableUrl: LOCATION });
    const manifests = await icebergManifests(metadata);
    const entries = manifests.flatMap((manifest) => manifest.entries);
    expect(entries).toHaveLength(4);
    expect(entries.map((entry) => [entry.status, entry.sequence_number]).sort()).toEqual([
      [0, 1n],
      [0, 2n],
      [0, 3n],
      [1, 4n],
    ]);
    // Upper case as the reference implementation writes it; icebird's types expect lower case but its reader ignores the field.
    expect(entries.map((entry) => String(entry.data_file.file_format))).toEqual(['PARQUET', 'PARQUET', 'PARQUET', 'PARQUET']);
  });

  it('returns exactly the committed events', async () => {
    const rows = await icebergRead({ tableUrl: LOCATION });
    expect(rows).toHaveLength(written.length);
    const key = (row: { tenant?: unknown; seq?: unknown }) => `${String(row.tenant)}/${String(row.seq)}`;
    expect(rows.map(key).sort()).toEqual(written.map(key).sort());
    const bySeq = new Map(rows.map((row) => [key(row), row]));
    for (const event of written) {
      const row = bySeq.get(key(event))!;
      expect(row.hash).toBe(event.hash);
      expect(row.payload).toBe(event.payload);
      expect(row.schema_version).toBe(event.schema_version);
      expect(row.actor ?? null).toBe(event.actor);
    }
  });
});
