/** Severity of a structured log line. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * Writes one JSON log line. Workers Logs and `wrangler tail` index the fields, so
 * callers pass ids and numbers as fields rather than inside `message`. Never pass
 * secrets or request payloads.
 */
export function log(level: LogLevel, message: string, fields: Record<string, unknown> = {}): void {
  const envelope = { level, message, time: new Date().toISOString() };
  // A field named `level`, `message` or `time` must not replace the line's own; the
  // envelope's keys stay first, so every line starts with its level.
  const line = JSON.stringify({ ...envelope, ...fields, ...envelope });
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}

/** Flattens an unknown thrown value into loggable fields, keeping the cause chain. */
export function errorFields(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { error: String(error) };
  const fields: Record<string, unknown> = { error: error.message, errorName: error.name };
  if (error.stack) fields.stack = error.stack;
  if (error.cause !== undefined) fields.cause = errorFields(error.cause);
  return fields;
}
