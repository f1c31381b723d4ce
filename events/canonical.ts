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
 * Every append hashes its event, so plain data (plain objects, arrays, strings,
 * finite numbers, booleans, null) takes a faster walk. It leaves anything else,
 * and any string that may contain an unpaired surrogate, to the strict walk,
 * which gives the same text or throws.
 */
export function canonicalJson(value: unknown): string {
  return plainCanonicalJson(value) ?? strictCanonicalJson(value);
}

/**
 * True when `json`, written by JSON.stringify, may contain an unpaired surrogate:
 * JSON.stringify writes one as a `\ud...` escape. Text such as a literal `\\ud`
 * also matches; callers then take a slower path that decides exactly.
 */
export function mayHoldLoneSurrogate(json: string): boolean {
  return json.includes('\\ud');
}

/**
 * `canonicalJson` of plain data, or undefined for anything else and for any
 * string that may hold an unpaired surrogate, which the strict walk decides.
 */
export function plainCanonicalJson(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return quotePlainString(value);
    case 'number':
      // String() writes a finite number as JSON.stringify does, -0 as 0 included.
      return Number.isFinite(value) ? String(value) : undefined;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null) return 'null';

  if (Array.isArray(value)) {
    let text = '[';
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      if (index > 0) text += ',';
      if (item === undefined) {
        text += 'null';
        continue;
      }
      const itemText = plainCanonicalJson(item);
      if (itemText === undefined) return undefined;
      text += itemText;
    }
    return `${text}]`;
  }

  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return undefined;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  sortKeys(keys);
  let text = '';
  for (const key of keys) {
    const member = record[key];
    if (member === undefined) continue;
    const keyText = quotedKeys.get(key) ?? quoteKey(key);
    const memberText = plainCanonicalJson(member);
    if (keyText === undefined || memberText === undefined) return undefined;
    text += text === '' ? `{${keyText}:${memberText}` : `,${keyText}:${memberText}`;
  }
  return text === '' ? '{}' : `${text}}`;
}

/** Characters that JSON.stringify writes escaped, and surrogates, which it escapes when unpaired. */
const ESCAPED_OR_SURROGATE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * `JSON.stringify(text)`, or undefined when that may hold an unpaired surrogate.
 * A call of JSON.stringify costs several times a regular expression test on a
 * short string, so a string it would write unchanged is put in quotes here.
 */
export function quotePlainString(text: string): string | undefined {
  if (!ESCAPED_OR_SURROGATE.test(text)) return `"${text}"`;
  const json = JSON.stringify(text);
  return mayHoldLoneSurrogate(json) ? undefined : json;
}

/**
 * Member names quoted as `quotePlainString` quotes them. Payloads of one type
 * repeat their member names, and a map lookup costs less than the regular
 * expression test. Short names only, and a bounded number of them, so that the
 * map stays small whatever the data.
 */
const quotedKeys = new Map<string, string>();
const MAX_QUOTED_KEYS = 1024;
const MAX_QUOTED_KEY_LENGTH = 64;

function quoteKey(key: string): string | undefined {
  const text = quotePlainString(key);
  if (text !== undefined && key.length <= MAX_QUOTED_KEY_LENGTH && quotedKeys.size < MAX_QUOTED_KEYS) quotedKeys.set(key, text);
  return text;
}

/**
 * Sorts member names by UTF-16 code units, as `Array.prototype.sort` does. Objects
 * mostly have a few members, which an insertion sort orders faster than a call of
 * the built-in sort.
 */
function sortKeys(keys: string[]): void {
  if (keys.length > 16) {
    keys.sort();
    return;
  }
  for (let index = 1; index < keys.length; index++) {
    const key = keys[index]!;
    let before = index - 1;
    while (before >= 0 && keys[before]! > key) {
      keys[before + 1] = keys[before]!;
      before -= 1;
    }
    keys[before + 1] = key;
  }
}

/** `canonicalJson` with every string checked on its own; throws on what JSON cannot carry. */
function strictCanonicalJson(value: unknown): string {
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
      text += item === undefined ? 'null' : strictCanonicalJson(item);
    }
    return `${text}]`;
  }

  const record = value as Record<string, unknown>;
  let text = '{';
  for (const key of Object.keys(record).sort()) {
    const member = record[key];
    if (member === undefined) continue;
    if (text.length > 1) text += ',';
    text += `${canonicalString(key)}:${strictCanonicalJson(member)}`;
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
  return isJsonValue(value, true) && !mayHoldLoneSurrogate(json) ? json : canonicalJson(value);
}
