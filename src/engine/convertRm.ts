import type { FileHandle } from 'node:fs/promises';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import type { GgufValue } from './gguf/ggufWriter';
import type { GgufStreamProgress, GgufStreamTensor } from './gguf/ggufStreamWriter';
import { writeGgufStreaming } from './gguf/ggufStreamWriter';
import { llamaGgufMetadata } from './gguf/llamaMetadata';
import { bf16ToF16Table, decodeToFloat32, encodeF16, encodeF32, quantizeQ8_0 } from './gguf/ggmlEncode';
import type { BackboneHparams } from './convert/hfConfig';
import { ConvertRmError, backboneHparams, normalizationOf, readHfConfig } from './convert/hfConfig';
import type { GgufVocabulary } from './convert/hfTokenizer';
import { readHfVocabulary } from './convert/hfTokenizer';
import type { OutputType, PlannedTensor } from './convert/tensorPlan';
import { permuteRopeRows, planTensors } from './convert/tensorPlan';
import type { RewardHead } from './rewardHead';
import { rewardHeadMetadata } from './rewardGguf';
import type { SafetensorsTensorInfo } from './safetensors';
import { float16BitsToNumber, listSafetensors, readSafetensor } from './safetensors';

/**
 * Converts a Hugging Face reward model (OpenRLHF's `LLMForSequenceRegression`, as Janus-RM-7B is
 * saved: a Mistral backbone under `model.*` plus `value_head.weight` [1, hidden]) into ONE llama.cpp
 * GGUF: the backbone as `llama` tensors, the value head, mean/std and the 2048-token limit as
 * `janus.reward.*` metadata. Tensors stream in chunks of whole rows, so memory stays far below the
 * checkpoint size.
 */

export { ConvertRmError };

export interface ConvertRmOptions {
  /** A `.safetensors` file or a checkpoint directory (sharded with an index, or plain shards). */
  readonly checkpoint: string;
  readonly out: string;
  readonly type?: OutputType;
  /** The value head tensor; defaults to `<value_head_prefix>.weight` from config.json, else `value_head.weight`. */
  readonly tensor?: string;
  /** Tokens the reference reads at most (Janus-RM: 2048, `max_length` of its tokenizer call). */
  readonly maxLength?: number;
  readonly onProgress?: (progress: ConvertProgress) => void;
}

export interface ConvertProgress extends GgufStreamProgress {
  /** Checkpoint bytes read so far, and seconds since the tensors started. */
  readonly sourceBytes: number;
  readonly seconds: number;
}

export interface ConvertRmResult {
  readonly hparams: BackboneHparams;
  readonly head: RewardHead;
  readonly headTensor: SafetensorsTensorInfo;
  readonly vocabulary: GgufVocabulary;
  readonly tensorCount: number;
  readonly sourceBytes: number;
  readonly normalization: string;
}

/** Janus-RM's reference tokenizes with `max_length=2048, truncation=True`. */
export const janusRmMaxLength = 2048;

/** Source bytes read per chunk: whole rows (whole heads for Q/K), about this much at a time. */
const chunkBytes = 8 << 20;

function llamaMetadata(name: string, h: BackboneHparams, vocab: GgufVocabulary, type: OutputType): Record<string, GgufValue> {
  // llama_ftype: 1 = MOSTLY_F16, 7 = MOSTLY_Q8_0.
  const hparams = { name, fileType: type === 'q8_0' ? 7 : 1, contextLength: h.contextLength, embedding: h.hidden, blocks: h.layers, ff: h.ff, heads: h.heads, kvHeads: h.kvHeads, headDim: h.headDim, rmsEps: h.rmsEps, ropeBase: h.ropeTheta, vocabSize: h.vocab };
  return llamaGgufMetadata(hparams, vocab);
}

/** Opens each shard once and reads exact byte ranges; a short read means the shard is truncated. */
class ShardReader {
  private readonly handles = new Map<string, FileHandle>();

  async read(info: SafetensorsTensorInfo, position: number, length: number): Promise<Uint8Array> {
    let handle = this.handles.get(info.file);
    if (!handle) {
      handle = await open(info.file, 'r');
      this.handles.set(info.file, handle);
    }
    const buffer = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
      if (bytesRead === 0) throw new ConvertRmError(`${info.file}: truncated inside tensor "${info.name}" (the header promises bytes up to ${info.end}); re-download this shard`);
      done += bytesRead;
    }
    return buffer;
  }

  async close(): Promise<void> {
    await Promise.all([...this.handles.values()].map((h) => h.close()));
  }
}

function encodeChunk(raw: Uint8Array, dtype: string, type: PlannedTensor['type']): Uint8Array {
  if (type === 'F16' && dtype === 'F16') return raw;
  if (type === 'F16' && dtype === 'BF16') {
    const table = bf16ToF16Table();
    const src = new Uint16Array(raw.buffer, raw.byteOffset, raw.byteLength / 2);
    const out = new Uint16Array(src.length);
    for (let i = 0; i < src.length; i++) out[i] = table[src[i] ?? 0] ?? 0;
    return new Uint8Array(out.buffer);
  }
  const values = decodeToFloat32(raw, dtype, float16BitsToNumber);
  if (type === 'F32') return encodeF32(values);
  return type === 'F16' ? encodeF16(values) : quantizeQ8_0(values);
}

function streamTensor(t: PlannedTensor, reader: ShardReader, onRead: (bytes: number) => void): GgufStreamTensor {
  const { source } = t;
  const rows = source.shape.length === 1 ? 1 : (source.shape[0] ?? 1);
  const rowBytes = (source.end - source.begin) / rows;
  const unit = t.ropeRowsPerHead ?? 1;
  const rowsPerChunk = Math.max(unit, Math.floor(chunkBytes / rowBytes / unit) * unit);
  return {
    name: t.name,
    dims: t.dims,
    type: t.type,
    write: async (emit) => {
      for (let row = 0; row < rows; row += rowsPerChunk) {
        const count = Math.min(rowsPerChunk, rows - row);
        let raw = await reader.read(source, source.begin + row * rowBytes, count * rowBytes);
        onRead(raw.length);
        if (t.ropeRowsPerHead !== undefined) raw = permuteRopeRows(raw, rowBytes, t.ropeRowsPerHead);
        await emit(encodeChunk(raw, source.dtype, t.type));
      }
    },
  };
}

async function readHead(info: SafetensorsTensorInfo, hidden: number): Promise<Float32Array> {
  const shape = info.shape;
  const size = shape.length === 1 ? shape[0] : shape.length === 2 && shape[0] === 1 ? shape[1] : undefined;
  if (size !== hidden) {
    throw new ConvertRmError(`${info.file}: tensor "${info.name}" has shape [${shape.join(', ')}]; a value head for hidden_size ${hidden} is [1, ${hidden}]`);
  }
  const { data } = await readSafetensor(info);
  if (!data.every(Number.isFinite)) throw new ConvertRmError(`${info.file}: tensor "${info.name}" contains NaN or infinite values`);
  return data;
}

export async function convertRewardModel(options: ConvertRmOptions): Promise<ConvertRmResult> {
  let isDir: boolean;
  try {
    isDir = (await stat(options.checkpoint)).isDirectory();
  } catch {
    throw new ConvertRmError(`${options.checkpoint}: not found; pass the checkpoint directory (or one .safetensors file beside its config.json)`);
  }
  const dir = isDir ? options.checkpoint : path.dirname(options.checkpoint);
  const configPath = path.join(dir, 'config.json');
  const config = await readHfConfig(configPath);
  const h = backboneHparams(config, configPath);
  const type = options.type ?? 'f16';

  const all = new Map<string, SafetensorsTensorInfo>();
  for (const info of await listSafetensors(options.checkpoint)) {
    const seen = all.get(info.name);
    if (seen) throw new ConvertRmError(`tensor "${info.name}" is in both ${seen.file} and ${info.file}; remove the stale shard`);
    all.set(info.name, info);
  }
  const headName = options.tensor ?? (config.value_head_prefix !== undefined ? `${config.value_head_prefix}.weight` : 'value_head.weight');
  const headTensor = all.get(headName);
  if (!headTensor) {
    throw new ConvertRmError(`the checkpoint has no tensor "${headName}": this is not a reward model (OpenRLHF saves its value head as value_head.weight); pass the head's name with --tensor`);
  }
  const plan = planTensors(h, all, headName, type);
  const vocabulary = await readHfVocabulary(dir, config, h.vocab);
  const norm = normalizationOf(config);
  const head: RewardHead = {
    hiddenSize: h.hidden,
    weight: await readHead(headTensor, h.hidden),
    ...(norm.mean !== undefined && norm.std !== undefined ? { mean: norm.mean, std: norm.std } : {}),
    source: `${path.basename(path.resolve(dir))}: ${headTensor.name} (${headTensor.dtype})`,
  };
  const name = path.basename(path.resolve(dir));
  const metadata = { ...llamaMetadata(name, h, vocabulary, type), ...rewardHeadMetadata(head, options.maxLength ?? janusRmMaxLength) };

  const reader = new ShardReader();
  let sourceBytes = 0;
  const started = performance.now();
  try {
    await writeGgufStreaming(
      options.out,
      { metadata, tensors: plan.map((t) => streamTensor(t, reader, (n) => (sourceBytes += n))) },
      (p) => options.onProgress?.({ ...p, sourceBytes, seconds: (performance.now() - started) / 1000 }),
    );
  } finally {
    await reader.close();
  }
  return { hparams: h, head, headTensor, vocabulary, tensorCount: plan.length, sourceBytes, normalization: norm.note };
}
