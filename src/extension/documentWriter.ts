import * as vscode from 'vscode';

/**
 * Appends streamed text to a document in batches: one WorkspaceEdit per `flushMs` instead of
 * one per token keeps the editor (and its undo stack) responsive at hundreds of tokens a second.
 * Edits are chained so they land in order.
 */
export class StreamingDocumentWriter {
  private pending = '';
  private timer: ReturnType<typeof setTimeout> | undefined;
  private chain: Promise<void> = Promise.resolve();
  private failed = false;
  constructor(
    private readonly document: vscode.TextDocument,
    /** Characters already in the document when streaming into it began. */
    public written = 0,
    private readonly flushMs = 50,
  ) {}

  /** False once the document was closed or an edit failed: the caller should stop the stream. */
  get writable(): boolean {
    return !this.failed && !this.document.isClosed;
  }

  append(text: string): void {
    this.pending += text;
    this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
  }

  /** Writes what is pending and resolves when every edit so far has been applied. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const text = this.pending;
    this.pending = '';
    if (text !== '') {
      this.chain = this.chain.then(async () => {
        if (!this.writable) return;
        const end = this.document.lineAt(this.document.lineCount - 1).range.end;
        const edit = new vscode.WorkspaceEdit();
        edit.insert(this.document.uri, end, text);
        if (await vscode.workspace.applyEdit(edit)) this.written += text.length;
        else this.failed = true;
      });
    }
    return this.chain;
  }
}
