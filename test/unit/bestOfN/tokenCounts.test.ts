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
  it('a choice that stopped on length took max_tokens; the others share what is left, none past max_tokens', () => {
    const counts = choiceTokenCounts([{ pieces: 17, chars: 60 }, { pieces: 190, chars: 700, hitMaxTokens: true }, { pieces: 180, chars: 650, hitMaxTokens: true }], 419, 200);
    assert.deepEqual(counts, [{ tokens: 19, estimated: true }, { tokens: 200, estimated: true }, { tokens: 200, estimated: true }]);
    // Without the finish reasons, text length alone would have given the long ones more than 200.
    const capped = choiceTokenCounts([{ pieces: 10, chars: 10 }, { pieces: 190, chars: 1000 }], 230, 200);
    assert.deepEqual(capped.map((x) => x.tokens), [30, 200]);
  });

  it('a length finish the total cannot hold (the context ran out first) is not taken as max_tokens', () => {
    const counts = choiceTokenCounts([{ pieces: 50, chars: 100, hitMaxTokens: true }, { pieces: 40, chars: 100, hitMaxTokens: true }], 100, 200);
    assert.equal(counts.reduce((a, b) => a + b.tokens, 0), 100);
    assert.deepEqual(counts.map((x) => x.tokens), [55, 45]);
  });
});
