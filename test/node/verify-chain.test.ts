import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import type { EventEnvelope } from '../../events/envelope';
import { GENESIS_HASH, type HashedEventFields, hashEvent } from '../../events/hash';
import { UuidV7Generator } from '../../events/uuidv7';
import workedExample from '../fixtures/worked-example.json';

const script = resolve(import.meta.dirname, '..', '..', 'scripts', 'verify-chain.mjs');
const workDir = mkdtempSync(join(tmpdir(), 'verify-chain-'));

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

/** Payloads that exercise the canonical form: key order, escapes, unicode and number forms. */
const PAYLOADS: unknown[] = [
  { id: 'user-1', type: 'User', data: { name: 'Ada', tags: ['admin'] } },
  { id: 'user-1', type: 'User', data: { z: 1, a: { y: [3, 2, 1], b: null } } },
  { id: 'n', type: 'Numbers', data: [0, -1, 0.1, 1e21, 1e-7, 123456789012345680000, 5e-324, 1.7976931348623157e308, 333333333.33333329] },
  { id: 's', type: 'Strings', data: { '\r': 'cr', '1': 'one', '\u20ac': 'euro', '😀': 'emoji', '\ufb33': 'dalet', quote: '"\\/\b\f\n\t\u0001\u007f' } },
  { id: 'u', type: 'ünïcødé 日本', data: 'ü😀' },
  { id: 'r1', type: 'knows', from: 'user-1', to: 'n', data: {} },
  { id: 'r1', cascadeFrom: 'user-1' },
  { id: 'e', type: 'Empty', data: [[], {}, '', false, true] },
];
const TYPES = ['thing.created', 'thing.updated', 'thing.created', 'thing.created', 'thing.created', 'relationship.created', 'relationship.deleted', 'thing.created'];

/** Builds a chain with the project's own hashing, as the tenant object stores it. */
function buildChain(count: number, tenant = 'acme'): EventEnvelope[] {
  const ids = new UuidV7Generator();
  const events: EventEnvelope[] = [];
  let prevHash = GENESIS_HASH;
  let causationId: string | null = null;
  for (let seq = 1; seq <= count; seq++) {
    const occurredAt = 1_719_835_200_000 + seq * 7;
    const type = TYPES[(seq - 1) % TYPES.length]!;
    const fields: HashedEventFields = {
      tenant,
      seq,
      id: ids.next(occurredAt),
      type,
      schemaVersion: 1,
      occurredAt,
      actor: seq % 3 === 0 ? 'admin' : null,
      correlationId: `req-${Math.ceil(seq / 2)}`,
      causationId: type === 'relationship.deleted' ? causationId : null,
      idempotencyKey: seq % 4 === 0 ? `key-${seq}` : null,
      payload: PAYLOADS[(seq - 1) % PAYLOADS.length],
    };
    const hash = hashEvent(prevHash, fields);
    events.push({ ...fields, prevHash, hash });
    causationId = fields.id;
    prevHash = hash;
  }
  return events;
}

function jsonl(events: readonly unknown[]): string {
  return events.map((event) => JSON.stringify(event)).join('\n') + '\n';
}

/** Writes `events` as one `GET /events` page, as the API does. */
function page(events: EventEnvelope[], lastSeq: number): string {
  const last = events[events.length - 1];
  return JSON.stringify({ items: events, count: events.length, lastSeq, next: last && last.seq < lastSeq ? last.seq : null });
}

function run(args: string[], input?: string) {
  const result = spawnSync(process.execPath, [script, ...args], { input, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
}

function runOnFile(name: string, content: string, args: string[] = []) {
  const file = join(workDir, name);
  writeFileSync(file, content);
  return run([file, ...args]);
}

describe('scripts/verify-chain.mjs', () => {
  it('accepts a chain written as JSONL', () => {
    const events = buildChain(24);
    const result = runOnFile('valid.jsonl', jsonl(events));
    expect(result).toEqual({ status: 0, stdout: `OK 24 events, last seq 24, head hash ${events[23]!.hash}`, stderr: '' });
  });

  it('accepts GET /events pages, pretty-printed or concatenated', () => {
    const events = buildChain(10);
    const concatenated = page(events.slice(0, 4), 10) + page(events.slice(4, 8), 10) + page(events.slice(8), 10);
    expect(runOnFile('pages.json', concatenated).status).toBe(0);

    const pretty = JSON.stringify({ items: events, count: 10, lastSeq: 10, next: null }, null, 2);
    expect(runOnFile('pretty.json', pretty).stdout).toMatch(/^OK 10 events/);

    const arrayOfEvents = JSON.stringify(events);
    expect(runOnFile('array.json', arrayOfEvents).status).toBe(0);
  });

  it('reads standard input', () => {
    const events = buildChain(5);
    expect(run([], jsonl(events)).stdout).toMatch(/^OK 5 events/);
    expect(run(['-'], jsonl(events)).status).toBe(0);
  });

  it('accepts the documented worked example', () => {
    expect(run([], jsonl(workedExample.events)).stdout).toBe(`OK 2 events, last seq 2, head hash ${workedExample.events[1]!.hash}`);
  });

  it('reports a tampered payload at its seq', () => {
    const events = buildChain(12);
    const tampered = structuredClone(events);
    (tampered[6]!.payload as Record<string, unknown>).cascadeFrom = 'someone-else';
    const result = runOnFile('payload.jsonl', jsonl(tampered));
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^BROKEN at seq 7: hash [0-9a-f]{64} does not match content \(expected [0-9a-f]{64}\)$/);
  });

  it('reports each kind of tampering at the first broken seq', () => {
    const events = buildChain(12);
    const cases: Array<[string, (copy: Array<Record<string, unknown>>) => void, string]> = [
      ['changed time', (copy) => (copy[3]!.occurredAt = (copy[3]!.occurredAt as number) + 1), 'BROKEN at seq 4: hash'],
      ['changed actor', (copy) => (copy[2]!.actor = 'mallory'), 'BROKEN at seq 3: hash'],
      ['changed tenant', (copy) => (copy[0]!.tenant = 'other'), 'BROKEN at seq 1: hash'],
      ['changed hash', (copy) => (copy[5]!.hash = 'f'.repeat(64)), 'BROKEN at seq 6: hash'],
      ['wrong prevHash', (copy) => (copy[8]!.prevHash = 'a'.repeat(64)), 'BROKEN at seq 9: prevHash does not match the hash of seq 8'],
      ['gap', (copy) => copy.splice(4, 1), 'BROKEN at seq 6: expected seq 5, found 6'],
      ['swap', (copy) => copy.splice(2, 2, copy[3]!, copy[2]!), 'BROKEN at seq 4: expected seq 3, found 4'],
      ['duplicate', (copy) => copy.splice(2, 0, copy[1]!), 'BROKEN at seq 2: expected seq 3, found 2'],
      ['missing first', (copy) => copy.shift(), 'BROKEN at seq 2: expected seq 1, found 2'],
      ['missing payload', (copy) => delete copy[10]!.payload, 'BROKEN at seq 11: event at seq 11 has no payload'],
      ['missing actor', (copy) => delete copy[0]!.actor, 'OK 12 events'],
    ];
    for (const [label, tamper, expected] of cases) {
      const copy = structuredClone(events) as unknown as Array<Record<string, unknown>>;
      tamper(copy);
      const result = run([], jsonl(copy));
      expect(result.stdout, label).toMatch(new RegExp(`^${expected.replace(/[()]/g, '\\$&')}`));
      expect(result.status, label).toBe(expected.startsWith('OK') ? 0 : 1);
    }
  });

  it('finds a forged event whose hash was recomputed, at the next seq', () => {
    const events = buildChain(6);
    const forged = structuredClone(events);
    forged[2]!.payload = { id: 'user-1', type: 'User', data: { name: 'Mallory' } };
    forged[2]!.hash = hashEvent(forged[2]!.prevHash, forged[2]!);
    expect(run([], jsonl(forged)).stdout).toBe('BROKEN at seq 4: prevHash does not match the hash of seq 3');
  });

  it('continues a known head with --after-seq and --after-hash', () => {
    const events = buildChain(8);
    const tail = jsonl(events.slice(5));
    expect(run(['-', '--after-seq=5', `--after-hash=${events[4]!.hash}`], tail).stdout).toMatch(/^OK 3 events, last seq 8/);
    expect(run(['-', '--after-seq=5', `--after-hash=${events[3]!.hash}`], tail).stdout).toBe('BROKEN at seq 6: prevHash does not match the hash of seq 5');
    expect(run([], tail).stdout).toBe('BROKEN at seq 6: expected seq 1, found 6');
  });

  it('exits 2 for input or options it cannot read', () => {
    const cases: Array<[string[], string | undefined]> = [
      [[], 'not json'],
      [[], '{"items": [1, 2]}'],
      [[], '{"seq": 1'],
      [[], '42'],
      [[join(workDir, 'does-not-exist.jsonl')], undefined],
      [['--after-seq=5'], '[]'],
      [['--after-seq=x', `--after-hash=${'0'.repeat(64)}`], '[]'],
      [['--after-seq=1', '--after-hash=XYZ'], '[]'],
      [['--verbose'], '[]'],
    ];
    for (const [args, input] of cases) {
      const result = run(args, input);
      expect(result.status, `${args.join(' ')} ${input}`).toBe(2);
      expect(result.stderr).toMatch(/^verify-chain: /);
    }
  });
});
