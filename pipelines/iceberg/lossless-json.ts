/**
 * JSON parsing and printing that keeps 64-bit integers exact. Iceberg metadata stores
 * snapshot ids as JSON numbers up to 2^63 - 1, which `JSON.parse` rounds to the
 * nearest double. Integers beyond `Number.MAX_SAFE_INTEGER` parse to `bigint`, and
 * `bigint` values print as plain digits.
 */
import { IcebergError } from './iceberg-error';

export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | { [key: string]: JsonValue };

/** Parses JSON text; integers that do not fit a safe integer become `bigint`, other numbers stay `number`. */
export function parseLosslessJson(text: string): JsonValue {
  const parser = new Parser(text);
  const value = parser.parseValue();
  parser.expectEnd();
  return value;
}

/** Prints JSON with `indent` spaces per level (0 for one line); `bigint` prints as an integer literal. */
export function stringifyLosslessJson(value: JsonValue, indent = 2): string {
  return print(value, indent, '');
}

function print(value: JsonValue, indent: number, padding: string): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new IcebergError(`json: cannot print the non-finite number ${value}`);
    return JSON.stringify(value);
  }

  const inner = padding + ' '.repeat(indent);
  const separator = indent > 0 ? `,\n${inner}` : ',';
  const open = indent > 0 ? `\n${inner}` : '';
  const close = indent > 0 ? `\n${padding}` : '';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[${open}${value.map((item) => print(item, indent, inner)).join(separator)}${close}]`;
  }
  const entries = Object.entries(value).filter(([, item]) => item !== undefined);
  if (entries.length === 0) return '{}';
  const colon = indent > 0 ? ': ' : ':';
  return `{${open}${entries.map(([key, item]) => `${JSON.stringify(key)}${colon}${print(item, indent, inner)}`).join(separator)}${close}}`;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const INTEGER = /^-?\d+$/;

class Parser {
  private position = 0;

  constructor(private readonly text: string) {}

  parseValue(): JsonValue {
    this.skipWhitespace();
    const char = this.text[this.position];
    switch (char) {
      case '{':
        return this.parseObject();
      case '[':
        return this.parseArray();
      case '"':
        return this.parseString();
      case 't':
        return this.parseLiteral('true', true);
      case 'f':
        return this.parseLiteral('false', false);
      case 'n':
        return this.parseLiteral('null', null);
      default:
        return this.parseNumber();
    }
  }

  expectEnd(): void {
    this.skipWhitespace();
    if (this.position !== this.text.length) this.fail('unexpected text after the value');
  }

  private parseObject(): { [key: string]: JsonValue } {
    const object: { [key: string]: JsonValue } = {};
    this.position++;
    this.skipWhitespace();
    if (this.text[this.position] === '}') {
      this.position++;
      return object;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.position] !== '"') this.fail('expected a string key');
      const key = this.parseString();
      this.skipWhitespace();
      if (this.text[this.position] !== ':') this.fail('expected ":"');
      this.position++;
      object[key] = this.parseValue();
      this.skipWhitespace();
      const next = this.text[this.position++];
      if (next === '}') return object;
      if (next !== ',') this.fail('expected "," or "}"');
    }
  }

  private parseArray(): JsonValue[] {
    const array: JsonValue[] = [];
    this.position++;
    this.skipWhitespace();
    if (this.text[this.position] === ']') {
      this.position++;
      return array;
    }
    for (;;) {
      array.push(this.parseValue());
      this.skipWhitespace();
      const next = this.text[this.position++];
      if (next === ']') return array;
      if (next !== ',') this.fail('expected "," or "]"');
    }
  }

  private parseString(): string {
    // Find the closing quote, skipping escaped characters, and let JSON.parse unescape.
    const start = this.position;
    let index = start + 1;
    while (index < this.text.length && this.text[index] !== '"') {
      index += this.text[index] === '\\' ? 2 : 1;
    }
    if (index >= this.text.length) this.fail('unterminated string');
    this.position = index + 1;
    try {
      return JSON.parse(this.text.slice(start, this.position)) as string;
    } catch (error) {
      return this.fail(`invalid string (${(error as Error).message})`);
    }
  }

  private parseNumber(): number | bigint {
    NUMBER.lastIndex = this.position;
    const match = NUMBER.exec(this.text);
    if (match === null) return this.fail('expected a value');
    this.position += match[0].length;
    const literal = match[0];
    const number = Number(literal);
    if (INTEGER.test(literal) && !Number.isSafeInteger(number)) return BigInt(literal);
    return number;
  }

  private parseLiteral<T extends JsonValue>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.position)) this.fail(`expected ${word}`);
    this.position += word.length;
    return value;
  }

  private skipWhitespace(): void {
    while (this.position < this.text.length && ' \t\n\r'.includes(this.text[this.position] as string)) this.position++;
  }

  private fail(message: string): never {
    throw new IcebergError(`json: ${message} at offset ${this.position}`);
  }
}
