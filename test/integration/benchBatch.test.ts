// Evaluate Bench with janus.judge.mode "batch" in the real extension host, against the fake Batch
// API over real HTTP (no hosted API is reachable; its scores are a hash of the prompt, so they are
// checkable): the command submits and returns, the status bar follows the batch, polling survives
// a "reload" (pollers stopped, pending batches taken up again from the run folders as activation
// does), and the evaluation file arrives with the scores in the lenses.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { EvaluateBenchResult } from '../../src/extension/commands/evaluateBench';
import type { BatchServer } from '../support/batchServer';
import { startBatchServer } from '../support/batchServer';
import { expectedScore } from '../support/judgeServer';
import { janus, resetUserSettings, setUserSetting } from './support/janusHost';
import { until, writeWorkspaceFile } from './support/workspaceFiles';

const repo = path.resolve(__dirname, '..', '..');
const benchInstances = JSON.parse(readFileSync(path.join(repo, 'test', 'fixtures', 'bench', 'small.bench.json'), 'utf8')) as Record<string, unknown>[];
const touched = ['judge.baseUrl', 'judge.format', 'judge.model', 'judge.mode', 'judge.batchPollMs'];

interface EvaluationEntry {
  readonly feedback: readonly string[];
  readonly score: readonly (number | null)[];
}

describe('Evaluate Bench through the Batch API', function () {
  this.timeout(60_000);
  let server: BatchServer;

  before(async () => {
    await janus();
    server = await startBatchServer({ looksToFinish: 1_000_000 });
    await setUserSetting('judge.baseUrl', server.baseUrl);
    await setUserSetting('judge.format', 'chat');
    await setUserSetting('judge.model', 'fake-judge');
    await setUserSetting('judge.mode', 'batch');
    await setUserSetting('judge.batchPollMs', 20);
  });

  after(async () => {
    await (await janus()).batches.stopPolling();
    await resetUserSettings(touched);
    await server.close();
  });

  it('submits and returns, follows the batch in the status bar across a reload, then shows its scores in the lenses', async () => {
    const api = await janus();
    const bench = writeWorkspaceFile('batch/batch.bench.json', `${JSON.stringify(benchInstances, null, 4)}\n`);
    const responses = writeWorkspaceFile('batch/batchy_responses.json', JSON.stringify(Object.fromEntries(['0', '1', 'budget-1', '3'].map((id) => [id, { response: `A batch answer for ${id}.` }]))));
    await vscode.window.showTextDocument(bench);
    const result = await vscode.commands.executeCommand<EvaluateBenchResult>('janus.evaluateBench', { uri: bench.toString(), responses: responses.fsPath, resume: false });
    assert.ok(result?.batch, 'batch mode returned no batch');
    assert.equal(result.batch.requests, 16);
    assert.equal(existsSync(result.output), false, 'no evaluation file before the batch ends');
    assert.deepEqual([server.calls['upload'], server.calls['create']], [1, 1]);
    assert.equal(server.uploads[0]?.trim().split('\n').length, 16, 'one request per instance and rubric');
    const text = await until('the status bar to show the running batch', () => {
      const t = api.batches.statusText();
      return t?.includes('in_progress') ? t : undefined;
    });
    assert.match(text, /Janus batch: in_progress \d+\/16/);
    // Evaluate Bench again on the same run (Resume) while the batch runs: no second upload or batch.
    const again = await vscode.commands.executeCommand<EvaluateBenchResult>('janus.evaluateBench', { uri: bench.toString(), responses: responses.fsPath, resume: true });
    assert.equal(again?.batch?.id, result.batch.id);
    assert.equal(again?.runDir, result.runDir);
    assert.deepEqual([server.calls['upload'], server.calls['create']], [1, 1]);

    // A window reload: the pollers go, the state stays in the run folder; activation takes it up again.
    await api.batches.stopPolling();
    assert.equal(api.batches.statusText(), undefined, 'nothing polls after the "reload"');
    server.finishAfter(0);
    assert.equal(await api.batches.resumePending(), 1);
    assert.ok(await api.batches.whenFinished(result.batch.stateFile), 'the resumed batch was collected');
    assert.deepEqual([server.calls['upload'], server.calls['create']], [1, 1], 'the resume only polled');
    assert.equal(api.batches.statusText(), undefined, 'the status bar item goes when no batch is pending');

    const file = JSON.parse(readFileSync(result.output, 'utf8')) as Record<string, EvaluationEntry>;
    const users = new Map((server.batches[0]?.requests ?? []).map((r) => [r.customId, r.user]));
    assert.deepEqual(file['0']?.score, [0, 1, 2, 3].map((i) => expectedScore(users.get(`0_${i}`) ?? '')), 'the scores are the batch\'s');
    assert.match(file['0']?.feedback[0] ?? '', /meets the rubric in part/);
    const scores = file['0']?.score as number[];
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    const lens = await until('the lenses to show the batch scores', async () => {
      const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', bench)) ?? [];
      return lenses.find((l) => l.range.start.line === 1 && l.command?.command === 'janus.showEvaluationFeedback' && l.command.title.startsWith(mean.toFixed(2)));
    });
    assert.equal(lens.command?.title, `${mean.toFixed(2)} · style ${scores[0]} · knowledge ${scores[1]} · informativeness ${scores[2]} · harmlessness ${scores[3]}`);
    const run = JSON.parse(readFileSync(path.join(result.runDir, 'run.json'), 'utf8')) as { finished: boolean };
    assert.equal(run.finished, true, 'a batch that scored every item finishes its run');
  });

  it('Cancel Batch asks the server to cancel, keeps the state and writes what finished (nothing here), leaving the run to resume', async () => {
    const api = await janus();
    server.finishAfter(1_000_000);
    const bench = vscode.Uri.joinPath(vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file('/'), 'batch', 'batch.bench.json');
    const responses = writeWorkspaceFile('batch/cancelled_responses.json', JSON.stringify(Object.fromEntries(['0', '1', 'budget-1', '3'].map((id) => [id, { response: `An answer to cancel for ${id}.` }]))));
    const result = await vscode.commands.executeCommand<EvaluateBenchResult>('janus.evaluateBench', { uri: bench.toString(), responses: responses.fsPath, resume: false });
    assert.ok(result?.batch);
    await until('the status bar to show the batch', () => api.batches.statusText());
    assert.equal(await api.batches.cancel(result.batch.stateFile), 'cancelling');
    assert.ok(await api.batches.whenFinished(result.batch.stateFile), 'the cancelled batch was collected');
    assert.equal(server.batches.at(-1)?.status, 'cancelled');
    const state = JSON.parse(readFileSync(result.batch.stateFile, 'utf8')) as { phase: string; status: string; batchId: string };
    assert.deepEqual([state.phase, state.status, state.batchId], ['done', 'cancelled', result.batch.id]);
    const file = JSON.parse(readFileSync(result.output, 'utf8')) as Record<string, EvaluationEntry>;
    assert.ok(Object.values(file).every((e) => e.score.every((s) => s === null)), 'no item was judged before the cancel');
    const run = JSON.parse(readFileSync(path.join(result.runDir, 'run.json'), 'utf8')) as { finished: boolean };
    assert.equal(run.finished, false, 'the run stays open for a resume');
  });
});
