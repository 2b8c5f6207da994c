import path from 'node:path';
import * as vscode from 'vscode';
import * as z from 'zod';
import { UserFacingError } from '../../core/errors';
import { entryLabels } from '../bench/benchCodeLens';
import { allFeedbackMarkdown } from '../bench/benchHover';
import type { LoadedEvaluation } from '../bench/evaluationResults';
import { readLoadedEvaluation } from '../bench/evaluationResults';
import { listRuns, runsRoot } from '../bench/runRecords';
import { rubricLabels } from '../bench/scoreFormat';
import { exportSummary } from '../bench/summaryReport';
import type { JanusContext } from '../context';

const selectArgsSchema = z
  .object({
    uri: z.string().optional(),
    /** Evaluation files: one to show, or two to compare (the first shown, the second the base). */
    files: z.array(z.string()).min(1).max(2).optional(),
  })
  .optional();

function benchUri(uri: string | undefined): vscode.Uri {
  const resolved = uri === undefined ? vscode.window.activeTextEditor?.document.uri : vscode.Uri.parse(uri);
  if (!resolved) throw new UserFacingError('Open the bench file whose results you want to see first.');
  return resolved;
}

type FileItem = vscode.QuickPickItem & { readonly file?: string };

async function pickFiles(root: string, bench: string): Promise<string[] | undefined> {
  const runs = (await listRuns(root)).filter((r) => r.kind === 'evaluate' && r.bench === bench);
  const items: FileItem[] = runs.map((r) => ({ label: `${r.runId}`, description: `${path.basename(r.output)}${r.finished ? '' : ' (unfinished)'}${r.ids ? ` · ${r.ids.length} instance(s)` : ''}`, file: r.output }));
  items.push({ label: '$(folder-opened) Choose an evaluation file...', alwaysShow: true });
  const picked = await vscode.window.showQuickPick(items, { title: 'Janus: results to show (pick two to compare: the first is shown, the second is the base)', canPickMany: true });
  if (!picked || picked.length === 0) return undefined;
  const files = picked.flatMap((p) => (p.file ? [p.file] : []));
  if (picked.some((p) => !p.file)) {
    const chosen = await vscode.window.showOpenDialog({ canSelectMany: true, filters: { 'Evaluation file': ['json'] }, defaultUri: vscode.Uri.file(root), openLabel: 'Show These Results' });
    files.push(...(chosen ?? []).map((u) => u.fsPath));
  }
  if (files.length > 2) throw new UserFacingError('Pick one evaluation file to show, or two to compare.');
  return files.length === 0 ? undefined : files;
}

/** Janus: Select Evaluation Results: which run the bench's lenses show, or two runs compared. */
export async function selectEvaluationResults(ctx: JanusContext, rawArgs?: unknown): Promise<string | undefined> {
  const parsed = selectArgsSchema.safeParse(rawArgs);
  const args = parsed.success ? parsed.data : undefined;
  const bench = benchUri(args?.uri);
  const files = args?.files ?? (await pickFiles(runsRoot(bench), bench.fsPath));
  if (!files) return undefined;
  const [shownFile, baseFile] = files;
  if (shownFile === undefined) return undefined;
  const shown = await readLoadedEvaluation(shownFile);
  const base: LoadedEvaluation | undefined = baseFile === undefined ? undefined : await readLoadedEvaluation(baseFile);
  ctx.bench.results.set(bench, { shown, base });
  return base ? `${shown.label} vs ${base.label}` : shown.label;
}

/** The Feedback action: every rubric's score and feedback of one instance (or scored document). */
export async function showEvaluationFeedback(ctx: JanusContext, uriArg?: unknown, idArg?: unknown): Promise<string | undefined> {
  const uri = benchUri(typeof uriArg === 'string' ? uriArg : undefined);
  let markdown: string;
  if (typeof idArg !== 'string') {
    const score = ctx.bench.scores.get(uri);
    if (!score) throw new UserFacingError('This document has not been scored: run "Janus: Score Document Against Persona".');
    markdown = allFeedbackMarkdown(`Scored against ${score.persona}`, score.result, score.labels);
  } else {
    const document = await vscode.workspace.openTextDocument(uri);
    const entry = ctx.bench.documents.get(document)?.entries.find((e) => e.id === idArg);
    const selection = ctx.bench.results.get(uri);
    const result = selection?.shown.byId.get(idArg);
    if (!result || !selection) throw new UserFacingError(`Instance ${idArg} has no results in the shown run. Evaluate it first.`);
    const labels = entry ? entryLabels(entry, result.scores.length) : rubricLabels([], result.scores.length);
    markdown = `${allFeedbackMarkdown(`Instance ${idArg}`, result, labels)}\n\n_${selection.shown.label}_\n`;
  }
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: markdown });
  await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
  return markdown;
}

/** Janus: Export Evaluation Summary: CSV and Markdown beside a run's summary file. */
export async function exportEvaluationSummary(ctx: JanusContext, rawArgs?: unknown): Promise<{ csv: string; markdown: string; latex: string } | undefined> {
  const given = z.object({ summary: z.string() }).safeParse(rawArgs);
  let file = given.success ? given.data.summary : undefined;
  if (file === undefined) {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Evaluation summary': ['json'] }, ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, '.janus', 'runs') } : {}), openLabel: 'Export Summary' });
    file = chosen?.[0]?.fsPath;
  }
  if (file === undefined) return undefined;
  const written = await exportSummary(file);
  ctx.log.info(`Exported ${written.csv}, ${written.markdown} and ${written.latex}.`);
  void vscode.window.showInformationMessage(`Exported ${path.basename(written.csv)}, ${path.basename(written.markdown)} and ${path.basename(written.latex)}.`, 'Open Report').then((choice) => {
    if (choice) void vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(written.markdown));
  });
  return written;
}
