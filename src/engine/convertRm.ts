import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod';
import type { RewardHead } from './rewardHead';
import { writeRewardHead } from './rewardHead';
import type { SafetensorsTensorInfo } from './safetensors';
import { findSafetensor, listSafetensors, readSafetensor } from './safetensors';

/**
 * Turns a Hugging Face reward-model checkpoint (OpenRLHF's `LLMForSequenceRegression`, as Janus-RM
 * is saved) into our reward head file. OpenRLHF keeps the head as `value_head.weight` ([1, hidden])
 * and, in `config.json`, `mean`/`std` plus a `normalize_reward` flag; its server divides only when
 * that flag is on. So: mean/std are copied when both are present, unless `normalize_reward` is
 * explicitly false. `value_head_prefix` in the config renames the tensor (`<prefix>.weight`).
 */

export class ConvertRmError extends Error {
  override readonly name = 'ConvertRmError';
}

export interface ConvertRmOptions {
  /** A `.safetensors` file, or a directory (sharded with an index, or plain shards). */
  readonly checkpoint: string;
  readonly out: string;
  /** Tensor name; defaults to the config's `<value_head_prefix>.weight`, else `value_head.weight`. */
  readonly tensor?: string;
}

export interface ConvertRmResult {
  readonly head: RewardHead;
  readonly tensor: SafetensorsTensorInfo;
  /** The config.json that was read, if any. */
  readonly configPath?: string;
  /** Why the head is (or is not) normalised, for the summary line. */
  readonly normalization: string;
}

const configSchema = z.looseObject({
  hidden_size: z.number().int().positive().optional(),
  mean: z.number().optional(),
  std: z.number().optional(),
  normalize_reward: z.boolean().optional(),
  value_head_prefix: z.string().optional(),
});
type RewardModelConfig = z.infer<typeof configSchema>;

async function readConfig(checkpoint: string): Promise<{ path: string; config: RewardModelConfig } | undefined> {
  const info = await stat(checkpoint);
  const configPath = path.join(info.isDirectory() ? checkpoint : path.dirname(checkpoint), 'config.json');
  let text: string;
  try {
    text = await readFile(configPath, 'utf8');
  } catch {
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConvertRmError(`${configPath}: invalid JSON (${(error as Error).message}); fix or remove it`);
  }
  const parsed = configSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ');
    throw new ConvertRmError(`${configPath}: unexpected values (${issues}); fix or remove it`);
  }
  return { path: configPath, config: parsed.data };
}

function normalizationOf(config: RewardModelConfig | undefined): { mean?: number; std?: number; note: string } {
  if (config?.mean === undefined || config.std === undefined) return { note: 'not normalised (no mean/std in config.json)' };
  if (config.normalize_reward === false) return { note: 'not normalised (config.json has normalize_reward: false)' };
  if (!Number.isFinite(config.mean) || !Number.isFinite(config.std) || config.std <= 0) {
    throw new ConvertRmError(`config.json has mean ${config.mean} and std ${config.std}: std must be a positive finite number`);
  }
  return { mean: config.mean, std: config.std, note: `normalised with mean ${config.mean}, std ${config.std}` };
}

/** Reads the value head (and mean/std) from a checkpoint and writes the reward head file. */
export async function convertRewardModel(options: ConvertRmOptions): Promise<ConvertRmResult> {
  try {
    await stat(options.checkpoint);
  } catch {
    throw new ConvertRmError(`${options.checkpoint}: not found; pass a .safetensors file or a checkpoint directory`);
  }
  const loaded = await readConfig(options.checkpoint);
  const prefix = loaded?.config.value_head_prefix;
  const tensorName = options.tensor ?? (prefix !== undefined ? `${prefix}.weight` : 'value_head.weight');
  const info = await findSafetensor(options.checkpoint, tensorName);
  if (!info) {
    // Point at likely heads: tensors with one row (or one axis) are the only plausible value heads.
    const candidates = (await listSafetensors(options.checkpoint))
      .filter((t) => t.shape.length === 1 || (t.shape.length === 2 && t.shape[0] === 1))
      .filter((t) => !/norm|bias/.test(t.name))
      .map((t) => `${t.name} [${t.shape.join(', ')}]`);
    const hint = candidates.length > 0 ? `candidates: ${candidates.slice(0, 5).join(', ')}; pass one with --tensor` : 'pass the value head tensor with --tensor';
    throw new ConvertRmError(`${options.checkpoint}: no tensor "${tensorName}" (${hint})`);
  }
  const shape = info.shape;
  const hidden = shape.length === 1 ? shape[0] : shape.length === 2 && shape[0] === 1 ? shape[1] : undefined;
  if (hidden === undefined || hidden === 0) {
    throw new ConvertRmError(`${info.file}: "${info.name}" has shape [${shape.join(', ')}]; a value head is [1, hidden] or [hidden]`);
  }
  const configHidden = loaded?.config.hidden_size;
  if (configHidden !== undefined && configHidden !== hidden) {
    throw new ConvertRmError(`${info.file}: "${info.name}" has ${hidden} values but ${loaded?.path} says hidden_size ${configHidden}`);
  }
  const { data } = await readSafetensor(info);
  if (!data.every(Number.isFinite)) throw new ConvertRmError(`${info.file}: "${info.name}" contains NaN or infinite values`);
  const norm = normalizationOf(loaded?.config);
  const head: RewardHead = {
    hiddenSize: hidden,
    weight: data,
    ...(norm.mean !== undefined && norm.std !== undefined ? { mean: norm.mean, std: norm.std } : {}),
    source: `${path.basename(path.resolve(options.checkpoint))}: ${info.name} (${info.dtype} [${shape.join(', ')}])`,
  };
  await writeRewardHead(options.out, head);
  return { head, tensor: info, ...(loaded ? { configPath: loaded.path } : {}), normalization: norm.note };
}
