import { TenantlogError } from '../errors';
import { assertStorableJson } from './json-constraints';

/** Largest request body accepted, in bytes (1 MiB). */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Maximum bytes read and thrown away from a body that is rejected or not needed,
 * before the stream is cancelled instead. The edge Worker pipes the client's body
 * into the Durable Object. When the object stops reading mid-pipe, workerd logs
 * "Network connection lost" or "Can't read from request stream after response has
 * been sent" as uncaught exceptions, and `wrangler dev` returned 503 in place of a
 * 413. NOTE: a rejected body larger than this is still cancelled mid-pipe.
 */
export const MAX_DRAIN_BYTES = 8 * MAX_BODY_BYTES;

/**
 * Reads a request body as text, rejecting more than `maxBytes` without buffering
 * the excess: a declared `Content-Length` over the limit fails at once, and a
 * chunked body fails as soon as the running total passes it.
 */
export async function readBodyText(request: Request, maxBytes = MAX_BODY_BYTES): Promise<string> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) {
    throw tooLarge(Number(declared), maxBytes);
  }
  if (!request.body) return '';

  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      total += await drain(reader);
      throw tooLarge(total, maxBytes);
    }
    chunks.push(value);
  }

  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (cause) {
    throw new TenantlogError('INVALID_JSON', 'request body is not valid UTF-8', { cause });
  }
}

function tooLarge(bytes: number, maxBytes: number): TenantlogError {
  return new TenantlogError('PAYLOAD_TOO_LARGE', `request body of at least ${bytes} bytes exceeds the limit of ${maxBytes} bytes`, {
    details: { limitBytes: maxBytes },
  });
}

/** Reads and discards the rest of a stream, up to MAX_DRAIN_BYTES; returns the bytes read. */
async function drain(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<number> {
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return total;
    total += value.byteLength;
    if (total > MAX_DRAIN_BYTES) {
      await reader.cancel();
      return total;
    }
  }
}

/**
 * Reads and discards a request body that the handler left unread, such as the
 * body of a request rejected for its headers, so the response goes out cleanly.
 * Never throws: a failure here means the client went away.
 */
export async function discardUnreadBody(request: Request): Promise<void> {
  if (!request.body || request.bodyUsed) return;
  try {
    await drain(request.body.getReader());
  } catch {
    // The response is already decided; a broken body stream cannot change it.
  }
}

/** True for `application/json` and `application/<x>+json`, with or without parameters. */
export function isJsonContentType(contentType: string | null): boolean {
  if (contentType === null) return false;
  const mediaType = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return mediaType === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType);
}

/**
 * Reads and parses a JSON request body. Returns `undefined` for an empty body, so
 * endpoints decide whether a body is required. A non-empty body must be declared
 * as JSON (415 otherwise), parse and pass `assertStorableJson` (400 otherwise).
 */
export async function readJsonBody(request: Request, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  const text = await readBodyText(request, maxBytes);
  if (text.length === 0) return undefined;

  const contentType = request.headers.get('content-type');
  if (!isJsonContentType(contentType)) {
    throw new TenantlogError(
      'UNSUPPORTED_MEDIA_TYPE',
      `content type ${contentType === null ? '(none)' : JSON.stringify(contentType)} is not supported; send application/json`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new TenantlogError('INVALID_JSON', `request body is not valid JSON: ${reason}`, { cause });
  }
  assertStorableJson(value);
  return value;
}
