/**
 * Where Best-of-N candidates come from, and its one-request sampling: `EndpointClient`'s
 * `generateChoices` (one streamed request for `n` choices, demultiplexed by choice index) for
 * servers whose probe says `n` > 1 works (vLLM, recent llama.cpp, the local engine).
 */
import type { ChoiceEvent, EndpointClientOptions } from '../endpoints/client';
import { EndpointClient } from '../endpoints/client';
import type { EndpointProfile } from '../endpoints/profile';
import type { RetryGate } from '../jobs/retry';
import type { JanusInput } from '../prompts/janusFormat';

export type { ChoiceEvent } from '../endpoints/client';

/** Where candidates come from: a generator profile and what `EndpointClient` needs to reach it. */
export interface GeneratorTarget extends EndpointClientOptions {
  readonly profile: EndpointProfile;
}

/** Streams `n` choices of one request (see `EndpointClient.generateChoices`); a 429 is reported to `gate`. */
export function streamChoices(target: GeneratorTarget, input: JanusInput, n: number, signal: AbortSignal, gate?: RetryGate): AsyncGenerator<ChoiceEvent, void, undefined> {
  return new EndpointClient(target.profile, target).generateChoices(input, n, signal, gate ? { retryGate: gate } : {});
}
