import type { GgufValue } from './ggufWriter';

/** The hyperparameters llama.cpp's `llama` architecture reads from a GGUF. */
export interface LlamaGgufHparams {
  readonly name: string;
  /** llama_ftype: 0 all F32, 1 mostly F16, 7 mostly Q8_0. */
  readonly fileType: number;
  readonly contextLength: number;
  readonly embedding: number;
  readonly blocks: number;
  readonly ff: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly rmsEps: number;
  readonly ropeBase: number;
  readonly vocabSize: number;
}

/** A SentencePiece (`llama`) vocabulary as llama.cpp stores it. */
export interface LlamaGgufVocabulary {
  readonly tokens: readonly string[];
  readonly scores: Float32Array;
  readonly types: Int32Array;
  readonly bosId: number;
  readonly eosId: number;
  readonly unkId: number;
  readonly addBos: boolean;
  readonly addEos: boolean;
  /** Written only when known; llama.cpp's default for SentencePiece is true. */
  readonly addSpacePrefix?: boolean;
}

/** `general.*`, `llama.*` and `tokenizer.ggml.*` metadata (no chat template: the engine then uses the Janus format). */
export function llamaGgufMetadata(h: LlamaGgufHparams, vocab: LlamaGgufVocabulary): Record<string, GgufValue> {
  return {
    'general.architecture': { type: 'string', value: 'llama' },
    'general.name': { type: 'string', value: h.name },
    'general.file_type': { type: 'uint32', value: h.fileType },
    'llama.vocab_size': { type: 'uint32', value: h.vocabSize },
    'llama.context_length': { type: 'uint32', value: h.contextLength },
    'llama.embedding_length': { type: 'uint32', value: h.embedding },
    'llama.block_count': { type: 'uint32', value: h.blocks },
    'llama.feed_forward_length': { type: 'uint32', value: h.ff },
    'llama.attention.head_count': { type: 'uint32', value: h.heads },
    'llama.attention.head_count_kv': { type: 'uint32', value: h.kvHeads },
    'llama.attention.layer_norm_rms_epsilon': { type: 'float32', value: h.rmsEps },
    'llama.rope.freq_base': { type: 'float32', value: h.ropeBase },
    'llama.rope.dimension_count': { type: 'uint32', value: h.headDim },
    ...(h.headDim * h.heads !== h.embedding
      ? { 'llama.attention.key_length': { type: 'uint32', value: h.headDim }, 'llama.attention.value_length': { type: 'uint32', value: h.headDim } }
      : {}),
    'tokenizer.ggml.model': { type: 'string', value: 'llama' },
    'tokenizer.ggml.tokens': { type: 'array', itemType: 'string', value: vocab.tokens },
    'tokenizer.ggml.scores': { type: 'array', itemType: 'float32', value: vocab.scores },
    'tokenizer.ggml.token_type': { type: 'array', itemType: 'int32', value: vocab.types },
    'tokenizer.ggml.bos_token_id': { type: 'uint32', value: vocab.bosId },
    'tokenizer.ggml.eos_token_id': { type: 'uint32', value: vocab.eosId },
    'tokenizer.ggml.unknown_token_id': { type: 'uint32', value: vocab.unkId },
    'tokenizer.ggml.add_bos_token': { type: 'bool', value: vocab.addBos },
    'tokenizer.ggml.add_eos_token': { type: 'bool', value: vocab.addEos },
    ...(vocab.addSpacePrefix !== undefined ? { 'tokenizer.ggml.add_space_prefix': { type: 'bool', value: vocab.addSpacePrefix } } : {}),
  };
}
