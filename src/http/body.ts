import { TenantlogError } from '../errors';

/** Largest request body accepted, in bytes (1 MiB). */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Reads a request body, rejecting more than `maxBytes` without buffering the
 * excess: a declared `Content-Length` over the limit fails at once, and a
 * chunked body fails as soon as the running total passes it.
 */
export async function readBodyBytes(request: Request, maxBytes = MAX_BODY_BYTES): Promise<Uint8Array> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) {
    throw tooLarge(Number(declared), maxBytes);
  }
  if (!request.body) return new Uint8Array(0);

  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
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
  return bytes;
}

/** Reads a request body as UTF-8 text, with the size limit of `readBodyBytes`. */
export async function readBodyText(request: Request, maxBytes = MAX_BODY_BYTES): Promise<string> {
  const bytes = await readBodyBytes(request, maxBytes);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (cause) {
    throw new TenantlogError('INVALID_JSON', 'request body is not valid UTF-8', { cause });
  }
}

function tooLarge(bytes: number, maxBytes: number): TenantlogError {
  return new TenantlogError('PAYLOAD_TOO_LARGE', `request body of ${bytes} bytes exceeds the limit of ${maxBytes} bytes`, {
    details: { limitBytes: maxBytes },
  });
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
 * as JSON (415 otherwise) and parse (400 otherwise).
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
  try {
    return JSON.parse(text);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new TenantlogError('INVALID_JSON', `request body is not valid JSON: ${reason}`, { cause });
  }
}
