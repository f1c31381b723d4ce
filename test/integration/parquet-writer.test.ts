import '../../pipelines/parquet/parquet-wasm-workerd';

import { describe, expect, it } from 'vitest';

import type { EventEnvelope } from '../../events/envelope';
import {
  type ColumnStatistics,
  EVENT_COLUMNS,
  readEventFile,
  readParquetFooter,
  utcDay,
  writeEventDataFiles,
} from '../../pipelines/parquet';
import { decodeInt64Statistic } from '../../pipelines/parquet/footer';
import { TenantlogError } from '../../src/errors';
import { makeEventBatch } from '../fixtures/event-batches';

const table = 'tenantlog/events';
const HOUR = 3_600_000;

describe('writeEventDataFiles', () => {
  it('writes one file per UTC day with deterministic keys', () => {
    // 30 events 2 hours apart from 20:00 on 1 March span 1, 2 and 3 March.
    const events = makeEventBatch({ tenant: 'acme', count: 30, startMs: Date.UTC(2026, 2, 1, 20), stepMs: 2 * HOUR });
    const files = [...writeEventDataFiles(events, { table })];

    expect(files.map((file) => file.key)).toEqual([
      'tenantlog/events/data/tenant=acme/day=2026-03-01/acme-1-2.parquet',
      'tenantlog/events/data/tenant=acme/day=2026-03-02/acme-3-14.parquet',
      'tenantlog/events/data/tenant=acme/day=2026-03-03/acme-15-26.parquet',
      'tenantlog/events/data/tenant=acme/day=2026-03-04/acme-27-30.parquet',
    ]);
    expect(files.map((file) => file.partition)).toEqual([
      { tenant: 'acme', occurredAtDay: utcDay(Date.UTC(2026, 2, 1)) },
      { tenant: 'acme', occurredAtDay: utcDay(Date.UTC(2026, 2, 2)) },
      { tenant: 'acme', occurredAtDay: utcDay(Date.UTC(2026, 2, 3)) },
      { tenant: 'acme', occurredAtDay: utcDay(Date.UTC(2026, 2, 4)) },
    ]);
    expect(files.map((file) => file.recordCount)).toEqual([2, 12, 12, 4]);
    for (const file of files) {
      expect(file.fileSizeBytes).toBe(file.bytes.byteLength);
      expect(readEventFile(file.bytes)).toEqual(events.slice(file.firstSeq - 1, file.lastSeq));
    }
  });

  it('writes identical bytes for the same batch', () => {
    const events = makeEventBatch({ count: 500, stepMs: 10 * 60_000 });
    const first = [...writeEventDataFiles(events, { table, caps: { maxRowsPerRowGroup: 64 } })];
    const second = [...writeEventDataFiles(events, { table, caps: { maxRowsPerRowGroup: 64 } })];
    expect(second.map((file) => file.key)).toEqual(first.map((file) => file.key));
    second.forEach((file, i) => expect(Buffer.compare(file.bytes, first[i]!.bytes), file.key).toBe(0));
  });

  it('caps files and row groups by rows', () => {
    const events = makeEventBatch({ count: 2_500 });
    const files = [...writeEventDataFiles(events, { table, caps: { maxRowsPerFile: 1_000, maxRowsPerRowGroup: 400 } })];

    expect(files.map((file) => [file.firstSeq, file.lastSeq])).toEqual([
      [1, 1_000],
      [1_001, 2_000],
      [2_001, 2_500],
    ]);
    expect(files.map((file) => file.rowGroupRecordCounts)).toEqual([[400, 400, 200], [400, 400, 200], [400, 100]]);
    for (const file of files) {
      expect(readParquetFooter(file.bytes).rowGroups.map((group) => group.numRows)).toEqual(file.rowGroupRecordCounts);
    }
  });

  it('caps files and row groups by bytes', () => {
    // Rows of about 2.4 KB, so a 64 KiB row group takes a few dozen and a 256 KiB file several row groups.
    const events = makeEventBatch({ count: 400, payloadBytes: 2_000 });
    const caps = { maxBytesPerFile: 256 * 1024, maxBytesPerRowGroup: 64 * 1024 };
    const files = [...writeEventDataFiles(events, { table, caps })];

    expect(files.length).toBeGreaterThan(3);
    for (const file of files) {
      const footer = readParquetFooter(file.bytes);
      expect(footer.rowGroups.map((group) => group.numRows)).toEqual(file.rowGroupRecordCounts);
      expect(file.rowGroupRecordCounts.length).toBeGreaterThan(1);
      // totalByteSize is the uncompressed Parquet size, which for these rows stays below the Arrow bytes the caps count.
      for (const group of footer.rowGroups) expect(group.totalByteSize).toBeLessThanOrEqual(64 * 1024);
    }
    expect(files.flatMap((file) => readEventFile(file.bytes))).toEqual(events);
  });

  it('writes field ids, micros UTC timestamps, ZSTD and statistics', () => {
    const events = makeEventBatch({ count: 200, nullOptionalFields: true });
    const [file] = [...writeEventDataFiles(events, { table, caps: { maxRowsPerRowGroup: 50 } })];
    const footer = readParquetFooter(file!.bytes);

    expect(footer.columns.map((column) => [column.path.join('.'), column.fieldId])).toEqual(
      EVENT_COLUMNS.map((column) => [column.name, column.fieldId]),
    );
    expect(footer.columns.map((column) => column.repetition)).toEqual(
      EVENT_COLUMNS.map((column) => (column.required ? 'REQUIRED' : 'OPTIONAL')),
    );
    const occurredAt = footer.columns.find((column) => column.path[0] === 'occurred_at')!;
    expect(occurredAt).toMatchObject({ physicalType: 'INT64', logicalType: 'TIMESTAMP', timestamp: { unit: 'MICROS', isAdjustedToUTC: true } });
    expect(footer.columns.find((column) => column.path[0] === 'payload')).toMatchObject({ physicalType: 'BYTE_ARRAY', logicalType: 'STRING' });

    for (const group of footer.rowGroups) {
      expect(group.columns.every((chunk) => chunk.codec === 'ZSTD')).toBe(true);
      expect(group.columns.every((chunk) => chunk.nullCount !== null)).toBe(true);
    }
    const seqIndex = footer.columns.findIndex((column) => column.path[0] === 'seq');
    expect(
      footer.rowGroups.map((group) => [decodeInt64Statistic(group.columns[seqIndex]!.minValue!), decodeInt64Statistic(group.columns[seqIndex]!.maxValue!)]),
    ).toEqual([
      [1n, 50n],
      [51n, 100n],
      [101n, 150n],
      [151n, 200n],
    ]);
  });

  it('returns column statistics that agree with the footer', () => {
    const events = makeEventBatch({ count: 300, startMs: Date.UTC(2026, 2, 1, 1) });
    const [file] = [...writeEventDataFiles(events, { table, caps: { maxRowsPerRowGroup: 70 } })];
    const footer = readParquetFooter(file!.bytes);
    const statistics = new Map<string, ColumnStatistics>(file!.columnStatistics.map((entry) => [entry.name, entry]));

    footer.columns.forEach((column, index) => {
      const entry = statistics.get(column.path[0]!)!;
      expect(entry.fieldId).toBe(column.fieldId);
      expect(entry.valueCount).toBe(footer.numRows);
      const footerNulls = footer.rowGroups.reduce((sum, group) => sum + (group.columns[index]!.nullCount ?? 0), 0);
      expect(entry.nullCount, column.path[0]).toBe(footerNulls);
    });

    const seqIndex = footer.columns.findIndex((column) => column.path[0] === 'seq');
    const occurredIndex = footer.columns.findIndex((column) => column.path[0] === 'occurred_at');
    const min = (index: number) => footer.rowGroups.map((group) => decodeInt64Statistic(group.columns[index]!.minValue!)).reduce((a, b) => (a < b ? a : b));
    const max = (index: number) => footer.rowGroups.map((group) => decodeInt64Statistic(group.columns[index]!.maxValue!)).reduce((a, b) => (a > b ? a : b));
    expect(statistics.get('seq')).toMatchObject({ lowerBound: min(seqIndex), upperBound: max(seqIndex) });
    expect(statistics.get('occurred_at')).toMatchObject({ lowerBound: min(occurredIndex), upperBound: max(occurredIndex) });
    expect(statistics.get('occurred_at')!.lowerBound).toBe(BigInt(Date.UTC(2026, 2, 1, 1)) * 1000n);
    expect(statistics.get('tenant')).toMatchObject({ lowerBound: 'acme', upperBound: 'acme', nullCount: 0 });
  });

  it('yields each file before encoding the next', () => {
    let pulled = 0;
    const events = makeEventBatch({ count: 100 });
    const source = function* (): Generator<EventEnvelope> {
      for (const event of events) {
        pulled += 1;
        yield event;
      }
    };
    const files = writeEventDataFiles(source(), { table, caps: { maxRowsPerFile: 25 } });
    expect(files.next().value).toMatchObject({ firstSeq: 1, lastSeq: 25 });
    expect(pulled).toBe(26);
  });

  it('yields nothing for an empty batch', () => {
    expect([...writeEventDataFiles([], { table })]).toEqual([]);
  });

  it('rejects a batch that mixes tenants', () => {
    const events = [...makeEventBatch({ tenant: 'acme', count: 2 }), ...makeEventBatch({ tenant: 'other', count: 1, firstSeq: 3 })];
    expect(() => [...writeEventDataFiles(events, { table })]).toThrowError(TenantlogError);
    expect(() => [...writeEventDataFiles(events, { table })]).toThrowError('seq 3 belongs to other, not acme');
  });

  it('rejects a batch with a seq gap', () => {
    const events = makeEventBatch({ count: 5 }).filter((event) => event.seq !== 3);
    expect(() => [...writeEventDataFiles(events, { table })]).toThrowError('seq 4 follows seq 2');
  });

  it('rejects an event without a required field', () => {
    const [event] = makeEventBatch({ count: 1 });
    const broken = { ...event!, correlationId: null } as unknown as EventEnvelope;
    expect(() => [...writeEventDataFiles([broken], { table })]).toThrowError('event seq 1 has no value for required column correlation_id');
  });
});
