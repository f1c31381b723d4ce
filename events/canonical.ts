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
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';

  switch (typeof value) {
    case 'string':
      return canonicalString(value);
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) {
        throw new TypeError(`canonicalJson: ${value} has no JSON representation`);
      }
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new TypeError(`canonicalJson: a ${typeof value} has no JSON representation`);
  }

  if (Array.isArray(value)) {
    return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  }

  const record = value as Record<string, unknown>;
  const members: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const member = record[key];
    if (member === undefined) continue;
    members.push(`${canonicalString(key)}:${canonicalJson(member)}`);
  }
  return `{${members.join(',')}}`;
}

/** True when `text` contains a UTF-16 surrogate that is not half of a pair. */
export function hasLoneSurrogate(text: string): boolean {
  // With the `u` flag a valid pair is one code point above U+FFFF, so only unpaired halves match.
  return /[\uD800-\uDFFF]/u.test(text);
}

function canonicalString(text: string): string {
  if (hasLoneSurrogate(text)) {
    throw new TypeError(`canonicalJson: string ${JSON.stringify(text.slice(0, 40))} has an unpaired surrogate`);
  }
  return JSON.stringify(text);
}
