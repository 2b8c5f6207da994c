/**
 * The state file of a batch evaluation (`batch.json` in a run folder): which step the job reached
 * (input written, uploaded, batch created, results written), the batch's id, status and counts as
 * the server last said, and what was sent. Written atomically after every step, so a process that
 * dies anywhere resumes from it; read back with its schema, a damaged file being an error that
 * says what to do.
 */
import { readFile } from 'node:fs/promises';
import * as z from 'zod';
import { UserFacingError } from '../errors';
import { writeFileAtomic } from '../files/atomicWrite';
import type { BatchInfo } from '../judge/batchApi';
import { batchStatuses } from '../judge/batchApi';

const countsSchema = z.object({ total: z.number(), completed: z.number(), failed: z.number() });

const stateSchema = z.object({
  version: z.literal(1),
  /** prepared: input written locally; uploaded: input file at the server; submitted: batch created; done: results written (or nothing to do). */
  phase: z.enum(['prepared', 'uploaded', 'submitted', 'done']),
  judge: z.object({ baseUrl: z.string(), model: z.string() }),
  runs: z.number().int().min(1),
  requests: z.number().int().min(0),
  inputSha256: z.string(),
  /** Hash of each sent item's custom_id and fingerprint: the inputs a reply belongs to, checked when the batch is read. */
  itemsSha256: z.string(),
  inputFileId: z.string().optional(),
  batchId: z.string().optional(),
  status: z.enum(batchStatuses).optional(),
  counts: countsSchema.optional(),
  outputFileId: z.string().nullable().optional(),
  errorFileId: z.string().nullable().optional(),
  /** A failed batch's errors, as the server listed them. */
  errors: z.array(z.string()).optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  submittedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  result: z.object({ scored: z.number(), unscored: z.number(), notJudged: z.number() }).optional(),
  /** Earlier batches of this run folder (a resubmission sends only what they left unscored). */
  previous: z.array(z.object({ batchId: z.string().optional(), status: z.enum(batchStatuses).optional(), requests: z.number() })).optional(),
});
export type BatchState = z.infer<typeof stateSchema>;

/** A batch that still needs the job: not uploaded, not created, or not finished and collected. */
export function isBatchPending(state: BatchState): boolean {
  return state.phase !== 'done';
}

/** `in_progress 8/16` (`uploading 0/16` before the batch exists): the status bar's and the CLI's words. */
export function batchStatusText(state: BatchState): string {
  const status = state.status ?? (state.phase === 'prepared' ? 'uploading' : state.phase === 'uploaded' ? 'creating' : 'done');
  const total = state.counts?.total || state.requests;
  return `${status} ${state.counts?.completed ?? 0}/${total}`;
}

/** The local copies of the batch's files, beside the state file. */
export function batchFilesOf(stateFile: string): { input: string; output: string; errors: string } {
  const stem = stateFile.replace(/\.json$/, '');
  return { input: `${stem}.input.jsonl`, output: `${stem}.output.jsonl`, errors: `${stem}.errors.jsonl` };
}

/** The state file, or `undefined` when there is none; a damaged one is an error that says what to do. */
export async function readBatchState(stateFile: string): Promise<BatchState | undefined> {
  let text: string;
  try {
    text = await readFile(stateFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const parsed = stateSchema.safeParse(value);
  if (!parsed.success) {
    throw new UserFacingError(`${stateFile} is not a batch state file Janus can read (${parsed.error.issues[0]?.message ?? 'not JSON'}). If a batch was created, its id is in that file: fix the file, or move it away to submit a new batch.`);
  }
  return parsed.data;
}

/** Writes `state` atomically with a fresh `updatedAt`; returns what was written. */
export async function writeBatchState(stateFile: string, state: BatchState): Promise<BatchState> {
  const saved = { ...state, updatedAt: new Date().toISOString() };
  await writeFileAtomic(stateFile, `${JSON.stringify(saved, null, 2)}\n`);
  return saved;
}

/** The state with what the server said of the batch. */
export function withInfo(state: BatchState, info: BatchInfo): BatchState {
  return {
    ...state,
    batchId: info.id,
    status: info.status,
    ...(info.counts ? { counts: info.counts } : {}),
    outputFileId: info.outputFileId,
    errorFileId: info.errorFileId,
    ...(info.errors.length > 0 ? { errors: [...info.errors] } : {}),
  };
}
