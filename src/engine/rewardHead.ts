/**
 * The linear value head of a reward model such as Janus-RM-7B, as the engine applies it: a reward
 * is `dot(weight, h_last)` where `h_last` is llama.cpp's final-normalised hidden state of the last
 * token of the reward model's OWN backbone, then `(r - mean) / std` when both are set (OpenRLHF's
 * normalisation). The head travels inside the reward model's GGUF (`rewardGguf.ts`).
 */

export interface RewardHead {
  readonly hiddenSize: number;
  readonly weight: Float32Array;
  /** Both or neither: a reward is normalised only when both are present. */
  readonly mean?: number;
  readonly std?: number;
  /** Free text: which checkpoint and tensor the head came from. */
  readonly source?: string;
}

/** A head that does not fit the hidden state it is applied to. */
export class RewardHeadError extends Error {
  override readonly name = 'RewardHeadError';
}

/** The raw value-head output `dot(weight, h)`, before any normalisation. */
export function rawRewardFromHidden(head: RewardHead, hidden: ArrayLike<number>): number {
  if (hidden.length !== head.hiddenSize) {
    throw new RewardHeadError(
      `the model's hidden size is ${hidden.length} but the reward head expects ${head.hiddenSize}: this head belongs to another model`,
    );
  }
  // Accumulate in float64: the head is float32, but summing 4096 products in float32 would lose digits.
  let sum = 0;
  for (let i = 0; i < head.hiddenSize; i++) sum += (head.weight[i] ?? 0) * (hidden[i] ?? 0);
  return sum;
}

/** The reward of a final hidden state: `dot(weight, h)`, then `(r - mean) / std` when both are set. */
export function rewardFromHidden(head: RewardHead, hidden: ArrayLike<number>): number {
  const raw = rawRewardFromHidden(head, hidden);
  return head.mean !== undefined && head.std !== undefined ? (raw - head.mean) / head.std : raw;
}
