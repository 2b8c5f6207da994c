/**
 * The one scheduler every job shares (generation, best-of-N, reward scoring, judging): a pool with
 * a concurrency cap and token buckets for requests and tokens a minute. No batch barriers: a slot
 * freed by a fast request goes straight to the next task, so a slow request never holds back the
 * rest. This file is the contract; the implementation lands with the jobs work (issue 6).
 */

export interface ScheduledTaskOptions {
  /** Aborting cancels the task whether it is queued or running. */
  readonly signal?: AbortSignal | undefined;
  /** Tokens the task is expected to use (prompt + completion), charged against tokens a minute. */
  readonly estimatedTokens?: number | undefined;
  /** Lower runs first among queued tasks; equal priorities keep submission order. Default 0. */
  readonly priority?: number | undefined;
}

export interface SchedulerLimits {
  /** Tasks running at once. */
  readonly concurrency: number;
  /** Requests started per minute; undefined = unlimited. */
  readonly requestsPerMinute?: number | undefined;
  /** Tokens per minute; undefined = unlimited. */
  readonly tokensPerMinute?: number | undefined;
}

export interface SchedulerStats {
  readonly queued: number;
  readonly running: number;
  readonly completed: number;
  readonly failed: number;
}

export interface RequestScheduler {
  /**
   * Runs `task` when a slot and the rate budgets allow. The task gets a signal that aborts when
   * the caller's signal does.
   */
  run<T>(task: (signal: AbortSignal) => Promise<T>, options?: ScheduledTaskOptions): Promise<T>;
  readonly stats: SchedulerStats;
}
