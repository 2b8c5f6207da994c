// The engine tokenizes Janus texts exactly as Hugging Face's Mistral tokenizer does: llama.cpp
// (through node-llama-cpp) on a converted GGUF with the real 32k vocabulary, compared token for
// token with mistral-tokenizer-js on a few hundred strings.
import assert from 'node:assert/strict';
import path from 'node:path';
import { convertRewardModel } from '../../src/engine/convertRm';
import { LlamaRuntime } from '../../src/engine/llamaRuntime';
import { loadMistralVocabulary } from '../../src/engine/mistralVocabulary';
import { createRandom } from '../../src/engine/tinyModel';
import { hfTokens } from '../support/referenceMistralHf';
import { writeTinyRmCheckpoint } from '../support/rmCheckpoint';
import { useTempDir } from '../support/tempDir';
import { getTinyModel } from '../support/tinyModelFixture';

const FRAGMENTS = [
  'Hello', 'world', 'the', ' answer', 'is', '42', '3.14159', 'naïve', 'café', 'Straße', 'ĳ', 'Ωmega', 'Привет', 'мир',
  '日本語', 'の', 'テキスト', '中文', '한국어', 'עברית', 'العربية', 'हिन्दी', 'ไทย', '😀', '🎉🎉', '👩‍💻', '🇫🇷', '☀️', '✓',
  '𓀀', '𝔘𝔫𝔦', '\u0001', '\u00a0', '\u200b', '\ufeff', '[INST]', '[/INST]', '[INST] ', ' [/INST] ', '<<SYS>>', '</s>',
  '<s>', '<unk>', '<0x41>', '▁', '▁▁', '```ts\nconst x = 1;\n```', 'def f(x):\n    return x', '\t', '\n', '\n\n', '\r\n',
  ' ', '  ', '   ', '    ', '.', ',', '!?', '...', '—', '–', '“quoted”', "it's", 'e.g.', 'http://example.com/a?b=c',
  'user@example.com', '#hashtag', '$100', '50%', 'A', 'a', 'Z', 'I', 'UPPER', 'MiXeD', 'snake_case', 'camelCase', '1,000,000',
];

function janusLike(r: () => number, pick: () => string): string {
  const words = (n: number): string => Array.from({ length: n }, pick).join(r() < 0.5 ? ' ' : '');
  return `[INST] ${words(1 + Math.floor(r() * 4))}\n${words(1 + Math.floor(r() * 5))} [/INST] ${words(Math.floor(r() * 6))} </s>`;
}

/** Deterministic strings: every fragment alone, with leading/trailing spaces, then random mixes. */
function strings(): string[] {
  const r = createRandom(2024);
  const pick = (): string => FRAGMENTS[Math.floor(r() * FRAGMENTS.length)] ?? '';
  const out = ['', ...FRAGMENTS, ...FRAGMENTS.map((f) => ` ${f}`), ...FRAGMENTS.slice(0, 40).map((f) => `${f}  `)];
  for (let i = 0; i < 80; i++) out.push(Array.from({ length: 1 + Math.floor(r() * 8) }, pick).join(r() < 0.5 ? ' ' : ''));
  for (let i = 0; i < 60; i++) out.push(janusLike(r, pick));
  return out;
}

describe('engine tokenization equals Hugging Face Mistral (mistral-tokenizer-js)', function () {
  this.timeout(300_000);
  const tempDir = useTempDir('janus-tok-');

  async function convertedRm(): Promise<string> {
    const ckpt = await writeTinyRmCheckpoint(path.join(tempDir(), 'ckpt'));
    const gguf = path.join(tempDir(), 'rm.gguf');
    await convertRewardModel({ checkpoint: ckpt, out: gguf, type: 'q8_0' });
    return gguf;
  }

  for (const [what, modelPath] of [
    ['the converted tiny RM', convertedRm],
    ['the tiny generator (make-tiny-model)', async (): Promise<string> => (await getTinyModel()).modelPath],
  ] as const) {
    it(`${what}: a few hundred strings with unicode, emoji, spaces, newlines, [INST], specials, byte fallback`, async () => {
      const { encode } = await loadMistralVocabulary();
      const runtime = await LlamaRuntime.load({ modelPath: await modelPath(), parallel: 1, threads: 1, contextSize: 512 });
      try {
        const all = strings();
        assert.ok(all.length >= 300, `${all.length} strings`);
        const mismatches: string[] = [];
        for (const s of all) {
          // The engine's prompt rule: specials parsed, BOS prepended (as Hugging Face with add_special_tokens).
          const engine = runtime.tokenizePrompt(s).map(Number);
          // A text that starts with the BOS literal is the OpenRLHF variant, tokenized there with
          // add_special_tokens=False: its own `<s>` is the one BOS (see src/core/reward/rewardText.ts).
          const reference = hfTokens(encode, s, Infinity).slice(s.startsWith('<s>') ? 1 : 0);
          if (JSON.stringify(engine) !== JSON.stringify(reference)) mismatches.push(`${JSON.stringify(s)}: engine ${engine.join(',')} reference ${reference.join(',')}`);
        }
        assert.deepEqual(mismatches, []);
        // Byte fallback really happened somewhere (a character the vocabulary lacks becomes <0xXX> tokens).
        assert.ok(all.some((s) => hfTokens(encode, s).some((t) => t >= 3 && t <= 258 && s !== '\n')));
      } finally {
        await runtime.dispose();
      }
    });
  }
});
