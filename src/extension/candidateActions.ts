import * as vscode from 'vscode';
import type { CandidateAction } from '../webview/candidates/protocol';
import type { SourceEditor } from './bestOfNSession';

/** The editor the command came from, shown again if the panel covered it. */
async function sourceEditor(source: SourceEditor | undefined): Promise<vscode.TextEditor | undefined> {
  if (!source) return vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme !== 'output');
  const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === source.uri.toString());
  if (visible) return visible;
  return vscode.window.showTextDocument(source.uri, { viewColumn: source.viewColumn ?? vscode.ViewColumn.One, preserveFocus: false, preview: false });
}

/**
 * Does `action` with a candidate's text; resolves with what the panel's status line says.
 * Insert writes at the source editor's cursor now; Replace replaces the selection the command
 * was run on (the prompt, typically), not wherever the cursor went since.
 */
export async function runCandidateAction(action: CandidateAction, text: string, source: SourceEditor | undefined): Promise<string> {
  switch (action) {
    case 'copy':
      await vscode.env.clipboard.writeText(text);
      return 'Copied to the clipboard.';
    case 'open': {
      const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: text });
      await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: false });
      return 'Opened as a new document.';
    }
    case 'insert': {
      const editor = await sourceEditor(source);
      if (!editor) {
        await runCandidateAction('open', text, source);
        return 'No editor was open, so the candidate opened as a new document.';
      }
      const at = editor.selection.active;
      const ok = await editor.edit((edit) => edit.insert(at, text));
      if (!ok) throw new Error(`the editor did not accept the insert (is ${vscode.workspace.asRelativePath(editor.document.uri)} read-only?)`);
      return `Inserted into ${vscode.workspace.asRelativePath(editor.document.uri)} at line ${at.line + 1}.`;
    }
    case 'replace': {
      const selection = source?.selection;
      if (!source || !selection) throw new Error('the command ran without a selection, so there is nothing to replace; use Insert');
      const editor = await sourceEditor(source);
      if (!editor) throw new Error('the editor the command came from is gone');
      const ok = await editor.edit((edit) => edit.replace(selection, text));
      if (!ok) throw new Error('the editor did not accept the replacement');
      return `Replaced the selection in ${vscode.workspace.asRelativePath(editor.document.uri)}.`;
    }
  }
}
