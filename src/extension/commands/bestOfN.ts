import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
// A namespace import lets esbuild drop zod's unused parts (about 370 KB of locales) from the bundle.
import * as z from 'zod';
import { maxCandidates, runBestOfN } from '../../core/bestOfN/bestOfN';
import type { BestOfNEvent } from '../../core/bestOfN/events';
import { rescoreRun } from '../../core/bestOfN/rescore';
import { UserFacingError } from '../../core/errors';
import type { PanelSession } from '../../webview/candidates/model';
import { newSession, statusLine, toCoreRun } from '../../webview/candidates/model';
import type { BestOfNSessions, RubricLookup, SourceEditor } from '../bestOfNSession';
import type { BestOfNResources, RunSetup } from '../bestOfNSetup';
import type { JanusContext } from '../context';
import { askPrompt, chooseSystemMessage, rememberSystemMessage } from './generate';

/** Optional arguments, for keybindings, other extensions and the integration suites. */
const argsSchema = z
  .object({ prompt: z.string().optional(), system: z.string().optional(), n: z.number().int().min(1).max(maxCandidates).optional() })
  .optional();

/** The editor (and selection) the command came from, before any input box takes focus. */
export function currentSource(): SourceEditor | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  return { uri: editor.document.uri, viewColumn: editor.viewColumn, selection: editor.selection.isEmpty ? undefined : editor.selection };
}

async function askN(defaultN: number): Promise<number | undefined> {
  const value = await vscode.window.showInputBox({
    title: 'Janus: Generate Best-of-N',
    prompt: `How many candidates? (1-${maxCandidates}; janus.bestOfN.n sets the default)`,
    value: String(defaultN),
    ignoreFocusOut: true,
    validateInput: (text) => (/^\d+$/.test(text.trim()) && Number(text) >= 1 && Number(text) <= maxCandidates ? undefined : `A whole number from 1 to ${maxCandidates}.`),
  });
  return value === undefined ? undefined : Number(value.trim());
}

/**
 * Runs one session's stream under a cancellable progress notification; the panel's Cancel, the
 * notification's Cancel, closing the panel and deactivation all abort the same signal.
 */
export async function runWithProgress(
  ctx: JanusContext,
  sessionId: string,
  title: string,
  start: (signal: AbortSignal) => AsyncIterable<{ readonly group: number; readonly event: BestOfNEvent }>,
): Promise<PanelSession | undefined> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const request = ctx.requests.begin(token);
    const sub = ctx.bestOfN.onDidUpdate((u) => {
      const session = u.sessionId === sessionId ? ctx.bestOfN.get(sessionId) : undefined;
      if (session && u.type === 'event' && u.event.type !== 'candidateDelta') progress.report({ message: statusLine(session) });
    });
    try {
      return await ctx.bestOfN.run(sessionId, request.signal, start);
    } finally {
      sub.dispose();
      request.end();
    }
  });
}

async function* single(events: AsyncIterable<BestOfNEvent>): AsyncGenerator<{ readonly group: number; readonly event: BestOfNEvent }> {
  for await (const event of events) yield { group: 0, event };
}

/**
 * Janus: Generate Best-of-N. Samples N answers to the selection (or a typed prompt) under the
 * active persona, scores and ranks them, streaming everything into the candidates panel.
 * Resolves with the final session (for tests and other extensions).
 */
export async function generateBestOfN(ctx: JanusContext, rawArgs?: unknown): Promise<PanelSession | undefined> {
  const parsedArgs = argsSchema.safeParse(rawArgs);
  const args = parsedArgs.success ? parsedArgs.data : undefined;
  if (!ctx.config.profile('generator')) throw new UserFacingError('No generator endpoint is configured: set janus.generator.baseUrl.');
  const source = currentSource();
  const prompt = args?.prompt ?? (await askPrompt('Janus: Generate Best-of-N'));
  if (prompt === undefined || prompt.trim() === '') return undefined;
  const system = args?.system ?? (await chooseSystemMessage(ctx));
  if (system === undefined) return undefined;
  const n = args?.n ?? (await askN(ctx.config.settings['bestOfN.n']));
  if (n === undefined) return undefined;
  void rememberSystemMessage(ctx, system).catch((error: unknown) => ctx.log.error('Could not remember the system message', error));
  const active = await ctx.personas.read().catch(() => undefined);
  const rubrics: RubricLookup = (s) => (active && active.persona.system === s ? active.persona.rubrics : undefined);

  const session = newSession({
    sessionId: randomUUID(),
    mode: 'bestOfN',
    prompt,
    groups: [{ label: active?.persona.name ?? 'Best-of-N', system }],
    hasSelection: source?.selection !== undefined,
    createdAt: Date.now(),
  });
  ctx.bestOfN.add(session, source, rubrics);
  ctx.candidates.show(session.sessionId);
  const started = performance.now();
  const final = await runWithProgress(ctx, session.sessionId, `Janus: Best-of-${n}`, async function* (signal) {
    const setup: RunSetup = await ctx.bestOfNResources.setup(n, rubrics, signal);
    yield* single(runBestOfN({ ...setup, input: { system, prompt }, n, signal, runId: session.sessionId }));
  });
  const run = final?.groups[0]?.run;
  ctx.log.info(`Best-of-${n}: ${run?.candidates.filter((c) => c.status === 'done').length ?? 0} candidates, ${run?.best === undefined ? 'not ranked' : `best ${run.best + 1}`}${run?.scoreError ? ` (score error: ${run.scoreError})` : ''} in ${Math.round(performance.now() - started)} ms.`);
  return final;
}

const openArgsSchema = z.object({ sessionId: z.string().optional() }).optional();

function sessionLabel(session: PanelSession): string {
  const kind = session.mode === 'compare' ? `Compare ${session.groups.length} personas` : `Best-of-${session.groups[0]?.run.candidates.length ?? '?'}`;
  const prompt = session.prompt.replace(/\s+/g, ' ').trim();
  return `${kind}: ${prompt.length > 60 ? `${prompt.slice(0, 59)}…` : prompt}`;
}

/**
 * Janus: Open Best-of-N Session. A past session (this window's or one stored in `.janus/sessions`
 * by an earlier window) back in the candidates panel, newest first; its marks can be changed and
 * exported again. Files that are not readable sessions are listed with their problem, not opened.
 */
export async function openBestOfNSession(ctx: JanusContext, rawArgs?: unknown): Promise<PanelSession | undefined> {
  const parsedArgs = openArgsSchema.safeParse(rawArgs);
  const wanted = parsedArgs.success ? parsedArgs.data?.sessionId : undefined;
  const { sessions, unreadable } = await ctx.bestOfN.allSessions();
  let session: PanelSession | undefined;
  if (wanted !== undefined) {
    session = sessions.find((s) => s.sessionId === wanted);
    if (!session) throw new UserFacingError(`No Best-of-N session ${wanted} in this window or in .janus/sessions.`);
  } else {
    if (sessions.length === 0 && unreadable.length === 0) throw new UserFacingError('No Best-of-N sessions yet: run Janus: Generate Best-of-N or Janus: Compare Personas first.');
    type Item = vscode.QuickPickItem & { readonly session?: PanelSession; readonly problem?: string };
    const items: Item[] = [...sessions].reverse().map((s) => {
      const marks = s.groups.reduce((sum, g) => sum + Object.keys(g.marks).length, 0);
      return { label: sessionLabel(s), description: new Date(s.createdAt).toLocaleString(), detail: `${statusLine(s)}${marks > 0 ? ` · ${marks} marked` : ''}`, session: s };
    });
    for (const u of unreadable) items.push({ label: `$(warning) ${vscode.workspace.asRelativePath(u.file)}`, detail: `Not opened: ${u.problem}. Fix or delete the file.`, problem: `${u.file} is ${u.problem}. Fix or delete the file.` });
    const picked = await vscode.window.showQuickPick(items, { title: 'Janus: Open Best-of-N Session', placeHolder: 'A past session, newest first', matchOnDescription: true, matchOnDetail: true });
    if (!picked) return undefined;
    if (picked.problem !== undefined) throw new UserFacingError(picked.problem);
    session = picked.session;
  }
  if (!session) return undefined;
  const shown = ctx.bestOfN.adopt(session);
  ctx.candidates.show(shown.sessionId);
  return shown;
}

/** Scores every finished candidate of the session again with the scorer the settings give now. */
export async function rescoreSession(sessions: BestOfNSessions, resources: BestOfNResources, sessionId: string): Promise<string> {
  const session = sessions.get(sessionId);
  if (!session) throw new Error('the session is gone');
  if (sessions.isBusy(sessionId)) throw new UserFacingError('The candidates are still being sampled or scored; wait or cancel first.');
  const scorer = await resources.scorer(sessions.rubrics(sessionId));
  if (!scorer) throw new UserFacingError('No reward model or judge is configured: set janus.reward.baseUrl or janus.judge.baseUrl, then re-score.');
  const final = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Janus: re-scoring', cancellable: true }, (_progress, token) => {
    const controller = new AbortController();
    const sub = token.onCancellationRequested(() => controller.abort());
    return sessions
      .run(sessionId, controller.signal, async function* (signal) {
        const runs = session.groups.map((g, group) => ({ group, state: toCoreRun(g.run), system: g.system }));
        for (const { group, state, system } of runs) {
          if (state.runId === undefined) continue;
          for await (const event of rescoreRun(state, { scorer, input: { system, prompt: session.prompt }, signal })) yield { group, event };
        }
      })
      .finally(() => sub.dispose());
  });
  const errors = final?.groups.flatMap((g) => (g.run.scoreError ? [g.run.scoreError] : [])) ?? [];
  return errors.length > 0 ? `Re-scoring failed: ${errors[0] ?? ''}` : `Re-scored with ${scorer.description}.`;
}
