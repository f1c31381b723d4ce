/**
 * Builders of commit inputs for the events table, shared by the workerd and Node tests.
 * The statistics describe events `firstSeq..firstSeq+count-1` of one tenant, one per
 * second from the start of `day`.
 */
import type { EventDataFileInput } from '../../pipelines/iceberg/event-data-file';

export const MICROS_PER_DAY = 86_400_000_000n;

export interface EventFileSpec {
  location: string;
  tenant: string;
  firstSeq: number;
  count: number;
  /** Days since 1970-01-01. */
  day: number;
  fileSizeBytes?: number;
}

export function eventFileInput(spec: EventFileSpec): EventDataFileInput {
  const { location, tenant, firstSeq, count, day } = spec;
  const lastSeq = firstSeq + count - 1;
  const firstMicros = BigInt(day) * MICROS_PER_DAY + BigInt(firstSeq % 80_000) * 1_000_000n;
  const all = { valueCount: count, nullValueCount: 0 };
  return {
    path: `${location}/data/tenant=${tenant}/occurred_at_day=${day}/${tenant}-${String(firstSeq).padStart(12, '0')}-${String(lastSeq).padStart(12, '0')}.parquet`,
    recordCount: count,
    fileSizeBytes: spec.fileSizeBytes ?? 1000 + count * 120,
    partition: { tenant, occurredAtDay: day },
    columnStats: {
      tenant: { ...all, lowerBound: tenant, upperBound: tenant },
      seq: { ...all, lowerBound: BigInt(firstSeq), upperBound: BigInt(lastSeq) },
      id: { ...all, lowerBound: '018f0000-0000-7000-8000-000000000001', upperBound: '018f0000-0000-7000-8000-0000000000ff' },
      type: { ...all, lowerBound: 'thing.created', upperBound: 'thing.updated' },
      schema_version: { ...all, lowerBound: 1, upperBound: 1 },
      occurred_at: { ...all, lowerBound: firstMicros, upperBound: firstMicros + BigInt(count - 1) * 1_000_000n },
      actor: { valueCount: count, nullValueCount: count },
      correlation_id: { ...all },
      causation_id: { valueCount: count, nullValueCount: count },
      idempotency_key: { valueCount: count, nullValueCount: count },
      payload: { ...all, lowerBound: '{"name":"a"}', upperBound: '{"name":"zzzzzzzzzzzzzzzzzzzzzz"}' },
      prev_hash: { ...all },
      hash: { ...all, lowerBound: '0'.repeat(64), upperBound: 'f'.repeat(64) },
    },
  };
}
