/** Outcome of one request in a round. */
export type RoundOutcome<Result> = { ok: true; value: Result } | { ok: false; error: unknown };

export interface CommitBatcherOptions<Request, Result> {
  /** Runs one round over every request queued for it and returns one outcome per request, in order. */
  runRound(requests: Request[]): Promise<RoundOutcome<Result>[]>;
  /** Least time between the end of one round and the start of the next, in ms. */
  intervalMs(): number;
  now(): number;
}

interface Waiting<Request, Result> {
  request: Request;
  resolve(result: Result): void;
  reject(error: unknown): void;
}

/**
 * Groups requests into rounds: at most one round runs at a time, and a round starts
 * no sooner than `intervalMs` after the previous one ended. Requests that arrive
 * while a round runs, or during the pause after it, all join the next round. The
 * first request after a quiet spell starts a round at once.
 *
 * The queue lives in memory: if the object restarts, waiting callers see their
 * RPC fail and retry, which is harmless because commits ignore files already committed.
 */
export class CommitBatcher<Request, Result> {
  private queue: Waiting<Request, Result>[] = [];
  private running = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastRoundEndedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: CommitBatcherOptions<Request, Result>) {}

  /** Queues `request` for the next round and resolves or rejects with its outcome. */
  submit(request: Request): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.running || this.timer !== null || this.queue.length === 0) return;
    const delay = this.lastRoundEndedAt + this.options.intervalMs() - this.options.now();
    if (delay <= 0) {
      void this.startRound();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.startRound();
    }, delay);
  }

  private async startRound(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    this.running = true;
    try {
      const outcomes = await this.options.runRound(batch.map((waiting) => waiting.request));
      batch.forEach((waiting, index) => {
        const outcome = outcomes[index];
        if (outcome === undefined) waiting.reject(new Error('commit round returned no outcome for a request'));
        else if (outcome.ok) waiting.resolve(outcome.value);
        else waiting.reject(outcome.error);
      });
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    } finally {
      this.running = false;
      this.lastRoundEndedAt = this.options.now();
      this.schedule();
    }
  }
}
