import assert from 'node:assert/strict';
import { choiceTokenCounts } from '../../../src/core/bestOfN/tokenCounts';

const c = (pieces: number, chars: number): { pieces: number; chars: number } => ({ pieces, chars });

describe('per-candidate tokens of one n-choice request', () => {
  it('pieces that add up to the reported total are every choice\'s exact count', () => {
    assert.deepEqual(choiceTokenCounts([c(5, 20), c(3, 9), c(7, 30)], 15), [
      { tokens: 5, estimated: false },
      { tokens: 3, estimated: false },
      { tokens: 7, estimated: false },
    ]);
  });

  it('missing tokens are shared by text length, never below a choice\'s pieces, adding up to the total, marked estimated', () => {
    const counts = choiceTokenCounts([c(2, 40), c(2, 10), c(1, 0)], 15);
    assert.equal(counts.reduce((sum, x) => sum + x.tokens, 0), 15);
    assert.ok(counts.every((x) => x.estimated));
    assert.deepEqual(counts.map((x) => x.tokens), [2 + 8, 2 + 2, 1]);
  });

  it('no reported total, or one below what streamed: the pieces, as estimates', () => {
    assert.deepEqual(choiceTokenCounts([c(4, 10), c(2, 5)], undefined), [{ tokens: 4, estimated: true }, { tokens: 2, estimated: true }]);
    assert.deepEqual(choiceTokenCounts([c(4, 10), c(2, 5)], 3), [{ tokens: 4, estimated: true }, { tokens: 2, estimated: true }]);
  });

  it('no text at all: the total is shared evenly', () => {
    assert.deepEqual(choiceTokenCounts([c(0, 0), c(0, 0)], 3).map((x) => x.tokens), [2, 1]);
  });
});
