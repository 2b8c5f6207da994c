// A converted reward model is one GGUF file: the backbone as a plain llama.cpp model (no
// `output.weight`: llama.cpp falls back to the token embedding for the unused LM head) and the value
// head, the reward mean/std and the input limit as `janus.reward.*` metadata, because llama.cpp
// refuses tensors it does not expect. This module names those keys, builds them (for converters and
// the tiny test RM) and reads them back (for `janus serve --reward-model`).
import * as z from 'zod';
import type { GgufValue } from './gguf/ggufWriter';
import { loadNodeLlamaCpp } from './nodeLlamaCpp';
import type { RewardHead } from './rewardHead';

export const rewardGgufKeys = {
  /** float32 array, length = `<arch>.embedding_length`. */
  valueHead: 'janus.reward.value_head',
  /** float32, both or neither: the reward is `(r - mean) / std` when both are present. */
  mean: 'janus.reward.mean',
  std: 'janus.reward.std',
  /** uint32: tokens the reference reads; longer input is truncated to this many (BOS included). */
  maxLength: 'janus.reward.max_length',
  /** string: checkpoint folder + tensor name + dtype, for humans. */
  source: 'janus.reward.source',
} as const;

/** Janus-RM-7B's reference (`inference_reward_example.py`) tokenizes with `max_length=2048, truncation=True`. */
export const janusRmMaxLength = 2048;

/** The `janus.reward.*` metadata of a reward model GGUF, in the contract's types. */
export function rewardHeadMetadata(head: RewardHead, maxLength: number): Record<string, GgufValue> {
  if (head.weight.length !== head.hiddenSize) throw new Error(`the value head has ${head.weight.length} weights, not hidden size ${head.hiddenSize}`);
  if (!Number.isInteger(maxLength) || maxLength < 1 || maxLength > 0xffffffff) throw new Error(`max_length must be a positive integer, got ${maxLength}`);
  const metadata: Record<string, GgufValue> = {
    [rewardGgufKeys.valueHead]: { type: 'array', itemType: 'float32', value: head.weight },
  };
  if (head.mean !== undefined && head.std !== undefined) {
    metadata[rewardGgufKeys.mean] = { type: 'float32', value: head.mean };
    metadata[rewardGgufKeys.std] = { type: 'float32', value: head.std };
  }
  metadata[rewardGgufKeys.maxLength] = { type: 'uint32', value: maxLength };
  if (head.source !== undefined) metadata[rewardGgufKeys.source] = { type: 'string', value: head.source };
  return metadata;
}

/** A file given as a reward model that cannot serve as one; the message names the file and the fix. */
export class RewardModelError extends Error {
  override readonly name = 'RewardModelError';
}

/** What `serve --reward-model` needs from a reward model GGUF's metadata. */
export interface RewardModelInfo {
  readonly head: RewardHead;
  readonly maxLength: number;
  /** `general.name`, else undefined. */
  readonly name: string | undefined;
  readonly architecture: string;
  readonly embeddingLength: number;
}

const convertFix = 'Convert the whole reward model checkpoint with `janus convert-rm --checkpoint <dir> --out rm.gguf` and pass that file to --reward-model.';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const rewardSchema = z.looseObject({
  value_head: z.array(finite, { message: 'must be an array of float32' }).min(1, 'is empty'),
  mean: finite.optional(),
  std: finite.refine((v) => v > 0, 'must be greater than 0').optional(),
  max_length: z.number().int().positive({ message: 'must be a positive integer' }),
  source: z.string().optional(),
});

/**
 * Reads the reward head and its backbone's width from parsed GGUF metadata (the nested object
 * node-llama-cpp's `readGgufFileInfo` returns: `janus.reward.value_head` is `metadata.janus.reward.value_head`).
 * `origin` (a path) is only used in messages.
 */
export function rewardModelFromMetadata(metadata: unknown, origin: string): RewardModelInfo {
  const root = isRecord(metadata) ? metadata : {};
  const general = isRecord(root['general']) ? root['general'] : {};
  const architecture = typeof general['architecture'] === 'string' ? general['architecture'] : undefined;
  if (architecture === undefined) throw new RewardModelError(`${origin}: not a llama.cpp model (no general.architecture). ${convertFix}`);
  const janus = isRecord(root['janus']) ? root['janus'] : {};
  const reward = janus['reward'];
  if (!isRecord(reward) || reward['value_head'] === undefined) {
    throw new RewardModelError(
      `${origin} has no reward head (no ${rewardGgufKeys.valueHead} in its metadata): it is a plain ${architecture} model, not a converted reward model. ${convertFix}`,
    );
  }
  const parsed = rewardSchema.safeParse(reward);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `janus.reward.${i.path.map(String).join('.')} ${i.message}`).join('; ');
    throw new RewardModelError(`${origin}: invalid reward metadata (${issues}). ${convertFix}`);
  }
  const { value_head: weights, mean, std, max_length: maxLength, source } = parsed.data;
  if ((mean === undefined) !== (std === undefined)) {
    throw new RewardModelError(`${origin}: has ${mean === undefined ? rewardGgufKeys.std : rewardGgufKeys.mean} without ${mean === undefined ? rewardGgufKeys.mean : rewardGgufKeys.std}; they come as a pair. ${convertFix}`);
  }
  const arch = isRecord(root[architecture]) ? root[architecture] : {};
  const embeddingLength = arch['embedding_length'];
  if (typeof embeddingLength !== 'number') throw new RewardModelError(`${origin}: no ${architecture}.embedding_length in its metadata. ${convertFix}`);
  if (weights.length !== embeddingLength) {
    throw new RewardModelError(
      `${origin}: head/backbone mismatch: the value head has ${weights.length} weights but the backbone's hidden size (${architecture}.embedding_length) is ${embeddingLength}. ` +
        `The head belongs to another model; convert the reward model again from its own checkpoint with \`janus convert-rm --checkpoint <dir> --out rm.gguf\`.`,
    );
  }
  const name = typeof general['name'] === 'string' ? general['name'] : undefined;
  const head: RewardHead = {
    hiddenSize: embeddingLength,
    weight: Float32Array.from(weights),
    ...(mean !== undefined && std !== undefined ? { mean, std } : {}),
    ...(source !== undefined ? { source } : {}),
  };
  return { head, maxLength, name, architecture, embeddingLength };
}

/** Reads only the GGUF header of `path` (the tokenizer tables are skipped) and validates its reward metadata. */
export async function readRewardModelInfo(path: string): Promise<RewardModelInfo> {
  const { readGgufFileInfo } = await loadNodeLlamaCpp();
  let metadata: unknown;
  try {
    const info = await readGgufFileInfo(path, {
      readTensorInfo: false,
      sourceType: 'filesystem',
      logWarnings: false,
      ignoreKeys: ['tokenizer.ggml.tokens', 'tokenizer.ggml.scores', 'tokenizer.ggml.token_type', 'tokenizer.ggml.merges'],
    });
    metadata = info.metadata;
  } catch (error) {
    throw new RewardModelError(`${path}: cannot read it as a GGUF file (${error instanceof Error ? error.message : String(error)}). ${convertFix}`);
  }
  return rewardModelFromMetadata(metadata, path);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
