import { isJsonValue } from './types/json-value';

/**
 * Serialises a JSON value in the canonical form of RFC 8785 (JSON Canonicalization
 * Scheme): object keys sorted by UTF-16 code units, no insignificant white space,
 * numbers and strings as ECMAScript's JSON.stringify writes them.
 *
 * `undefined` object members are left out, as JSON.stringify does; any other value
 * that JSON cannot carry (a function, a bigint, NaN or an infinity) throws, because
 * a hash over a lossy serialisation could not be verified by another tool. A string
 * or member name with an unpaired surrogate throws too: RFC 8785 accepts only valid
 * Unicode, and other languages' JSON libraries disagree on how to write one.
 *
 * Every append hashes its event, so this builds one string by concatenation
 * rather than through intermediate arrays.
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return canonicalString(value);
    case 'number':
      return canonicalNumber(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      throw new TypeError(`canonicalJson: a ${typeof value} has no JSON representation`);
  }
  if (value === null) return 'null';

  if (Array.isArray(value)) {
    let text = '[';
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      if (index > 0) text += ',';
      text += item === undefined ? 'null' : canonicalJson(item);
    }
    return `${text}]`;
  }

  const record = value as Record<string, unknown>;
  let text = '{';
  for (const key of Object.keys(record).sort()) {
    const member = record[key];
    if (member === undefined) continue;
    if (text.length > 1) text += ',';
    text += `${canonicalString(key)}:${canonicalJson(member)}`;
  }
  return `${text}}`;
}

/** Writes a string as RFC 8785 does; throws on an unpaired surrogate. */
export function canonicalString(text: string): string {
  if (hasLoneSurrogate(text)) {
    throw new TypeError(`canonicalJson: string ${JSON.stringify(text.slice(0, 40))} has an unpaired surrogate`);
  }
  return JSON.stringify(text);
}

/** Writes a number as RFC 8785 does; throws on NaN and the infinities. */
export function canonicalNumber(value: number): string {
  if (!Number.isFinite(value)) {
    throw new TypeError(`canonicalJson: ${value} has no JSON representation`);
  }
  return JSON.stringify(value);
}

/** True when `text` contains a UTF-16 surrogate that is not half of a pair. */
export function hasLoneSurrogate(text: string): boolean {
  // With the `u` flag a valid pair is one code point above U+FFFF, so only unpaired halves match.
  return /[\uD800-\uDFFF]/u.test(text);
}

/**
 * Returns `canonicalJson(value)` given `json`, the text `JSON.stringify(value)`
 * wrote for it. The two are the same text when every object of `value` is a plain
 * object whose keys are already in sorted order and every leaf is a string, a
 * finite number, a boolean or null, and no string has an unpaired surrogate
 * (`JSON.stringify` writes one as a `\ud...` escape). Then `json` is returned and
 * the serialisation is saved; otherwise this is `canonicalJson(value)`.
 */
export function canonicalJsonFromStringified(value: unknown, json: string): string {
  return isJsonValue(value, true) && !json.includes('\\ud') ? json : canonicalJson(value);
}
