import assert from 'node:assert/strict';
import type { BestOfNEvent, BestOfNEventBody } from '../../../src/core/bestOfN/events';
import { applyBestOfNEvent, candidatesInRankOrder, initialBestOfNState } from '../../../src/core/bestOfN/runState';

function run(id: string, bodies: readonly BestOfNEventBody[]): BestOfNEvent[] {
  return bodies.map((body, seq) => ({ runId: id, seq, ...body }));
}

describe('Best-of-N run state', () => {
  const events = run('r1', [
    { type: 'started', n: 3, strategy: 'n', seed: 7, scorer: { kind: 'local', isRewardModel: true, description: 'engine' } },
    { type: 'candidateDelta', index: 1, text: 'Hel' },
    { type: 'candidateDelta', index: 0, text: 'A' },
    { type: 'candidateDelta', index: 1, text: 'lo' },
    { type: 'candidateDone', index: 1, text: 'Hello', finishReason: 'stop', tokens: 2 },
    { type: 'candidateDone', index: 0, text: 'A', finishReason: 'length', tokens: undefined },
    { type: 'candidateError', index: 2, message: 'Endpoint refused' },
    { type: 'scored', index: 0, reward: 0.1 },
    { type: 'scored', index: 1, reward: 0.9 },
    { type: 'ranked', order: [1, 0], best: 1 },
    { type: 'done', cancelled: false },
  ]);

  it('builds the candidates, rewards and ranking from the events', () => {
    const state = events.reduce(applyBestOfNEvent, initialBestOfNState());
    assert.equal(state.strategy, 'n');
    assert.equal(state.isRewardModel, true);
    assert.deepEqual(state.candidates.map((c) => [c.text, c.status, c.reward]), [['A', 'done', 0.1], ['Hello', 'done', 0.9], ['', 'failed', undefined]]);
    assert.equal(state.candidates[2]?.error, 'Endpoint refused');
    assert.equal(state.best, 1);
    assert.equal(state.finished, true);
    assert.deepEqual(candidatesInRankOrder(state).map((c) => c.index), [1, 0, 2]);
  });

  it('shows deltas before the candidate is done', () => {
    const state = events.slice(0, 4).reduce(applyBestOfNEvent, initialBestOfNState());
    assert.deepEqual(state.candidates.map((c) => c.text), ['A', 'Hello', '']);
    assert.ok(state.candidates.every((c) => c.status === 'sampling'));
  });

  it('ignores events of another run (a stale stream after a re-run)', () => {
    const state = events.slice(0, 5).reduce(applyBestOfNEvent, initialBestOfNState());
    const stale = run('r0', [{ type: 'scored', index: 1, reward: 99 }])[0];
    assert.ok(stale);
    assert.equal(applyBestOfNEvent(state, stale), state);
  });

  it('a score error leaves candidates unscored and the order empty', () => {
    const failed = run('r2', [
      { type: 'started', n: 1, strategy: 'parallel', seed: 1, scorer: undefined },
      { type: 'candidateDone', index: 0, text: 'x', finishReason: 'stop', tokens: 1 },
      { type: 'scoreError', indexes: [0], kind: 'wrongCount', message: 'returned 0 scores for 1 text' },
      { type: 'done', cancelled: false },
    ]).reduce(applyBestOfNEvent, initialBestOfNState());
    assert.equal(failed.scoreError, 'returned 0 scores for 1 text');
    assert.deepEqual(failed.order, []);
    assert.equal(failed.candidates[0]?.reward, undefined);
  });
});

describe('Best-of-N run state: re-score', () => {
  it('rescoring clears the old rewards, ranking and score error, and tracks the sequence', () => {
    const bodies: BestOfNEventBody[] = [
      { type: 'started', n: 2, strategy: 'parallel', seed: 3, scorer: { kind: 'openrlhf', isRewardModel: true, description: 'rm' } },
      { type: 'candidateDone', index: 0, text: 'a', finishReason: 'stop', tokens: 1 },
      { type: 'candidateDone', index: 1, text: 'b', finishReason: 'stop', tokens: 1 },
      { type: 'scored', index: 0, reward: 1 },
      { type: 'scoreError', indexes: [1], kind: 'request', message: 'down' },
      { type: 'done', cancelled: false },
      { type: 'rescoring', indexes: [0, 1], scorer: { kind: 'judge', isRewardModel: false, description: 'judge' } },
    ];
    const state = run('r', bodies).reduce(applyBestOfNEvent, initialBestOfNState());
    assert.equal(state.scoreError, undefined);
    assert.deepEqual(state.candidates.map((c) => c.reward), [undefined, undefined]);
    assert.equal(state.isRewardModel, false);
    assert.equal(state.finished, false);
    assert.equal(state.lastSeq, 6);
  });
});
