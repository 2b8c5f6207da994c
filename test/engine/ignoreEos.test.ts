// `ignore_eos: true` keeps generating past every end-of-generation token until max_tokens, as
// llama.cpp's server and vLLM do: benchmarks and length tests depend on exact lengths.
import assert from 'node:assert/strict';
import path from 'node:path';
import { createTinyLlamaWeights, loadTinyVocabulary, writeTinyLlamaGguf } from '../../src/engine/tinyModel';
import type { RunningEngine } from '../support/engineProcess';
import { startEngine } from '../support/engineProcess';
import { useTempDir } from '../support/tempDir';

/**
 * The tiny generator with its EOS row of the output projection scaled up, so that, as with a real
 * model, texts end: with Mistral's 32k vocabulary and random weights EOS is otherwise about one
 * token in 32,000, and no run would stop early for ignore_eos to matter.
 */
async function writeModelThatEnds(file: string): Promise<string> {
  const weights = createTinyLlamaWeights(1, await loadTinyVocabulary());
  const { nEmbd } = weights.hparams;
  const eos = weights.vocab.eosId;
  const output = Float32Array.from(weights.output);
  for (let i = eos * nEmbd; i < (eos + 1) * nEmbd; i++) output[i] = (output[i] ?? 0) * 2.5;
  await writeTinyLlamaGguf(file, { ...weights, output });
  return file;
}

interface Completion {
  choices: { text?: string; message?: { content: string }; finish_reason: string }[];
  usage: { completion_tokens: number };
}

describe('local engine: ignore_eos', function () {
  this.timeout(120_000);
  const tempDir = useTempDir('janus-eos-');
  let engine: RunningEngine;

  before(async () => {
    const model = await writeModelThatEnds(path.join(tempDir(), 'tiny-ends.gguf'));
    engine = await startEngine(['--model', model, '--parallel', '1', '--context', '512', '--quiet']);
  });
  after(async () => {
    await engine.stop();
  });

  async function post(route: string, body: unknown): Promise<Completion> {
    const res = await fetch(`${engine.url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as Completion;
  }

  it('reaches max_tokens on every one of 12 seeded runs', async () => {
    const maxTokens = 160;
    const early: string[] = [];
    const withoutFlag: string[] = [];
    for (let seed = 1; seed <= 12; seed++) {
      // Odd seeds: completions at temperature 1; even seeds: chat, greedy then sampled.
      const body = seed % 2 === 1
        ? { route: '/v1/completions', prompt: '[INST] Say something. [/INST] ', temperature: 1.5 }
        : { route: '/v1/chat/completions', messages: [{ role: 'user', content: 'Say something.' }], temperature: seed % 4 === 0 ? 0 : 1.5 };
      const { route, ...rest } = body;
      const reply = await post(route, { ...rest, max_tokens: maxTokens, seed, ignore_eos: true });
      const choice = reply.choices[0];
      if (choice?.finish_reason !== 'length' || reply.usage.completion_tokens !== maxTokens) early.push(`seed ${seed}: ${choice?.finish_reason} after ${reply.usage.completion_tokens}`);
      const plain = await post(route, { ...rest, max_tokens: maxTokens, seed });
      if (plain.usage.completion_tokens < maxTokens) withoutFlag.push(`seed ${seed}`);
    }
    assert.deepEqual(early, [], 'every run with ignore_eos ends at max_tokens');
    // Without the flag the same runs do end early: the test would notice EOS being ignored anyway.
    assert.ok(withoutFlag.length > 0, 'some runs without ignore_eos stop at EOS');
  });
});
