// Retry delays for the watch loops: exponential with jitter for transient failures (so many
// watchers do not reconnect in lockstep after an outage), and a slower fixed pace for answers
// that only change when someone acts (403 until RBAC is granted, 404 until a CRD is installed).

export interface BackoffOptions {
  /** first delay after a transient failure (default 250 ms) */
  initialMs?: number;
  /** ceiling for transient failures (default 10 s) */
  maxMs?: number;
  /** delay between retries of 401/403/404 (default 30 s) */
  persistentMs?: number;
}

export class Backoff {
  private attempt = 0;
  private readonly initialMs: number;
  private readonly maxMs: number;
  readonly persistentMs: number;

  constructor(opts: BackoffOptions = {}, private readonly random: () => number = Math.random) {
    this.initialMs = opts.initialMs ?? 250;
    this.maxMs = opts.maxMs ?? 10_000;
    this.persistentMs = opts.persistentMs ?? 30_000;
  }

  /** The next transient-failure delay: initial·2^n capped at max, ±20 % jitter. */
  next(): number {
    const base = Math.min(this.maxMs, this.initialMs * 2 ** this.attempt);
    this.attempt++;
    return Math.round(base * (0.8 + 0.4 * this.random()));
  }

  reset(): void {
    this.attempt = 0;
  }
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects: the caller checks the signal). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
