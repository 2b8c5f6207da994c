/**
 * One Multifaceted Bench instance (JANUS.md). Current files call the rubric list `rubrics`, older
 * ones `rubric`; both are accepted and normalised to `rubrics`. Unknown fields are kept out of the
 * way rather than rejected: bench files travel between tools that add their own.
 */
import * as z from 'zod';
import type { Rubric } from '../preferences/persona';
import { rubricSchema } from '../preferences/persona';

const benchPreferenceSchema = z
  .object({ dimension: z.string(), subdimension: z.string(), preference: z.string(), description: z.string() })
  .loose();

export const rawBenchInstanceSchema = z
  .object({
    id: z.union([z.string().min(1), z.number().int()]).optional(),
    source: z.string(),
    system: z.string(),
    prompt: z.string(),
    reference_answer: z.string(),
    preference_set: z.array(benchPreferenceSchema).optional(),
    rubrics: z.array(rubricSchema).min(1).optional(),
    rubric: z.array(rubricSchema).min(1).optional(),
  })
  .loose();

export type BenchPreference = z.infer<typeof benchPreferenceSchema>;

export interface BenchInstance {
  /** The file's `id`, or the instance's position ("0", "1", ...) as the original scripts use. */
  readonly id: string;
  /** Position in the file, 0-based. */
  readonly index: number;
  readonly source: string;
  readonly system: string;
  readonly prompt: string;
  readonly reference_answer: string;
  readonly preference_set?: readonly BenchPreference[];
  readonly rubrics: readonly Rubric[];
}

/** Field help for "add this field" messages. */
export const BENCH_FIELD_HELP: Readonly<Record<string, string>> = {
  source: 'the dataset the instruction comes from (a string)',
  system: 'the system message stating the preferences',
  prompt: 'the instruction the model answers',
  reference_answer: 'an answer that deserves a score of 5',
  rubrics: 'a list of rubrics, each { "criteria": ..., "score_descriptions": { "1": ... "5": ... } }',
  criteria: 'the question the judge answers about the response',
  score_descriptions: 'what a response scoring 1, 2, 3, 4 and 5 looks like',
  '1': 'what a response scoring 1 looks like',
  '2': 'what a response scoring 2 looks like',
  '3': 'what a response scoring 3 looks like',
  '4': 'what a response scoring 4 looks like',
  '5': 'what a response scoring 5 looks like',
};
