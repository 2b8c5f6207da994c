import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import { parseBenchText } from '../../core/bench/benchFile';
import type { BenchInstance } from '../../core/bench/benchSchema';
import { readResponsesFile } from '../../core/bench/resultFiles';
import { endpointProfileSchema } from '../../core/endpoints/profile';
import { UserFacingError, describeError } from '../../core/errors';
import type { BatchEvaluationOptions, BatchEvaluationResult, BatchState } from '../../core/jobs/batchEvaluation';
import { batchJudgeOf, batchStatusText, cancelBatchEvaluation, isBatchPending, pollBatchEvaluation, readBatchState } from '../../core/jobs/batchEvaluation';
import { openCallCache } from '../../core/jobs/callCache';
import { evaluationFileForRun } from '../../core/jobs/evaluationJob';
import { commandIds } from '../constants';
import type { JanusContext } from '../context';
import { reportError } from '../notify';
import type { PendingBenchBatch } from './benchActivity';
import { loadedEvaluation } from './evaluationResults';
import type { RunRecord } from './runRecords';
import { folderOf, listRuns, saveRunRecord } from './runRecords';
import { showSummaryReport } from './summaryReport';

/** The state file of a run folder. */
export function batchStateFileOf(root: string, record: Pick<RunRecord, 'runId' | 'output'>): string {
  return path.join(folderOf(root, record).dir, 'batch.json');
}

interface Tracked {
  readonly root: string;
  readonly record: RunRecord;
  state: BatchState;
  readonly stop: AbortController;
  finished: Promise<BatchEvaluationResult | undefined>;
}

/** The inputs of a run folder's batch job, rebuilt from its `run.json` (also after a reload). */
async function jobOptions(ctx: JanusContext, root: string, record: RunRecord): Promise<Omit<BatchEvaluationOptions, 'cache' | 'signal' | 'onState'>> {
  const identity = JSON.parse(record.model) as { baseUrl: string; model: string; format: string; systemRole: boolean; sampling: unknown };
  const profile = endpointProfileSchema.parse({ role: 'judge', baseUrl: identity.baseUrl, model: identity.model, format: identity.format, chatSystemRole: identity.systemRole, sampling: identity.sampling });
  const benchText = await readFile(record.bench, 'utf8').catch((error: unknown) => {
    throw new UserFacingError(`Cannot read the bench ${record.bench} of batch run ${record.runId}: ${describeError(error)}`, { cause: error });
  });
  const all = parseBenchText(benchText).instances;
  const ids = record.ids;
  const instances: BenchInstance[] = ids ? all.filter((i) => ids.includes(i.id)) : [...all];
  if (record.responses === undefined) throw new UserFacingError(`Run ${record.runId} names no responses file.`);
  const folder = folderOf(root, record);
  // The batch lives at the server it was submitted to, with that origin's key, whatever the settings say now.
  const { openaiBatchApi } = await import('../../core/judge/openaiBatchApi');
  const apiKey = await ctx.keys.keyFor(profile.baseUrl);
  return {
    instances,
    responses: await readResponsesFile(record.responses),
    judge: batchJudgeOf(record.model, profile),
    runs: record.runs,
    outFile: folder.output,
    checkpointFile: folder.checkpoint,
    stateFile: batchStateFileOf(root, record),
    api: openaiBatchApi({ baseUrl: profile.baseUrl, model: profile.model, apiKey }),
    poll: { intervalMs: ctx.config.settings['judge.batchPollMs'] },
    logger: ctx.log,
    intervals: ctx.stats.intervals,
  };
}

/**
 * The workspace's pending Batch API evaluations: one poller each, a status bar item while any is
 * pending (click: details and cancel), and on completion the results in the bench's lenses and a
 * notification. Pending batches of the workspace's run folders are picked up again after a reload.
 */
export class BatchEvaluations implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('janus.batchStatus', vscode.StatusBarAlignment.Left, 50);
  private readonly tracked = new Map<string, Tracked>();

  constructor(private readonly ctx: JanusContext) {
    this.item.name = 'Janus Batch Evaluations';
    this.item.command = commandIds.showBatchEvaluations;
  }

  /** Pending batches being polled now. */
  pending(): readonly { readonly stateFile: string; readonly record: RunRecord; readonly state: BatchState }[] {
    return [...this.tracked].map(([stateFile, t]) => ({ stateFile, record: t.record, state: t.state }));
  }

  /** The status bar text, or `undefined` while it is hidden. */
  statusText(): string | undefined {
    return this.tracked.size === 0 ? undefined : this.item.text;
  }

  /** Resolves with the result once the batch of this state file has been collected (or polling failed). */
  whenFinished(stateFile: string): Promise<BatchEvaluationResult | undefined> {
    return this.tracked.get(stateFile)?.finished ?? Promise.resolve(undefined);
  }

  /**
   * Polls the run's batch until it ends (once per state file). A batch no longer pending is only
   * collected again when `collectDone` says so (a submission that found nothing left to send).
   */
  track(root: string, record: RunRecord, state: BatchState, collectDone = false): void {
    const stateFile = batchStateFileOf(root, record);
    if (this.tracked.has(stateFile) || (!isBatchPending(state) && !collectDone)) return;
    const tracked: Tracked = { root, record, state, stop: new AbortController(), finished: Promise.resolve(undefined) };
    this.tracked.set(stateFile, tracked);
    this.render();
    tracked.finished = this.poll(tracked)
      .catch((error: unknown) => {
        void reportError(this.ctx.log, 'Batch evaluation', error);
        return undefined;
      })
      .finally(() => {
        this.tracked.delete(stateFile);
        this.render();
      });
  }

  /** Looks for pending batches in the workspace's run folders; resolves with how many it took up. */
  async resumePending(): Promise<number> {
    let count = 0;
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      if (folder.uri.scheme !== 'file') continue;
      const root = folder.uri.fsPath;
      for (const record of await listRuns(root)) {
        if (record.kind !== 'evaluate') continue;
        const stateFile = batchStateFileOf(root, record);
        let state: BatchState | undefined;
        try {
          state = await readBatchState(stateFile);
        } catch (error) {
          this.ctx.log.warn(describeError(error));
          continue;
        }
        if (state && isBatchPending(state) && !this.tracked.has(stateFile)) {
          this.ctx.log.info(`Resuming batch ${state.batchId ?? '(not created yet)'} of run ${record.runId}.`);
          this.track(root, record, state);
          count++;
        }
      }
    }
    return count;
  }

  /** Asks the server to cancel; the poller then collects what finished before the cancel. */
  async cancel(stateFile: string): Promise<BatchState | undefined> {
    const tracked = this.tracked.get(stateFile);
    if (!tracked) return undefined;
    const options = await jobOptions(this.ctx, tracked.root, tracked.record);
    const state = await cancelBatchEvaluation({ stateFile, api: options.api });
    if (state) tracked.state = state;
    this.render();
    return state;
  }

  /**
   * The status bar item's click: each pending batch, then Cancel Batch / Open batch.json for the one
   * picked. A bench's header lens passes its batch's `stateFile`, which skips the first pick.
   */
  async showDetails(args?: unknown): Promise<void> {
    const only = typeof args === 'object' && args !== null && 'stateFile' in args && typeof args.stateFile === 'string' ? args.stateFile : undefined;
    const items = this.pending().filter((p) => only === undefined || p.stateFile === only).map((p) => ({
      label: `$(cloud-upload) ${path.basename(p.record.bench)}`,
      description: batchStatusText(p.state),
      detail: `batch ${p.state.batchId ?? '(not created yet)'} · run ${p.record.runId} · ${p.state.judge.model} at ${p.state.judge.baseUrl}`,
      stateFile: p.stateFile,
    }));
    if (items.length === 0) {
      void vscode.window.showInformationMessage(only ? 'That batch evaluation has ended.' : 'No batch evaluation is pending in this workspace.');
      return;
    }
    const picked = only && items.length === 1 ? items[0] : await vscode.window.showQuickPick(items, { title: 'Janus: pending batch evaluations', placeHolder: 'Pick a batch to cancel it or open its state file' });
    if (!picked) return;
    const action = await vscode.window.showQuickPick(['Cancel Batch', 'Open batch.json'], { title: `${picked.label}: ${picked.description}` });
    if (action === 'Cancel Batch') {
      const state = await this.cancel(picked.stateFile);
      void vscode.window.showInformationMessage(`Batch ${state?.batchId ?? ''} is ${state?.status ?? 'cancelled'}; the replies that finished before the cancel are collected when it ends.`);
    } else if (action === 'Open batch.json') {
      await vscode.window.showTextDocument(vscode.Uri.file(picked.stateFile), { preview: true });
    }
  }

  private render(): void {
    const all = [...this.tracked.values()];
    // The benches' header lenses say the same as the status bar (throttled there).
    const byBench = new Map<string, PendingBenchBatch[]>();
    for (const [stateFile, t] of this.tracked) {
      const bench = vscode.Uri.file(t.record.bench).toString();
      byBench.set(bench, [...(byBench.get(bench) ?? []), { stateFile, status: batchStatusText(t.state) }]);
    }
    this.ctx.bench.activity.setBatches(byBench);
    const first = all[0];
    if (!first) {
      this.item.hide();
      return;
    }
    this.item.text = `$(cloud-upload) Janus batch: ${batchStatusText(first.state)}${all.length > 1 ? ` (+${all.length - 1})` : ''}`;
    this.item.tooltip = all.map((t) => `${path.basename(t.record.bench)}: batch ${t.state.batchId ?? '(not created yet)'} ${batchStatusText(t.state)}`).join('\n') + '\nClick for details or to cancel.';
    this.item.show();
  }

  private async poll(tracked: Tracked): Promise<BatchEvaluationResult | undefined> {
    const { ctx } = this;
    const options = await jobOptions(ctx, tracked.root, tracked.record);
    const cache = await openCallCache(folderOf(tracked.root, tracked.record).cache);
    let result: BatchEvaluationResult;
    try {
      result = await pollBatchEvaluation({
        ...options,
        cache,
        signal: tracked.stop.signal,
        onState: (state) => {
          tracked.state = state;
          this.render();
        },
      });
    } finally {
      await cache.close();
    }
    if (result.stopped || !result.evaluation) return result;
    const { record, root } = tracked;
    const { summary, intervals, records, files } = result.evaluation;
    const complete = summary.unscored === 0 && summary.missing === 0;
    if (complete) await saveRunRecord(root, { ...record, finished: true });
    const bench = vscode.Uri.file(record.bench);
    const shown = { ...loadedEvaluation(options.outFile, evaluationFileForRun(options.instances, options.responses, records, 0)), responses: record.responses };
    if (record.ids) ctx.bench.results.patch(bench, shown);
    else ctx.bench.results.set(bench, { shown });
    const mean = summary.overall === null ? 'no score' : `mean ${summary.overall.toFixed(2)}${intervals.overall ? ` [${intervals.overall.low.toFixed(2)}, ${intervals.overall.high.toFixed(2)}]` : ''}`;
    const left = summary.unscored + summary.missing;
    const ended = result.state.status === 'completed' ? 'finished' : result.state.status ?? 'finished';
    const gaps = `${summary.unscored > 0 ? ` · ${summary.unscored} unscored` : ''}${summary.missing > 0 ? ` · ${summary.missing} not judged` : ''}`;
    const actions = left > 0 ? ['Show Results', `Judge ${left} Live`] : ['Show Results'];
    void vscode.window.showInformationMessage(`Batch evaluation of ${path.basename(record.bench)} ${ended}: ${mean} over ${options.instances.length} instances${gaps}.`, ...actions).then((choice) => {
      if (choice === 'Show Results') void showSummaryReport(files.summary, { ...summary, intervals }, options.outFile);
      // The same run, resumed live: its checkpoint has every scored item, so only the rest is asked.
      else if (choice !== undefined) void vscode.commands.executeCommand(commandIds.evaluateBench, { uri: bench.toString(), responses: record.responses, resume: true, mode: 'live' });
    });
    return result;
  }

  /** Stops every poller (the batches keep running at the server; `resumePending` takes them up again). */
  async stopAll(): Promise<void> {
    const running = [...this.tracked.values()];
    for (const t of running) t.stop.abort();
    await Promise.all(running.map((t) => t.finished));
  }

  dispose(): void {
    for (const t of this.tracked.values()) t.stop.abort();
    this.tracked.clear();
    this.ctx.bench.activity.setBatches(new Map());
    this.item.dispose();
  }
}

const instances = new WeakMap<JanusContext, BatchEvaluations>();

/** The window's batch evaluations, created on first use and disposed with the extension. */
export function batchEvaluations(ctx: JanusContext): BatchEvaluations {
  let batches = instances.get(ctx);
  if (!batches) {
    batches = new BatchEvaluations(ctx);
    instances.set(ctx, batches);
    ctx.extension.subscriptions.push(batches);
  }
  return batches;
}

/**
 * After activation (never inside it): takes up the workspace's pending batches, if any. Only run
 * folders are read; nothing is loaded or polled when no batch is pending.
 */
export function resumeBatchEvaluationsLater(ctx: JanusContext): void {
  setTimeout(() => {
    void batchEvaluations(ctx)
      .resumePending()
      .catch((error: unknown) => ctx.log.warn(`Could not look for pending batch evaluations: ${describeError(error)}`));
  }, 0);
}
