import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod';
import type { LlamaGgufVocabulary } from '../gguf/llamaMetadata';
import { parseSentencePieceModel } from './sentencepiece';

/**
 * The vocabulary of a Hugging Face Llama/Mistral checkpoint as llama.cpp's `llama` (SentencePiece)
 * tokenizer wants it: pieces, scores, token types, special ids and the add-BOS/EOS flags. Read from
 * `tokenizer.model` when present (SentencePiece protobuf: scores and types as trained), else from a
 * SentencePiece-style BPE `tokenizer.json`, whose scores are derived from the merge order.
 */

export class TokenizerConvertError extends Error {
  override readonly name = 'TokenizerConvertError';
}

/** llama.cpp token types (the same numbers as SentencePiece's). */
export const TokenType = { normal: 1, unknown: 2, control: 3, userDefined: 4, unused: 5, byte: 6 } as const;

export interface GgufVocabulary extends LlamaGgufVocabulary {
  readonly tokens: string[];
  readonly addSpacePrefix: boolean;
  /** Which file the pieces came from, for the summary. */
  readonly source: string;
}

/**
 * SentencePiece BPE merges the adjacent pair whose merged piece scores highest; a BPE merge list
 * instead ranks pairs. Giving each piece the score -rank of the first merge that makes it lets
 * llama.cpp's SentencePiece tokenizer pick the same merges; pieces no merge makes (single
 * characters, bytes, specials) score below every merged piece.
 */
export function scoresFromMerges(tokens: readonly string[], merges: readonly (readonly [string, string])[]): Float32Array {
  const rankOf = new Map<string, number>();
  merges.forEach(([a, b], rank) => {
    const merged = a + b;
    if (!rankOf.has(merged)) rankOf.set(merged, rank);
  });
  const floor = merges.length;
  return Float32Array.from(tokens, (t, id) => -(rankOf.get(t) ?? floor + id));
}

const specialToken = z.union([z.string(), z.looseObject({ content: z.string() })]).nullish();
const tokenizerConfigSchema = z.looseObject({
  add_bos_token: z.boolean().optional(),
  add_eos_token: z.boolean().optional(),
  bos_token: specialToken,
  eos_token: specialToken,
  unk_token: specialToken,
  added_tokens_decoder: z.record(z.string(), z.looseObject({ content: z.string(), special: z.boolean().optional() })).optional(),
});

const tokenizerJsonSchema = z.looseObject({
  added_tokens: z.array(z.looseObject({ id: z.number().int().nonnegative(), content: z.string(), special: z.boolean().optional() })).optional(),
  normalizer: z.unknown().optional(),
  pre_tokenizer: z.unknown().optional(),
  model: z.looseObject({
    type: z.string().optional(),
    vocab: z.record(z.string(), z.number().int().nonnegative()),
    merges: z.array(z.union([z.string(), z.tuple([z.string(), z.string()])])).optional(),
    unk_token: z.string().nullish(),
  }),
});

/** Ids the checkpoint's config.json may carry; used when the tokenizer files do not name them. */
export interface ConfigTokenIds {
  readonly bos_token_id?: number | null | undefined;
  readonly eos_token_id?: number | null | undefined;
}

async function readJson<T>(file: string, schema: z.ZodType<T>): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TokenizerConvertError(`${file}: invalid JSON (${(error as Error).message}); fix or re-download it`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new TokenizerConvertError(`${file}: unexpected content (${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')})`);
  }
  return parsed.data;
}

function contentOf(token: z.infer<typeof specialToken>): string | undefined {
  if (token === null || token === undefined) return undefined;
  return typeof token === 'string' ? token : token.content;
}

const bytePiece = /^<0x[0-9A-Fa-f]{2}>$/;

function fromTokenizerJson(file: string, json: z.infer<typeof tokenizerJsonSchema>): Omit<GgufVocabulary, 'bosId' | 'eosId' | 'unkId' | 'addBos' | 'addEos'> & { unkToken?: string } {
  const model = json.model;
  if (model.type !== undefined && model.type !== 'BPE') {
    throw new TokenizerConvertError(`${file}: model.type is "${model.type}"; only a SentencePiece-style BPE vocabulary (Llama/Mistral) converts without tokenizer.model`);
  }
  const size = Math.max(...Object.values(model.vocab), ...(json.added_tokens ?? []).map((t) => t.id)) + 1;
  const tokens = new Array<string | undefined>(size).fill(undefined);
  for (const [piece, id] of Object.entries(model.vocab)) tokens[id] = piece;
  for (const t of json.added_tokens ?? []) tokens[t.id] ??= t.content;
  const missing = tokens.findIndex((t) => t === undefined);
  if (missing >= 0) throw new TokenizerConvertError(`${file}: no token has id ${missing}; the vocabulary must be contiguous`);
  const pieces = tokens as string[];
  if (!pieces.some((t) => t.startsWith('▁'))) {
    throw new TokenizerConvertError(`${file}: no piece starts with "▁": this is not a SentencePiece-style vocabulary (a GPT-2 byte-level BPE is not supported here)`);
  }
  const merges = (model.merges ?? []).map((m): [string, string] => {
    if (typeof m !== 'string') return m;
    const space = m.indexOf(' ');
    if (space < 0) throw new TokenizerConvertError(`${file}: merge "${m}" is not "left right"`);
    return [m.slice(0, space), m.slice(space + 1)];
  });
  const special = new Set((json.added_tokens ?? []).filter((t) => t.special === true).map((t) => t.id));
  const unkToken = model.unk_token ?? undefined;
  const types = Int32Array.from(pieces, (t, id) => {
    if (t === unkToken) return TokenType.unknown;
    if (special.has(id)) return TokenType.control;
    return bytePiece.test(t) ? TokenType.byte : TokenType.normal;
  });
  // A Prepend("▁") normalizer (or a Metaspace pre-tokenizer that prepends) is SentencePiece's dummy prefix.
  const text = JSON.stringify([json.normalizer ?? null, json.pre_tokenizer ?? null]);
  const addSpacePrefix = /"prepend":"▁"/.test(text) || /"type":"Metaspace"[^}]*"(add_prefix_space":true|prepend_scheme":"(always|first)")/.test(text);
  return { tokens: pieces, scores: scoresFromMerges(pieces, merges), types, addSpacePrefix, source: path.basename(file), ...(unkToken ? { unkToken } : {}) };
}

/** Reads the tokenizer of a checkpoint directory. `vocabSize` pads (or checks) to the model's rows. */
export async function readHfVocabulary(dir: string, config: ConfigTokenIds, vocabSize: number): Promise<GgufVocabulary> {
  const tokenizerConfig = (await readJson(path.join(dir, 'tokenizer_config.json'), tokenizerConfigSchema)) ?? {};
  const spmPath = path.join(dir, 'tokenizer.model');
  let spmBytes: Buffer | undefined;
  try {
    spmBytes = await readFile(spmPath);
  } catch {
    spmBytes = undefined;
  }
  let base: Omit<GgufVocabulary, 'bosId' | 'eosId' | 'unkId' | 'addBos' | 'addEos'>;
  let ids: { bos?: number; eos?: number; unk?: number } = {};
  if (spmBytes) {
    let model;
    try {
      model = parseSentencePieceModel(spmBytes);
    } catch (error) {
      throw new TokenizerConvertError(`${spmPath}: not a SentencePiece model (${(error as Error).message}); re-download it or remove it to use tokenizer.json`);
    }
    if (model.pieces.length === 0) throw new TokenizerConvertError(`${spmPath}: holds no pieces; re-download it`);
    const tokens = model.pieces.map((p) => p.piece);
    base = { tokens, scores: Float32Array.from(model.pieces, (p) => p.score), types: Int32Array.from(model.pieces, (p) => p.type), addSpacePrefix: model.addDummyPrefix, source: 'tokenizer.model' };
    ids = { bos: model.bosId, eos: model.eosId, unk: model.unkId };
  } else {
    const jsonPath = path.join(dir, 'tokenizer.json');
    const json = await readJson(jsonPath, tokenizerJsonSchema);
    if (!json) throw new TokenizerConvertError(`${dir}: neither tokenizer.model nor tokenizer.json; copy the tokenizer files of the checkpoint into this folder`);
    const { unkToken, ...rest } = fromTokenizerJson(jsonPath, json);
    base = rest;
    if (unkToken !== undefined && rest.tokens.includes(unkToken)) ids.unk = rest.tokens.indexOf(unkToken);
  }
  // Special tokens named in tokenizer_config.json win, then config.json's ids, then the model's own.
  const idOf = (name: z.infer<typeof specialToken>): number | undefined => {
    const content = contentOf(name);
    const id = content === undefined ? -1 : base.tokens.indexOf(content);
    return id >= 0 ? id : undefined;
  };
  const valid = (id: number | null | undefined): number | undefined => (typeof id === 'number' && id >= 0 && id < base.tokens.length ? id : undefined);
  const bosId = idOf(tokenizerConfig.bos_token) ?? valid(config.bos_token_id) ?? valid(ids.bos);
  const eosId = idOf(tokenizerConfig.eos_token) ?? valid(config.eos_token_id) ?? valid(ids.eos);
  const unkId = idOf(tokenizerConfig.unk_token) ?? valid(ids.unk) ?? 0;
  if (bosId === undefined || eosId === undefined) {
    throw new TokenizerConvertError(`${dir}: cannot tell the ${bosId === undefined ? 'BOS' : 'EOS'} token id (not in tokenizer_config.json, config.json or the tokenizer); add it to tokenizer_config.json`);
  }
  const types = base.types;
  for (const id of [bosId, eosId]) if (types[id] === TokenType.normal) types[id] = TokenType.control;
  if (base.tokens.length > vocabSize) {
    throw new TokenizerConvertError(`${dir}: the tokenizer has ${base.tokens.length} tokens but the embedding has ${vocabSize} rows; the tokenizer belongs to another model`);
  }
  // llama.cpp pads a short vocabulary up to the embedding rows with unused placeholder tokens.
  const tokens = [...base.tokens];
  const scores = new Float32Array(vocabSize);
  scores.set(base.scores);
  const paddedTypes = new Int32Array(vocabSize).fill(TokenType.unused);
  paddedTypes.set(types);
  for (let i = base.tokens.length; i < vocabSize; i++) tokens.push(`[PAD${i}]`);
  return {
    ...base,
    tokens,
    scores,
    types: paddedTypes,
    bosId,
    eosId,
    unkId,
    addBos: tokenizerConfig.add_bos_token ?? true,
    addEos: tokenizerConfig.add_eos_token ?? false,
  };
}
