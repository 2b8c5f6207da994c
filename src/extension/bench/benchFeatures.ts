import * as vscode from 'vscode';
import type { Logger } from '../../core/log';
import type { ConfigService } from '../config';
import { BenchActivity } from './benchActivity';
import { BenchCodeLensProvider, benchJobCommand, showBenchJobs } from './benchCodeLens';
import { BenchDiagnostics } from './benchDiagnostics';
import { BenchDocuments, benchSelector } from './benchDocuments';
import { BenchHoverProvider } from './benchHover';
import { DocumentScores } from './documentScores';
import { EvaluationResults } from './evaluationResults';
import { ScoreDecorations } from './scoreDecorations';

/** Any document can be scored against the persona; bench documents are matched inside. */
const scoredSelector: vscode.DocumentSelector = [{ scheme: 'file' }, { scheme: 'untitled' }];

/** Bench files and scored documents in the editor: parses, results, lenses, hovers, marks, Problems. */
export class BenchFeatures implements vscode.Disposable {
  readonly documents = new BenchDocuments();
  readonly results: EvaluationResults;
  readonly scores = new DocumentScores();
  readonly diagnostics: BenchDiagnostics;
  readonly decorations: ScoreDecorations;
  readonly lenses: BenchCodeLensProvider;
  /** Live jobs and pending batches per bench, for the header and instance lenses. */
  readonly activity = new BenchActivity();
  private readonly subscriptions: vscode.Disposable[];

  constructor(config: ConfigService, log: Logger) {
    this.results = new EvaluationResults(log);
    this.diagnostics = new BenchDiagnostics(this.documents, this.results, config);
    this.decorations = new ScoreDecorations(this.documents, this.results, config);
    this.lenses = new BenchCodeLensProvider(this.documents, this.results, this.scores, this.activity);
    const hover = new BenchHoverProvider(this.documents, this.results, this.scores);
    const selector = [...(benchSelector as readonly vscode.DocumentFilter[]), ...(scoredSelector as readonly vscode.DocumentFilter[])];
    this.subscriptions = [
      vscode.languages.registerCodeLensProvider(selector, this.lenses),
      vscode.languages.registerHoverProvider(selector, hover),
      vscode.commands.registerCommand(benchJobCommand, (uri: unknown) => showBenchJobs(this.activity, uri)),
      this.lenses,
      this.activity,
      this.decorations,
      this.diagnostics,
      this.results,
      this.scores,
      this.documents,
    ];
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }
}
