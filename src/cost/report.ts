import type { AlertLevel, CostThresholds } from './collector';
import type { BillingPeriod } from './period';
import { PRICES_CHECKED_ON, type PriceList } from './prices';
import { gbMonths, type PeriodUsage, priceUsage } from './usage';

/** Body of `GET /admin/tenants/:tenant/cost`. */
export function costReport(
  tenant: string,
  period: BillingPeriod,
  usage: PeriodUsage,
  prices: PriceList,
  alerts: { thresholds: CostThresholds; raised: AlertLevel[] },
) {
  const cost = priceUsage(usage, prices);
  return {
    tenantId: tenant,
    period: { id: period.id, start: new Date(period.start).toISOString(), end: new Date(period.end).toISOString() },
    currency: 'USD',
    totalCost: cost.total,
    writes: { count: usage.writes.count, bytes: usage.writes.bytes, cost: cost.writes },
    reads: { count: usage.reads.count, bytes: usage.reads.bytes, cacheHits: usage.reads.cacheHits, cost: cost.reads },
    pipeline: { events: usage.pipeline.events, bytes: usage.pipeline.bytes, cost: cost.pipeline },
    sqlite: {
      rowsRead: usage.sqlite.rowsRead,
      rowsWritten: usage.sqlite.rowsWritten,
      storageBytes: usage.sqlite.storage.bytes,
      storageGbMonths: gbMonths(usage.sqlite.storage),
      cost: cost.sqlite,
    },
    r2: {
      classAOperations: usage.r2.classA,
      classBOperations: usage.r2.classB,
      storageBytes: usage.r2.storage.bytes,
      storageGbMonths: gbMonths(usage.r2.storage),
      cost: cost.r2,
    },
    alerts,
    pricesCheckedOn: PRICES_CHECKED_ON,
  };
}
