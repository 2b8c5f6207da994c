/**
 * One streamed request for `n` choices, demultiplexed by `choices[].index`. `EndpointClient`
 * streams choice 0 only; this is its n-choice sibling for servers whose probe says `n` > 1
 * works (vLLM, recent llama.cpp, the local engine). Same rules as the client: the `openai`
 * package with its retries off, our retries only before the first streamed byte (so a retry never
 * duplicates text), a stall timeout, and every failure as a typed `EndpointError`.
 */
import { OpenAI } from 'openai';
import type { ChatCompletionCreateParamsStreaming, CompletionCreateParamsStreaming } from 'openai/resources';
import { EndpointClient } from '../endpoints/client';
import type { EndpointClientOptions } from '../endpoints/client';
import type { EndpointErrorContext } from '../endpoints/endpointError';
import { badResponseError, cancelledError, retryDecisionFor, stalledError } from '../endpoints/endpointError';
import { toEndpointError } from '../endpoints/openaiErrors';
import type { EndpointProfile } from '../endpoints/profile';
import type { ChunkDeltas, TokenUsage } from '../endpoints/streamAssembly';
import { chatChunkDeltas, completionChunkDeltas } from '../endpoints/streamAssembly';
import { defaultRetryPolicy, withRetry } from '../jobs/retry';
import type { JanusInput } from '../prompts/janusFormat';
import { buildChatMessages, formatJanusPrompt } from '../prompts/janusFormat';

/** Where candidates come from: a generator profile and what `EndpointClient` needs to reach it. */
export interface GeneratorTarget extends EndpointClientOptions {
  readonly profile: EndpointProfile;
}

export type ChoiceEvent =
  | { readonly type: 'delta'; readonly index: number; readonly text: string }
  | { readonly type: 'done'; readonly index: number; readonly text: string; readonly finishReason: string | null }
  | { readonly type: 'usage'; readonly usage: TokenUsage };

function errorContext(profile: EndpointProfile): EndpointErrorContext {
  return { role: profile.role, baseUrl: profile.baseUrl, model: profile.model, timeoutMs: profile.timeoutMs, stallTimeoutMs: profile.stallTimeoutMs };
}

/**
 * Streams `n` choices of one request. A choice is done when its `finish_reason` arrives (or the
 * stream ends); a server that sends fewer choices than asked ends the stream with `badResponse`.
 */
export async function* streamChoices(target: GeneratorTarget, input: JanusInput, n: number, signal: AbortSignal): AsyncGenerator<ChoiceEvent, void, undefined> {
  const { profile } = target;
  const ctx = errorContext(profile);
  const local = new AbortController();
  const combined = AbortSignal.any([signal, local.signal]);
  let stalled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const armStallTimer = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      local.abort();
    }, profile.stallTimeoutMs);
  };
  const texts = new Map<number, string[]>();
  const finished = new Set<number>();
  try {
    const model = profile.model !== '' ? profile.model : ((await new EndpointClient(profile, target).listModels(combined))[0] ?? 'default');
    const openai = new OpenAI({
      baseURL: profile.baseUrl,
      apiKey: target.apiKey ?? 'no-key',
      maxRetries: 0,
      timeout: profile.timeoutMs,
      ...(target.fetch ? { fetch: target.fetch } : {}),
    });
    const chunks = await withRetry(() => openChoices(openai, profile, model, input, n, combined), {
      classify: retryDecisionFor,
      policy: target.retryPolicy ?? defaultRetryPolicy,
      signal: combined,
    });
    armStallTimer();
    for await (const chunk of chunks) {
      armStallTimer();
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
          yield { type: 'done', index: delta.index, text: parts.join(''), finishReason: delta.finishReason };
        }
      }
      if (chunk.usage) yield { type: 'usage', usage: chunk.usage };
    }
    // The openai package ends an aborted stream quietly instead of throwing.
    if (signal.aborted) throw cancelledError(ctx);
    if (stalled) throw stalledError(ctx);
    for (const [index, parts] of [...texts.entries()].sort(([a], [b]) => a - b)) {
      if (!finished.has(index)) yield { type: 'done', index, text: parts.join(''), finishReason: null };
    }
    if (texts.size < n) throw badResponseError(ctx, `${texts.size} of ${n} choices in a reply with n = ${n}`);
  } catch (error) {
    if (signal.aborted) throw cancelledError(ctx);
    if (stalled) throw stalledError(ctx);
    throw toEndpointError(error, ctx);
  } finally {
    clearTimeout(timer);
    local.abort();
  }
}

async function openChoices(openai: OpenAI, profile: EndpointProfile, model: string, input: JanusInput, n: number, signal: AbortSignal): Promise<AsyncIterable<ChunkDeltas>> {
  const { sampling } = profile;
  const common = {
    model,
    n,
    stream: true as const,
    max_tokens: sampling.maxTokens,
    temperature: sampling.temperature,
    top_p: sampling.topP,
    ...(sampling.seed === undefined ? {} : { seed: sampling.seed }),
    ...(sampling.stop === undefined ? {} : { stop: sampling.stop }),
    ...(sampling.repetitionPenalty === undefined ? {} : { repetition_penalty: sampling.repetitionPenalty }),
  };
  try {
    if (profile.format === 'mistral-instruct') {
      const body: CompletionCreateParamsStreaming & { repetition_penalty?: number } = { ...common, prompt: formatJanusPrompt(input) };
      return mapChunks(await openai.completions.create(body, { signal }), completionChunkDeltas);
    }
    const body: ChatCompletionCreateParamsStreaming & { repetition_penalty?: number } = { ...common, messages: buildChatMessages(input, { systemRole: profile.chatSystemRole }) };
    return mapChunks(await openai.chat.completions.create(body, { signal }), chatChunkDeltas);
  } catch (error) {
    throw toEndpointError(error, errorContext(profile));
  }
}

async function* mapChunks<T>(source: AsyncIterable<T>, map: (chunk: T) => ChunkDeltas): AsyncGenerator<ChunkDeltas> {
  for await (const chunk of source) yield map(chunk);
}
