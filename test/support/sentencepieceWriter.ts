/**
 * Encodes a SentencePiece `tokenizer.model` (protobuf ModelProto) for test checkpoints: pieces
 * (piece, score, type), a TrainerSpec (BPE, unk/bos/eos/pad ids, byte fallback) and a
 * NormalizerSpec (dummy prefix on, extra whitespace kept), as Mistral's own model file says.
 */

export interface PieceInput {
  readonly piece: string;
  readonly score: number;
  readonly type: number;
}

function varint(n: number): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, BigInt(n));
  do {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? byte | 0x80 : byte);
  } while (v > 0n);
  return out;
}

const key = (field: number, wire: number): number[] => varint(field * 8 + wire);
const varintField = (field: number, value: number): number[] => [...key(field, 0), ...varint(value)];
function bytesField(field: number, bytes: Uint8Array | number[]): number[] {
  return [...key(field, 2), ...varint(bytes.length), ...bytes];
}
function floatField(field: number, value: number): number[] {
  const b = Buffer.alloc(4);
  b.writeFloatLE(value);
  return [...key(field, 5), ...b];
}

export function encodeSentencePieceModel(pieces: readonly PieceInput[], ids: { unk: number; bos: number; eos: number }): Buffer {
  const parts: number[][] = [];
  for (const p of pieces) {
    const body = [...bytesField(1, [...Buffer.from(p.piece, 'utf8')]), ...floatField(2, p.score), ...(p.type !== 1 ? varintField(3, p.type) : [])];
    parts.push(bytesField(1, body));
  }
  const trainer = [...varintField(3, 2), ...varintField(35, 1), ...varintField(40, ids.unk), ...varintField(41, ids.bos), ...varintField(42, ids.eos), ...varintField(43, -1)];
  parts.push(bytesField(2, trainer));
  const normalizer = [...bytesField(1, [...Buffer.from('identity')]), ...varintField(3, 1), ...varintField(4, 0)];
  parts.push(bytesField(3, normalizer));
  return Buffer.from(parts.flat());
}
