import { float32ToFloat16Bits, q8BlockBytes, q8BlockValues } from './ggufWriter';

/**
 * Encodes float values into ggml's storage types, fast enough to stream a 14 GB checkpoint:
 * F32, F16 (round to nearest even, as ggml's fp32->fp16) and Q8_0. Q8_0 follows ggml's reference
 * quantizer (`quantize_row_q8_0_ref`): per block of 32, d = max|x| / 127 stored as fp16, then each
 * value is roundf(x / d) (half away from zero) computed with the float32 inverse of the unrounded d.
 */

let bf16ToF16: Uint16Array | undefined;

/** fp16 bits for every bf16 bit pattern: bf16 widens to float32 exactly, so one lookup per value. */
export function bf16ToF16Table(): Uint16Array {
  if (!bf16ToF16) {
    const table = new Uint16Array(65536);
    const f32 = new Float32Array(1);
    const u32 = new Uint32Array(f32.buffer);
    for (let b = 0; b < 65536; b++) {
      u32[0] = b << 16;
      table[b] = float32ToFloat16Bits(f32[0] ?? 0);
    }
    bf16ToF16 = table;
  }
  return bf16ToF16;
}

export function encodeF32(values: Float32Array): Uint8Array {
  return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
}

export function encodeF16(values: Float32Array): Uint8Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = float32ToFloat16Bits(values[i] ?? 0);
  return new Uint8Array(out.buffer);
}

/** Q8_0 blocks of `values` (its length a multiple of 32). */
export function quantizeQ8_0(values: Float32Array): Uint8Array {
  if (values.length % q8BlockValues !== 0) throw new Error(`Q8_0 needs a multiple of ${q8BlockValues} values, got ${values.length}`);
  const blocks = values.length / q8BlockValues;
  const out = new Uint8Array(blocks * q8BlockBytes);
  const quants = new Int8Array(out.buffer);
  const f = Math.fround;
  for (let b = 0; b < blocks; b++) {
    const start = b * q8BlockValues;
    let amax = 0;
    for (let j = 0; j < q8BlockValues; j++) {
      const a = Math.abs(values[start + j] as number);
      if (a > amax) amax = a;
    }
    const d = f(amax / 127);
    const id = d !== 0 ? f(1 / d) : 0;
    const o = b * q8BlockBytes;
    const h = float32ToFloat16Bits(d);
    out[o] = h & 0xff;
    out[o + 1] = h >>> 8;
    for (let j = 0; j < q8BlockValues; j++) {
      const x = f((values[start + j] as number) * id);
      // roundf: halves away from zero (Math.round would take -2.5 to -2).
      quants[o + 2 + j] = x >= 0 ? Math.floor(x + 0.5) : -Math.floor(0.5 - x);
    }
  }
  return out;
}

/** Decodes safetensors bytes (F64/F32/F16/BF16, little-endian) to float32 with typed-array views. */
export function decodeToFloat32(bytes: Uint8Array, dtype: string, f16ToNumber: (bits: number) => number): Float32Array {
  const aligned = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  switch (dtype) {
    case 'F32':
      return new Float32Array(aligned.buffer.slice(aligned.byteOffset, aligned.byteOffset + aligned.byteLength));
    case 'F64':
      return Float32Array.from(new Float64Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 8));
    case 'BF16': {
      const src = new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 2);
      const bits = new Uint32Array(src.length);
      for (let i = 0; i < src.length; i++) bits[i] = (src[i] ?? 0) << 16;
      return new Float32Array(bits.buffer);
    }
    case 'F16': {
      const src = new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 2);
      const out = new Float32Array(src.length);
      for (let i = 0; i < src.length; i++) out[i] = f16ToNumber(src[i] ?? 0);
      return out;
    }
    default:
      throw new Error(`dtype ${dtype} cannot be converted (only F32, F16, BF16 and F64)`);
  }
}
