import { hasLoneSurrogate } from '../../events/canonical';
import { TenantlogError } from '../errors';

/** Deepest nesting of arrays and objects that a request body may have. */
export const MAX_JSON_DEPTH = 128;

/**
 * Rejects parsed JSON that the event log could not store and hash faithfully:
 * - a number that overflowed to an infinity (`1e400`),
 * - a string or member name with an unpaired surrogate, because RFC 8785 hashes
 *   only valid Unicode,
 * - nesting deeper than MAX_JSON_DEPTH, because the recursive validators and
 *   serialisers downstream would exhaust the stack,
 * - the member name `__proto__`, which schema validation and object spreading drop.
 *
 * Walks the value with an explicit stack, so a deep body cannot overflow it here.
 */
export function assertStorableJson(value: unknown): void {
  const pending: Array<{ value: unknown; depth: number }> = [{ value, depth: 1 }];
  while (pending.length > 0) {
    const { value: current, depth } = pending.pop()!;

    if (typeof current === 'number') {
      if (!Number.isFinite(current)) {
        throw new TenantlogError('INVALID_JSON', 'request body has a number outside the range of a 64-bit float');
      }
      continue;
    }
    if (typeof current === 'string') {
      if (hasLoneSurrogate(current)) throw loneSurrogate(current);
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;

    if (depth > MAX_JSON_DEPTH) {
      throw new TenantlogError('INVALID_JSON', `request body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`, {
        details: { maxDepth: MAX_JSON_DEPTH },
      });
    }
    if (Array.isArray(current)) {
      for (const item of current) pending.push({ value: item, depth: depth + 1 });
      continue;
    }
    for (const [key, member] of Object.entries(current)) {
      if (key === '__proto__') {
        throw new TenantlogError('VALIDATION_FAILED', 'member name "__proto__" is not supported; rename the field');
      }
      if (hasLoneSurrogate(key)) throw loneSurrogate(key);
      pending.push({ value: member, depth: depth + 1 });
    }
  }
}

function loneSurrogate(text: string): TenantlogError {
  return new TenantlogError(
    'INVALID_JSON',
    `request body has a string with an unpaired UTF-16 surrogate (${JSON.stringify(text.slice(0, 40))}); send valid Unicode`,
  );
}
