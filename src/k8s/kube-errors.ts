// The two ways a call to the API server fails, kept apart because the user acts on them
// differently: the server answered with an error Status (403, 404, 409, 410, 422 …), or it
// could not be reached at all.
import type { KubeStatus } from './resources';

/** The server answered with a non-2xx status; `message` is the server's own message. */
export class KubeApiError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly details: KubeStatus['details'];

  constructor(status: number, body: KubeStatus | undefined, fallbackText: string, readonly request: string) {
    super(body?.message || fallbackText || `HTTP ${status}`);
    this.name = 'KubeApiError';
    this.status = status;
    this.reason = body?.reason ?? '';
    this.details = body?.details;
  }
}

/** No HTTP answer: connection refused, DNS, TLS, timeout. */
export class KubeUnreachableError extends Error {
  constructor(
    readonly server: string,
    cause: unknown,
  ) {
    super(`cannot reach the API server at ${server}: ${describeNetworkError(cause)}`, { cause });
    this.name = 'KubeUnreachableError';
  }
}

export function isApiError(e: unknown, status?: number): e is KubeApiError {
  return e instanceof KubeApiError && (status === undefined || e.status === status);
}

/** undici wraps the socket error in `TypeError: fetch failed` with the real one as `cause`. */
export function describeNetworkError(e: unknown): string {
  let cur: unknown = e;
  const parts: string[] = [];
  for (let depth = 0; cur && depth < 4; depth++) {
    const err = cur as { code?: string; message?: string; cause?: unknown };
    if (err.code && err.message && !err.message.includes(err.code)) parts.push(`${err.code} ${err.message}`);
    else if (err.message && err.message !== 'fetch failed') parts.push(err.message);
    else if (err.code) parts.push(err.code);
    cur = err.cause;
  }
  return parts.length ? parts[parts.length - 1] : String(e);
}

/** True for errors worth retrying with backoff (network, 5xx, 429). */
export function isTransient(e: unknown): boolean {
  if (e instanceof KubeUnreachableError) return true;
  if (e instanceof KubeApiError) return e.status >= 500 || e.status === 429;
  return false;
}
