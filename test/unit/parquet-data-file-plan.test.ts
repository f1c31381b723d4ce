import { describe, expect, it } from 'vitest';

import {
  type DataFileCaps,
  dataFileKey,
  type DataFilePlan,
  formatUtcDay,
  planDataFiles,
  type PlannedRow,
  resolveDataFileCaps,
  utcDay,
} from '../../pipelines/parquet/data-file-plan';
import { TenantlogError } from '../../src/errors';

const DAY = 86_400_000;
const MARCH_1 = Date.UTC(2026, 2, 1);
const roomy: DataFileCaps = { maxRowsPerFile: 1_000, maxBytesPerFile: 1e9, maxRowsPerRowGroup: 1_000, maxBytesPerRowGroup: 1e9 };

function rows(count: number, options: { firstSeq?: number; start?: number; stepMs?: number; byteSize?: number } = {}): PlannedRow[] {
  const { firstSeq = 1, start = MARCH_1, stepMs = 1_000, byteSize = 100 } = options;
  return Array.from({ length: count }, (_, i) => ({ seq: firstSeq + i, occurredAt: start + i * stepMs, byteSize }));
}

const shape = (plans: Iterable<DataFilePlan<PlannedRow>>) =>
  [...plans].map((plan) => ({
    day: formatUtcDay(plan.occurredAtDay),
    seqs: `${plan.firstSeq}-${plan.lastSeq}`,
    groups: plan.rowGroups.map((group) => group.length),
  }));

describe('planDataFiles', () => {
  it('puts a one-day batch in one file and one row group', () => {
    expect(shape(planDataFiles(rows(10), roomy))).toEqual([{ day: '2026-03-01', seqs: '1-10', groups: [10] }]);
  });

  it('splits a batch that spans days into one file per day', () => {
    // 6 events 8 hours apart from 16:00 on 1 March: two on the 1st, three on the 2nd, one on the 3rd.
    const batch = rows(6, { start: MARCH_1 + 16 * 3_600_000, stepMs: 8 * 3_600_000 });
    expect(shape(planDataFiles(batch, roomy))).toEqual([
      { day: '2026-03-01', seqs: '1-1', groups: [1] },
      { day: '2026-03-02', seqs: '2-4', groups: [3] },
      { day: '2026-03-03', seqs: '5-6', groups: [2] },
    ]);
  });

  it('splits at midnight UTC exactly', () => {
    const batch = [
      { seq: 1, occurredAt: MARCH_1 + DAY - 1, byteSize: 1 },
      { seq: 2, occurredAt: MARCH_1 + DAY, byteSize: 1 },
    ];
    expect(shape(planDataFiles(batch, roomy)).map((file) => file.day)).toEqual(['2026-03-01', '2026-03-02']);
  });

  it('starts a new file when the clock steps back over midnight', () => {
    const batch = [
      { seq: 1, occurredAt: MARCH_1 + DAY + 5, byteSize: 1 },
      { seq: 2, occurredAt: MARCH_1 + DAY - 5, byteSize: 1 },
      { seq: 3, occurredAt: MARCH_1 + DAY + 6, byteSize: 1 },
    ];
    expect(shape(planDataFiles(batch, roomy))).toEqual([
      { day: '2026-03-02', seqs: '1-1', groups: [1] },
      { day: '2026-03-01', seqs: '2-2', groups: [1] },
      { day: '2026-03-02', seqs: '3-3', groups: [1] },
    ]);
  });

  it('caps files and row groups by rows', () => {
    const caps = { ...roomy, maxRowsPerFile: 10, maxRowsPerRowGroup: 4 };
    expect(shape(planDataFiles(rows(25), caps))).toEqual([
      { day: '2026-03-01', seqs: '1-10', groups: [4, 4, 2] },
      { day: '2026-03-01', seqs: '11-20', groups: [4, 4, 2] },
      { day: '2026-03-01', seqs: '21-25', groups: [4, 1] },
    ]);
  });

  it('caps files and row groups by bytes', () => {
    // 100-byte rows: 3 fit a 350-byte row group, 7 fit a 700-byte file.
    const caps = { ...roomy, maxBytesPerFile: 700, maxBytesPerRowGroup: 350 };
    const plans = [...planDataFiles(rows(16), caps)];
    expect(shape(plans)).toEqual([
      { day: '2026-03-01', seqs: '1-7', groups: [3, 3, 1] },
      { day: '2026-03-01', seqs: '8-14', groups: [3, 3, 1] },
      { day: '2026-03-01', seqs: '15-16', groups: [2] },
    ]);
    expect(plans.map((plan) => plan.byteSize)).toEqual([700, 700, 200]);
  });

  it('caps by whichever limit comes first', () => {
    const varied = rows(6).map((row, i) => ({ ...row, byteSize: i === 2 ? 500 : 10 }));
    const caps = { ...roomy, maxRowsPerRowGroup: 3, maxBytesPerRowGroup: 400 };
    expect(shape(planDataFiles(varied, caps))[0]!.groups).toEqual([2, 1, 3]);
  });

  it('gives a row larger than the caps a file of its own', () => {
    const batch = rows(3).map((row, i) => ({ ...row, byteSize: i === 1 ? 5_000 : 10 }));
    const caps = { ...roomy, maxBytesPerFile: 1_000, maxBytesPerRowGroup: 500 };
    expect(shape(planDataFiles(batch, caps))).toEqual([
      { day: '2026-03-01', seqs: '1-1', groups: [1] },
      { day: '2026-03-01', seqs: '2-2', groups: [1] },
      { day: '2026-03-01', seqs: '3-3', groups: [1] },
    ]);
  });

  it('plans the same files for the same batch', () => {
    const caps = { ...roomy, maxRowsPerFile: 7, maxBytesPerRowGroup: 250 };
    const batch = rows(40, { stepMs: 3 * 3_600_000 });
    expect(shape(planDataFiles(batch, caps))).toEqual(shape(planDataFiles(batch, caps)));
  });

  it('yields nothing for an empty batch', () => {
    expect([...planDataFiles([], roomy)]).toEqual([]);
  });

  it('consumes rows lazily, one file ahead at most', () => {
    let pulled = 0;
    const source = function* () {
      for (const row of rows(100)) {
        pulled += 1;
        yield row;
      }
    };
    const plans = planDataFiles(source(), { ...roomy, maxRowsPerFile: 10 });
    plans.next();
    expect(pulled).toBe(11);
  });

  it('rejects a seq gap', () => {
    const batch = [...rows(3), { seq: 5, occurredAt: MARCH_1, byteSize: 1 }];
    expect(() => [...planDataFiles(batch, roomy)]).toThrowError(TenantlogError);
    expect(() => [...planDataFiles(batch, roomy)]).toThrowError('seq 5 follows seq 3');
  });

  it('rejects seqs out of order', () => {
    const batch = [rows(1, { firstSeq: 2 })[0]!, rows(1)[0]!];
    expect(() => [...planDataFiles(batch, roomy)]).toThrowError('seq 1 follows seq 2');
  });

  it('rejects a first seq that is not a positive integer', () => {
    expect(() => [...planDataFiles(rows(1, { firstSeq: 0 }), roomy)]).toThrowError('starts at seq 0');
  });

  it('rejects a non-integer occurredAt', () => {
    expect(() => [...planDataFiles([{ seq: 1, occurredAt: Number.NaN, byteSize: 1 }], roomy)]).toThrowError('occurredAt NaN');
    expect(() => [...planDataFiles([{ seq: 1, occurredAt: 8.64e15 + 1, byteSize: 1 }], roomy)]).toThrowError(TenantlogError);
  });
});

describe('resolveDataFileCaps', () => {
  it('fills in defaults', () => {
    expect(resolveDataFileCaps({ maxRowsPerFile: 5 }).maxRowsPerFile).toBe(5);
    expect(resolveDataFileCaps().maxBytesPerFile).toBe(4 * 1024 * 1024);
  });

  it('rejects caps that are not positive integers', () => {
    expect(() => resolveDataFileCaps({ maxBytesPerRowGroup: 0 })).toThrowError('maxBytesPerRowGroup must be a positive integer, got 0');
    expect(() => resolveDataFileCaps({ maxRowsPerFile: 1.5 })).toThrowError(RangeError);
  });
});

describe('utcDay', () => {
  it('counts days since the epoch in UTC', () => {
    expect(utcDay(0)).toBe(0);
    expect(utcDay(DAY - 1)).toBe(0);
    expect(utcDay(MARCH_1)).toBe(20_513);
    expect(utcDay(-1)).toBe(-1);
    expect(formatUtcDay(20_513)).toBe('2026-03-01');
    expect(formatUtcDay(-1)).toBe('1969-12-31');
  });
});

describe('dataFileKey', () => {
  it('names a file by table, tenant, day and seq range', () => {
    const key = dataFileKey('tenantlog/events', 'acme', { occurredAtDay: utcDay(MARCH_1), firstSeq: 1001, lastSeq: 1500 });
    expect(key).toBe('tenantlog/events/data/tenant=acme/day=2026-03-01/acme-1001-1500.parquet');
  });

  it('rejects a tenant that is not a slug', () => {
    const plan = { occurredAtDay: 0, firstSeq: 1, lastSeq: 1 };
    expect(() => dataFileKey('t', '../other', plan)).toThrowError('tenant "../other" is not a valid slug');
    expect(() => dataFileKey('t', 'Acme', plan)).toThrowError(TenantlogError);
  });

  it('rejects a table location with a leading or trailing slash', () => {
    const plan = { occurredAtDay: 0, firstSeq: 1, lastSeq: 1 };
    expect(() => dataFileKey('/events', 'acme', plan)).toThrowError(RangeError);
    expect(() => dataFileKey('events/', 'acme', plan)).toThrowError(RangeError);
    expect(() => dataFileKey('', 'acme', plan)).toThrowError(RangeError);
  });
});
