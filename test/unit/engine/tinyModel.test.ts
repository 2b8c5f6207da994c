import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createTinyLlamaWeights, loadTinyVocabulary, tinyLlamaTensors, writeTinyLlamaGguf } from '../../../src/engine/tinyModel';
import { lookupMetadata as lookup } from '../../support/ggufMetadata';
import { getTinyModel } from '../../support/tinyModelFixture';
import { useTempDir } from '../../support/tempDir';

describe('tiny Llama file', function () {
  this.timeout(30000);
  const tempDir = useTempDir('janus-tiny-det-');

  it('is deterministic: the same seed writes the same bytes, another seed other bytes', async () => {
    const dir = tempDir();
    const sha = async (seed: number, name: string): Promise<string> => {
      const file = path.join(dir, name);
      await writeTinyLlamaGguf(file, createTinyLlamaWeights(seed, await loadTinyVocabulary()));
      return createHash('sha256').update(await readFile(file)).digest('hex');
    };
    const first = await sha(1, 'a.gguf');
    assert.equal(await sha(1, 'b.gguf'), first);
    assert.notEqual(await sha(2, 'c.gguf'), first);
  });

  it('carries the llama metadata, tokenizer tables and tensor shapes llama.cpp expects', async () => {
    const { modelPath, weights } = await getTinyModel();
    const { readGgufFileInfo } = await import('node-llama-cpp');
    const info = await readGgufFileInfo(modelPath, { logWarnings: false });
    const m = info.metadata;
    assert.equal(lookup(m, 'general.architecture'), 'llama');
    assert.equal(lookup(m, 'general.name'), 'janus-tiny-test');
    assert.equal(lookup(m, 'llama.embedding_length'), 64);
    assert.equal(lookup(m, 'llama.attention.head_count'), 4);
    assert.equal(lookup(m, 'llama.attention.head_count_kv'), 2);
    assert.equal(lookup(m, 'tokenizer.ggml.model'), 'llama');
    assert.equal(lookup(m, 'tokenizer.ggml.add_bos_token'), true);
    assert.equal(lookup(m, 'tokenizer.ggml.add_eos_token'), false);
    assert.equal(lookup(m, 'tokenizer.chat_template'), undefined, 'no chat template: the engine falls back to the Janus format');
    const tokens = lookup(m, 'tokenizer.ggml.tokens') as string[];
    const types = lookup(m, 'tokenizer.ggml.token_type') as number[];
    assert.deepEqual(tokens.slice(0, 3), ['<unk>', '<s>', '</s>']);
    assert.deepEqual(types.slice(0, 3), [2, 3, 3]);
    assert.equal(tokens[3 + 0x0a], '<0x0A>');
    assert.ok(types.slice(3, 259).every((t) => t === 6));
    for (const piece of ['▁', '[', 'INST', ']', '/', '▁the']) assert.ok(tokens.includes(piece), piece);
    assert.equal(new Set(tokens).size, tokens.length, 'token strings are unique');
    const shapes = new Map((info.tensorInfo ?? []).map((t) => [t.name, t.dimensions.map(Number)]));
    const expected = new Map(tinyLlamaTensors(weights).map((t) => [t.name, [...t.dims]]));
    assert.deepEqual(shapes, expected);
    assert.deepEqual(shapes.get('blk.0.attn_k.weight'), [64, 32]);
    assert.deepEqual(shapes.get('blk.1.ffn_down.weight'), [128, 64]);
    assert.deepEqual(shapes.get('token_embd.weight'), [64, 32000]);
    assert.equal(tokens[28705], '▁', 'the real Mistral vocabulary');
  });
});

describe('tiny Llama in llama.cpp', function () {
  this.timeout(60000);

  it('loads, tokenizes with byte fallback and specials, and generates varied tokens', async () => {
    const { modelPath } = await getTinyModel();
    const { getLlama, LlamaCompletion, LlamaLogLevel } = await import('node-llama-cpp');
    const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
    const model = await llama.loadModel({ modelPath });
    try {
      const prompt = '[INST] hi\nthere [/INST] ';
      const tokens = model.tokenize(prompt, true);
      const pieces = tokens.map((t) => model.detokenize([t], true));
      assert.ok(pieces.includes('\n'), `newline goes through the <0x0A> byte token: ${JSON.stringify(pieces)}`);
      assert.equal(model.detokenize(tokens), prompt);
      assert.deepEqual([...model.tokenize('<s>x</s>', true)].filter((t) => t < 3), [1, 2], 'specials are parsed');
      assert.equal(model.tokens.bos, 1);
      assert.equal(model.tokens.eos, 2);
      assert.equal(model.detokenize(model.tokenize('café ☕')), 'café ☕', 'bytes round-trip');

      const context = await model.createContext({ threads: 1, contextSize: 512 });
      try {
        const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
        const text = await completion.generateCompletion(prompt, { maxTokens: 32, temperature: 1, seed: 7 });
        const generated = model.tokenize(text);
        assert.ok(text.length > 0);
        assert.ok(new Set(generated).size >= 8, `too few distinct tokens: ${JSON.stringify(text)}`);
      } finally {
        await context.dispose();
      }
    } finally {
      await model.dispose();
    }
  });
});
