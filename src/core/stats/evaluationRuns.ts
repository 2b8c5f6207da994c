import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod';
import { UserFacingError } from '../errors';
import { evaluationOutputs } from '../jobs/evaluationJob';
import type { BootstrapOptions, Interval } from './bootstrap';
import { bootstrapMean, standardDeviation } from './bootstrap';
import type { PairedComparison, PairedOptions } from './paired';
import { comparePaired } from './paired';

/**
 * One side of a comparison: the evaluation files of one model (one per judge run), reduced to the
 * paper's instance means (mean over scored rubric items, then over runs).
 */
export interface EvaluationRuns {
  readonly files: readonly string[];
  /** Instance id -> mean over runs of the mean over its scored rubric items. */
  readonly instanceMeans: ReadonlyMap<string, number>;
  /** Each run's mean over its instances. */
  readonly runMeans: readonly number[];
  /** Instances with no scored item in any run. */
  readonly unscored: readonly string[];
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/**
 * The files of `file`: itself when it exists, else the per-run files `evaluate --runs N` writes
 * beside it (`<stem>.run1.json`, `<stem>.run2.json`, ...).
 */
export async function evaluationRunFiles(file: string): Promise<string[]> {
  if (await exists(file)) return [file];
  const files: string[] = [];
  for (let run = 1; ; run++) {
    const candidate = evaluationOutputs(file, run + 1).evaluations[run - 1];
    if (candidate === undefined || !(await exists(candidate))) break;
    files.push(candidate);
  }
  if (files.length === 0) {
    const stem = path.basename(file, path.extname(file));
    throw new UserFacingError(`${file} does not exist, nor do per-run files ${stem}.run1${path.extname(file) || '.json'}, ... beside it. Pass an evaluation file written by janus evaluate (or the original scripts).`);
  }
  return files;
}

function meanOf(values: readonly number[]): number | undefined {
  return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Per instance id, its rubric scores: all a comparison needs of an evaluation file. */
export type RunScores = ReadonlyMap<string, readonly (number | null)[]>;

const scoresEntrySchema = z.object({ score: z.array(z.number().int().min(1).max(5).nullable()) });

/**
 * Reads the scores of an evaluation file (ours or the original scripts'). Only `score` is checked,
 * so a comparison of two full-size, three-run evaluations does not validate 60 MB of text it never
 * shows; ids are kept in a Map (an id such as `__proto__` is an ordinary key here).
 */
export async function readRunScores(file: string): Promise<RunScores> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserFacingError(code === 'ENOENT' ? `The evaluation file ${file} does not exist. Check the path.` : `Cannot read the evaluation file ${file} (${code ?? String(error)}).`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UserFacingError(`${file} is not valid JSON (${(error as Error).message}). Pass an evaluation file written by janus evaluate.`, { cause: error });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new UserFacingError(`${file} is not an evaluation file: expected an object of { "<id>": { "score": [...] } }.`);
  const scores = new Map<string, readonly (number | null)[]>();
  for (const [id, entry] of Object.entries(json)) {
    const parsed = scoresEntrySchema.safeParse(entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UserFacingError(`${file} is not an evaluation file at "${[id, ...(issue?.path ?? []).map(String)].join('.')}": ${issue?.message ?? 'unexpected shape'}.`);
    }
    scores.set(id, parsed.data.score);
  }
  return scores;
}

/** Instance means of evaluation files already read (one per run). */
export function instanceMeansOfRuns(runs: readonly RunScores[]): Omit<EvaluationRuns, 'files'> {
  const perInstance = new Map<string, number[]>();
  const seen = new Set<string>();
  const runMeans: number[] = [];
  for (const run of runs) {
    const means: number[] = [];
    for (const [id, score] of run) {
      seen.add(id);
      const scores = score.filter((s): s is number => s !== null);
      const instanceMean = meanOf(scores);
      if (instanceMean === undefined) continue;
      means.push(instanceMean);
      const list = perInstance.get(id);
      if (list) list.push(instanceMean);
      else perInstance.set(id, [instanceMean]);
    }
    const runMean = meanOf(means);
    if (runMean !== undefined) runMeans.push(runMean);
  }
  const instanceMeans = new Map<string, number>();
  for (const [id, values] of perInstance) instanceMeans.set(id, meanOf(values) ?? 0);
  return { instanceMeans, runMeans, unscored: [...seen].filter((id) => !perInstance.has(id)) };
}

export async function readEvaluationRuns(file: string): Promise<EvaluationRuns> {
  const files = await evaluationRunFiles(file);
  const runs = await Promise.all(files.map((f) => readRunScores(f)));
  return { files, ...instanceMeansOfRuns(runs) };
}

export interface SideSummary {
  readonly interval: Interval | undefined;
  readonly runs: number;
  /** Spread of the runs' means (the judge's own noise), 0 for one run. */
  readonly runSd: number;
}

export function summarizeSide(side: EvaluationRuns, options: BootstrapOptions = {}): SideSummary {
  return { interval: bootstrapMean([...side.instanceMeans.values()], options), runs: side.runMeans.length, runSd: standardDeviation(side.runMeans) };
}

export interface RunComparison {
  readonly a: SideSummary;
  readonly b: SideSummary;
  readonly paired: PairedComparison | undefined;
}

export function compareEvaluationRuns(a: EvaluationRuns, b: EvaluationRuns, options: PairedOptions = {}): RunComparison {
  return { a: summarizeSide(a, options), b: summarizeSide(b, options), paired: comparePaired(a.instanceMeans, b.instanceMeans, options) };
}
