import * as vscode from 'vscode';
import type { ConfigService } from '../config';
import type { BenchDocuments } from './benchDocuments';
import type { EvaluationResults } from './evaluationResults';
import type { ScoreBand } from './scoreFormat';
import { scoreBand } from './scoreFormat';

type ShownBand = Exclude<ScoreBand, 'none'>;

/** Theme colours, so the bands read in light, dark and high-contrast themes alike. */
const bandColors: Readonly<Record<ShownBand, string>> = { low: 'charts.red', mid: 'charts.yellow', high: 'charts.green' };

function decorationType(band: ShownBand): vscode.TextEditorDecorationType {
  const color = new vscode.ThemeColor(bandColors[band]);
  // A bar at the start of the instance's first line and a mark in the overview ruler: gutter
  // icons cannot take theme colours.
  return vscode.window.createTextEditorDecorationType({
    // Whole line: the bar sits at the left edge of the text area, next to the line numbers,
    // whatever the instance's indentation.
    isWholeLine: true,
    borderColor: color,
    borderStyle: 'solid',
    borderWidth: '0 0 0 4px',
    overviewRulerColor: color,
    overviewRulerLane: vscode.OverviewRulerLane.Left,
  });
}

/** A score-band mark on each scored instance of the visible bench editors. */
export class ScoreDecorations implements vscode.Disposable {
  private readonly types: Readonly<Record<ShownBand, vscode.TextEditorDecorationType>> = { low: decorationType('low'), mid: decorationType('mid'), high: decorationType('high') };
  private readonly subscriptions: vscode.Disposable[];
  private timer: NodeJS.Timeout | undefined;
  /** Ranges per band of the last update of each editor's document (for tests). */
  readonly applied = new Map<string, Readonly<Record<ShownBand, number>>>();

  constructor(
    private readonly documents: BenchDocuments,
    private readonly results: EvaluationResults,
    private readonly config: ConfigService,
  ) {
    this.subscriptions = [
      results.onDidChange(() => this.updateAll()),
      documents.onDidParse(() => this.updateAll()),
      vscode.window.onDidChangeVisibleTextEditors(() => this.updateAll()),
      vscode.workspace.onDidChangeTextDocument(() => this.schedule()),
      config.onDidChange((c) => {
        if (c.keys.includes('evaluation.problemThreshold')) this.updateAll();
      }),
    ];
    this.updateAll();
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.updateAll(), 300);
  }

  updateAll(): void {
    for (const editor of vscode.window.visibleTextEditors) this.update(editor);
  }

  private update(editor: vscode.TextEditor): void {
    const parsed = this.documents.peek(editor.document);
    // A large bench still parsing keeps its marks until the parse's end updates them.
    if (!parsed && this.documents.pending(editor.document)) return;
    const selection = parsed && this.results.get(editor.document.uri);
    const ranges: Record<ShownBand, vscode.Range[]> = { low: [], mid: [], high: [] };
    if (parsed && selection) {
      const threshold = this.config.settings['evaluation.problemThreshold'];
      for (const entry of parsed.entries) {
        const band = scoreBand(selection.shown.byId.get(entry.id)?.mean ?? null, threshold);
        if (band !== 'none') ranges[band].push(new vscode.Range(entry.range.line, entry.range.column, entry.range.line, entry.range.column + 1));
      }
    }
    for (const band of ['low', 'mid', 'high'] as const) editor.setDecorations(this.types[band], ranges[band]);
    if (parsed) this.applied.set(editor.document.uri.toString(), { low: ranges.low.length, mid: ranges.mid.length, high: ranges.high.length });
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.subscriptions) d.dispose();
    for (const t of Object.values(this.types)) t.dispose();
  }
}
