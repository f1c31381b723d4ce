import { resolve } from 'node:path';

import { type DevServer, removeStateDir, startDevServer } from '../../test/e2e/harness/wrangler-dev';
import { median, significant } from '../statistics';
import { type BenchSuite, compare, type SuiteContext, type SuiteResult } from '../suite';
import { type AppendStage, appendStageNames, MAX_BENCH_OPERATIONS } from '../workers/append-bench-protocol';

const config = resolve(import.meta.dirname, '..', 'wrangler.append-bench.toml');
/** Operations per timed request and timed requests per path. */
const OPERATIONS = 10_000;
const ROUNDS = 5;

/**
 * The steps of one append in the order `TenantStore.write` runs them, how often
 * each runs per append and how many SQLite statements one call runs (a
 * savepoint counts as one), as read from the code of the write path.
 */
const appendSteps: readonly { stage: AppendStage; label: string; perAppend: number; statements: number }[] = [
  { stage: 'transaction', label: 'transaction (savepoint) around the write', perAppend: 1, statements: 1 },
  { stage: 'read', label: 'thing read in `createThing` (existence check, then result), timed as a read of an existing thing', perAppend: 2, statements: 1 },
  { stage: 'validate', label: 'payload validation (zod)', perAppend: 1, statements: 0 },
  { stage: 'id', label: 'event id (UUIDv7)', perAppend: 1, statements: 0 },
  { stage: 'hash', label: 'hash chain (canonical JSON, SHA-256)', perAppend: 1, statements: 0 },
  { stage: 'insert', label: '`events` row INSERT', perAppend: 1, statements: 1 },
  { stage: 'head', label: '`log_head` upsert', perAppend: 1, statements: 1 },
  { stage: 'project', label: 'projections (read previous state, things upsert, 3 counter upserts)', perAppend: 1, statements: 5 },
  { stage: 'respond', label: 'response body (view, JSON)', perAppend: 1, statements: 0 },
];

export const eventAppendSuite: BenchSuite = {
  id: 'append',
  title: 'Event appends inside one tenant object',
  method: [
    'A bench-only Worker (`bench/workers/append-bench.ts`, `bench/wrangler.append-bench.toml`) runs under `wrangler dev`.',
    'Its Durable Object is a subclass of `TenantDO`, so both paths run in the same kind of object with the same SQLite storage, each in its own object:',
    '',
    '- **ours**: one request creates N things through `TenantStore.write` and `createThing`, the code path of `POST /things`:',
    '  payload validation, UUIDv7, hash chain, `events` and `log_head` rows, the things projection and its counters, one transaction per thing.',
    '- **baseline**: one request runs N bare `INSERT`s of rows with the columns and value sizes of those `events` rows into a plain table.',
    '',
    'Time inside workerd does not advance during synchronous code, so Node times each whole request from outside, including its HTTP round trip and the final commit.',
    `After one warm-up request per path, the two paths alternate for ${ROUNDS} rounds of ${OPERATIONS.toLocaleString('en-US')} operations each.`,
    'Each rate is the median over the rounds, and the ratio divides the medians.',
    '`requestOverheadMs` is the median time of a request that runs 0 operations, for scale; nothing is subtracted from the rates.',
  ].join('\n'),
  run: runEventAppend,
};

async function runEventAppend({ log, quick }: SuiteContext): Promise<SuiteResult> {
  const operations = quick ? 500 : OPERATIONS;
  const rounds = quick ? 2 : ROUNDS;
  const server = await startDevServer({ configPath: config });
  try {
    let start = 0;
    const rate = async (path: 'events' | 'insert') => (operations / (await timeRequest(server, `/${path}/bench/${path}`, operations, start))) * 1000;

    await rate('events');
    await rate('insert');
    start += operations;
    const rates = { events: [] as number[], insert: [] as number[] };
    for (let round = 0; round < rounds; round++) {
      rates.events.push(await rate('events'));
      rates.insert.push(await rate('insert'));
      start += operations;
      log(`round ${round + 1}/${rounds}: events ${Math.round(rates.events.at(-1)!)}/s, bare inserts ${Math.round(rates.insert.at(-1)!)}/s`);
    }
    const overheads: number[] = [];
    for (let i = 0; i < 5; i++) overheads.push(await timeRequest(server, '/insert/bench/insert', 0, 0));
    const overheadMs = median(overheads);

    const row = compare('Events appended per second in one tenant object, against bare INSERTs of the same rows', 'ops/s', significant(median(rates.events)), significant(median(rates.insert)), {
      operationsPerRound: operations,
      rounds,
      oursMin: significant(Math.min(...rates.events)),
      oursMax: significant(Math.max(...rates.events)),
      baselineMin: significant(Math.min(...rates.insert)),
      baselineMax: significant(Math.max(...rates.insert)),
      requestOverheadMs: significant(overheadMs),
      targetRatio: 0.5,
    });

    log('timing the steps of an append one at a time');
    const repetitions = quick ? 1 : 3;
    const stepMicros = quick ? await timeSteps(server, 500, repetitions, 0) : await timeSteps(server, 10_000, repetitions, 250);
    return { rows: [row], notes: describeSteps(stepMicros, repetitions, 1e6 / row.ours, 1e6 / row.baseline) };
  } finally {
    await server.stop();
    removeStateDir(server.persistDir);
  }
}

/** Sends one bench request and returns its wall time in ms. Throws unless the object ran all `count` operations. */
async function timeRequest(server: DevServer, path: string, count: number, start: number): Promise<number> {
  const started = performance.now();
  const response = await server.request(null, `${path}?count=${count}&start=${start}`, { method: 'POST', timeoutMs: 600_000 });
  const text = await response.text();
  const elapsed = performance.now() - started;
  if (response.status !== 200 || (JSON.parse(text) as { count: number }).count !== count) {
    throw new Error(`bench ${path}: POST returned ${response.status}: ${text.slice(0, 300)}\n${server.output().slice(-2000)}`);
  }
  return elapsed;
}

/**
 * Times each step alone in a separate object and returns the median µs per call
 * over `repetitions` rounds. A warm-up round of `initialCount` calls per step
 * sizes each step's request to take about `targetMs`, so the empty-request time
 * (not subtracted) stays a small part of it.
 */
async function timeSteps(server: DevServer, initialCount: number, repetitions: number, targetMs: number): Promise<Map<AppendStage, number>> {
  const counts = new Map<AppendStage, number>();
  for (const stage of appendStageNames) {
    const ms = await timeRequest(server, `/stages/bench/stage/${stage}`, initialCount, 0);
    counts.set(stage, Math.min(MAX_BENCH_OPERATIONS, Math.max(initialCount, Math.ceil((initialCount * targetMs) / ms))));
  }
  // `read` reads the things that `project` created in the same round, so it may not read more of them.
  counts.set('read', Math.min(counts.get('read')!, counts.get('project')!));

  const samples = new Map<AppendStage, number[]>();
  for (let repetition = 1; repetition <= repetitions; repetition++) {
    for (const stage of appendStageNames) {
      // Rounds start at multiples of the max count, so rows created by `insert` and `project` never collide.
      const count = counts.get(stage)!;
      const ms = await timeRequest(server, `/stages/bench/stage/${stage}`, count, repetition * MAX_BENCH_OPERATIONS);
      samples.set(stage, [...(samples.get(stage) ?? []), (ms * 1000) / count]);
    }
  }
  return new Map([...samples].map(([stage, micros]) => [stage, median(micros)]));
}

function describeSteps(stepMicros: Map<AppendStage, number>, repetitions: number, appendMicros: number, bareInsertMicros: number): string {
  const perAppend = appendSteps.map((step) => ({ ...step, micros: stepMicros.get(step.stage) ?? Number.NaN }));
  const sum = perAppend.reduce((total, step) => total + step.micros * step.perAppend, 0);
  const sqlite = perAppend.filter((step) => step.statements > 0).reduce((total, step) => total + step.micros * step.perAppend, 0);
  const statements = perAppend.reduce((total, step) => total + step.statements * step.perAppend, 0);

  const lines = [
    'Where the time of an append goes: each step of the event path runs alone, on the inputs the real path gives it, in a third object of the same kind.',
    `Each step is timed from outside like the paths above, as the median of ${repetitions} rounds after a round that sizes the requests.`,
    'Steps timed alone run in a tighter loop than the full path (warmer caches, less garbage), so their sum can fall below the measured append.',
    '',
    '| step | SQLite statements | µs per call | calls per append | µs per append | share of the sum |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const step of perAppend) {
    const micros = step.micros * step.perAppend;
    lines.push(`| ${step.label} | ${step.statements} | ${significant(step.micros)} | ${step.perAppend} | ${significant(micros)} | ${((100 * micros) / sum).toFixed(1)} % |`);
  }
  lines.push(
    `| sum of the steps | ${statements} | | | ${significant(sum)} | 100 % |`,
    '',
    `Steps that run SQLite statements take ${significant(sqlite)} µs of the ${significant(sum)} µs (${((100 * sqlite) / sum).toFixed(0)} %),`,
    `for ${statements} statements per append against 1 for the baseline.`,
    `The measured append takes ${significant(appendMicros)} µs and the measured bare INSERT ${significant(bareInsertMicros)} µs.`,
  );
  return lines.join('\n');
}
