import type { TinyLlamaWeights } from '../../src/engine/tinyModel';

/**
 * An independent float64 forward pass of the tiny Llama, written from the architecture (not from
 * llama.cpp's code) so tests can check what llama.cpp computes: RMSNorm, rotary embeddings in
 * llama.cpp's NORM mode (adjacent pairs), grouped-query causal attention, a SwiGLU feed-forward
 * block and the final norm. Slow on purpose (plain loops, no caching); fine for a 2-layer model.
 */

export interface ReferenceOutput {
  /** Final-normalised hidden state of the last token: what a value-head reward model reads. */
  readonly hLast: Float64Array;
  /** Next-token logits of the last position; present when asked for. */
  readonly logits?: Float64Array;
}

/** y = W x for a ggml matrix stored as `nOut` rows of `nIn`. */
function matVec(w: Float32Array, x: Float64Array, nIn: number, nOut: number): Float64Array {
  const y = new Float64Array(nOut);
  for (let o = 0; o < nOut; o++) {
    let sum = 0;
    const row = o * nIn;
    for (let i = 0; i < nIn; i++) sum += (w[row + i] ?? 0) * (x[i] ?? 0);
    y[o] = sum;
  }
  return y;
}

function rmsNorm(x: Float64Array, weight: Float32Array, eps: number): Float64Array {
  let sumSq = 0;
  for (const v of x) sumSq += v * v;
  const scale = 1 / Math.sqrt(sumSq / x.length + eps);
  return x.map((v, i) => v * scale * (weight[i] ?? 0));
}

/** Rotates each head's adjacent pairs (2i, 2i+1) by pos * base^(-2i/nRot), as llama.cpp's rope NORM. */
function rope(x: Float64Array, nHeads: number, headDim: number, pos: number, base: number): void {
  for (let h = 0; h < nHeads; h++) {
    for (let i0 = 0; i0 < headDim; i0 += 2) {
      const theta = pos * Math.pow(base, -i0 / headDim);
      const c = Math.cos(theta);
      const s = Math.sin(theta);
      const a = h * headDim + i0;
      const x0 = x[a] ?? 0;
      const x1 = x[a + 1] ?? 0;
      x[a] = x0 * c - x1 * s;
      x[a + 1] = x0 * s + x1 * c;
    }
  }
}

/** Runs the model over `tokens` (positions 0..n-1, no BOS added) and returns the last token's state. */
export function referenceForward(
  weights: TinyLlamaWeights,
  tokens: readonly number[],
  options: { readonly logits?: boolean } = {},
): ReferenceOutput {
  const { nEmbd, nHead, nHeadKv, nFf, nVocab, rmsEps, ropeFreqBase } = weights.hparams;
  const headDim = nEmbd / nHead;
  const kvDim = nHeadKv * headDim;
  const group = nHead / nHeadKv;
  if (tokens.length === 0) throw new Error('referenceForward needs at least one token');

  let hidden: Float64Array[] = tokens.map((t) => {
    if (!Number.isInteger(t) || t < 0 || t >= nVocab) throw new Error(`token ${t} is outside the vocabulary`);
    return Float64Array.from(weights.tokenEmbd.subarray(t * nEmbd, (t + 1) * nEmbd));
  });

  for (const layer of weights.layers) {
    const qs: Float64Array[] = [];
    const ks: Float64Array[] = [];
    const vs: Float64Array[] = [];
    hidden.forEach((h, pos) => {
      const x = rmsNorm(h, layer.attnNorm, rmsEps);
      const q = matVec(layer.attnQ, x, nEmbd, nEmbd);
      const k = matVec(layer.attnK, x, nEmbd, kvDim);
      rope(q, nHead, headDim, pos, ropeFreqBase);
      rope(k, nHeadKv, headDim, pos, ropeFreqBase);
      qs.push(q);
      ks.push(k);
      vs.push(matVec(layer.attnV, x, nEmbd, kvDim));
    });
    hidden = hidden.map((h, pos) => {
      const attn = new Float64Array(nEmbd);
      for (let head = 0; head < nHead; head++) {
        const kvHead = Math.floor(head / group);
        const q = qs[pos] as Float64Array;
        const scores: number[] = [];
        // Causal mask: position `pos` attends to 0..pos only.
        for (let j = 0; j <= pos; j++) {
          const k = ks[j] as Float64Array;
          let dot = 0;
          for (let d = 0; d < headDim; d++) dot += (q[head * headDim + d] ?? 0) * (k[kvHead * headDim + d] ?? 0);
          scores.push(dot / Math.sqrt(headDim));
        }
        const max = Math.max(...scores);
        const exps = scores.map((s) => Math.exp(s - max));
        const total = exps.reduce((a, b) => a + b, 0);
        for (let j = 0; j <= pos; j++) {
          const p = (exps[j] ?? 0) / total;
          const v = vs[j] as Float64Array;
          for (let d = 0; d < headDim; d++) attn[head * headDim + d] = (attn[head * headDim + d] ?? 0) + p * (v[kvHead * headDim + d] ?? 0);
        }
      }
      const projected = matVec(layer.attnOutput, attn, nEmbd, nEmbd);
      const afterAttn = h.map((v, i) => v + (projected[i] ?? 0));
      const x = rmsNorm(afterAttn, layer.ffnNorm, rmsEps);
      const gate = matVec(layer.ffnGate, x, nEmbd, nFf);
      const up = matVec(layer.ffnUp, x, nEmbd, nFf);
      const act = gate.map((g, i) => (g / (1 + Math.exp(-g))) * (up[i] ?? 0));
      const down = matVec(layer.ffnDown, act, nFf, nEmbd);
      return afterAttn.map((v, i) => v + (down[i] ?? 0));
    });
  }

  const last = hidden[hidden.length - 1] as Float64Array;
  const hLast = rmsNorm(last, weights.outputNorm, rmsEps);
  if (options.logits !== true) return { hLast };
  return { hLast, logits: matVec(weights.output, hLast, nEmbd, nVocab) };
}

/** Index of the largest value (first one on ties), as greedy sampling picks it. */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if ((values[i] ?? -Infinity) > (values[best] ?? -Infinity)) best = i;
  return best;
}
