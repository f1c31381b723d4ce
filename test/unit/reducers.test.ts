import { describe, expect, it } from 'vitest';

import type { EventEnvelope } from '../../events/envelope';
import { GENESIS_HASH } from '../../events/hash';
import { reduceRelationship, type Relationship } from '../../projections/relationships';
import { reduceThing, type Thing } from '../../projections/things';

let nextSeq = 1;

/** Builds an event of `type` at `occurredAt`, with fixed values in the fields reducers ignore. */
function event(type: string, payload: unknown, occurredAt = 1_000): EventEnvelope {
  const seq = nextSeq++;
  return {
    tenant: 'acme',
    seq,
    id: `01906e2a-8a00-7000-8000-${String(seq).padStart(12, '0')}`,
    type,
    schemaVersion: 1,
    occurredAt,
    actor: null,
    correlationId: 'test',
    causationId: null,
    idempotencyKey: null,
    payload,
    prevHash: GENESIS_HASH,
    hash: GENESIS_HASH,
  };
}

/** Folds `given` into a state, then applies `when`. */
function thingAfter(given: EventEnvelope[], when: EventEnvelope): Thing | null {
  return reduceThing(given.reduce<Thing | null>(reduceThing, null), when);
}

function relationshipAfter(given: EventEnvelope[], when: EventEnvelope): Relationship | null {
  return reduceRelationship(given.reduce<Relationship | null>(reduceRelationship, null), when);
}

describe('reduceThing', () => {
  it('given nothing, when created, then version 1 with the created time', () => {
    const created = event('thing.created', { id: 'a', type: 'User', data: { name: 'Ada' } }, 5_000);
    expect(thingAfter([], created)).toEqual({
      id: 'a',
      type: 'User',
      data: { name: 'Ada' },
      version: 1,
      createdAt: 5_000,
      updatedAt: 5_000,
      seq: created.seq,
    });
  });

  it('given a deleted thing at version 4, when created again, then version 5', () => {
    const created = event('thing.created', { id: 'a', type: 'User', data: {} }, 9_000);
    expect(reduceThing(null, created, 4)?.version).toBe(5);
  });

  it('given a thing, when updated, then next version', () => {
    const created = event('thing.created', { id: 'a', type: 'User', data: { name: 'Ada' } }, 5_000);
    const updated = event('thing.updated', { id: 'a', type: 'Admin', data: ['replaced'] }, 7_000);
    expect(thingAfter([created], updated)).toEqual({
      id: 'a',
      type: 'Admin',
      data: ['replaced'],
      version: 2,
      createdAt: 5_000,
      updatedAt: 7_000,
      seq: updated.seq,
    });
  });

  it('given several updates, when updated again, then the version counts every update', () => {
    const given = [
      event('thing.created', { id: 'a', type: 'T', data: 1 }),
      event('thing.updated', { id: 'a', type: 'T', data: 2 }),
      event('thing.updated', { id: 'a', type: 'T', data: 3 }),
    ];
    const thing = thingAfter(given, event('thing.updated', { id: 'a', type: 'T', data: 4 }));
    expect(thing).toMatchObject({ version: 4, data: 4 });
  });

  it('given a thing, when deleted, then nothing', () => {
    const given = [event('thing.created', { id: 'a', type: 'T', data: {} })];
    expect(thingAfter(given, event('thing.deleted', { id: 'a' }))).toBeNull();
  });

  it('given a deleted thing, when created again, then version 1', () => {
    const given = [event('thing.created', { id: 'a', type: 'T', data: {} }), event('thing.deleted', { id: 'a' })];
    expect(thingAfter(given, event('thing.created', { id: 'a', type: 'T', data: { again: true } }, 9_000))).toMatchObject({
      version: 1,
      createdAt: 9_000,
      data: { again: true },
    });
  });

  it('given a thing, when created again, then it throws a broken invariant', () => {
    const given = [event('thing.created', { id: 'a', type: 'T', data: {} })];
    expect(() => thingAfter(given, event('thing.created', { id: 'a', type: 'T', data: {} }))).toThrow(/thing a already exists/);
  });

  it('given nothing, when updated or deleted, then it throws a broken invariant', () => {
    expect(() => thingAfter([], event('thing.updated', { id: 'a', type: 'T', data: {} }))).toThrow(/thing a does not exist/);
    expect(() => thingAfter([], event('thing.deleted', { id: 'a' }))).toThrow(/thing a does not exist/);
  });

  it('given a thing, when other event, then unchanged', () => {
    const given = [event('thing.created', { id: 'a', type: 'T', data: {} })];
    const before = given.reduce<Thing | null>(reduceThing, null);
    expect(reduceThing(before, event('relationship.created', { id: 'r', type: 'k', from: 'a', to: 'a', data: {} }))).toBe(before);
  });
});

describe('reduceRelationship', () => {
  it('given nothing, when created, then the relationship with its created time', () => {
    const created = event('relationship.created', { id: 'r', type: 'knows', from: 'a', to: 'b', data: { since: 2020 } }, 3_000);
    expect(relationshipAfter([], created)).toEqual({
      id: 'r',
      type: 'knows',
      from: 'a',
      to: 'b',
      data: { since: 2020 },
      createdAt: 3_000,
      seq: created.seq,
    });
  });

  it('given a relationship, when deleted directly or by a cascade, then nothing', () => {
    const given = [event('relationship.created', { id: 'r', type: 'knows', from: 'a', to: 'b', data: {} })];
    expect(relationshipAfter(given, event('relationship.deleted', { id: 'r' }))).toBeNull();
    expect(relationshipAfter(given, event('relationship.deleted', { id: 'r', cascadeFrom: 'a' }))).toBeNull();
  });

  it('given a relationship, when created again, then it throws a broken invariant', () => {
    const given = [event('relationship.created', { id: 'r', type: 'knows', from: 'a', to: 'b', data: {} })];
    expect(() => relationshipAfter(given, event('relationship.created', { id: 'r', type: 'x', from: 'a', to: 'b', data: {} }))).toThrow(
      /relationship r already exists/,
    );
  });

  it('given nothing, when deleted, then it throws a broken invariant', () => {
    expect(() => relationshipAfter([], event('relationship.deleted', { id: 'r' }))).toThrow(/relationship r does not exist/);
  });

  it('given a relationship, when a thing event arrives, then the state is unchanged', () => {
    const given = [event('relationship.created', { id: 'r', type: 'knows', from: 'a', to: 'b', data: {} })];
    const before = given.reduce<Relationship | null>(reduceRelationship, null);
    expect(reduceRelationship(before, event('thing.deleted', { id: 'a' }))).toBe(before);
  });
});
