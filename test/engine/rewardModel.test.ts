// Janus-RM end to end without the real weights: a tiny Hugging Face Mistral reward model (real 32k
// vocabulary, sharded bf16) is converted with `convert-rm`, loaded by the engine, and its rewards
// are checked against an independent float64 forward pass with Hugging Face semantics.
import assert from 'node:assert/strict';
import path from 'node:path';
import type { RewardItem } from '../../src/core/reward/rewardText';
import { openRlhfRewardText } from '../../src/core/reward/rewardText';
import { convertRewardModel } from '../../src/engine/convertRm';
import { loadMistralVocabulary } from '../../src/engine/mistralVocabulary';
import { LlamaRuntime } from '../../src/engine/llamaRuntime';
import { lookupMetadata } from '../support/ggufMetadata';
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

/**
 * Rewards from the engine for a converted RM. Until `serve --reward-model` is on this branch this
 * drives the engine's runtime (its tokenization + llama.cpp's final hidden state) and applies the
 * head stored in the GGUF's metadata. ONE-LINE SWITCH for the lead: replace the body with
 *   `return rewardsFromServer(['--model', tiny, '--reward-model', gguf], texts)` (POST /get_reward).
 */
async function engineRewards(gguf: string, texts: readonly string[]): Promise<number[]> {
  const runtime = await LlamaRuntime.load({ modelPath: gguf, parallel: 1, threads: 1, contextSize: 2048, withEmbeddings: true });
  try {
    return await rewardsWithHeadOf(runtime, runtime.model.fileInfo.metadata, texts);
  } finally {
    await runtime.dispose();
  }
}

async function rewardsWithHeadOf(runtime: LlamaRuntime, headMetadata: unknown, texts: readonly string[]): Promise<number[]> {
  const head = lookupMetadata(headMetadata, 'janus.reward.value_head') as number[];
  const mean = lookupMetadata(headMetadata, 'janus.reward.mean') as number | undefined;
  const std = lookupMetadata(headMetadata, 'janus.reward.std') as number | undefined;
  const out: number[] = [];
  for (const text of texts) {
    const h = await runtime.lastHiddenState(text);
    assert.equal(h.length, head.length);
    const raw = h.reduce((s, v, i) => s + v * (head[i] ?? 0), 0);
    out.push(mean !== undefined && std !== undefined ? (raw - mean) / std : raw);
  }
  return out;
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
    const gguf = path.join(tempDir(), 'rm-f16.gguf');
    const tiny = await getTinyModel();
    const runtime = await LlamaRuntime.load({ modelPath: tiny.modelPath, parallel: 1, threads: 1, contextSize: 2048, withEmbeddings: true });
    const { readGgufFileInfo } = await import('node-llama-cpp');
    try {
      const rmInfo = await readGgufFileInfo(gguf, { logWarnings: false });
      const wrong = await rewardsWithHeadOf(runtime, rmInfo.metadata, texts);
      const off = wrong.filter((w, i) => Math.abs(w - (expected[i] ?? NaN)) > 0.15).length;
      assert.ok(off >= texts.length - 1, `generator hidden states gave ${wrong.join(', ')}; reference ${expected.join(', ')}`);
    } finally {
      await runtime.dispose();
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
