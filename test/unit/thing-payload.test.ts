import { describe, expect, it } from 'vitest';

import { eventTypeDefinition } from '../../events/catalogue';
import { parseThingPayload } from '../../events/types/things';

class ThingLike {
  id = 'x';
  type = 'T';
  data = 1;
}

const payloads: Array<[string, unknown]> = [
  ['plain thing', { id: 'user-1', type: 'User', data: { name: 'Ada', tags: ['a'] } }],
  ['members out of order', { data: [1, 2], type: 'T', id: 'x' }],
  ['extra member', { id: 'x', type: 'T', data: null, extra: true }],
  ['id at the max length', { id: 'i'.repeat(256), type: 'T', data: 1 }],
  ['id over the max length', { id: 'i'.repeat(257), type: 'T', data: 1 }],
  ['id of 128 emoji, 256 UTF-16 units', { id: '😀'.repeat(128), type: 'T', data: 1 }],
  ['empty id', { id: '', type: 'T', data: 1 }],
  ['type at the max length', { id: 'x', type: 't'.repeat(128), data: 1 }],
  ['type over the max length', { id: 'x', type: 't'.repeat(129), data: 1 }],
  ['numeric type', { id: 'x', type: 7, data: 1 }],
  ['missing data', { id: 'x', type: 'T' }],
  ['undefined data', { id: 'x', type: 'T', data: undefined }],
  ['NaN in data', { id: 'x', type: 'T', data: { n: Number.NaN } }],
  ['date in data', { id: 'x', type: 'T', data: new Date(0) }],
  ['class instance', new ThingLike()],
  ['null prototype', Object.assign(Object.create(null) as object, { id: 'x', type: 'T', data: 1 })],
  ['array', ['x', 'T', 1]],
  ['null', null],
  ['string', 'x'],
];

describe('parseThingPayload', () => {
  for (const type of ['thing.created', 'thing.updated']) {
    const schema = eventTypeDefinition(type).payload;
    for (const [name, payload] of payloads) {
      it(`${type}: agrees with zod on ${name}`, () => {
        const parsed = schema.safeParse(payload);
        const fast = parseThingPayload(payload);
        if (!parsed.success) {
          expect(fast).toBeUndefined();
          return;
        }
        if (fast === undefined) return;
        // The same members in the same order, so the stored JSON is the same too.
        expect(JSON.stringify(fast)).toBe(JSON.stringify(parsed.data));
        expect(fast).toEqual(parsed.data);
        expect(fast).not.toBe(payload);
        expect(fast.data).toBe((payload as { data: unknown }).data);
      });
    }
  }

  it('accepts a plain valid thing', () => {
    expect(parseThingPayload(payloads[0]![1])).toEqual(payloads[0]![1]);
  });
});
