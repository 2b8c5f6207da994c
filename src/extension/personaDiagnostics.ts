import * as vscode from 'vscode';
import { findNodeAtLocation, parseTree } from 'jsonc-parser';
import type { LintResult, LintSeverity } from '../core/preferences/lint';
import { lintPersona } from '../core/preferences/lint';
import { parsePersonaText } from '../core/preferences/personaText';
import { decodedToRawOffsets, isPersonaPath } from './personaFiles';

const severities: Readonly<Record<LintSeverity, vscode.DiagnosticSeverity>> = {
  // Lint is advice about the message, never a reason to refuse the file.
  error: vscode.DiagnosticSeverity.Warning,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

export const diagnosticSource = 'Janus persona';

/** Problems of a persona file's text: schema/syntax errors, else lint of its system message. */
export function personaDiagnostics(document: vscode.TextDocument): vscode.Diagnostic[] {
  const text = document.getText();
  const parsed = parsePersonaText(text);
  if (!parsed.ok) {
    return parsed.problems.map((p) => {
      const d = new vscode.Diagnostic(new vscode.Range(p.line, p.column, p.endLine, p.endColumn), p.message, vscode.DiagnosticSeverity.Error);
      d.source = diagnosticSource;
      return d;
    });
  }
  const node = findNodeAtLocation(parseTree(text) ?? { type: 'null', offset: 0, length: 0 }, ['system']);
  const key = node?.parent?.children?.[0];
  const literal = node ? text.slice(node.offset, node.offset + node.length) : '';
  const offsets = decodedToRawOffsets(literal);
  const rangeOf = (result: LintResult): vscode.Range => {
    if (node && result.range) {
      const start = node.offset + (offsets[result.range.start] ?? 1);
      const end = node.offset + (offsets[result.range.end] ?? node.length - 1);
      return new vscode.Range(document.positionAt(start), document.positionAt(end));
    }
    // Findings about the whole message sit on the "system" key, not across the whole paragraph.
    const at = key ?? node;
    return at ? new vscode.Range(document.positionAt(at.offset), document.positionAt(at.offset + at.length)) : new vscode.Range(0, 0, 0, 1);
  };
  return lintPersona(parsed.persona).map((result) => {
    const d = new vscode.Diagnostic(rangeOf(result), result.message, severities[result.severity]);
    d.source = diagnosticSource;
    d.code = result.code;
    return d;
  });
}

/** Keeps diagnostics of every open `*.persona.json` document current; never edits a file. */
export class PersonaDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('janusPersona');
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.subscriptions = [
      this.collection,
      vscode.workspace.onDidOpenTextDocument((d) => this.update(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.update(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => this.collection.delete(d.uri)),
    ];
    for (const document of vscode.workspace.textDocuments) this.update(document);
  }

  update(document: vscode.TextDocument): void {
    if (!isPersonaPath(document.uri.path) || document.uri.scheme === 'output') return;
    this.collection.set(document.uri, personaDiagnostics(document));
  }

  diagnostics(uri: vscode.Uri): readonly vscode.Diagnostic[] {
    return this.collection.get(uri) ?? [];
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }
}
