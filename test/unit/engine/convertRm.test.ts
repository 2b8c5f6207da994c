import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { CliUsageError } from '../../../src/cli/command';
import { convertRmCommand } from '../../../src/cli/commands/convertRm';
import { makeTinyModelCommand } from '../../../src/cli/commands/makeTinyModel';
import { ConvertRmError, convertRewardModel } from '../../../src/engine/convertRm';
import { quantizeQ8_0 } from '../../../src/engine/gguf/ggmlEncode';
import { loadMistralVocabulary } from '../../../src/engine/mistralVocabulary';
import { readRewardHead } from '../../../src/engine/rewardHead';
import { float16BitsToNumber, listSafetensors, readSafetensor } from '../../../src/engine/safetensors';
import { createTinyLlamaWeights, createTinyValueHead, loadTinyVocabulary } from '../../../src/engine/tinyModel';
import { lookupMetadata as lookup } from '../../support/ggufMetadata';
import { tinyRmShape, writeTinyRmCheckpoint } from '../../support/rmCheckpoint';
import { useTempDir } from '../../support/tempDir';

async function captureStdout(run: () => Promise<number>): Promise<{ code: number; out: string }> {
  const original = process.stdout.write.bind(process.stdout);
  let out = '';
  process.stdout.write = ((chunk: string | Uint8Array): boolean => {
    out += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    return { code: await run(), out };
  } finally {
    process.stdout.write = original;
  }
}

async function ggufInfo(file: string): Promise<Awaited<ReturnType<typeof import('node-llama-cpp').readGgufFileInfo>>> {
  const { readGgufFileInfo } = await import('node-llama-cpp');
  return readGgufFileInfo(file, { logWarnings: false });
}

/** Source rows of an HF tensor as float32 (bf16 widens exactly). */
async function hfTensor(ckpt: string, name: string): Promise<Float32Array> {
  const info = (await listSafetensors(ckpt)).find((t) => t.name === name);
  assert.ok(info, name);
  return (await readSafetensor(info)).data;
}

describe('convert-rm: Hugging Face reward model -> one GGUF', function () {
  this.timeout(120_000);
  const tempDir = useTempDir('janus-convert-');
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });

  it('writes a llama GGUF: hyperparameters, real vocabulary, no LM head, Q/K rows permuted to llama.cpp rope order, head as metadata', async () => {
    const ckpt = await writeTinyRmCheckpoint(path.join(dir, 'janus-rm-tiny'));
    const out = path.join(dir, 'rm.gguf');
    const result = await convertRewardModel({ checkpoint: ckpt, out, type: 'f16' });
    assert.equal(result.normalization, 'normalised with mean 0.5, std 2');
    const info = await ggufInfo(out);
    const m = info.metadata;
    const h = tinyRmShape;
    assert.equal(lookup(m, 'general.architecture'), 'llama');
    assert.equal(lookup(m, 'general.file_type'), 1);
    assert.deepEqual(
      ['embedding_length', 'block_count', 'feed_forward_length', 'attention.head_count', 'attention.head_count_kv', 'rope.dimension_count', 'context_length', 'rope.freq_base'].map((k) => lookup(m, `llama.${k}`)),
      [h.hidden, h.layers, h.ff, h.heads, h.kvHeads, h.hidden / h.heads, 4096, 1e6],
    );
    assert.ok(Math.abs(Number(lookup(m, 'llama.attention.layer_norm_rms_epsilon')) - 1e-5) < 1e-10);
    const vocab = await loadMistralVocabulary();
    assert.deepEqual(lookup(m, 'tokenizer.ggml.tokens'), vocab.tokens);
    assert.deepEqual([lookup(m, 'tokenizer.ggml.bos_token_id'), lookup(m, 'tokenizer.ggml.eos_token_id'), lookup(m, 'tokenizer.ggml.unknown_token_id')], [1, 2, 0]);
    assert.deepEqual([lookup(m, 'tokenizer.ggml.add_bos_token'), lookup(m, 'tokenizer.ggml.add_eos_token'), lookup(m, 'tokenizer.ggml.add_space_prefix')], [true, false, true]);
    const types = lookup(m, 'tokenizer.ggml.token_type') as number[];
    assert.deepEqual([types[0], types[1], types[2], types[3], types[258], types[259]], [2, 3, 3, 6, 6, 1]);

    const headSource = await hfTensor(ckpt, 'value_head.weight');
    assert.deepEqual(lookup(m, 'janus.reward.value_head'), [...headSource]);
    assert.deepEqual([lookup(m, 'janus.reward.mean'), lookup(m, 'janus.reward.std'), lookup(m, 'janus.reward.max_length')], [0.5, 2, 2048]);
    assert.match(String(lookup(m, 'janus.reward.source')), /janus-rm-tiny: value_head\.weight \(BF16\)/);

    const tensors = info.tensorInfo ?? [];
    const names = tensors.map((t) => t.name);
    assert.equal(names.length, 2 + 9 * h.layers);
    assert.ok(!names.includes('output.weight') && names.includes('token_embd.weight') && names.includes('output_norm.weight'));
    for (const t of tensors) assert.equal(t.ggmlType, t.dimensions.length === 1 ? 0 : 1, `${t.name} type`);
    const bytes = await readFile(out);
    const row = (name: string, r: number, n: number): number[] => {
      const t = tensors.find((x) => x.name === name);
      assert.ok(t, name);
      const at = Number(t.fileOffset) + r * n * 2;
      return Array.from({ length: n }, (_, i) => float16BitsToNumber(bytes.readUInt16LE(at + i * 2)));
    };
    // Per head: GGUF row 2i + j holds Hugging Face row j * head_dim/2 + i (K with the KV head count).
    const hd = h.hidden / h.heads;
    for (const [hfName, ggufName, heads] of [['q_proj', 'attn_q', h.heads], ['k_proj', 'attn_k', h.kvHeads], ['v_proj', 'attn_v', 0]] as const) {
      const src = await hfTensor(ckpt, `model.layers.1.self_attn.${hfName}.weight`);
      const srcRow = (r: number): number[] => [...src.subarray(r * h.hidden, (r + 1) * h.hidden)];
      for (const [head, i, j] of [[0, 0, 1], [1, 3, 0], [heads > 0 ? heads - 1 : 1, hd / 2 - 1, 1]] as const) {
        const ggufRow = head * hd + 2 * i + j;
        const hfRow = heads > 0 ? head * hd + j * (hd / 2) + i : ggufRow;
        assert.deepEqual(row(`blk.1.${ggufName}.weight`, ggufRow, h.hidden), srcRow(hfRow), `${ggufName} row ${ggufRow}`);
      }
    }
  });

  it('q8_0: matrices as 32-value blocks (fp16 scale + int8) within half a step of the source, norms F32', async () => {
    const ckpt = await writeTinyRmCheckpoint(path.join(dir, 'ckpt'), { normalization: { mean: 1, std: 3, normalize_reward: false } });
    const out = path.join(dir, 'rm-q8.gguf');
    const result = await convertRewardModel({ checkpoint: ckpt, out, type: 'q8_0' });
    assert.equal(result.normalization, 'not normalised (config.json has normalize_reward: false)');
    const info = await ggufInfo(out);
    assert.equal(lookup(info.metadata, 'general.file_type'), 7);
    assert.equal(lookup(info.metadata, 'janus.reward.mean'), undefined);
    const tensors = info.tensorInfo ?? [];
    for (const t of tensors) assert.equal(t.ggmlType, t.dimensions.length === 1 ? 0 : 8, `${t.name} type`);
    const bytes = await readFile(out);
    const down = tensors.find((t) => t.name === 'blk.0.ffn_down.weight');
    assert.ok(down);
    const src = await hfTensor(ckpt, 'model.layers.0.mlp.down_proj.weight');
    let worst = 0;
    for (let b = 0; b < src.length / 32; b++) {
      const at = Number(down.fileOffset) + b * 34;
      const d = float16BitsToNumber(bytes.readUInt16LE(at));
      const block = src.subarray(b * 32, b * 32 + 32);
      const amax = Math.max(...[...block].map(Math.abs));
      assert.ok(Math.abs(d - amax / 127) <= (amax / 127) * 2 ** -10, `block ${b} scale`);
      for (let j = 0; j < 32; j++) worst = Math.max(worst, Math.abs(bytes.readInt8(at + 2 + j) * d - (block[j] ?? 0)) / d);
    }
    // Values are rounded with the float32 scale, then stored with its fp16 rounding (as ggml does):
    // at most half a step plus 127 steps times fp16's relative error 2^-11.
    assert.ok(worst <= 0.5 + 127 * 2 ** -11, `worst error ${worst} steps`);
  });

  it('quantizes Q8_0 as ggml does: d = max|x|/127, roundf (halves away from zero), zero blocks stay zero', () => {
    const values = new Float32Array(64);
    values[0] = -127;
    values[1] = 2.5;
    values[2] = -2.5;
    values[3] = 0.49;
    values[4] = 126.5;
    const q = quantizeQ8_0(values);
    assert.equal(q.length, 68);
    assert.equal(float16BitsToNumber(q[0]! | (q[1]! << 8)), 1);
    assert.deepEqual([...new Int8Array(q.buffer, 2, 5)], [-127, 3, -3, 0, 127]);
    assert.deepEqual([...q.subarray(34)], new Array<number>(34).fill(0));
  });

  it('reads the same vocabulary from tokenizer.json (scores from the merge order) as from tokenizer.model', async () => {
    const withModel = await writeTinyRmCheckpoint(path.join(dir, 'spm'), { tokenizerFiles: ['tokenizer.model'] });
    const withJson = await writeTinyRmCheckpoint(path.join(dir, 'json'), { tokenizerFiles: ['tokenizer.json'] });
    const a = await convertRewardModel({ checkpoint: withModel, out: path.join(dir, 'a.gguf') });
    const b = await convertRewardModel({ checkpoint: withJson, out: path.join(dir, 'b.gguf') });
    assert.equal(a.vocabulary.source, 'tokenizer.model');
    assert.equal(b.vocabulary.source, 'tokenizer.json');
    assert.deepEqual(b.vocabulary.tokens, a.vocabulary.tokens);
    assert.deepEqual([...b.vocabulary.types], [...a.vocabulary.types]);
    // Normal pieces carry the same scores; specials and bytes are never merged into, whatever they score.
    const normal = (v: typeof a.vocabulary): number[] => [...v.scores].filter((_, i) => v.types[i] === 1);
    assert.deepEqual(normal(b.vocabulary), normal(a.vocabulary));
    assert.equal(a.vocabulary.addSpacePrefix && b.vocabulary.addSpacePrefix, true);
  });

  it('fails with one clear line naming the tensor or field', async () => {
    const out = path.join(dir, 'never.gguf');
    const noHead = await writeTinyRmCheckpoint(path.join(dir, 'nohead'), { withoutHead: true });
    await assert.rejects(convertRewardModel({ checkpoint: noHead, out }), /no tensor "value_head\.weight": this is not a reward model/);

    const ckpt = await writeTinyRmCheckpoint(path.join(dir, 'ckpt'));
    const config = JSON.parse(await readFile(path.join(ckpt, 'config.json'), 'utf8')) as Record<string, unknown>;
    const withConfig = async (patch: Record<string, unknown>): Promise<void> => writeFile(path.join(ckpt, 'config.json'), JSON.stringify({ ...config, ...patch }));
    await withConfig({ architectures: ['GPT2LMHeadModel'], model_type: 'gpt2' });
    await assert.rejects(convertRewardModel({ checkpoint: ckpt, out }), /architectures \[GPT2LMHeadModel\] is not a Mistral\/Llama backbone/);
    await withConfig({ num_hidden_layers: 3 });
    await assert.rejects(convertRewardModel({ checkpoint: ckpt, out }), /no tensor "model\.layers\.2\.input_layernorm\.weight"/);
    await withConfig({ num_key_value_heads: 4 });
    await assert.rejects(convertRewardModel({ checkpoint: ckpt, out }), /tensor "model\.layers\.0\.self_attn\.k_proj\.weight" has shape \[32, 64\] but config\.json implies \[64, 64\]/);
    await withConfig({ hidden_size: undefined });
    await assert.rejects(convertRewardModel({ checkpoint: ckpt, out }), /config\.json: field "hidden_size"/);
    await withConfig({});
    // A shard shorter than its header says (an interrupted download).
    const shard = path.join(ckpt, 'model-00002-of-00002.safetensors');
    const { size } = await import('node:fs').then((fs) => fs.statSync(shard));
    await truncate(shard, size - 100);
    await assert.rejects(convertRewardModel({ checkpoint: ckpt, out }), (e: Error) => /model-00002-of-00002\.safetensors: tensor "value_head\.weight" lies outside the file.*truncated/.test(e.message));
    const noTokenizer = await writeTinyRmCheckpoint(path.join(dir, 'notok'), { tokenizerFiles: [] });
    await assert.rejects(convertRewardModel({ checkpoint: noTokenizer, out }), /notok: neither tokenizer\.model nor tokenizer\.json/);
    await assert.rejects(convertRewardModel({ checkpoint: noHead, out, tensor: 'nope' }), (e: Error) => e instanceof ConvertRmError && /no tensor "nope"/.test(e.message));
    await assert.rejects(convertRewardModel({ checkpoint: path.join(dir, 'nowhere'), out }), /nowhere: not found/);
  });

  it('rejects bad arguments as usage errors', async () => {
    await assert.rejects(convertRmCommand.run(['--out', 'x.gguf']), (e: Error) => e instanceof CliUsageError && /--checkpoint is required/.test(e.message));
    await assert.rejects(convertRmCommand.run(['--checkpoint', 'x', '--out', 'y', '--type', 'q4']), /--type must be f16 or q8_0, got "q4"/);
    await assert.rejects(convertRmCommand.run(['--checkpoint', 'x', '--out', 'y', '--bogus']), CliUsageError);
    await assert.rejects(makeTinyModelCommand.run(['--out', 'x.gguf', '--seed', 'abc']), /--seed must be an integer/);
    await assert.rejects(makeTinyModelCommand.run([]), /--out is required/);
  });

  it('make-tiny-model writes the model and the matching reward head', async () => {
    const model = path.join(dir, 'cli.gguf');
    const headFile = path.join(dir, 'cli.json');
    const { code, out } = await captureStdout(() => makeTinyModelCommand.run(['--out', model, '--reward-head', headFile, '--seed', '5']));
    assert.equal(code, 0);
    assert.equal(out, `model: ${model}\nreward head: ${headFile}\n`);
    const written = await readRewardHead(headFile);
    assert.deepEqual([...written.weight], [...createTinyValueHead(createTinyLlamaWeights(5, await loadTinyVocabulary()))]);
  });

  it('through the real CLI: progress on stderr, a summary on stdout; a bad checkpoint is one error line', async () => {
    const main = path.join(__dirname, '../../../src/cli/main.ts');
    const run = promisify(execFile);
    const ckpt = await writeTinyRmCheckpoint(path.join(dir, 'cli-ckpt'));
    const out = path.join(dir, 'cli.gguf');
    const ok = await run(process.execPath, ['--import', 'tsx', main, 'convert-rm', '--checkpoint', ckpt, '--out', out, '--type', 'q8_0']);
    const lines = ok.stderr.trim().split('\n');
    assert.equal(lines.length, 20);
    assert.match(lines[0] ?? '', /^tensor 1\/20 token_embd\.weight: [\d.]+ MB read, [\d.]+ MB\/s$/);
    assert.match(lines[19] ?? '', /^tensor 20\/20 output_norm\.weight: /);
    assert.match(ok.stdout, /^wrote .*cli\.gguf \(q8_0\): 20 tensors, 2 layers, hidden 64, 4 heads \/ 2 KV heads, vocabulary 32000 from tokenizer\.model; value head value_head\.weight \(BF16\), normalised with mean 0\.5, std 2\n$/);
    await assert.rejects(
      run(process.execPath, ['--import', 'tsx', main, 'convert-rm', '--checkpoint', path.join(dir, 'absent'), '--out', path.join(dir, 'o.gguf')]),
      (e: { code?: number; stderr?: string }) => {
        assert.equal(e.code, 1);
        assert.equal(e.stderr?.trim().split('\n').length, 1, `stderr: ${e.stderr}`);
        assert.match(e.stderr ?? '', /^janus convert-rm: .*absent: not found/);
        return true;
      },
    );
  });
});
