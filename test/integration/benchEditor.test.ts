// Bench files in the real extension host: diagnostics of a broken bench, Evaluate Bench through a
// judge over real HTTP (the fault-injecting judge server: scores are a hash of the prompt, so they
// are checkable), lenses and hovers from its results, cancel then resume without repeating a
// finished call, low scores in Problems, and Score Document Against Persona.
import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { newPersona } from '../../src/core/preferences/composer';
import { serializePersona } from '../../src/core/preferences/persona';
import { starterPreferenceSet } from '../../src/core/preferences/templates';
import type { EvaluateBenchResult } from '../../src/extension/commands/evaluateBench';
import type { JudgeServer } from '../support/judgeServer';
import { expectedScore, startJudgeServer } from '../support/judgeServer';
import { janus, resetUserSettings, setUserSetting } from './support/janusHost';

const repo = path.resolve(__dirname, '..', '..');
const benchInstances = JSON.parse(readFileSync(path.join(repo, 'test', 'fixtures', 'bench', 'small.bench.json'), 'utf8')) as Record<string, unknown>[];
const touched = ['judge.baseUrl', 'judge.format', 'judge.model', 'jobs.concurrency', 'evaluation.problemThreshold'];

function folder(): vscode.Uri {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'the harness opens a workspace folder');
  return f.uri;
}

function writeWorkspaceFile(relative: string, text: string): vscode.Uri {
  const uri = vscode.Uri.joinPath(folder(), relative);
  mkdirSync(path.dirname(uri.fsPath), { recursive: true });
  writeFileSync(uri.fsPath, text);
  return uri;
}

/** Resolves once `check` holds for the document's diagnostics (an event, not a sleep). */
function diagnosticsWhen(uri: vscode.Uri, check: (d: readonly vscode.Diagnostic[]) => boolean, what: string): Promise<readonly vscode.Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const now = vscode.languages.getDiagnostics(uri);
    if (check(now)) return resolve(now);
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out waiting for ${what}; have: ${JSON.stringify(vscode.languages.getDiagnostics(uri).map((d) => d.message))}`));
    }, 10_000);
    const sub = vscode.languages.onDidChangeDiagnostics(() => {
      const current = vscode.languages.getDiagnostics(uri);
      if (!check(current)) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(current);
    });
  });
}

async function lenses(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  return (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
}

function hoverText(hovers: readonly vscode.Hover[]): string {
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
}

interface EvaluationEntry {
  readonly id: string | number;
  readonly rubric: readonly unknown[];
  readonly response: string;
  readonly feedback: readonly string[];
  readonly score: readonly (number | null)[];
}

describe('bench files in the editor, judged over HTTP', function () {
  this.timeout(60_000);
  let judge: JudgeServer;
  let bench: vscode.Uri;

  before(async () => {
    await janus();
    judge = await startJudgeServer({ latencyMs: 40 });
    await setUserSetting('judge.baseUrl', judge.baseUrl);
    await setUserSetting('judge.format', 'chat');
    await setUserSetting('judge.model', 'fake-judge');
    await setUserSetting('jobs.concurrency', 2);
    bench = writeWorkspaceFile('bench/editor.bench.json', `${JSON.stringify(benchInstances, null, 4)}\n`);
  });

  after(async () => {
    await resetUserSettings(touched);
    await judge.close();
  });

  it('reports a broken JSONL bench in Problems at the instance that needs the fix', async () => {
    const lines = benchInstances.map((i) => JSON.stringify(i));
    const broken = { ...benchInstances[1] };
    delete broken['prompt'];
    lines[1] = JSON.stringify(broken);
    // Any name: recognised by content.
    const uri = writeWorkspaceFile('bench/whatever.jsonl', `${lines.join('\n')}\n`);
    await vscode.window.showTextDocument(uri);
    const diagnostics = await diagnosticsWhen(uri, (d) => d.length > 0, 'the bench problem');
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0]?.range.start.line, 1, 'the second line holds the broken instance');
    assert.equal(diagnostics[0]?.severity, vscode.DiagnosticSeverity.Error);
    assert.match(diagnostics[0]?.message ?? '', /add "prompt"/);
    const titles = (await lenses(uri)).map((l) => l.command?.title ?? '');
    assert.match(titles[0] ?? '', /^Janus bench · 4 instances · 1 problem/);
  });

  it('Evaluate Bench writes the evaluation file in the original shape with the judge\'s scores', async () => {
    await vscode.window.showTextDocument(bench);
    const responses = writeWorkspaceFile('bench/first_responses.json', JSON.stringify(Object.fromEntries(['0', '1', 'budget-1', '3'].map((id) => [id, { response: `An answer for ${id}.` }]))));
    const before = judge.requests.length;
    const result = await vscode.commands.executeCommand<EvaluateBenchResult>('janus.evaluateBench', { uri: bench.toString(), responses: responses.fsPath, resume: false });
    assert.ok(result, 'the command returned nothing');
    assert.equal(result.cancelled, false);
    assert.equal(path.basename(result.output), 'first_evaluation.json');
    assert.ok(result.runDir.includes(path.join('.janus', 'runs')), result.runDir);
    const requests = judge.requests.slice(before);
    assert.equal(requests.length, 16, 'one judge call per instance and rubric');
    const file = JSON.parse(readFileSync(result.output, 'utf8')) as Record<string, EvaluationEntry>;
    // Sorted: JSON.parse puts integer-like keys first whatever the file's order.
    assert.deepEqual(Object.keys(file).sort(), ['0', '1', '3', 'budget-1']);
    for (const entry of Object.values(file)) {
      assert.equal(entry.score.length, 4);
      assert.equal(entry.feedback.length, 4);
      assert.equal(entry.rubric.length, 4);
      assert.match(entry.feedback[0] ?? '', /meets the rubric in part/);
    }
    const fileScores = Object.values(file).flatMap((e) => e.score).sort();
    assert.deepEqual(fileScores, requests.map((r) => expectedScore(r.user)).sort(), 'the scores are the judge\'s');
    assert.equal(result.scored, 16);
  });

  it('shows each instance\'s scores in a lens and the judge\'s feedback on hover over a criteria', async () => {
    const api = await janus();
    const document = await vscode.workspace.openTextDocument(bench);
    const runDir = path.join(folder().fsPath, '.janus', 'runs');
    const output = (await vscode.workspace.findFiles('.janus/runs/**/first_evaluation.json'))[0];
    assert.ok(output, `no evaluation file under ${runDir}`);
    const file = JSON.parse(readFileSync(output.fsPath, 'utf8')) as Record<string, EvaluationEntry>;
    const scores = file['0']?.score ?? [];
    const mean = (scores as number[]).reduce((a, b) => a + b, 0) / scores.length;
    const parsesBefore = api.benchParses();
    const all = await lenses(bench);
    const first = all.find((l) => l.range.start.line === 1 && l.command?.command === 'janus.showEvaluationFeedback');
    assert.equal(first?.command?.title, `${mean.toFixed(2)} · style ${scores[0]} · knowledge ${scores[1]} · informativeness ${scores[2]} · harmlessness ${scores[3]}`);
    assert.deepEqual(
      all.filter((l) => l.range.start.line === 1).map((l) => l.command?.title.replace(/^\d.*/, 'scores')),
      ['scores', 'Evaluate', 'Generate', 'Feedback'],
    );
    await lenses(bench);
    assert.equal(api.benchParses(), parsesBefore, 'lens requests reuse the parse of this version');
    const means = Object.values(file).map((e) => (e.score as number[]).reduce((a, b) => a + b, 0) / 4);
    assert.deepEqual(api.benchBands(bench.toString()), {
      low: means.filter((m) => m < 3).length,
      mid: means.filter((m) => m >= 3 && m < 4).length,
      high: means.filter((m) => m >= 4).length,
    }, 'one score-band mark per instance, by its mean');

    const line = document.lineAt(34).text;
    const position = new vscode.Position(34, line.indexOf('"criteria"') + '"criteria": "'.length + 3);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', bench, position);
    const text = hoverText(hovers);
    assert.match(text, new RegExp(`style: ${scores[0]} / 5`));
    assert.match(text, /meets the rubric in part/);
  });

  it('lists instances under janus.evaluation.problemThreshold in Problems as warnings', async () => {
    const output = (await vscode.workspace.findFiles('.janus/runs/**/first_evaluation.json'))[0];
    assert.ok(output);
    const file = JSON.parse(readFileSync(output.fsPath, 'utf8')) as Record<string, EvaluationEntry>;
    const means = Object.values(file).map((e) => (e.score as number[]).reduce((a, b) => a + b, 0) / 4);
    await setUserSetting('evaluation.problemThreshold', 5);
    const expected = means.filter((m) => m < 5).length;
    assert.ok(expected > 0, 'the hash judge gives some score under 5');
    const warnings = await diagnosticsWhen(bench, (d) => d.filter((x) => x.severity === vscode.DiagnosticSeverity.Warning).length === expected, `${expected} low-score warnings`);
    assert.match(warnings.find((d) => d.severity === vscode.DiagnosticSeverity.Warning)?.message ?? '', /scored \d\.\d\d, under 5/);
    await setUserSetting('evaluation.problemThreshold', 1);
    await diagnosticsWhen(bench, (d) => d.every((x) => x.severity !== vscode.DiagnosticSeverity.Warning), 'no warnings at threshold 1');
  });

  it('cancel keeps the finished calls, and Resume repeats none of them', async () => {
    const api = await janus();
    const responses = writeWorkspaceFile('bench/slow_responses.json', JSON.stringify(Object.fromEntries(['0', '1', 'budget-1', '3'].map((id) => [id, { response: `A slower answer for ${id}.` }]))));
    const slow = await startJudgeServer({ latencyMs: 250 });
    await setUserSetting('judge.baseUrl', slow.baseUrl);
    try {
      const pending = vscode.commands.executeCommand<EvaluateBenchResult>('janus.evaluateBench', { uri: bench.toString(), responses: responses.fsPath, resume: false });
      while (slow.completed.length < 4) await new Promise((resolve) => setTimeout(resolve, 25));
      assert.ok(api.cancelAllRequests() >= 1, 'the evaluation was running');
      const stopped = await pending;
      assert.equal(stopped?.cancelled, true);
      assert.ok(stopped?.runDir);
      // What the job had finished when it stopped: one checkpoint line per judged call.
      const kept = readFileSync(path.join(stopped.runDir, 'checkpoint.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '');
      // Not necessarily 4: a reply the server finished may still have been on its way when the cancel came.
      assert.ok(kept.length >= 1 && kept.length < 16, `cancelled mid-run with ${kept.length} calls kept`);
      const asked = slow.requests.length;
      const resumed = await vscode.commands.executeCommand<EvaluateBenchResult>('janus.evaluateBench', { uri: bench.toString(), responses: responses.fsPath, resume: true });
      assert.equal(resumed?.cancelled, false);
      assert.equal(resumed?.runDir, stopped.runDir, 'the same run folder was resumed');
      assert.equal(resumed?.scored, 16);
      assert.equal(slow.requests.length - asked, 16 - kept.length, 'the resume asked the judge only for the calls not kept');
      const finishedBefore = new Set(slow.completed.slice(0, kept.length));
      assert.equal(slow.requests.slice(asked).filter((r) => finishedBefore.has(r.user)).length, 0, 'no call finished before the cancel was asked again');
    } finally {
      await setUserSetting('judge.baseUrl', judge.baseUrl);
      await slow.close();
    }
  });

  it('Feedback opens every rubric\'s score and feedback; two runs selected show per-rubric deltas', async () => {
    const markdown = await vscode.commands.executeCommand<string>('janus.showEvaluationFeedback', bench.toString(), '1');
    assert.match(markdown, /^### Instance 1: \d\.\d\d/);
    assert.equal((markdown.match(/meets the rubric in part/g) ?? []).length, 4);
    const [first, slow] = await Promise.all(['first', 'slow'].map(async (m) => (await vscode.workspace.findFiles(`.janus/runs/**/${m}_evaluation.json`))[0]));
    assert.ok(first && slow);
    const label = await vscode.commands.executeCommand<string>('janus.selectEvaluationResults', { uri: bench.toString(), files: [slow.fsPath, first.fsPath] });
    assert.match(label, /slow_evaluation\.json vs .*first_evaluation\.json/);
    const shown = JSON.parse(readFileSync(slow.fsPath, 'utf8')) as Record<string, EvaluationEntry>;
    const base = JSON.parse(readFileSync(first.fsPath, 'utf8')) as Record<string, EvaluationEntry>;
    const a = (shown['0']?.score ?? []) as number[];
    const b = (base['0']?.score ?? []) as number[];
    const delta = (x: number): string => (x === 0 ? '±0' : `${x > 0 ? '+' : '−'}${Math.abs(x)}`);
    const title = (await lenses(bench)).find((l) => l.range.start.line === 1 && l.command?.command === 'janus.showEvaluationFeedback')?.command?.title ?? '';
    assert.ok(title.includes(`style ${a[0]} (${delta(a[0]! - b[0]!)})`), title);
    assert.ok(title.includes(`harmlessness ${a[3]} (${delta(a[3]! - b[3]!)})`), title);
    // The header's paired verdict, recomputed here from the two files: mean of (shown - base) over
    // instances, and how many instances moved each way.
    const meanOfScores = (scores: readonly (number | null)[]): number => {
      const present = scores.filter((x): x is number => x !== null);
      return present.reduce((x, y) => x + y, 0) / present.length;
    };
    const deltas = Object.keys(shown).map((id) => meanOfScores(shown[id]?.score ?? []) - meanOfScores(base[id]?.score ?? []));
    const mean = deltas.reduce((x, y) => x + y, 0) / deltas.length;
    const signed = `${mean >= 0 ? '\\+' : '-'}${Math.abs(mean).toFixed(2)}`;
    const header = (await lenses(bench)).find((l) => l.command?.title.startsWith('Janus bench'))?.command?.title ?? '';
    const verdict = new RegExp(`vs .*first_evaluation\\.json: ${signed} \\[[+-]\\d\\.\\d\\d, [+-]\\d\\.\\d\\d\\], p [=<] [\\d.]+, ${deltas.filter((x) => x > 1e-9).length} better / ${deltas.filter((x) => x < -1e-9).length} worse`);
    assert.match(header, verdict);

    // Compare Evaluation Runs: the same pairing as a report, a = first (base), b = slow (shown).
    type Compared = { paired: { n: number; difference: number; better: number; worse: number; missingInA: string[]; missingInB: string[] } };
    const compared = await vscode.commands.executeCommand<Compared>('janus.compareEvaluationRuns', { a: first.fsPath, b: slow.fsPath, bench: bench.fsPath });
    assert.equal(compared.paired.n, deltas.length);
    assert.ok(Math.abs(compared.paired.difference - mean) < 1e-9, `${compared.paired.difference} vs ${mean}`);
    assert.deepEqual([compared.paired.better, compared.paired.missingInA, compared.paired.missingInB], [deltas.filter((x) => x > 1e-9).length, [], []]);
    const report = vscode.workspace.textDocuments.find((d) => d.languageId === 'markdown' && d.getText().startsWith('# Comparison of two evaluation runs'));
    assert.ok(report, 'the comparison report was opened');
    assert.match(report.getText(), /\*\*b − a: [+-]\d\.\d\d \[/);
  });

  it('Score Document Against Persona puts the mean and chips at the top, feedback on hover', async () => {
    const api = await janus();
    const persona = { ...newPersona('Scorer', starterPreferenceSet()), rubrics: [1, 2, 3, 4].map((n) => ({ criteria: `Does it meet preference ${n}?`, score_descriptions: { '1': 'No.', '2': 'Barely.', '3': 'Partly.', '4': 'Mostly.', '5': 'Fully.' } })) };
    const personaUri = writeWorkspaceFile('.janus/personas/scorer.persona.json', serializePersona(persona));
    await api.personaView.deliver({ type: 'setActive', id: 's1', uri: personaUri.toString() });
    try {
      const doc = vscode.Uri.joinPath(folder(), 'prompt.md');
      await vscode.window.showTextDocument(doc);
      const before = judge.requests.length;
      const result = await vscode.commands.executeCommand<{ mean: number | null; scores: (number | null)[] }>('janus.scoreDocument', { uri: doc.toString() });
      assert.ok(result);
      const requests = judge.requests.slice(before);
      assert.equal(requests.length, 4);
      assert.deepEqual([...result.scores].sort(), requests.map((r) => expectedScore(r.user)).sort());
      assert.ok(requests.every((r) => r.user.includes(readFileSync(doc.fsPath, 'utf8').trim().slice(0, 40))), 'the document is what was judged');
      const top = (await lenses(doc)).filter((l) => l.range.start.line === 0).map((l) => l.command?.title ?? '');
      assert.match(top[0] ?? '', /^Scorer: \d\.\d\d · style \d · knowledge \d · informativeness \d · harmlessness \d$/);
      assert.ok(top.includes('Feedback'));
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc, new vscode.Position(0, 1));
      assert.match(hoverText(hovers), /Scored against Scorer/);
      assert.match(hoverText(hovers), /meets the rubric in part/);
    } finally {
      await api.personaView.deliver({ type: 'setActive', id: 's2', uri: null });
    }
  });
});
