import assert from 'node:assert/strict';
import { comparisonMarkdown } from '../../../src/core/stats/comparisonReport';
import { compareEvaluationRuns } from '../../../src/core/stats/evaluationRuns';

function side(means: Record<string, number>, runMeans = [3]): Parameters<typeof compareEvaluationRuns>[0] {
  return { files: ['x.json'], instanceMeans: new Map(Object.entries(means)), runMeans, unscored: [] };
}

describe('stats: comparison report', () => {
  it('states both means, the verdict, the counts, the movers and what is unpaired', () => {
    const a: Record<string, number> = {};
    const b: Record<string, number> = {};
    for (let i = 0; i < 50; i++) {
      a[String(i)] = 3 + (i % 3) * 0.5;
      b[String(i)] = a[String(i)]! + (i < 40 ? 0.5 : 0);
    }
    a['only-a'] = 4;
    b['a|b'] = 2;
    const md = comparisonMarkdown(compareEvaluationRuns(side(a), side(b, [3.4, 3.6]), { resamples: 1000, permutations: 1000 }), { a: 'run1/a.json', b: 'run2/b.json' });
    assert.match(md, /^# Comparison of two evaluation runs/);
    assert.match(md, /\| b \| run2\/b\.json \| \d\.\d\d \[\d\.\d\d, \d\.\d\d\] \| 51 \| 2 \(sd 0\.141\) \|/);
    assert.match(md, /\*\*b − a: \+0\.40 \[\+0\.\d\d, \+0\.\d\d\], p < 0\.001\*\* — b is better than a\./);
    assert.match(md, /50 paired instances: 40 better, 0 worse, 10 tied/);
    assert.match(md, /Only in a \(not paired\): 1: only-a\. Only in b: 1: a\\\|b\./);
    assert.match(md, /### Biggest gains\n\n\| instance \| a \| b \| b − a \|/);
    assert.doesNotMatch(md, /### Biggest losses/);
  });

  it('says when nothing is paired', () => {
    const md = comparisonMarkdown(compareEvaluationRuns(side({ x: 3 }), side({ y: 4 })), { a: 'a', b: 'b' });
    assert.match(md, /No instance is scored in both runs/);
  });
});
