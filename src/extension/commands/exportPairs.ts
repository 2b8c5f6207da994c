import * as vscode from 'vscode';
// A namespace import lets esbuild drop zod's unused parts (about 370 KB of locales) from the bundle.
import * as z from 'zod';
import { dpoRows, preferenceSessionSchema, sftRows, toJsonl } from '../../core/export/preferencePairs';
import { UserFacingError } from '../../core/errors';
import { writeFileAtomic } from '../../core/files/atomicWrite';
import type { JanusContext } from '../context';

const argsSchema = z.object({ uri: z.string().optional(), open: z.boolean().optional() }).optional();

export interface ExportResult {
  readonly dpoUri: string;
  readonly sftUri: string;
  readonly dpoRows: number;
  readonly sftRows: number;
  /** Files in `.janus/sessions` that were not readable sessions (named in the log). */
  readonly skippedFiles: number;
}

/** `<name>.dpo.jsonl` -> `<name>.sft.jsonl` (any other name gets `.sft.jsonl` added). */
export function sftPathFor(dpoPath: string): string {
  return /\.dpo\.jsonl$/i.test(dpoPath) ? dpoPath.replace(/\.dpo\.jsonl$/i, '.sft.jsonl') : `${dpoPath.replace(/\.jsonl$/i, '')}.sft.jsonl`;
}

function defaultUri(): vscode.Uri | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
  return folder ? vscode.Uri.joinPath(folder.uri, '.janus', 'exports', `preference-pairs-${stamp}.dpo.jsonl`) : undefined;
}

/**
 * Janus: Export Preference Pairs. The marks of every Best-of-N session (this window's and those
 * stored in `.janus/sessions`) as DPO rows
 * (every chosen x rejected pair, with rewards) and SFT rows (the chosen answers) in two JSONL
 * files, each written atomically, then offered for opening.
 */
export async function exportPreferencePairs(ctx: JanusContext, rawArgs?: unknown): Promise<ExportResult | undefined> {
  const parsedArgs = argsSchema.safeParse(rawArgs);
  const args = parsedArgs.success ? parsedArgs.data : undefined;
  // Parsed, not trusted: the entries came through webview state after a reload, or from files.
  const { entries, unreadable } = await ctx.bestOfN.entries();
  for (const u of unreadable) ctx.log.warn(`Export Preference Pairs: skipped ${u.file}: ${u.problem}.`);
  const skipped = unreadable.length === 0 ? '' : ` Skipped ${unreadable.length} unreadable session file${unreadable.length === 1 ? '' : 's'} in .janus/sessions (see the Janus log).`;
  const session = preferenceSessionSchema.parse({ entries });
  const dpo = dpoRows(session);
  const sft = sftRows(session);
  if (sft.length === 0) {
    throw new UserFacingError(`Nothing to export yet: mark candidates as Chosen (and others as Rejected for DPO pairs) in the candidates panel.${skipped}`);
  }
  const suggested = defaultUri();
  const target = args?.uri !== undefined ? vscode.Uri.parse(args.uri) : await vscode.window.showSaveDialog({
    title: 'Janus: Export Preference Pairs (DPO JSONL; the SFT file is written beside it)',
    ...(suggested ? { defaultUri: suggested } : {}),
    filters: { 'JSON Lines': ['jsonl'] },
  });
  if (!target) return undefined;
  if (target.scheme !== 'file') throw new UserFacingError('Preference pairs can only be exported to a local file.');
  const sftUri = vscode.Uri.file(sftPathFor(target.fsPath));
  await writeFileAtomic(target.fsPath, toJsonl(dpo));
  await writeFileAtomic(sftUri.fsPath, toJsonl(sft));
  const result = { dpoUri: target.toString(), sftUri: sftUri.toString(), dpoRows: dpo.length, sftRows: sft.length, skippedFiles: unreadable.length };
  ctx.log.info(`Exported ${dpo.length} DPO pairs to ${target.fsPath} and ${sft.length} SFT rows to ${sftUri.fsPath}.`);
  const message = `Exported ${dpo.length} DPO pair${dpo.length === 1 ? '' : 's'} and ${sft.length} SFT row${sft.length === 1 ? '' : 's'}.${dpo.length === 0 ? ' Mark some candidates Rejected to get DPO pairs.' : ''}${skipped}`;
  if (args?.open === false) return result;
  const show = vscode.window.showInformationMessage(message, 'Open DPO File', 'Open SFT File');
  // Not awaited: the command's result should not wait for the user to dismiss a message.
  void Promise.resolve(show).then(async (choice) => {
    if (choice) await vscode.window.showTextDocument(choice === 'Open DPO File' ? target : sftUri, { preview: false });
  });
  return result;
}
