import * as vscode from 'vscode';
import type { BenchEntry, ParsedBench } from '../../core/bench/benchFile';
import type { BenchDocuments } from './benchDocuments';
import { entryLabels } from './benchCodeLens';
import type { DocumentScores } from './documentScores';
import type { EvaluationResults } from './evaluationResults';
import type { InstanceResult } from './scoreFormat';
import { feedbackMarkdown, formatScore } from './scoreFormat';

/** The entry whose range holds `offset` (entries are in file order, so a binary search). */
export function entryAt(entries: readonly BenchEntry[], offset: number): BenchEntry | undefined {
  let lo = 0;
  let hi = entries.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const entry = entries[mid];
    if (!entry) return undefined;
    if (offset < entry.range.offset) hi = mid - 1;
    else if (offset >= entry.range.offset + entry.range.length) lo = mid + 1;
    else return entry;
  }
  return undefined;
}

/** Every rubric's score and feedback, for the Feedback action and the lens-line hover. */
export function allFeedbackMarkdown(title: string, result: InstanceResult, labels: readonly string[]): string {
  const parts = result.scores.map((s, i) => feedbackMarkdown(labels[i] ?? `r${i + 1}`, s, result.feedback[i]));
  return [`### ${title}: ${formatScore(result.mean)}`, ...parts].join('\n\n---\n\n');
}

/**
 * Hover on a rubric's `criteria` shows the judge's score and feedback for that rubric; hover on
 * the first line of a document scored against the persona shows all of its feedback.
 */
export class BenchHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly documents: BenchDocuments,
    private readonly results: EvaluationResults,
    private readonly scores: DocumentScores,
  ) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined | Promise<vscode.Hover | undefined> {
    const score = this.scores.get(document.uri);
    if (score && position.line === 0) {
      return new vscode.Hover(new vscode.MarkdownString(allFeedbackMarkdown(`Scored against ${score.persona}`, score.result, score.labels)));
    }
    const parsed = this.documents.peek(document);
    // A large bench still parsing in the background: the hover waits for that parse, never starts its own.
    if (!parsed) return this.documents.pending(document) ? this.documents.parsed(document).then((p) => p && this.criteriaHover(document, position, p)) : undefined;
    return this.criteriaHover(document, position, parsed);
  }

  private criteriaHover(document: vscode.TextDocument, position: vscode.Position, parsed: ParsedBench): vscode.Hover | undefined {
    const selection = this.results.get(document.uri);
    if (!selection) return undefined;
    const offset = document.offsetAt(position);
    const entry = entryAt(parsed.entries, offset);
    const result = entry && selection.shown.byId.get(entry.id);
    if (!entry || !result) return undefined;
    const labels = entryLabels(entry, result.scores.length);
    const index = entry.rubrics.findIndex((r) => r.criteria !== undefined && offset >= r.criteria.offset && offset < r.criteria.offset + r.criteria.length);
    if (index < 0) return undefined;
    const criteria = entry.rubrics[index]?.criteria;
    const range = criteria ? new vscode.Range(criteria.line, criteria.column, criteria.endLine, criteria.endColumn) : undefined;
    const markdown = new vscode.MarkdownString(`${feedbackMarkdown(labels[index] ?? `r${index + 1}`, result.scores[index] ?? null, result.feedback[index])}\n\n_${selection.shown.label}_`);
    return new vscode.Hover(markdown, range);
  }
}
