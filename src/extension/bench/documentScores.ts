import * as vscode from 'vscode';
import type { InstanceResult } from './scoreFormat';

/** Score Document's result for one document: what the lens at the top and its hover show. */
export interface DocumentScore {
  readonly persona: string;
  readonly labels: readonly string[];
  readonly result: InstanceResult;
  /** The document version that was judged: an edit afterwards marks the score as stale. */
  readonly version: number;
}

/** The latest Score Document result per open document. */
export class DocumentScores implements vscode.Disposable {
  private readonly scores = new Map<string, DocumentScore>();
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.subscriptions = [this.emitter, vscode.workspace.onDidCloseTextDocument((d) => this.scores.delete(d.uri.toString()))];
  }

  get(uri: vscode.Uri): DocumentScore | undefined {
    return this.scores.get(uri.toString());
  }

  set(uri: vscode.Uri, score: DocumentScore): void {
    this.scores.set(uri.toString(), score);
    this.emitter.fire(uri);
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
    this.scores.clear();
  }
}
