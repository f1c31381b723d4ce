import { readStorageBytes, countApiCall } from '../../src/limits/tenant-usage';
import { calendarMonth } from '../../src/limits/plans';
import type { TenantTelemetry } from '../../src/observability/tenant-telemetry';
import type { GuardrailsStage } from './guardrails-bench-protocol';

/** Target of a step: the object's telemetry and its plain storage. */
export interface GuardrailsStageTarget {
  telemetry: TenantTelemetry;
  storage: DurableObjectStorage;
}

const responseBody = JSON.stringify({ id: '0190f5b4-0000-7000-8000-000000000000', type: 'Order', data: { total: 1, currency: 'EUR' }, version: 1 });
const responseHeaders = { 'content-type': 'application/json; charset=utf-8', etag: '"1"', location: '/things/x' };

/**
 * Single steps that the tenant plugins add to a `POST /things`, each run `count`
 * times alone, so the per-request overhead can be split into its parts.
 */
export const guardrailsStages: Record<GuardrailsStage, (target: GuardrailsStageTarget, count: number) => Promise<void>> = {
  /** An async function awaited, the least an extra middleware layer costs. */
  async await(_target, count) {
    for (let i = 0; i < count; i++) await (async () => undefined)();
  },
  /** Runs the request meter's async scope around a request that does nothing. */
  async scope({ telemetry }, count) {
    for (let i = 0; i < count; i++) await telemetry.meter.measure(async () => undefined);
  },
  /** Builds a JSON response as a route does. `responseCopy` starts from it. */
  async response(_target, count) {
    for (let i = 0; i < count; i++) new Response(responseBody, { status: 201, headers: responseHeaders });
  },
  /** Reads the same response to an ArrayBuffer and rebuilds it, as the metrics middleware does for a JSON body without `Content-Length`. */
  async responseCopy(_target, count) {
    for (let i = 0; i < count; i++) {
      const response = new Response(responseBody, { status: 201, headers: responseHeaders });
      const buffer = await response.arrayBuffer();
      new Response(buffer, response);
    }
  },
  /** Metrics and cost of one measured write request, including the store of the cost totals. */
  async record({ telemetry }, count) {
    for (let i = 0; i < count; i++) {
      telemetry.recordRequest({
        kind: 'write',
        operationType: 'create',
        entityType: 'Order',
        status: 'ok',
        durationSeconds: 0.0004,
        requestBytes: 52,
        responseBytes: 180,
        rows: { rowsRead: 4, rowsWritten: 6 },
      });
    }
  },
  /** `databaseSize` of the object's SQLite, the size behind the storage cost. */
  async databaseSize({ storage }, count) {
    let bytes = 0;
    for (let i = 0; i < count; i++) bytes += storage.sql.databaseSize;
    if (bytes < 0) throw new Error('unreachable');
  },
  /** Upserts the month's API call count, as the quota plugin does. */
  async apiCallUpsert({ storage }, count) {
    const month = calendarMonth(Date.now()).key;
    for (let i = 0; i < count; i++) countApiCall(storage.sql, month);
  },
  /** Reads the stored bytes, as the quota write guard does. */
  async storageBytes({ storage }, count) {
    for (let i = 0; i < count; i++) readStorageBytes(storage.sql);
  },
};
