/**
 * Compare Personas: the same prompt under 2-4 system messages, each a Best-of-N run (N = 1 gives
 * one candidate per persona), all at once through the same scheduler and scorer. The events of the
 * runs arrive merged, each tagged with its persona, then one `compared` summary: per persona its
 * best candidate and reward, so a user sees how the system message changes the answer.
 */
import { randomUUID } from 'node:crypto';
import { UserFacingError } from '../errors';
import type { Rubric } from '../preferences/persona';
import type { RubricGrader } from '../reward/judgeScorer';
import type { BestOfNOptions } from './bestOfN';
import { runBestOfN } from './bestOfN';
import { EventQueue } from './eventQueue';
import type { BestOfNEvent } from './events';
import type { BestOfNState } from './runState';
import { applyBestOfNEvent, initialBestOfNState } from './runState';

export interface PersonaVariant {
  /** Shown in the panel; not sent to any model. */
  readonly name: string;
  readonly system: string;
  /** The persona's rubrics: with a `rubricGrader`, its answer is graded on each. */
  readonly rubrics?: readonly Rubric[] | undefined;
}

export interface ComparePersonasOptions extends Omit<BestOfNOptions, 'input' | 'runId' | 'n'> {
  readonly prompt: string;
  readonly personas: readonly PersonaVariant[];
  /** Candidates per persona; default 1. */
  readonly n?: number | undefined;
  readonly runId?: string | undefined;
  /** The judge: each persona's answer is graded on that persona's rubrics (none: not graded). */
  readonly rubricGrader?: RubricGrader | undefined;
}

export interface PersonaResult {
  readonly persona: number;
  /** The persona's best candidate when ranked, else its first finished one (then `reward` may be absent). */
  readonly candidate: number | undefined;
  readonly text: string | undefined;
  readonly reward: number | undefined;
  readonly ranked: boolean;
  readonly scoreError: string | undefined;
}

export type ComparePersonasEvent =
  /** One event of persona `persona`'s run; its `runId` is `<comparison id>:<persona>`. */
  | { readonly type: 'persona'; readonly persona: number; readonly event: BestOfNEvent }
  /** After every run is done: one result per persona, in persona order. */
  | { readonly type: 'compared'; readonly runId: string; readonly results: readonly PersonaResult[]; readonly cancelled: boolean };

export const minPersonas = 2;
export const maxPersonas = 4;

function resultOf(persona: number, state: BestOfNState): PersonaResult {
  const ranked = state.best !== undefined;
  const candidate = state.best ?? state.candidates.find((c) => c.status === 'done')?.index;
  const chosen = candidate === undefined ? undefined : state.candidates[candidate];
  return { persona, candidate, text: chosen?.text, reward: chosen?.reward, ranked, scoreError: state.scoreError };
}

export async function* comparePersonas(options: ComparePersonasOptions): AsyncGenerator<ComparePersonasEvent, void, undefined> {
  const { personas, prompt } = options;
  if (personas.length < minPersonas || personas.length > maxPersonas) {
    throw new UserFacingError(`Compare Personas takes ${minPersonas} to ${maxPersonas} personas, not ${personas.length}.`);
  }
  const runId = options.runId ?? randomUUID();
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const queue = new EventQueue<ComparePersonasEvent>();
  const states = personas.map(() => initialBestOfNState());
  const runs = personas.map((persona, index) => {
    const grader = options.rubricGrader;
    const rubricGrading = grader && persona.rubrics && persona.rubrics.length > 0 ? { grader, rubrics: persona.rubrics } : undefined;
    const events = runBestOfN({ ...options, n: options.n ?? 1, input: { system: persona.system, prompt }, runId: `${runId}:${index}`, signal, rubricGrading });
    return (async (): Promise<void> => {
      for await (const event of events) {
        states[index] = applyBestOfNEvent(states[index] ?? initialBestOfNState(), event);
        queue.push({ type: 'persona', persona: index, event });
      }
    })();
  });
  let failure: unknown;
  const all = Promise.all(runs)
    .then(() => queue.push({ type: 'compared', runId, results: states.map((s, i) => resultOf(i, s)), cancelled: states.some((s) => s.cancelled) }))
    .catch((error: unknown) => (failure = error))
    .finally(() => queue.close());
  try {
    yield* queue.drain();
    await all;
    if (failure !== undefined) throw failure;
  } finally {
    // Reached on an early exit too: the runs' requests end with the iteration.
    stop.abort();
  }
}
