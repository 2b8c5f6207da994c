import { OpenAI } from 'openai';
import type { Stream } from 'openai/core/streaming';
import type { ChatCompletionChunk, ChatCompletionCreateParams, Completion, CompletionCreateParams } from 'openai/resources';
import type { Logger } from '../log';
import { silentLogger } from '../log';
import type { RetryGate, RetryPolicy } from '../jobs/retry';
import { defaultRetryPolicy, withRetry } from '../jobs/retry';
import type { JanusInput } from '../prompts/janusFormat';
import { buildChatMessages, formatJanusPrompt } from '../prompts/janusFormat';
import type { EndpointErrorContext, EndpointFixNames } from './endpointError';
import { EndpointError, badResponseError, cancelledError, replyTooLargeError, retryDecisionFor, stalledError } from './endpointError';
import { toEndpointError } from './openaiErrors';
import type { EndpointProfile } from './profile';
import { displayOrigin } from './profile';
import { SseTransport, UnreadableBodyError } from './sseRequest';
import type { ChunkDeltas, TokenUsage } from './streamAssembly';
import { StreamAssembler, chatChunkDeltas, completionChunkDeltas } from './streamAssembly';

/** A streamed generation as messages: text deltas, then exactly one `done`. */
export type GenerationEvent =
  | { readonly type: 'delta'; readonly text: string }
  | {
      readonly type: 'done';
      readonly text: string;
      readonly finishReason: string | null;
      readonly usage: TokenUsage | undefined;
    };

/**
 * The events of one request for `n` choices, demultiplexed by choice index: each choice's deltas,
 * then its `done`; `usage` whenever the server reports it (for the whole request, not per choice).
 */
export type ChoiceEvent =
  | { readonly type: 'delta'; readonly index: number; readonly text: string }
  | {
      readonly type: 'done';
      readonly index: number;
      readonly text: string;
      readonly finishReason: string | null;
      /**
       * Non-empty text deltas this choice streamed. Each one took at least one token, so this is a
       * lower bound on the choice's completion tokens (a server may send several tokens in a delta).
       */
      readonly pieces: number;
    }
  | { readonly type: 'usage'; readonly usage: TokenUsage };

export interface EndpointClientOptions {
  /** Only ever the key bound to this profile's origin (see `resolveApiKey`). */
  readonly apiKey?: string | undefined;
  readonly logger?: Logger;
  readonly retryPolicy?: RetryPolicy;
  /** For tests and hosts that wrap fetch; defaults to the global one. */
  readonly fetch?: typeof fetch;
  /** What error messages tell the user to fix (the CLI's flags); default: the editor's settings. */
  readonly fixNames?: EndpointFixNames | undefined;
}

export interface GenerateOptions {
  /**
   * Ask a chat endpoint for a JSON object (`response_format: {type: 'json_object'}`). Raw
   * completions have no such field in the OpenAI API, so there the prompt alone asks for JSON.
   */
  readonly jsonMode?: boolean;
  /** The scheduler's: a 429 pauses every request to the server, and retries wait for it. */
  readonly retryGate?: RetryGate | undefined;
  /**
   * False: ask for one JSON body (`stream: false`). Judge calls show no text as it comes, so one
   * parse per call is all they need. Either way a server's JSON body or event stream is read.
   */
  readonly stream?: boolean | undefined;
}

/** Servers that need no key still get a header: the openai package refuses to run without one. */
const noKey = 'no-key';

/**
 * Talks to one endpoint profile through the `openai` package. The package's own retries are off
 * (`maxRetries: 0`) because retries are ours: they honour `retry-after` and happen only before
 * the first streamed byte, so a retry can never duplicate text.
 */
export class EndpointClient {
  private readonly openai: OpenAI;
  private readonly transport: SseTransport | undefined;
  private readonly fixNames: EndpointFixNames | undefined;
  /** Only to mask it out of error text. */
  private readonly secret: string | undefined;
  private readonly logger: Logger;
  private readonly retryPolicy: RetryPolicy;
  private model: Promise<string> | undefined;

  constructor(
    readonly profile: EndpointProfile,
    options: EndpointClientOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger;
    this.retryPolicy = options.retryPolicy ?? defaultRetryPolicy;
    this.fixNames = options.fixNames;
    this.secret = options.apiKey;
    this.openai = new OpenAI({
      baseURL: profile.baseUrl,
      apiKey: options.apiKey ?? noKey,
      maxRetries: 0,
      timeout: profile.timeoutMs,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    // A host's own fetch goes through the package; otherwise the leaner transport streams.
    this.transport = options.fetch ? undefined : new SseTransport(profile.baseUrl, options.apiKey ?? noKey);
  }

  /** A POST whose reply is read as chunks (an event stream's, or one JSON body's); resolves once the server has answered with headers. */
  private async post<T>(path: string, body: { stream: boolean }, signal: AbortSignal, onBytes?: () => void): Promise<AsyncIterable<T>> {
    // Per event or JSON body: the text's characters, JSON-escaped, plus the envelope.
    const maxBytes = this.profile.maxReplyChars * 6 + 64 * 1024;
    // A non-streamed reply's headers come when the whole reply is ready: the wait covers writing
    // it too, at no less than 10 tokens a second (a local judge's 1024 tokens: 102 s more).
    const timeoutMs = body.stream ? this.profile.timeoutMs : this.profile.timeoutMs + this.profile.sampling.maxTokens * 100;
    if (this.transport) return this.transport.post({ path, body, signal, timeoutMs, maxBytes, onBytes }) as Promise<AsyncIterable<T>>;
    if (body.stream) return this.openai.post<Stream<T>>(path, { body, signal, stream: true });
    return oneChunk(await this.openai.post<T>(path, { body, signal, timeout: timeoutMs }));
  }

  private get context(): EndpointErrorContext {
    const p = this.profile;
    return { role: p.role, baseUrl: p.baseUrl, model: p.model, timeoutMs: p.timeoutMs, stallTimeoutMs: p.stallTimeoutMs, fixNames: this.fixNames, secret: this.secret };
  }

  /** Model ids the server lists at `/models`. */
  async listModels(signal: AbortSignal): Promise<string[]> {
    try {
      const page = await this.openai.models.list({ signal });
      return page.data.map((m) => m.id);
    } catch (error) {
      throw signal.aborted ? cancelledError(this.context) : toEndpointError(error, this.context);
    }
  }

  /** The configured model, or (when empty) the first the server lists, asked once per client. */
  private resolveModel(signal: AbortSignal): Promise<string> {
    if (this.profile.model !== '') return Promise.resolve(this.profile.model);
    this.model ??= this.listModels(signal).then((ids) => ids[0] ?? 'default');
    this.model.catch(() => (this.model = undefined));
    return this.model;
  }

  /**
   * Streams one generation. Aborting `signal` closes the HTTP stream (so the server frees its
   * slot) and ends the iteration with an `EndpointError` of kind `cancelled`; a silence longer
   * than the profile's stall timeout ends it with kind `stalled`.
   */
  async *generateStream(input: JanusInput, signal: AbortSignal, options: GenerateOptions = {}): AsyncGenerator<GenerationEvent, void, undefined> {
    const assembler = new StreamAssembler();
    for await (const deltas of this.streamChunks(input, undefined, signal, options)) {
      assembler.push(deltas);
      for (const delta of deltas.deltas) {
        if (delta.index === 0 && delta.text !== '') yield { type: 'delta', text: delta.text };
      }
    }
    yield { type: 'done', text: assembler.text(0), finishReason: assembler.finishReason(0), usage: assembler.usage };
  }

  /**
   * One streamed request for `n` choices (for servers whose probe says `n` > 1 works), with the
   * same retries, stall timeout and errors as `generateStream`. A choice is done when its
   * `finish_reason` arrives (or the stream ends); a server that sends fewer choices than asked ends
   * the stream with `badResponse` after the ones it sent.
   */
  async *generateChoices(input: JanusInput, n: number, signal: AbortSignal, options: GenerateOptions = {}): AsyncGenerator<ChoiceEvent, void, undefined> {
    const texts = new Map<number, string[]>();
    const finished = new Set<number>();
    for await (const chunk of this.streamChunks(input, n, signal, options)) {
      for (const delta of chunk.deltas) {
        if (delta.index < 0 || delta.index >= n || finished.has(delta.index)) continue;
        const parts = texts.get(delta.index) ?? [];
        texts.set(delta.index, parts);
        if (delta.text !== '') {
          parts.push(delta.text);
          yield { type: 'delta', index: delta.index, text: delta.text };
        }
        if (delta.finishReason !== null) {
          finished.add(delta.index);
          yield { type: 'done', index: delta.index, text: parts.join(''), finishReason: delta.finishReason, pieces: parts.length };
        }
      }
      if (chunk.usage) yield { type: 'usage', usage: chunk.usage };
    }
    for (const [index, parts] of [...texts.entries()].sort(([a], [b]) => a - b)) {
      if (!finished.has(index)) yield { type: 'done', index, text: parts.join(''), finishReason: null, pieces: parts.length };
    }
    if (texts.size < n) throw badResponseError(this.context, `${texts.size} of ${n} choices in a reply with n = ${n}`);
  }

  /** The request's chunks as they stream, every failure as an `EndpointError`; `n` undefined: not sent. */
  private async *streamChunks(input: JanusInput, n: number | undefined, signal: AbortSignal, options: GenerateOptions): AsyncGenerator<ChunkDeltas, void, undefined> {
    const ctx = this.context;
    const local = new AbortController();
    const combined = AbortSignal.any([signal, local.signal]);
    let stalled = false;
    let ended = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let chars = 0;
    const armStallTimer = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        stalled = true;
        local.abort();
      }, this.profile.stallTimeoutMs);
    };
    try {
      const model = await this.resolveModel(combined);
      // Any bytes (a keep-alive comment too) show the server is alive: not stalled.
      const onBytes = (): void => {
        if (timer !== undefined) armStallTimer();
      };
      const chunks = await withRetry(() => this.open(input, model, n, combined, options, onBytes), {
        classify: retryDecisionFor,
        policy: this.retryPolicy,
        signal: combined,
        gate: options.retryGate,
        onRetry: ({ attempt, delayMs, error }) =>
          this.logger.warn(`${displayOrigin(this.profile.baseUrl)}: attempt ${attempt} failed (${(error as Error).message}); retrying in ${Math.round(delayMs)} ms`),
      });
      armStallTimer();
      let choices = 0;
      const maxChars = this.profile.maxReplyChars * (n ?? 1);
      for await (const deltas of chunks) {
        armStallTimer();
        choices += deltas.deltas.length;
        for (const delta of deltas.deltas) chars += delta.text.length;
        if (chars > maxChars) throw replyTooLargeError(ctx, this.profile.maxReplyChars);
        yield deltas;
      }
      ended = true;
      // The openai package ends an aborted stream quietly instead of throwing.
      if (signal.aborted) throw cancelledError(ctx);
      if (stalled) throw stalledError(ctx, chars);
      // A server that ignored the request's shape, or sent an empty body: never an empty text.
      if (choices === 0) throw badResponseError(ctx, 'a reply without any completion choice');
    } catch (error) {
      if (signal.aborted) throw cancelledError(ctx);
      if (stalled) throw stalledError(ctx, chars);
      if (error instanceof UnreadableBodyError && error.tooLarge) throw replyTooLargeError(ctx, this.profile.maxReplyChars);
      throw toEndpointError(error, ctx);
    } finally {
      clearTimeout(timer);
      // Also reached when the consumer stops iterating early: close the stream then. A stream that
      // ended has nothing to close (an abort per call, with its DOMException, was a visible cost).
      if (!ended) local.abort();
    }
  }

  /** Sends the request and returns its chunks once the server has answered with headers. */
  private async open(input: JanusInput, model: string, n: number | undefined, signal: AbortSignal, options: GenerateOptions, onBytes?: () => void): Promise<AsyncIterable<ChunkDeltas>> {
    const { sampling, format } = this.profile;
    const common = {
      model,
      ...(n === undefined ? {} : { n }),
      stream: options.stream !== false,
      max_tokens: sampling.maxTokens,
      temperature: sampling.temperature,
      top_p: sampling.topP,
      ...(sampling.seed === undefined ? {} : { seed: sampling.seed }),
      ...(sampling.stop === undefined ? {} : { stop: sampling.stop }),
      // Not in the OpenAI schema; vLLM and llama.cpp read it from the body.
      ...(sampling.repetitionPenalty === undefined ? {} : { repetition_penalty: sampling.repetitionPenalty }),
    };
    try {
      if (format === 'mistral-instruct') {
        const body: CompletionCreateParams & { repetition_penalty?: number; stream: boolean } = { ...common, prompt: formatJanusPrompt(input) };
        return mapChunks(await this.post<Completion>('/completions', body, signal, onBytes), completionChunkDeltas);
      }
      const messages = buildChatMessages(input, { systemRole: this.profile.chatSystemRole });
      const body: ChatCompletionCreateParams & { repetition_penalty?: number; stream: boolean } = {
        ...common,
        messages,
        ...(options.jsonMode === true ? { response_format: { type: 'json_object' as const } } : {}),
      };
      return mapChunks(await this.post<ChatCompletionChunk>('/chat/completions', body, signal, onBytes), chatChunkDeltas);
    } catch (error) {
      if (error instanceof EndpointError) throw error;
      throw toEndpointError(error, this.context);
    }
  }
}

async function* oneChunk<T>(value: T): AsyncGenerator<T> {
  yield value;
}

async function* mapChunks<T>(source: AsyncIterable<T>, map: (chunk: T) => ChunkDeltas): AsyncGenerator<ChunkDeltas> {
  for await (const chunk of source) yield map(chunk);
}
