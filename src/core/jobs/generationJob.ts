/**
 * Generate Responses for Bench: one generation per instance (system + prompt in the generator's
 * format), checkpointed and resumable, written as `<model>_responses.json` in the original shape.
 */
import type { BenchInstance } from '../bench/benchSchema';
import type { ResponsesFile } from '../bench/resultFiles';
import type { TokenUsage } from '../endpoints/streamAssembly';
import type { JanusInput } from '../prompts/janusFormat';
import type { RequestScheduler } from './scheduler';
import { idRecord, writeResultFile } from '../bench/resultFiles';
import type { TextModel } from './textModel';
import { completeScheduled, hashKey } from './textModel';
import type { JobHostOptions, JobOutcome, JobUnit } from './unitRunner';
import { withRunLock } from './runLock';
import { runUnits } from './unitRunner';

/**
 * How one response is made. It schedules its own requests on the job's scheduler: a Best-of-N
 * sampler makes N of them, and wrapping it in one more scheduled task would hold a slot while
 * waiting for others (a deadlock once every slot waits).
 */
export interface ResponseSampler {
  /** Part of the checkpoint fingerprint: another sampler's responses are not reused. */
  readonly identity: string;
  sample(input: JanusInput, scheduler: RequestScheduler, signal: AbortSignal): Promise<{ readonly text: string; readonly usage?: TokenUsage | undefined; readonly reward?: number | undefined }>;
}

/** One completion per instance. */
export function singleSampler(model: TextModel): ResponseSampler {
  return { identity: model.identity, sample: (input, scheduler, signal) => completeScheduled(scheduler, model, input, signal) };
}

/** `outFile` is the responses file. */
export interface GenerationJobOptions extends JobHostOptions {
  readonly instances: readonly BenchInstance[];
  /** A model (one completion each) or a sampler such as Best-of-N. */
  readonly generator: TextModel | ResponseSampler;
}

export interface GenerationRecord {
  readonly response: string;
  readonly reward?: number | undefined;
}

export interface GenerationJobResult extends JobOutcome {
  readonly responses: ResponsesFile;
}

function acceptRecord(value: unknown): GenerationRecord | undefined {
  return typeof value === 'object' && value !== null && typeof (value as { response?: unknown }).response === 'string' ? (value as GenerationRecord) : undefined;
}

function generationUnits(options: GenerationJobOptions): JobUnit<GenerationRecord>[] {
  const { scheduler, cache } = options;
  const generator = 'sample' in options.generator ? options.generator : singleSampler(options.generator);
  return options.instances.map((instance) => {
    const input = { system: instance.system, prompt: instance.prompt };
    const fingerprint = hashKey([generator.identity, input.system, input.prompt, 0]);
    return {
      key: instance.id,
      fingerprint,
      async run(signal) {
        const cached = cache?.get(fingerprint);
        if (cached) return { result: { response: cached.text }, reused: true };
        const completion = await generator.sample(input, scheduler, signal);
        // A reward belongs to one ranking, so only plain generations are worth caching.
        if (completion.reward === undefined) await cache?.put(fingerprint, { text: completion.text, usage: completion.usage });
        return { result: { response: completion.text, ...(completion.reward === undefined ? {} : { reward: completion.reward }) }, usage: completion.usage };
      },
    };
  });
}

export async function runGenerationJob(options: GenerationJobOptions): Promise<GenerationJobResult> {
  return withRunLock(options.outFile, options.logger, () => generate(options));
}

async function generate(options: GenerationJobOptions): Promise<GenerationJobResult> {
  const outcome = await runUnits({ ...options, units: generationUnits(options), acceptResult: acceptRecord });
  const responses: ResponsesFile = idRecord();
  for (const instance of options.instances) {
    const record = outcome.results.get(instance.id);
    if (record) responses[instance.id] = { response: record.response, ...(record.reward === undefined ? {} : { reward: record.reward }) };
  }
  await writeResultFile(options.outFile, responses);
  return { responses, failures: outcome.failures, cancelled: outcome.cancelled, stoppedBy: outcome.stoppedBy, progress: outcome.progress };
}
