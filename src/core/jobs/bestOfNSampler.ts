/**
 * Best-of-N as a bench generation sampler: N candidates per instance through the Best-of-N core,
 * the reward model's best one kept with its reward. An instance whose candidates could not all be
 * scored fails (and is retried on the next run) rather than keeping an unranked candidate.
 */
import type { GeneratorCapabilities } from '../bestOfN/bestOfN';
import { runBestOfN } from '../bestOfN/bestOfN';
import type { GeneratorTarget } from '../bestOfN/choiceStream';
import { applyBestOfNEvent, initialBestOfNState } from '../bestOfN/runState';
import { UserFacingError } from '../errors';
import type { RewardScorer } from '../reward/scorer';
import type { ResponseSampler } from './generationJob';

export interface BestOfNSamplerOptions {
  readonly generator: GeneratorTarget;
  readonly n: number;
  readonly scorer: RewardScorer;
  readonly capabilities?: GeneratorCapabilities | undefined;
}

export function bestOfNSampler(options: BestOfNSamplerOptions): ResponseSampler {
  const p = options.generator.profile;
  return {
    identity: JSON.stringify({ baseUrl: p.baseUrl, model: p.model, format: p.format, sampling: p.sampling, n: options.n, scorer: options.scorer.description }),
    async sample(input, scheduler, signal) {
      let state = initialBestOfNState();
      const events = runBestOfN({ generator: options.generator, input, n: options.n, scheduler, scorer: options.scorer, capabilities: options.capabilities, signal });
      for await (const event of events) state = applyBestOfNEvent(state, event);
      if (state.cancelled) throw new UserFacingError('cancelled');
      if (state.scoreError) throw new UserFacingError(state.scoreError);
      const best = state.best === undefined ? undefined : state.candidates[state.best];
      if (!best || best.reward === undefined) {
        const failed = state.candidates.find((c) => c.error)?.error;
        throw new UserFacingError(`no candidate was generated and scored${failed ? ` (${failed})` : ''}`);
      }
      return { text: best.text, reward: best.reward };
    },
  };
}
