import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import * as z from 'zod';

/**
 * The reward head sidecar: the linear value head of a reward model such as Janus-RM-7B, kept beside
 * the GGUF backbone because GGUF converters drop it. A reward is `dot(weight, h_last)` where `h_last`
 * is llama.cpp's final-normalised hidden state of the last token, optionally normalised as OpenRLHF
 * does with `(r - mean) / std`. The file is JSON so a person can read what it is and where it came
 * from; the weights are base64 little-endian float32 so they round-trip bit for bit.
 */

export const rewardHeadFormat = 'janus-reward-head';
export const rewardHeadVersion = 1;

export interface RewardHead {
  readonly hiddenSize: number;
  readonly weight: Float32Array;
  /** Both or neither: a reward is normalised only when both are present. */
  readonly mean?: number;
  readonly std?: number;
  /** Free text: which checkpoint and tensor the head came from. */
  readonly source?: string;
}

/** A reward head file that cannot be used; the message names the file, the problem and the fix. */
export class RewardHeadError extends Error {
  override readonly name = 'RewardHeadError';
}

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

const rewardHeadFileSchema = z
  .object({
    format: z.literal(rewardHeadFormat, { message: `must be "${rewardHeadFormat}"` }),
    version: z.literal(rewardHeadVersion, { message: `must be ${rewardHeadVersion} (this build reads version ${rewardHeadVersion})` }),
    hidden_size: z.number().int().positive(),
    weight: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64 (little-endian float32)'),
    mean: finite.optional(),
    std: finite.refine((v) => v > 0, 'must be greater than 0').optional(),
    source: z.string().optional(),
  })
  .refine((f) => (f.mean === undefined) === (f.std === undefined), {
    message: 'mean and std must be given together (or both left out)',
    path: ['std'],
  });

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(file)'} ${issue.message}`)
    .join('; ');
}

/** Parses the JSON text of a reward head file; `origin` (a path) is only used in error messages. */
export function parseRewardHead(text: string, origin: string): RewardHead {
  const fix = 'Write it again with `janus convert-rm`.';
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new RewardHeadError(`${origin}: not a reward head file (invalid JSON: ${(error as Error).message}). ${fix}`);
  }
  const parsed = rewardHeadFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new RewardHeadError(`${origin}: invalid reward head file: ${describeIssues(parsed.error)}. ${fix}`);
  }
  const file = parsed.data;
  const bytes = Buffer.from(file.weight, 'base64');
  if (bytes.length !== file.hidden_size * 4) {
    throw new RewardHeadError(
      `${origin}: weight holds ${bytes.length} bytes but hidden_size ${file.hidden_size} needs ${file.hidden_size * 4} (float32). ${fix}`,
    );
  }
  const weight = new Float32Array(file.hidden_size);
  for (let i = 0; i < file.hidden_size; i++) weight[i] = bytes.readFloatLE(i * 4);
  if (!weight.every(Number.isFinite)) {
    throw new RewardHeadError(`${origin}: weight contains NaN or infinite values. ${fix}`);
  }
  return {
    hiddenSize: file.hidden_size,
    weight,
    ...(file.mean !== undefined && file.std !== undefined ? { mean: file.mean, std: file.std } : {}),
    ...(file.source !== undefined ? { source: file.source } : {}),
  };
}

/** Serialises a head to the file's JSON text. */
export function encodeRewardHead(head: RewardHead): string {
  if (head.weight.length !== head.hiddenSize) {
    throw new RewardHeadError(`reward head weight has ${head.weight.length} values but hiddenSize is ${head.hiddenSize}`);
  }
  if ((head.mean === undefined) !== (head.std === undefined)) {
    throw new RewardHeadError('reward head mean and std must be given together');
  }
  const bytes = Buffer.alloc(head.hiddenSize * 4);
  head.weight.forEach((v, i) => bytes.writeFloatLE(v, i * 4));
  const file = {
    format: rewardHeadFormat,
    version: rewardHeadVersion,
    hidden_size: head.hiddenSize,
    ...(head.mean !== undefined ? { mean: head.mean, std: head.std } : {}),
    ...(head.source !== undefined ? { source: head.source } : {}),
    weight: bytes.toString('base64'),
  };
  return JSON.stringify(file, null, 2) + '\n';
}

/** Reads and validates a reward head file. */
export async function readRewardHead(path: string): Promise<RewardHead> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const what = code === 'ENOENT' ? 'file not found' : `cannot read it (${code ?? (error as Error).message})`;
    throw new RewardHeadError(`${path}: ${what}. Pass the path of a reward head written by \`janus convert-rm\`.`);
  }
  return parseRewardHead(text, path);
}

/** Writes a head file atomically (temp file, then rename), so a crash never leaves half a file. */
export async function writeRewardHead(path: string, head: RewardHead): Promise<void> {
  const text = encodeRewardHead(head);
  const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, text, 'utf8');
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
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
