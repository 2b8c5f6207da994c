import assert from 'node:assert/strict';
import type { RewardHead } from '../../../src/engine/rewardHead';
import { rawRewardFromHidden, rewardFromHidden } from '../../../src/engine/rewardHead';

const head: RewardHead = {
  hiddenSize: 4,
  weight: Float32Array.from([0.1, -2, 3.5, 1e-7]),
  mean: 0.5,
  std: 2,
  source: 'unit test',
};

describe('reward head', () => {
  it('applies a head without normalisation as the plain dot product', () => {
    assert.equal(rewardFromHidden({ hiddenSize: 2, weight: Float32Array.from([1, 2]) }, [3, 4]), 11);
  });

  it('computes dot(weight, h) and normalises with (r - mean) / std', () => {
    const h = [1, 1, 2, 0];
    const raw = Math.fround(0.1) - 2 + 7;
    assert.ok(Math.abs(rawRewardFromHidden(head, h) - raw) < 1e-12);
    assert.ok(Math.abs(rewardFromHidden(head, h) - (raw - 0.5) / 2) < 1e-12);
  });

  it('refuses a hidden state of another size, naming both sizes', () => {
    assert.throws(() => rewardFromHidden(head, [1, 2, 3]), /hidden size is 3 but the reward head expects 4/);
  });

});
