/**
 * One entry point for hosts (the extension's settings, the CLI's flags): a scorer from a kind and
 * its options. Kept apart from the scorers so a host that only shows scores loads none of them.
 */
import type { HttpScorerOptions } from './httpScorers';
import { createLocalEngineScorer, createOpenRlhfScorer, createPoolingScorer } from './httpScorers';
import type { JudgeScorerOptions } from './judgeScorer';
import { createJudgeScorer } from './judgeScorer';
import type { RewardScorer } from './scorer';

export type RewardScorerConfig =
  | ({ readonly kind: 'openrlhf' | 'vllm' | 'local' } & HttpScorerOptions)
  | ({ readonly kind: 'judge' } & JudgeScorerOptions);

export function createRewardScorer(config: RewardScorerConfig): RewardScorer {
  switch (config.kind) {
    case 'openrlhf':
      return createOpenRlhfScorer(config);
    case 'vllm':
      return createPoolingScorer(config);
    case 'local':
      return createLocalEngineScorer(config);
    case 'judge':
      return createJudgeScorer(config);
  }
}
