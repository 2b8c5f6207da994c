/**
 * Reads a SentencePiece `tokenizer.model` (a protobuf `ModelProto`) without a protobuf library:
 * only the fields a llama.cpp vocabulary needs. ModelProto: 1 = repeated SentencePiece pieces
 * {1 piece: string, 2 score: float, 3 type: enum (1 normal, 2 unknown, 3 control, 4 user defined,
 * 5 unused, 6 byte)}, 2 = TrainerSpec {3 model_type (1 unigram, 2 BPE), 40 unk_id, 41 bos_id,
 * 42 eos_id, 43 pad_id}, 3 = NormalizerSpec {3 add_dummy_prefix (default true)}.
 */

export interface SentencePiece {
  readonly piece: string;
  readonly score: number;
  readonly type: number;
}

export interface SentencePieceModel {
  readonly pieces: readonly SentencePiece[];
  /** 1 unigram, 2 BPE (SentencePiece's TrainerSpec.ModelType). */
  readonly modelType: number;
  readonly unkId: number;
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  readonly addDummyPrefix: boolean;
}

export class ProtobufError extends Error {
  override readonly name = 'ProtobufError';
}

/** One field of a protobuf message: varints as numbers, length-delimited fields as byte ranges. */
interface Field {
  readonly number: number;
  readonly wire: number;
  readonly varint?: number;
  readonly bytes?: Uint8Array;
  readonly fixed32?: DataView;
}

function* fields(buf: Uint8Array): Generator<Field> {
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (pos >= buf.length) throw new ProtobufError('truncated varint');
      const byte = buf[pos++] ?? 0;
      // Above 2^53 precision is lost; ids and lengths never get there, negative int32s do (-1 pad id).
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if ((byte & 0x80) === 0) return result;
      if (shift > 70) throw new ProtobufError('varint too long');
    }
  };
  while (pos < buf.length) {
    const key = varint();
    const number = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === 0) {
      yield { number, wire, varint: varint() };
    } else if (wire === 2) {
      const length = varint();
      if (pos + length > buf.length) throw new ProtobufError(`field ${number} runs past the end of its message`);
      yield { number, wire, bytes: buf.subarray(pos, pos + length) };
      pos += length;
    } else if (wire === 5) {
      if (pos + 4 > buf.length) throw new ProtobufError('truncated fixed32');
      yield { number, wire, fixed32: new DataView(buf.buffer, buf.byteOffset + pos, 4) };
      pos += 4;
    } else if (wire === 1) {
      pos += 8;
    } else {
      throw new ProtobufError(`unsupported wire type ${wire} (field ${number})`);
    }
  }
  if (pos !== buf.length) throw new ProtobufError('message runs past its end');
}

/** protobuf int32 fields store negatives as 10-byte two's-complement varints. */
function int32(v: number): number {
  return v >= 2 ** 31 ? Number(BigInt.asIntN(32, BigInt(v))) : v;
}

// ignoreBOM: a piece may be U+FEFF itself (Mistral's vocabulary has one), which the default would drop.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function parseSentencePieceModel(buf: Uint8Array): SentencePieceModel {
  const pieces: SentencePiece[] = [];
  let modelType = 1;
  let unkId = 0;
  let bosId = 1;
  let eosId = 2;
  let padId = -1;
  let addDummyPrefix = true;
  for (const field of fields(buf)) {
    if (field.number === 1 && field.bytes) {
      let piece = '';
      let score = 0;
      let type = 1;
      for (const f of fields(field.bytes)) {
        if (f.number === 1 && f.bytes) piece = decoder.decode(f.bytes);
        else if (f.number === 2 && f.fixed32) score = f.fixed32.getFloat32(0, true);
        else if (f.number === 3 && f.varint !== undefined) type = f.varint;
      }
      pieces.push({ piece, score, type });
    } else if (field.number === 2 && field.bytes) {
      for (const f of fields(field.bytes)) {
        if (f.varint === undefined) continue;
        if (f.number === 3) modelType = f.varint;
        else if (f.number === 40) unkId = int32(f.varint);
        else if (f.number === 41) bosId = int32(f.varint);
        else if (f.number === 42) eosId = int32(f.varint);
        else if (f.number === 43) padId = int32(f.varint);
      }
    } else if (field.number === 3 && field.bytes) {
      for (const f of fields(field.bytes)) if (f.number === 3 && f.varint !== undefined) addDummyPrefix = f.varint !== 0;
    }
  }
  return { pieces, modelType, unkId, bosId, eosId, padId, addDummyPrefix };
}
