import { readdir } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import type { BenchInstance } from '../../core/bench/benchSchema';
import { missingResponses, readResponsesFile } from '../../core/bench/resultFiles';
import { UserFacingError } from '../../core/errors';
import { openCallCache } from '../../core/jobs/callCache';
import type { EvaluationJobResult } from '../../core/jobs/evaluationJob';
import { batchJudgeOf } from '../../core/jobs/batchEvaluation';
import { evaluationFileForRun, runEvaluationJob } from '../../core/jobs/evaluationJob';
import { endpointTextModel } from '../../core/jobs/textModel';
import { loadedEvaluation } from '../bench/evaluationResults';
import type { BenchJobArgs } from '../bench/jobSupport';
import { chooseRun, jobPrices, jobScheduler, openBench, parseBenchJobArgs, submitBenchBatch, withJobProgress } from '../bench/jobSupport';
import { showSummaryReport } from '../bench/summaryReport';
import { folderOf, latestResponses, modelNameOf, runsRoot, saveRunRecord } from '../bench/runRecords';
import type { JanusContext } from '../context';
import { reportError } from '../notify';

export interface EvaluateBenchResult {
  readonly runDir: string;
  /** The evaluation file of the first judge run. */
  readonly output: string;
  readonly summaryFile: string;
  readonly mean: number | null;
  readonly scored: number;
  readonly unscored: number;
  readonly cancelled: boolean;
  /** With janus.judge.mode "batch": the submitted batch; the results come when it ends. */
  readonly batch?: { readonly id: string | undefined; readonly status: string; readonly requests: number; readonly stateFile: string } | undefined;
}

async function pickResponses(root: string, bench: string, given: string | undefined): Promise<string | undefined> {
  if (given !== undefined) return path.resolve(root, given);
  const latest = await latestResponses(root, bench);
  const items: (vscode.QuickPickItem & { file?: string })[] = [];
  if (latest) items.push({ label: path.basename(latest.output), description: `generated ${latest.runId}`, file: latest.output });
  // Responses files beside the bench (the original scripts' layout) are offered too.
  const beside = await readdir(path.dirname(bench)).catch(() => [] as string[]);
  for (const name of beside.filter((n) => n.endsWith('_responses.json')).sort()) {
    items.push({ label: name, description: 'beside the bench', file: path.join(path.dirname(bench), name) });
  }
  items.push({ label: '$(folder-opened) Choose a responses file...' });
  const picked = items.length === 1 ? items[0] : await vscode.window.showQuickPick(items, { title: 'Janus: Evaluate Bench: responses to judge', placeHolder: 'A <model>_responses.json file' });
  if (!picked) return undefined;
  if (picked.file) return picked.file;
  const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Responses file': ['json'] }, defaultUri: vscode.Uri.file(root), openLabel: 'Judge These Responses' });
  return chosen?.[0]?.fsPath;
}

/**
 * Janus: Evaluate Bench: judges the responses to the open bench (every instance, or the ids a lens
 * passes) on each rubric, checkpointed in `.janus/runs/<run id>/`, resumable, then shows the scores.
 */
export async function evaluateBench(ctx: JanusContext, rawArgs?: unknown): Promise<EvaluateBenchResult | undefined> {
  const args: BenchJobArgs = parseBenchJobArgs(rawArgs);
  const { document, parsed } = await openBench(ctx, args?.uri);
  const root = runsRoot(document.uri);
  const client = await ctx.clients.get('judge');
  if (!client) {
    void reportError(ctx.log, 'Evaluate Bench', new UserFacingError('No judge endpoint is configured: set janus.judge.baseUrl (and janus.judge.model).'));
    return undefined;
  }
  const responsesFile = await pickResponses(root, document.uri.fsPath, args?.responses);
  if (responsesFile === undefined) return undefined;
  const responses = await readResponsesFile(responsesFile);
  const ids = args?.ids;
  const instances: BenchInstance[] = ids ? parsed.instances.filter((i) => ids.includes(i.id)) : [...parsed.instances];
  if (instances.length === 0) throw new UserFacingError(`Instance ${ids?.join(', ') ?? ''} has problems; fix them before evaluating it.`);
  const missing = missingResponses(instances, responses);
  if (missing.length === instances.length) throw new UserFacingError(`${path.basename(responsesFile)} has no response for ${ids ? `instance ${missing.join(', ')}` : 'any instance of this bench'}. Run "Janus: Generate Responses for Bench" or pick another file.`);
  if (missing.length > 0) ctx.log.warn(`${path.basename(responsesFile)} has no response for ${missing.length} instance(s): ${missing.slice(0, 20).join(', ')}`);

  const judge = endpointTextModel(client);
  const runs = ids ? 1 : ctx.config.settings['evaluation.runs'];
  // A lens's Evaluate (a few items) is judged live: a batch can take up to a day.
  const batch = (args?.mode ?? ctx.config.settings['judge.mode']) === 'batch' && !ids;
  // Settings the Batch API cannot work with are reported before a run folder is made.
  if (batch) batchJudgeOf(judge.identity, client.profile);
  const record = await chooseRun(root, { kind: 'evaluate', bench: document.uri.fsPath, responses: responsesFile, model: judge.identity, runs, ids }, `${modelNameOf(responsesFile)}_evaluation.json`, args?.resume);
  if (!record) return undefined;
  const folder = folderOf(root, record);
  if (batch) {
    return submitBenchBatch(ctx, { root, record, instances, responses, identity: judge.identity, profile: client.profile });
  }
  const scheduler = jobScheduler(ctx.config.settings);
  const cache = await openCallCache(folder.cache);
  const title = ids ? `Janus: evaluating instance ${ids.join(', ')}` : `Janus: evaluating ${instances.length} instances`;
  const result: EvaluationJobResult = await withJobProgress(ctx, title, 'judge calls', (signal, onProgress) =>
    runEvaluationJob({ instances, responses, judge, scheduler, outFile: folder.output, checkpointFile: folder.checkpoint, runs, cache, signal, onProgress, prices: jobPrices(ctx.config.settings), logger: ctx.log, intervals: ctx.stats.intervals }),
    { bench: document.uri, kind: 'evaluate', ids },
  );
  const finished = !result.cancelled && result.stoppedBy === undefined && result.failures.length === 0;
  if (finished) await saveRunRecord(root, { ...record, finished: true });

  const shown = { ...loadedEvaluation(folder.output, evaluationFileForRun(instances, responses, result.records, 0)), responses: responsesFile };
  if (ids) ctx.bench.results.patch(document.uri, shown);
  else ctx.bench.results.set(document.uri, { shown });

  const { summary } = result;
  const outcome: EvaluateBenchResult = {
    runDir: folder.dir,
    output: result.files.evaluations[0] ?? folder.output,
    summaryFile: result.files.summary,
    mean: summary.overall,
    scored: summary.scored,
    unscored: summary.unscored,
    cancelled: result.cancelled,
  };
  const mean = summary.overall === null ? 'no score' : `mean ${summary.overall.toFixed(2)}${result.intervals.overall ? ` [${result.intervals.overall.low.toFixed(2)}, ${result.intervals.overall.high.toFixed(2)}]` : ''}`;
  const gaps = `${summary.unscored > 0 ? ` · ${summary.unscored} unscored` : ''}${summary.missing > 0 ? ` · ${summary.missing} not judged` : ''}`;
  if (result.stoppedBy) {
    void reportError(ctx.log, 'Evaluate Bench', new UserFacingError(`Evaluation stopped: ${result.stoppedBy.message} Finished calls are kept; run Evaluate Bench again to resume.`, { cause: result.stoppedBy }));
  } else if (result.cancelled || !finished) {
    void vscode.window.showWarningMessage(`Evaluation ${result.cancelled ? 'cancelled' : 'incomplete'}: ${result.progress.done} of ${result.progress.total} calls done (${mean}${gaps}). Run Evaluate Bench again and choose Resume to finish without repeating them.`);
  } else if (!ids) {
    void vscode.window.showInformationMessage(`Bench evaluated: ${mean} over ${instances.length} instances${gaps}.`, 'Show Results').then((choice) => {
      if (choice === 'Show Results') void showSummaryReport(result.files.summary, { ...summary, intervals: result.intervals }, folder.output);
    });
  }
  return outcome;
}
