import assert from 'node:assert/strict';
import { bootstrapMean, bootstrapMeans, quantileSorted, quantileUnsorted } from '../../../src/core/stats/bootstrap';
import { seededUniform } from '../../../src/core/stats/random';

/** Standard normal draws (Box-Muller) from the seeded source: the simulation's own randomness. */
function normals(seed: number, n: number, mean: number, sd: number): Float64Array {
  const u = seededUniform(seed);
  return Float64Array.from({ length: n }, () => mean + sd * Math.sqrt(-2 * Math.log(Math.max(u(), 1e-300))) * Math.cos(2 * Math.PI * u()));
}

describe('stats: bootstrap intervals', () => {
  it('covers the true mean of a simulated normal sample about 95% of the time', function () {
    this.timeout(60_000);
    // 400 samples of 60 values: the percentile bootstrap is known to under-cover a little at this
    // size (about 94%); the binomial noise of 400 trials is +-1.1% (one sd).
    const trials = 400;
    let covered = 0;
    for (let seed = 1; seed <= trials; seed++) {
      const sample = normals(seed * 7919, 60, 4.1, 0.6);
      const interval = bootstrapMean(sample, { resamples: 2000, seed });
      if (interval && interval.low <= 4.1 && 4.1 <= interval.high) covered++;
    }
    const coverage = covered / trials;
    assert.ok(coverage > 0.91 && coverage < 0.98, `coverage ${coverage}`);
  });

  it('gives the normal-theory width for a large sample', () => {
    const sample = normals(42, 900, 3, 1);
    const interval = bootstrapMean(sample);
    assert.ok(interval);
    // 1.96 * sd / sqrt(n) = 0.0653 for sd 1, n 900; the sample sd is close to 1.
    const half = (interval.high - interval.low) / 2;
    assert.ok(Math.abs(half - 0.0653) < 0.006, `half width ${half}`);
    assert.ok(Math.abs(interval.standardError - 1 / 30) < 0.003, `se ${interval.standardError}`);
    assert.ok(interval.low < interval.mean && interval.mean < interval.high);
  });

  it('is the same for the same values and seed, and differs for another seed', () => {
    const values = normals(3, 50, 0, 1);
    assert.deepEqual(bootstrapMean(values), bootstrapMean(values));
    assert.notDeepEqual(bootstrapMean(values, { seed: 1 }), bootstrapMean(values, { seed: 2 }));
  });

  it('has a zero-width interval for constant values and none for no values', () => {
    assert.deepEqual(bootstrapMean([4, 4, 4]), { mean: 4, low: 4, high: 4, n: 3, standardError: 0 });
    assert.equal(bootstrapMean([]), undefined);
    assert.throws(() => bootstrapMean([1], { level: 1 }), /level/);
  });

  it('interpolates quantiles between order statistics', () => {
    const sorted = Float64Array.from([1, 2, 3, 4]);
    assert.equal(quantileSorted(sorted, 0), 1);
    assert.equal(quantileSorted(sorted, 1), 4);
    assert.equal(quantileSorted(sorted, 0.5), 2.5);
  });

  it('selects the same quantiles without sorting as after a sort, ties and all', () => {
    const u = seededUniform(77);
    for (const n of [1, 2, 3, 10, 101, 10_000]) {
      for (const q of [0, 0.025, 0.5, 0.975, 1]) {
        // Few distinct values, as bootstrap means of small groups have.
        const values = Float64Array.from({ length: n }, () => Math.round(u() * 8) / 4);
        const sorted = Float64Array.from(values).sort();
        assert.equal(quantileUnsorted(Float64Array.from(values), q), quantileSorted(sorted, q), `n ${n}, q ${q}`);
      }
    }
  });

  it('resamples with the same generator stream as seededUniform (the inline copy matches)', () => {
    // With values equal to their indices, each resample's mean gives back the drawn indices' sum.
    const values = [0, 1, 2, 3, 4, 5, 6];
    const u = seededUniform(123);
    const expected = Array.from({ length: 50 }, () => values.reduce((sum) => sum + Math.floor(u() * values.length), 0) / values.length);
    assert.deepEqual([...bootstrapMeans(values, 50, 123)], expected);
  });
});
