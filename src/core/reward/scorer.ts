/**
 * Reward scorers: one interface over every way of putting a number on a candidate. A scorer
 * either returns exactly one finite number per item, in order, or throws a `RewardError` that
 * says what went wrong and what to do: it never fills a gap with a made-up number.
 */
import { UserFacingError } from '../errors';
import type { RetryGate } from '../jobs/retry';
import type { RewardItem } from './rewardText';

export const rewardScorerKinds = ['openrlhf', 'vllm', 'local', 'judge'] as const;
export type RewardScorerKind = (typeof rewardScorerKinds)[number];

export interface RewardScorer {
  readonly kind: RewardScorerKind;
  /** False for the judge fallback: its scores are rubric grades, not a reward model's (the UI says so). */
  readonly isRewardModel: boolean;
  /** Where the scores come from, for messages and the panel ("http://127.0.0.1:5000 (OpenRLHF)"). */
  readonly description: string;
  /**
   * One score per item, same order; all items in one request where the server allows. `gate`: the
   * caller's scheduler (Best-of-N's), told of a 429 so every request holds back, for a scorer
   * without a scheduler of its own; a scorer with one reports to its own.
   */
  score(items: readonly RewardItem[], signal: AbortSignal, gate?: RetryGate): Promise<number[]>;
}

export type RewardErrorKind =
  /** The request failed: server down, timeout, HTTP error (the cause is an `EndpointError`). */
  | 'request'
  /** The reply parsed but holds a different number of scores than texts sent. */
  | 'wrongCount'
  /** A score is not a finite number (NaN, null, a string, a list of several values). */
  | 'notANumber'
  /** The reply is not the shape this kind of server sends (wrong kind configured?). */
  | 'badReply'
  /** The judge answered without a readable 1-5 score, even after retries. */
  | 'judgeUnreadable'
  | 'cancelled';

export class RewardError extends UserFacingError {
  override readonly name = 'RewardError';
  constructor(
    readonly kind: RewardErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * `scorer.score`, held to its contract whoever implemented it: exactly one finite number per
 * item, or a `RewardError`. Callers rank only on what this returns.
 */
export async function scoreChecked(scorer: RewardScorer, items: readonly RewardItem[], signal: AbortSignal, gate?: RetryGate): Promise<number[]> {
  if (items.length === 0) return [];
  const rewards = await scorer.score(items, signal, gate);
  if (rewards.length !== items.length || !rewards.every((r) => typeof r === 'number' && Number.isFinite(r))) {
    throw new RewardError('wrongCount', `${scorer.description} gave ${rewards.length} usable scores for ${items.length} candidates; none were used.`);
  }
  return rewards;
}
