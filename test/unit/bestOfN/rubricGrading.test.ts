// Rubric grades of Best-of-N candidates: the reducer keeps every graded candidate's own grades (and
// the run's answer's), and Re-score grades again through a real grader over HTTP (a fake judge
// that scores by a hash of the prompt, and fails on one rubric), sharing calls with the judge
// fallback scorer instead of asking twice.
import assert from 'node:assert/strict';
import type { BestOfNEvent, BestOfNEventBody } from '../../../src/core/bestOfN/events';
import type { RescoreOptions } from '../../../src/core/bestOfN/rescore';
import { rescoreRun } from '../../../src/core/bestOfN/rescore';
import type { BestOfNState } from '../../../src/core/bestOfN/runState';
import { applyBestOfNEvent, initialBestOfNState } from '../../../src/core/bestOfN/runState';
import { EndpointClient } from '../../../src/core/endpoints/client';
import type { EndpointProfile } from '../../../src/core/endpoints/profile';
import { endpointProfileSchema } from '../../../src/core/endpoints/profile';
import { createScheduler } from '../../../src/core/jobs/scheduler';
import type { Rubric } from '../../../src/core/preferences/persona';
import type { RubricGrader } from '../../../src/core/reward/judgeScorer';
import { createJudgeScorer, createRubricGrader } from '../../../src/core/reward/judgeScorer';
import type { RewardScorer } from '../../../src/core/reward/scorer';
import type { JudgeServer } from '../../support/judgeServer';
import { expectedScore, startJudgeServer } from '../../support/judgeServer';

const fastRetry = { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 };
const rubric = (criteria: string): Rubric => ({ criteria, score_descriptions: { '1': 'no', '2': 'barely', '3': 'partly', '4': 'mostly', '5': 'fully' } });
const input = { system: 'You are terse.', prompt: 'Why is the sky blue?' };

function events(runId: string, bodies: readonly BestOfNEventBody[], from = 0): BestOfNEvent[] {
  return bodies.map((body, i) => ({ runId, seq: from + i, ...body }));
}

/** A finished, ranked run of three candidates (candidate 2 best), as the panel would hold it. */
function finishedRun(): BestOfNState {
  return events('r', [
    { type: 'started', n: 3, strategy: 'parallel', seed: 1, scorer: { kind: 'local', isRewardModel: true, description: 'engine' } },
    { type: 'candidateDone', index: 0, text: 'Rayleigh scattering.', finishReason: 'stop', tokens: 3 },
    { type: 'candidateDone', index: 1, text: 'Short blue light scatters most in the air.', finishReason: 'stop', tokens: 9 },
    { type: 'candidateDone', index: 2, text: 'Air molecules scatter blue light more than red.', finishReason: 'stop', tokens: 9 },
    { type: 'scored', index: 0, reward: 0.1 },
    { type: 'scored', index: 1, reward: 0.2 },
    { type: 'scored', index: 2, reward: 0.3 },
    { type: 'ranked', order: [2, 1, 0], best: 2 },
    { type: 'done', cancelled: false },
  ]).reduce(applyBestOfNEvent, initialBestOfNState());
}

describe('Best-of-N rubric grades in the run state', () => {
  it('keeps each graded candidate\'s own grades; the run\'s grades are its best answer\'s', () => {
    const state = events('r', [
      { type: 'rubricGrading', index: 0, criteria: ['Short?', 'Correct?'] },
      { type: 'rubricGrading', index: 2, criteria: ['Short?', 'Correct?'] },
      { type: 'rubricGraded', index: 0, rubric: 1, score: 2, feedback: 'Vague.' },
      { type: 'rubricGraded', index: 2, rubric: 0, score: 5, feedback: 'One line.' },
      { type: 'rubricError', index: 2, rubric: 1, message: 'judge down' },
    ], 9).reduce(applyBestOfNEvent, finishedRun());
    assert.deepEqual(state.candidates[0]?.rubricGrades?.map((g) => [g.score, g.error]), [[undefined, undefined], [2, undefined]]);
    assert.deepEqual(state.candidates[2]?.rubricGrades?.map((g) => [g.score, g.feedback, g.error]), [[5, 'One line.', undefined], [undefined, undefined, 'judge down']]);
    assert.equal(state.candidates[1]?.rubricGrades, undefined, 'not graded, no grades');
    // Candidate 0's grade did not land on the run's answer (candidate 2).
    assert.equal(state.rubricGrades?.index, 2);
    assert.deepEqual(state.rubricGrades?.items.map((g) => g.score), [5, undefined]);
  });

  it('a new rubricGrading replaces the candidate\'s old grades (a re-score grades again)', () => {
    const graded = events('r', [
      { type: 'rubricGrading', index: 2, criteria: ['Short?'] },
      { type: 'rubricGraded', index: 2, rubric: 0, score: 5, feedback: 'old' },
    ], 9).reduce(applyBestOfNEvent, finishedRun());
    const again = events('r', [{ type: 'rubricGrading', index: 2, criteria: ['Short?'] }], 11).reduce(applyBestOfNEvent, graded);
    assert.deepEqual(again.candidates[2]?.rubricGrades, [{ criteria: 'Short?', score: undefined, feedback: undefined, error: undefined }]);
    assert.deepEqual(again.rubricGrades?.items.map((g) => g.score), [undefined]);
  });
});

describe('Re-score grades the rubrics again', function () {
  this.timeout(20_000);
  let judge: JudgeServer;
  /** While true, the judge gives no score for the cause rubric of the "Rayleigh" candidate. */
  let broken = true;
  const rubrics = [rubric('Is it one sentence?'), rubric('Does it name the cause?')];
  const profile = (): EndpointProfile => endpointProfileSchema.parse({ role: 'judge', baseUrl: judge.baseUrl, model: 'fake-judge', format: 'chat', sampling: {} });

  before(async () => {
    judge = await startJudgeServer({ plan: (r) => (broken && r.user.includes('Does it name the cause?') && r.user.includes('Rayleigh') ? { kind: 'text', text: 'No idea.' } : { kind: 'score' }) });
  });
  after(() => judge.close());
  beforeEach(() => {
    judge.requests.splice(0);
    broken = true;
  });

  const grader = (): RubricGrader => createRubricGrader({ client: new EndpointClient(profile(), { retryPolicy: fastRetry }), scheduler: createScheduler({ concurrency: 4 }), maxAttempts: 1 });
  /** The judge fallback scoring on `scoreOn`, sharing `shared`'s grades. */
  const judgeScorer = (shared: RubricGrader, scoreOn: readonly Rubric[]): RewardScorer =>
    createJudgeScorer({ client: new EndpointClient(profile(), { retryPolicy: fastRetry }), scheduler: createScheduler({ concurrency: 4 }), grader: shared, rubrics: scoreOn });

  async function rescore(before: BestOfNState, options: RescoreOptions): Promise<{ readonly seen: BestOfNEvent[]; readonly state: BestOfNState }> {
    const seen: BestOfNEvent[] = [];
    for await (const event of rescoreRun(before, options)) seen.push(event);
    return { seen, state: seen.reduce(applyBestOfNEvent, before) };
  }

  it('grades every candidate (single-persona Best-of-N) after the ranking, and the judge fallback\'s calls are reused, not repeated', async () => {
    broken = false;
    const shared = grader();
    const before = finishedRun();
    const { seen, state } = await rescore(before, { scorer: judgeScorer(shared, rubrics), input, rubricGrading: { grader: shared, rubrics, allCandidates: true } });
    const types = seen.map((e) => e.type);
    assert.equal(types[0], 'rescoring');
    assert.equal(types.at(-1), 'done');
    assert.ok(types.indexOf('rubricGrading') > types.indexOf('ranked'), `grades after the ranking: ${types.join(',')}`);
    assert.deepEqual(seen.map((e) => e.seq), seen.map((_, i) => before.lastSeq + 1 + i), 'the run\'s own numbering continues');
    for (const c of state.candidates) {
      const grades = c.rubricGrades ?? [];
      assert.equal(grades.length, 2, `candidate ${c.index} graded on both rubrics`);
      grades.forEach((g, position) => {
        const call = judge.requests.find((r) => r.user.includes(rubrics[position]!.criteria) && r.user.includes(c.text));
        assert.ok(call, `the judge was asked about candidate ${c.index} on "${g.criteria}"`);
        assert.equal(g.score, expectedScore(call.user));
      });
      // The reward is the judge fallback's: the mean of these same grades.
      assert.equal(c.reward, grades.reduce((sum, g) => sum + (g.score ?? NaN), 0) / grades.length);
    }
    assert.equal(judge.requests.length, 3 * 2, 'one call per (candidate, rubric)');
  });

  it('a failed grade is stated on its chip; a re-score after the judge is fixed replaces it', async () => {
    const scoreOn = [rubrics[0]!];
    const first = await rescore(finishedRun(), { scorer: judgeScorer(grader(), scoreOn), input, rubricGrading: { grader: grader(), rubrics, allCandidates: true } });
    const failed = first.state.candidates[0]?.rubricGrades?.[1];
    assert.equal(failed?.score, undefined);
    assert.match(failed?.error ?? '', /gave no 1-5 score in 1 tries/);
    assert.equal(first.state.scoreError, undefined, 'the ranking stands: grades are extra information');
    assert.ok(first.state.best !== undefined);
    broken = false;
    const shared = grader();
    const second = await rescore(first.state, { scorer: judgeScorer(shared, scoreOn), input, rubricGrading: { grader: shared, rubrics, allCandidates: true } });
    const fixed = second.state.candidates[0]?.rubricGrades?.[1];
    assert.equal(fixed?.error, undefined);
    assert.equal(typeof fixed?.score, 'number');
    assert.ok(second.state.candidates.every((c) => c.rubricGrades?.every((g) => g.score !== undefined)), 'every grade in');
  });

  it('Compare Personas re-grades only the answer (the best candidate)', async () => {
    broken = false;
    const shared = grader();
    const { state } = await rescore(finishedRun(), { scorer: judgeScorer(shared, [rubrics[0]!]), input, rubricGrading: { grader: shared, rubrics } });
    assert.deepEqual(state.candidates.filter((c) => c.rubricGrades !== undefined).map((c) => c.index), [state.best]);
    assert.equal(state.rubricGrades?.index, state.best);
    assert.ok(state.rubricGrades?.items.every((g) => g.score !== undefined), 'both graded');
  });

  it('without a grading setting, re-score grades nothing', async () => {
    broken = false;
    const { seen } = await rescore(finishedRun(), { scorer: judgeScorer(grader(), [rubrics[0]!]), input });
    assert.ok(!seen.some((e) => e.type.startsWith('rubric')));
    assert.equal(judge.requests.length, 3, 'the scorer\'s calls only');
  });
});
