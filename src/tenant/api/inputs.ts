import { z } from 'zod';

import { TenantlogError } from '../../errors';
import { isPlainObject } from '../commands/merge-patch';

/** Ids of things and relationships: URL-safe, so every id has a reachable `/things/:id`. */
export const ENTITY_ID = /^[A-Za-z0-9][A-Za-z0-9._:@~-]{0,255}$/;
const MAX_TYPE_LENGTH = 128;

const idSchema = z
  .string()
  .regex(ENTITY_ID, 'must be 1-256 characters of A-Z, a-z, 0-9 and . _ : @ ~ -, starting with a letter or digit');
/** Any text up to 128 characters except `*`, which lists every type. */
const typeSchema = z
  .string()
  .min(1)
  .max(MAX_TYPE_LENGTH)
  .refine((value) => value !== '*', 'may not be "*", which means every type');

/** Throws VALIDATION_FAILED naming the first invalid field. */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.length > 0 ? issue.path.join('.') : what;
  const problem = issue.path.length > 0 ? `${field} ${issue.message}` : issue.message;
  throw new TenantlogError('VALIDATION_FAILED', `invalid ${what}: ${problem}`, {
    details: { field, issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
  });
}

export function requireObject(body: unknown, what: string): Record<string, unknown> {
  if (body === undefined) {
    throw new TenantlogError('VALIDATION_FAILED', `${what} requires a JSON object body`);
  }
  if (!isPlainObject(body)) {
    throw new TenantlogError('VALIDATION_FAILED', `${what} requires a JSON object body, not ${describeJson(body)}`);
  }
  return body;
}

function describeJson(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return `a ${typeof value}`;
}

/** Top-level fields of a thing body that are not data; every other field becomes a member of `data`. */
const RESERVED_THING_FIELDS = new Set(['id', 'type', '$type', 'data']);

export interface ThingInput {
  id?: string | undefined;
  type?: string | undefined;
  data: unknown;
  /** True when the body named `data` or carried extra fields; a PATCH without either changes nothing in data. */
  hasData: boolean;
}

/**
 * Reads a thing from a request body: `id`, `type` or `$type`, `data`, and any other
 * top-level fields, which become members of `data`. Extra fields next to a `data`
 * that is not an object are rejected, since they could not be merged into it.
 */
export function parseThingInput(body: Record<string, unknown>): ThingInput {
  const id = body.id === undefined ? undefined : parseWith(idSchema, body.id, 'thing id');
  const type = body.type === undefined ? undefined : parseWith(typeSchema, body.type, 'thing type');
  const dollarType = body.$type === undefined ? undefined : parseWith(typeSchema, body.$type, 'thing $type');
  if (type !== undefined && dollarType !== undefined && type !== dollarType) {
    throw new TenantlogError('VALIDATION_FAILED', `type ${JSON.stringify(type)} and $type ${JSON.stringify(dollarType)} differ; send one of them`);
  }

  const extras: Record<string, unknown> = {};
  let extraCount = 0;
  for (const [key, value] of Object.entries(body)) {
    if (RESERVED_THING_FIELDS.has(key)) continue;
    extras[key] = value;
    extraCount += 1;
  }

  let data: unknown = body.data;
  if (extraCount > 0) {
    if (data !== undefined && !isPlainObject(data)) {
      throw new TenantlogError(
        'VALIDATION_FAILED',
        `fields ${Object.keys(extras).join(', ')} cannot be merged into a data value that is not an object`,
      );
    }
    data = { ...(data as Record<string, unknown> | undefined), ...extras };
  }
  return { id, type: type ?? dollarType, data: data === undefined ? {} : data, hasData: data !== undefined };
}

export interface RelationshipInput {
  id?: string | undefined;
  type: string;
  from: string;
  to: string;
  data: unknown;
}

// Strict, so a misspelt or extra field is reported instead of being silently dropped.
const relationshipSchema = z.strictObject({
  id: idSchema.optional(),
  type: typeSchema.optional(),
  verb: typeSchema.optional(),
  from: idSchema,
  to: idSchema,
  data: z.json().optional(),
});

/**
 * Reads a relationship from a request body; `verb` is accepted as a synonym of
 * `type`. Fields other than `id, type, verb, from, to, data` are rejected.
 */
export function parseRelationshipInput(body: Record<string, unknown>): RelationshipInput {
  const parsed = parseWith(relationshipSchema, body, 'relationship');
  if (parsed.type !== undefined && parsed.verb !== undefined && parsed.type !== parsed.verb) {
    throw new TenantlogError('VALIDATION_FAILED', `type ${JSON.stringify(parsed.type)} and verb ${JSON.stringify(parsed.verb)} differ; send one of them`);
  }
  const type = parsed.type ?? parsed.verb;
  if (type === undefined) {
    throw new TenantlogError('VALIDATION_FAILED', 'invalid relationship: type (or verb) is required');
  }
  return { id: parsed.id, type, from: parsed.from, to: parsed.to, data: parsed.data ?? {} };
}

export function parseEntityId(value: string, what: string): string {
  return parseWith(idSchema, value, what);
}

/** A version in decimal without leading zeros, at most 15 digits so it stays a safe integer. */
const VERSION_DIGITS = '(0|[1-9]\\d{0,14})';
/** `"3"` or `W/"3"`: an entity tag whose opaque part is a version. */
const QUOTED_VERSION = new RegExp(`^(?:W/)?"${VERSION_DIGITS}"$`);
const BARE_VERSION = new RegExp(`^${VERSION_DIGITS}$`);

/**
 * Parses an `If-Match` value into a thing version: `"3"`, `W/"3"` or `3`. Returns
 * null when absent or `*` (any current version). A weak tag is compared like the
 * strong one, although RFC 9110 requires strong comparison, so an ETag that a proxy
 * weakened still works. A list of tags is rejected.
 */
export function parseIfMatch(value: string | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  const trimmed = value.trim();
  if (trimmed === '*') return null;
  const match = QUOTED_VERSION.exec(trimmed) ?? BARE_VERSION.exec(trimmed);
  if (!match) {
    const problem = trimmed.includes(',') ? 'is a list, which is not supported' : 'is not a version';
    throw new TenantlogError(
      'VALIDATION_FAILED',
      `If-Match ${JSON.stringify(value)} ${problem}; send one ETag of the thing, such as "3", W/"3", 3 or *`,
    );
  }
  return Number(match[1]);
}

/** Reads an integer query parameter within [min, max], or `fallback` when absent. */
export function parseIntegerParam(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  if (!/^-?\d+$/.test(value)) {
    throw new TenantlogError('VALIDATION_FAILED', `query parameter ${name}=${JSON.stringify(value)} is not an integer`);
  }
  const number = Number(value);
  if (number < min || number > max) {
    // The value is echoed as sent: a long one would read differently once rounded to a float.
    throw new TenantlogError('VALIDATION_FAILED', `query parameter ${name}=${value} is out of range ${min}..${max}`);
  }
  return number;
}

/** Encodes a list cursor; clients treat it as opaque. */
export function encodeCursor(afterId: string | null): string | null {
  return afterId === null ? null : btoa(JSON.stringify({ after: afterId })).replace(/=+$/, '');
}

export function decodeCursor(cursor: string | undefined): string | null {
  if (cursor === undefined || cursor === '') return null;
  try {
    const decoded = JSON.parse(atob(cursor)) as unknown;
    if (isPlainObject(decoded) && typeof decoded.after === 'string') return decoded.after;
  } catch {
    // Falls through to the error below; the cause is always "not one of our cursors".
  }
  throw new TenantlogError('INVALID_CURSOR', `cursor ${JSON.stringify(cursor)} is not valid; pass the cursor from the previous page unchanged`);
}
