import type { GgufValue } from './gguf/ggufWriter';
import type { RewardHead } from './rewardHead';

/**
 * A converted reward model is one GGUF file: the backbone as llama.cpp tensors, the value head as
 * metadata (llama.cpp refuses tensors it does not expect). These are the keys both sides use.
 */
export const rewardGgufKeys = {
  valueHead: 'janus.reward.value_head',
  mean: 'janus.reward.mean',
  std: 'janus.reward.std',
  maxLength: 'janus.reward.max_length',
  source: 'janus.reward.source',
} as const;

/** The reward metadata of a head: float32 weights, mean/std only together, the token limit. */
export function rewardHeadMetadata(head: RewardHead, maxLength: number): Record<string, GgufValue> {
  if (head.weight.length !== head.hiddenSize) {
    throw new Error(`reward head has ${head.weight.length} values but hidden size ${head.hiddenSize}`);
  }
  return {
    [rewardGgufKeys.valueHead]: { type: 'array', itemType: 'float32', value: head.weight },
    ...(head.mean !== undefined && head.std !== undefined
      ? { [rewardGgufKeys.mean]: { type: 'float32', value: head.mean }, [rewardGgufKeys.std]: { type: 'float32', value: head.std } }
      : {}),
    [rewardGgufKeys.maxLength]: { type: 'uint32', value: maxLength },
    ...(head.source !== undefined ? { [rewardGgufKeys.source]: { type: 'string', value: head.source } } : {}),
  };
}
