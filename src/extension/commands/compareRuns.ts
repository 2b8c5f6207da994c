import path from 'node:path';
import * as vscode from 'vscode';
import * as z from 'zod';
import { UserFacingError } from '../../core/errors';
import { comparisonMarkdown } from '../../core/stats/comparisonReport';
import type { RunComparison } from '../../core/stats/evaluationRuns';
import { readEvaluationRuns, summarizeSide } from '../../core/stats/evaluationRuns';
import { readLoadedEvaluation } from '../bench/evaluationResults';
import type { RunRecord } from '../bench/runRecords';
import { listRuns } from '../bench/runRecords';
import type { JanusContext } from '../context';

/** For tests and other commands: two evaluation files, and the bench they judged (its lenses then compare). */
const argsSchema = z.object({ a: z.string(), b: z.string(), bench: z.string().optional() }).optional();

type RunItem = vscode.QuickPickItem & { readonly record?: RunRecord };

/** Every finished evaluation run of the workspace folders, newest first. */
async function workspaceRuns(): Promise<RunRecord[]> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const runs = (await Promise.all(folders.map((f) => listRuns(f.uri.fsPath)))).flat();
  return runs.filter((r) => r.kind === 'evaluate' && !r.ids).sort((x, y) => (x.startedAt < y.startedAt ? 1 : -1));
}

async function pickTwo(): Promise<{ a: string; b: string; bench?: string } | undefined> {
  const runs = await workspaceRuns();
  const items: RunItem[] = runs.map((r) => ({ label: r.runId, description: `${path.basename(r.output)} · ${path.basename(r.bench)}${r.finished ? '' : ' (unfinished)'}`, record: r }));
  items.push({ label: '$(folder-opened) Choose two evaluation files...', alwaysShow: true });
  const picked = await vscode.window.showQuickPick(items, { title: 'Janus: pick two evaluation runs (the first picked is a, the baseline; the second is b)', canPickMany: true });
  if (!picked || picked.length === 0) return undefined;
  const files = picked.flatMap((p) => (p.record ? [p.record.output] : []));
  if (picked.some((p) => !p.record)) {
    const chosen = await vscode.window.showOpenDialog({ canSelectMany: true, filters: { 'Evaluation file': ['json'] }, openLabel: 'Compare These' });
    files.push(...(chosen ?? []).map((u) => u.fsPath));
  }
  if (files.length !== 2) throw new UserFacingError(`Pick exactly two evaluation runs to compare (got ${files.length}).`);
  const benches = new Set(picked.flatMap((p) => (p.record ? [p.record.bench] : [])));
  const [a, b] = files as [string, string];
  return { a, b, ...(benches.size === 1 && picked.every((p) => p.record) ? { bench: [...benches][0] } : {}) };
}

/**
 * Janus: Compare Evaluation Runs: any two runs of the workspace, compared instance by instance
 * (means with intervals, paired bootstrap and permutation test, movers) in a Markdown report; when
 * both are runs of one bench, that bench's lenses switch to compare mode (b shown, a the base).
 */
export async function compareEvaluationRunsCommand(ctx: JanusContext, rawArgs?: unknown): Promise<RunComparison | undefined> {
  const given = argsSchema.safeParse(rawArgs);
  const chosen: { a: string; b: string; bench?: string | undefined } | undefined = given.success && given.data ? given.data : await pickTwo();
  if (!chosen) return undefined;
  const [a, b] = await Promise.all([readEvaluationRuns(chosen.a), readEvaluationRuns(chosen.b)]);
  const result: RunComparison = { a: summarizeSide(a), b: summarizeSide(b), paired: await ctx.stats.paired(a.instanceMeans, b.instanceMeans) };
  const label = (file: string): string => `${path.basename(path.dirname(file))}/${path.basename(file)}`;
  const markdown = comparisonMarkdown(result, { a: label(chosen.a), b: label(chosen.b) });
  ctx.log.info(`Compared ${chosen.a} (a) with ${chosen.b} (b): ${result.paired ? `b - a = ${result.paired.difference.toFixed(3)} [${result.paired.low.toFixed(3)}, ${result.paired.high.toFixed(3)}], p = ${result.paired.pValue.toFixed(4)}` : 'nothing paired'}`);
  const bench = chosen.bench;
  if (bench !== undefined) {
    const [shown, base] = await Promise.all([readLoadedEvaluation(chosen.b), readLoadedEvaluation(chosen.a)]);
    ctx.bench.results.set(vscode.Uri.file(bench), { shown, base });
  }
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: markdown });
  await vscode.commands.executeCommand('markdown.showPreview', doc.uri);
  return result;
}
