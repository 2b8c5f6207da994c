// A full-size bench (921 instances x 4 rubrics, about 10 MB) in the real extension host: no whole-file
// parse on the open path (lenses for the visible instances first, the parse in slices that yield),
// one parse per document version, an edit inside an instance re-parses that instance only, and the
// time from opening it to the editor's lenses is recorded: ours and the workbench's.
import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { parseBenchText } from '../../src/core/bench/benchFile';
import type { BenchTimings } from '../../src/extension/bench/benchDocuments';
import { syntheticBenchText } from '../fixtures/bench/syntheticBench';
import { janus, janusExtension, median, recordMeasurement } from './support/janusHost';

function writeBench(name: string, text: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the harness opens a workspace folder');
  const file = path.join(folder.uri.fsPath, 'large', name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return vscode.Uri.file(file);
}

/** Resolves once `check` gives a value, polling the host's own records (the editor asks on its own schedule). */
async function until<T>(check: () => T | undefined, what: string, timeoutMs = 60_000): Promise<T> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Milliseconds our code held the extension host for this document within [from, to] (overlaps counted once). */
function busyWithin(timings: BenchTimings, from: number, to: number): number {
  let total = 0;
  let reached = from;
  for (const [a, b] of [...timings.busy].sort((x, y) => x[0] - y[0])) {
    const start = Math.max(a, reached);
    const end = Math.min(b, to);
    if (end > start) total += end - start;
    reached = Math.max(reached, end);
  }
  return total;
}

interface OpenSample {
  readonly format: 'json' | 'jsonl';
  /** From `openTextDocument` to the editor's first lenses, through the workbench. */
  readonly totalMs: number;
  readonly openedMs: number;
  readonly shownMs: number;
  /** Our code on the extension host between the document's arrival and the first lenses. */
  readonly oursMs: number;
  readonly firstLensMs: number;
  /** From `openTextDocument` to the document's arrival in the extension host. */
  readonly hostArrivalMs: number;
  /** From the document's arrival in the extension host to the editor asking for lenses. */
  readonly hostToLensRequestMs: number;
  readonly getTextMs: number;
  readonly parseBusyMs: number;
  readonly parseWallMs: number;
  readonly longestSliceMs: number;
  /** Stretches of our work on the document until its parse ended: many when the parse yields. */
  readonly stretches: number;
  /** What the open path cost before: the whole text and a parse at once, timed here in the same host. */
  readonly syncParseMs: number;
}

/** Opens a fresh copy of the bench in an editor and waits for the editor's own lens request, then for the background parse. */
async function openAndTime(name: string, format: 'json' | 'jsonl', text: string): Promise<{ sample: OpenSample; document: vscode.TextDocument; timings: BenchTimings }> {
  const api = await janus();
  const uri = writeBench(name, text);
  const started = performance.now();
  const document = await vscode.workspace.openTextDocument(uri);
  const openedMs = performance.now() - started;
  await vscode.window.showTextDocument(document);
  const shownMs = performance.now() - started;
  const timings = await until(() => {
    const t = api.benchTimings(uri.toString());
    return t?.firstLensAt === undefined ? undefined : t;
  }, `the editor's lens request for ${name}`);
  const firstLensAt = timings.firstLensAt ?? NaN;
  const openedAt = timings.openedAt ?? NaN;
  await until(() => timings.parsedAt, `the background parse of ${name}`);
  const syncStart = performance.now();
  parseBenchText(document.getText());
  const syncParseMs = performance.now() - syncStart;
  const sample: OpenSample = {
    format,
    totalMs: firstLensAt - started,
    openedMs,
    shownMs,
    oursMs: busyWithin(timings, openedAt, firstLensAt),
    firstLensMs: timings.firstLensMs ?? NaN,
    hostArrivalMs: openedAt - started,
    hostToLensRequestMs: firstLensAt - (timings.firstLensMs ?? 0) - openedAt,
    getTextMs: timings.getTextMs ?? NaN,
    parseBusyMs: timings.parseBusyMs ?? NaN,
    parseWallMs: (timings.parsedAt ?? NaN) - (timings.parseStartedAt ?? NaN),
    longestSliceMs: timings.longestSliceMs ?? NaN,
    stretches: timings.busy.filter(([, end]) => end <= (timings.parsedAt ?? 0)).length,
    syncParseMs,
  };
  return { sample, document, timings };
}

const round1 = (x: number): number => Number(x.toFixed(1));

describe('bench files: a full-size bench stays cheap', function () {
  this.timeout(180_000);
  // Each open of a 10 MB document costs the workbench seconds: the samples are shared by the tests.
  const samples: OpenSample[] = [];
  const texts = { json: syntheticBenchText(921, 'json'), jsonl: syntheticBenchText(921, 'jsonl') };

  it('shows lenses before the whole file is parsed, parses once in slices, and re-parses only an edited instance', async () => {
    const api = await janus();
    const parsesBefore = api.benchParses();
    const { sample, document, timings } = await openAndTime('open-0.bench.json', 'json', texts.json);
    samples.push(sample);
    const uri = document.uri;
    assert.ok(timings.busy.length > 5, `the parse ran in slices between other work (${timings.busy.length} stretches)`);
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
    const directStart = performance.now();
    const direct = api.benchLensCount(document);
    const directLensMs = performance.now() - directStart;
    assert.match(lenses[0]?.command?.title ?? '', /^Janus bench · 921 instances · no results yet/);
    const evaluateLenses = lenses.filter((l) => l.command?.title === 'Evaluate').length;
    assert.ok(evaluateLenses > 0, 'lenses for the visible instances');
    assert.ok(evaluateLenses < 921, `only the instances near the visible lines get lenses (${evaluateLenses})`);
    await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(40, 10));
    assert.equal(api.benchParses() - parsesBefore, 1, 'diagnostics, lenses and hover share one parse of this version');
    assert.equal(vscode.languages.getDiagnostics(uri).length, 0);
    assert.equal(direct, lenses.length, 'the provider gives what the workbench showed');
    recordMeasurement((await janusExtension()).extensionPath, 'benchLargeParse', { parseBusyMs: round1(api.benchLastParseMs()), longestSliceMs: round1(timings.longestSliceMs ?? NaN), stretches: timings.busy.length, directLensMs: Number(directLensMs.toFixed(3)), direct, bytes: texts.json.length, instances: 921 });

    // Two new lines inside the second instance, in a rubric: everything after moves down.
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor && editor.document === document, "the bench is the active editor");
    const parses = api.benchParses();
    const reparses = api.benchReparses();
    const line = document.getText().split('\n').findIndex((l, i) => i > 80 && l.includes('"criteria"'));
    const at = new vscode.Position(line, document.lineAt(line).text.indexOf('"criteria"'));
    assert.ok(await editor.edit((b) => b.insert(at, '"note": "x",\n\n')));
    const edited = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
    assert.equal(api.benchReparses() - reparses, 1, 'the edit was handled inside its instance');
    assert.equal(api.benchParses(), parses, 'no whole-file parse for it');
    const expected = parseBenchText(document.getText());
    const lensLines = edited.filter((l) => l.command?.title === 'Evaluate').map((l) => l.range.start.line);
    assert.deepEqual(lensLines, expected.entries.slice(0, lensLines.length).map((e) => e.range.line), 'lenses sit where a full parse puts the instances');
    assert.match(edited[0]?.command?.title ?? '', /^Janus bench · 921 instances · 1 problem/, 'the unknown "note" field is reported');
    // An edit across instances cannot be placed: the file is parsed again, in the background.
    const second = expected.entries[1]?.range;
    assert.ok(second);
    assert.ok(await editor.edit((b) => b.delete(new vscode.Range(second.line - 1, 0, second.line + 1, 0))));
    await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(40, 10));
    assert.equal(api.benchParses(), parses + 1, 'a structural edit parses the whole file once');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('records the time from opening the full bench to the editor\'s lenses, ours and the workbench\'s (interleaved, medians)', async () => {
    for (const [k, format] of (['jsonl', 'json', 'jsonl'] as const).entries()) {
      samples.push((await openAndTime(`open-${k + 1}.bench.${format}`, format, texts[format])).sample);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    }
    const summary = Object.fromEntries(
      (['json', 'jsonl'] as const).map((format) => {
        const mine = samples.filter((s) => s.format === format);
        const keys = Object.keys(mine[0] ?? {}).filter((k): k is Exclude<keyof OpenSample, 'format'> => k !== 'format');
        return [format, Object.fromEntries(keys.map((k) => [k, round1(median(mine.map((s) => s[k])))]))];
      }),
    );
    recordMeasurement((await janusExtension()).extensionPath, 'benchOpenToLensesMs', { runs: samples.length, bytes: { json: texts.json.length, jsonl: texts.jsonl.length }, medians: summary, samples });
    for (const s of samples) {
      console.log(`    ${s.format}: open to lenses ${s.totalMs.toFixed(0)} ms (in the host at ${s.hostArrivalMs.toFixed(0)}, opened ${s.openedMs.toFixed(0)}, shown ${s.shownMs.toFixed(0)}, lenses asked ${s.hostToLensRequestMs.toFixed(0)} ms after arrival); ours before them ${s.oursMs.toFixed(1)} ms, first lens call ${s.firstLensMs.toFixed(1)} ms; background parse ${s.parseBusyMs.toFixed(0)} ms (getText ${s.getTextMs.toFixed(0)}) in slices of at most ${s.longestSliceMs.toFixed(0)} ms over ${s.parseWallMs.toFixed(0)} ms; a parse at once here ${s.syncParseMs.toFixed(0)} ms`);
    }
    for (const s of samples) {
      // The first lenses come from the visible instances, not from a whole-file parse.
      assert.ok(s.firstLensMs < s.syncParseMs, `first lens call ${s.firstLensMs.toFixed(1)} ms, a whole parse ${s.syncParseMs.toFixed(1)} ms`);
      assert.ok(s.stretches > 5, `the background parse yields (${s.stretches} stretches, the longest ${s.longestSliceMs.toFixed(1)} ms)`);
    }
  });
});
