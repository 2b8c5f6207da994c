import type { SafetensorsTensorInfo } from '../safetensors';
import type { GgufTensorType } from '../gguf/ggufWriter';
import { q8BlockValues } from '../gguf/ggufWriter';
import type { BackboneHparams } from './hfConfig';
import { ConvertRmError } from './hfConfig';

/**
 * Which Hugging Face tensor becomes which llama.cpp tensor, with the shape it must have and how it
 * is stored. llama.cpp's `llama` graph names (token_embd, blk.N.attn_q, ..., output_norm); no
 * `output.weight`: a reward model has no LM head and llama.cpp then reuses the embedding.
 *
 * Q and K rows are permuted: Hugging Face applies RoPE by rotating halves (dimension i pairs with
 * i + head_dim/2), llama.cpp's `llama` rope rotates adjacent pairs (2i, 2i+1). Within each head
 * (of the KV head count for K), GGUF row 2i + j is Hugging Face row j * head_dim/2 + i.
 */

export type OutputType = 'f16' | 'q8_0';

export interface PlannedTensor {
  readonly source: SafetensorsTensorInfo;
  readonly name: string;
  /** ggml dims: fastest-varying first ([in, out] for a Hugging Face [out, in] matrix). */
  readonly dims: readonly number[];
  readonly type: GgufTensorType;
  /** Rows per head for a Q/K permutation; absent for every other tensor. */
  readonly ropeRowsPerHead?: number;
}

const layerTensors: readonly [string, string, 'q' | 'k' | 'v' | 'o' | 'norm' | 'up' | 'down'][] = [
  ['input_layernorm.weight', 'attn_norm.weight', 'norm'],
  ['self_attn.q_proj.weight', 'attn_q.weight', 'q'],
  ['self_attn.k_proj.weight', 'attn_k.weight', 'k'],
  ['self_attn.v_proj.weight', 'attn_v.weight', 'v'],
  ['self_attn.o_proj.weight', 'attn_output.weight', 'o'],
  ['post_attention_layernorm.weight', 'ffn_norm.weight', 'norm'],
  ['mlp.gate_proj.weight', 'ffn_gate.weight', 'up'],
  ['mlp.up_proj.weight', 'ffn_up.weight', 'up'],
  ['mlp.down_proj.weight', 'ffn_down.weight', 'down'],
];

/** Tensors a reward-model checkpoint may carry that the GGUF does not need. */
const ignored = [/^lm_head\.weight$/, /\.rotary_emb\.inv_freq$/];

export function planTensors(h: BackboneHparams, all: ReadonlyMap<string, SafetensorsTensorInfo>, headName: string, out: OutputType): PlannedTensor[] {
  const qDim = h.heads * h.headDim;
  const kvDim = h.kvHeads * h.headDim;
  const shapeOf = { q: [qDim, h.hidden], k: [kvDim, h.hidden], v: [kvDim, h.hidden], o: [h.hidden, qDim], norm: [h.hidden], up: [h.ff, h.hidden], down: [h.hidden, h.ff] } as const;
  const wanted: [string, string, readonly number[], number | undefined][] = [['model.embed_tokens.weight', 'token_embd.weight', [h.vocab, h.hidden], undefined]];
  for (let l = 0; l < h.layers; l++) {
    for (const [hf, gguf, kind] of layerTensors) {
      wanted.push([`model.layers.${l}.${hf}`, `blk.${l}.${gguf}`, shapeOf[kind], kind === 'q' || kind === 'k' ? h.headDim : undefined]);
    }
  }
  wanted.push(['model.norm.weight', 'output_norm.weight', [h.hidden], undefined]);

  const used = new Set<string>([headName]);
  const plan = wanted.map(([hfName, name, shape, ropeRowsPerHead]): PlannedTensor => {
    const source = all.get(hfName);
    if (!source) throw new ConvertRmError(`the checkpoint has no tensor "${hfName}" (needed for ${name}); is it a complete ${h.layers}-layer checkpoint?`);
    used.add(hfName);
    if (source.shape.length !== shape.length || source.shape.some((d, i) => d !== shape[i])) {
      throw new ConvertRmError(`${source.file}: tensor "${hfName}" has shape [${source.shape.join(', ')}] but config.json implies [${shape.join(', ')}]`);
    }
    const dims = [...shape].reverse();
    // As llama.cpp does: 1-D tensors (norms) stay F32; Q8_0 only where rows split into 32-blocks.
    const type: GgufTensorType = dims.length === 1 ? 'F32' : out === 'q8_0' && (dims[0] ?? 0) % q8BlockValues === 0 ? 'Q8_0' : 'F16';
    return { source, name, dims, type, ...(ropeRowsPerHead !== undefined ? { ropeRowsPerHead } : {}) };
  });
  for (const name of all.keys()) {
    if (!used.has(name) && !ignored.some((re) => re.test(name))) {
      throw new ConvertRmError(`unexpected tensor "${name}" (file ${all.get(name)?.file ?? '?'}): not part of a ${h.layers}-layer Mistral/Llama reward model`);
    }
  }
  return plan;
}

/** Reorders whole rows of each head from rotate-half order to adjacent-pair order (see above). */
export function permuteRopeRows(src: Uint8Array, rowBytes: number, rowsPerHead: number): Uint8Array {
  const out = new Uint8Array(src.length);
  const half = rowsPerHead / 2;
  const heads = src.length / (rowBytes * rowsPerHead);
  for (let head = 0; head < heads; head++) {
    const base = head * rowsPerHead;
    for (let i = 0; i < half; i++) {
      for (let j = 0; j < 2; j++) {
        const from = (base + j * half + i) * rowBytes;
        out.set(src.subarray(from, from + rowBytes), (base + 2 * i + j) * rowBytes);
      }
    }
  }
  return out;
}
