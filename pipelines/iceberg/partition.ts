/**
 * Partition specs (Iceberg table spec, "Partitioning" and Appendix C) and the events
 * table's spec: `tenant` (identity) and `day(occurred_at)`. Partition field ids start
 * at 1000 as in the reference implementation, and they are the field ids of the
 * `partition` record in manifests.
 */
import type { AvroSchemaJson } from '../avro/schema';
import { IcebergError } from './iceberg-error';
import { eventColumn, findField, type IcebergSchema } from './table-schema';

export interface PartitionField {
  'source-id': number;
  'field-id': number;
  name: string;
  transform: string;
}

export interface PartitionSpec {
  'spec-id': number;
  fields: PartitionField[];
}

export const EVENT_PARTITION_SPEC_ID = 0;

export const EVENT_PARTITION_SPEC: PartitionSpec = {
  'spec-id': EVENT_PARTITION_SPEC_ID,
  fields: [
    { name: 'tenant', transform: 'identity', 'source-id': eventColumn('tenant').id, 'field-id': 1000 },
    { name: 'occurred_at_day', transform: 'day', 'source-id': eventColumn('occurred_at').id, 'field-id': 1001 },
  ],
};

/** Highest partition field id, the table's `last-partition-id`. */
export const EVENT_LAST_PARTITION_ID = 1001;

/** Partition values of one events data file. */
export interface EventPartition {
  tenant: string;
  /** `day(occurred_at)`: whole days since 1970-01-01 UTC. */
  occurredAtDay: number;
}

const MICROS_PER_DAY = 86_400_000_000n;
const MILLIS_PER_DAY = 86_400_000;

/** Applies the `day` transform to a timestamptz in microseconds: days since the epoch, rounded toward negative infinity. */
export function dayFromMicros(micros: bigint): number {
  const quotient = micros / MICROS_PER_DAY;
  return Number(micros < 0n && quotient * MICROS_PER_DAY !== micros ? quotient - 1n : quotient);
}

/** Applies the `day` transform to a timestamp in milliseconds since the epoch. */
export function dayFromMillis(millis: number): number {
  return Math.floor(millis / MILLIS_PER_DAY);
}

/** Converts partition values to the manifest's `partition` record, keyed by partition field name. */
export function eventPartitionRecord(partition: EventPartition): { tenant: string; occurred_at_day: number } {
  return { tenant: partition.tenant, occurred_at_day: partition.occurredAtDay };
}

/**
 * Returns the result type of a partition field. The spec gives `int` for `day`, but the
 * Java reference implementation (`Days.getResultType`) returns `date`, an int of days
 * that Avro marks with the `date` logical type. This writer follows Java.
 */
export function partitionResultType(field: PartitionField, schema: IcebergSchema): string {
  const source = findField(schema, field['source-id']);
  if (source === undefined) {
    throw new IcebergError(`partition field ${field.name} refers to missing source column ${field['source-id']}`);
  }
  if (typeof source.type !== 'string') throw new IcebergError(`partition field ${field.name} has a nested source column`);
  const transform = field.transform;
  if (transform === 'identity' || transform === 'void' || transform.startsWith('truncate[')) return source.type;
  if (transform === 'day') return 'date';
  if (transform === 'year' || transform === 'month' || transform === 'hour' || transform.startsWith('bucket[')) {
    return 'int';
  }
  throw new IcebergError(`partition field ${field.name} has unknown transform ${JSON.stringify(transform)}`);
}

/** Builds the Avro record `r102` for the `partition` field of manifest entries, with every field optional. */
export function partitionAvroSchema(spec: PartitionSpec, schema: IcebergSchema): AvroSchemaJson {
  return {
    type: 'record',
    name: 'r102',
    fields: spec.fields.map((field) => ({
      name: field.name,
      type: ['null', icebergPrimitiveToAvro(partitionResultType(field, schema))],
      default: null,
      'field-id': field['field-id'],
    })),
  };
}

/** Converts an Iceberg primitive type to its Avro form (Iceberg table spec, Appendix A), for the types partitions use. */
export function icebergPrimitiveToAvro(type: string): AvroSchemaJson {
  switch (type) {
    case 'boolean':
    case 'int':
    case 'long':
    case 'float':
    case 'double':
    case 'string':
      return type;
    case 'binary':
      return 'bytes';
    case 'date':
      return { type: 'int', logicalType: 'date' };
    case 'time':
      return { type: 'long', logicalType: 'time-micros' };
    case 'timestamp':
      return { type: 'long', logicalType: 'timestamp-micros', 'adjust-to-utc': false };
    case 'timestamptz':
      return { type: 'long', logicalType: 'timestamp-micros', 'adjust-to-utc': true };
    default:
      throw new IcebergError(`partition values of type ${type} are not supported by this writer`);
  }
}
