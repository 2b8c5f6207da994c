import { readFile } from 'node:fs/promises';
import * as z from 'zod';

/**
 * The parts of a Hugging Face `config.json` a Mistral/Llama reward model converts from, with the
 * defaults transformers uses when a field is absent, plus OpenRLHF's reward normalisation fields.
 */

export class ConvertRmError extends Error {
  override readonly name = 'ConvertRmError';
}

const positiveInt = z.number().int().positive();
const configSchema = z.looseObject({
  architectures: z.array(z.string()).optional(),
  model_type: z.string().optional(),
  hidden_size: positiveInt,
  intermediate_size: positiveInt,
  num_hidden_layers: positiveInt,
  num_attention_heads: positiveInt,
  num_key_value_heads: positiveInt.optional(),
  head_dim: positiveInt.nullish(),
  vocab_size: positiveInt,
  rms_norm_eps: z.number().positive().optional(),
  rope_theta: z.number().positive().optional(),
  max_position_embeddings: positiveInt.optional(),
  rope_scaling: z.unknown().optional(),
  bos_token_id: z.number().int().nullish(),
  eos_token_id: z.number().int().nullish(),
  mean: z.number().optional(),
  std: z.number().optional(),
  normalize_reward: z.boolean().optional(),
  value_head_prefix: z.string().optional(),
});
export type HfConfig = z.infer<typeof configSchema>;

export interface BackboneHparams {
  readonly hidden: number;
  readonly ff: number;
  readonly layers: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly vocab: number;
  readonly rmsEps: number;
  readonly ropeTheta: number;
  readonly contextLength: number;
}

const supported = /^(Mistral|Llama)For(CausalLM|SequenceClassification|RewardModel(ing)?)$|^LLMForSequenceRegression$/;

export async function readHfConfig(configPath: string): Promise<HfConfig> {
  let text: string;
  try {
    text = await readFile(configPath, 'utf8');
  } catch {
    throw new ConvertRmError(`${configPath}: not found; the checkpoint folder needs its config.json to convert the backbone`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConvertRmError(`${configPath}: invalid JSON (${(error as Error).message}); fix or re-download it`);
  }
  const parsed = configSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConvertRmError(`${configPath}: field "${issue?.path.join('.') ?? ''}" ${issue?.message ?? 'is invalid'}; a Mistral/Llama config.json is expected`);
  }
  const config = parsed.data;
  const archs = config.architectures ?? [];
  const known = archs.length > 0 ? archs.some((a) => supported.test(a)) : config.model_type === 'mistral' || config.model_type === 'llama';
  if (!known) {
    const what = archs.length > 0 ? `architectures [${archs.join(', ')}]` : `model_type "${config.model_type ?? '(none)'}"`;
    throw new ConvertRmError(`${configPath}: ${what} is not a Mistral/Llama backbone; convert-rm converts Mistral/Llama reward models only`);
  }
  if (config.rope_scaling !== undefined && config.rope_scaling !== null) {
    throw new ConvertRmError(`${configPath}: field "rope_scaling" is set; scaled RoPE is not supported by convert-rm`);
  }
  return config;
}

export function backboneHparams(config: HfConfig, configPath: string): BackboneHparams {
  const heads = config.num_attention_heads;
  const kvHeads = config.num_key_value_heads ?? heads;
  const headDim = config.head_dim ?? config.hidden_size / heads;
  if (!Number.isInteger(headDim) || headDim % 2 !== 0) {
    throw new ConvertRmError(`${configPath}: field "head_dim" is ${headDim}; it must be an even integer (hidden_size / num_attention_heads)`);
  }
  if (heads % kvHeads !== 0) {
    throw new ConvertRmError(`${configPath}: field "num_key_value_heads" (${kvHeads}) must divide num_attention_heads (${heads})`);
  }
  return {
    hidden: config.hidden_size,
    ff: config.intermediate_size,
    layers: config.num_hidden_layers,
    heads,
    kvHeads,
    headDim,
    vocab: config.vocab_size,
    rmsEps: config.rms_norm_eps ?? 1e-6,
    ropeTheta: config.rope_theta ?? 10000,
    contextLength: config.max_position_embeddings ?? 4096,
  };
}

/**
 * OpenRLHF keeps `mean`/`std` in config.json and divides only when `normalize_reward` is on; so
 * both are used when present, unless `normalize_reward` is explicitly false.
 */
export function normalizationOf(config: HfConfig): { mean?: number; std?: number; note: string } {
  if (config.mean === undefined || config.std === undefined) return { note: 'not normalised (no mean/std in config.json)' };
  if (config.normalize_reward === false) return { note: 'not normalised (config.json has normalize_reward: false)' };
  if (!Number.isFinite(config.mean) || !Number.isFinite(config.std) || config.std <= 0) {
    throw new ConvertRmError(`config.json has mean ${config.mean} and std ${config.std}: std must be a positive finite number`);
  }
  return { mean: config.mean, std: config.std, note: `normalised with mean ${config.mean}, std ${config.std}` };
}
