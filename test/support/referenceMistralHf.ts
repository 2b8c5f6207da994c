import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * An independent float64 reward of a Hugging Face Mistral reward model, with Hugging Face's own
 * semantics, read straight from the checkpoint folder (its own small safetensors parser, not the
 * product's): RMSNorm, rotary embeddings by rotate-half on the HF q/k layout (dimension i pairs
 * with i + head_dim/2), grouped-query causal attention, SwiGLU, the final norm, then the value head
 * at the last kept token and `(r - mean) / std` as OpenRLHF does. Tokens as the reference example
 * (`examples/inference_reward_example.py` of Janus): the Hugging Face tokenizer adds BOS, `</s>` is
 * the EOS token, `max_length=2048` with truncation keeps the first 2048 tokens.
 */

interface HfConfig {
  readonly hidden_size: number;
  readonly intermediate_size: number;
  readonly num_hidden_layers: number;
  readonly num_attention_heads: number;
  readonly num_key_value_heads: number;
  readonly rms_norm_eps: number;
  readonly rope_theta: number;
  readonly mean?: number;
  readonly std?: number;
  readonly normalize_reward?: boolean;
}

export interface HfCheckpoint {
  readonly config: HfConfig;
  readonly tensors: ReadonlyMap<string, Float64Array>;
}

function decode(bytes: Buffer, dtype: string): Float64Array {
  const out = new Float64Array(bytes.length / (dtype === 'F32' ? 4 : 2));
  for (let i = 0; i < out.length; i++) {
    if (dtype === 'F32') out[i] = bytes.readFloatLE(i * 4);
    else if (dtype === 'BF16') {
      const b = Buffer.alloc(4);
      b.writeUInt16LE(bytes.readUInt16LE(i * 2), 2);
      out[i] = b.readFloatLE(0);
    } else if (dtype === 'F16') {
      const h = bytes.readUInt16LE(i * 2);
      const e = (h >> 10) & 0x1f;
      const m = h & 0x3ff;
      const v = e === 0 ? m * 2 ** -24 : (1 + m / 1024) * 2 ** (e - 15);
      out[i] = h & 0x8000 ? -v : v;
    } else throw new Error(`reference: dtype ${dtype} not handled`);
  }
  return out;
}

export function loadHfCheckpoint(dir: string): HfCheckpoint {
  const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as HfConfig;
  const index = JSON.parse(readFileSync(path.join(dir, 'model.safetensors.index.json'), 'utf8')) as { weight_map: Record<string, string> };
  const tensors = new Map<string, Float64Array>();
  for (const shard of new Set(Object.values(index.weight_map))) {
    const file = readFileSync(path.join(dir, shard));
    const headerLength = Number(file.readBigUInt64LE(0));
    const header = JSON.parse(file.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, { dtype: string; data_offsets: [number, number] }>;
    for (const [name, t] of Object.entries(header)) {
      if (name === '__metadata__') continue;
      const start = 8 + headerLength;
      tensors.set(name, decode(file.subarray(start + t.data_offsets[0], start + t.data_offsets[1]), t.dtype));
    }
  }
  return { config, tensors };
}

function get(ckpt: HfCheckpoint, name: string): Float64Array {
  const t = ckpt.tensors.get(name);
  if (!t) throw new Error(`reference: no tensor ${name}`);
  return t;
}

/** y = W x for a PyTorch Linear weight [out, in]. */
function linear(w: Float64Array, x: Float64Array): Float64Array {
  const nIn = x.length;
  const y = new Float64Array(w.length / nIn);
  for (let o = 0; o < y.length; o++) {
    let s = 0;
    for (let i = 0; i < nIn; i++) s += (w[o * nIn + i] ?? 0) * (x[i] ?? 0);
    y[o] = s;
  }
  return y;
}

function rmsNorm(x: Float64Array, w: Float64Array, eps: number): Float64Array {
  let ss = 0;
  for (const v of x) ss += v * v;
  const r = 1 / Math.sqrt(ss / x.length + eps);
  return x.map((v, i) => (w[i] ?? 0) * (v * r));
}

/** transformers' apply_rotary_pos_emb: x * cos + rotate_half(x) * sin, with cos/sin repeated over both halves. */
function rotateHalf(x: Float64Array, heads: number, headDim: number, pos: number, theta: number): Float64Array {
  const out = new Float64Array(x.length);
  const half = headDim / 2;
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < half; i++) {
      const angle = pos * Math.pow(theta, -(2 * i) / headDim);
      const a = x[h * headDim + i] ?? 0;
      const b = x[h * headDim + i + half] ?? 0;
      out[h * headDim + i] = a * Math.cos(angle) - b * Math.sin(angle);
      out[h * headDim + i + half] = b * Math.cos(angle) + a * Math.sin(angle);
    }
  }
  return out;
}

/** Final-normed hidden state of the last token. */
export function hfLastHidden(ckpt: HfCheckpoint, tokens: readonly number[]): Float64Array {
  const c = ckpt.config;
  const d = c.hidden_size;
  const headDim = d / c.num_attention_heads;
  const group = c.num_attention_heads / c.num_key_value_heads;
  const embed = get(ckpt, 'model.embed_tokens.weight');
  let hs = tokens.map((t) => embed.slice(t * d, (t + 1) * d));
  for (let l = 0; l < c.num_hidden_layers; l++) {
    const p = `model.layers.${l}.`;
    const normed = hs.map((h) => rmsNorm(h, get(ckpt, `${p}input_layernorm.weight`), c.rms_norm_eps));
    const q = normed.map((x, pos) => rotateHalf(linear(get(ckpt, `${p}self_attn.q_proj.weight`), x), c.num_attention_heads, headDim, pos, c.rope_theta));
    const k = normed.map((x, pos) => rotateHalf(linear(get(ckpt, `${p}self_attn.k_proj.weight`), x), c.num_key_value_heads, headDim, pos, c.rope_theta));
    const v = normed.map((x) => linear(get(ckpt, `${p}self_attn.v_proj.weight`), x));
    hs = hs.map((h, pos) => {
      const attn = new Float64Array(c.num_attention_heads * headDim);
      for (let head = 0; head < c.num_attention_heads; head++) {
        const kv = Math.floor(head / group);
        const scores: number[] = [];
        for (let j = 0; j <= pos; j++) {
          let s = 0;
          for (let x = 0; x < headDim; x++) s += (q[pos]?.[head * headDim + x] ?? 0) * (k[j]?.[kv * headDim + x] ?? 0);
          scores.push(s / Math.sqrt(headDim));
        }
        const max = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - max));
        const z = e.reduce((a, b) => a + b, 0);
        for (let j = 0; j <= pos; j++) for (let x = 0; x < headDim; x++) attn[head * headDim + x] = (attn[head * headDim + x] ?? 0) + ((e[j] ?? 0) / z) * (v[j]?.[kv * headDim + x] ?? 0);
      }
      const o = linear(get(ckpt, `${p}self_attn.o_proj.weight`), attn);
      const mid = h.map((val, i) => val + (o[i] ?? 0));
      const x = rmsNorm(mid, get(ckpt, `${p}post_attention_layernorm.weight`), c.rms_norm_eps);
      const gate = linear(get(ckpt, `${p}mlp.gate_proj.weight`), x);
      const up = linear(get(ckpt, `${p}mlp.up_proj.weight`), x);
      const down = linear(get(ckpt, `${p}mlp.down_proj.weight`), gate.map((g, i) => (g / (1 + Math.exp(-g))) * (up[i] ?? 0)));
      return mid.map((val, i) => val + (down[i] ?? 0));
    });
  }
  return rmsNorm(hs[hs.length - 1] as Float64Array, get(ckpt, 'model.norm.weight'), c.rms_norm_eps);
}

/** The encoder of mistral-tokenizer-js: `encode(text, addBos, addPrecedingSpace)`. */
export type MistralEncode = (text: string, addBos: boolean, addPrecedingSpace: boolean) => number[];

/**
 * Hugging Face's tokens for a Mistral text: BOS, then the text split around the special literals
 * (`<s>`, `</s>`, `<unk>` become their ids; each text piece is encoded with its "▁" prefix, as the
 * legacy Llama tokenizer and llama.cpp both do), truncated to `maxLength`.
 */
export function hfTokens(encode: MistralEncode, text: string, maxLength = 2048): number[] {
  const specials: Record<string, number> = { '<unk>': 0, '<s>': 1, '</s>': 2 };
  const tokens = [1];
  for (const part of text.split(/(<unk>|<s>|<\/s>)/)) {
    if (part === '') continue;
    const id = specials[part];
    if (id !== undefined) tokens.push(id);
    else tokens.push(...encode(part, false, true));
  }
  return tokens.slice(0, maxLength);
}

/** The reward of a text without leading `<s>` (the tokenizer adds BOS), as the reference example prints it. */
export function hfReward(ckpt: HfCheckpoint, tokens: readonly number[]): number {
  const h = hfLastHidden(ckpt, tokens);
  const head = get(ckpt, 'value_head.weight');
  let r = 0;
  for (let i = 0; i < h.length; i++) r += (head[i] ?? 0) * (h[i] ?? 0);
  const { mean, std, normalize_reward: on } = ckpt.config;
  return mean !== undefined && std !== undefined && on !== false ? (r - mean) / std : r;
}
