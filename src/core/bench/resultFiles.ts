/**
 * The responses file (`<model>_responses.json`) and the evaluation file (`<model>_evaluation.json`)
 * in the original scripts' shapes (JANUS.md), so files move freely between them and this product.
 * An unscored rubric item is `null` in `score` with the judge's reply kept in `feedback`.
 */
import { readFile } from 'node:fs/promises';
import * as z from 'zod';
import { UserFacingError } from '../errors';
import { writeFileAtomic } from '../files/atomicWrite';
import { rubricSchema } from '../preferences/persona';
import type { Rubric } from '../preferences/persona';
import type { BenchInstance } from './benchSchema';

/**
 * An object keyed by instance id, parsed into a null-prototype object: an id may be any string,
 * `__proto__` and `constructor` included (`z.record` drops `__proto__`, and a plain object answers
 * `constructor` with a function).
 */
function idRecordSchema<S extends z.ZodType>(entry: S) {
  return z
    .custom<Record<string, unknown>>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), { message: 'expected an object keyed by instance id' })
    .transform((value, ctx) => {
      const out = idRecord<z.output<S>>();
      for (const key of Object.keys(value)) {
        const parsed = entry.safeParse(value[key]);
        if (!parsed.success) {
          for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: [key, ...issue.path] });
          return z.NEVER;
        }
        out[key] = parsed.data;
      }
      return out;
    });
}

/** An empty object for entries keyed by instance id (no prototype: any id is an own key). */
export function idRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** The entry of `id`, only if the object has it as its own key (never an inherited `constructor`). */
export function entryFor<T>(file: Readonly<Record<string, T>>, id: string): T | undefined {
  return Object.hasOwn(file, id) ? file[id] : undefined;
}

export const responseEntrySchema = z.object({ response: z.string(), reward: z.number().optional() }).loose();
export const responsesFileSchema = idRecordSchema(responseEntrySchema);
export type ResponsesFile = z.infer<typeof responsesFileSchema>;

export const evaluationEntrySchema = z
  .object({
    id: z.union([z.string(), z.number()]),
    source: z.string(),
    system: z.string(),
    prompt: z.string(),
    reference_answer: z.string(),
    rubric: z.array(rubricSchema),
    response: z.string(),
    feedback: z.array(z.string()),
    score: z.array(z.number().int().min(1).max(5).nullable()),
  })
  .loose();
export const evaluationFileSchema = idRecordSchema(evaluationEntrySchema);
export type EvaluationEntry = z.infer<typeof evaluationEntrySchema>;
export type EvaluationFile = z.infer<typeof evaluationFileSchema>;

/** Where `JSON.parse` stopped, as "line L, column C" (1-based, as editors show them). */
function syntaxLocation(text: string, error: unknown): string {
  const match = /position (\d+)/.exec(error instanceof Error ? error.message : '');
  if (!match) return '';
  const offset = Number(match[1]);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return ` at line ${line}, column ${offset - before.lastIndexOf('\n')}`;
}

/** Parses a result file's text; the error names the file, and the place or field to fix. */
export function parseResultText<T>(text: string, schema: z.ZodType<T>, file: string, what: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UserFacingError(`${file} is not valid JSON${syntaxLocation(text, error)}. Fix it or remove the file to start over.`, { cause: error });
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at "${issue.path.map(String).join('.')}"` : '';
  throw new UserFacingError(`${file} is not a ${what}${where}: ${issue?.message ?? 'unexpected shape'}.`);
}

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserFacingError(code === 'ENOENT' ? `The ${what} ${file} does not exist. Check the path.` : `Cannot read the ${what} ${file} (${code ?? String(error)}).`, { cause: error });
  }
}

export async function readResponsesFile(file: string): Promise<ResponsesFile> {
  return parseResultText(await readText(file, 'responses file'), responsesFileSchema, file, 'responses file ({ "<id>": { "response": ... } })');
}

export async function readEvaluationFile(file: string): Promise<EvaluationFile> {
  return parseResultText(await readText(file, 'evaluation file'), evaluationFileSchema, file, 'evaluation file');
}

/** Bench ids with no response, so a job can say which ones before it spends anything. */
export function missingResponses(instances: readonly BenchInstance[], responses: ResponsesFile): string[] {
  return instances.filter((instance) => entryFor(responses, instance.id) === undefined).map((instance) => instance.id);
}

/** 4-space indent as the original scripts write; key order follows insertion (bench order). */
export function serializeResultFile(value: ResponsesFile | EvaluationFile): string {
  return `${JSON.stringify(value, null, 4)}\n`;
}

/**
 * The same text as `serializeResultFile`, one top-level entry at a time: a full bench's evaluation
 * file is ~10 MB of JSON, and one string of it (plus its UTF-8 copy) was the CLI's peak memory.
 */
export function* resultFileChunks(value: ResponsesFile | EvaluationFile): Generator<string> {
  const keys = Object.keys(value);
  if (keys.length === 0) {
    yield '{}\n';
    return;
  }
  yield '{\n';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const entry = JSON.stringify((value as Record<string, unknown>)[key], null, 4).replaceAll('\n', '\n    ');
    yield `    ${JSON.stringify(key)}: ${entry}${i < keys.length - 1 ? ',' : ''}\n`;
  }
  yield '}\n';
}

export function writeResultFile(file: string, value: ResponsesFile | EvaluationFile): Promise<void> {
  return writeFileAtomic(file, resultFileChunks(value));
}

/** One evaluation entry in the original shape. */
export function evaluationEntry(instance: BenchInstance, response: string, feedback: readonly string[], score: readonly (number | null)[]): EvaluationEntry {
  const rubric: Rubric[] = [...instance.rubrics];
  return {
    id: instance.id,
    source: instance.source,
    system: instance.system,
    prompt: instance.prompt,
    reference_answer: instance.reference_answer,
    rubric,
    response,
    feedback: [...feedback],
    score: [...score],
  };
}
