/**
 * Evaluate Bench through the OpenAI Batch API: the judge requests go into one JSONL file, which is
 * uploaded and run as a batch (half the price, up to 24 h); the output comes back into the same
 * checkpoint, evaluation files and summary the live job writes.
 *
 * Every step is recorded in a state file (`batch.json` in a run folder) written atomically, so a
 * process that dies at any point resumes where it was: the input is uploaded and the batch created
 * at most once (a batch created just before a crash is found again by its input file), and a
 * pending batch is only polled. Items already judged (checkpoint or reply cache) are not sent.
 *
 * Scored replies go to the checkpoint in the live job's format. Replies without a score and failed
 * lines are written to the evaluation file as unscored with the reason, but not to the checkpoint:
 * the live job resumed on the same checkpoint judges exactly those items again.
 */
import { createHash } from 'node:crypto';
import { readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { missingResponses as missingResponsesOf } from '../bench/resultFiles';
import type { EndpointFixNames } from '../endpoints/endpointError';
import { EndpointError } from '../endpoints/endpointError';
import { displayOrigin } from '../endpoints/profile';
import type { EndpointProfile, Sampling } from '../endpoints/profile';
import { UserFacingError, describeError } from '../errors';
import { writeFileAtomic } from '../files/atomicWrite';
import type { EvaluationSummary } from '../judge/aggregate';
import type { BatchApi, BatchInfo } from '../judge/batchApi';
import { isTerminalStatus } from '../judge/batchApi';
import { batchCustomId, judgeBatchLines, parseJudgeBatchOutput } from '../judge/batchFiles';
import type { Logger } from '../log';
import type { CallCache } from './callCache';
import { CheckpointWriter, readCheckpoint } from './checkpoint';
import type { EvaluationJobOptions, JudgeRecord } from './evaluationJob';
import { writeEvaluationOutputs } from './evaluationJob';
import type { IntervalsJson } from '../stats/evaluationStats';
import { abortableSleep } from './retry';
import { acceptLine, itemsDigest, judgedAlready, judgeItems, sentCustomIds } from './batchItems';
import type { BatchState } from './batchState';
import { batchFilesOf, isBatchPending, readBatchState, withInfo, writeBatchState } from './batchState';

export type { BatchState } from './batchState';
export { batchFilesOf, batchStatusText, isBatchPending, readBatchState } from './batchState';

/** The judge as the batch sees it: the live judge's identity (so checkpoint lines match), its model and sampling. */
export interface BatchJudge {
  readonly identity: string;
  readonly model: string;
  readonly sampling: Pick<Sampling, 'maxTokens' | 'temperature' | 'topP'>;
}

/**
 * The batch judge of a judge profile and the identity of its live text model. The Batch API runs
 * chat requests with a system turn for a named model: anything else is an error that says what to
 * set, in the host's names (`fixNames`: the CLI's flags; default: the editor's settings).
 */
export function batchJudgeOf(identity: string, profile: EndpointProfile, fixNames?: EndpointFixNames): BatchJudge {
  if (profile.format !== 'chat' || !profile.chatSystemRole) {
    throw new UserFacingError(
      fixNames
        ? `Batch evaluation sends chat requests with a system message: fix ${fixNames.format}.`
        : 'Batch evaluation sends chat requests with a system message: set janus.judge.format to "chat" and janus.judge.chatSystemRole to true, or use janus.judge.mode "live".',
    );
  }
  if (profile.model === '') throw new UserFacingError(`Batch evaluation needs the judge model id (the Batch API does not pick one): set ${fixNames?.model ?? 'janus.judge.model'}, e.g. gpt-4-0125-preview.`);
  return { identity, model: profile.model, sampling: profile.sampling };
}

export interface BatchPollOptions {
  /** First wait between looks at the batch, and the wait after any change. Default 10 s. */
  readonly intervalMs?: number | undefined;
  /** Longest wait while nothing changes (the wait grows 1.5x a look). Default 12x the interval. */
  readonly maxIntervalMs?: number | undefined;
  /** Failed looks in a row (network, 5xx) before polling stops with an error. Default 10. */
  readonly maxFailures?: number | undefined;
}

/** The live job's inputs (bench, responses, runs, template, system prompt), a batch judge and the batch's files. */
export interface BatchEvaluationOptions extends Pick<EvaluationJobOptions, 'instances' | 'responses' | 'runs' | 'template' | 'systemPrompt' | 'intervals'> {
  readonly judge: BatchJudge;
  /** The evaluation file (several runs: one per run beside it, as the live job). */
  readonly outFile: string;
  /** The live job's checkpoint: judged items are read from it and batch replies appended to it. */
  readonly checkpointFile: string;
  /** `batch.json`; the input, output and error files are kept beside it (see `batchFilesOf`). */
  readonly stateFile: string;
  readonly cache?: CallCache | undefined;
  readonly api: BatchApi;
  /** Stops polling (the batch keeps running at the server; polling again resumes). */
  readonly signal?: AbortSignal | undefined;
  /** Called with the state after every step and every look at the batch. */
  readonly onState?: ((state: BatchState) => void) | undefined;
  readonly poll?: BatchPollOptions | undefined;
  readonly logger?: Logger | undefined;
}

async function saveState(options: BatchEvaluationOptions, state: BatchState): Promise<BatchState> {
  const saved = await writeBatchState(options.stateFile, state);
  options.onState?.(saved);
  return saved;
}

/** A failed batch (the server's `errors` in the message), or polling that could not go on. */
export class BatchJobError extends UserFacingError {
  override readonly name = 'BatchJobError';
}

function origin(options: BatchEvaluationOptions): string {
  return displayOrigin(JSON.parse(options.judge.identity).baseUrl as string);
}

/** Uploads the input and creates the batch, whatever of that is not done yet. */
async function advance(options: BatchEvaluationOptions, start: BatchState): Promise<BatchState> {
  let state = start;
  const files = batchFilesOf(options.stateFile);
  if (state.phase === 'prepared') {
    const bytes = (await stat(files.input)).size;
    let fileId: string;
    try {
      fileId = await options.api.uploadInput(`janus-${path.basename(path.dirname(options.stateFile))}-batch.jsonl`, files.input, options.signal);
    } catch (error) {
      const tooLarge = error instanceof EndpointError && error.status === 413;
      throw new BatchJobError(
        `Uploading the batch input (${state.requests} requests, ${(bytes / 1e6).toFixed(1)} MB) to ${origin(options)} failed: ${describeError(error)}${tooLarge ? ' The Batch API takes at most 50,000 requests and 200 MB a file: evaluate fewer instances or runs at a time.' : ''} Nothing was submitted; run the evaluation again to retry.`,
        { cause: error },
      );
    }
    state = await saveState(options, { ...state, phase: 'uploaded', inputFileId: fileId });
  }
  if (state.phase === 'uploaded' && state.inputFileId !== undefined) {
    const inputFileId = state.inputFileId;
    // A crash between creating the batch and saving its id: the batch exists, find it by its input.
    const existing = await options.api.recent(options.signal).then(
      (batches) => batches.find((b) => b.inputFileId === inputFileId),
      (error: unknown) => {
        options.logger?.debug(`Listing recent batches failed (${describeError(error)}); creating the batch.`);
        return undefined;
      },
    );
    let info: BatchInfo;
    try {
      info = existing ?? (await options.api.create(inputFileId, { janus_run: path.basename(path.dirname(options.stateFile)).slice(0, 512), janus_input_sha256: state.inputSha256.slice(0, 64) }, options.signal));
    } catch (error) {
      throw new BatchJobError(`Creating the batch at ${origin(options)} failed: ${describeError(error)} The input file ${inputFileId} is uploaded; run the evaluation again to retry.`, { cause: error });
    }
    state = await saveState(options, { ...withInfo(state, info), phase: 'submitted', submittedAt: new Date().toISOString() });
  }
  return state;
}

/**
 * Submits the items not judged yet as a batch, or carries on with the pending one (finishing its
 * upload or creation). With nothing left to judge, the state is `done` without any request.
 */
export async function submitBatchEvaluation(options: BatchEvaluationOptions): Promise<BatchState> {
  const runs = options.runs ?? 1;
  const existing = await readBatchState(options.stateFile);
  if (existing && isBatchPending(existing)) return advance(options, existing);
  const items = judgeItems(options, runs);
  const done = await judgedAlready(options, items);
  const sent = new Set(items.filter((i) => !done.has(i.key)).map((i) => i.customId));
  // Everything judged: the finished batch stays as it is (polling it rewrites the same files).
  if (existing && sent.size === 0) return existing;
  const local = batchFilesOf(options.stateFile);
  // A new batch: the last one's replies are in the checkpoint, its local files would be read as this one's.
  await Promise.all([rm(local.output, { force: true }), rm(local.errors, { force: true })]);
  // Written and hashed line by line: the input is never one string in memory.
  const inputHash = createHash('sha256');
  const lines = function* (): Generator<string> {
    for (const line of judgeBatchLines({ ...options, model: options.judge.model, sampling: options.judge.sampling, runs, include: (customId) => sent.has(customId) })) {
      inputHash.update(line);
      yield line;
    }
  };
  await writeFileAtomic(local.input, lines());
  const now = new Date().toISOString();
  const judge = JSON.parse(options.judge.identity) as { baseUrl?: unknown };
  const previous = existing ? [...(existing.previous ?? []), { batchId: existing.batchId, status: existing.status, requests: existing.requests }] : undefined;
  const state: BatchState = {
    version: 1,
    phase: sent.size === 0 ? 'done' : 'prepared',
    judge: { baseUrl: typeof judge.baseUrl === 'string' ? judge.baseUrl : '', model: options.judge.model },
    runs,
    requests: sent.size,
    inputSha256: inputHash.digest('hex'),
    itemsSha256: itemsDigest(items, sent),
    createdAt: now,
    updatedAt: now,
    ...(previous ? { previous } : {}),
  };
  const saved = await saveState(options, state);
  return sent.size === 0 ? saved : advance(options, saved);
}

/** Asks the server to cancel the batch; the state is kept and polling collects what finished. */
export async function cancelBatchEvaluation(options: Pick<BatchEvaluationOptions, 'stateFile' | 'api' | 'onState'>): Promise<BatchState | undefined> {
  const state = await readBatchState(options.stateFile);
  if (!state || !isBatchPending(state)) return state;
  if (state.batchId === undefined) {
    // Not created yet: nothing runs at the server, so the submission just ends here.
    return saveState(options as BatchEvaluationOptions, { ...state, phase: 'done', status: 'cancelled', finishedAt: new Date().toISOString() });
  }
  const info = await options.api.cancel(state.batchId);
  return saveState(options as BatchEvaluationOptions, withInfo(state, info));
}

/** Looks at the batch until it ends (backing off while nothing changes) or the signal stops polling. */
async function waitForBatch(options: BatchEvaluationOptions, start: BatchState): Promise<BatchState> {
  const intervalMs = options.poll?.intervalMs ?? 10_000;
  const maxIntervalMs = Math.max(intervalMs, options.poll?.maxIntervalMs ?? intervalMs * 12);
  const maxFailures = options.poll?.maxFailures ?? 10;
  const batchId = start.batchId;
  if (batchId === undefined) return start;
  let state = start;
  let delay = intervalMs;
  let failures = 0;
  while (!(state.status !== undefined && isTerminalStatus(state.status))) {
    if (options.signal?.aborted) return state;
    let info: BatchInfo;
    try {
      info = await options.api.retrieve(batchId, options.signal);
      failures = 0;
    } catch (error) {
      if (options.signal?.aborted) return state;
      failures++;
      const transient = error instanceof EndpointError && (error.retryable || error.kind === 'timeout');
      if (!transient || failures >= maxFailures) {
        throw new BatchJobError(`Could not look at batch ${batchId} at ${origin(options)}: ${describeError(error)} The batch keeps running there; its state is kept, so evaluating again resumes polling.`, { cause: error });
      }
      options.logger?.warn(`Batch ${batchId}: look ${failures} of ${maxFailures} failed (${describeError(error)}); trying again.`);
      await abortableSleep(delay, options.signal).catch(() => undefined);
      delay = Math.min(delay * 1.5, maxIntervalMs);
      continue;
    }
    const changed = info.status !== state.status || JSON.stringify(info.counts) !== JSON.stringify(state.counts);
    state = await saveState(options, withInfo(state, info));
    if (isTerminalStatus(info.status)) break;
    delay = changed ? intervalMs : Math.min(delay * 1.5, maxIntervalMs);
    await abortableSleep(delay, options.signal).catch(() => undefined);
  }
  return state;
}

/** An item the batch left without a score: its reply had none, or its request failed. */
export interface UnscoredItem {
  readonly key: string;
  readonly reason: string;
}

export interface BatchEvaluationResult {
  readonly state: BatchState;
  /** Polling stopped by the signal before the batch ended: nothing written, poll again later. */
  readonly stopped: boolean;
  readonly evaluation?:
    | {
        readonly summary: EvaluationSummary;
        readonly intervals: IntervalsJson;
        readonly records: readonly JudgeRecord[];
        /** Not in the checkpoint: the live job resumed on it judges exactly these again. */
        readonly unscored: readonly UnscoredItem[];
        readonly missingResponses: readonly string[];
        readonly files: { readonly evaluations: readonly string[]; readonly summary: string };
      }
    | undefined;
}

/** The server's file, downloaded once into `local` (a rerun reads the local copy). */
async function localCopy(options: BatchEvaluationOptions, fileId: string | null | undefined, local: string, what: string): Promise<string> {
  if (fileId === null || fileId === undefined) return '';
  try {
    const text = await readFile(local, 'utf8');
    return text;
  } catch {
    // not downloaded yet
  }
  let text: string;
  try {
    text = await options.api.fileText(fileId, options.signal);
  } catch (error) {
    throw new BatchJobError(`Could not download the ${what} file ${fileId} of the batch from ${origin(options)}: ${describeError(error)} The batch's state is kept; evaluating again retries the download.`, { cause: error });
  }
  await writeFileAtomic(local, text);
  return text;
}

/** Reads the finished batch's files into the checkpoint and writes the evaluation files and summary. */
async function collect(options: BatchEvaluationOptions, start: BatchState): Promise<BatchEvaluationResult> {
  let state = start;
  const runs = state.runs;
  const files = batchFilesOf(options.stateFile);
  const items = judgeItems(options, runs);
  const done = await judgedAlready(options, items);
  const unscoredRecords = new Map<string, JudgeRecord>();
  const unscored: UnscoredItem[] = [];
  if (state.batchId !== undefined && state.status !== 'failed') {
    if (state.status === 'completed' && !state.outputFileId && !state.errorFileId) {
      throw new BatchJobError(`Batch ${state.batchId} completed without an output or error file at ${origin(options)}, so there are no replies to read. Check the batch in the provider's dashboard; evaluating again submits the items anew once ${options.stateFile} is moved away.`);
    }
    const sent = await sentCustomIds(files.input);
    if (itemsDigest(items, sent) !== state.itemsSha256) {
      throw new BatchJobError(`The bench, the responses or the judge settings changed since batch ${state.batchId} was submitted, so its replies no longer match the items. The batch's files are kept beside ${options.stateFile}: restore the inputs and evaluate again, or move that file away to submit a new batch.`);
    }
    const output = await localCopy(options, state.outputFileId, files.output, 'output');
    const errors = await localCopy(options, state.errorFileId, files.errors, 'error');
    const byCustomId = new Map(items.map((i) => [i.customId, i]));
    const parsedOutput = parseJudgeBatchOutput(output, options.instances, runs);
    const parsedErrors = parseJudgeBatchOutput(errors, options.instances, runs);
    const checkpoint = new CheckpointWriter(options.checkpointFile, (await readCheckpoint(options.checkpointFile, acceptLine)).endsMidLine);
    try {
      for (const item of [...parsedOutput.items, ...parsedErrors.items]) {
        const judged = byCustomId.get(batchCustomId(item.id, item.rubricIndex, item.run));
        if (!judged || !sent.has(judged.customId)) continue;
        if (item.score === null) {
          unscoredRecords.set(judged.key, { ...item, score: null, reply: item.reply, feedback: item.feedback, attempts: 1 });
          unscored.push({ key: judged.key, reason: 'the reply has no score' });
          continue;
        }
        const record: JudgeRecord = { run: item.run, id: item.id, rubricIndex: item.rubricIndex, score: item.score, feedback: item.feedback, reply: item.reply, attempts: 1 };
        if (done.get(judged.key)?.reply !== record.reply) checkpoint.append({ key: judged.key, fingerprint: judged.fingerprint, result: record });
        done.set(judged.key, record);
        await options.cache?.put(judged.fingerprint, { text: item.reply });
      }
    } finally {
      checkpoint.close();
    }
    for (const line of [...parsedOutput.failed, ...parsedErrors.failed]) {
      const judged = line.customId === undefined ? undefined : byCustomId.get(line.customId);
      if (!judged || done.has(judged.key)) {
        options.logger?.warn(`Batch ${state.batchId}: line ${line.line} of its ${parsedErrors.failed.includes(line) ? 'error' : 'output'} file skipped (${line.reason}).`);
        continue;
      }
      const reason = `Batch request failed: ${line.reason}`;
      unscoredRecords.set(judged.key, { run: judged.run, id: judged.id, rubricIndex: judged.rubricIndex, score: null, feedback: reason, reply: reason, attempts: 1 });
      unscored.push({ key: judged.key, reason: line.reason });
    }
  }
  const records = [...done.values(), ...[...unscoredRecords].filter(([key]) => !done.has(key)).map(([, r]) => r)];
  const missingResponses = missingResponsesOf(options.instances, options.responses);
  const { summary, intervals, files: written } = await writeEvaluationOutputs({ ...options, runs, records, judgeIdentity: options.judge.identity, missingResponses });
  const notJudged = items.length - records.length;
  state = await saveState(options, { ...state, phase: 'done', finishedAt: state.finishedAt ?? new Date().toISOString(), result: { scored: summary.scored, unscored: summary.unscored, notJudged } });
  return { state, stopped: false, evaluation: { summary, intervals, records, unscored, missingResponses, files: written } };
}

/**
 * Polls the submitted batch until it ends, then writes the results. A `failed` batch throws a
 * `BatchJobError` with the server's errors; `expired` and `cancelled` batches keep what finished
 * (the rest is not judged). With the signal aborted, returns `stopped` and the state as it is.
 */
export async function pollBatchEvaluation(options: BatchEvaluationOptions): Promise<BatchEvaluationResult> {
  let state = await readBatchState(options.stateFile);
  if (!state) throw new BatchJobError(`No batch state at ${options.stateFile}: submit the evaluation first.`);
  if (state.phase === 'prepared' || state.phase === 'uploaded') state = await advance(options, state);
  state = await waitForBatch(options, state);
  if (state.batchId !== undefined && !(state.status !== undefined && isTerminalStatus(state.status))) return { state, stopped: true };
  if (state.status === 'failed') {
    state = await saveState(options, { ...state, phase: 'done', finishedAt: state.finishedAt ?? new Date().toISOString() });
    const errors = state.errors?.length ? state.errors.slice(0, 5).join('; ') : 'the server gave no reason';
    throw new BatchJobError(`Batch ${state.batchId ?? ''} failed at ${origin(options)}: ${errors}. Nothing was judged; fix the cause and evaluate again to submit a new batch.`);
  }
  return collect(options, state);
}

/** Submit (or resume) and poll until the results are written. */
export async function runBatchEvaluation(options: BatchEvaluationOptions): Promise<BatchEvaluationResult> {
  await submitBatchEvaluation(options);
  return pollBatchEvaluation(options);
}
