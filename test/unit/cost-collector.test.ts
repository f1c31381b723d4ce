import { describe, expect, it } from 'vitest';

import { ManualClock } from '../../src/clock';
import { type CostAlert, CostCollector, type CostThresholds } from '../../src/cost/collector';
import { periodAt } from '../../src/cost/period';
import { CLOUDFLARE_PRICES } from '../../src/cost/prices';
import { type PeriodUsage, priceUsage } from '../../src/cost/usage';

const MARCH = Date.UTC(2026, 2, 1);
const DAY = 24 * 60 * 60 * 1000;

/** Builds a collector whose periods and alerts live in maps, as the object's SQLite and log would keep them. */
function collector(clock: ManualClock, thresholds: CostThresholds = { warning: null, critical: null }) {
  const saved = new Map<string, PeriodUsage>();
  const raised = new Map<string, CostAlert[]>();
  const alerts: CostAlert[] = [];
  const instance = new CostCollector({
    clock,
    prices: CLOUDFLARE_PRICES,
    load: (period) => structuredClone(saved.get(period) ?? null),
    save: (usage) => saved.set(usage.period, structuredClone(usage)),
    thresholds: () => thresholds,
    raisedLevels: (period) => (raised.get(period) ?? []).map((alert) => alert.level),
    onAlert: (alert) => {
      alerts.push(alert);
      raised.set(alert.period, [...(raised.get(alert.period) ?? []), alert]);
    },
  });
  return { instance, saved, alerts };
}

/** Runs every kind of tracked operation, then lets half a month of storage accrue. */
function runScriptedWorkload(clock: ManualClock, instance: CostCollector): void {
  for (let i = 0; i < 3; i++) instance.trackWrite(1024);
  instance.trackRead(512, true);
  instance.trackRead(256, false);
  instance.trackSqlRows(1000, 20);
  instance.setSqliteStorageBytes(1_000_000_000);
  instance.setR2StorageBytes(3_000_000_000);
  instance.trackPipelineEvents(100, 2_000_000_000);
  instance.trackR2Operations('A', 10);
  instance.trackR2Operations('B', 100);
  clock.advance(15 * DAY);
}

describe('cost collector', () => {
  it('prices a scripted workload exactly', () => {
    const clock = new ManualClock(MARCH);
    const { instance } = collector(clock);
    runScriptedWorkload(clock, instance);

    const usage = instance.current();
    expect(usage.writes).toEqual({ count: 3, bytes: 3072 });
    expect(usage.reads).toEqual({ count: 2, bytes: 768, cacheHits: 1 });
    expect(usage.pipeline).toEqual({ events: 100, bytes: 2_000_000_000 });
    expect(usage.r2.classA).toBe(10);
    expect(usage.r2.classB).toBe(100);

    // 3 writes x ($0.30 + $0.15) per million requests.
    const cost = instance.cost();
    expect(cost.writes).toBe(0.00000135);
    expect(cost.reads).toBe(0.0000009);
    // 2 GB x $0.06.
    expect(cost.pipeline).toBe(0.12);
    // 1000 rows read x $0.001/M + 20 written x $1/M + 1 GB for half of a 30-day month x $0.20.
    expect(cost.sqlite).toBe(0.100021);
    // 10 class A x $4.50/M + 100 class B x $0.36/M + 3 GB for half a month x $0.015.
    expect(cost.r2).toBe(0.022581);
    expect(cost.total).toBe(0.24260425);
  });

  it('raises each alert level once per period', () => {
    const clock = new ManualClock(MARCH);
    const { instance, alerts } = collector(clock, { warning: 0.1, critical: 0.2 });

    instance.trackWrite(10);
    expect(alerts).toEqual([]);
    instance.trackPipelineEvents(100, 2_000_000_000);
    expect(alerts).toEqual([{ level: 'warning', threshold: 0.1, totalCost: 0.12000045, period: '2026-03' }]);
    instance.trackPipelineEvents(100, 1_000_000_000);
    expect(alerts).toHaveLength(1);

    instance.trackPipelineEvents(100, 2_000_000_000);
    expect(alerts.map((alert) => alert.level)).toEqual(['warning', 'critical']);
    for (let i = 0; i < 10; i++) instance.trackWrite(10);
    expect(alerts).toHaveLength(2);
    expect(instance.raisedLevels()).toEqual(['warning', 'critical']);
  });

  it('raises both levels when one operation passes both', () => {
    const clock = new ManualClock(MARCH);
    const { instance, alerts } = collector(clock, { warning: 0.1, critical: 0.2 });
    instance.trackPipelineEvents(1, 5_000_000_000);
    expect(alerts.map((alert) => [alert.level, alert.totalCost])).toEqual([
      ['warning', 0.3],
      ['critical', 0.3],
    ]);
  });

  it('does not raise a level the log already holds', () => {
    const clock = new ManualClock(MARCH);
    const first = collector(clock, { warning: 0.1, critical: null });
    first.instance.trackPipelineEvents(1, 2_000_000_000);
    expect(first.alerts).toHaveLength(1);

    // A restarted object reads the raised levels back before it tracks anything.
    const raisedBefore = first.alerts.map((alert) => alert.level);
    const restarted = new CostCollector({
      clock,
      prices: CLOUDFLARE_PRICES,
      load: () => null,
      save: () => {},
      thresholds: () => ({ warning: 0.1, critical: null }),
      raisedLevels: () => raisedBefore,
      onAlert: () => {
        throw new Error('raised twice');
      },
    });
    restarted.trackPipelineEvents(1, 2_000_000_000);
    expect(restarted.raisedLevels()).toEqual(['warning']);
  });

  it('closes a period at its end and starts the next from zero', () => {
    const clock = new ManualClock(MARCH);
    const { instance, saved, alerts } = collector(clock, { warning: 0.01, critical: null });
    instance.setR2StorageBytes(2_000_000_000);
    instance.trackWrite(100);
    expect(alerts).toHaveLength(0);

    // 31 days later: March held 2 GB for 31 days of a 30-day GB-month.
    clock.set(Date.UTC(2026, 3, 1) + DAY);
    const april = instance.current();
    expect(april.period).toBe('2026-04');
    expect(april.writes.count).toBe(0);
    expect(april.r2.storage.bytes).toBe(2_000_000_000);

    const march = saved.get('2026-03')!;
    expect(march.writes.count).toBe(1);
    expect(march.r2.storage.byteMs).toBe(2_000_000_000 * 31 * DAY);
    expect(priceUsage(march, CLOUDFLARE_PRICES).r2).toBe(0.031);
    // One day of April storage: 2 GB x 1/30 month x $0.015.
    expect(instance.cost().r2).toBe(0.001);
    expect(periodAt(clock.now()).id).toBe('2026-04');
  });

  it('keeps a period across a restart once persisted', () => {
    const clock = new ManualClock(MARCH + DAY);
    const first = collector(clock);
    first.instance.trackWrite(10);
    first.instance.trackRead(20, false);
    first.instance.persist();

    const restarted = new CostCollector({
      clock,
      prices: CLOUDFLARE_PRICES,
      load: (period) => structuredClone(first.saved.get(period) ?? null),
      save: () => {},
      thresholds: () => ({ warning: null, critical: null }),
      raisedLevels: () => [],
      onAlert: () => {},
    });
    restarted.trackWrite(5);
    expect(restarted.current().writes).toEqual({ count: 2, bytes: 15 });
    expect(restarted.current().reads.count).toBe(1);
  });
});
