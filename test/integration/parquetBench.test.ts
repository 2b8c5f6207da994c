// A Parquet bench in the real extension host: Open as Janus Bench writes the read-only JSONL view
// under .janus/benches/ and opens it; the bench features work on it (a broken row in Problems on
// its line, header and instance lenses, Evaluate through a judge over real HTTP with results keyed
// by row id, the scores in lenses and hovers); changing the Parquet marks the open view stale, and
// opening it again gives a new view that none of the old results attach to.
import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { EvaluateBenchResult } from '../../src/extension/commands/evaluateBench';
import type { OpenParquetBenchResult } from '../../src/extension/commands/openParquetBench';
import { writeBenchParquet } from '../fixtures/bench/parquetBench';
import { syntheticInstance } from '../fixtures/bench/syntheticBench';
import type { JudgeServer } from '../support/judgeServer';
import { expectedScore, startJudgeServer } from '../support/judgeServer';
import { janus, resetUserSettings, setUserSetting } from './support/janusHost';
import { until, writeWorkspaceFile } from './support/workspaceFiles';

const touched = ['judge.baseUrl', 'judge.format', 'judge.model', 'jobs.concurrency'];
const rows = Array.from({ length: 5 }, (_, i) => (i === 3 ? { ...syntheticInstance(i), prompt: null } : syntheticInstance(i)));

function workspace(): string {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'the harness opens a workspace folder');
  return f.uri.fsPath;
}

async function lensTitles(uri: vscode.Uri, line?: number): Promise<string[]> {
  const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
  return lenses.filter((l) => line === undefined || l.range.start.line === line).map((l) => l.command?.title ?? '');
}

function diagnosticsWhen(uri: vscode.Uri, check: (d: readonly vscode.Diagnostic[]) => boolean, what: string): Promise<readonly vscode.Diagnostic[]> {
  return until(what, () => {
    const now = vscode.languages.getDiagnostics(uri);
    return check(now) ? now : undefined;
  });
}

describe('a Parquet bench opened as a Janus bench', function () {
  this.timeout(60_000);
  let judge: JudgeServer;
  let parquet: vscode.Uri;
  let opened: OpenParquetBenchResult;

  before(async () => {
    await janus();
    judge = await startJudgeServer();
    await setUserSetting('judge.baseUrl', judge.baseUrl);
    await setUserSetting('judge.format', 'chat');
    await setUserSetting('judge.model', 'fake-judge');
    await setUserSetting('jobs.concurrency', 2);
    mkdirSync(path.join(workspace(), 'hf'), { recursive: true });
    parquet = vscode.Uri.file(writeBenchParquet(path.join(workspace(), 'hf', 'multifaceted.parquet'), rows, { rowGroupSize: 2 }));
  });

  after(async () => {
    await resetUserSettings(touched);
    await judge.close();
  });

  it('opens a read-only JSONL view under .janus/benches with lenses and the broken row in Problems', async () => {
    const result = await vscode.commands.executeCommand<OpenParquetBenchResult>('janus.openParquetBench', parquet);
    assert.ok(result, 'the command returned nothing');
    opened = result;
    assert.equal(path.dirname(result.view), path.join(workspace(), '.janus', 'benches'));
    assert.match(path.basename(result.view), new RegExp(`^multifaceted-${result.sha256.slice(0, 12)}\\.jsonl$`));
    assert.equal(result.rows, 5);
    assert.equal(statSync(result.view).mode & 0o222, 0, 'no write permission on the view');
    const view = vscode.Uri.file(result.view);
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, view.fsPath, 'the view is the active editor');
    const problems = await diagnosticsWhen(view, (d) => d.length > 0, 'the broken row in Problems');
    assert.deepEqual(problems.map((d) => d.range.start.line), [3], 'row 3 is line 3');
    assert.match(problems[0]?.message ?? '', /prompt/);
    const titles = await until('the header lens', async () => ((await lensTitles(view, 0)).length > 0 ? lensTitles(view, 0) : undefined));
    assert.match(titles[0] ?? '', /^Janus bench · 5 instances · 1 problem/);
    assert.ok(titles.includes('Evaluate') && titles.includes('Generate'), titles.join(' | '));
  });

  it('Evaluate Bench on the view judges every valid row, keyed by row id, and shows the scores', async () => {
    const view = vscode.Uri.file(opened.view);
    const responses = writeWorkspaceFile('hf/parquet_responses.json', JSON.stringify(Object.fromEntries(['0', '1', '2', '4'].map((id) => [id, { response: `An answer for row ${id}.` }]))));
    const before = judge.requests.length;
    const result = await vscode.commands.executeCommand<EvaluateBenchResult>('janus.evaluateBench', { uri: view.toString(), responses: responses.fsPath, resume: false });
    assert.ok(result && !result.cancelled, 'the evaluation ran');
    const requests = judge.requests.slice(before);
    assert.equal(requests.length, 16, 'four valid rows, four rubrics each');
    const file = JSON.parse(readFileSync(result.output, 'utf8')) as Record<string, { prompt: string; score: number[] }>;
    assert.deepEqual(Object.keys(file), ['0', '1', '2', '4']);
    assert.equal(file['4']?.prompt, rows[4]?.prompt, 'id 4 is row 4');
    assert.deepEqual(Object.values(file).flatMap((e) => e.score).sort(), requests.map((r) => expectedScore(r.user)).sort());
    const scores = file['1']?.score ?? [];
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    const line1 = await until('the scores lens of row 1', async () => {
      const t = await lensTitles(view, 1);
      return t.some((x) => x.startsWith(mean.toFixed(2))) ? t : undefined;
    });
    assert.equal(line1[0], `${mean.toFixed(2)} · style ${scores[0]} · knowledge ${scores[1]} · informativeness ${scores[2]} · harmlessness ${scores[3]}`);
    const document = await vscode.workspace.openTextDocument(view);
    const text = document.lineAt(1).text;
    const position = new vscode.Position(1, text.indexOf('"criteria":"') + '"criteria":"'.length + 3);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', view, position);
    const hover = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
    assert.match(hover, new RegExp(`style: ${scores[0]} / 5`));
  });

  it('a changed Parquet marks the open view stale; opening it again gives a new view without the old results', async () => {
    const view = vscode.Uri.file(opened.view);
    writeBenchParquet(parquet.fsPath, rows.slice(0, 3).map((r, i) => (i === 1 ? { ...r, prompt: 'A new prompt.' } : r)));
    const stale = await diagnosticsWhen(view, (d) => d.some((x) => /changed since this view was made/.test(x.message)), 'the stale-view warning');
    assert.equal(stale.find((x) => /changed since/.test(x.message))?.severity, vscode.DiagnosticSeverity.Warning);
    const again = await vscode.commands.executeCommand<OpenParquetBenchResult>('janus.openParquetBench', parquet);
    assert.ok(again);
    assert.notEqual(again.view, opened.view, 'new content, new view');
    assert.equal(again.reused, false);
    assert.equal(again.rows, 3);
    const fresh = vscode.Uri.file(again.view);
    const header = await until('the new view\'s header lens', async () => ((await lensTitles(fresh, 0)).length > 0 ? lensTitles(fresh, 0) : undefined));
    assert.match(header[0] ?? '', /^Janus bench · 3 instances/);
    assert.ok(!(await lensTitles(fresh, 1)).some((t) => /^\d\.\d\d · /.test(t)), 'no score of the old content on the new view');
    assert.ok((await lensTitles(view, 1)).some((t) => /^\d\.\d\d · /.test(t)), 'the old view keeps its results');
  });
});
