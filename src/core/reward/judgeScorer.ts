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
import type { RetryGate } from '../jobs/retry';
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

export interface RubricGraderOptions {
  /** A client for the judge profile (a chat endpoint in most setups). */
  readonly client: EndpointClient;
  /** Every judge call waits for a slot here: N candidates x rubrics calls must not all start at once. */
  readonly scheduler: RequestScheduler;
  /** Calls per rubric item when the reply has no readable score. Default 5 (the bench protocol's). */
  readonly maxAttempts?: number | undefined;
  /** A user's judge template (see `parseJudgeTemplate`); `{reference_answer}` is empty here. */
  readonly template?: JudgeTemplate | undefined;
  /** What to fix when the judge's replies hold no score (the CLI's model flag); default: janus.judge.model. */
  readonly modelFixName?: string | undefined;
}

/** One rubric item's grade: the judge's 1-5 score and the feedback before its `[RESULT]`. */
export interface RubricGrade {
  readonly score: number;
  readonly feedback: string;
}

/**
 * Grades one answer on one rubric item with the judge (the no-reference template, retried while
 * the reply has no readable score). A grader remembers the grades it gave, so the judge fallback
 * scoring a comparison and the comparison's per-rubric grades share calls instead of repeating them.
 */
export interface RubricGrader {
  readonly judgeOrigin: string;
  /** Throws a `RewardError` (`judgeUnreadable`) or an `EndpointError`; never makes up a grade. */
  grade(item: RewardItem, rubric: Rubric, signal: AbortSignal): Promise<RubricGrade>;
}

export function createRubricGrader(options: RubricGraderOptions): RubricGrader {
  const judgeOrigin = displayOrigin(options.client.profile.baseUrl);
  const known = new Map<string, Promise<RubricGrade>>();
  const gradeOnce = async (item: RewardItem, rubric: Rubric, signal: AbortSignal, gate: RetryGate): Promise<RubricGrade> => {
    const attempts = options.maxAttempts ?? 5;
    let last = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      for await (const event of options.client.generateStream(judgeInput(item, rubric, options.template), signal, { retryGate: gate })) {
        if (event.type === 'done') last = event.text;
      }
      const { score, feedback } = parseJudgeReply(last);
      if (score !== null) return { score, feedback };
    }
    const said = last.replace(/\s+/g, ' ').trim().slice(0, 120);
    throw new RewardError('judgeUnreadable', `The judge at ${judgeOrigin} gave no 1-5 score in ${attempts} tries (last reply: "${said}"). Check ${options.modelFixName ?? 'janus.judge.model'}: it must follow the "[RESULT] <score>" format.`);
  };
  return {
    judgeOrigin,
    grade(item, rubric, signal) {
      const key = JSON.stringify([item.prompt, item.response, rubric]);
      const found = known.get(key);
      if (found) return found;
      // The task's control as the retry gate: a 429 pauses every judge call, not just this one.
      const graded = options.scheduler.run((taskSignal, control) => gradeOnce(item, rubric, taskSignal, control), { signal });
      known.set(key, graded);
      // Only grades are remembered: a failed or cancelled call is made again when asked again.
      graded.catch(() => known.delete(key));
      return graded;
    },
  };
}

export interface JudgeScorerOptions extends RubricGraderOptions {
  /** The grader to share with per-rubric grading; by default one of its own. */
  readonly grader?: RubricGrader | undefined;
  /**
   * The active persona's rubrics, or a lookup by system message (Compare Personas scores several
   * personas with one scorer). None: one rubric asking whether the answer follows the system message.
   */
  readonly rubrics?: readonly Rubric[] | ((system: string) => readonly Rubric[] | undefined) | undefined;
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
  private readonly grader: RubricGrader;

  constructor(private readonly options: JudgeScorerOptions) {
    this.grader = options.grader ?? createRubricGrader(options);
    this.description = `${this.grader.judgeOrigin} (judge grades on rubrics, not a reward model)`;
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
    try {
      return await Promise.all(
        items.map(async (item) => {
          const rubrics = this.rubricsFor(item.system);
          const grades = await Promise.all(rubrics.map(async (rubric) => (await this.grader.grade(item, rubric, combined)).score));
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
}

export function createJudgeScorer(options: JudgeScorerOptions): RewardScorer {
  return new JudgeScorer(options);
}
