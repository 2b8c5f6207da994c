import * as vscode from 'vscode';
import type { ParsedBench } from '../../core/bench/benchFile';
import type { ConfigService } from '../config';
import type { BenchDocuments } from './benchDocuments';
import { mayBeBench } from './benchDocuments';
import type { EvaluationResults } from './evaluationResults';
import { formatScore, rubricLabels } from './scoreFormat';

/** Long enough that typing does not rebuild the Problems of a 9 MB bench per keystroke. */
const debounceMs = 300;

export const benchDiagnosticSource = 'janus-bench';

/**
 * Problems of bench documents: what is wrong in the file (errors at the line and column to fix)
 * and instances the shown run scored under `janus.evaluation.problemThreshold` (warnings).
 */
export class BenchDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('janus-bench');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly documents: BenchDocuments,
    private readonly results: EvaluationResults,
    private readonly config: ConfigService,
  ) {
    this.subscriptions = [
      this.collection,
      vscode.workspace.onDidOpenTextDocument((d) => this.update(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.clearTimer(d.uri.toString());
        this.collection.delete(d.uri);
      }),
      documents.onDidParse((d) => this.update(d)),
      results.onDidChange((uri) => {
        const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
        if (document) this.update(document);
      }),
      config.onDidChange((change) => {
        if (change.keys.includes('evaluation.problemThreshold')) for (const d of vscode.workspace.textDocuments) this.update(d);
      }),
    ];
    for (const d of vscode.workspace.textDocuments) this.update(d);
  }

  private clearTimer(key: string): void {
    const timer = this.timers.get(key);
    if (timer) clearTimeout(timer);
    this.timers.delete(key);
  }

  private schedule(document: vscode.TextDocument): void {
    if (!mayBeBench(document)) return;
    const key = document.uri.toString();
    this.clearTimer(key);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.update(document);
      }, debounceMs),
    );
  }

  update(document: vscode.TextDocument): void {
    if (!mayBeBench(document) || document.isClosed) return;
    const parsed = this.documents.peek(document);
    // A large bench parses in the background (started by `peek`): its end calls this again.
    if (!parsed && this.documents.pending(document)) return;
    if (!parsed) {
      this.collection.delete(document.uri);
      return;
    }
    this.collection.set(document.uri, [...problemDiagnostics(parsed), ...this.lowScoreDiagnostics(document.uri, parsed)]);
  }

  private lowScoreDiagnostics(uri: vscode.Uri, parsed: ParsedBench): vscode.Diagnostic[] {
    const selection = this.results.get(uri);
    if (!selection) return [];
    const threshold = this.config.settings['evaluation.problemThreshold'];
    const out: vscode.Diagnostic[] = [];
    for (const entry of parsed.entries) {
      const result = selection.shown.byId.get(entry.id);
      if (result?.mean === null || result === undefined || result.mean >= threshold) continue;
      const labels = rubricLabels(entry.instance?.preference_set?.map((p) => p.dimension) ?? [], result.scores.length);
      const low = result.scores.flatMap((s, i) => (s !== null && s < threshold ? [`${labels[i] ?? `r${i + 1}`} ${s}`] : []));
      const start = new vscode.Position(entry.range.line, entry.range.column);
      const diagnostic = new vscode.Diagnostic(
        new vscode.Range(start, start.translate(0, 1)),
        `Instance ${entry.id} scored ${formatScore(result.mean)}, under ${threshold}${low.length > 0 ? ` (${low.join(', ')})` : ''} in ${selection.shown.label}. Read the feedback on its lens.`,
        vscode.DiagnosticSeverity.Warning,
      );
      diagnostic.source = benchDiagnosticSource;
      out.push(diagnostic);
    }
    return out;
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const d of this.subscriptions) d.dispose();
  }
}

export function problemDiagnostics(parsed: ParsedBench): vscode.Diagnostic[] {
  return parsed.problems.map((p) => {
    const diagnostic = new vscode.Diagnostic(new vscode.Range(p.line, p.column, p.endLine, p.endColumn), p.message, vscode.DiagnosticSeverity.Error);
    diagnostic.source = benchDiagnosticSource;
    return diagnostic;
  });
}
