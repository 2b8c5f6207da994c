// Bounded polling with a deadline: the only waiting the harness does for things it cannot subscribe
// to (a port in a log line, an HTTP endpoint, a results file written by another process).
import { setTimeout as sleep } from 'node:timers/promises';

export interface PollOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Named in the timeout error: "timed out after 120 s waiting for <what>". */
  what?: string;
}

/** Calls `probe` until it returns something other than undefined or false; throws at the deadline. */
export async function pollUntil<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  options: PollOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${Math.round(options.timeoutMs / 1000)} s waiting for ${options.what ?? 'a condition'}`);
    }
    await sleep(options.intervalMs ?? 200);
  }
}
