/**
 * Retry policy for requests that fail transiently (429, 5xx, dropped connections): exponential
 * backoff with jitter, honouring the server's `retry-after-ms` / `retry-after` when it sends one.
 * Time and randomness are injected so the schedule is testable without waiting.
 */

export interface RetryPolicy {
  /** Attempts in total, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A server asking for a longer wait than this is not retried: the user is better told. */
  readonly maxRetryAfterMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 60_000,
};

/** What a caller's classifier says about one failure. */
export type RetryDecision =
  | { readonly retry: false }
  | {
      readonly retry: true;
      readonly retryAfterMs?: number | undefined;
      /** The server is limiting requests (429): every request to it should hold back, not just this one. */
      readonly rateLimited?: boolean | undefined;
    };

/**
 * Shared by every request to one server (the scheduler implements it): a rate-limited failure
 * pauses them all for its wait, and a retry goes out only once no pause is on.
 */
export interface RetryGate {
  /** A request was told to wait `delayMs` (retry-after, else the backoff) because of a rate limit. */
  rateLimited(delayMs: number): void;
  /** Resolves when requests may go out again (at once when no pause is on); rejects on abort. */
  ready(signal?: AbortSignal): Promise<void>;
}

export interface RetryClock {
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortReason(signal: AbortSignal | undefined): unknown {
  return signal?.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

export const systemClock: RetryClock = { now: () => Date.now(), sleep: abortableSleep };

/**
 * Milliseconds the server asked us to wait, or `undefined`. `retry-after-ms` (OpenAI's, more
 * precise) wins over `retry-after`, which is either delta-seconds or an HTTP date.
 */
export function parseRetryAfter(header: (name: string) => string | null | undefined, nowMs: number): number | undefined {
  const ms = header('retry-after-ms')?.trim();
  if (ms) {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const after = header('retry-after')?.trim();
  if (!after) return undefined;
  if (/^\d+(\.\d+)?$/.test(after)) return Number(after) * 1000;
  const date = Date.parse(after);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/**
 * Backoff before attempt `failedAttempts + 1`: base * 2^(failedAttempts - 1), capped, with "equal
 * jitter" (half fixed, half random) so parallel clients spread out without ever retrying at once.
 */
export function backoffDelayMs(failedAttempts: number, policy: RetryPolicy, random: () => number): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, failedAttempts - 1));
  return exponential / 2 + (random() * exponential) / 2;
}

/** The wait before the next attempt, or `undefined` to give up and rethrow. */
export function nextDelayMs(decision: RetryDecision, failedAttempts: number, policy: RetryPolicy, random: () => number): number | undefined {
  if (!decision.retry || failedAttempts >= policy.maxAttempts) return undefined;
  if (decision.retryAfterMs !== undefined) {
    return decision.retryAfterMs <= policy.maxRetryAfterMs ? decision.retryAfterMs : undefined;
  }
  return backoffDelayMs(failedAttempts, policy, random);
}

export interface RetryOptions {
  readonly classify: (error: unknown) => RetryDecision;
  readonly policy?: RetryPolicy;
  readonly signal?: AbortSignal;
  readonly clock?: RetryClock;
  readonly random?: () => number;
  /** Told of rate-limited failures; retries wait for it to open. */
  readonly gate?: RetryGate | undefined;
  /** Called before each wait, e.g. to log "retrying in 2 s". */
  readonly onRetry?: (info: { readonly attempt: number; readonly delayMs: number; readonly error: unknown }) => void;
}

/** Runs `operation` until it succeeds, the classifier says stop, attempts run out or `signal` aborts. */
export async function withRetry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const policy = options.policy ?? defaultRetryPolicy;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      const decision = options.classify(error);
      const delayMs = nextDelayMs(decision, attempt, policy, random);
      if (delayMs === undefined) throw error;
      if (decision.retry && decision.rateLimited === true) options.gate?.rateLimited(delayMs);
      options.onRetry?.({ attempt, delayMs, error });
      await clock.sleep(delayMs, options.signal);
      await options.gate?.ready(options.signal);
    }
  }
}
