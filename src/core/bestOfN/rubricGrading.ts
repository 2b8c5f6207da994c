/**
 * Grading candidates on rubrics with the judge: Compare Personas grades each persona's answer,
 * single-persona Best-of-N every finished candidate, and Re-score grades them again. One
 * `rubricGrading` event per candidate first, then a `rubricGraded` or `rubricError` per (candidate,
 * rubric) as each arrives: every call is started at once (the grader's scheduler caps them).
 */
import { describeError } from '../errors';
import type { Rubric } from '../preferences/persona';
import type { RubricGrader } from '../reward/judgeScorer';
import { EventQueue } from './eventQueue';
import type { BestOfNEventBody } from './events';

export interface RubricGradingSetting {
  readonly grader: RubricGrader;
  readonly rubrics: readonly Rubric[];
  /** Grade every finished candidate (single-persona Best-of-N), not only the run's answer (Compare Personas). */
  readonly allCandidates?: boolean | undefined;
}

export interface GradedCandidate {
  readonly index: number;
  readonly text: string;
}

/**
 * The grading events of `candidates` on `setting.rubrics`. A failed grade is a `rubricError` with
 * the judge's message (never a made-up grade); a cancelled one (`signal` aborted) is not reported.
 */
export async function* gradeOnRubrics(
  setting: RubricGradingSetting,
  candidates: readonly GradedCandidate[],
  input: { readonly system: string; readonly prompt: string },
  signal: AbortSignal,
): AsyncGenerator<BestOfNEventBody, void, undefined> {
  if (setting.rubrics.length === 0 || candidates.length === 0) return;
  const criteria = setting.rubrics.map((r) => r.criteria);
  for (const { index } of candidates) yield { type: 'rubricGrading', index, criteria };
  const queue = new EventQueue<BestOfNEventBody>();
  const calls = candidates.flatMap(({ index, text }) =>
    setting.rubrics.map(async (rubric, position) => {
      try {
        const grade = await setting.grader.grade({ system: input.system, prompt: input.prompt, response: text }, rubric, signal);
        queue.push({ type: 'rubricGraded', index, rubric: position, score: grade.score, feedback: grade.feedback });
      } catch (error) {
        if (!signal.aborted) queue.push({ type: 'rubricError', index, rubric: position, message: describeError(error) });
      }
    }),
  );
  void Promise.all(calls).finally(() => queue.close());
  yield* queue.drain();
}
