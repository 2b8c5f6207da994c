/**
 * The one scheduler every job shares (generation, best-of-N, reward scoring, judging): a pool with
 * a concurrency cap and token buckets for requests and tokens a minute. No batch barriers: a slot
 * freed by a fast request goes straight to the next task, so a slow request never holds back the
 * rest. A rate-limited request (429) pauses all dispatch for its wait, and retries go out only
 * after it; limits that keep coming lower the concurrency, which recovers one slot per round of
 * calls without one. `createScheduler` is the implementation; the interfaces are the contract.
 */
import type { RetryClock, RetryGate } from './retry';
import { systemClock } from './retry';

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
  /** Tasks aborted while queued or running (an extension of the contract). */
  readonly cancelled?: number;
}

/**
 * Handed to a running task as its second argument (callers that ignore it lose nothing). As a
 * `RetryGate`, it pauses the whole scheduler when the task's request is rate limited.
 */
export interface TaskControl extends RetryGate {
  /**
   * The tokens the task really used, once known: the tokens-a-minute budget is corrected by the
   * difference from the estimate, so a poor estimate neither starves nor overruns the budget.
   */
  reportTokens(actual: number): void;
}

/** Where the scheduler stands with a server that limits requests. */
export interface RateLimitState {
  /** Milliseconds left of the current pause (0: none). */
  readonly pausedMs: number;
  /** Tasks it lets run at once now (the configured cap, or less after repeated limits). */
  readonly concurrency: number;
}

export interface RequestScheduler {
  /**
   * Runs `task` when a slot and the rate budgets allow. The task gets a signal that aborts when
   * the caller's signal does.
   */
  run<T>(task: (signal: AbortSignal, control: TaskControl) => Promise<T>, options?: ScheduledTaskOptions): Promise<T>;
  readonly stats: SchedulerStats;
  readonly rateLimit?: RateLimitState;
  /** Calls `listener` with the pause's length whenever a rate limit starts or extends a pause; returns the unsubscribe. */
  onRateLimited?(listener: (pausedMs: number) => void): () => void;
  /**
   * The same pause for a request that does not take one of the slots (Best-of-N's reward request
   * goes out while candidates still hold them): its 429 pauses every task, and its retry waits.
   */
  readonly gate?: RetryGate;
}

export interface SchedulerOptions {
  readonly clock?: RetryClock;
  /**
   * How many seconds of budget may be spent at once after an idle spell. Small enough that a
   * server counting per second (as hosted APIs do) does not see a burst of a whole minute.
   */
  readonly burstSeconds?: number;
}

/**
 * A continuously refilling budget. A cost larger than the capacity may still start on a full
 * bucket (leaving a debt), otherwise one big request could never run.
 */
export class TokenBucket {
  private level: number;
  private updatedAt: number;
  private readonly perMs: number;

  constructor(
    perMinute: number,
    readonly capacity: number,
    now: number,
  ) {
    this.perMs = perMinute / 60_000;
    this.level = capacity;
    this.updatedAt = now;
  }

  private refill(now: number): void {
    this.level = Math.min(this.capacity, this.level + (now - this.updatedAt) * this.perMs);
    this.updatedAt = now;
  }

  /** Milliseconds until `cost` can be taken (0 = now). */
  waitMs(cost: number, now: number): number {
    this.refill(now);
    const needed = Math.min(cost, this.capacity);
    if (this.level >= needed) return 0;
    return Math.ceil((needed - this.level) / this.perMs);
  }

  take(cost: number, now: number): void {
    this.refill(now);
    this.level -= cost;
  }

  /** Gives back (or charges more) when a task's real cost differs from its estimate. */
  adjust(delta: number, now: number): void {
    this.refill(now);
    this.level = Math.min(this.capacity, this.level - delta);
  }
}

interface Entry {
  readonly start: (signal: AbortSignal, control: TaskControl) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
  readonly tokens: number;
  readonly signal: AbortSignal | undefined;
  state: 'queued' | 'running' | 'done';
  onAbort?: () => void;
}

/** A FIFO queue per priority; removal is lazy (aborted entries are skipped when reached). */
class PriorityQueues {
  private readonly queues = new Map<number, { items: Entry[]; head: number }>();
  private priorities: number[] = [];

  push(priority: number, entry: Entry): void {
    let queue = this.queues.get(priority);
    if (!queue) {
      queue = { items: [], head: 0 };
      this.queues.set(priority, queue);
      this.priorities.push(priority);
      this.priorities.sort((a, b) => a - b);
    }
    queue.items.push(entry);
  }

  /** The next queued entry, dropping finished ones on the way. */
  peek(): Entry | undefined {
    for (const priority of this.priorities) {
      const queue = this.queues.get(priority);
      if (!queue) continue;
      while (queue.head < queue.items.length && queue.items[queue.head]?.state !== 'queued') queue.head++;
      // Drop the passed entries now and then: a queue that never runs empty (a long job keeps it
      // topped up) would otherwise keep every finished task, and the prompt its closure holds.
      if (queue.head >= 1024 && queue.head * 2 >= queue.items.length) {
        queue.items = queue.items.slice(queue.head);
        queue.head = 0;
      }
      if (queue.head < queue.items.length) return queue.items[queue.head];
      this.queues.delete(priority);
      this.priorities = this.priorities.filter((p) => p !== priority);
      return this.peek();
    }
    return undefined;
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

class PoolScheduler implements RequestScheduler {
  private readonly queue = new PriorityQueues();
  private readonly clock: RetryClock;
  private readonly requests: TokenBucket | undefined;
  private readonly tokens: TokenBucket | undefined;
  private queuedCount = 0;
  private runningCount = 0;
  private completed = 0;
  private failed = 0;
  private cancelled = 0;
  private wake: { readonly controller: AbortController; readonly at: number } | undefined;
  /** No task starts before this (clock ms): a server said to wait. */
  private pausedUntil = -Infinity;
  /** The concurrency in force, at most `limits.concurrency`. */
  private concurrency: number;
  /** Tasks completed since the last rate limit or concurrency change. */
  private calmRun = 0;
  private limitedBefore = false;
  private readonly rateListeners = new Set<(pausedMs: number) => void>();

  constructor(
    private readonly limits: SchedulerLimits,
    options: SchedulerOptions,
  ) {
    if (!Number.isInteger(limits.concurrency) || limits.concurrency < 1) throw new RangeError(`concurrency must be a positive integer, not ${limits.concurrency}`);
    this.clock = options.clock ?? systemClock;
    this.concurrency = limits.concurrency;
    const burst = (options.burstSeconds ?? 10) / 60;
    const now = this.clock.now();
    const bucket = (perMinute: number | undefined): TokenBucket | undefined =>
      perMinute === undefined ? undefined : new TokenBucket(perMinute, Math.max(1, perMinute * burst), now);
    this.requests = bucket(limits.requestsPerMinute);
    this.tokens = bucket(limits.tokensPerMinute);
  }

  get stats(): SchedulerStats {
    return { queued: this.queuedCount, running: this.runningCount, completed: this.completed, failed: this.failed, cancelled: this.cancelled };
  }

  get rateLimit(): RateLimitState {
    return { pausedMs: Math.max(0, this.pausedUntil - this.clock.now()), concurrency: this.concurrency };
  }

  onRateLimited(listener: (pausedMs: number) => void): () => void {
    this.rateListeners.add(listener);
    return () => this.rateListeners.delete(listener);
  }

  readonly gate: RetryGate = {
    rateLimited: (delayMs) => this.limited(delayMs),
    ready: (signal) => this.ready(signal),
  };

  /**
   * A request was rate limited and told to wait `delayMs`: nothing starts until then. A limit that
   * starts a new pause before a round of calls (one per slot) went through since the last one
   * halves the concurrency: the server's budget is smaller than our cap.
   */
  private limited(delayMs: number): void {
    const now = this.clock.now();
    if (now >= this.pausedUntil) {
      if (this.limitedBefore && this.calmRun < this.concurrency) this.concurrency = Math.max(1, Math.floor(this.concurrency / 2));
      this.limitedBefore = true;
      this.calmRun = 0;
    }
    if (now + delayMs <= this.pausedUntil) return;
    this.pausedUntil = now + delayMs;
    for (const listener of this.rateListeners) listener(delayMs);
    this.pump();
  }

  /** Resolves once no pause is on (a pause extended meanwhile is waited out too). */
  private async ready(signal?: AbortSignal): Promise<void> {
    for (let wait = this.pausedUntil - this.clock.now(); wait > 0; wait = this.pausedUntil - this.clock.now()) await this.clock.sleep(wait, signal);
  }

  /** One more slot back after each round of calls (one per slot) without a rate limit. */
  private calm(): void {
    this.calmRun++;
    if (this.concurrency < this.limits.concurrency && this.calmRun >= this.concurrency) {
      this.concurrency++;
      this.calmRun = 0;
    }
  }

  run<T>(task: (signal: AbortSignal, control: TaskControl) => Promise<T>, options: ScheduledTaskOptions = {}): Promise<T> {
    const signal = options.signal;
    if (signal?.aborted) {
      this.cancelled++;
      return Promise.reject(abortReason(signal));
    }
    return new Promise<T>((resolve, reject) => {
      const entry: Entry = {
        start: task,
        resolve: resolve as (value: unknown) => void,
        reject,
        tokens: Math.max(0, options.estimatedTokens ?? 0),
        signal,
        state: 'queued',
      };
      if (signal) {
        entry.onAbort = (): void => this.abort(entry);
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.queuedCount++;
      this.queue.push(options.priority ?? 0, entry);
      this.pump();
    });
  }

  /**
   * Aborting settles the caller at once and frees the slot at once, even if the task is slow to
   * notice its signal: a cancelled job must not keep the next task waiting.
   */
  private abort(entry: Entry): void {
    this.cancel(entry);
    this.pump();
  }

  private cancel(entry: Entry): void {
    if (entry.state === 'done') return;
    if (entry.state === 'queued') this.queuedCount--;
    else this.runningCount--;
    entry.state = 'done';
    this.cancelled++;
    entry.reject(abortReason(entry.signal as AbortSignal));
  }

  private finish(entry: Entry, outcome: 'completed' | 'failed'): void {
    if (entry.state !== 'running') return;
    entry.state = 'done';
    this.runningCount--;
    if (entry.onAbort) entry.signal?.removeEventListener('abort', entry.onAbort);
    this[outcome]++;
    if (outcome === 'completed') this.calm();
    this.pump();
  }

  /** Starts as many queued tasks as the slots and budgets allow, else arms one wake-up timer. */
  private pump(): void {
    while (this.runningCount < this.concurrency) {
      const entry = this.queue.peek();
      if (!entry) {
        // Nothing left to wake up for: a pending timer would only keep the process alive.
        this.wake?.controller.abort();
        this.wake = undefined;
        return;
      }
      // One signal often guards many tasks, and its listeners run one by one: without this, the
      // slot freed by the first listener would go to a task whose own listener has not run yet.
      if (entry.signal?.aborted) {
        this.cancel(entry);
        continue;
      }
      const now = this.clock.now();
      const wait = Math.max(this.pausedUntil - now, this.requests?.waitMs(1, now) ?? 0, this.tokens?.waitMs(entry.tokens, now) ?? 0);
      if (wait > 0) {
        this.armWake(wait);
        return;
      }
      this.requests?.take(1, now);
      this.tokens?.take(entry.tokens, now);
      this.start(entry);
    }
  }

  /** One timer at a time; an earlier need (a refund, a cheaper task first in line) replaces it. */
  private armWake(ms: number): void {
    const at = this.clock.now() + ms;
    if (this.wake && this.wake.at <= at) return;
    this.wake?.controller.abort();
    const wake = { controller: new AbortController(), at };
    this.wake = wake;
    this.clock.sleep(ms, wake.controller.signal).then(
      () => {
        if (this.wake === wake) this.wake = undefined;
        this.pump();
      },
      () => undefined,
    );
  }

  private start(entry: Entry): void {
    entry.state = 'running';
    this.queuedCount--;
    this.runningCount++;
    let estimate = entry.tokens;
    const control: TaskControl = {
      reportTokens: (actual) => {
        this.tokens?.adjust(actual - estimate, this.clock.now());
        estimate = actual;
        this.pump();
      },
      ...this.gate,
    };
    const signal = entry.signal ?? new AbortController().signal;
    let promise: Promise<unknown>;
    try {
      promise = entry.start(signal, control);
    } catch (error) {
      promise = Promise.reject(error);
    }
    promise.then(
      (value) => {
        if (entry.state !== 'running') return;
        this.finish(entry, 'completed');
        entry.resolve(value);
      },
      (error: unknown) => {
        if (entry.state !== 'running') return;
        this.finish(entry, 'failed');
        entry.reject(error);
      },
    );
  }
}

export function createScheduler(limits: SchedulerLimits, options: SchedulerOptions = {}): RequestScheduler {
  return new PoolScheduler(limits, options);
}
