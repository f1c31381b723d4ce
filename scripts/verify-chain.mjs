#!/usr/bin/env node
/**
 * Verifies the hash chain of a Tenantlog event log without any project code.
 *
 *   node scripts/verify-chain.mjs [FILE|-] [--after-seq N --after-hash HEX] [--allow-empty]
 *
 * Reads FILE, or standard input when FILE is absent or `-`. The input is one or
 * more JSON values separated by white space or nothing: single events (JSONL),
 * arrays of events, `GET /events` pages (`{"items": [...]}`) or objects with an
 * `events` array, so concatenated `curl` outputs work as they are. Events must
 * appear in log order. An event is either the envelope of `GET /events` and
 * `GET /admin/export`, or a row of the Iceberg table's Parquet files as DuckDB
 * prints it in JSON. Such a row has snake_case columns, `occurred_at` as a
 * timestamp text with a UTC offset (`2026-12-04 22:44:52.465+00`) and `payload`
 * as JSON text.
 *
 * Each event's hash must equal the lower-case hex SHA-256 of the UTF-8 bytes of
 * its `prevHash` followed by the RFC 8785 canonical JSON of the fields
 * tenant, seq, id, type, schemaVersion, occurredAt, actor, correlationId,
 * causationId, idempotencyKey and payload. docs/events.md describes the format.
 *
 * By default the first event must be seq 1 with 64 zeros as prevHash; with
 * --after-seq and --after-hash the input continues a log whose head is known.
 *
 * Prints `OK ...` and exits 0 when the chain holds, prints `BROKEN at seq N: ...`
 * and exits 1 at the first broken event, and exits 2 when the input or the
 * options cannot be read, when the input does not start at the seq the options
 * give, and when the input contains no event (unless --allow-empty).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const GENESIS_HASH = '0'.repeat(64);
const USAGE = 'usage: node scripts/verify-chain.mjs [FILE|-] [--after-seq N --after-hash HEX] [--allow-empty]';
const HELP = `${USAGE}

Checks the hash chain of a Tenantlog event log read from FILE, or from standard
input when FILE is absent or -. The input contains events in log order: JSON lines,
arrays, GET /events pages, GET /admin/export output, or rows of the Iceberg
table's Parquet files as DuckDB prints them in JSON.

  --after-seq N     seq of the last event before the input, whose hash you trust (default 0)
  --after-hash HEX  hash of that event, 64 lower-case hex digits (default 64 zeros)
  --allow-empty     accept an input without events instead of exiting 2
  -h, --help        print this help and exit

Exit codes: 0 the chain holds, 1 an event is broken, 2 invalid input or options.
`;
const HASHED_FIELDS = ['tenant', 'seq', 'id', 'type', 'schemaVersion', 'occurredAt', 'actor', 'correlationId', 'causationId', 'idempotencyKey', 'payload'];
const OPTIONAL_FIELDS = new Set(['actor', 'causationId', 'idempotencyKey']);

class InputError extends Error {}

/** RFC 8785: sorted member names, no white space, ECMAScript number and string forms. */
function canonicalJson(value) {
  if (value === null) return 'null';
  if (typeof value === 'string') return canonicalString(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InputError(`number ${value} has no JSON form`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const members = Object.keys(value)
      .sort()
      .map((key) => `${canonicalString(key)}:${canonicalJson(value[key])}`);
    return `{${members.join(',')}}`;
  }
  throw new InputError(`a ${typeof value} has no JSON form`);
}

function canonicalString(text) {
  if (/[\uD800-\uDFFF]/u.test(text)) throw new InputError(`string ${JSON.stringify(text.slice(0, 40))} has an unpaired surrogate`);
  return JSON.stringify(text);
}

function hashEvent(prevHash, event) {
  const fields = {};
  for (const name of HASHED_FIELDS) {
    const value = event[name];
    if (value === undefined && !OPTIONAL_FIELDS.has(name)) throw new InputError(`event at seq ${event.seq} has no ${name}`);
    fields[name] = value ?? null;
  }
  return createHash('sha256').update(prevHash, 'utf8').update(canonicalJson(fields), 'utf8').digest('hex');
}

/** Splits text into its top-level JSON objects and arrays. */
function* jsonValues(text) {
  let index = 0;
  while (index < text.length) {
    while (index < text.length && /\s/.test(text[index])) index += 1;
    if (index >= text.length) return;
    const start = index;
    if (text[index] !== '{' && text[index] !== '[') {
      throw new InputError(`expected an object or array at character ${index}, found ${JSON.stringify(text.slice(index, index + 20))}`);
    }
    let depth = 0;
    let inString = false;
    for (; index < text.length; index++) {
      const char = text[index];
      if (inString) {
        if (char === '\\') index += 1;
        else if (char === '"') inString = false;
      } else if (char === '"') {
        inString = true;
      } else if (char === '{' || char === '[') {
        depth += 1;
      } else if (char === '}' || char === ']') {
        depth -= 1;
        if (depth === 0) break;
      }
    }
    if (depth !== 0) throw new InputError(`unterminated JSON value starting at character ${start}`);
    index += 1;
    try {
      yield JSON.parse(text.slice(start, index));
    } catch (error) {
      throw new InputError(`invalid JSON starting at character ${start}: ${error.message}`);
    }
  }
}

function isEvent(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && 'seq' in value && 'hash' in value;
}

/** Flattens events, arrays of events, `GET /events` pages and `{"events": [...]}` objects into events. */
function* eventsOf(value) {
  const items = Array.isArray(value)
    ? value
    : Array.isArray(value?.items)
      ? value.items
      : Array.isArray(value?.events)
        ? value.events
        : [value];
  for (const item of items) {
    if (!isEvent(item)) {
      throw new InputError(`expected an event, an array of events or a GET /events page, found ${JSON.stringify(item).slice(0, 80)}`);
    }
    yield item;
  }
}

/** Envelope names of the Parquet columns whose names differ; the other columns have the same names. */
const ROW_COLUMNS = {
  schema_version: 'schemaVersion',
  correlation_id: 'correlationId',
  causation_id: 'causationId',
  idempotency_key: 'idempotencyKey',
  prev_hash: 'prevHash',
};

/** True for a row of the table's Parquet files, which has `prev_hash` where an envelope has `prevHash`. */
function isParquetRow(event) {
  return 'prev_hash' in event && !('prevHash' in event);
}

/**
 * Returns the envelope of a Parquet row, or the event itself when it is one. Integer
 * columns may arrive as numbers or, from some DuckDB clients, as decimal text.
 */
function envelopeOf(event) {
  if (!isParquetRow(event)) return event;
  const envelope = {};
  for (const [name, value] of Object.entries(event)) envelope[ROW_COLUMNS[name] ?? name] = value;
  envelope.seq = integerOf(event.seq, 'seq');
  envelope.schemaVersion = integerOf(event.schema_version, 'schema_version');
  if (event.occurred_at !== undefined) envelope.occurredAt = epochMillisOf(event.occurred_at);
  if (event.payload !== undefined) envelope.payload = payloadOf(event.payload);
  return envelope;
}

function integerOf(value, column) {
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  if (value === undefined || Number.isInteger(value)) return value;
  throw new InputError(`column ${column} is ${JSON.stringify(value)}, not an integer`);
}

function payloadOf(text) {
  if (typeof text !== 'string') throw new InputError(`column payload must be JSON text, found ${JSON.stringify(text).slice(0, 40)}`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(`column payload is not valid JSON: ${error.message}`);
  }
}

// DuckDB prints a TIMESTAMPTZ as `2026-12-04 22:44:52.465+00`: trailing zeros of the
// fraction dropped, the offset of its TimeZone setting (`+05:30` elsewhere). ISO 8601
// with `T` and `Z` is accepted too. A time without an offset is ambiguous and rejected.
const TIMESTAMP = /^(\d{4,})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)$/;

/**
 * Converts an `occurred_at` text to ms since the Unix epoch, exactly. The table
 * stores microseconds, and an event's `occurredAt` is whole milliseconds, so digits
 * below the millisecond must be zero.
 */
function epochMillisOf(text) {
  const match = typeof text === 'string' ? TIMESTAMP.exec(text) : null;
  if (match === null) {
    throw new InputError(`column occurred_at ${JSON.stringify(text)} is not a timestamp with a UTC offset, such as "2026-12-04 22:44:52.465+00"`);
  }
  const [, year, month, day, hour, minute, second, fraction = '', offset] = match;
  const digits = fraction.padEnd(9, '0');
  if (!/^0+$/.test(digits.slice(3))) throw new InputError(`column occurred_at ${JSON.stringify(text)} has digits below the millisecond`);
  const date = new Date(0);
  date.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  date.setUTCHours(Number(hour), Number(minute), Number(second), Number(digits.slice(0, 3)));
  if (date.getUTCMonth() !== Number(month) - 1 || date.getUTCDate() !== Number(day) || date.getUTCHours() !== Number(hour)) {
    throw new InputError(`column occurred_at ${JSON.stringify(text)} is not a valid time`);
  }
  return date.getTime() - offsetMillis(offset);
}

function offsetMillis(offset) {
  if (offset === 'Z') return 0;
  const [hours, minutes = '0', seconds = '0'] = offset.slice(1).match(/\d{2}/g);
  const millis = ((Number(hours) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000;
  return offset[0] === '-' ? -millis : millis;
}

function verify(events, afterSeq, afterHash) {
  let lastSeq = afterSeq;
  let lastHash = afterHash;
  let count = 0;
  for (const item of events) {
    let event;
    let expected;
    try {
      event = envelopeOf(item);
      if (event.seq !== lastSeq + 1) return { ok: false, seq: event.seq, reason: `expected seq ${lastSeq + 1}, found ${event.seq}` };
      if (event.prevHash !== lastHash) return { ok: false, seq: event.seq, reason: `prevHash does not match the hash of seq ${lastSeq}` };
      expected = hashEvent(event.prevHash, event);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      return { ok: false, seq: item.seq, reason: error.message };
    }
    if (event.hash !== expected) return { ok: false, seq: event.seq, reason: `hash ${event.hash} does not match content (expected ${expected})` };
    lastSeq = event.seq;
    lastHash = event.hash;
    count += 1;
  }
  return { ok: true, count, lastSeq, lastHash };
}

/**
 * Returns why the input cannot continue the head that the options give, or null
 * when its first event is the next seq. A part of a log needs the seq and hash of
 * the event before it, and a missing first event is indistinguishable from such a part.
 */
function startMismatch(first, options) {
  const seq = isParquetRow(first) ? Number(first.seq) : first.seq;
  if (seq === options.afterSeq + 1) return null;
  if (options.afterGiven) {
    return (
      `the input starts at seq ${JSON.stringify(first.seq)}, but --after-seq=${options.afterSeq} expects seq ${options.afterSeq + 1}; ` +
      'pass the seq and hash of the event just before the input'
    );
  }
  if (!Number.isInteger(seq) || seq < 1) return `the input starts at seq ${JSON.stringify(first.seq)}, not 1`;
  return (
    `the input starts at seq ${seq}, not 1, so it is part of a log. To check it, pass the seq and hash of the event ` +
    `before it, taken from a source you trust: --after-seq=${seq - 1} --after-hash=<hash of seq ${seq - 1}>`
  );
}

/** Options that take a value, as `--name=value` or `--name value`. */
const VALUE_OPTIONS = new Set(['--after-seq', '--after-hash']);

function parseArguments(argv) {
  const options = { file: '-', afterSeq: 0, afterHash: GENESIS_HASH, afterGiven: false, allowEmpty: false, help: false };
  let seenAfterSeq = false;
  let seenAfterHash = false;
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index];
    const equals = argument.indexOf('=');
    const name = argument.startsWith('--') && equals > 0 ? argument.slice(0, equals) : argument;
    let value;
    if (VALUE_OPTIONS.has(name)) {
      if (name !== argument) {
        value = argument.slice(equals + 1);
      } else {
        if (index + 1 >= argv.length) throw new InputError(`${name} needs a value; see --help`);
        index += 1;
        value = argv[index];
      }
    }
    if (argument === '--help' || argument === '-h') {
      options.help = true;
    } else if (argument === '--allow-empty') {
      options.allowEmpty = true;
    } else if (name === '--after-seq') {
      if (!/^\d+$/.test(value)) throw new InputError(`--after-seq must be a whole number, not ${JSON.stringify(value)}`);
      options.afterSeq = Number(value);
      seenAfterSeq = true;
    } else if (name === '--after-hash') {
      if (!/^[0-9a-f]{64}$/.test(value)) throw new InputError('--after-hash must be 64 lower-case hex digits');
      options.afterHash = value;
      seenAfterHash = true;
    } else if (argument.startsWith('--')) {
      throw new InputError(`unknown option ${argument}; see --help`);
    } else {
      options.file = argument;
    }
  }
  if (seenAfterSeq !== seenAfterHash) throw new InputError('--after-seq and --after-hash go together');
  options.afterGiven = seenAfterSeq;
  return options;
}

function main() {
  let options;
  let text;
  try {
    options = parseArguments(process.argv.slice(2));
    if (options.help) {
      process.stdout.write(HELP);
      return 0;
    }
    text = readFileSync(options.file === '-' ? 0 : options.file, 'utf8');
  } catch (error) {
    process.stderr.write(`verify-chain: ${error.message}\n`);
    return 2;
  }

  try {
    const events = [];
    for (const value of jsonValues(text)) events.push(...eventsOf(value));
    if (events.length === 0 && !options.allowEmpty) {
      throw new InputError('the input contains no events; pass --allow-empty if an empty log or range is expected');
    }
    const mismatch = events.length === 0 ? null : startMismatch(events[0], options);
    if (mismatch !== null) throw new InputError(mismatch);
    const result = verify(events, options.afterSeq, options.afterHash);
    if (!result.ok) {
      process.stdout.write(`BROKEN at seq ${result.seq}: ${result.reason}\n`);
      return 1;
    }
    process.stdout.write(`OK ${result.count} events, last seq ${result.lastSeq}, head hash ${result.lastHash}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    process.stderr.write(`verify-chain: ${error.message}\n`);
    return 2;
  }
}

process.exitCode = main();
