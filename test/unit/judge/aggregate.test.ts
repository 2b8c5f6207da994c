import assert from 'node:assert/strict';
import type { BenchInstance } from '../../../src/core/bench/benchSchema';
import type { JudgedItem } from '../../../src/core/judge/aggregate';
import { summarize } from '../../../src/core/judge/aggregate';

const rubric = { criteria: 'c', score_descriptions: { '1': 'a', '2': 'b', '3': 'c', '4': 'd', '5': 'e' } };
function instance(id: string, source: string, rubrics = 4): BenchInstance {
  return { id, index: Number(id), source, system: '', prompt: 'p', reference_answer: 'r', rubrics: Array.from({ length: rubrics }, () => rubric) };
}
function items(run: number, id: string, scores: (number | null)[]): JudgedItem[] {
  return scores.map((score, rubricIndex) => ({ run, id, rubricIndex, score }));
}

describe('summarize', () => {
  const bench = [instance('0', 'alpaca'), instance('1', 'alpaca'), instance('2', 'koala')];

  it('means over rubric items, then instances, then runs; per dimension and per source', () => {
    const judged = [
      ...items(0, '0', [4, 4, 5, 5]), // 4.5
      ...items(0, '1', [3, 3, 3, 3]), // 3
      ...items(0, '2', [5, 5, 5, 5]), // 5
      ...items(1, '0', [2, 2, 2, 2]), // 2
      ...items(1, '1', [3, 3, 3, 3]), // 3
      ...items(1, '2', [4, 4, 4, 4]), // 4
    ];
    const s = summarize(bench, judged, 2);
    assert.equal(s.runs[0]?.mean, (4.5 + 3 + 5) / 3);
    assert.equal(s.runs[1]?.mean, 3);
    assert.equal(s.overall, ((4.5 + 3 + 5) / 3 + 3) / 2);
    assert.equal(s.perInstance['0']?.mean, (4.5 + 2) / 2);
    assert.deepEqual(s.perInstance['0']?.byRubric, [3, 3, 3.5, 3.5]);
    assert.equal(s.byDimension['style'], ((4 + 3 + 5) / 3 + (2 + 3 + 4) / 3) / 2);
    assert.equal(s.byDimension['harmlessness'], ((5 + 3 + 5) / 3 + 3) / 2);
    assert.deepEqual(s.bySource['alpaca'], { mean: (3.75 + 2.5) / 2, instances: 2 });
    assert.deepEqual(s.bySource['koala'], { mean: 4.5, instances: 1 });
    assert.deepEqual([s.items, s.scored, s.unscored, s.missing], [24, 24, 0, 0]);
  });

  it('excludes unscored items from every mean and counts them; missing items apart', () => {
    const judged = [...items(0, '0', [5, null, null, 3]), ...items(0, '1', [null, null, null, null]), ...items(0, '2', [2, 2])];
    const s = summarize(bench, judged, 1);
    assert.equal(s.perInstance['0']?.mean, 4, 'mean of the two scored items, not (5+0+0+3)/4');
    assert.equal(s.perInstance['1']?.mean, null);
    assert.equal(s.perInstance['1']?.unscored, 4);
    assert.equal(s.overall, (4 + 2) / 2, 'an instance with nothing scored is left out of the model mean');
    assert.deepEqual(s.bySource['alpaca'], { mean: 4, instances: 1 });
    assert.deepEqual([s.scored, s.unscored, s.missing], [4, 6, 2]);
    assert.equal(s.runs[0]?.unscored, 6);
  });

  it('uses the preference_set dimension of each rubric when present', () => {
    const withSet: BenchInstance = { ...instance('9', 's', 2), preference_set: [{ dimension: 'harmlessness', subdimension: 'x', preference: 'p', description: 'd' }, { dimension: 'style', subdimension: 'x', preference: 'p', description: 'd' }] };
    const s = summarize([withSet], items(0, '9', [1, 5]), 1);
    assert.deepEqual(s.byDimension, { harmlessness: 1, style: 5 });
  });
});

describe('itemsFromEvaluationFile', () => {
  it('turns an evaluation file into judged items that summarize the same way', async () => {
    const { itemsFromEvaluationFile } = await import('../../../src/core/judge/aggregate');
    const bench = [instance('0', 'a'), instance('1', 'b')];
    const file = { '0': { score: [5, 4, null, 3] }, '1': { score: [2, 2, 2, 2] } };
    const s = summarize(bench, itemsFromEvaluationFile(file), 1);
    assert.equal(s.perInstance['0']?.mean, 4);
    assert.equal(s.overall, 3);
    assert.equal(s.unscored, 1);
  });
});
