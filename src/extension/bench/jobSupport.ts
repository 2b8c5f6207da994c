import * as vscode from 'vscode';
import * as z from 'zod';
import type { ParsedBench } from '../../core/bench/benchFile';
import { UserFacingError } from '../../core/errors';
import type { JobPrices, JobProgress } from '../../core/jobs/progress';
import { formatProgress } from '../../core/jobs/progressText';
import type { RequestScheduler } from '../../core/jobs/scheduler';
import { createScheduler } from '../../core/jobs/scheduler';
import type { Settings } from '../../core/settings';
import type { JanusContext } from '../context';
import type { BenchInstance } from '../../core/bench/benchSchema';
import type { ResponsesFile } from '../../core/bench/resultFiles';
import type { EndpointProfile } from '../../core/endpoints/profile';
import type { BatchState } from '../../core/jobs/batchEvaluation';
import { batchJudgeOf, batchStatusText, isBatchPending, readBatchState, submitBatchEvaluation } from '../../core/jobs/batchEvaluation';
import { openCallCache } from '../../core/jobs/callCache';
import { evaluationOutputs } from '../../core/jobs/evaluationJob';
import type { EvaluateBenchResult } from '../commands/evaluateBench';
import { batchEvaluations, batchStateFileOf } from './batchEvaluations';
import type { RunRecord } from './runRecords';
import { findUnfinishedRun, folderOf, newRunRecord, saveRunRecord } from './runRecords';

/** Arguments the bench commands take from lenses, keybindings and the integration suites. */
export const benchJobArgsSchema = z
  .object({
    uri: z.string().optional(),
    ids: z.array(z.string()).optional(),
    responses: z.string().optional(),
    /** Candidates per instance for Generate Responses for Bench (1: no Best-of-N), without asking. */
    n: z.number().int().min(1).max(64).optional(),
    /** Answer to "resume the unfinished run?" without asking. */
    resume: z.boolean().optional(),
    /** Evaluate Bench: this judge mode instead of janus.judge.mode (a batch's leftovers are judged live). */
    mode: z.enum(['live', 'batch']).optional(),
  })
  .optional();
export type BenchJobArgs = z.infer<typeof benchJobArgsSchema>;

export function parseBenchJobArgs(raw: unknown): BenchJobArgs {
  const parsed = benchJobArgsSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

export interface OpenBench {
  readonly document: vscode.TextDocument;
  readonly parsed: ParsedBench;
}

/** The bench of the arguments or of the active editor; an error that says what to open otherwise. */
export async function openBench(ctx: JanusContext, uri: string | undefined): Promise<OpenBench> {
  const document = uri === undefined ? vscode.window.activeTextEditor?.document : await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
  if (!document) throw new UserFacingError('Open a Multifaceted Bench file (JSON or JSONL with prompt and rubrics) first.');
  const parsed = ctx.bench.documents.get(document);
  if (!parsed) throw new UserFacingError(`${vscode.workspace.asRelativePath(document.uri)} is not a bench file: it needs a JSON list or JSONL of objects with "prompt" and "rubrics".`);
  if (parsed.instances.length === 0) throw new UserFacingError(`${vscode.workspace.asRelativePath(document.uri)} has no valid instance; fix the problems listed in Problems first.`);
  if (document.uri.scheme !== 'file') throw new UserFacingError('Save the bench file first: its run folder sits next to it.');
  return { document, parsed };
}

/** Prices for the progress line's cost, when either is set. */
export function jobPrices(settings: Settings): JobPrices | undefined {
  const prompt = settings['jobs.promptPricePerMillion'];
  const completion = settings['jobs.completionPricePerMillion'];
  return prompt === null && completion === null ? undefined : { promptPerMillion: prompt ?? 0, completionPerMillion: completion ?? 0 };
}

export function jobScheduler(settings: Settings): RequestScheduler {
  return createScheduler({
    concurrency: settings['jobs.concurrency'],
    requestsPerMinute: settings['jobs.requestsPerMinute'] ?? undefined,
    tokensPerMinute: settings['jobs.tokensPerMinute'] ?? undefined,
  });
}

/**
 * A new run, or the unfinished one for the same inputs when the user (or `resume`) says so: its
 * checkpoint makes the job skip every call that already finished.
 */
export async function chooseRun(root: string, fields: Omit<RunRecord, 'runId' | 'output' | 'startedAt' | 'finished'>, outputName: string, resume: boolean | undefined): Promise<RunRecord | undefined> {
  const unfinished = await findUnfinishedRun(root, fields);
  if (unfinished) {
    let choice = resume === undefined ? undefined : resume ? 'Resume' : 'Start Over';
    choice ??= await vscode.window.showInformationMessage(`An unfinished ${fields.kind} run for these inputs exists (${unfinished.runId}). Resume it without repeating finished calls?`, 'Resume', 'Start Over');
    if (choice === undefined) return undefined;
    if (choice === 'Resume') return unfinished;
  }
  const record = newRunRecord(root, fields, outputName);
  await saveRunRecord(root, record);
  return record;
}

/** The bench a job runs on, so its lenses show the job's progress (and a click cancels it). */
export interface LiveJobTarget {
  readonly bench: vscode.Uri;
  readonly kind: 'evaluate' | 'generate';
  /** A lens's Evaluate: those instances' lenses say "evaluating…". */
  readonly ids: readonly string[] | undefined;
}

/** Runs a job under a cancellable progress notification with counts, rate, cost and ETA. */
export function withJobProgress<T>(ctx: JanusContext, title: string, unit: string, job: (signal: AbortSignal, onProgress: (p: JobProgress) => void) => Promise<T>, target?: LiveJobTarget): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const request = ctx.requests.begin(token);
    // The lens's Cancel stops this job only; the notification's Cancel and Cancel All stop it too.
    const own = new AbortController();
    const live = target ? ctx.bench.activity.begin(target.bench, { kind: target.kind, ids: target.ids, title, cancel: () => own.abort() }) : undefined;
    let lastPercent = 0;
    try {
      return await job(AbortSignal.any([request.signal, own.signal]), (p) => {
        const percent = p.total === 0 ? 100 : (p.done / p.total) * 100;
        progress.report({ message: formatProgress(p, unit), increment: Math.max(0, percent - lastPercent) });
        lastPercent = percent;
        live?.report(p.done, p.total);
      });
    } finally {
      live?.end();
      request.end();
    }
  });
}

/**
 * Evaluate Bench with janus.judge.mode "batch": submits the run's items not judged yet as one
 * Batch API batch (or takes up the run's pending one) and returns; the window's batch poller
 * (status bar) writes the results when the batch ends.
 */
export async function submitBenchBatch(
  ctx: JanusContext,
  run: { readonly root: string; readonly record: RunRecord; readonly instances: readonly BenchInstance[]; readonly responses: ResponsesFile; readonly identity: string; readonly profile: EndpointProfile },
): Promise<EvaluateBenchResult> {
  const { root, record } = run;
  const folder = folderOf(root, record);
  const stateFile = batchStateFileOf(root, record);
  const judge = batchJudgeOf(run.identity, run.profile);
  const { openaiBatchApi } = await import('../../core/judge/openaiBatchApi');
  const api = openaiBatchApi({ baseUrl: run.profile.baseUrl, model: run.profile.model, apiKey: await ctx.keys.keyFor(run.profile.baseUrl) });
  const before = await readBatchState(stateFile);
  const cache = await openCallCache(folder.cache);
  let state: BatchState;
  try {
    state = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Janus: submitting the batch of ${run.instances.length} instances` }, () =>
      submitBatchEvaluation({ instances: run.instances, responses: run.responses, judge, runs: record.runs, outFile: folder.output, checkpointFile: folder.checkpoint, stateFile, cache, api, logger: ctx.log }),
    );
  } finally {
    await cache.close();
  }
  const batches = batchEvaluations(ctx);
  batches.track(root, record, state, true);
  if (isBatchPending(state)) {
    const resumed = before !== undefined && isBatchPending(before) && before.batchId !== undefined;
    void vscode.window.showInformationMessage(
      resumed
        ? `Batch ${state.batchId ?? ''} of this run is still pending (${batchStatusText(state)}); no new batch was submitted. The status bar follows it.`
        : `Batch ${state.batchId ?? ''} submitted: ${state.requests} judge requests, results within 24 h. The status bar follows it, also after a reload.`,
    );
  }
  return {
    runDir: folder.dir,
    output: folder.output,
    summaryFile: evaluationOutputs(folder.output, record.runs).summary,
    mean: null,
    scored: 0,
    unscored: 0,
    cancelled: false,
    batch: { id: state.batchId, status: batchStatusText(state), requests: state.requests, stateFile },
  };
}
