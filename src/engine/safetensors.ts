import type { Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open, readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod';

/**
 * Reads tensors out of Hugging Face safetensors checkpoints without loading them: real reward-model
 * checkpoints are multi-GB shards, and we need one small tensor (the value head). A file is a u64
 * little-endian header length, a JSON header `{name: {dtype, shape, data_offsets: [begin, end]}}`
 * with offsets relative to the end of the header, then the raw little-endian tensor bytes.
 */

export class SafetensorsError extends Error {
  override readonly name = 'SafetensorsError';
}

export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16';
const dtypeSizes: Record<SafetensorsDtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2 };

export interface SafetensorsTensorInfo {
  readonly name: string;
  /** The file that holds the tensor. */
  readonly file: string;
  /** The stored dtype; any dtype is listed, but only float dtypes can be decoded. */
  readonly dtype: string;
  readonly shape: readonly number[];
  /** Absolute byte range of the data in `file`, end exclusive. */
  readonly begin: number;
  readonly end: number;
}

export interface DecodedTensor {
  readonly info: SafetensorsTensorInfo;
  readonly data: Float32Array;
}

/** The spec caps headers at 100 MB; a larger length means the file is not safetensors. */
const maxHeaderLength = 100_000_000;

const headerEntrySchema = z.object({
  dtype: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  data_offsets: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
});

async function readExactly(handle: FileHandle, length: number, position: number, file: string): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) throw new SafetensorsError(`${file}: truncated (expected ${length} bytes at offset ${position})`);
    done += bytesRead;
  }
  return buffer;
}

function openError(file: string, error: unknown): SafetensorsError {
  const code = (error as NodeJS.ErrnoException).code;
  return new SafetensorsError(code === 'ENOENT' ? `${file}: file not found` : `${file}: cannot read it (${code ?? String(error)})`);
}

/** Parses the header of one safetensors file (reads only the first 8 + header-length bytes). */
export async function readSafetensorsHeader(file: string): Promise<SafetensorsTensorInfo[]> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw openError(file, error);
  }
  try {
    const { size } = await handle.stat();
    if (size < 8) throw new SafetensorsError(`${file}: not a safetensors file (only ${size} bytes, no header length)`);
    const headerLength = Number((await readExactly(handle, 8, 0, file)).readBigUInt64LE(0));
    if (headerLength > maxHeaderLength || headerLength < 2) {
      throw new SafetensorsError(`${file}: not a safetensors file (header length ${headerLength} is implausible)`);
    }
    if (8 + headerLength > size) {
      throw new SafetensorsError(`${file}: truncated (header says ${headerLength} bytes, file has ${size - 8} after the length)`);
    }
    let json: unknown;
    try {
      json = JSON.parse((await readExactly(handle, headerLength, 8, file)).toString('utf8'));
    } catch (error) {
      if (error instanceof SafetensorsError) throw error;
      throw new SafetensorsError(`${file}: corrupt header (invalid JSON: ${(error as Error).message})`);
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new SafetensorsError(`${file}: corrupt header (expected a JSON object of tensors)`);
    }
    const dataStart = 8 + headerLength;
    const infos: SafetensorsTensorInfo[] = [];
    for (const [name, raw] of Object.entries(json)) {
      if (name === '__metadata__') continue;
      const entry = headerEntrySchema.safeParse(raw);
      if (!entry.success) {
        throw new SafetensorsError(`${file}: corrupt header entry "${name}" (${entry.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')})`);
      }
      const [begin, end] = entry.data.data_offsets;
      if (end < begin || dataStart + end > size) {
        throw new SafetensorsError(`${file}: tensor "${name}" lies outside the file (bytes ${begin}..${end} of ${size - dataStart}); the file is truncated or corrupt`);
      }
      const dtypeSize = dtypeSizes[entry.data.dtype as SafetensorsDtype] as number | undefined;
      const count = entry.data.shape.reduce((a, b) => a * b, 1);
      if (dtypeSize !== undefined && count * dtypeSize !== end - begin) {
        throw new SafetensorsError(`${file}: tensor "${name}" has shape [${entry.data.shape.join(', ')}] ${entry.data.dtype} (${count * dtypeSize} bytes) but ${end - begin} bytes of data`);
      }
      infos.push({ name, file, dtype: entry.data.dtype, shape: entry.data.shape, begin: dataStart + begin, end: dataStart + end });
    }
    return infos;
  } finally {
    await handle.close();
  }
}

const indexSchema = z.object({ weight_map: z.record(z.string(), z.string()) });

/**
 * The files of a checkpoint: a single `.safetensors` file, or a directory with a
 * `model.safetensors.index.json` (sharded) or with `.safetensors` files (all of them are listed).
 * For an index, maps each tensor name to its shard, so a lookup opens one shard only.
 */
async function resolveCheckpoint(checkpoint: string): Promise<{ files: string[]; weightMap?: Map<string, string> }> {
  let info: Stats;
  try {
    info = await stat(checkpoint);
  } catch (error) {
    throw openError(checkpoint, error);
  }
  if (info.isFile()) return { files: [checkpoint] };
  const indexPath = path.join(checkpoint, 'model.safetensors.index.json');
  let indexText: string | undefined;
  try {
    indexText = await readFile(indexPath, 'utf8');
  } catch {
    indexText = undefined;
  }
  if (indexText !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(indexText);
    } catch (error) {
      throw new SafetensorsError(`${indexPath}: invalid JSON (${(error as Error).message})`);
    }
    const index = indexSchema.safeParse(json);
    if (!index.success) throw new SafetensorsError(`${indexPath}: expected {"weight_map": {tensor: shard file}}`);
    const weightMap = new Map(Object.entries(index.data.weight_map).map(([name, shard]) => [name, path.join(checkpoint, shard)]));
    return { files: [...new Set(weightMap.values())], weightMap };
  }
  const files = (await readdir(checkpoint)).filter((f) => f.endsWith('.safetensors')).sort().map((f) => path.join(checkpoint, f));
  if (files.length === 0) {
    throw new SafetensorsError(`${checkpoint}: no .safetensors files and no model.safetensors.index.json in this directory`);
  }
  return { files };
}

/** Every tensor of a checkpoint (headers only). */
export async function listSafetensors(checkpoint: string): Promise<SafetensorsTensorInfo[]> {
  const { files } = await resolveCheckpoint(checkpoint);
  return (await Promise.all(files.map(readSafetensorsHeader))).flat();
}

/** Finds one tensor; returns undefined when the checkpoint has no tensor of that name. */
export async function findSafetensor(checkpoint: string, name: string): Promise<SafetensorsTensorInfo | undefined> {
  const { files, weightMap } = await resolveCheckpoint(checkpoint);
  if (weightMap) {
    const shard = weightMap.get(name);
    if (shard === undefined) return undefined;
    const found = (await readSafetensorsHeader(shard)).find((t) => t.name === name);
    if (!found) throw new SafetensorsError(`${shard}: the index says it holds "${name}" but its header does not list it`);
    return found;
  }
  for (const file of files) {
    const found = (await readSafetensorsHeader(file)).find((t) => t.name === name);
    if (found) return found;
  }
  return undefined;
}

/** Decodes little-endian F64/F32/F16/BF16 bytes to float32. */
export function decodeFloats(bytes: Buffer, dtype: string): Float32Array {
  switch (dtype) {
    case 'F32': {
      const out = new Float32Array(bytes.length / 4);
      for (let i = 0; i < out.length; i++) out[i] = bytes.readFloatLE(i * 4);
      return out;
    }
    case 'F64': {
      const out = new Float32Array(bytes.length / 8);
      for (let i = 0; i < out.length; i++) out[i] = bytes.readDoubleLE(i * 8);
      return out;
    }
    case 'F16': {
      const out = new Float32Array(bytes.length / 2);
      for (let i = 0; i < out.length; i++) out[i] = float16BitsToNumber(bytes.readUInt16LE(i * 2));
      return out;
    }
    case 'BF16': {
      // bfloat16 is the top half of a float32, so widening is a 16-bit shift.
      const out = new Float32Array(bytes.length / 2);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < out.length; i++) bits[i] = bytes.readUInt16LE(i * 2) << 16;
      return out;
    }
    default:
      throw new SafetensorsError(`dtype ${dtype} is not supported (only F32, F16, BF16 and F64 tensors can be read)`);
  }
}

export function float16BitsToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Reads and decodes one tensor, reading only its own bytes. */
export async function readSafetensor(info: SafetensorsTensorInfo): Promise<DecodedTensor> {
  if (!(info.dtype in dtypeSizes)) {
    throw new SafetensorsError(`${info.file}: tensor "${info.name}" is ${info.dtype}; only F32, F16, BF16 and F64 can be read`);
  }
  let handle: FileHandle;
  try {
    handle = await open(info.file, 'r');
  } catch (error) {
    throw openError(info.file, error);
  }
  try {
    const bytes = await readExactly(handle, info.end - info.begin, info.begin, info.file);
    return { info, data: decodeFloats(bytes, info.dtype) };
  } finally {
    await handle.close();
  }
}
