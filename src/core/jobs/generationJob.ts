/**
 * Generate Responses for Bench: one generation per instance (system + prompt in the generator's
 * format), checkpointed and resumable, written as `<model>_responses.json` in the original shape.
 */
import type { BenchInstance } from '../bench/benchSchema';
import type { ResponsesFile } from '../bench/resultFiles';
import { writeResultFile } from '../bench/resultFiles';
import type { TextModel } from './textModel';
import { completeScheduled, hashKey } from './textModel';
import type { JobHostOptions, JobOutcome, JobUnit } from './unitRunner';
import { runUnits } from './unitRunner';

/** `outFile` is the responses file. */
export interface GenerationJobOptions extends JobHostOptions {
  readonly instances: readonly BenchInstance[];
  readonly generator: TextModel;
}

export interface GenerationRecord {
  readonly response: string;
}

export interface GenerationJobResult extends JobOutcome {
  readonly responses: ResponsesFile;
}

function acceptRecord(value: unknown): GenerationRecord | undefined {
  return typeof value === 'object' && value !== null && typeof (value as { response?: unknown }).response === 'string' ? (value as GenerationRecord) : undefined;
}

function generationUnits(options: GenerationJobOptions): JobUnit<GenerationRecord>[] {
  const { generator, scheduler, cache } = options;
  return options.instances.map((instance) => {
    const input = { system: instance.system, prompt: instance.prompt };
    const fingerprint = hashKey([generator.identity, input.system, input.prompt, 0]);
    return {
      key: instance.id,
      fingerprint,
      async run(signal) {
        const cached = cache?.get(fingerprint);
        if (cached) return { result: { response: cached.text }, reused: true };
        const completion = await completeScheduled(scheduler, generator, input, signal);
        await cache?.put(fingerprint, { text: completion.text, usage: completion.usage });
        return { result: { response: completion.text }, usage: completion.usage };
      },
    };
  });
}

export async function runGenerationJob(options: GenerationJobOptions): Promise<GenerationJobResult> {
  const outcome = await runUnits({ ...options, units: generationUnits(options), acceptResult: acceptRecord });
  const responses: ResponsesFile = {};
  for (const instance of options.instances) {
    const record = outcome.results.get(instance.id);
    if (record) responses[instance.id] = { response: record.response };
  }
  await writeResultFile(options.outFile, responses);
  return { responses, failures: outcome.failures, cancelled: outcome.cancelled, stoppedBy: outcome.stoppedBy, progress: outcome.progress };
}
