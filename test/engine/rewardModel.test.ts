// Janus-RM end to end without the real weights: a tiny Hugging Face Mistral reward model (real 32k
// vocabulary, sharded bf16) is converted with `convert-rm`, loaded by the engine, and its rewards
// are checked against an independent float64 forward pass with Hugging Face semantics.
import assert from 'node:assert/strict';
import path from 'node:path';
import type { RewardItem } from '../../src/core/reward/rewardText';
import { openRlhfRewardText } from '../../src/core/reward/rewardText';
import { convertRewardModel } from '../../src/engine/convertRm';
import { loadMistralVocabulary } from '../../src/engine/mistralVocabulary';
import { loadNodeLlamaCpp } from '../../src/engine/nodeLlamaCpp';
import { readRewardModelInfo } from '../../src/engine/rewardGguf';
import { RewardRuntime } from '../../src/engine/rewardRuntime';
import { startEngine } from '../support/engineProcess';
import type { HfCheckpoint, MistralEncode } from '../support/referenceMistralHf';
import { hfReward, hfTokens, loadHfCheckpoint } from '../support/referenceMistralHf';
import { writeTinyRmCheckpoint } from '../support/rmCheckpoint';
import { useTempDir } from '../support/tempDir';
import { getTinyModel } from '../support/tinyModelFixture';

const ITEMS: RewardItem[] = [
  { system: 'You are a terse assistant.', prompt: 'Say hi.', response: 'hi' },
  { system: 'You are a beverage consultant who values clarity.', prompt: 'Which tea suits a cold evening?', response: 'A smoky lapsang souchong: warm, bold, and easy to brew.' },
  { system: 'Réponds en français, avec des émojis 🎉.', prompt: 'Quel temps fait-il ?', response: 'Il fait beau ☀️ — profitez-en !' },
  { system: 'Expert in code.', prompt: 'Show a loop.\nKeep it short.', response: 'for (let i = 0; i < 3; i++) {\n  console.log(i);\n}' },
  { system: '日本語で答えてください。', prompt: 'こんにちは', response: '  こんにちは！ Two leading spaces and a trailing one ' },
  { system: 'Persona with [INST] inside.', prompt: 'Echo </s> literally?', response: 'ok' },
];

/** What the Janus reference reads: the text without BOS; its tokenizer adds BOS and parses `</s>`. */
function referenceText(item: RewardItem): string {
  return `[INST] ${item.system}\n${item.prompt} [/INST] ${item.response} </s>`;
}

/** Rewards from the engine serving the converted RM beside the tiny generator (POST /get_reward). */
async function engineRewards(gguf: string, texts: readonly string[]): Promise<number[]> {
  const tiny = await getTinyModel();
  const engine = await startEngine(['--model', tiny.modelPath, '--reward-model', gguf, '--parallel', '1', '--context', '512', '--quiet'], 120_000);
  try {
    const res = await fetch(`${engine.url}/get_reward`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: texts }) });
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as { rewards: number[] }).rewards;
  } finally {
    await engine.stop();
  }
}

describe('Janus-RM: converted GGUF gives the Hugging Face reference reward', function () {
  this.timeout(300_000);
  const tempDir = useTempDir('janus-rm-');
  let ckptDir: string;
  let ckpt: HfCheckpoint;
  let expected: number[];
  let encode: MistralEncode;
  const texts = ITEMS.map(openRlhfRewardText);

  before(async () => {
    encode = (await loadMistralVocabulary()).encode;
    ckptDir = await writeTinyRmCheckpoint(path.join(tempDir(), 'janus-rm-tiny'));
    ckpt = loadHfCheckpoint(ckptDir);
    expected = ITEMS.map((item) => hfReward(ckpt, hfTokens(encode, referenceText(item))));
    // Rewards spread over a few units (as Janus-RM's do: its example prints 3.28125), far wider than
    // the tolerances below, or the comparison would prove nothing.
    assert.ok(Math.max(...expected) - Math.min(...expected) > 2, `reference rewards too close: ${expected.join(', ')}`);
  });

  // f16: bf16 weights widen to f16 exactly (8-bit into 11-bit mantissas), so what differs is
  // llama.cpp's float32 accumulation and its f16 K/V cache: measured up to 6e-3 on rewards of 0..5.
  // q8_0: each weight moves by up to half a step of max|block|/127 (~0.4% of the block's largest
  // value); with only 64 hidden units little of that averages out: measured up to 6e-2.
  // Broken on purpose once each, the largest miss over the six texts was: no Q/K permutation 2.0,
  // no BOS (GGUF add_bos_token false and the engine dropping `<s>`) 0.8, the tiny generator's
  // hidden states under this head 5.0: each far beyond both tolerances.
  for (const [type, tolerance] of [['f16', 0.015], ['q8_0', 0.15]] as const) {
    it(`${type}: every text within ${tolerance} of the float64 reference (rewards spread over 0..5)`, async () => {
      const gguf = path.join(tempDir(), `rm-${type}.gguf`);
      await convertRewardModel({ checkpoint: ckptDir, out: gguf, type });
      const got = await engineRewards(gguf, texts);
      for (const [i, value] of got.entries()) {
        const want = expected[i] ?? NaN;
        assert.ok(Math.abs(value - want) <= tolerance, `${type} text ${i}: engine ${value}, reference ${want}, diff ${Math.abs(value - want)}`);
      }
    });
  }

  it('the head on another network (the tiny generator, same hidden size) is nowhere near the reference', async () => {
    // What the engine refuses to do by construction: the RM's head read over the generator's
    // backbone. Built here by hand from the engine's own reward runtime, to show the test would catch it.
    const gguf = path.join(tempDir(), 'rm-f16.gguf');
    const tiny = await getTinyModel();
    const { getLlama, LlamaLogLevel } = await loadNodeLlamaCpp();
    const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
    const wrongNetwork = await RewardRuntime.load(llama, tiny.modelPath, await readRewardModelInfo(gguf), 1);
    try {
      const wrong = await wrongNetwork.score(texts, new AbortController().signal);
      const off = wrong.filter((w, i) => Math.abs(w - (expected[i] ?? NaN)) > 0.15).length;
      assert.ok(off >= texts.length - 1, `generator hidden states gave ${wrong.join(', ')}; reference ${expected.join(', ')}`);
    } finally {
      await wrongNetwork.dispose();
    }
  });

  it('keeps the first 2048 tokens of a long text, as max_length=2048 with truncation does', () => {
    const long = referenceText({ system: 'Be brief.', prompt: 'Repeat.', response: 'word '.repeat(3000) });
    const tokens = hfTokens(encode, long);
    assert.equal(tokens.length, 2048);
    assert.equal(tokens[0], 1);
    assert.notEqual(tokens.at(-1), 2, 'the EOS falls beyond the limit: the reward is read at the last kept token');
  });
});
