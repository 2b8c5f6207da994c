// Reward scoring through the engine: the reward model's OWN backbone (a separate tiny RM GGUF with
// its head in the metadata) beside the generator, checked against an independent float64 forward
// pass of that RM, with the reference's input rules (one BOS, `</s>` as EOS, truncation at
// max_length) and the work stopping when the client goes away.
import assert from 'node:assert/strict';
import type { LlamaModel } from 'node-llama-cpp';
import type { RunningEngine } from '../support/engineProcess';
import { runCli, startEngine } from '../support/engineProcess';
import { referenceForward } from '../support/referenceLlama';
import { getTinyModel } from '../support/tinyModelFixture';
import { rewardFromHidden } from '../../src/engine/rewardHead';

const TEXTS = [
  '<s>[INST] You are terse.\nSay hi. [/INST] hi </s>',
  '<s>[INST] You are verbose and warm.\nSay hi. [/INST] hello there, my friend </s>',
  '[INST] no markers here [/INST] plain',
];

// llama.cpp accumulates in float32 (and rounds K/V to f16 in its cache): about 3 significant digits
// survive two layers; a wrong token, position, norm or network moves the reward by far more.
function close(got: number, expected: number): boolean {
  return Math.abs(got - expected) <= 2e-3 * (1 + Math.abs(expected));
}

describe('local engine: rewards from a separate reward model', function () {
  this.timeout(300_000);
  let engine: RunningEngine;
  let rm: LlamaModel;
  let disposeLlama: () => Promise<void>;

  before(async () => {
    const tiny = await getTinyModel();
    // Not --quiet: the disconnect test reads the request log line.
    engine = await startEngine(['--model', tiny.modelPath, '--reward-model', tiny.rewardModelPath, '--parallel', '2', '--context', '512']);
    const { getLlama } = await import('node-llama-cpp');
    const llama = await getLlama({ gpu: false, build: 'never' });
    rm = await llama.loadModel({ modelPath: tiny.rewardModelPath });
    disposeLlama = async () => {
      await rm.dispose();
      await llama.dispose();
    };
  });
  after(async () => {
    await engine.stop();
    await disposeLlama();
  });

  async function rewards(query: string[], signal?: AbortSignal): Promise<number[]> {
    const res = await fetch(`${engine.url}/get_reward`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }), ...(signal ? { signal } : {}) });
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as { rewards: number[] }).rewards;
  }

  /** The reference's tokens: specials parsed, one BOS first, no EOS added. */
  function referenceTokens(text: string): number[] {
    const tokens = rm.tokenize(text, true).map(Number);
    if (tokens[0] !== Number(rm.tokens.bos)) tokens.unshift(Number(rm.tokens.bos));
    return tokens;
  }

  it('says what is loaded in /props and the startup log', async () => {
    const props = (await (await fetch(`${engine.url}/props`)).json()) as { reward_model: unknown; hidden_size: number };
    assert.deepEqual(props.reward_model, { name: 'janus-tiny-rm', hidden_size: 64, normalized: true, max_length: 2048 });
    assert.match(engine.output(), /Loading reward model janus-tiny-rm\.gguf \(hidden size 64, normalised with mean 0\.25, std 1\.5, max_length 2048\)/);
    assert.match(engine.output(), /reward model: "janus-tiny-rm"/);
  });

  it('scores deterministically and tells texts apart', async () => {
    const first = await rewards(TEXTS);
    assert.equal(first.length, TEXTS.length);
    assert.deepEqual(await rewards(TEXTS), first);
    assert.equal(new Set(first).size, TEXTS.length, 'different texts get different rewards');
    assert.deepEqual(await rewards([TEXTS[1] ?? '']), [first[1]]);
  });

  it("matches a float64 forward pass of the RM's own network, not the generator's", async () => {
    const tiny = await getTinyModel();
    const served = await rewards(TEXTS);
    for (const [i, text] of TEXTS.entries()) {
      const tokens = referenceTokens(text);
      const expected = rewardFromHidden(tiny.rewardHead, referenceForward(tiny.rewardModel.weights, tokens).hLast);
      const got = served[i] ?? NaN;
      assert.ok(close(got, expected), `text ${i}: engine ${got}, reference ${expected}`);
      // The same head on the generator's hidden states is a different number: the test would catch it.
      const onGenerator = rewardFromHidden(tiny.rewardHead, referenceForward(tiny.weights, tokens).hLast);
      assert.ok(!close(got, onGenerator), `text ${i}: the reward must not come from the generator (${onGenerator})`);
    }
  });

  it('adds one BOS: a client text starting with <s> scores as the same text without it; </s> is the EOS token', async () => {
    const body = '[INST] You are terse.\nSay hi. [/INST] hi </s>';
    const [withBos, without, twice] = await rewards([`<s>${body}`, body, `<s><s>${body}`]);
    assert.equal(withBos, without);
    assert.notEqual(twice, without, 'a second BOS is a different input, as in the reference');
    const tokens = referenceTokens(body);
    assert.equal(tokens.filter((t) => t === Number(rm.tokens.bos)).length, 1);
    assert.equal(tokens.at(-1), Number(rm.tokens.eos), '</s> is parsed as the EOS token');
  });

  it('truncates a text over max_length to its first 2048 tokens and reads the last kept one', async () => {
    const tiny = await getTinyModel();
    const prefix = '<s>[INST] Say a word many times. [/INST]';
    const perWord = referenceTokens(`${prefix} word word`).length - referenceTokens(`${prefix} word`).length;
    assert.equal(perWord, 1, '" word" is one token in the Mistral vocabulary');
    const base = referenceTokens(prefix).length;
    const cut = `${prefix}${' word'.repeat(2048 - base)}`;
    const long = `${prefix}${' word'.repeat(3000)} and a different ending that must not count </s>`;
    const cutTokens = referenceTokens(cut);
    assert.equal(cutTokens.length, 2048);
    assert.deepEqual(referenceTokens(long).slice(0, 2048), cutTokens);
    const [longReward, cutReward, shorter] = await rewards([long, cut, `${prefix}${' word'.repeat(2040 - base)}`]);
    assert.equal(longReward, cutReward);
    assert.notEqual(shorter, cutReward, 'the position read matters');
    const expected = rewardFromHidden(tiny.rewardHead, referenceForward(tiny.rewardModel.weights, cutTokens).hLast);
    assert.ok(close(longReward ?? NaN, expected), `engine ${longReward}, reference at token 2048 ${expected}`);
  });

  it('serves the same rewards through vLLM-style /pooling, naming the reward model', async () => {
    const res = await fetch(`${engine.url}/pooling`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'janus-tiny-rm', input: TEXTS }) });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { model: string; data: { index: number; data: number[] }[]; usage: { prompt_tokens: number } };
    assert.deepEqual(body.data.map((d) => d.data[0]), await rewards(TEXTS));
    assert.deepEqual(body.data.map((d) => d.index), [0, 1, 2]);
    assert.equal(body.model, 'janus-tiny-rm');
    assert.equal(body.usage.prompt_tokens, TEXTS.reduce((sum, t) => sum + referenceTokens(t).length, 0));
  });

  it('serves them as vLLM /classify rows of a one-label classifier too (raw, no sigmoid)', async () => {
    const res = await fetch(`${engine.url}/classify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: TEXTS, use_activation: false }) });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { data: { index: number; probs: number[]; num_classes: number }[] };
    assert.deepEqual(body.data.map((d) => d.probs), (await rewards(TEXTS)).map((r) => [r]));
    assert.ok(body.data.every((d) => d.num_classes === 1));
  });

  it('generates with the generator while it serves rewards', async () => {
    const res = await fetch(`${engine.url}/v1/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt: '[INST] hi [/INST] ', max_tokens: 5, ignore_eos: true }) });
    assert.equal(res.status, 200);
  });

  it('stops scoring when the client disconnects', async () => {
    const text = `<s>[INST] Rate this. [/INST]${' hello world'.repeat(150)} </s>`;
    // How long one text takes, to size the request so it would run for seconds.
    const started = performance.now();
    await rewards(Array.from({ length: 8 }, () => text));
    const perText = (performance.now() - started) / 8;
    // The warm-up's own log line may still be on its way: let it arrive before marking the output.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const count = 512;
    const abortAfterMs = 300;
    const before = engine.output().length;
    await assert.rejects(rewards(Array.from({ length: count }, () => text), AbortSignal.timeout(abortAfterMs)));
    let line: RegExpExecArray | null = null;
    for (let waited = 0; waited < 120_000 && !line; waited += 50) {
      line = /POST \/get_reward (\d+) (\d+) ms/.exec(engine.output().slice(before));
      if (!line) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(line, 'the aborted request was logged');
    const [, status, ms] = line;
    const fullRunMs = count * perText;
    process.stdout.write(`      aborted after ${abortAfterMs} ms: engine worked ${ms} ms (status ${status}); the whole request would take ~${Math.round(fullRunMs)} ms (${perText.toFixed(1)} ms/text)\n`);
    assert.equal(status, '499');
    assert.ok(Number(ms) < abortAfterMs + 20 * perText + 500, `engine kept working ${ms} ms after an abort at ${abortAfterMs} ms`);
    assert.ok(fullRunMs > 3 * (abortAfterMs + 20 * perText + 500), `the request is long enough to tell (${Math.round(fullRunMs)} ms)`);
  });
});

describe('janus serve --reward-model: bad input', function () {
  this.timeout(120_000);

  it('refuses the generator given as --reward-model, saying to convert the RM', async () => {
    const tiny = await getTinyModel();
    const run = await runCli(['serve', '--model', tiny.modelPath, '--reward-model', tiny.modelPath, '--port', '0']);
    assert.equal(run.code, 1);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.match(run.stderr, /janus-tiny-test\.gguf has no reward head \(no janus\.reward\.value_head.*janus convert-rm --checkpoint <dir> --out rm\.gguf/);
  });

  it('refuses the old --reward-head flag with the fix', async () => {
    const run = await runCli(['serve', '--model', 'x.gguf', '--reward-head', 'head.json']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--reward-head is gone.*janus convert-rm --checkpoint <dir> --out rm\.gguf.*--reward-model rm\.gguf/);
  });

  it('says when the reward model file is missing', async () => {
    const tiny = await getTinyModel();
    const run = await runCli(['serve', '--model', tiny.modelPath, '--reward-model', 'nowhere-rm.gguf', '--port', '0']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /--reward-model: model file not found: .*nowhere-rm\.gguf.*janus convert-rm/);
  });
});
