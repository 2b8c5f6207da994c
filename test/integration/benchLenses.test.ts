// What a bench's lenses say about work in progress, in the real extension host: no responses to
// judge (and how to get them), a live Evaluate Bench's progress in the header (its lens cancels
// it), a cancelled run's partial results with Resume (which finishes it), a lens's own Evaluate
// ("evaluating…" on that instance), and a pending Batch API evaluation (its lens: details, cancel).
// Judges are the fault-injecting judge server and the fake Batch API, over real HTTP.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { EvaluateBenchResult } from '../../src/extension/commands/evaluateBench';
import type { BatchServer } from '../support/batchServer';
import { startBatchServer } from '../support/batchServer';
import type { JudgeServer } from '../support/judgeServer';
import { startJudgeServer } from '../support/judgeServer';
import { janus, resetUserSettings, setUserSetting } from './support/janusHost';
import { until, writeWorkspaceFile } from './support/workspaceFiles';

const repo = path.resolve(__dirname, '..', '..');
const benchText = readFileSync(path.join(repo, 'test', 'fixtures', 'bench', 'small.bench.json'), 'utf8');
const ids = ['0', '1', 'budget-1', '3'];
const touched = ['judge.baseUrl', 'judge.format', 'judge.model', 'judge.mode', 'judge.batchPollMs', 'jobs.concurrency'];

async function lenses(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  return (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
}

/** The first line's lenses (header, then live jobs, batches and the next step). */
async function header(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  return (await lenses(uri)).filter((l) => l.range.start.line === 0);
}

async function headerWhere(uri: vscode.Uri, what: string, check: (titles: string[]) => boolean): Promise<vscode.CodeLens[]> {
  let titles: string[] = [];
  try {
    return await until(what, async () => {
      const top = await header(uri);
      titles = top.map((l) => l.command?.title ?? '');
      return check(titles) ? top : undefined;
    });
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}; the header lenses: ${JSON.stringify(titles)}`, { cause: error });
  }
}

/** Runs a lens's command as a click does. */
function click(lens: vscode.CodeLens | undefined): Thenable<unknown> {
  assert.ok(lens?.command, 'no such lens');
  return vscode.commands.executeCommand(lens.command.command, ...(lens.command.arguments ?? []));
}

/** Picks the first item of the quick pick a click opened. */
async function acceptFirstPick(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 300));
  await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
}

describe('bench lenses while work is pending', function () {
  this.timeout(60_000);
  let judge: JudgeServer;

  before(async () => {
    await janus();
    judge = await startJudgeServer({ latencyMs: 150 });
    await setUserSetting('judge.baseUrl', judge.baseUrl);
    await setUserSetting('judge.format', 'chat');
    await setUserSetting('judge.model', 'fake-judge');
    await setUserSetting('judge.mode', 'live');
    await setUserSetting('jobs.concurrency', 1);
  });

  after(async () => {
    await (await janus()).batches.stopPolling();
    await resetUserSettings(touched);
    await judge.close();
  });

  it('a bench without responses says so and offers Generate Responses; with a responses file beside it, Evaluate Bench', async () => {
    const bench = writeWorkspaceFile('lenses-bare/bare.bench.json', benchText);
    await vscode.window.showTextDocument(bench);
    const top = await headerWhere(bench, 'the missing responses', (t) => t.includes('Generate Responses'));
    assert.equal(top[0]?.command?.title, 'Janus bench · 4 instances · no results yet (no responses to judge)');
    const generate = top.find((l) => l.command?.title === 'Generate Responses');
    assert.equal(generate?.command?.command, 'janus.generateBenchResponses');
    assert.deepEqual(generate?.command?.arguments, [{ uri: bench.toString() }]);

    // A responses file appears beside it: the header looks again.
    writeWorkspaceFile('lenses-bare/some_responses.json', JSON.stringify(Object.fromEntries(ids.map((id) => [id, { response: `An answer for ${id}.` }]))));
    const next = await headerWhere(bench, 'Evaluate Bench offered', (t) => t.includes('Evaluate Bench'));
    assert.equal(next[0]?.command?.title, 'Janus bench · 4 instances · no results yet');
    assert.ok(!next.some((l) => l.command?.title === 'Generate Responses'));
  });

  it('a running Evaluate Bench shows its progress in the header; its lens cancels it; the partial results offer Resume, which finishes them', async () => {
    const bench = writeWorkspaceFile('lenses-live/live.bench.json', benchText);
    const responses = writeWorkspaceFile('lenses-live/live_responses.json', JSON.stringify(Object.fromEntries(ids.map((id) => [id, { response: `A live answer for ${id}.` }]))));
    await vscode.window.showTextDocument(bench);
    const running = vscode.commands.executeCommand<EvaluateBenchResult>('janus.evaluateBench', { uri: bench.toString(), responses: responses.fsPath, resume: false });
    const progress = await headerWhere(bench, 'the live job in the header', (t) => t.some((x) => /^evaluating [1-9]\d*\/16$/.test(x)));
    const job = progress.find((l) => /^evaluating /.test(l.command?.title ?? ''));
    assert.equal(progress.indexOf(job!), 1, 'right after the header');
    assert.ok(!progress.some((l) => l.command?.title === 'Resume'), 'no Resume while the run runs');
    // The click: a pick whose first item cancels this job.
    void click(job);
    await acceptFirstPick();
    const stopped = await running;
    assert.equal(stopped?.cancelled, true, 'the lens cancelled the evaluation');
    const kept = readFileSync(path.join(stopped.runDir, 'checkpoint.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '').length;
    assert.ok(kept >= 1 && kept < 16, `${kept} calls kept`);

    const partial = await headerWhere(bench, 'the partial results with Resume', (t) => t.includes('Resume') && !t.some((x) => x.startsWith('evaluating')));
    assert.match(partial[0]?.command?.title ?? '', /^Janus bench · 4 instances · .*live_evaluation\.json: (mean \d\.\d\d \[\d\.\d\d, \d\.\d\d\] over [1-3] of 4 · [1-4] not evaluated|none of 4 evaluated)$/);
    const resume = partial.find((l) => l.command?.title === 'Resume');
    assert.deepEqual(resume?.command?.arguments, [{ uri: bench.toString(), responses: responses.fsPath, resume: true }]);
    const asked = judge.requests.length;
    const resumed = (await click(resume)) as EvaluateBenchResult | undefined;
    assert.equal(resumed?.runDir, stopped.runDir, 'Resume took up the same run');
    assert.equal(resumed?.scored, 16);
    assert.equal(judge.requests.length - asked, 16 - kept, 'only the calls left were asked');
    const done = await headerWhere(bench, 'the full results', (t) => !t.includes('Resume'));
    assert.match(done[0]?.command?.title ?? '', /^Janus bench · 4 instances · .*live_evaluation\.json: mean \d\.\d\d \[\d\.\d\d, \d\.\d\d\]$/);
    assert.equal(done.length, 1, 'nothing runs, nothing is left');
  });

  it('a lens\'s Evaluate shows "evaluating…" on its instance until it is judged', async () => {
    const bench = vscode.Uri.joinPath(vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file('/'), 'lenses-live', 'live.bench.json');
    // Answers not judged before: the run's call cache would answer judged ones at once.
    const responses = writeWorkspaceFile('lenses-live/single_responses.json', JSON.stringify(Object.fromEntries(ids.map((id) => [id, { response: `Another answer for ${id}.` }])))).fsPath;
    const instanceLine = (await lenses(bench)).find((l) => l.command?.title === 'Evaluate' && (l.command.arguments?.[0] as { ids?: string[] }).ids?.[0] === '1')?.range.start.line;
    assert.ok(instanceLine !== undefined && instanceLine > 0, 'instance 1 has an Evaluate lens');
    const running = vscode.commands.executeCommand<EvaluateBenchResult>('janus.evaluateBench', { uri: bench.toString(), ids: ['1'], responses, resume: false });
    const busy = await until('"evaluating…" on instance 1', async () => {
      const all = await lenses(bench);
      return all.some((l) => l.range.start.line === instanceLine && l.command?.title === 'evaluating…') ? all : undefined;
    });
    assert.ok(!busy.some((l) => l.range.start.line === instanceLine && l.command?.title === 'Evaluate'), 'Evaluate gives way to "evaluating…"');
    assert.ok(busy.filter((l) => l.range.start.line !== instanceLine).some((l) => l.command?.title === 'Evaluate'), 'the other instances keep Evaluate');
    assert.ok(!busy.some((l) => l.range.start.line === 0 && /^evaluating /.test(l.command?.title ?? '')), 'a lens\'s Evaluate is not a whole-bench job');
    assert.equal((await running)?.scored, 4);
    const after = await lenses(bench);
    assert.deepEqual(after.filter((l) => l.range.start.line === instanceLine).map((l) => l.command?.title.replace(/^\d.*/, 'scores')), ['scores', 'Evaluate', 'Generate', 'Feedback']);
  });

  it('a pending batch shows "batch <status> <done>/<total>" in the header; its lens cancels it; then the run offers Resume', async () => {
    const api = await janus();
    const server: BatchServer = await startBatchServer({ looksToFinish: 1_000_000 });
    try {
      await setUserSetting('judge.baseUrl', server.baseUrl);
      await setUserSetting('judge.mode', 'batch');
      await setUserSetting('judge.batchPollMs', 20);
      const bench = writeWorkspaceFile('lenses-batch/batched.bench.json', benchText);
      const responses = writeWorkspaceFile('lenses-batch/batched_responses.json', JSON.stringify(Object.fromEntries(ids.map((id) => [id, { response: `A batched answer for ${id}.` }]))));
      await vscode.window.showTextDocument(bench);
      const result = await vscode.commands.executeCommand<EvaluateBenchResult>('janus.evaluateBench', { uri: bench.toString(), responses: responses.fsPath, resume: false });
      assert.ok(result?.batch);
      const top = await headerWhere(bench, 'the batch in the header', (t) => t.some((x) => /^batch in_progress \d+\/16$/.test(x)));
      const lens = top.find((l) => l.command?.title.startsWith('batch '));
      assert.equal(lens?.command?.command, 'janus.showBatchEvaluations');
      assert.deepEqual(lens?.command?.arguments, [{ stateFile: result.batch.stateFile }]);
      assert.equal(lens?.command?.title, api.batches.statusText()?.replace(/^\$\(cloud-upload\) Janus batch: /, 'batch '), 'the lens says what the status bar says');
      // The click: this batch's actions at once, Cancel Batch first.
      void click(lens);
      await acceptFirstPick();
      assert.ok(await api.batches.whenFinished(result.batch.stateFile), 'the cancelled batch was collected');
      assert.equal(server.batches.at(-1)?.status, 'cancelled');
      const after = await headerWhere(bench, 'the cancelled batch to leave the header, with Resume', (t) => t.includes('Resume') && !t.some((x) => x.startsWith('batch ')));
      assert.match(after[0]?.command?.title ?? '', /batched_evaluation\.json: none of 4 evaluated$/);
    } finally {
      await api.batches.stopPolling();
      await setUserSetting('judge.mode', 'live');
      await setUserSetting('judge.baseUrl', judge.baseUrl);
      await server.close();
    }
  });
});
