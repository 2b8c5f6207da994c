/**
 * Janus: Open as Janus Bench, on a `.parquet` bench (explorer context menu, or the title bar of the
 * binary-file editor VS Code shows for it): writes the read-only JSONL view under
 * `.janus/benches/` (core/bench/parquetView.ts says why a file and how it is keyed) and opens it,
 * where the bench features (lenses, hovers, Problems, Evaluate / Generate) work as on any bench.
 * While the view is open its Parquet is watched: if the content changes, the view gets a Problems
 * entry and a warning saying its rows and results are the old content, with the way to the new.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import type { ParquetViewManifest } from '../../core/bench/parquetView';
import { parquetViewState, parquetViewTarget, writeParquetBenchView } from '../../core/bench/parquetView';
import { isParquetPath } from '../../core/bench/parquetSource';
import { UserFacingError } from '../../core/errors';
import { runsRoot } from '../bench/runRecords';
import { commandIds } from '../constants';
import type { JanusContext } from '../context';

export interface OpenParquetBenchResult {
  /** The JSONL view that was opened. */
  readonly view: string;
  readonly sha256: string;
  readonly rows: number;
  readonly reused: boolean;
}

/** The menus pass the clicked Uri; tests and other commands may pass `{ uri }` as a string. */
function uriOf(args: unknown): vscode.Uri | undefined {
  if (args instanceof vscode.Uri) return args;
  const uri = typeof args === 'object' && args !== null ? (args as { uri?: unknown }).uri : undefined;
  if (typeof uri === 'string') return vscode.Uri.parse(uri);
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const active = typeof input === 'object' && input !== null ? (input as { uri?: unknown }).uri : undefined;
  return active instanceof vscode.Uri && isParquetPath(active.fsPath) ? active : undefined;
}

export async function openParquetBench(ctx: JanusContext, args?: unknown): Promise<OpenParquetBenchResult | undefined> {
  let uri = uriOf(args);
  if (!uri) {
    const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Parquet bench': ['parquet'] }, openLabel: 'Open as Janus Bench' });
    uri = picked?.[0];
    if (!uri) return undefined;
  }
  if (uri.scheme !== 'file') throw new UserFacingError(`${uri.toString()} is not on this machine's disk; copy the Parquet into the workspace and open it there.`);
  const target = parquetViewTarget(uri.fsPath);
  const folder = path.join(runsRoot(uri), '.janus', 'benches');
  const { view, manifest, reused } = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Janus: reading ${path.basename(target)}` },
    () => writeParquetBenchView(target, folder),
  );
  ctx.log.info(`${reused ? 'Reopened' : 'Wrote'} the bench view ${view} of ${target} (${manifest.rows} rows, sha256 ${manifest.sha256}).`);
  const viewUri = vscode.Uri.file(view);
  await vscode.window.showTextDocument(viewUri, { preview: false });
  // The file is chmod 444 already; this makes the editor say so instead of failing on save.
  await vscode.commands.executeCommand('workbench.action.files.setActiveEditorReadonlyInSession').then(undefined, () => undefined);
  watchSource(ctx, viewUri, manifest);
  return { view, sha256: manifest.sha256, rows: manifest.rows, reused };
}

let staleViews: vscode.DiagnosticCollection | undefined;
const watched = new Set<string>();

/** Watches the Parquet behind an open view; a change of content marks the view stale. */
function watchSource(ctx: JanusContext, view: vscode.Uri, manifest: ParquetViewManifest): void {
  if (watched.has(view.fsPath)) return;
  watched.add(view.fsPath);
  if (!staleViews) {
    staleViews = vscode.languages.createDiagnosticCollection('janus-parquet');
    ctx.extension.subscriptions.push(staleViews);
  }
  const collection = staleViews;
  const isFolder = manifest.files.length > 1 || manifest.files[0]?.path !== manifest.source;
  const pattern = isFolder ? new vscode.RelativePattern(vscode.Uri.file(manifest.source), '**/*.parquet') : new vscode.RelativePattern(vscode.Uri.file(path.dirname(manifest.source)), path.basename(manifest.source));
  const watcher = vscode.workspace.createFileSystemWatcher(pattern);
  let warned = false;
  const check = async (): Promise<void> => {
    const state = await parquetViewState(manifest);
    if (state === 'current') return collection.delete(view);
    const what = state === 'missing' ? 'is gone' : 'changed';
    const message = `${manifest.source} ${what} since this view was made (sha256 ${manifest.sha256.slice(0, 12)}): these rows, lenses and results are its old content, and stay as they were. Run "Janus: Open as Janus Bench" on it for the new rows.`;
    collection.set(view, [new vscode.Diagnostic(new vscode.Range(0, 0, 0, 1), message, vscode.DiagnosticSeverity.Warning)]);
    if (warned) return;
    warned = true;
    const action = state === 'changed' ? 'Open as Janus Bench' : undefined;
    const chosen = await (action ? vscode.window.showWarningMessage(message, action) : vscode.window.showWarningMessage(message));
    if (chosen === action && action) await vscode.commands.executeCommand(commandIds.openParquetBench, vscode.Uri.file(manifest.source));
  };
  const onEvent = (): void => {
    void check().catch((error: unknown) => ctx.log.warn(`Could not check ${manifest.source}: ${error instanceof Error ? error.message : String(error)}`));
  };
  ctx.extension.subscriptions.push(watcher, watcher.onDidChange(onEvent), watcher.onDidCreate(onEvent), watcher.onDidDelete(onEvent));
}
