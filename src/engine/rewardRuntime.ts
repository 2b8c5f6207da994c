// The reward model beside the generator: its own llama.cpp model (a converted RM GGUF, see
// rewardGguf.ts), loaded only as an embedding context that returns the final-normalised hidden state
// of the last token, and the value head from the same file's metadata applied to it. The generator's
// hidden states are never scored: a head only means something on the backbone it was trained with.
import path from 'node:path';
import type { Llama, LlamaEmbeddingContext, LlamaModel, Token } from 'node-llama-cpp';
import { EngineHttpError } from './protocol';
import type { RewardModelInfo } from './rewardGguf';
import { rewardFromHidden } from './rewardHead';

/** What `/props` says about the reward model. */
export interface RewardModelProps {
  readonly name: string;
  readonly hidden_size: number;
  readonly normalized: boolean;
  readonly max_length: number;
}

export interface RewardInput {
  readonly tokens: Token[];
  /** Tokens dropped from the end (the reference truncates at `max_length`). */
  readonly truncated: number;
}

export class RewardRuntime {
  private constructor(
    private readonly model: LlamaModel,
    private readonly embedding: LlamaEmbeddingContext,
    readonly info: RewardModelInfo,
    /** The id the RM answers to in a /pooling `model` field: its file name without .gguf. */
    readonly id: string,
    /** Tokens one text may have after truncation: max_length, unless the model's context is shorter. */
    readonly tokenLimit: number,
  ) {}

  static async load(llama: Llama, modelPath: string, info: RewardModelInfo, threads: number): Promise<RewardRuntime> {
    let model: LlamaModel;
    try {
      model = await llama.loadModel({ modelPath, gpuLayers: 0 });
    } catch (error) {
      throw new Error(`could not load the reward model ${modelPath} (${error instanceof Error ? error.message : String(error)}). Check the file is a complete GGUF written by \`janus convert-rm\`.`);
    }
    // node-llama-cpp refuses an input as long as the context, so one slot more than max_length.
    const contextSize = Math.min(info.maxLength + 1, model.trainContextSize);
    try {
      const embedding = await model.createEmbeddingContext({ contextSize, batchSize: contextSize, threads });
      const id = path.basename(modelPath).replace(/\.gguf$/i, '');
      return new RewardRuntime(model, embedding, info, id, Math.min(info.maxLength, contextSize - 1));
    } catch (error) {
      await model.dispose();
      throw error;
    }
  }

  /**
   * The tokens the reference reads, as Hugging Face's tokenizer makes them for Janus-RM: special
   * tokens in the text are parsed (`</s>` is the EOS token, a leading `<s>` the BOS), exactly one BOS
   * leads (added unless the text starts with one, as OpenRLHF clients send it), no EOS is added, and
   * a longer input keeps its first `max_length` tokens, so the reward is read at the last kept token.
   */
  tokenize(text: string): RewardInput {
    // Only the first max_length tokens are read, and no token stands for more characters than the
    // longest in the vocabulary: text beyond twice that span can change none of the kept tokens, so
    // it is cut before tokenizing (a 15 MB text otherwise became millions of tokens first).
    const span = this.info.maxLength * this.longestTokenChars() * 2 + 64;
    const tokens = this.model.tokenize(text.length > span ? text.slice(0, span) : text, true);
    const bos = this.model.tokens.bos;
    if (bos !== null && tokens[0] !== bos) tokens.unshift(bos);
    const truncated = Math.max(0, tokens.length - this.info.maxLength);
    if (truncated > 0) tokens.length = this.info.maxLength;
    return { tokens, truncated };
  }

  private longestToken: number | undefined;

  /** Characters of the vocabulary's longest token (computed once). */
  private longestTokenChars(): number {
    if (this.longestToken === undefined) {
      let longest = 1;
      for (const token of this.model.iterateAllTokens()) longest = Math.max(longest, this.model.detokenize([token], true).length);
      this.longestToken = longest;
    }
    return this.longestToken;
  }

  /** One reward per text, in order; stops before the next text once `signal` is aborted. */
  async score(texts: readonly string[], signal: AbortSignal): Promise<number[]> {
    const rewards: number[] = [];
    for (const [index, text] of texts.entries()) {
      signal.throwIfAborted();
      const { tokens } = this.tokenize(text);
      if (tokens.length > this.tokenLimit) {
        throw new EngineHttpError(
          400,
          `Text ${index + 1} has ${tokens.length} tokens; the reward model's context holds ${this.tokenLimit} (its max_length is ${this.info.maxLength}). Shorten the text.`,
          'invalid_request_error',
          'context_length_exceeded',
          'query',
        );
      }
      const embedding = await this.embedding.getEmbeddingFor(tokens);
      rewards.push(rewardFromHidden(this.info.head, embedding.vector));
    }
    return rewards;
  }

  /** Tokens of the texts as they are scored (after truncation), for usage counts. */
  countTokens(texts: readonly string[]): number {
    return texts.reduce((sum, text) => sum + this.tokenize(text).tokens.length, 0);
  }

  get props(): RewardModelProps {
    return {
      name: this.info.name ?? this.id,
      hidden_size: this.info.embeddingLength,
      normalized: this.info.head.mean !== undefined,
      max_length: this.info.maxLength,
    };
  }

  async dispose(): Promise<void> {
    await this.embedding.dispose();
    await this.model.dispose();
  }
}
