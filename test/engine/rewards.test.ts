// Reward scoring through the engine: the value head over llama.cpp's final hidden state, checked
// against an independent float64 forward pass of the same tiny model.
import assert from 'node:assert/strict';
import type { RunningEngine } from '../support/engineProcess';
import { startEngine } from '../support/engineProcess';
import { referenceForward } from '../support/referenceLlama';
import { getTinyModel } from '../support/tinyModelFixture';
import { readRewardHead, rewardFromHidden } from '../../src/engine/rewardHead';

const TEXTS = [
  '<s>[INST] You are terse.\nSay hi. [/INST] hi </s>',
  '<s>[INST] You are verbose and warm.\nSay hi. [/INST] hello there, my friend </s>',
  '[INST] no markers here [/INST] plain',
];

describe('local engine: rewards', function () {
  this.timeout(120_000);
  let engine: RunningEngine;

  before(async () => {
    const tiny = await getTinyModel();
    engine = await startEngine(['--model', tiny.modelPath, '--reward-head', tiny.rewardHeadPath, '--parallel', '2', '--context', '512', '--quiet']);
  });
  after(async () => {
    await engine.stop();
  });

  async function rewards(query: string[]): Promise<number[]> {
    const res = await fetch(`${engine.url}/get_reward`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    assert.equal(res.status, 200);
    return ((await res.json()) as { rewards: number[] }).rewards;
  }

  it('scores deterministically and tells texts apart', async () => {
    const first = await rewards(TEXTS);
    assert.equal(first.length, TEXTS.length);
    assert.deepEqual(await rewards(TEXTS), first);
    assert.equal(new Set(first).size, TEXTS.length, 'different texts get different rewards');
    // Scoring one text alone gives what it got in the batch.
    assert.deepEqual(await rewards([TEXTS[1] ?? '']), [first[1]]);
  });

  it('matches a float64 reference forward pass of the same model', async () => {
    const tiny = await getTinyModel();
    const head = await readRewardHead(tiny.rewardHeadPath);
    const { getLlama } = await import('node-llama-cpp');
    const llama = await getLlama({ gpu: false, build: 'never' });
    const model = await llama.loadModel({ modelPath: tiny.modelPath });
    try {
      const served = await rewards(TEXTS);
      for (const [i, text] of TEXTS.entries()) {
        // The engine's rule: specials parsed, BOS first and EOS last ensured.
        const tokens: number[] = model.tokenize(text, true).map(Number);
        if (tokens[0] !== Number(model.tokens.bos)) tokens.unshift(Number(model.tokens.bos));
        if (tokens.at(-1) !== Number(model.tokens.eos)) tokens.push(Number(model.tokens.eos));
        const expected = rewardFromHidden(head, referenceForward(tiny.weights, tokens).hLast);
        const got = served[i] ?? NaN;
        // llama.cpp accumulates in float32 (and rounds K/V to f16 in its cache): about 3 significant
        // digits survive two layers; a wrong token, position or norm moves the reward by far more.
        assert.ok(Math.abs(got - expected) <= 2e-3 * (1 + Math.abs(expected)), `text ${i}: engine ${got}, reference ${expected}`);
      }
    } finally {
      await model.dispose();
      await llama.dispose();
    }
  });

  it('serves the same rewards through vLLM-style /pooling', async () => {
    const res = await fetch(`${engine.url}/pooling`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: TEXTS }) });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { data: { index: number; data: number[] }[]; usage: { prompt_tokens: number } };
    assert.deepEqual(body.data.map((d) => d.data[0]), await rewards(TEXTS));
    assert.deepEqual(body.data.map((d) => d.index), [0, 1, 2]);
    assert.ok(body.usage.prompt_tokens > 10);
  });

  it('generates while it scores', async () => {
    const res = await fetch(`${engine.url}/v1/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt: '[INST] hi [/INST] ', max_tokens: 5, ignore_eos: true }) });
    assert.equal(res.status, 200);
  });
});
