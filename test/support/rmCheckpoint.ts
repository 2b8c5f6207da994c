import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TokenType, scoresFromMerges } from '../../src/engine/convert/hfTokenizer';
import { loadMistralVocabulary } from '../../src/engine/mistralVocabulary';
import { createGaussian } from '../../src/engine/tinyModel';
import { encodeSentencePieceModel } from './sentencepieceWriter';
import type { SafetensorsInput } from './safetensorsWriter';
import { encodeSafetensors } from './safetensorsWriter';

/**
 * A tiny Hugging Face-format Mistral reward model, as OpenRLHF saves Janus-RM-7B: config.json
 * (MistralForCausalLM fields plus mean/std/normalize_reward), the backbone under `model.*` and a
 * `value_head.weight` [1, hidden] in sharded bf16 safetensors with an index, and the real Mistral
 * 32k tokenizer as tokenizer.model, tokenizer.json and tokenizer_config.json. Weights are random
 * from a seed.
 */

export interface TinyRmShape {
  readonly hidden: number;
  readonly layers: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly ff: number;
  readonly ropeTheta: number;
}

export const tinyRmShape: TinyRmShape = { hidden: 64, layers: 2, heads: 4, kvHeads: 2, ff: 128, ropeTheta: 1e6 };

export interface TinyRmOptions {
  readonly seed?: number;
  readonly shape?: TinyRmShape;
  /** config.json's reward normalisation; `null` leaves mean/std out. */
  readonly normalization?: { readonly mean: number; readonly std: number; readonly normalize_reward?: boolean } | null;
  readonly dtype?: SafetensorsInput['dtype'];
  /** Which tokenizer files to write (default both). */
  readonly tokenizerFiles?: readonly ('tokenizer.model' | 'tokenizer.json')[];
  /** Leave the value head out (to test the error). */
  readonly withoutHead?: boolean;
}

function gaussian(next: () => number, count: number, std: number, mean = 0): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = mean + std * next();
  return out;
}

/** The backbone and head tensors in Hugging Face names and [out, in] shapes. */
export function tinyRmTensors(vocab: number, shape: TinyRmShape, seed: number, dtype: SafetensorsInput['dtype']): SafetensorsInput[] {
  const { hidden, layers, heads, kvHeads, ff } = shape;
  const headDim = hidden / heads;
  const next = createGaussian(seed);
  const t = (name: string, dims: number[], std: number, mean = 0): SafetensorsInput => ({ name, dtype, shape: dims, data: gaussian(next, dims.reduce((a, b) => a * b, 1), std, mean) });
  const tensors: SafetensorsInput[] = [t('model.embed_tokens.weight', [vocab, hidden], 1)];
  for (let l = 0; l < layers; l++) {
    const p = `model.layers.${l}.`;
    tensors.push(
      t(`${p}input_layernorm.weight`, [hidden], 0.1, 1),
      t(`${p}self_attn.q_proj.weight`, [heads * headDim, hidden], 1 / Math.sqrt(hidden)),
      t(`${p}self_attn.k_proj.weight`, [kvHeads * headDim, hidden], 1 / Math.sqrt(hidden)),
      t(`${p}self_attn.v_proj.weight`, [kvHeads * headDim, hidden], 1 / Math.sqrt(hidden)),
      t(`${p}self_attn.o_proj.weight`, [hidden, heads * headDim], 1 / Math.sqrt(hidden)),
      t(`${p}post_attention_layernorm.weight`, [hidden], 0.1, 1),
      t(`${p}mlp.gate_proj.weight`, [ff, hidden], 1 / Math.sqrt(hidden)),
      t(`${p}mlp.up_proj.weight`, [ff, hidden], 1 / Math.sqrt(hidden)),
      t(`${p}mlp.down_proj.weight`, [hidden, ff], 1 / Math.sqrt(ff)),
    );
  }
  tensors.push(t('model.norm.weight', [hidden], 0.1, 1), t('value_head.weight', [1, hidden], 1));
  return tensors;
}

/** Writes the checkpoint into `dir` (created) and returns it. */
export async function writeTinyRmCheckpoint(dir: string, options: TinyRmOptions = {}): Promise<string> {
  const shape = options.shape ?? tinyRmShape;
  const { tokens } = await loadMistralVocabulary();
  await mkdir(dir, { recursive: true });
  const normalization = options.normalization === undefined ? { mean: 0.5, std: 2, normalize_reward: true } : options.normalization;
  const config = {
    architectures: ['MistralForCausalLM'],
    model_type: 'mistral',
    hidden_size: shape.hidden,
    intermediate_size: shape.ff,
    num_hidden_layers: shape.layers,
    num_attention_heads: shape.heads,
    num_key_value_heads: shape.kvHeads,
    head_dim: shape.hidden / shape.heads,
    vocab_size: tokens.length,
    rms_norm_eps: 1e-5,
    rope_theta: shape.ropeTheta,
    max_position_embeddings: 4096,
    sliding_window: null,
    hidden_act: 'silu',
    tie_word_embeddings: false,
    torch_dtype: 'bfloat16',
    bos_token_id: 1,
    eos_token_id: 2,
    ...(normalization ?? {}),
  };
  await writeFile(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));

  const tensors = tinyRmTensors(tokens.length, shape, options.seed ?? 7, options.dtype ?? 'BF16').filter((t) => !(options.withoutHead && t.name === 'value_head.weight'));
  // Two shards: the embedding alone, everything else in the second (as big checkpoints split).
  const shards = [tensors.slice(0, 1), tensors.slice(1)];
  const weightMap: Record<string, string> = {};
  for (const [i, shard] of shards.entries()) {
    const file = `model-0000${i + 1}-of-0000${shards.length}.safetensors`;
    await writeFile(path.join(dir, file), encodeSafetensors(shard, { format: 'pt' }));
    for (const t of shard) weightMap[t.name] = file;
  }
  await writeFile(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }, null, 2));

  await writeMistralTokenizerFiles(dir, options.tokenizerFiles ?? ['tokenizer.model', 'tokenizer.json']);
  return dir;
}

/** The real Mistral tokenizer as a checkpoint ships it: tokenizer.model and/or tokenizer.json, and tokenizer_config.json. */
export async function writeMistralTokenizerFiles(dir: string, files: readonly ('tokenizer.model' | 'tokenizer.json')[]): Promise<void> {
  const { tokens, merges } = await loadMistralVocabulary();
  const types = tokens.map((t, id) => (id === 0 ? TokenType.unknown : id <= 2 ? TokenType.control : /^<0x[0-9A-F]{2}>$/.test(t) ? TokenType.byte : TokenType.normal));
  if (files.includes('tokenizer.model')) {
    const scores = scoresFromMerges(tokens, merges);
    const pieces = tokens.map((piece, id) => ({ piece, score: types[id] === TokenType.normal ? (scores[id] ?? 0) : 0, type: types[id] ?? 1 }));
    await writeFile(path.join(dir, 'tokenizer.model'), encodeSentencePieceModel(pieces, { unk: 0, bos: 1, eos: 2 }));
  }
  const special = ['<unk>', '<s>', '</s>'].map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }));
  if (files.includes('tokenizer.json')) {
    const tokenizerJson = {
      version: '1.0',
      added_tokens: special,
      normalizer: { type: 'Sequence', normalizers: [{ type: 'Prepend', prepend: '▁' }, { type: 'Replace', pattern: { String: ' ' }, content: '▁' }] },
      pre_tokenizer: null,
      model: { type: 'BPE', unk_token: '<unk>', fuse_unk: true, byte_fallback: true, vocab: Object.fromEntries(tokens.map((t, id) => [t, id])), merges: merges.map(([a, b]) => `${a} ${b}`) },
    };
    await writeFile(path.join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson));
  }
  const tokenizerConfig = {
    add_bos_token: true,
    add_eos_token: false,
    bos_token: '<s>',
    eos_token: '</s>',
    unk_token: '<unk>',
    legacy: true,
    tokenizer_class: 'LlamaTokenizer',
    added_tokens_decoder: Object.fromEntries(special.map((s) => [String(s.id), s])),
  };
  await writeFile(path.join(dir, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig, null, 2));
}
