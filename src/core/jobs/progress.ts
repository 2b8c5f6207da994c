/**
 * Progress of a job as hosts show it: counts, rate, tokens, cost when prices are known, and ETA.
 * Rate and ETA count only calls made in this session, so items resumed from a checkpoint do not
 * make a restarted job look faster than it is.
 */
import type { TokenUsage } from '../endpoints/streamAssembly';

export interface JobPrices {
  /** Currency units per million prompt tokens. */
  readonly promptPerMillion: number;
  readonly completionPerMillion: number;
}

export interface JobProgress {
  readonly done: number;
  readonly total: number;
  /** Of `done`, taken from the checkpoint or the cache without a call. */
  readonly reused: number;
  readonly failed: number;
  readonly elapsedMs: number;
  /** Calls finished a second in this session. */
  readonly ratePerSecond: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly etaMs: number | undefined;
  readonly cost: number | undefined;
  /** Set while the server's rate limit pauses every request: milliseconds left of the pause. */
  readonly rateLimitedMs?: number | undefined;
}

export class ProgressTracker {
  private done = 0;
  private reused = 0;
  private failed = 0;
  private fresh = 0;
  private promptTokens = 0;
  private completionTokens = 0;
  private readonly startedAt: number;

  constructor(
    private readonly total: number,
    private readonly now: () => number = () => Date.now(),
    private readonly prices?: JobPrices,
  ) {
    this.startedAt = now();
  }

  reuse(count = 1): void {
    this.done += count;
    this.reused += count;
  }

  finish(usage: TokenUsage | undefined): void {
    this.done++;
    this.fresh++;
    this.addUsage(usage);
  }

  /** Tokens of a call that did not finish an item (e.g. a judge reply without a score). */
  addUsage(usage: TokenUsage | undefined): void {
    this.promptTokens += usage?.promptTokens ?? 0;
    this.completionTokens += usage?.completionTokens ?? 0;
  }

  fail(): void {
    this.failed++;
  }

  snapshot(): JobProgress {
    const elapsedMs = this.now() - this.startedAt;
    const ratePerSecond = elapsedMs > 0 ? (this.fresh * 1000) / elapsedMs : 0;
    const left = this.total - this.done - this.failed;
    const cost = this.prices ? (this.promptTokens * this.prices.promptPerMillion + this.completionTokens * this.prices.completionPerMillion) / 1e6 : undefined;
    return {
      done: this.done,
      total: this.total,
      reused: this.reused,
      failed: this.failed,
      elapsedMs,
      ratePerSecond,
      promptTokens: this.promptTokens,
      completionTokens: this.completionTokens,
      etaMs: left <= 0 ? 0 : ratePerSecond > 0 ? (left / ratePerSecond) * 1000 : undefined,
      cost,
    };
  }
}
