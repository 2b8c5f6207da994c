import assert from 'node:assert/strict';
import { comparePaired } from '../../../src/core/stats/paired';
import { seededUniform } from '../../../src/core/stats/random';

function normal(u: () => number): number {
  return Math.sqrt(-2 * Math.log(Math.max(u(), 1e-300))) * Math.cos(2 * Math.PI * u());
}

/** Two runs over n instances: a shared per-instance difficulty, independent judge noise, b shifted. */
function runs(seed: number, n: number, shift: number): [Map<string, number>, Map<string, number>] {
  const u = seededUniform(seed);
  const a = new Map<string, number>();
  const b = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const difficulty = 4 + 0.5 * normal(u);
    a.set(String(i), difficulty + 0.4 * normal(u));
    b.set(String(i), difficulty + shift + 0.4 * normal(u));
  }
  return [a, b];
}

describe('stats: paired comparison', () => {
  it('finds a planted shift', () => {
    const [a, b] = runs(11, 300, 0.15);
    const result = comparePaired(a, b, { resamples: 4000, permutations: 4000 });
    assert.ok(result);
    assert.ok(result.low > 0, `interval [${result.low}, ${result.high}] should exclude 0`);
    assert.ok(result.pValue < 0.01, `p ${result.pValue}`);
    assert.ok(Math.abs(result.difference - 0.15) < 0.06);
    assert.ok(result.better > result.worse);
  });

  it('rejects identical-distribution runs at about the stated 5% rate', function () {
    this.timeout(60_000);
    const trials = 300;
    let rejected = 0;
    let excluded = 0;
    for (let seed = 1; seed <= trials; seed++) {
      const [a, b] = runs(seed * 104729, 80, 0);
      const result = comparePaired(a, b, { resamples: 1000, permutations: 1000, seed });
      assert.ok(result);
      if (result.pValue < 0.05) rejected++;
      if (result.low > 0 || result.high < 0) excluded++;
    }
    // Binomial sd of a 5% rate over 300 trials is 1.3%.
    assert.ok(rejected / trials > 0.015 && rejected / trials < 0.09, `false positive rate ${rejected / trials}`);
    assert.ok(excluded / trials > 0.015 && excluded / trials < 0.1, `interval miss rate ${excluded / trials}`);
  });

  it('reports identical runs as all tied with p = 1', () => {
    const [a] = runs(5, 40, 0);
    const result = comparePaired(a, new Map(a));
    assert.ok(result);
    assert.equal(result.difference, 0);
    assert.equal(result.tied, 40);
    assert.equal(result.pValue, 1);
    assert.deepEqual([result.low, result.high], [0, 0]);
  });

  it('lists instances missing on either side and the biggest movers', () => {
    const a = new Map([['0', 3], ['1', 4], ['2', 2], ['__proto__', 5]]);
    const b = new Map([['0', 4], ['1', 4], ['2', 5], ['9', 1], ['__proto__', 4]]);
    const result = comparePaired(a, b, { resamples: 200, permutations: 200 });
    assert.ok(result);
    assert.equal(result.n, 4);
    assert.deepEqual(result.missingInA, ['9']);
    assert.deepEqual(result.missingInB, []);
    assert.deepEqual(result.biggestGains.map((m) => m.id), ['2', '0']);
    assert.deepEqual(result.biggestLosses.map((m) => [m.id, m.delta]), [['__proto__', -1]]);
    assert.deepEqual([result.better, result.worse, result.tied], [2, 1, 1]);
    assert.equal(comparePaired(new Map([['x', 1]]), new Map([['y', 1]])), undefined);
  });
});
