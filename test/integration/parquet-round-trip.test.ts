import '../../pipelines/parquet/parquet-wasm-workerd';

import { describe, expect, it } from 'vitest';

import type { EventEnvelope } from '../../events/envelope';
import { verifyChain } from '../../events/hash';
import { type DataFileCaps, readEventFile, readEventRowGroups, writeEventDataFiles, type WrittenDataFile } from '../../pipelines/parquet';
import { makeEventBatch } from '../fixtures/event-batches';

const table = 'tenantlog/events';

function writeOneFile(events: EventEnvelope[], caps: Partial<DataFileCaps> = {}): WrittenDataFile {
  const files = [...writeEventDataFiles(events, { table, caps })];
  expect(files).toHaveLength(1);
  return files[0]!;
}

async function collect(groups: AsyncGenerator<EventEnvelope[]>): Promise<EventEnvelope[][]> {
  const result: EventEnvelope[][] = [];
  for await (const group of groups) result.push(group);
  return result;
}

describe('Parquet round trip in workerd', () => {
  it('returns events with all-null optional fields unchanged', () => {
    const events = makeEventBatch({ count: 50, nullOptionalFields: true });
    const read = readEventFile(writeOneFile(events).bytes);
    expect(read).toEqual(events);
    expect(read.every((event) => event.actor === null && event.causationId === null && event.idempotencyKey === null)).toBe(true);
  });

  it('returns a mix of null and set optional fields unchanged', () => {
    const events = makeEventBatch({ count: 30 });
    expect(events.some((event) => event.actor !== null && event.causationId === null)).toBe(true);
    expect(readEventFile(writeOneFile(events).bytes)).toEqual(events);
  });

  it('keeps the hash chain verifiable', () => {
    const events = makeEventBatch({ count: 40, payloadBytes: 500 });
    const read = readEventFile(writeOneFile(events).bytes);
    expect(verifyChain(read, 0, events[0]!.prevHash)).toMatchObject({ ok: true, lastSeq: 40 });
  });

  it('returns unicode text unchanged', () => {
    const strings = ['naïve café', '日本語のテキスト', 'עברית ومرحبا', '\u{1F600}\u{1F680} emoji', 'nul \u0000 and tab \t', '\u{FFFF}\u{10000}'];
    const events = makeEventBatch({ count: strings.length }).map((event, i) => ({
      ...event,
      actor: strings[i]!,
      correlationId: `${strings[i]}-corr`,
      idempotencyKey: strings[(i + 1) % strings.length]!,
      payload: { text: strings[i], nested: { list: strings, [strings[i]!]: i } },
    }));
    expect(readEventFile(writeOneFile(events).bytes)).toEqual(events);
  });

  it('returns large payloads unchanged', () => {
    const events = makeEventBatch({ count: 6 }).map((event, i) => ({
      ...event,
      payload: { blob: `${'€'.repeat(100_000 * (i + 1))}|${i}`, list: Array.from({ length: 2_000 }, (_, n) => ({ n, ok: n % 2 === 0 })) },
    }));
    const file = writeOneFile(events, { maxBytesPerFile: 16 * 1024 * 1024, maxBytesPerRowGroup: 1_000_000 });
    expect(file.rowGroupRecordCounts.length).toBeGreaterThan(1);
    expect(readEventFile(file.bytes)).toEqual(events);
  });

  it('keeps millisecond times, before and after 1970', () => {
    const times = [0, 1, -1, -86_400_001, Date.UTC(2026, 2, 1, 23, 59, 59, 999), 8_640_000_000_000];
    for (const occurredAt of times) {
      const events = makeEventBatch({ count: 1, startMs: occurredAt });
      expect(readEventFile(writeOneFile(events).bytes)[0]!.occurredAt).toBe(occurredAt);
    }
  });

  it('streams row groups one at a time', async () => {
    const events = makeEventBatch({ count: 1_000 });
    const file = writeOneFile(events, { maxRowsPerRowGroup: 300 });
    expect(file.rowGroupRecordCounts).toEqual([300, 300, 300, 100]);

    const groups = await collect(readEventRowGroups(file.bytes));
    expect(groups.map((group) => group.length)).toEqual([300, 300, 300, 100]);
    expect(groups.flat()).toEqual(events);
  });

  it('streams from a Blob', async () => {
    const events = makeEventBatch({ count: 100, nullOptionalFields: true });
    const file = writeOneFile(events, { maxRowsPerRowGroup: 40 });
    expect((await collect(readEventRowGroups(new Blob([file.bytes])))).flat()).toEqual(events);
  });

  it('reads only the row groups that overlap a seq range', async () => {
    const events = makeEventBatch({ count: 1_000, firstSeq: 501 });
    const file = writeOneFile(events, { maxRowsPerRowGroup: 100 });

    const groups = await collect(readEventRowGroups(file.bytes, { seqRange: { from: 750, to: 849 } }));
    // Rows 750..849 lie in the row groups 701..800 and 801..900.
    expect(groups).toHaveLength(2);
    expect(groups.flat().map((event) => event.seq)).toEqual(Array.from({ length: 100 }, (_, i) => 750 + i));

    const whole = readEventFile(file.bytes, { seqRange: { from: 750, to: 849 } });
    expect(whole).toEqual(events.slice(249, 349));
  });

  it('returns nothing for a seq range outside the file', async () => {
    const file = writeOneFile(makeEventBatch({ count: 10, firstSeq: 100 }));
    expect(readEventFile(file.bytes, { seqRange: { from: 1, to: 99 } })).toEqual([]);
    expect(await collect(readEventRowGroups(file.bytes, { seqRange: { from: 110, to: 200 } }))).toEqual([]);
  });
});
