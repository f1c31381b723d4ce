// Requests of the append bench Worker, shared with the Node driver, so this file
// stays free of Workers types.

/** Max operations of one request, so a typo cannot stall the object for minutes. */
export const MAX_BENCH_OPERATIONS = 100_000;

/**
 * Steps of one append that `POST /bench/stage/<name>` runs alone, in an order
 * that runs `project` (which creates things) before `read` (which reads them).
 */
export const appendStageNames = ['transaction', 'validate', 'id', 'hash', 'insert', 'head', 'project', 'read', 'respond'] as const;

export type AppendStage = (typeof appendStageNames)[number];

export function isAppendStage(name: string): name is AppendStage {
  return (appendStageNames as readonly string[]).includes(name);
}
