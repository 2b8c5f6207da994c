import assert from 'node:assert/strict';
import { bootstrapMean } from '../../../src/core/stats/bootstrap';
import { GroupedValues } from '../../../src/core/stats/groupBootstrap';
import { seededUniform } from '../../../src/core/stats/random';

describe('stats: one bootstrap for many group means', () => {
  const u = seededUniform(31);
  const values = Array.from({ length: 400 }, () => 1 + 4 * u());

  it('gives the single-group interval of bootstrapMean (the same draws, float32 storage)', () => {
    const grouped = new GroupedValues();
    values.forEach((v, i) => grouped.add(i, 'all', v));
    const joint = grouped.intervals({ seed: 7 }).get('all');
    const alone = bootstrapMean(values, { seed: 7 });
    assert.ok(joint && alone);
    assert.equal(joint.n, 400);
    assert.ok(Math.abs(joint.mean - alone.mean) < 1e-12);
    assert.ok(Math.abs(joint.low - alone.low) < 1e-5 && Math.abs(joint.high - alone.high) < 1e-5, `${joint.low} ${alone.low}`);
  });

  it('widens a subgroup interval as its size shrinks, and leaves other groups alone', () => {
    const grouped = new GroupedValues();
    values.forEach((v, i) => {
      grouped.add(i, 'all', v);
      if (i % 4 === 0) grouped.add(i, 'quarter', v);
    });
    const result = grouped.intervals();
    const all = result.get('all');
    const quarter = result.get('quarter');
    assert.ok(all && quarter);
    assert.equal(quarter.n, 100);
    // Width goes with 1 / sqrt(n): a quarter of the instances, about twice the width.
    const ratio = (quarter.high - quarter.low) / (all.high - all.low);
    assert.ok(ratio > 1.6 && ratio < 2.5, `ratio ${ratio}`);
    const expected = values.filter((_, i) => i % 4 === 0).reduce((a, b) => a + b, 0) / 100;
    assert.ok(Math.abs(quarter.mean - expected) < 1e-12);
  });

  it('rolls a union of disjoint groups up to the interval of the same group filled directly', () => {
    const direct = new GroupedValues();
    const rolled = new GroupedValues();
    values.forEach((v, i) => {
      direct.add(i, 'all', v);
      rolled.add(i, i % 3 === 0 ? 'a' : 'b', v);
    });
    rolled.addRollup('all', ['a', 'b']);
    const d = direct.intervals({ seed: 4 }).get('all');
    const r = rolled.intervals({ seed: 4 }).get('all');
    assert.ok(d && r);
    assert.deepEqual([r.n, r.mean], [d.n, d.mean]);
    // The same draws, so the same resample means up to float32 storage.
    assert.ok(Math.abs(r.low - d.low) < 1e-5 && Math.abs(r.high - d.high) < 1e-5, `${r.low} ${d.low}`);
  });
});
