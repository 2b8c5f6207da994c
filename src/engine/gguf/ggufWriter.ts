import { writeFile } from 'node:fs/promises';

/**
 * A minimal GGUF v3 writer: typed key/value metadata and F32/F16 tensors. It exists so tests can
 * build a real model file themselves instead of downloading one; it is not a general converter.
 * Layout (all little-endian): magic "GGUF", u32 version, u64 tensor count, u64 kv count, the kv
 * pairs, the tensor infos, padding to the alignment, then each tensor's data at an aligned offset.
 */

/** GGUF value type ids (gguf.h `enum gguf_type`). */
export const GgufValueType = {
  uint8: 0,
  int8: 1,
  uint16: 2,
  int16: 3,
  uint32: 4,
  int32: 5,
  float32: 6,
  bool: 7,
  string: 8,
  array: 9,
  uint64: 10,
  int64: 11,
  float64: 12,
} as const;
export type GgufScalarTypeName = Exclude<keyof typeof GgufValueType, 'array'>;

/** A metadata value with its explicit GGUF type: JS numbers alone cannot say int32 vs float32. */
export type GgufValue =
  | { readonly type: Exclude<GgufScalarTypeName, 'string' | 'bool' | 'uint64' | 'int64'>; readonly value: number }
  | { readonly type: 'uint64' | 'int64'; readonly value: bigint | number }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'array'; readonly itemType: 'string'; readonly value: readonly string[] }
  | {
      readonly type: 'array';
      readonly itemType: Exclude<GgufScalarTypeName, 'string' | 'bool' | 'uint64' | 'int64'>;
      readonly value: ArrayLike<number>;
    };

/** ggml tensor types this writer can store (Q8_0 only through the streaming writer). */
export type GgufTensorType = 'F32' | 'F16' | 'Q8_0';
const ggmlTypeId: Record<GgufTensorType, number> = { F32: 0, F16: 1, Q8_0: 8 };

/** Q8_0 blocks: 32 values as one fp16 scale plus 32 int8, 34 bytes (ggml `block_q8_0`). */
export const q8BlockValues = 32;
export const q8BlockBytes = 34;

/** Bytes a tensor of `type` and `dims` occupies in the file (before alignment padding). */
export function ggmlTensorByteSize(type: GgufTensorType, dims: readonly number[]): number {
  const count = dims.reduce((a, b) => a * b, 1);
  if (type === 'F32') return count * 4;
  if (type === 'F16') return count * 2;
  if ((dims[0] ?? 0) % q8BlockValues !== 0) throw new Error(`Q8_0 needs rows of a multiple of ${q8BlockValues} values, got [${dims.join(', ')}]`);
  return (count / q8BlockValues) * q8BlockBytes;
}

/** What the header says about one tensor: its data follows at an aligned offset. */
export interface GgufTensorInfo {
  readonly name: string;
  readonly dims: readonly number[];
  readonly type: GgufTensorType;
}

export interface GgufTensor {
  readonly name: string;
  /** ggml `ne`, fastest-varying dimension first: a [n_in, n_out] matrix is n_out rows of n_in. */
  readonly dims: readonly number[];
  readonly data: Float32Array;
  /** Storage type; defaults to F32. */
  readonly type?: GgufTensorType;
}

export interface GgufDocument {
  readonly metadata: ReadonlyMap<string, GgufValue> | Readonly<Record<string, GgufValue>>;
  readonly tensors: readonly GgufTensor[];
  /** Data alignment; written as `general.alignment` only when it differs from GGUF's default 32. */
  readonly alignment?: number;
}

const defaultAlignment = 32;

/** Growable little-endian byte sink; avoids precomputing the header size by hand. */
class ByteSink {
  private buffer = Buffer.alloc(1 << 16);
  length = 0;

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = Buffer.alloc(size);
    this.buffer.copy(next, 0, 0, this.length);
    this.buffer = next;
  }
  u8(v: number): void {
    this.reserve(1);
    this.buffer.writeUInt8(v, this.length);
    this.length += 1;
  }
  u32(v: number): void {
    this.reserve(4);
    this.buffer.writeUInt32LE(v, this.length);
    this.length += 4;
  }
  u64(v: bigint | number): void {
    this.reserve(8);
    this.buffer.writeBigUInt64LE(BigInt(v), this.length);
    this.length += 8;
  }
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buffer.set(b, this.length);
    this.length += b.length;
  }
  string(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.u64(b.length);
    this.bytes(b);
  }
  padTo(alignment: number): void {
    const pad = (alignment - (this.length % alignment)) % alignment;
    this.reserve(pad);
    this.buffer.fill(0, this.length, this.length + pad);
    this.length += pad;
  }
  scalar(type: GgufScalarTypeName, v: number | bigint | boolean | string): void {
    this.reserve(8);
    const b = this.buffer;
    const o = this.length;
    switch (type) {
      case 'uint8': b.writeUInt8(Number(v), o); this.length += 1; return;
      case 'int8': b.writeInt8(Number(v), o); this.length += 1; return;
      case 'uint16': b.writeUInt16LE(Number(v), o); this.length += 2; return;
      case 'int16': b.writeInt16LE(Number(v), o); this.length += 2; return;
      case 'uint32': b.writeUInt32LE(Number(v), o); this.length += 4; return;
      case 'int32': b.writeInt32LE(Number(v), o); this.length += 4; return;
      case 'float32': b.writeFloatLE(Number(v), o); this.length += 4; return;
      case 'float64': b.writeDoubleLE(Number(v), o); this.length += 8; return;
      case 'bool': b.writeUInt8(v === true ? 1 : 0, o); this.length += 1; return;
      case 'uint64': b.writeBigUInt64LE(BigInt(v), o); this.length += 8; return;
      case 'int64': b.writeBigInt64LE(BigInt(v), o); this.length += 8; return;
      case 'string': this.string(String(v)); return;
    }
  }
  result(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}

/** IEEE 754 half from a float32, round to nearest even (what ggml's fp32->fp16 does). */
const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

export function float32ToFloat16Bits(value: number): number {
  scratchF32[0] = value;
  const x = scratchU32[0] ?? 0;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && (half & 1) === 1)) half += 1;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1) === 1)) half += 1;
  e = half >>> 10;
  return sign | (e >= 0x1f ? 0x7c00 : half);
}

function tensorBytes(tensor: GgufTensor): Uint8Array {
  const count = tensor.dims.reduce((a, b) => a * b, 1);
  if (count !== tensor.data.length) {
    throw new Error(`GGUF tensor ${tensor.name}: dims [${tensor.dims.join(', ')}] hold ${count} values, data has ${tensor.data.length}`);
  }
  if (tensor.type === 'Q8_0') throw new Error(`GGUF tensor ${tensor.name}: write Q8_0 with the streaming writer`);
  if ((tensor.type ?? 'F32') === 'F32') {
    const out = Buffer.alloc(count * 4);
    for (let i = 0; i < count; i++) out.writeFloatLE(tensor.data[i] ?? 0, i * 4);
    return out;
  }
  const out = Buffer.alloc(count * 2);
  for (let i = 0; i < count; i++) out.writeUInt16LE(float32ToFloat16Bits(tensor.data[i] ?? 0), i * 2);
  return out;
}

function padding(size: number, alignment: number): number {
  return (alignment - (size % alignment)) % alignment;
}

/**
 * The header of a GGUF v3 file: metadata and tensor infos, padded to the alignment. Tensor data
 * follows in the order given, each padded to the alignment.
 */
export function encodeGgufHeader(
  metadata: GgufDocument['metadata'],
  tensors: readonly GgufTensorInfo[],
  alignment = defaultAlignment,
): Buffer {
  const entries: [string, GgufValue][] = metadata instanceof Map ? [...metadata.entries()] : Object.entries(metadata);
  if (alignment !== defaultAlignment) entries.push(['general.alignment', { type: 'uint32', value: alignment }]);

  const sink = new ByteSink();
  sink.bytes(Buffer.from('GGUF', 'ascii'));
  sink.u32(3);
  sink.u64(tensors.length);
  sink.u64(entries.length);
  for (const [key, entry] of entries) {
    sink.string(key);
    sink.u32(GgufValueType[entry.type]);
    if (entry.type === 'array') {
      sink.u32(GgufValueType[entry.itemType]);
      sink.u64(entry.value.length);
      for (let i = 0; i < entry.value.length; i++) sink.scalar(entry.itemType, entry.value[i] ?? 0);
    } else {
      sink.scalar(entry.type, entry.value);
    }
  }
  let offset = 0;
  for (const tensor of tensors) {
    sink.string(tensor.name);
    sink.u32(tensor.dims.length);
    for (const d of tensor.dims) sink.u64(d);
    sink.u32(ggmlTypeId[tensor.type]);
    sink.u64(offset);
    const size = ggmlTensorByteSize(tensor.type, tensor.dims);
    offset += size + padding(size, alignment);
  }
  sink.padTo(alignment);
  return Buffer.from(sink.result());
}

/** Serialises a GGUF v3 document to bytes. */
export function encodeGguf(doc: GgufDocument): Buffer {
  const alignment = doc.alignment ?? defaultAlignment;
  const infos = doc.tensors.map((t) => ({ name: t.name, dims: t.dims, type: t.type ?? 'F32' }));
  const parts: Uint8Array[] = [encodeGgufHeader(doc.metadata, infos, alignment)];
  for (const tensor of doc.tensors) {
    const data = tensorBytes(tensor);
    parts.push(data, Buffer.alloc(padding(data.length, alignment)));
  }
  return Buffer.concat(parts);
}

/** Writes a GGUF v3 file. */
export async function writeGguf(path: string, doc: GgufDocument): Promise<void> {
  await writeFile(path, encodeGguf(doc));
}
