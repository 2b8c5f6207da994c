import { writeFile } from 'node:fs/promises';
import { float32ToFloat16Bits } from '../../src/engine/gguf/ggufWriter';

/** A tensor to write; `dtype` picks the stored encoding of `data`. */
export interface SafetensorsInput {
  readonly name: string;
  readonly dtype: 'F32' | 'F16' | 'BF16';
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

/** bfloat16 by round-to-nearest-even on the float32 bits, as PyTorch converts. */
export function float32ToBfloat16Bits(value: number): number {
  const bits = new Uint32Array(new Float32Array([value]).buffer)[0] ?? 0;
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

function encode(t: SafetensorsInput): Buffer {
  const size = t.dtype === 'F32' ? 4 : 2;
  const out = Buffer.alloc(t.data.length * size);
  for (let i = 0; i < t.data.length; i++) {
    const v = t.data[i] ?? 0;
    if (t.dtype === 'F32') out.writeFloatLE(v, i * 4);
    else if (t.dtype === 'F16') out.writeUInt16LE(float32ToFloat16Bits(v), i * 2);
    else out.writeUInt16LE(float32ToBfloat16Bits(v), i * 2);
  }
  return out;
}

/** Builds a safetensors file in memory (test-only: the product never writes safetensors). */
export function encodeSafetensors(tensors: readonly SafetensorsInput[], metadata?: Record<string, string>): Buffer {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  const datas: Buffer[] = [];
  let offset = 0;
  for (const t of tensors) {
    const data = encode(t);
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + data.length] };
    datas.push(data);
    offset += data.length;
  }
  // The header is padded with spaces to 8 bytes, as the reference implementation does.
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  return Buffer.concat([length, Buffer.from(json, 'utf8'), ...datas]);
}

export async function writeSafetensors(path: string, tensors: readonly SafetensorsInput[]): Promise<void> {
  await writeFile(path, encodeSafetensors(tensors));
}
