/**
 * The judge fallback for when no reward model is configured: the judge endpoint grades each
 * candidate from 1 to 5 on each of the persona's rubrics (one call per rubric item, absolute
 * grading, as in Multifaceted Bench) and the candidate's score is the mean. These are rubric
 * grades, not a reward model's scores, so `isRewardModel` is false and the UI says so.
 *
 * Best-of-N has no reference answer, so unlike the bench evaluation the judge sees none.
 */
import type { EndpointClient } from '../endpoints/client';
import { EndpointError } from '../endpoints/endpointError';
import { displayOrigin } from '../endpoints/profile';
import type { RequestScheduler } from '../jobs/scheduler';
import type { Rubric } from '../preferences/persona';
import { parseJudgeReply } from '../judge/scoreParser';
import type { JanusInput } from '../prompts/janusFormat';
import type { JudgeTemplate } from '../prompts/judgePrompt';
// Best-of-N has no reference answer: the judge core's template without that section.
import { defaultJudgeSystemPrompt, noReferenceJudgeTemplate, renderJudgePrompt } from '../prompts/judgePrompt';
import type { RewardItem } from './rewardText';
import type { RewardScorer } from './scorer';
import { RewardError } from './scorer';

export interface JudgeScorerOptions {
  /** A client for the judge profile (a chat endpoint in most setups). */
  readonly client: EndpointClient;
  /** Every judge call waits for a slot here: N candidates x rubrics calls must not all start at once. */
  readonly scheduler: RequestScheduler;
  /**
   * The active persona's rubrics, or a lookup by system message (Compare Personas scores several
   * personas with one scorer). None: one rubric asking whether the answer follows the system message.
   */
  readonly rubrics?: readonly Rubric[] | ((system: string) => readonly Rubric[] | undefined) | undefined;
  /** Calls per rubric item when the reply has no readable score. Default 5 (the bench protocol's). */
  readonly maxAttempts?: number | undefined;
  /** A user's judge template (see `parseJudgeTemplate`); `{reference_answer}` is empty here. */
  readonly template?: JudgeTemplate | undefined;
}

/** The judge's input for one (candidate, rubric item). The instruction is the prompt alone: the persona reaches the judge through the rubric. */
export function judgeInput(item: RewardItem, rubric: Rubric, template: JudgeTemplate = noReferenceJudgeTemplate): JanusInput {
  return { system: defaultJudgeSystemPrompt, prompt: renderJudgePrompt(template, { instruction: item.prompt, response: item.response, referenceAnswer: '', rubric }) };
}

/** Used when the persona has no rubrics: one item that asks whether the system message was followed. */
export function systemMessageRubric(system: string): Rubric {
  return {
    criteria: `Does the response satisfy the preferences stated in this system message? System message: ${system.trim() === '' ? '(none)' : system.trim()}`,
    score_descriptions: {
      '1': 'The response ignores or contradicts the stated preferences.',
      '2': 'The response follows few of the stated preferences.',
      '3': 'The response follows some of the stated preferences and misses others.',
      '4': 'The response follows most of the stated preferences with minor lapses.',
      '5': 'The response fully satisfies every stated preference.',
    },
  };
}

class JudgeScorer implements RewardScorer {
  readonly kind = 'judge' as const;
  readonly isRewardModel = false;
  readonly description: string;

  constructor(private readonly options: JudgeScorerOptions) {
    this.description = `${displayOrigin(options.client.profile.baseUrl)} (judge grades on rubrics, not a reward model)`;
  }

  private rubricsFor(system: string): readonly Rubric[] {
    const source = this.options.rubrics;
    const found = typeof source === 'function' ? source(system) : source;
    return found && found.length > 0 ? found : [systemMessageRubric(system)];
  }

  async score(items: readonly RewardItem[], signal: AbortSignal): Promise<number[]> {
    // The first failure stops the other calls: a partial set of grades is never used.
    const local = new AbortController();
    const combined = AbortSignal.any([signal, local.signal]);
    const grade = (item: RewardItem, rubric: Rubric): Promise<number> =>
      this.options.scheduler.run((taskSignal) => this.gradeOnce(item, rubric, taskSignal), { signal: combined });
    try {
      return await Promise.all(
        items.map(async (item) => {
          const rubrics = this.rubricsFor(item.system);
          const grades = await Promise.all(rubrics.map((rubric) => grade(item, rubric)));
          return grades.reduce((sum, g) => sum + g, 0) / grades.length;
        }),
      );
    } catch (error) {
      local.abort();
      if (signal.aborted) throw new RewardError('cancelled', 'Judge scoring was cancelled.', { cause: error });
      if (error instanceof RewardError) throw error;
      const message = error instanceof EndpointError ? error.message : String(error);
      throw new RewardError('request', `Judge scoring failed: ${message}`, { cause: error });
    }
  }

  private async gradeOnce(item: RewardItem, rubric: Rubric, signal: AbortSignal): Promise<number> {
    const attempts = this.options.maxAttempts ?? 5;
    let last = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      for await (const event of this.options.client.generateStream(judgeInput(item, rubric, this.options.template), signal)) {
        if (event.type === 'done') last = event.text;
      }
      const { score } = parseJudgeReply(last);
      if (score !== null) return score;
    }
    const said = last.replace(/\s+/g, ' ').trim().slice(0, 120);
    throw new RewardError('judgeUnreadable', `The judge at ${displayOrigin(this.options.client.profile.baseUrl)} gave no 1-5 score in ${attempts} tries (last reply: "${said}"). Check janus.judge.model: it must follow the "[RESULT] <score>" format.`);
  }
}

export function createJudgeScorer(options: JudgeScorerOptions): RewardScorer {
  return new JudgeScorer(options);
}
