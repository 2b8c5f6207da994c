import type { GgufTensor, GgufValue } from './gguf/ggufWriter';
import type { RewardHead } from './rewardHead';
import { writeGguf } from './gguf/ggufWriter';
import { llamaGgufMetadata } from './gguf/llamaMetadata';
import { scoresFromMerges } from './convert/hfTokenizer';
import type { MistralVocabulary } from './mistralVocabulary';
import { loadMistralVocabulary } from './mistralVocabulary';
import { janusRmMaxLength, rewardHeadMetadata } from './rewardGguf';

/**
 * A deterministic tiny Llama with random weights. Tests and the bring-up command write it instead
 * of downloading a model: the tokenizer is Mistral's real 32k vocabulary (so `[INST]`, BOS/EOS,
 * leading spaces and byte fallback tokenize as for Janus) and every tensor goes through real
 * llama.cpp inference, only the text it generates is nonsense.
 */

export interface TinyLlamaHyperparameters {
  readonly nVocab: number;
  readonly nEmbd: number;
  readonly nLayer: number;
  readonly nHead: number;
  /** Fewer KV heads than query heads, so grouped-query attention is exercised. */
  readonly nHeadKv: number;
  readonly nFf: number;
  readonly contextLength: number;
  readonly rmsEps: number;
  readonly ropeFreqBase: number;
}

export interface TinyVocabulary {
  readonly tokens: readonly string[];
  readonly scores: Float32Array;
  /** llama.cpp token types: 1 normal, 2 unknown, 3 control, 6 byte. */
  readonly types: Int32Array;
  readonly unkId: number;
  readonly bosId: number;
  readonly eosId: number;
}

/** One transformer block; matrices are row-major with one row per output (ggml ne = [n_in, n_out]). */
export interface TinyLlamaLayer {
  readonly attnNorm: Float32Array;
  readonly attnQ: Float32Array;
  readonly attnK: Float32Array;
  readonly attnV: Float32Array;
  readonly attnOutput: Float32Array;
  readonly ffnNorm: Float32Array;
  readonly ffnGate: Float32Array;
  readonly ffnUp: Float32Array;
  readonly ffnDown: Float32Array;
}

export interface TinyLlamaWeights {
  readonly seed: number;
  readonly hparams: TinyLlamaHyperparameters;
  readonly vocab: TinyVocabulary;
  /** n_vocab rows of n_embd. */
  readonly tokenEmbd: Float32Array;
  readonly outputNorm: Float32Array;
  /** n_vocab rows of n_embd (untied from the embedding, as in Mistral/Llama 2). */
  readonly output: Float32Array;
  readonly layers: readonly TinyLlamaLayer[];
}

export const tinyModelName = 'janus-tiny-test';
export const tinyRewardModelName = 'janus-tiny-rm';

const tokenTypeNormal = 1;
const tokenTypeUnknown = 2;
const tokenTypeControl = 3;
const tokenTypeByte = 6;

/** Seeded PRNG (mulberry32): tiny, fast and identical on every platform, unlike Math.random. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples by Box-Muller over the seeded uniform source. */
export function createGaussian(seed: number): () => number {
  const uniform = createRandom(seed);
  return () => {
    const u1 = Math.max(uniform(), 1e-12);
    const u2 = uniform();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  };
}

function gaussianArray(next: () => number, count: number, std: number, mean = 0): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = mean + std * next();
  return out;
}

/**
 * The tiny model's vocabulary: the real Mistral 32k pieces (as Janus uses them), SentencePiece
 * scores derived from the BPE merge order, and llama.cpp token types (<unk>, <s>, </s>, 256 bytes).
 */
export function tinyVocabularyFrom(mistral: MistralVocabulary): TinyVocabulary {
  const { tokens, merges } = mistral;
  const types = Int32Array.from(tokens, (t, id) =>
    id === 0 ? tokenTypeUnknown : id <= 2 ? tokenTypeControl : /^<0x[0-9A-F]{2}>$/.test(t) ? tokenTypeByte : tokenTypeNormal,
  );
  return { tokens, scores: scoresFromMerges(tokens, merges), types, unkId: 0, bosId: 1, eosId: 2 };
}

/** Reads the real vocabulary (from the dev-only package mistral-tokenizer-js; says so if missing). */
export async function loadTinyVocabulary(): Promise<TinyVocabulary> {
  return tinyVocabularyFrom(await loadMistralVocabulary());
}

export const tinyLlamaDefaults: Omit<TinyLlamaHyperparameters, 'nVocab'> = {
  nEmbd: 64,
  nLayer: 2,
  nHead: 4,
  nHeadKv: 2,
  nFf: 128,
  contextLength: 4096,
  rmsEps: 1e-5,
  ropeFreqBase: 10000,
};

/** Builds every weight of the tiny Llama from `seed`; the same seed always gives the same floats. */
export function createTinyLlamaWeights(seed: number, vocab: TinyVocabulary): TinyLlamaWeights {
  const hparams: TinyLlamaHyperparameters = { ...tinyLlamaDefaults, nVocab: vocab.tokens.length };
  const { nVocab, nEmbd, nHead, nHeadKv, nFf } = hparams;
  const headDim = nEmbd / nHead;
  const next = createGaussian(seed);
  // Embeddings with std 1 and projections with std 1/sqrt(fan_in) keep activations near unit scale,
  // so logits stay spread out and greedy decoding does not collapse onto one token.
  const tokenEmbd = gaussianArray(next, nVocab * nEmbd, 1);
  const layers: TinyLlamaLayer[] = [];
  for (let l = 0; l < hparams.nLayer; l++) {
    layers.push({
      attnNorm: gaussianArray(next, nEmbd, 0.1, 1),
      attnQ: gaussianArray(next, nHead * headDim * nEmbd, 1 / Math.sqrt(nEmbd)),
      attnK: gaussianArray(next, nHeadKv * headDim * nEmbd, 1 / Math.sqrt(nEmbd)),
      attnV: gaussianArray(next, nHeadKv * headDim * nEmbd, 1 / Math.sqrt(nEmbd)),
      attnOutput: gaussianArray(next, nEmbd * nHead * headDim, 1 / Math.sqrt(nHead * headDim)),
      ffnNorm: gaussianArray(next, nEmbd, 0.1, 1),
      ffnGate: gaussianArray(next, nFf * nEmbd, 1 / Math.sqrt(nEmbd)),
      ffnUp: gaussianArray(next, nFf * nEmbd, 1 / Math.sqrt(nEmbd)),
      ffnDown: gaussianArray(next, nEmbd * nFf, 1 / Math.sqrt(nFf)),
    });
  }
  const outputNorm = gaussianArray(next, nEmbd, 0.1, 1);
  // A wide output projection (std 6/sqrt(n_embd), logits of std ~6) makes each step's distribution
  // over the 32k pieces peaked: greedy choices are not near-ties, and seeded sampling does not flip
  // on the float32 differences between batch layouts (at std 2 it did, with 32k candidates).
  const output = gaussianArray(next, nVocab * nEmbd, 6 / Math.sqrt(nEmbd));
  return { seed, hparams, vocab, tokenEmbd, outputNorm, output, layers };
}

/** A random value head (one weight per hidden unit) for the tiny model, from its own seed stream. */
export function createTinyValueHead(weights: TinyLlamaWeights, seed = weights.seed + 1000): Float32Array {
  return gaussianArray(createGaussian(seed), weights.hparams.nEmbd, 1 / Math.sqrt(weights.hparams.nEmbd));
}

/**
 * The tiny model's reward head: the random value head plus a mean/std, so every test that scores
 * with it also runs the normalisation path.
 */
export function createTinyRewardHead(weights: TinyLlamaWeights): RewardHead {
  return {
    hiddenSize: weights.hparams.nEmbd,
    weight: createTinyValueHead(weights),
    mean: 0.25,
    std: 1.5,
    source: `janus tiny test model, seed ${weights.seed} (random value head)`,
  };
}

/** A tiny reward model: its own backbone (same vocabulary, as Janus-RM shares janus-7b's) and head. */
export interface TinyRewardModel {
  readonly weights: TinyLlamaWeights;
  readonly head: RewardHead;
  readonly maxLength: number;
}

/**
 * The seed of the tiny RM that goes with the tiny generator of `generatorSeed`: a different network,
 * as Janus-RM-7B is not janus-7b, so a test that scored with the generator's hidden states would fail.
 */
export function tinyRewardSeed(generatorSeed: number): number {
  return (generatorSeed + 7919) >>> 0;
}

export function createTinyRewardModel(seed: number, vocab: TinyVocabulary): TinyRewardModel {
  const weights = createTinyLlamaWeights(seed, vocab);
  return { weights, head: createTinyRewardHead(weights), maxLength: janusRmMaxLength };
}

function tinyLlamaMetadata(weights: TinyLlamaWeights, name: string): Record<string, GgufValue> {
  const { hparams: h, vocab } = weights;
  const hparams = { name, fileType: 0, contextLength: h.contextLength, embedding: h.nEmbd, blocks: h.nLayer, ff: h.nFf, heads: h.nHead, kvHeads: h.nHeadKv, headDim: h.nEmbd / h.nHead, rmsEps: h.rmsEps, ropeBase: h.ropeFreqBase, vocabSize: h.nVocab };
  return llamaGgufMetadata(hparams, { ...vocab, addBos: true, addEos: false });
}

/** The tensors in llama.cpp's names and shapes (ggml ne order: [n_in, n_out]). */
export function tinyLlamaTensors(weights: TinyLlamaWeights, withOutput = true): GgufTensor[] {
  const { nVocab, nEmbd, nHead, nHeadKv, nFf } = weights.hparams;
  const headDim = nEmbd / nHead;
  const tensors: GgufTensor[] = [
    { name: 'token_embd.weight', dims: [nEmbd, nVocab], data: weights.tokenEmbd },
    { name: 'output_norm.weight', dims: [nEmbd], data: weights.outputNorm },
  ];
  if (withOutput) tensors.push({ name: 'output.weight', dims: [nEmbd, nVocab], data: weights.output });
  weights.layers.forEach((layer, i) => {
    const p = `blk.${i}.`;
    tensors.push(
      { name: `${p}attn_norm.weight`, dims: [nEmbd], data: layer.attnNorm },
      { name: `${p}attn_q.weight`, dims: [nEmbd, nHead * headDim], data: layer.attnQ },
      { name: `${p}attn_k.weight`, dims: [nEmbd, nHeadKv * headDim], data: layer.attnK },
      { name: `${p}attn_v.weight`, dims: [nEmbd, nHeadKv * headDim], data: layer.attnV },
      { name: `${p}attn_output.weight`, dims: [nHead * headDim, nEmbd], data: layer.attnOutput },
      { name: `${p}ffn_norm.weight`, dims: [nEmbd], data: layer.ffnNorm },
      { name: `${p}ffn_gate.weight`, dims: [nEmbd, nFf], data: layer.ffnGate },
      { name: `${p}ffn_up.weight`, dims: [nEmbd, nFf], data: layer.ffnUp },
      { name: `${p}ffn_down.weight`, dims: [nFf, nEmbd], data: layer.ffnDown },
    );
  });
  return tensors;
}

/** Writes the tiny Llama as an F32 GGUF file that llama.cpp loads as is. */
export async function writeTinyLlamaGguf(path: string, weights: TinyLlamaWeights): Promise<void> {
  await writeGguf(path, { metadata: tinyLlamaMetadata(weights, tinyModelName), tensors: tinyLlamaTensors(weights) });
}
/** Writes the tiny RM as a converted reward model is laid out: no output.weight, the head in `janus.reward.*`. */
export async function writeTinyRewardGguf(path: string, rm: TinyRewardModel): Promise<void> {
  const metadata = { ...tinyLlamaMetadata(rm.weights, tinyRewardModelName), ...rewardHeadMetadata(rm.head, rm.maxLength) };
  await writeGguf(path, { metadata, tensors: tinyLlamaTensors(rm.weights, false) });
}

