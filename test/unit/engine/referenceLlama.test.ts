import assert from 'node:assert/strict';
import type { Llama, LlamaModel } from 'node-llama-cpp';
import { rewardFromHidden } from '../../../src/engine/rewardHead';
import { argmax, referenceForward } from '../../support/referenceLlama';
import { getTinyModel } from '../../support/tinyModelFixture';

/**
 * The float64 reference forward pass against real llama.cpp on the tiny model.
 *
 * Tolerances, from measurement and from the arithmetic:
 * - With an F32 KV cache and flash attention off, llama.cpp computes in float32 throughout. Each
 *   value passes through ~10 dot products of 64-128 terms and 5 norms; float32's unit roundoff is
 *   6e-8, so errors of order 1e-6 on values of order 1-3 are expected. Measured: at most 5.3e-7.
 *   Bound used: 1e-5 absolute (20x margin; a real bug, such as a wrong rope pairing, moves values by
 *   0.1 or more).
 * - With llama.cpp's defaults (F16 KV cache, flash attention auto, which also rounds Q to F16), keys
 *   and values are stored with f16's 11-bit mantissa: unit roundoff 4.9e-4 relative. Measured: at
 *   most 1.0e-3 absolute on values up to 2.8 (3.5e-4 relative). Bound used: 5e-3 absolute, i.e. about
 *   2e-3 relative to the largest component (4 f16 roundoffs).
 */
const exactTolerance = 1e-5;
const defaultTolerance = 5e-3;

const inputs = [
  '<s>',
  '<s>hello world',
  '<s>[INST] hi\nthere [/INST] ',
  '<s>[INST] You are a concise expert. Your responses are clear.\nExplain the reward model step by step. [/INST] A simple answer, with detail.</s>',
  // Bytes outside the vocabulary (é, emoji) go through byte-fallback tokens.
  '<s>[INST] café ☕ naïve? [/INST] ',
];

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return max;
}

describe('reference forward pass vs llama.cpp', function () {
  this.timeout(120000);
  let llama: Llama;
  let exactModel: LlamaModel;
  let defaultModel: LlamaModel;

  before(async () => {
    const { modelPath } = await getTinyModel();
    const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
    llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
    exactModel = await llama.loadModel({
      modelPath,
      defaultContextFlashAttention: false,
      experimentalDefaultContextKvCacheKeyType: 'F32',
      experimentalDefaultContextKvCacheValueType: 'F32',
    });
    defaultModel = await llama.loadModel({ modelPath });
  });

  after(async () => {
    await exactModel?.dispose();
    await defaultModel?.dispose();
  });

  async function hiddenStates(model: LlamaModel): Promise<{ tokens: number[]; hidden: readonly number[] }[]> {
    const context = await model.createEmbeddingContext({ threads: 1, contextSize: 256 });
    try {
      const out: { tokens: number[]; hidden: readonly number[] }[] = [];
      for (const text of inputs) {
        // Special-token parsing turns "<s>"/"</s>" into BOS/EOS; with BOS already first, llama.cpp adds none.
        const tokens = [...model.tokenize(text, true)];
        assert.equal(tokens[0], 1, 'BOS first');
        out.push({ tokens, hidden: (await context.getEmbeddingFor(tokens)).vector });
      }
      return out;
    } finally {
      await context.dispose();
    }
  }

  it('matches llama.cpp\'s last hidden state with an F32 KV cache to float32 rounding', async () => {
    const { weights, rewardHead } = await getTinyModel();
    for (const { tokens, hidden } of await hiddenStates(exactModel)) {
      const ref = referenceForward(weights, tokens);
      assert.equal(hidden.length, weights.hparams.nEmbd);
      const diff = maxAbsDiff(ref.hLast, hidden);
      assert.ok(diff < exactTolerance, `${tokens.length} tokens: max |diff| ${diff}`);
      const rewardDiff = Math.abs(rewardFromHidden(rewardHead, ref.hLast) - rewardFromHidden(rewardHead, hidden));
      assert.ok(rewardDiff < exactTolerance, `reward differs by ${rewardDiff}`);
    }
  });

  it('matches llama.cpp\'s defaults (F16 KV cache) within f16 rounding, rewards too', async () => {
    const { weights, rewardHead } = await getTinyModel();
    for (const { tokens, hidden } of await hiddenStates(defaultModel)) {
      const ref = referenceForward(weights, tokens);
      const diff = maxAbsDiff(ref.hLast, hidden);
      assert.ok(diff < defaultTolerance, `${tokens.length} tokens: max |diff| ${diff}`);
      // |dot(w, e)| <= |w|_1 * max|e| with |w|_1 ~ 6 here, over std 1.5.
      const rewardDiff = Math.abs(rewardFromHidden(rewardHead, ref.hLast) - rewardFromHidden(rewardHead, hidden));
      assert.ok(rewardDiff < defaultTolerance * 4, `reward differs by ${rewardDiff}`);
    }
  });

  it('differs from llama.cpp when the model is changed, so the comparison has teeth', async () => {
    const { weights } = await getTinyModel();
    const [first] = await hiddenStates(exactModel);
    assert.ok(first);
    // Scale the norm weight of the largest component by 1%: it moves that component by 1% of it.
    const big = argmax(first.hidden.map(Math.abs));
    const tampered = { ...weights, outputNorm: weights.outputNorm.map((v, i) => (i === big ? v * 1.01 : v)) };
    assert.ok(maxAbsDiff(referenceForward(tampered, first.tokens).hLast, first.hidden) > 1e-3);
  });

  it('predicts the same greedy tokens as llama.cpp at temperature 0', async () => {
    const { weights } = await getTinyModel();
    const context = await defaultModel.createContext({ threads: 1, contextSize: 256 });
    try {
      const sequence = context.getSequence();
      const prompt = [...defaultModel.tokenize('<s>[INST] hi\nthere [/INST] ', true)];
      const generated: number[] = [];
      for await (const token of sequence.evaluate(prompt, { temperature: 0 })) {
        generated.push(token);
        if (generated.length === 6) break;
      }
      const expected: number[] = [];
      const running: number[] = [...prompt];
      for (let i = 0; i < generated.length; i++) {
        const { logits } = referenceForward(weights, running, { logits: true });
        assert.ok(logits);
        const next = argmax(logits);
        // The check is only meaningful when the top two logits are not a near-tie.
        const sorted = [...logits].sort((a, b) => b - a);
        assert.ok((sorted[0] ?? 0) - (sorted[1] ?? 0) > 1e-2, 'top logits are a near-tie; pick another prompt');
        expected.push(next);
        running.push(generated[i] ?? -1);
      }
      assert.deepEqual(generated, expected);
      assert.ok(new Set(generated).size > 1, `greedy output collapsed to one token: ${generated.join(',')}`);
    } finally {
      await context.dispose();
    }
  });
});
