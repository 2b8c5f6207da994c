import * as vscode from 'vscode';
import type { JSONPath } from 'jsonc-parser';
import { modify } from 'jsonc-parser';
import type { Logger } from '../core/log';
import type { Persona } from '../core/preferences/persona';
import { serializePersona } from '../core/preferences/persona';
import type { PersonaParseResult } from '../core/preferences/personaText';
import { parsePersonaText } from '../core/preferences/personaText';
import type { PreferenceTemplate } from '../core/preferences/templates';
import { BUILTIN_TEMPLATES, mergeTemplates, parseTemplateFile } from '../core/preferences/templates';
import type { PersonaFile } from '../webview/personaEditor/protocol';
import { freePersonaFileName, personaFolder, personaSuffix, templateFolder, textHash } from './personaFiles';

/** The workspace's persona files, sorted by path. */
export async function listPersonaFiles(): Promise<PersonaFile[]> {
  const uris = await vscode.workspace.findFiles(`**/*${personaSuffix}`, '**/node_modules/**', 500);
  return uris
    .map((uri) => ({ uri: uri.toString(), label: vscode.workspace.asRelativePath(uri) }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

/** Built-ins, then `.janus/templates/*.json`; a broken template file is logged and skipped. */
export async function loadTemplates(log: Logger): Promise<PreferenceTemplate[]> {
  const uris = await vscode.workspace.findFiles(`${templateFolder}/*.json`, null, 100);
  const user: PreferenceTemplate[] = [];
  for (const uri of uris.sort((a, b) => a.path.localeCompare(b.path))) {
    const label = vscode.workspace.asRelativePath(uri);
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    const parsed = parseTemplateFile(text, label);
    if (parsed.ok) user.push(...parsed.templates);
    else log.warn(`Template file ${label} skipped: ${parsed.problems.map((p) => `${p.line + 1}:${p.column + 1} ${p.message}`).join('; ')}`);
  }
  return mergeTemplates(BUILTIN_TEMPLATES, user);
}

export interface PersonaRead {
  readonly document: vscode.TextDocument;
  readonly hash: string;
  readonly result: PersonaParseResult;
}

/** Reads through the text document, so unsaved editor changes are what the view sees. */
export async function readPersona(uri: vscode.Uri): Promise<PersonaRead> {
  const document = await vscode.workspace.openTextDocument(uri);
  const text = document.getText();
  return { document, hash: textHash(text), result: parsePersonaText(text) };
}

export type WriteResult =
  | { readonly ok: true; readonly uri: vscode.Uri; readonly hash: string }
  | { readonly ok: false; readonly message: string };

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/** A fresh file name in the persona folder of the first workspace folder. */
export async function newPersonaUri(name: string): Promise<vscode.Uri | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) return undefined;
  const dir = vscode.Uri.joinPath(folder.uri, personaFolder);
  return vscode.Uri.joinPath(dir, await freePersonaFileName(name, (fileName) => exists(vscode.Uri.joinPath(dir, fileName))));
}

/** Creates a persona file (never over an existing one) and saves it. */
export async function createPersonaFile(uri: vscode.Uri, persona: Persona): Promise<WriteResult> {
  const text = serializePersona(persona);
  const edit = new vscode.WorkspaceEdit();
  edit.createFile(uri, { ignoreIfExists: false, overwrite: false, contents: new TextEncoder().encode(text) });
  if (!(await vscode.workspace.applyEdit(edit))) return { ok: false, message: `Could not create ${vscode.workspace.asRelativePath(uri)}.` };
  const document = await vscode.workspace.openTextDocument(uri);
  if (document.isDirty) await document.save();
  return { ok: true, uri, hash: textHash(document.getText()) };
}

/**
 * Replaces the file's text with the persona through a WorkspaceEdit (so Undo in an editor brings
 * the old text back) and saves it. `baseHash` is the text the change was made against: when the
 * file now holds something else (an editor, another view, the disk), the user decides.
 */
export async function writePersonaFile(uri: vscode.Uri, persona: Persona, baseHash: string | null): Promise<WriteResult> {
  const document = await vscode.workspace.openTextDocument(uri);
  const current = document.getText();
  const text = serializePersona(persona);
  if (baseHash !== null && textHash(current) !== baseHash && current !== text) {
    const overwrite = 'Overwrite';
    const choice = await vscode.window.showWarningMessage(
      `${vscode.workspace.asRelativePath(uri)} changed since the Personas view opened it (in an editor, another window or on disk).`,
      { modal: true, detail: 'Overwrite replaces the file with the view\'s version (Undo in an editor brings the other version back). Cancel keeps the file; reload it in the view to see the other change.' },
      overwrite,
    );
    if (choice !== overwrite) return { ok: false, message: 'Not saved: the file changed elsewhere. Reload it, or save again and overwrite.' };
  }
  if (current !== text) {
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, new vscode.Range(document.positionAt(0), document.positionAt(current.length)), text);
    if (!(await vscode.workspace.applyEdit(edit))) return { ok: false, message: `Could not edit ${vscode.workspace.asRelativePath(uri)}.` };
  }
  if (document.isDirty && !(await document.save())) return { ok: false, message: `Could not save ${vscode.workspace.asRelativePath(uri)}.` };
  return { ok: true, uri, hash: textHash(document.getText()) };
}

/**
 * Sets one field of a persona file in place (jsonc-parser `modify`), keeping the rest of the text
 * and any unsaved editor changes, then saves unless the editor already had unsaved changes.
 */
export async function setPersonaField(uri: vscode.Uri, path: JSONPath, value: unknown): Promise<boolean> {
  const document = await vscode.workspace.openTextDocument(uri);
  const wasDirty = document.isDirty;
  const text = document.getText();
  const edits = modify(text, path, value, { formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' } });
  const edit = new vscode.WorkspaceEdit();
  for (const change of edits) {
    edit.replace(uri, new vscode.Range(document.positionAt(change.offset), document.positionAt(change.offset + change.length)), change.content);
  }
  if (!(await vscode.workspace.applyEdit(edit))) return false;
  if (!wasDirty) await document.save();
  return true;
}
