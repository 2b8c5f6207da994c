import assert from 'node:assert/strict';
import type { BestOfNEvent, BestOfNEventBody } from '../../../src/core/bestOfN/events';
import { dpoRows, sftRows } from '../../../src/core/export/preferencePairs';
import { spreadChart } from '../../../src/webview/candidates/chart';
import type { PanelSession } from '../../../src/webview/candidates/model';
import {
  applyGroupEvent, bannersOf, cardsOf, compareLeader, failed, interrupted, isRunning, markCount, newSession, rubricViewOf, sessionEntries, statusLine, toCoreRun, withMark,
} from '../../../src/webview/candidates/model';

function events(runId: string, bodies: readonly BestOfNEventBody[]): BestOfNEvent[] {
  return bodies.map((body, seq) => ({ runId, seq, ...body }));
}

const rm = { kind: 'local', isRewardModel: true, description: 'http://127.0.0.1:8011 (local engine)' } as const;
const judge = { kind: 'judge', isRewardModel: false, description: 'https://judge.example (judge grades on rubrics, not a reward model)' } as const;

function session(groups = 1): PanelSession {
  return newSession({ sessionId: 's1', mode: groups > 1 ? 'compare' : 'bestOfN', prompt: 'Why is the sky blue?', groups: Array.from({ length: groups }, (_, i) => ({ label: `P${i}`, system: `You are persona ${i}.` })), hasSelection: false, createdAt: 1 });
}

function apply(s: PanelSession, list: readonly BestOfNEvent[], group = 0): PanelSession {
  return list.reduce((acc, e) => applyGroupEvent(acc, group, e), s);
}

const ranked = events('s1', [
  { type: 'started', n: 3, strategy: 'parallel', seed: 1, scorer: rm },
  { type: 'candidateDelta', index: 2, text: 'Ray' },
  { type: 'candidateDelta', index: 0, text: 'Light' },
  { type: 'candidateDone', index: 0, text: 'Light scatters.', finishReason: 'stop', tokens: 4 },
  { type: 'candidateDone', index: 1, text: 'Because.', finishReason: 'stop', tokens: 2 },
  { type: 'candidateDone', index: 2, text: 'Rayleigh scattering of short wavelengths.', finishReason: 'length', tokens: 7 },
  { type: 'scored', index: 0, reward: 0.5 },
  { type: 'scored', index: 1, reward: -1.25 },
  { type: 'scored', index: 2, reward: 2 },
  { type: 'ranked', order: [2, 0, 1], best: 2 },
  { type: 'done', cancelled: false },
]);

describe('candidates panel model', () => {
  it('streams text into cards in candidate order while sampling', () => {
    const s = apply(session(), ranked.slice(0, 4));
    const cards = cardsOf(s.groups[0]!);
    assert.deepEqual(cards.map((c) => [c.index, c.text, c.status, c.rank]), [[0, 'Light scatters.', 'done', undefined], [1, '', 'sampling', undefined], [2, 'Ray', 'sampling', undefined]]);
    assert.equal(isRunning(s), true);
    assert.match(statusLine(s), /Sampling 1\/3/);
  });

  it('orders cards best first once ranked, with reward, rank, chars, tokens and the best flagged', () => {
    const s = apply(session(), ranked);
    const cards = cardsOf(s.groups[0]!);
    assert.deepEqual(cards.map((c) => [c.index, c.rank, c.reward, c.chars, c.tokens, c.best]), [
      [2, 1, 2, 41, 7, true],
      [0, 2, 0.5, 15, 4, false],
      [1, 3, -1.25, 8, 2, false],
    ]);
    assert.equal(isRunning(s), false);
    assert.equal(statusLine(s), 'Ranked');
    assert.deepEqual(bannersOf(s.groups[0]!), []);
  });

  it('shows candidates unscored with the error and ranks nothing when scoring fails', () => {
    const failed = events('s1', [
      ...ranked.slice(0, 6).map(({ runId: _r, seq: _s, ...body }) => body),
      { type: 'scoreError', indexes: [0, 1, 2], kind: 'request', message: 'Reward scoring failed: 127.0.0.1:9 could not be reached.' },
      { type: 'done', cancelled: false },
    ]);
    const s = apply(session(), failed);
    const cards = cardsOf(s.groups[0]!);
    assert.deepEqual(cards.map((c) => [c.index, c.rank, c.reward, c.best]), [[0, undefined, undefined, false], [1, undefined, undefined, false], [2, undefined, undefined, false]]);
    const banners = bannersOf(s.groups[0]!);
    assert.equal(banners[0]?.kind, 'scoreError');
    assert.match(banners[0]?.text ?? '', /unscored and nothing is ranked: Reward scoring failed: 127\.0\.0\.1:9 could not be reached/);
    assert.equal(statusLine(s), 'Done (not ranked)');
  });

  it('says the judge fallback is not a reward model, and that nothing scores without a scorer', () => {
    const withJudge = apply(session(), events('s1', [{ type: 'started', n: 1, strategy: 'n', seed: 1, scorer: judge }]));
    assert.match(bannersOf(withJudge.groups[0]!).map((b) => b.text).join(' '), /scored by the judge on the persona's rubrics — not a reward model/i);
    const none = apply(session(), events('s1', [{ type: 'started', n: 1, strategy: 'n', seed: 1, scorer: undefined }]));
    assert.deepEqual(bannersOf(none.groups[0]!).map((b) => b.kind), ['noScorer']);
    assert.equal(bannersOf(session().groups[0]!).length, 0, 'no banner before the run starts');
  });

  it('re-scoring with the judge swaps the scorer and the banner', () => {
    const s = apply(session(), [...ranked, ...events('s1', [{ type: 'rescoring', indexes: [0, 1, 2], scorer: judge }]).map((e) => ({ ...e, seq: 20 }))]);
    assert.equal(s.groups[0]?.scorer?.kind, 'judge');
    assert.deepEqual(cardsOf(s.groups[0]!).map((c) => c.reward), [undefined, undefined, undefined]);
    assert.ok(bannersOf(s.groups[0]!).some((b) => b.kind === 'judge'));
  });

  it('keeps marks per group, clears them when the group starts a new run, and exports them with rewards', () => {
    let s = apply(session(), ranked);
    s = withMark(s, 0, 2, 'chosen');
    s = withMark(s, 0, 1, 'rejected');
    s = withMark(s, 0, 0, 'rejected');
    s = withMark(s, 0, 0, null);
    assert.equal(markCount(s), 2);
    assert.equal(cardsOf(s.groups[0]!)[0]?.mark, 'chosen');
    const entries = sessionEntries(s);
    assert.deepEqual(dpoRows({ entries }), [
      { system: 'You are persona 0.', prompt: 'Why is the sky blue?', chosen: 'Rayleigh scattering of short wavelengths.', rejected: 'Because.', chosen_reward: 2, rejected_reward: -1.25 },
    ]);
    assert.deepEqual(sftRows({ entries }).map((r) => r.output), ['Rayleigh scattering of short wavelengths.']);
    const restarted = apply(s, events('s2', [{ type: 'started', n: 2, strategy: 'n', seed: 3, scorer: rm }]));
    assert.equal(markCount(restarted), 0);
  });

  it('leaves a stale run\'s events out', () => {
    const s = apply(session(), ranked);
    const stale = applyGroupEvent(s, 0, { runId: 'old', seq: 99, type: 'candidateDelta', index: 0, text: 'XXX' });
    assert.equal(stale.groups[0]?.run.candidates[0]?.text, 'Light scatters.');
  });

  it('applies events to their own group in a comparison', () => {
    const s = apply(session(2), events('s1:1', [{ type: 'started', n: 1, strategy: 'n', seed: 1, scorer: rm }, { type: 'candidateDelta', index: 0, text: 'Hi' }]), 1);
    assert.equal(s.groups[1]?.run.candidates[0]?.text, 'Hi');
    assert.equal(s.groups[0]?.run.candidates.length, 0);
  });

  it('names the persona whose answer has the highest reward, only once every persona is ranked', () => {
    const one = (runId: string, reward: number): BestOfNEvent[] =>
      events(runId, [
        { type: 'started', n: 1, strategy: 'n', seed: 1, scorer: rm },
        { type: 'candidateDone', index: 0, text: 'x', finishReason: 'stop', tokens: 1 },
        { type: 'scored', index: 0, reward },
        { type: 'ranked', order: [0], best: 0 },
        { type: 'done', cancelled: false },
      ]);
    let s = apply(session(3), one('s1:0', 0.2), 0);
    s = apply(s, one('s1:1', 0.7), 1);
    assert.equal(compareLeader(s), undefined, 'persona 3 is not ranked yet');
    s = apply(s, one('s1:2', -3), 2);
    assert.equal(compareLeader(s), 1);
    assert.equal(compareLeader(apply(session(), ranked)), undefined, 'not in Best-of-N');
  });

  it('a restored session whose run was cut off by the reload reads as cancelled', () => {
    const s = interrupted(apply(session(), ranked.slice(0, 3)));
    assert.equal(s.groups[0]?.run.finished, true);
    assert.equal(s.groups[0]?.run.cancelled, true);
    assert.equal(isRunning(s), false);
    assert.ok(bannersOf(s.groups[0]!).some((b) => b.kind === 'cancelled'));
    const done = apply(session(), ranked);
    assert.deepEqual(interrupted(done), done);
  });

  it('a session whose stream failed before its runs reported is over, with the reason and no cancel banner', () => {
    const s = failed(session(2), 'The generator at http://127.0.0.1:9 could not be reached.');
    assert.equal(isRunning(s), false);
    assert.equal(statusLine(s), 'Failed');
    assert.equal(s.error, 'The generator at http://127.0.0.1:9 could not be reached.');
    assert.deepEqual(s.groups.map((g) => bannersOf(g).length), [0, 0]);
  });

  it('round-trips the run through the protocol shape', () => {
    const s = apply(session(), ranked);
    const core = toCoreRun(s.groups[0]!.run);
    assert.equal(core.candidates[1]?.error, undefined);
    assert.ok('error' in (core.candidates[1] ?? {}), 'every core key is present');
    assert.deepEqual(core.order, [2, 0, 1]);
  });
});

describe('reward spread chart', () => {
  it('draws one bar per scored candidate, the best one longest and marked, the lowest a visible stub', () => {
    const chart = spreadChart([{ index: 2, reward: 2 }, { index: 0, reward: 0.5 }, { index: 1, reward: -1.25 }], 2, 300);
    assert.ok(chart);
    assert.equal(chart.min, -1.25);
    assert.equal(chart.max, 2);
    const [best, mid, low] = chart.bars;
    assert.equal(best?.best, true);
    const area = 300 - chart.labelWidth - chart.valueWidth;
    assert.equal(best?.length, area);
    assert.ok(low && low.length > 0 && low.length < 0.1 * area);
    assert.ok(mid && low && best && mid.length > low.length && mid.length < best.length);
    assert.deepEqual(chart.bars.map((b) => b.label), ['C3', 'C1', 'C2'], 'labelled by candidate, as the cards are titled');
    assert.equal(chart.height, 3 * chart.barHeight + 2 * 6);
  });

  it('gives equal rewards equal full bars and draws nothing without rewards', () => {
    const chart = spreadChart([{ index: 0, reward: 1 }, { index: 1, reward: 1 }], undefined);
    assert.deepEqual(chart?.bars.map((b) => [b.length, b.best]), [[206, false], [206, false]], 'full length: 300 - 30 - 64');
    assert.equal(spreadChart([], undefined), undefined);
  });
  it('token counts: exact from the server, "~" estimates from the stream settled by the request\'s total', () => {
    const s = apply(session(), events('s1', [
      { type: 'started', n: 2, strategy: 'n', seed: 1, scorer: undefined },
      { type: 'candidateDone', index: 0, text: 'Light scatters.', finishReason: 'stop', tokens: 3, tokensEstimated: true },
      { type: 'candidateDone', index: 1, text: 'Because.', finishReason: 'stop', tokens: 2, tokensEstimated: true },
    ]));
    assert.deepEqual(cardsOf(s.groups[0]!).map((c) => [c.tokens, c.tokensEstimated]), [[3, true], [2, true]]);
    const settled = apply(s, [
      { runId: 's1', seq: 3, type: 'candidateTokens', index: 0, tokens: 3, estimated: false },
      { runId: 's1', seq: 4, type: 'candidateTokens', index: 1, tokens: 2, estimated: false },
    ]);
    assert.deepEqual(cardsOf(settled.groups[0]!).map((c) => [c.tokens, c.tokensEstimated]), [[3, false], [2, false]]);
    // A parallel run's counts are the server's own: not estimates.
    assert.ok(cardsOf(apply(session(), ranked).groups[0]!).every((c) => !c.tokensEstimated));
  });

  it('Compare Personas: rubric chips stream in, with the mean of the graded ones, an error left unscored, and notes for the rest', () => {
    const compare = newSession({
      sessionId: 's1', mode: 'compare', prompt: 'p', hasSelection: false, createdAt: 1,
      groups: [{ label: 'A', system: 'a', grading: 'judge' }, { label: 'B', system: 'b', grading: 'noRubrics' }, { label: 'C', system: 'c', grading: 'noJudge' }],
    });
    assert.equal(rubricViewOf(session().groups[0]!), undefined, 'no rubric box outside a comparison');
    let s = apply(compare, events('s1', [
      { type: 'started', n: 1, strategy: 'parallel', seed: 1, scorer: rm },
      { type: 'candidateDone', index: 0, text: 'Terse.', finishReason: 'stop', tokens: 2 },
      { type: 'scored', index: 0, reward: 1 },
      { type: 'ranked', order: [0], best: 0 },
    ]));
    assert.match(rubricViewOf(s.groups[0]!)?.note ?? '', /follow once the answer is in/);
    s = apply(s, [
      { runId: 's1', seq: 4, type: 'rubricGrading', index: 0, criteria: ['Terse?', 'Correct?', 'Kind?'] },
      { runId: 's1', seq: 5, type: 'rubricGraded', index: 0, rubric: 1, score: 5, feedback: 'Right.' },
    ]);
    let view = rubricViewOf(s.groups[0]!);
    assert.deepEqual(view?.chips.map((c) => [c.criteria, c.score, c.pending]), [['Terse?', undefined, true], ['Correct?', 5, false], ['Kind?', undefined, true]]);
    assert.equal(statusLine(s), 'Grading on rubrics…');
    s = apply(s, [
      { runId: 's1', seq: 6, type: 'rubricGraded', index: 0, rubric: 0, score: 2, feedback: 'Too long.' },
      { runId: 's1', seq: 7, type: 'rubricError', index: 0, rubric: 2, message: 'The judge gave no 1-5 score in 5 tries.' },
      { runId: 's1', seq: 8, type: 'done', cancelled: false },
    ]);
    view = rubricViewOf(s.groups[0]!);
    assert.deepEqual(view?.chips.map((c) => [c.score, c.feedback, c.error, c.pending]), [[2, 'Too long.', undefined, false], [5, 'Right.', undefined, false], [undefined, undefined, 'The judge gave no 1-5 score in 5 tries.', false]]);
    assert.equal(view?.mean, 3.5, 'the mean of the graded rubrics only');
    assert.equal(view?.graded, 2);
    assert.match(rubricViewOf(s.groups[1]!)?.note ?? '', /no rubrics/);
    assert.match(rubricViewOf(s.groups[2]!)?.note ?? '', /janus\.judge\.baseUrl/);
    // The grades survive the trip through JSON (setState, the session file) and the core reducer.
    assert.deepEqual(toCoreRun(JSON.parse(JSON.stringify(s.groups[0]!.run)) as PanelSession['groups'][number]['run']).rubricGrades, toCoreRun(s.groups[0]!.run).rubricGrades);
  });

  it('Best-of-N: every graded candidate\'s card has its own chips and mean; the comparison column box stays a comparison\'s', () => {
    let s = apply(session(), ranked.slice(0, -1));
    s = apply(s, [
      { runId: 's1', seq: 10, type: 'rubricGrading', index: 0, criteria: ['Terse?', 'Correct?'] },
      { runId: 's1', seq: 11, type: 'rubricGrading', index: 2, criteria: ['Terse?', 'Correct?'] },
      { runId: 's1', seq: 12, type: 'rubricGraded', index: 2, rubric: 0, score: 4, feedback: 'Short.' },
      { runId: 's1', seq: 13, type: 'rubricError', index: 0, rubric: 1, message: 'The judge at https://judge.example failed: 500' },
    ]);
    assert.equal(statusLine(s), 'Grading on rubrics…');
    const byIndex = (list: ReturnType<typeof cardsOf>): Map<number, (typeof list)[number]> => new Map(list.map((c) => [c.index, c]));
    let cards = byIndex(cardsOf(s.groups[0]!));
    assert.deepEqual(cards.get(2)?.rubrics?.chips.map((c) => [c.score, c.pending]), [[4, false], [undefined, true]]);
    assert.equal(cards.get(2)?.rubrics?.mean, 4);
    assert.deepEqual(cards.get(0)?.rubrics?.chips.map((c) => c.error), [undefined, 'The judge at https://judge.example failed: 500']);
    assert.equal(cards.get(1)?.rubrics, undefined, 'not graded: no chips');
    assert.deepEqual(cardsOf(s.groups[0]!).map((c) => c.index), [2, 0, 1], 'the reward still makes the order');
    assert.equal(rubricViewOf(s.groups[0]!), undefined, 'no column box outside a comparison');
    s = apply(s, [{ runId: 's1', seq: 14, type: 'done', cancelled: false }]);
    cards = byIndex(cardsOf(s.groups[0]!));
    assert.equal(cards.get(2)?.rubrics?.chips[1]?.pending, false, 'a finished run has nothing pending');
    // The card grades survive JSON (setState, the session file) and the core reducer.
    const trip = toCoreRun(JSON.parse(JSON.stringify(s.groups[0]!.run)) as PanelSession['groups'][number]['run']);
    assert.deepEqual(trip.candidates.map((c) => c.rubricGrades), toCoreRun(s.groups[0]!.run).candidates.map((c) => c.rubricGrades));
    assert.equal(trip.candidates[2]?.rubricGrades?.[0]?.feedback, 'Short.');
  });
});
