// `janus convert-rm --to hf-classifier`: turns an OpenRLHF-style reward model checkpoint (a Mistral
// or Llama backbone under `model.*` plus `value_head.weight` [1, hidden]) into a Hugging Face
// one-label sequence classifier that vLLM serves with its pooling runner: `*ForSequenceClassification`,
// `num_labels: 1`, `score.weight` = the value head. vLLM's loader refuses weights it has no module
// for, so `value_head.weight` (and any `lm_head.weight`) must not be left in a shard.
//
// A 14 GB checkpoint is not rewritten: shards without a tensor to drop are hard-linked (copied when
// the file system refuses a link), only a shard holding a dropped tensor is rewritten without it
// (streamed, tensor by tensor), the head goes to one small extra shard, and a new index maps them.
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, link, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as z from 'zod';
import type { SafetensorsTensorInfo } from './safetensors';
import { listSafetensors, readSafetensorsHeader } from './safetensors';

export class HfClassifierError extends Error {
  override readonly name = 'HfClassifierError';
}

export interface HfClassifierOptions {
  /** A checkpoint directory with config.json and safetensors (sharded with an index, or one file). */
  readonly checkpoint: string;
  /** The directory to write (created; must not hold a config.json already). */
  readonly out: string;
  /** The value head tensor; default `<value_head_prefix>.weight` from config.json, else `value_head.weight`. */
  readonly tensor?: string | undefined;
}

export interface HfClassifierResult {
  readonly architecture: string;
  readonly hiddenSize: number;
  /** The value head tensor that became `score.weight`. */
  readonly head: string;
  /** Shards reused as they are (hard link or copy), and shards rewritten without a dropped tensor. */
  readonly reused: readonly string[];
  readonly rewritten: readonly string[];
  readonly dropped: readonly string[];
  /** From config.json when the reference normalises; vLLM does not apply them by itself. */
  readonly mean?: number | undefined;
  readonly std?: number | undefined;
  /** The `vllm serve` command line for the written folder. */
  readonly serveCommand: string;
}

/** The extra shard that holds `score.weight`. */
export const scoreShardName = 'model-score.safetensors';

const configSchema = z.looseObject({
  model_type: z.string().optional(),
  hidden_size: z.number().int().positive(),
  mean: z.number().optional(),
  std: z.number().optional(),
  normalize_reward: z.boolean().optional(),
  value_head_prefix: z.string().optional(),
});

const architectures: Record<string, string> = { mistral: 'MistralForSequenceClassification', llama: 'LlamaForSequenceClassification' };
/** Files written anew, so not copied from the checkpoint. */
const replacedFiles = new Set(['config.json', 'model.safetensors.index.json']);

export async function writeHfClassifier(options: HfClassifierOptions): Promise<HfClassifierResult> {
  const configPath = path.join(options.checkpoint, 'config.json');
  const config = await readConfig(configPath);
  const architecture = architectures[config.model_type ?? ''];
  if (architecture === undefined) {
    throw new HfClassifierError(`${configPath}: model_type "${config.model_type ?? '(none)'}" is not one this converter knows (mistral, llama); vLLM needs a *ForSequenceClassification of the backbone's own architecture.`);
  }
  const headName = options.tensor ?? `${config.value_head_prefix ?? 'value_head'}.weight`;
  const tensors = await listSafetensors(options.checkpoint);
  const head = tensors.find((t) => t.name === headName);
  if (!head) throw new HfClassifierError(`${options.checkpoint}: no tensor "${headName}" (the value head); pass it with --tensor`);
  const width = head.shape.length === 2 && head.shape[0] === 1 ? head.shape[1] : head.shape.length === 1 ? head.shape[0] : undefined;
  if (width !== config.hidden_size) {
    throw new HfClassifierError(`${head.file}: "${headName}" has shape [${head.shape.join(', ')}] but config.json says hidden_size ${config.hidden_size}; a value head is [1, hidden_size]`);
  }
  if (tensors.some((t) => t.name === 'score.weight')) throw new HfClassifierError(`${options.checkpoint}: already has a score.weight tensor; it looks converted already`);
  const drop = new Set([headName, 'lm_head.weight']);

  await prepareOut(options.out);
  const files = [...new Set(tensors.map((t) => t.file))];
  const weightMap: Record<string, string> = {};
  const reused: string[] = [];
  const rewritten: string[] = [];
  let totalSize = 0;
  for (const file of files) {
    const inFile = (await readSafetensorsHeader(file)).filter((t) => !drop.has(t.name));
    const dropsHere = tensors.some((t) => t.file === file && drop.has(t.name));
    const target = path.join(options.out, path.basename(file));
    if (dropsHere) {
      if (inFile.length === 0) continue;
      await writeShard(target, inFile);
      rewritten.push(path.basename(file));
    } else {
      await linkOrCopy(file, target);
      reused.push(path.basename(file));
    }
    for (const t of inFile) {
      weightMap[t.name] = path.basename(file);
      totalSize += t.end - t.begin;
    }
  }
  await writeShard(path.join(options.out, scoreShardName), [head], { [headName]: { name: 'score.weight', shape: [1, config.hidden_size] } });
  weightMap['score.weight'] = scoreShardName;
  totalSize += head.end - head.begin;
  await writeFile(path.join(options.out, 'model.safetensors.index.json'), `${JSON.stringify({ metadata: { total_size: totalSize }, weight_map: sortKeys(weightMap) }, null, 2)}\n`);

  const rawConfig = JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>;
  const classifierConfig = { ...rawConfig, architectures: [architecture], num_labels: 1, id2label: { '0': 'LABEL_0' }, label2id: { LABEL_0: 0 } };
  await writeFile(path.join(options.out, 'config.json'), `${JSON.stringify(classifierConfig, null, 2)}\n`);
  await copyOtherFiles(options.checkpoint, options.out, new Set(files.map((f) => path.basename(f))));

  const normalise = config.mean !== undefined && config.std !== undefined && config.normalize_reward !== false;
  const pooler = normalise ? `{"use_activation": false, "logit_mean": ${config.mean}, "logit_sigma": ${config.std}}` : '{"use_activation": false}';
  return {
    architecture,
    hiddenSize: config.hidden_size,
    head: headName,
    reused,
    rewritten,
    dropped: tensors.filter((t) => drop.has(t.name)).map((t) => t.name),
    ...(normalise ? { mean: config.mean, std: config.std } : {}),
    serveCommand: `vllm serve ${options.out} --runner pooling --convert classify --max-model-len 2048 --pooler-config '${pooler}'`,
  };
}

async function readConfig(configPath: string): Promise<z.infer<typeof configSchema>> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(configPath, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new HfClassifierError(`${configPath}: ${code === 'ENOENT' ? 'not found; --to hf-classifier needs the checkpoint folder with its config.json' : `unreadable (${(error as Error).message})`}`);
  }
  const parsed = configSchema.safeParse(json);
  if (!parsed.success) throw new HfClassifierError(`${configPath}: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  return parsed.data;
}

async function prepareOut(out: string): Promise<void> {
  await mkdir(out, { recursive: true });
  const existing = await readdir(out);
  if (existing.includes('config.json')) throw new HfClassifierError(`${out}: already holds a config.json; pass an empty or new folder as --out`);
}

async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch {
    await copyFile(from, to);
  }
}

/**
 * Writes a safetensors shard holding `tensors` (bytes copied as stored, one tensor at a time, so a
 * 5 GB shard never sits in memory); `rename` gives a tensor a new name and shape in the header.
 */
async function writeShard(target: string, tensors: readonly SafetensorsTensorInfo[], rename: Record<string, { name: string; shape: number[] }> = {}): Promise<void> {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const t of tensors) {
    const as = rename[t.name];
    header[as?.name ?? t.name] = { dtype: t.dtype, shape: as?.shape ?? t.shape, data_offsets: [offset, offset + (t.end - t.begin)] };
    offset += t.end - t.begin;
  }
  let json = JSON.stringify(header);
  // Pad the header with spaces to a multiple of 8, as the safetensors writer does (aligned data).
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  const out = createWriteStream(target);
  const done = new Promise<void>((resolve, reject) => {
    out.once('finish', resolve);
    out.once('error', reject);
  });
  out.write(length);
  out.write(json);
  for (const t of tensors) {
    if (t.end > t.begin) await pipeline(createReadStream(t.file, { start: t.begin, end: t.end - 1 }), out, { end: false });
  }
  out.end();
  await done;
}

async function copyOtherFiles(from: string, to: string, shards: ReadonlySet<string>): Promise<void> {
  for (const name of await readdir(from)) {
    if (shards.has(name) || replacedFiles.has(name) || name.endsWith('.safetensors') || name.endsWith('.bin') || name.endsWith('.pt')) continue;
    if ((await stat(path.join(from, name))).isFile()) await copyFile(path.join(from, name), path.join(to, name));
  }
}

function sortKeys(map: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => a.localeCompare(b)));
}
