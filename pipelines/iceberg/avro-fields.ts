/**
 * Helpers for Iceberg's use of Avro (Iceberg table spec, Appendix A). Optional fields are
 * unions with null, and int-keyed maps are arrays of key/value records with the `map`
 * logical type. Decoded records are read by field id instead of by name.
 */
import type { AvroRecordType, AvroRecordValue, AvroSchemaJson, AvroType, AvroValue } from '../avro/schema';
import { IcebergError } from './iceberg-error';

/** Builds an optional field: a union with null whose default is null. */
export function optionalField(name: string, fieldId: number, type: AvroSchemaJson): Record<string, unknown> {
  return { name, type: ['null', type], default: null, 'field-id': fieldId };
}

export function requiredField(name: string, fieldId: number, type: AvroSchemaJson): Record<string, unknown> {
  return { name, type, 'field-id': fieldId };
}

/** A map with int keys, stored as an array of `k<keyId>_v<valueId>` records as the reference implementation names them. */
export function intKeyedMap(keyId: number, valueId: number, valueType: AvroSchemaJson): AvroSchemaJson {
  return {
    type: 'array',
    logicalType: 'map',
    items: {
      type: 'record',
      name: `k${keyId}_v${valueId}`,
      fields: [requiredField('key', keyId, 'int'), requiredField('value', valueId, valueType)],
    },
  };
}

export function listOf(elementId: number, elementType: AvroSchemaJson): AvroSchemaJson {
  return { type: 'array', items: elementType, 'element-id': elementId };
}

/** Converts a map to the array-of-records form, in ascending key order. */
export function toKeyValueArray<V extends AvroValue>(map: ReadonlyMap<number, V> | null): AvroValue {
  if (map === null) return null;
  return [...map].sort(([a], [b]) => a - b).map(([key, value]) => ({ key, value }));
}

/**
 * Reads the fields of a decoded record by Iceberg field id, so that files whose writers
 * named a field differently (Spark writes `added_data_files_count` for field 504, the
 * spec names it `added_files_count`) read the same.
 */
export class FieldsById {
  private readonly names = new Map<number, string>();
  private readonly types = new Map<number, AvroType>();

  constructor(
    private readonly type: AvroRecordType,
    private readonly value: AvroRecordValue,
  ) {
    for (const field of type.fields) {
      const id = field.attributes['field-id'];
      if (typeof id === 'number') {
        this.names.set(id, field.name);
        this.types.set(id, field.type);
      }
    }
  }

  has(id: number): boolean {
    return this.names.has(id);
  }

  /** Returns the value of field `id`, or null when the file's schema has no such field. */
  get(id: number): AvroValue {
    const name = this.names.get(id);
    return name === undefined ? null : (this.value[name] ?? null);
  }

  /** Field `id` of a nested record, read by id in turn. */
  record(id: number): FieldsById {
    const type = unwrapNullable(this.types.get(id));
    const value = this.get(id);
    if (type?.kind !== 'record' || value === null || typeof value !== 'object') {
      throw new IcebergError(`field ${id} of record ${this.type.name} is missing or not a record`);
    }
    return new FieldsById(type, value as AvroRecordValue);
  }

  requiredNumber(id: number): number {
    return toSafeNumber(this.get(id), `field ${id} of record ${this.type.name}`);
  }

  optionalNumber(id: number): number | null {
    const value = this.get(id);
    return value === null ? null : toSafeNumber(value, `field ${id} of record ${this.type.name}`);
  }

  requiredLong(id: number): bigint {
    const value = this.optionalLong(id);
    if (value === null) throw new IcebergError(`required field ${id} of record ${this.type.name} is missing`);
    return value;
  }

  optionalLong(id: number): bigint | null {
    const value = this.get(id);
    if (value === null) return null;
    if (typeof value === 'bigint') return value;
    if (typeof value === 'number') return BigInt(value);
    throw new IcebergError(`field ${id} of record ${this.type.name} is not a long`);
  }

  requiredString(id: number): string {
    const value = this.get(id);
    if (typeof value !== 'string') throw new IcebergError(`field ${id} of record ${this.type.name} is not a string`);
    return value;
  }

  /** Returns a nested record keyed by field name, e.g. a partition tuple. */
  plainRecord(id: number): Record<string, AvroValue> {
    const value = this.get(id);
    if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) {
      throw new IcebergError(`field ${id} of record ${this.type.name} is not a record`);
    }
    return { ...(value as AvroRecordValue) };
  }

  /** An int-keyed map stored as an array of key/value records, or null. */
  intKeyedMap<V>(id: number, convert: (value: AvroValue) => V): Map<number, V> | null {
    const value = this.get(id);
    if (value === null) return null;
    if (!Array.isArray(value)) throw new IcebergError(`field ${id} of record ${this.type.name} is not a map array`);
    const map = new Map<number, V>();
    for (const entry of value as AvroRecordValue[]) map.set(Number(entry.key), convert(entry.value ?? null));
    return map;
  }

  list<V>(id: number, convert: (value: AvroValue) => V): V[] | null {
    const value = this.get(id);
    if (value === null) return null;
    if (!Array.isArray(value)) throw new IcebergError(`field ${id} of record ${this.type.name} is not a list`);
    return (value as AvroValue[]).map(convert);
  }
}

export function toSafeNumber(value: AvroValue, what: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint' && value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)) {
    return Number(value);
  }
  throw new IcebergError(`${what} is not a safe integer: ${String(value)}`);
}

function unwrapNullable(type: AvroType | undefined): AvroType | undefined {
  if (type?.kind !== 'union') return type;
  return type.branches.find((branch) => !(branch.kind === 'primitive' && branch.name === 'null'));
}
