#!/usr/bin/env node
/**
 * Verifies the hash chain of a Tenantlog event log without any project code.
 *
 *   node scripts/verify-chain.mjs [FILE] [--after-seq=N --after-hash=HEX]
 *
 * Reads FILE, or standard input when FILE is absent or `-`. The input is one or
 * more JSON values separated by white space or nothing: single events (JSONL),
 * arrays of events, or `GET /events` pages (`{"items": [...]}`), so concatenated
 * `curl` outputs work as they are. Events must appear in log order.
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
 * options cannot be read.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const GENESIS_HASH = '0'.repeat(64);
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

/** Flattens events, arrays of events and `GET /events` pages into events. */
function* eventsOf(value) {
  const items = Array.isArray(value) ? value : Array.isArray(value?.items) ? value.items : [value];
  for (const item of items) {
    if (!isEvent(item)) {
      throw new InputError(`expected an event, an array of events or a GET /events page, found ${JSON.stringify(item).slice(0, 80)}`);
    }
    yield item;
  }
}

function verify(events, afterSeq, afterHash) {
  let lastSeq = afterSeq;
  let lastHash = afterHash;
  let count = 0;
  for (const event of events) {
    if (event.seq !== lastSeq + 1) return { ok: false, seq: event.seq, reason: `expected seq ${lastSeq + 1}, found ${event.seq}` };
    if (event.prevHash !== lastHash) return { ok: false, seq: event.seq, reason: `prevHash does not match the hash of seq ${lastSeq}` };
    let expected;
    try {
      expected = hashEvent(event.prevHash, event);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      return { ok: false, seq: event.seq, reason: error.message };
    }
    if (event.hash !== expected) return { ok: false, seq: event.seq, reason: `hash ${event.hash} does not match content (expected ${expected})` };
    lastSeq = event.seq;
    lastHash = event.hash;
    count += 1;
  }
  return { ok: true, count, lastSeq, lastHash };
}

function parseArguments(argv) {
  const options = { file: '-', afterSeq: 0, afterHash: GENESIS_HASH };
  let seenAfterSeq = false;
  let seenAfterHash = false;
  for (const argument of argv) {
    if (argument === '--help' || argument === '-h') {
      options.help = true;
    } else if (argument.startsWith('--after-seq=')) {
      const value = argument.slice('--after-seq='.length);
      if (!/^\d+$/.test(value)) throw new InputError(`--after-seq must be a whole number, not ${JSON.stringify(value)}`);
      options.afterSeq = Number(value);
      seenAfterSeq = true;
    } else if (argument.startsWith('--after-hash=')) {
      const value = argument.slice('--after-hash='.length);
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
  return options;
}

function main() {
  let options;
  let text;
  try {
    options = parseArguments(process.argv.slice(2));
    if (options.help) {
      process.stdout.write('usage: node scripts/verify-chain.mjs [FILE|-] [--after-seq=N --after-hash=HEX]\n');
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
