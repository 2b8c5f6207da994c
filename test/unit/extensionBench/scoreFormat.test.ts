import assert from 'node:assert/strict';
import { compareLensTitle, feedbackMarkdown, formatDelta, instanceResult, lensTitle, rubricLabels, scoreBand } from '../../../src/extension/bench/scoreFormat';

const dims = ['style', 'background_knowledge', 'informativeness', 'harmlessness'];

describe('bench score lenses (text)', () => {
  it('labels chips by the preference dimension, shortening background_knowledge, else r1..rN', () => {
    assert.deepEqual(rubricLabels(dims, 4), ['style', 'knowledge', 'informativeness', 'harmlessness']);
    assert.deepEqual(rubricLabels([], 3), ['r1', 'r2', 'r3']);
    assert.deepEqual(rubricLabels(['style'], 2), ['style', 'r2']);
  });

  it('shows the mean over scored rubrics and one chip per rubric', () => {
    const result = instanceResult([4, 5, 4, 4], ['a', 'b', 'c', 'd']);
    assert.equal(lensTitle(result, rubricLabels(dims, 4)), '4.25 · style 4 · knowledge 5 · informativeness 4 · harmlessness 4');
  });

  it('says unscored instead of a number, and leaves it out of the mean', () => {
    const result = instanceResult([4, null, 2, 3], []);
    assert.equal(result.mean, 3);
    assert.equal(lensTitle(result, ['r1', 'r2', 'r3', 'r4']), '3.00 · r1 4 · r2 unscored · r3 2 · r4 3');
    assert.equal(lensTitle(instanceResult([null, null], []), ['r1', 'r2']), 'unscored · r1 unscored · r2 unscored');
  });

  it('compares two runs with signed deltas per rubric (n/a where a side has no score)', () => {
    const shown = instanceResult([4, 5, 3, null], []);
    const base = instanceResult([3, 5, 4, 2], []);
    assert.equal(compareLensTitle(shown, base, ['a', 'b', 'c', 'd']), '4.00 (+0.50) · a 4 (+1) · b 5 (±0) · c 3 (−1) · d unscored (n/a)');
    assert.equal(compareLensTitle(shown, undefined, ['a', 'b', 'c', 'd']).startsWith('4.00 (n/a) · a 4 (n/a)'), true);
  });

  it('formats deltas with a sign and never shows -0.00', () => {
    assert.equal(formatDelta(0.25), '+0.25');
    assert.equal(formatDelta(-1.5), '−1.50');
    assert.equal(formatDelta(-0.0001), '±0');
    assert.equal(formatDelta(null), 'n/a');
  });

  it('puts means under the threshold in the low band, 4 and above in the high band', () => {
    assert.equal(scoreBand(2.99, 3), 'low');
    assert.equal(scoreBand(3, 3), 'mid');
    assert.equal(scoreBand(3.99, 3), 'mid');
    assert.equal(scoreBand(4, 3), 'high');
    assert.equal(scoreBand(null, 3), 'none');
    // A threshold above 4 keeps "high" from including instances that are also reported as low.
    assert.equal(scoreBand(4.2, 4.5), 'low');
    assert.equal(scoreBand(4.6, 4.5), 'high');
  });

  it('writes hover feedback with the score, and says when the judge gave none', () => {
    assert.equal(feedbackMarkdown('style', 4, ' Clear and short. '), '**style: 4 / 5**\n\nClear and short.');
    assert.equal(feedbackMarkdown('style', 5, 'Feedback: Clear.'), '**style: 5 / 5**\n\nClear.', 'the protocol\'s label is not repeated');
    const unscored = feedbackMarkdown('r2', null, 'I cannot grade this');
    assert.match(unscored, /^\*\*r2: unscored\*\*/);
    assert.match(unscored, /I cannot grade this/);
    assert.match(unscored, /no score after the retries/);
    assert.match(feedbackMarkdown('r1', 3, ''), /No feedback recorded/);
  });
});
