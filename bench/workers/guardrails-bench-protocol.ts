// Requests of the guardrails bench Worker, shared with the Node driver, so this
// file stays free of Workers types.

/** Max requests of one bench request, so a typo cannot stall the object for minutes. */
export const MAX_BENCH_REQUESTS = 100_000;

/** Tenant every bench object serves. */
export const GUARDRAILS_BENCH_TENANT = 'bench';

/** Storage calls and log lines per request, averaged over the requests of one bench request. */
export interface RequestCensus {
  requests: number;
  /** SQL statements by their text (whitespace collapsed), most frequent first. */
  statements: { text: string; perRequest: number }[];
  /** Calls of `getAlarm`, `setAlarm` and `deleteAlarm` per request. */
  alarmCalls: Record<string, number>;
  logLinesPerRequest: number;
}

/** Steps of the plugins that `POST /bench/stage/<name>` runs alone (see guardrails-stages.ts). */
export const guardrailsStageNames = ['await', 'scope', 'response', 'responseCopy', 'record', 'databaseSize', 'apiCallUpsert', 'storageBytes'] as const;

export type GuardrailsStage = (typeof guardrailsStageNames)[number];

export function isGuardrailsStage(name: string): name is GuardrailsStage {
  return (guardrailsStageNames as readonly string[]).includes(name);
}
