import * as vscode from 'vscode';
import type { BenchEntry, ParsedBench } from '../../core/bench/benchFile';
import { commandIds } from '../constants';
import type { BenchDocuments } from './benchDocuments';
import type { DocumentScores } from './documentScores';
import type { BenchSelection, EvaluationResults } from './evaluationResults';
import { compareLensTitle, formatScore, lensTitle, rubricLabels } from './scoreFormat';

/** Lines around the visible ones that get lenses too, so scrolling a little shows them at once. */
const marginLines = 200;

export function entryLabels(entry: BenchEntry, count: number): string[] {
  return rubricLabels(entry.instance?.preference_set?.map((p) => p.dimension) ?? [], count);
}

/** Lines around the visible ones that the first lenses of a large bench cover, before its parse ends (in JSONL a line is an instance). */
const previewMarginLines = 20;

/** The lines of `document` that visible editors show, widened by `margin`; undefined when none shows it. */
function visibleWindow(document: vscode.TextDocument, margin = marginLines): { from: number; to: number } | undefined {
  const ranges = vscode.window.visibleTextEditors.filter((e) => e.document === document).flatMap((e) => e.visibleRanges);
  if (ranges.length === 0) return undefined;
  return { from: Math.min(...ranges.map((r) => r.start.line)) - margin, to: Math.max(...ranges.map((r) => r.end.line)) + margin };
}

/**
 * Lenses above each bench instance (scores, Evaluate, Generate, Feedback) and above a document
 * scored against the persona. Reads the cached parse: a lens request on a large bench never parses
 * the whole file (it reads the visible instances while the parse runs in the background).
 */
export class BenchCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;
  private readonly subscriptions: vscode.Disposable[];
  /** Per document, the lines the last lenses covered: scrolling past them asks for new ones. */
  private readonly windows = new Map<string, { from: number; to: number }>();

  constructor(
    private readonly documents: BenchDocuments,
    private readonly results: EvaluationResults,
    private readonly scores: DocumentScores,
  ) {
    this.subscriptions = [
      this.emitter,
      results.onDidChange(() => this.emitter.fire()),
      scores.onDidChange(() => this.emitter.fire()),
      documents.onDidParse(() => this.emitter.fire()),
      vscode.window.onDidChangeTextEditorVisibleRanges((e) => {
        const window = this.windows.get(e.textEditor.document.uri.toString());
        const first = e.visibleRanges[0];
        const last = e.visibleRanges[e.visibleRanges.length - 1];
        if (window && first && last && (first.start.line < window.from + marginLines / 2 || last.end.line > window.to - marginLines / 2)) this.emitter.fire();
      }),
    ];
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const started = performance.now();
    const scored = this.scoredDocumentLenses(document);
    const parsed = this.documents.peek(document);
    let lenses = scored;
    if (parsed) lenses = [...scored, ...this.benchLenses(document, parsed.entries, parsed)];
    else if (this.documents.pending(document)) lenses = [...scored, ...this.previewLenses(document)];
    const timings = this.documents.timings.get(document.uri.toString());
    if (timings && timings.firstLensAt === undefined && lenses.length > 0) Object.assign(timings, { firstLensAt: performance.now(), firstLensMs: performance.now() - started });
    this.documents.busy(document, started);
    return lenses;
  }

  /**
   * While a large bench's parse runs: lenses for the visible instances (the top of the file when no
   * editor shows it), from reading only that far. The parse's end brings the full lenses.
   */
  private previewLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const window = visibleWindow(document, previewMarginLines) ?? { from: 0, to: 3 * previewMarginLines };
    const preview = this.documents.preview(document, window.from, window.to);
    return preview ? this.benchLenses(document, preview.entries, undefined) : [];
  }

  /** The header and the lenses of the entries near the visible lines; `parsed` undefined while only a preview is known. */
  private benchLenses(document: vscode.TextDocument, entries: readonly BenchEntry[], parsed: ParsedBench | undefined): vscode.CodeLens[] {
    const selection = this.results.get(document.uri);
    const window = visibleWindow(document);
    if (window) this.windows.set(document.uri.toString(), window);
    else this.windows.delete(document.uri.toString());
    const lenses: vscode.CodeLens[] = [this.headerLens(document.uri.toString(), parsed, selection)];
    const uri = document.uri.toString();
    for (const entry of entries) {
      if (window && (entry.range.endLine < window.from || entry.range.line > window.to)) continue;
      const range = new vscode.Range(entry.range.line, 0, entry.range.line, 0);
      const result = selection?.shown.byId.get(entry.id);
      if (result) {
        const labels = entryLabels(entry, result.scores.length);
        const title = selection?.base ? compareLensTitle(result, selection.base.byId.get(entry.id), labels) : lensTitle(result, labels);
        lenses.push(new vscode.CodeLens(range, { title, command: commandIds.showEvaluationFeedback, arguments: [uri, entry.id], tooltip: `Scores from ${selection?.shown.label ?? ''}: show the judge's feedback` }));
      } else if (selection) {
        lenses.push(new vscode.CodeLens(range, { title: 'not evaluated', command: '', tooltip: `${selection.shown.label} has no result for instance ${entry.id}` }));
      }
      lenses.push(new vscode.CodeLens(range, { title: 'Evaluate', command: commandIds.evaluateBench, arguments: [{ uri, ids: [entry.id] }], tooltip: `Judge instance ${entry.id} on its rubrics` }));
      if (entry.instance) {
        lenses.push(new vscode.CodeLens(range, { title: 'Generate', command: commandIds.generate, arguments: [{ system: entry.instance.system, prompt: entry.instance.prompt }], tooltip: `Generate a response to instance ${entry.id} with its system message` }));
      }
      if (result) lenses.push(new vscode.CodeLens(range, { title: 'Feedback', command: commandIds.showEvaluationFeedback, arguments: [uri, entry.id] }));
    }
    return lenses;
  }

  private headerLens(uri: string, parsed: ParsedBench | undefined, selection: BenchSelection | undefined): vscode.CodeLens {
    const range = new vscode.Range(0, 0, 0, 0);
    const count = parsed ? `${parsed.entries.length} instance${parsed.entries.length === 1 ? '' : 's'}` : 'parsing…';
    const problems = parsed && parsed.problems.length > 0 ? ` · ${parsed.problems.length} problem${parsed.problems.length === 1 ? '' : 's'}` : '';
    let shown = ' · no results yet';
    if (selection) {
      const means = [...selection.shown.byId.values()].flatMap((r) => (r.mean === null ? [] : [r.mean]));
      const mean = means.length === 0 ? null : means.reduce((a, b) => a + b, 0) / means.length;
      shown = ` · ${selection.shown.label}: mean ${formatScore(mean)}${selection.base ? ` vs ${selection.base.label}` : ''}`;
    }
    return new vscode.CodeLens(range, { title: `Janus bench · ${count}${problems}${shown}`, command: commandIds.selectEvaluationResults, arguments: [{ uri }], tooltip: 'Select the evaluation results to show, or two runs to compare' });
  }

  private scoredDocumentLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const score = this.scores.get(document.uri);
    if (!score) return [];
    const range = new vscode.Range(0, 0, 0, 0);
    const stale = score.version === document.version ? '' : ' (edited since)';
    return [
      new vscode.CodeLens(range, { title: `${score.persona}: ${lensTitle(score.result, score.labels)}${stale}`, command: commandIds.showEvaluationFeedback, arguments: [document.uri.toString()] }),
      new vscode.CodeLens(range, { title: 'Feedback', command: commandIds.showEvaluationFeedback, arguments: [document.uri.toString()] }),
      new vscode.CodeLens(range, { title: 'Score Again', command: commandIds.scoreDocument, arguments: [{ uri: document.uri.toString() }] }),
    ];
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }
}
