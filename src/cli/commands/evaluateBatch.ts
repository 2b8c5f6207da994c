/**
 * `janus evaluate --batch`: the bench judged through the OpenAI Batch API. Submits (or finds the
 * batch a previous run of the same command submitted, from `<out>.batch.json`), prints a status
 * line while polling, and writes the same evaluation files and summary as the live command.
 * Ctrl+C stops polling only: the batch keeps running, and the same command resumes it.
 */
import type { BenchInstance } from '../../core/bench/benchSchema';
import type { ResponsesFile } from '../../core/bench/resultFiles';
import type { BatchEvaluationOptions, BatchState } from '../../core/jobs/batchEvaluation';
import { batchJudgeOf, batchStatusText, cancelBatchEvaluation, pollBatchEvaluation, readBatchState, submitBatchEvaluation } from '../../core/jobs/batchEvaluation';
import type { CallCache } from '../../core/jobs/callCache';
import { withRunLock } from '../../core/jobs/runLock';
import { openaiBatchApi } from '../../core/judge/openaiBatchApi';
import type { JudgeTemplate } from '../../core/prompts/judgePrompt';
import type { CliEndpoint } from './evaluate';
import { abortOnSigint, cliApiKey, cliProfile, formatSummary, itemsOf, missingResponsesText, stderrLogger } from './evaluate';

export interface CliBatchOptions {
  readonly endpoint: CliEndpoint;
  /** The live judge's identity, so the checkpoint is shared with `evaluate` without `--batch`. */
  readonly identity: string;
  readonly instances: readonly BenchInstance[];
  readonly responses: ResponsesFile;
  /** The responses file's path, for messages. */
  readonly responsesFile: string;
  readonly runs: number;
  readonly out: string;
  readonly template: JudgeTemplate | undefined;
  readonly systemPrompt: string;
  readonly cache: CallCache | undefined;
  readonly pollMs: number | undefined;
  /** Cancel the pending batch instead of polling it. */
  readonly cancel: boolean;
}

export function batchStateFile(out: string): string {
  return `${out}.batch.json`;
}

export async function runCliBatch(options: CliBatchOptions): Promise<number> {
  // The live job's lock on the same output: a live and a batch run never overlap on one --out.
  return withRunLock(options.out, stderrLogger, () => batch(options));
}

async function batch(options: CliBatchOptions): Promise<number> {
  const profile = cliProfile(options.endpoint);
  const apiKey = cliApiKey();
  const fixNames = options.endpoint.fixNames;
  const api = openaiBatchApi({ baseUrl: profile.baseUrl, model: profile.model, fixNames, ...(apiKey ? { apiKey } : {}) });
  const stateFile = batchStateFile(options.out);
  if (options.cancel) {
    const state = await cancelBatchEvaluation({ stateFile, api });
    process.stderr.write(state ? `batch ${state.batchId ?? '(not created)'}: ${batchStatusText(state)}; run the same command without --cancel-batch to collect what finished\n` : `no batch to cancel (${stateFile} does not exist)\n`);
    return 0;
  }
  const sigint = abortOnSigint();
  let lastLine = '';
  const onState = (state: BatchState): void => {
    const line = `batch ${state.batchId ?? ''}: ${batchStatusText(state)}`.replace('batch : ', 'batch: ');
    if (line === lastLine) return;
    lastLine = line;
    process.stderr.write(process.stderr.isTTY ? `\r\x1b[2K${line}` : `${line}\n`);
  };
  const job: BatchEvaluationOptions = {
    instances: options.instances,
    responses: options.responses,
    judge: batchJudgeOf(options.identity, profile, fixNames),
    runs: options.runs,
    template: options.template,
    systemPrompt: options.systemPrompt,
    outFile: options.out,
    checkpointFile: `${options.out}.checkpoint.jsonl`,
    stateFile,
    cache: options.cache,
    api,
    signal: sigint.signal,
    onState,
    poll: options.pollMs === undefined ? undefined : { intervalMs: options.pollMs },
    logger: stderrLogger,
  };
  try {
    const existing = await readBatchState(stateFile);
    if (existing?.phase === 'submitted') process.stderr.write(`resuming batch ${existing.batchId ?? ''} from ${stateFile}\n`);
    await submitBatchEvaluation(job);
    const result = await pollBatchEvaluation(job);
    if (process.stderr.isTTY && lastLine !== '') process.stderr.write('\n');
    if (result.stopped || !result.evaluation) {
      process.stderr.write(`stopped polling: batch ${result.state.batchId ?? ''} keeps running at the server; run the same command again to resume\n`);
      return 130;
    }
    const { summary, intervals, files, unscored, missingResponses } = result.evaluation;
    const withoutResponse = itemsOf(options.instances, missingResponses, options.runs);
    if (missingResponses.length > 0) process.stderr.write(`error: ${missingResponsesText(missingResponses, withoutResponse, options.responsesFile)}\n`);
    process.stdout.write(`${formatSummary(summary, intervals)}\nwrote ${[...files.evaluations, files.summary].join(', ')}\n`);
    if (result.state.status === 'expired' || result.state.status === 'cancelled') process.stderr.write(`batch ${result.state.status}: the replies that finished are kept\n`);
    if (unscored.length > 0 || summary.missing > 0) {
      process.stderr.write(`${unscored.length} rubric item(s) unscored (reasons in the evaluation file's feedback), ${summary.missing} not judged: run the same command without --batch to judge just those live, or with --batch to send them as a new batch\n`);
      return 1;
    }
    return 0;
  } finally {
    sigint.dispose();
    await options.cache?.close();
  }
}
