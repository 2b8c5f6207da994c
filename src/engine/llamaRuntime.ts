// The llama.cpp side of the local engine, through node-llama-cpp: the generator, one generation
// context whose sequences are the slots, and (only when a reward model is given) the reward model
// as a second llama.cpp model of its own (rewardRuntime.ts).
import { randomInt } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import os from 'node:os';
import type { Llama, LlamaContext, LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp';
import type { ChatMessage, FinishReason, Sampling } from './protocol';
import { EngineHttpError } from './protocol';
import { formatJanusPrompt } from '../core/prompts/janusFormat';
import { loadNodeLlamaCpp } from './nodeLlamaCpp';
import type { RewardModelInfo } from './rewardGguf';
import { RewardRuntime } from './rewardRuntime';
import { SlotPool } from './slotPool';
import { TokenTextStream } from './textStream';

export interface RuntimeOptions {
  readonly modelPath: string;
  readonly parallel: number;
  readonly threads: number;
  /** Tokens each slot can hold (prompt + completion). */
  readonly contextSize: number;
  /** The reward model GGUF and its metadata (already validated with `readRewardModelInfo`). */
  readonly rewardModel?: { readonly path: string; readonly info: RewardModelInfo } | undefined;
}

export interface ChoiceEvent {
  readonly index: number;
  readonly delta: string;
}

export interface GenerationHooks {
  readonly onDelta: (event: ChoiceEvent) => void;
  /** Called as each choice ends, before the others may have. */
  readonly onDone?: (result: ChoiceResult) => void;
}

export interface ChoiceResult {
  readonly index: number;
  readonly text: string;
  readonly finishReason: FinishReason;
  readonly completionTokens: number;
}

/**
 * On a 2-core machine llama.cpp's worker threads spin against Node's own thread: 2 threads decoded
 * 20x slower than 1 here. Leave one core to Node (see bench/engine.bench.ts for the measurement).
 */
export function defaultThreads(): number {
  return Math.max(1, os.availableParallelism() - 1);
}

/** Why a model file can't be used, as one line the user can act on; undefined when it looks fine. */
export function checkModelFile(path: string): string | undefined {
  if (!existsSync(path)) return `model file not found: ${path}. Pass --model <file.gguf> (a GGUF build of janus-7b).`;
  const stat = statSync(path);
  if (!stat.isFile()) return `model path is not a file: ${path}. Pass --model <file.gguf>.`;
  if (stat.size < 32) return `model file is too small to be a GGUF model: ${path}.`;
  return undefined;
}

export class LlamaRuntime {
  private longestToken: number | undefined;

  private constructor(
    private readonly llama: Llama,
    readonly model: LlamaModel,
    private readonly context: LlamaContext,
    /** The reward model, when one was given; never the generator. */
    readonly reward: RewardRuntime | undefined,
    readonly pool: SlotPool<LlamaContextSequence>,
    readonly contextSize: number,
    private readonly chatTemplate: string | undefined,
  ) {}

  static async load(options: RuntimeOptions): Promise<LlamaRuntime> {
    const problem = checkModelFile(options.modelPath);
    if (problem) throw new Error(problem);
    const { getLlama, LlamaLogLevel } = await loadNodeLlamaCpp();
    const llama = await getLlama({ gpu: false, build: 'never', maxThreads: options.threads, logLevel: LlamaLogLevel.error });
    let model: LlamaModel;
    try {
      model = await llama.loadModel({ modelPath: options.modelPath, gpuLayers: 0 });
    } catch (error) {
      await llama.dispose();
      throw new Error(`could not load ${options.modelPath} as a GGUF model (${errorText(error)}). Check the file is a complete GGUF download.`);
    }
    const contextSize = Math.min(options.contextSize, model.trainContextSize);
    const context = await model.createContext({
      sequences: options.parallel,
      contextSize,
      threads: options.threads,
      batchSize: Math.min(512, contextSize),
    });
    const slots: LlamaContextSequence[] = [];
    for (let i = 0; i < options.parallel; i++) slots.push(context.getSequence());
    let reward: RewardRuntime | undefined;
    if (options.rewardModel) {
      try {
        reward = await RewardRuntime.load(llama, options.rewardModel.path, options.rewardModel.info, options.threads);
      } catch (error) {
        await context.dispose();
        await model.dispose();
        await llama.dispose();
        throw error;
      }
    }
    const template = model.fileInfo.metadata.tokenizer?.chat_template;
    return new LlamaRuntime(llama, model, context, reward, new SlotPool(slots), contextSize, typeof template === 'string' ? template : undefined);
  }

  /**
   * The most characters a prompt that fits the context can have: no token of the vocabulary
   * stands for more than the longest token's text. Checked before tokenizing, because tokenizing
   * is synchronous: a 15 MB prompt held the event loop (and /health) for 6 s.
   */
  get maxPromptChars(): number {
    if (this.longestToken === undefined) {
      let longest = 1;
      for (const token of this.model.iterateAllTokens()) longest = Math.max(longest, this.model.detokenize([token], true).length);
      this.longestToken = longest;
    }
    return this.contextSize * this.longestToken;
  }

  /** Refuses, without tokenizing, a prompt too long to fit the context whatever its tokens. */
  checkPromptChars(prompt: string | readonly ChatMessage[]): void {
    const chars = typeof prompt === 'string' ? prompt.length : prompt.reduce((sum, m) => sum + contentText(m).length, 0);
    if (chars <= this.maxPromptChars) return;
    throw new EngineHttpError(
      400,
      `The prompt has ${chars} characters, more than this engine's context of ${this.contextSize} tokens can hold (at most ${this.maxPromptChars} characters with this model's vocabulary). Shorten the prompt or restart the engine with a larger --context.`,
      'invalid_request_error',
      'context_length_exceeded',
      typeof prompt === 'string' ? 'prompt' : 'messages',
    );
  }

  /** Tokens of a raw prompt, as llama-server makes them: specials parsed, BOS added when the model wants it. */
  tokenizePrompt(text: string): Token[] {
    const tokens = this.model.tokenize(text, true);
    const bos = this.model.tokens.bos;
    if (bos !== null && this.model.tokens.shouldPrependBosToken && tokens[0] !== bos) tokens.unshift(bos);
    return tokens;
  }

  /** Chat messages as prompt tokens: the model's own chat template, or the Janus format when it has none. */
  async tokenizeChat(messages: readonly ChatMessage[]): Promise<Token[]> {
    if (this.chatTemplate) {
      const { JinjaTemplateChatWrapper } = await loadNodeLlamaCpp();
      const wrapper = new JinjaTemplateChatWrapper({ template: this.chatTemplate });
      const history = messages.map((m) => {
        const text = contentText(m);
        if (m.role === 'assistant') return { type: 'model' as const, response: [text] };
        if (m.role === 'user') return { type: 'user' as const, text };
        return { type: 'system' as const, text };
      });
      const { contextText } = wrapper.generateContextState({ chatHistory: [...history, { type: 'model', response: [] }] });
      return contextText.tokenize(this.model.tokenizer);
    }
    return this.tokenizePrompt(janusPromptFromMessages(messages));
  }

  /**
   * Generates one choice per slot, all decoding in the same batches. `hooks.onDelta` receives text as
   * it becomes safe to send. Aborting `signal` stops every choice at the next token.
   */
  async generate(
    prompt: readonly Token[],
    sampling: Sampling,
    slots: readonly LlamaContextSequence[],
    hooks: GenerationHooks,
    signal: AbortSignal,
  ): Promise<ChoiceResult[]> {
    if (prompt.length >= this.contextSize) {
      throw new EngineHttpError(
        400,
        `The prompt has ${prompt.length} tokens; this engine's context holds ${this.contextSize}. Shorten the prompt or restart the engine with a larger --context.`,
        'invalid_request_error',
        'context_length_exceeded',
        'prompt',
      );
    }
    const maxTokens = Math.min(sampling.maxTokens, this.contextSize - prompt.length);
    // node-llama-cpp's default seed is the current time in seconds, so unseeded requests (and the
    // choices of one) started in the same second would repeat each other: draw one per request.
    const baseSeed = sampling.seed ?? randomInt(0, 2 ** 31);
    return Promise.all(
      slots.map(async (sequence, index) => {
        try {
          const result = await this.generateOne(prompt, { ...sampling, seed: baseSeed + index }, maxTokens, sequence, index, hooks.onDelta, signal);
          hooks.onDone?.(result);
          return result;
        } finally {
          await sequence.clearHistory();
        }
      }),
    );
  }

  private async generateOne(
    prompt: readonly Token[],
    sampling: Sampling,
    maxTokens: number,
    sequence: LlamaContextSequence,
    index: number,
    onDelta: (event: ChoiceEvent) => void,
    signal: AbortSignal,
  ): Promise<ChoiceResult> {
    const stream = new TokenTextStream((tokens, context) => this.model.detokenize(tokens as Token[], false, context as Token[]), sampling.stop);
    const generated: Token[] = [];
    let finishReason: FinishReason = 'length';
    const penalise = sampling.repetitionPenalty !== 1 || sampling.presencePenalty !== 0 || sampling.frequencyPenalty !== 0;
    const iterator = sequence.evaluate([...prompt], {
      temperature: sampling.temperature,
      topP: sampling.topP,
      topK: sampling.topK,
      minP: sampling.minP,
      // Choice i of a request uses base seed + i: choices differ, and a seeded request repeats.
      seed: sampling.seed,
      ...(penalise
        ? {
            repeatPenalty: {
              punishTokens: () => generated.slice(-64),
              penalty: sampling.repetitionPenalty,
              presencePenalty: sampling.presencePenalty,
              frequencyPenalty: sampling.frequencyPenalty,
            },
          }
        : {}),
      // ignore_eos as vLLM has it: an end-of-generation token is counted and generation goes on.
      // (node-llama-cpp's TokenBias silently drops a bias on EOS/EOT, so banning them does nothing.)
      yieldEogToken: sampling.ignoreEos,
    } as Parameters<LlamaContextSequence['evaluate']>[1]);
    try {
      if (maxTokens <= 0) return { index, text: '', finishReason: 'length', completionTokens: 0 };
      for await (const token of iterator) {
        if (signal.aborted) break;
        generated.push(token);
        const step = stream.push(token);
        if (step.delta) onDelta({ index, delta: step.delta });
        if (step.stopped) {
          finishReason = 'stop';
          break;
        }
        if (generated.length >= maxTokens) break;
      }
      if (finishReason !== 'stop' && generated.length < maxTokens && !signal.aborted) finishReason = 'stop';
    } finally {
      await iterator.return();
    }
    const tail = stream.finish();
    if (tail.delta) onDelta({ index, delta: tail.delta });
    return { index, text: stream.completionText, finishReason, completionTokens: generated.length };
  }

  get hiddenSize(): number {
    return this.model.embeddingVectorSize;
  }

  async dispose(): Promise<void> {
    await this.reward?.dispose();
    await this.context.dispose();
    await this.model.dispose();
    await this.llama.dispose();
  }
}

function contentText(message: ChatMessage): string {
  if (message.content === null) return '';
  if (typeof message.content === 'string') return message.content;
  return message.content.map((part) => part.text).join('');
}

/**
 * Janus was trained without a system role: the system message and the prompt are joined by one
 * newline inside `[INST] ... [/INST] `. Earlier turns, if any, follow Mistral-Instruct's layout.
 */
export function janusPromptFromMessages(messages: readonly ChatMessage[]): string {
  const system = messages.filter((m) => m.role === 'system' || m.role === 'developer').map(contentText).join('\n');
  const turns = messages.filter((m) => m.role === 'user' || m.role === 'assistant');
  if (turns.length === 0) return formatJanusPrompt({ system, prompt: '' });
  let text = '';
  let pendingSystem = system;
  for (const turn of turns) {
    if (turn.role === 'assistant') {
      text += `${contentText(turn)}</s>`;
    } else {
      // The system message joins the first user turn only, as in training.
      text += formatJanusPrompt({ system: pendingSystem, prompt: contentText(turn) });
      pendingSystem = '';
    }
  }
  return text;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
