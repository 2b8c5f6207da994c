/**
 * What a Best-of-N run reports, as messages with ids (STYLE.md: streams are messages with ids).
 * Every event carries the run's id and a sequence number, so a webview can match events to the
 * run it asked for and drop stale ones after a cancel or a reload.
 *
 * Order within a run: `started` first and `done` last; a candidate's deltas come before its
 * `candidateDone` (or `candidateError` / `candidateStopped`); a `scored` event only follows that
 * candidate's `candidateDone`; `ranked` follows every `scored` event; rubric grading, when asked
 * for, comes after `ranked` and before `done`. A candidate with no `scored`
 * event is unscored: the panel shows it without a reward, never with a guessed one.
 */
import type { RewardErrorKind, RewardScorerKind } from '../reward/scorer';

/** `n`: one request with `n` choices; `parallel`: one request per candidate through the scheduler. */
export type SamplingStrategy = 'n' | 'parallel';

export type BestOfNEventBody =
  | {
      readonly type: 'started';
      readonly n: number;
      readonly strategy: SamplingStrategy;
      /** Candidate i samples with seed + i: the same seed, prompt and settings repeat the run. */
      readonly seed: number;
      /** Absent when no scorer is configured: candidates come back unranked. */
      readonly scorer: { readonly kind: RewardScorerKind; readonly isRewardModel: boolean; readonly description: string } | undefined;
    }
  | { readonly type: 'candidateDelta'; readonly index: number; readonly text: string }
  | {
      readonly type: 'candidateDone';
      readonly index: number;
      readonly text: string;
      readonly finishReason: string | null;
      /**
       * Completion tokens: exact when the server reported them for this candidate's own request,
       * else counted from the streamed pieces (`tokensEstimated`; a `candidateTokens` event may
       * follow once the request's total is known).
       */
      readonly tokens: number | undefined;
      /** True when `tokens` is an estimate; absent or false: the server's exact count. */
      readonly tokensEstimated?: boolean | undefined;
    }
  /** The candidate's token count, settled from the request's reported total (see `tokenCounts.ts`). */
  | { readonly type: 'candidateTokens'; readonly index: number; readonly tokens: number; readonly estimated: boolean }
  /** The candidate's request failed; the others go on. */
  | { readonly type: 'candidateError'; readonly index: number; readonly message: string }
  /** Early stop ended this candidate's sampling; `text` is what it had, and it is not ranked. */
  | { readonly type: 'candidateStopped'; readonly index: number; readonly text: string }
  | { readonly type: 'scored'; readonly index: number; readonly reward: number }
  /** Scoring failed for these candidates; they stay, unscored, and nothing is ranked. */
  | { readonly type: 'scoreError'; readonly indexes: readonly number[]; readonly kind: RewardErrorKind; readonly message: string }
  | { readonly type: 'earlyStop'; readonly leader: number; readonly margin: number; readonly stopped: readonly number[] }
  /** Indexes best first (ties keep index order); only candidates that finished and were scored. */
  | { readonly type: 'ranked'; readonly order: readonly number[]; readonly best: number }
  /**
   * Rubric grading with a judge (Compare Personas: the run's answer; single-persona Best-of-N: every
   * finished candidate; Re-score: again, replacing the old grades): candidate `index` is graded on
   * each rubric's criteria; a `rubricGraded` or `rubricError` follows for each, then `done`.
   */
  | { readonly type: 'rubricGrading'; readonly index: number; readonly criteria: readonly string[] }
  | { readonly type: 'rubricGraded'; readonly index: number; readonly rubric: number; readonly score: number; readonly feedback: string }
  /** This rubric has no grade (the judge failed or gave no readable score); it stays unscored. */
  | { readonly type: 'rubricError'; readonly index: number; readonly rubric: number; readonly message: string }
  | { readonly type: 'done'; readonly cancelled: boolean }
  /**
   * Re-score (`rescoreRun`) starts: the earlier rewards, ranking and score error no longer hold.
   * Then come `scored`/`scoreError`, `ranked` and `done` again, with the same run id.
   */
  | { readonly type: 'rescoring'; readonly indexes: readonly number[]; readonly scorer: { readonly kind: RewardScorerKind; readonly isRewardModel: boolean; readonly description: string } };

export type BestOfNEvent = { readonly runId: string; readonly seq: number } & BestOfNEventBody;

export type BestOfNEventType = BestOfNEventBody['type'];
