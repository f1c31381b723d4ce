import { resolve } from 'node:path';

import { type DevServer, removeStateDir, startDevServer } from '../../test/e2e/harness/wrangler-dev';
import { median, significant } from '../statistics';
import { type BenchRow, type BenchSuite, compare, type SuiteContext, type SuiteResult } from '../suite';
import { type AppendStage, appendStageNames, BATCH_SIZE, BATCH_SIZES, MAX_BENCH_OPERATIONS } from '../workers/append-bench-protocol';

const config = resolve(import.meta.dirname, '..', 'wrangler.append-bench.toml');
/** Operations per timed request and timed requests per path. */
const OPERATIONS = 10_000;
const ROUNDS = 5;

/**
 * One step of an append, listed in the order `TenantStore.write` runs it. `single`
 * and `batched` count its calls per append when a write carries one operation or
 * BATCH_SIZE of them. `statements` counts the SQLite statements of one call (a
 * savepoint counts as one), as read from the code of the write path.
 */
interface AppendStep {
  stage: AppendStage;
  label: string;
  statements: number;
  single: number;
  batched: number;
}

const perWrite = { single: 1, batched: 1 / BATCH_SIZE };
const perOperation = { single: 1, batched: 1 };
const appendSteps: readonly AppendStep[] = [
  { stage: 'transaction', label: 'transaction (savepoint) around the write', statements: 1, ...perWrite },
  { stage: 'exists', label: 'check in `createThing` that the id is free (`SELECT 1`)', statements: 1, single: 1, batched: 0 },
  { stage: 'existsBatch', label: `check of a batch that its ${BATCH_SIZE} ids are free, one statement (per id)`, statements: 1 / BATCH_SIZE, single: 0, batched: 1 },
  { stage: 'validate', label: 'payload validation (hand-written check of thing payloads)', statements: 0, ...perOperation },
  { stage: 'id', label: 'event id (UUIDv7)', statements: 0, ...perOperation },
  { stage: 'hash', label: 'payload JSON, its UTF-8 size, hash chain (canonical JSON, SHA-256)', statements: 0, single: 1, batched: 0 },
  {
    stage: 'hashBatch',
    label: 'the same for the events of one write, whose shared members the canonical JSON writes once',
    statements: 0,
    single: 0,
    batched: 1,
  },
  { stage: 'insert', label: '`events` row, one INSERT per event', statements: 1, single: 1, batched: 0 },
  { stage: 'insertBatch', label: '`events` rows, 18 per multi-row INSERT with 7 shared columns bound once (per row)', statements: 1 / 18, single: 0, batched: 1 },
  { stage: 'head', label: '`log_head` upsert', statements: 1, ...perWrite },
  { stage: 'project', label: 'things projection: INSERT of the thing row, counter changes kept in memory', statements: 1, single: 1, batched: 0 },
  { stage: 'projectBatch', label: 'things projection: 24 thing rows per multi-row INSERT (per row)', statements: 1 / 24, single: 0, batched: 1 },
  { stage: 'counters', label: 'projection counters: one upsert of the 3 changed counters', statements: 1, ...perWrite },
  { stage: 'quota', label: 'quota check: tenant config and storage bytes', statements: 2, ...perWrite },
  { stage: 'respond', label: 'response body of `POST /things` (view, JSON)', statements: 0, single: 1, batched: 0 },
  { stage: 'respondBatch', label: 'response body of `POST /batch` (per operation)', statements: 0, single: 0, batched: 1 },
];

export const eventAppendSuite: BenchSuite = {
  id: 'append',
  title: 'Event appends inside one tenant object',
  method: [
    'A bench-only Worker (`bench/workers/append-bench.ts`, `bench/wrangler.append-bench.toml`) runs under `wrangler dev`.',
    'Its Durable Object is a subclass of `TenantDO`, so both paths run in the same kind of object with the same SQLite storage, each in its own object:',
    '',
    '- **ours, single operations**: one request creates N things through `TenantStore.write` and `createThing`, the code path of `POST /things`,',
    '  one transaction per thing: payload validation, UUIDv7, hash chain, the `events` row and the log head, the things projection and its counters,',
    '  and the write guards of the tenant plugins (the quota check).',
    `- **ours, batched**: the same N things through \`TenantStore.write\` and \`runBatch\`, the code path of \`POST /batch\`, with ${BATCH_SIZES.join(', ')} creates per transaction, each size in its own object.`,
    '- **baseline**: one request runs N bare `INSERT`s of rows with the columns and value sizes of those `events` rows into a plain table.',
    '',
    'Time inside workerd does not advance during synchronous code, so Node times each whole request from outside, including its HTTP round trip and the final commit.',
    `After one warm-up request per path, the paths take turns for ${ROUNDS} rounds of ${OPERATIONS.toLocaleString('en-US')} operations each.`,
    'Each rate is the median over the rounds, and each ratio divides a median of ours by the median of the baseline.',
    'The bench requests run outside the request meter of the observability plugin, which a real request runs in; the step table gives its cost per statement.',
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
    const rate = async (path: BenchPath) => (operations / (await timeRequest(server, benchUrl(path), operations, start))) * 1000;

    for (const path of benchPaths) await rate(path);
    start += operations;
    const rates = new Map<BenchPath, number[]>(benchPaths.map((path) => [path, []]));
    for (let round = 0; round < rounds; round++) {
      for (const path of benchPaths) rates.get(path)!.push(await rate(path));
      start += operations;
      log(`round ${round + 1}/${rounds}: ${benchPaths.map((path) => `${path} ${Math.round(rates.get(path)!.at(-1)!)}/s`).join(', ')}`);
    }
    const overheads: number[] = [];
    for (let i = 0; i < 5; i++) overheads.push(await timeRequest(server, '/insert/bench/insert', 0, 0));
    const overheadMs = median(overheads);

    const bare = rates.get('insert')!;
    const baseline = significant(median(bare));
    const row = (name: string, path: BenchPath, operationsPerTransaction: number) => {
      const ours = rates.get(path)!;
      return compare(name, 'ops/s', significant(median(ours)), baseline, {
        operationsPerRound: operations,
        operationsPerTransaction,
        rounds,
        oursMin: significant(Math.min(...ours)),
        oursMax: significant(Math.max(...ours)),
        baselineMin: significant(Math.min(...bare)),
        baselineMax: significant(Math.max(...bare)),
        requestOverheadMs: significant(overheadMs),
        targetRatio: 0.5,
      });
    };
    const single = row('Events appended per second in one tenant object, one operation per write, against bare INSERTs of the same rows', 'events', 1);
    const batchedRows = BATCH_SIZES.map((size) =>
      row(`Events appended per second in one tenant object, ${size} operations per write, against bare INSERTs of the same rows`, `batches${size}`, size),
    );
    const batched = batchedRows[BATCH_SIZES.indexOf(BATCH_SIZE)]!;

    log('timing the steps of an append one at a time');
    const repetitions = quick ? 1 : 5;
    const stepMicros = quick ? await timeSteps(server, 500, repetitions, 0) : await timeSteps(server, 10_000, repetitions, 250);
    const measured = { single: 1e6 / single.ours, batched: 1e6 / batched.ours, bareInsert: 1e6 / single.baseline };
    return {
      rows: [single, ...batchedRows],
      notes: describeSteps(stepMicros, repetitions, measured),
      targets: describeAppendTargets([single, ...batchedRows], stepMicros, measured.bareInsert),
    };
  } finally {
    await server.stop();
    removeStateDir(server.persistDir);
  }
}

/** Bench Worker paths: single-operation writes, batched writes of each size, bare INSERTs; each runs in its own object. */
const benchPaths = ['events', ...BATCH_SIZES.map((size) => `batches${size}` as const), 'insert'] as const;
type BenchPath = (typeof benchPaths)[number];

/** URL of a path's bench request; the first segment names its object. */
function benchUrl(path: BenchPath): string {
  if (path.startsWith('batches')) return `/${path}/bench/batches?size=${path.slice('batches'.length)}`;
  return `/${path}/bench/${path}`;
}

/** Sends one bench request and returns its wall time in ms. Throws unless the object ran all `count` operations. */
async function timeRequest(server: DevServer, path: string, count: number, start: number): Promise<number> {
  const started = performance.now();
  const separator = path.includes('?') ? '&' : '?';
  const response = await server.request(null, `${path}${separator}count=${count}&start=${start}`, { method: 'POST', timeoutMs: 600_000 });
  const text = await response.text();
  const elapsed = performance.now() - started;
  if (response.status !== 200 || (JSON.parse(text) as { count: number }).count !== count) {
    throw new Error(`bench ${path}: POST returned ${response.status}: ${text.slice(0, 300)}\n${server.output().slice(-2000)}`);
  }
  return elapsed;
}

/**
 * Times each step alone in a separate object and returns its µs per call in each
 * of `repetitions` rounds. A warm-up round of `initialCount` calls per step
 * sizes each step's request to take about `targetMs`, so the empty-request time
 * (not subtracted) stays a small part of it.
 */
async function timeSteps(server: DevServer, initialCount: number, repetitions: number, targetMs: number): Promise<Map<AppendStage, number[]>> {
  const counts = new Map<AppendStage, number>();
  for (const stage of appendStageNames) {
    const ms = await timeRequest(server, `/stages/bench/stage/${stage}`, initialCount, 0);
    counts.set(stage, Math.min(MAX_BENCH_OPERATIONS, Math.max(initialCount, Math.ceil((initialCount * targetMs) / ms))));
  }

  const samples = new Map<AppendStage, number[]>();
  for (let repetition = 1; repetition <= repetitions; repetition++) {
    for (const stage of appendStageNames) {
      // Rounds start at multiples of the max count, so rows created by `insert` and `project` never collide.
      const count = counts.get(stage)!;
      const ms = await timeRequest(server, `/stages/bench/stage/${stage}`, count, repetition * MAX_BENCH_OPERATIONS);
      samples.set(stage, [...(samples.get(stage) ?? []), (ms * 1000) / count]);
    }
  }
  return samples;
}

/** States which rows reach the 0.5 target and, from the step times, why the others do not. */
function describeAppendTargets(rows: readonly BenchRow[], stepSamples: Map<AppendStage, number[]>, bareInsertMicros: number): string {
  const micros = (stage: AppendStage) => median(stepSamples.get(stage) ?? []);
  const curve = rows.map((row) => `${row.operationsPerTransaction} per write ${row.ratio}`).join(', ');
  const met = rows.filter((row) => row.ratio >= 0.5);
  const budget = 2 * bareInsertMicros;
  const rowWrites = micros('insertBatch') + micros('projectBatch');
  const batchedSum = appendSteps.reduce((sum, step) => sum + micros(step.stage) * step.batched, 0);
  const lines = [
    `**Event appends, target ≥ 0.5 of bare INSERTs**: ${met.length === 0 ? 'not met at any size' : `met from ${met[0]!.operationsPerTransaction} operations per write`} (ratios: ${curve}).`,
  ];
  if (met.length < rows.length) {
    lines.push(
      `Half the bare INSERT rate leaves ${significant(budget)} µs per operation. A batched create writes two rows, its event and its thing,`,
      `which take ${significant(micros('insertBatch'))} µs and ${significant(micros('projectBatch'))} µs in multi-row INSERTs, ${significant(rowWrites)} µs together;`,
      `the payload JSON and the hash chain take ${significant(micros('hashBatch'))} µs, most of it SHA-256 over the about 500 bytes of \`prevHash\` and the canonical JSON (8 or 9 blocks of 64 bytes);`,
      `validation, the event id and the id check take ${significant(micros('validate') + micros('id') + micros('existsBatch'))} µs.`,
      `The steps of a batched create sum to ${significant(batchedSum)} µs against that budget of ${significant(budget)} µs, and the measured batched append takes longer than the sum (see the step table).`,
      'A single-operation write pays a savepoint around four row writes, which alone takes more than twice the budget (see the step table).',
    );
  }
  return lines.join('\n');
}

/**
 * States how much the savepoint of `transactionSync` adds to the four row writes of a
 * single-operation append, worded by the sign of the difference: a short or noisy run
 * can time the writes inside the savepoint as faster than alone.
 */
export function describeSavepointCost(rowWrites: number, rowWritesInTransaction: number, emptySavepoint: number): string[] {
  const added = rowWritesInTransaction - rowWrites;
  const difference = added >= 0 ? `${significant(added)} µs more` : `${significant(-added)} µs less`;
  const lines = [
    `The four row writes of a single-operation append (event, thing, counters, log head) take ${significant(rowWrites)} µs alone`,
    `and ${significant(rowWritesInTransaction)} µs inside \`transactionSync\`, ${difference}, against ${significant(emptySavepoint)} µs for an empty savepoint.`,
  ];
  if (added > emptySavepoint) {
    lines.push(
      'The steps above do not include this. A likely cause is that SQLite copies each page before its first change inside a savepoint,',
      'so that it can roll back to the savepoint.',
    );
  } else {
    lines.push('In this run the savepoint added no more than an empty one, so the steps above leave out nothing measurable.');
  }
  return lines;
}

function describeSteps(
  stepSamples: Map<AppendStage, number[]>,
  repetitions: number,
  measured: { single: number; batched: number; bareInsert: number },
): string {
  const micros = (stage: AppendStage) => median(stepSamples.get(stage) ?? []);
  const spread = (stage: AppendStage) => {
    const samples = stepSamples.get(stage) ?? [];
    return Math.max(...samples) - Math.min(...samples);
  };
  const totals = (mode: 'single' | 'batched') => {
    let sum = 0;
    let sqlite = 0;
    let statements = 0;
    for (const step of appendSteps) {
      const perAppend = micros(step.stage) * step[mode];
      sum += perAppend;
      if (step.statements > 0) sqlite += perAppend;
      statements += step.statements * step[mode];
    }
    return { sum, sqlite, statements };
  };
  const single = totals('single');
  const batched = totals('batched');
  const budget = 2 * measured.bareInsert;
  const rowWrites = micros('rowWrites');
  const rowWritesInTransaction = micros('rowWritesInTransaction');
  const batchedRows = micros('insertBatch') + micros('projectBatch');
  const meteringMicros = micros('meteredExists') - micros('exists');

  const lines = [
    'Where the time of an append goes: each step of the event path runs alone, on the inputs the real path gives it, in a third object of the same kind.',
    `Each step is timed from outside like the paths above, ${repetitions > 1 ? `as the median of ${repetitions} rounds` : 'in one round'} after a round that sizes the requests.`,
    'Steps timed alone run in a tighter loop than the full path (warmer caches, less garbage), so their sum can fall below the measured append.',
    `A step that runs once per write counts 1 per append for single operations and 1/${BATCH_SIZE} for batched ones.`,
    '',
    '| step | µs per call | single: calls per append | single: statements | single: µs per append | batched: calls per append | batched: statements | batched: µs per append |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const step of appendSteps) {
    const cells = (mode: 'single' | 'batched') =>
      `${significant(step[mode])} | ${significant(step.statements * step[mode])} | ${significant(micros(step.stage) * step[mode])}`;
    lines.push(`| ${step.label} | ${significant(micros(step.stage))} | ${cells('single')} | ${cells('batched')} |`);
  }
  lines.push(
    `| sum of the steps | | | ${significant(single.statements)} | ${significant(single.sum)} | | ${significant(batched.statements)} | ${significant(batched.sum)} |`,
    '',
    `Steps that run SQLite statements take ${significant(single.sqlite)} µs of the ${significant(single.sum)} µs of a single-operation append`,
    `(${((100 * single.sqlite) / single.sum).toFixed(0)} %, ${significant(single.statements)} statements against 1 for the baseline)`,
    `and ${significant(batched.sqlite)} µs of the ${significant(batched.sum)} µs of a batched one (${significant(batched.statements)} statements).`,
    `The measured append takes ${significant(measured.single)} µs for single operations and ${significant(measured.batched)} µs batched;`,
    `the measured bare INSERT takes ${significant(measured.bareInsert)} µs.`,
    '',
    ...describeSavepointCost(rowWrites, rowWritesInTransaction, micros('transaction')),
    '',
    `The metering wrapper around \`ctx.storage\` (\`src/observability/request-meter.ts\`), which a real request runs in and these bench requests do not,`,
    `takes the id check from ${significant(micros('exists'))} µs to ${significant(micros('meteredExists'))} µs`,
    repetitions > 1
      ? `(the ${repetitions} rounds of each spread over ${significant(spread('exists'))} µs and ${significant(spread('meteredExists'))} µs).`
      : '(one round each, so the run has no spread to compare the difference with).',
    repetitions > 1 && meteringMicros > Math.max(spread('exists'), spread('meteredExists'))
      ? `That is ${significant(meteringMicros)} µs per statement, about ${significant(meteringMicros * single.statements)} µs for the ${significant(single.statements)} statements of a single-operation append.`
      : 'This run does not resolve the cost of the wrapper.',
    '',
    `Half the bare INSERT rate leaves ${significant(budget)} µs per append (twice the bare INSERT).`,
    `A single-operation write of a new thing needs its four row writes in a savepoint, ${significant(rowWritesInTransaction)} µs,`,
    `${rowWritesInTransaction > budget ? 'more than that budget' : 'within that budget'} before the id check, hashing, quota check and response.`,
    `A batched append writes its event row and its thing row in multi-row INSERTs, ${significant(batchedRows)} µs per operation,`,
    `${batchedRows > budget ? 'more than the budget' : `${((100 * batchedRows) / budget).toFixed(0)} % of the budget`} before the id check (${significant(micros('existsBatch'))} µs),`,
    `the payload JSON and hashing (${significant(micros('hashBatch'))} µs), validation (${significant(micros('validate'))} µs) and the event id (${significant(micros('id'))} µs).`,
  );
  return lines.join('\n');
}
