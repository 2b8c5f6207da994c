/**
 * Re-score: the panel's action after the reward server is fixed, or to score the same candidates
 * with another scorer. It continues the run's own event stream (same run id, next sequence
 * numbers), so a host feeds the events to the same reducer and the view updates in place.
 */
import { describeError } from '../errors';
import { RewardError, scoreChecked } from '../reward/scorer';
import type { RewardScorer } from '../reward/scorer';
import type { BestOfNEvent, BestOfNEventBody } from './events';
import { rankByReward } from './ranking';
import type { RubricGradingSetting } from './rubricGrading';
import { gradeOnRubrics } from './rubricGrading';
import type { BestOfNState } from './runState';

export interface RescoreOptions {
  readonly scorer: RewardScorer;
  readonly input: { readonly system: string; readonly prompt: string };
  readonly signal?: AbortSignal | undefined;
  /**
   * Grade again on rubrics after the ranking (or the score error): the run's answer, or every
   * finished candidate; the new grades replace the old ones as they arrive.
   */
  readonly rubricGrading?: RubricGradingSetting | undefined;
}

/**
 * Scores every finished candidate of `state` in one request and ranks them: `rescoring`, then a
 * `scored` event each (or one `scoreError`), `ranked` when all were scored, the rubric grades
 * when asked for, and `done`.
 */
export async function* rescoreRun(state: BestOfNState, options: RescoreOptions): AsyncGenerator<BestOfNEvent, void, undefined> {
  const runId = state.runId;
  if (runId === undefined) throw new Error('rescoreRun: the run has not started');
  let seq = state.lastSeq + 1;
  const event = (body: BestOfNEventBody): BestOfNEvent => ({ runId, seq: seq++, ...body });
  const { scorer } = options;
  const finished = state.candidates.filter((c) => c.status === 'done');
  const indexes = finished.map((c) => c.index);
  yield event({ type: 'rescoring', indexes, scorer: { kind: scorer.kind, isRewardModel: scorer.isRewardModel, description: scorer.description } });
  const signal = options.signal ?? new AbortController().signal;
  async function* regrade(answer: number | undefined): AsyncGenerator<BestOfNEvent, void, undefined> {
    const grading = options.rubricGrading;
    if (!grading || signal.aborted) return;
    const graded = grading.allCandidates === true ? finished : finished.filter((c) => c.index === answer);
    for await (const body of gradeOnRubrics(grading, graded, options.input, signal)) yield event(body);
  }
  let rewards: number[];
  try {
    rewards = await scoreChecked(scorer, finished.map((c) => ({ ...options.input, response: c.text })), signal);
  } catch (error) {
    if (!signal.aborted) {
      yield event({ type: 'scoreError', indexes, kind: error instanceof RewardError ? error.kind : 'request', message: describeError(error) });
      // Unranked: the answer graded is the first finished candidate, as in a run without a scorer.
      yield* regrade(indexes[0]);
    }
    yield event({ type: 'done', cancelled: signal.aborted });
    return;
  }
  const byIndex: (number | undefined)[] = state.candidates.map(() => undefined);
  for (const [position, index] of indexes.entries()) {
    const reward = rewards[position];
    if (reward === undefined) continue;
    byIndex[index] = reward;
    yield event({ type: 'scored', index, reward });
  }
  const order = rankByReward(byIndex);
  const best = order[0];
  if (best !== undefined) yield event({ type: 'ranked', order, best });
  yield* regrade(best ?? indexes[0]);
  yield event({ type: 'done', cancelled: signal.aborted });
}
