/**
 * Avro schemas (Avro 1.11 specification): the JSON form written into container file
 * headers, and the parsed form that the encoder and decoder walk.
 *
 * Parsing resolves named-type references, so a record defined once and referenced
 * by name later in the same schema decodes like an inline definition.
 */

/** Raised for an invalid schema, a value that does not match its schema, or a malformed file. */
export class AvroError extends Error {
  override readonly name = 'AvroError';
}

export type AvroPrimitiveName = 'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'bytes' | 'string';

/** A schema in its JSON form, as stored under `avro.schema`. Extra attributes (such as `field-id`) are kept. */
export type AvroSchemaJson = string | AvroSchemaJson[] | { [attribute: string]: unknown };

export interface AvroPrimitiveType {
  readonly kind: 'primitive';
  readonly name: AvroPrimitiveName;
  readonly logicalType?: string;
}

export interface AvroField {
  readonly name: string;
  readonly type: AvroType;
  /** Attributes of the field object other than name, type and default, e.g. Iceberg's `field-id`. */
  readonly attributes: Readonly<Record<string, unknown>>;
}

export interface AvroRecordType {
  readonly kind: 'record';
  readonly name: string;
  readonly fields: readonly AvroField[];
}

export interface AvroArrayType {
  readonly kind: 'array';
  readonly items: AvroType;
  readonly logicalType?: string;
}

export interface AvroMapType {
  readonly kind: 'map';
  readonly values: AvroType;
}

export interface AvroUnionType {
  readonly kind: 'union';
  readonly branches: readonly AvroType[];
}

export interface AvroFixedType {
  readonly kind: 'fixed';
  readonly name: string;
  readonly size: number;
  readonly logicalType?: string;
}

export interface AvroEnumType {
  readonly kind: 'enum';
  readonly name: string;
  readonly symbols: readonly string[];
}

export type AvroType =
  | AvroPrimitiveType
  | AvroRecordType
  | AvroArrayType
  | AvroMapType
  | AvroUnionType
  | AvroFixedType
  | AvroEnumType;

/**
 * A decoded or to-be-encoded value. Records are plain objects keyed by field name,
 * Avro maps are `Map`s, `long` decodes to `bigint` (the encoder also takes a safe
 * integer `number`), `bytes` and `fixed` are `Uint8Array`s and enums are their symbol.
 */
export type AvroValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | readonly AvroValue[]
  | ReadonlyMap<string, AvroValue>
  | AvroRecordValue;

export interface AvroRecordValue {
  readonly [field: string]: AvroValue;
}

const PRIMITIVE_NAMES: ReadonlySet<string> = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

/** Parses a schema in JSON form (object, array or the JSON text itself) into the form the codecs walk. */
export function parseAvroSchema(schema: AvroSchemaJson | string): AvroType {
  const json = typeof schema === 'string' && !PRIMITIVE_NAMES.has(schema) ? parseSchemaText(schema) : schema;
  return parseType(json, new Map(), undefined);
}

function parseSchemaText(text: string): AvroSchemaJson {
  try {
    return JSON.parse(text) as AvroSchemaJson;
  } catch (error) {
    throw new AvroError(`avro: schema is neither a primitive name nor valid JSON: ${text.slice(0, 80)}`, { cause: error });
  }
}

function parseType(json: unknown, named: Map<string, AvroType>, namespace: string | undefined): AvroType {
  if (typeof json === 'string') {
    if (PRIMITIVE_NAMES.has(json)) return { kind: 'primitive', name: json as AvroPrimitiveName };
    const reference = named.get(fullName(json, namespace)) ?? named.get(json);
    if (reference === undefined) throw new AvroError(`avro: unknown type name ${JSON.stringify(json)}`);
    return reference;
  }
  if (Array.isArray(json)) {
    return { kind: 'union', branches: json.map((branch) => parseType(branch, named, namespace)) };
  }
  if (typeof json !== 'object' || json === null) {
    throw new AvroError(`avro: invalid schema ${JSON.stringify(json)}`);
  }

  const definition = json as Record<string, unknown>;
  const type = definition.type;
  const logicalType = typeof definition.logicalType === 'string' ? definition.logicalType : undefined;
  switch (type) {
    case 'record':
    case 'error':
      return parseRecord(definition, named, namespace);
    case 'array':
      return { kind: 'array', items: parseType(definition.items, named, namespace), ...(logicalType && { logicalType }) };
    case 'map':
      return { kind: 'map', values: parseType(definition.values, named, namespace) };
    case 'fixed': {
      const size = definition.size;
      if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) {
        throw new AvroError(`avro: fixed type needs a non-negative integer size, got ${JSON.stringify(size)}`);
      }
      const fixed: AvroFixedType = { kind: 'fixed', name: requireName(definition), size, ...(logicalType && { logicalType }) };
      register(named, fixed.name, definition, namespace, fixed);
      return fixed;
    }
    case 'enum': {
      const symbols = definition.symbols;
      if (!Array.isArray(symbols) || !symbols.every((symbol) => typeof symbol === 'string')) {
        throw new AvroError(`avro: enum ${JSON.stringify(definition.name)} needs a list of string symbols`);
      }
      const enumType: AvroEnumType = { kind: 'enum', name: requireName(definition), symbols };
      register(named, enumType.name, definition, namespace, enumType);
      return enumType;
    }
    default:
      if (typeof type === 'string' && PRIMITIVE_NAMES.has(type)) {
        return { kind: 'primitive', name: type as AvroPrimitiveName, ...(logicalType && { logicalType }) };
      }
      // `{"type": "SomeRecord"}` and `{"type": ["null", "long"]}` wrap another schema.
      return parseType(type, named, namespace);
  }
}

function parseRecord(definition: Record<string, unknown>, named: Map<string, AvroType>, namespace: string | undefined): AvroRecordType {
  const name = requireName(definition);
  const fieldsJson = definition.fields;
  if (!Array.isArray(fieldsJson)) throw new AvroError(`avro: record ${name} needs a fields array`);

  // Register before parsing the fields, because a field may refer to its own record.
  const fields: AvroField[] = [];
  const record: AvroRecordType = { kind: 'record', name, fields };
  const recordNamespace = register(named, name, definition, namespace, record);

  for (const fieldJson of fieldsJson) {
    if (typeof fieldJson !== 'object' || fieldJson === null) throw new AvroError(`avro: record ${name} has an invalid field`);
    const { name: fieldName, type, ...attributes } = fieldJson as Record<string, unknown>;
    if (typeof fieldName !== 'string') throw new AvroError(`avro: record ${name} has a field without a name`);
    fields.push({ name: fieldName, type: parseType(type, named, recordNamespace), attributes });
  }
  return record;
}

function requireName(definition: Record<string, unknown>): string {
  if (typeof definition.name !== 'string' || definition.name === '') {
    throw new AvroError(`avro: named type ${JSON.stringify(definition.type)} has no name`);
  }
  return definition.name;
}

/** Stores a named type under its full name and returns the namespace its children inherit. */
function register(
  named: Map<string, AvroType>,
  name: string,
  definition: Record<string, unknown>,
  enclosing: string | undefined,
  type: AvroType,
): string | undefined {
  const namespace = name.includes('.')
    ? name.slice(0, name.lastIndexOf('.'))
    : typeof definition.namespace === 'string'
      ? definition.namespace || undefined
      : enclosing;
  named.set(fullName(name, namespace), type);
  return namespace;
}

function fullName(name: string, namespace: string | undefined): string {
  return name.includes('.') || namespace === undefined ? name : `${namespace}.${name}`;
}
