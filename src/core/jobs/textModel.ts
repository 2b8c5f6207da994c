/**
 * What a job needs from a generator or a judge: one whole completion for one input. Jobs depend on
 * this, not on `EndpointClient`, so a host can put any model behind it (a test double, Best-of-N).
 */
import { createHash } from 'node:crypto';
import type { EndpointClient } from '../endpoints/client';
import type { TokenUsage } from '../endpoints/streamAssembly';
import type { JanusInput } from '../prompts/janusFormat';
import type { RetryGate } from './retry';
import type { RequestScheduler } from './scheduler';

export interface TextCompletion {
  readonly text: string;
  readonly usage: TokenUsage | undefined;
}

export interface TextModel {
  /**
   * Everything besides the input that decides the output: server, model, format and sampling.
   * Part of the cache key, so a different judge or temperature never reuses another's replies.
   */
  readonly identity: string;
  /** The completion's token budget, for the tokens-a-minute estimate. */
  readonly maxTokens: number;
  /** `gate`: the scheduler's, so a rate-limited request pauses every request to the server. */
  complete(input: JanusInput, signal: AbortSignal, gate?: RetryGate): Promise<TextCompletion>;
}

/**
 * A model over an endpoint client: one whole completion per call. A judge's is asked for
 * non-streamed (one JSON body, parsed once); a generator's streams.
 */
export function endpointTextModel(client: EndpointClient): TextModel {
  const p = client.profile;
  const stream = p.role !== 'judge';
  return {
    identity: JSON.stringify({ baseUrl: p.baseUrl, model: p.model, format: p.format, systemRole: p.chatSystemRole, sampling: p.sampling }),
    maxTokens: p.sampling.maxTokens,
    async complete(input, signal, gate) {
      for await (const event of client.generateStream(input, signal, { stream, ...(gate ? { retryGate: gate } : {}) })) {
        if (event.type === 'done') return { text: event.text, usage: event.usage };
      }
      throw new Error('the generation stream ended without a result');
    },
  };
}

/** A stable short hash of anything JSON can hold (cache keys, prompt fingerprints). */
export function hashKey(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 32);
}

/** Prompt plus completion tokens expected, from characters when the server reports none. */
export function estimateTokens(input: JanusInput, maxTokens: number): number {
  return Math.ceil((input.system.length + input.prompt.length) / 4) + maxTokens;
}

/** One completion through the scheduler, charging its estimate and then its real usage. */
export function completeScheduled(scheduler: RequestScheduler, model: TextModel, input: JanusInput, signal: AbortSignal): Promise<TextCompletion> {
  return scheduler.run(
    async (taskSignal, control) => {
      const result = await model.complete(input, taskSignal, control);
      if (result.usage) control.reportTokens(result.usage.promptTokens + result.usage.completionTokens);
      return result;
    },
    { signal, estimatedTokens: estimateTokens(input, model.maxTokens) },
  );
}
