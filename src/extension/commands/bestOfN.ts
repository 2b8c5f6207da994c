import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
// A namespace import lets esbuild drop zod's unused parts (about 370 KB of locales) from the bundle.
import * as z from 'zod';
import { maxCandidates, runBestOfN } from '../../core/bestOfN/bestOfN';
import type { BestOfNEvent } from '../../core/bestOfN/events';
import { rescoreRun } from '../../core/bestOfN/rescore';
import type { RubricGradingSetting } from '../../core/bestOfN/rubricGrading';
import { describeError, UserFacingError } from '../../core/errors';
import { rubricSchema } from '../../core/preferences/persona';
import type { PanelSession } from '../../webview/candidates/model';
import { markCount, newSession, statusLine, toCoreRun } from '../../webview/candidates/model';
import type { BestOfNSessions, RubricLookup, SourceEditor } from '../bestOfNSession';
import type { StoredSessions } from '../bestOfNSessionStore';
import type { BestOfNResources, RunSetup } from '../bestOfNSetup';
import type { JanusContext } from '../context';
import { askPrompt, chooseSystemMessage, rememberSystemMessage } from './generate';

/** Optional arguments, for keybindings, other extensions and the integration suites. */
const argsSchema = z
  .object({
    prompt: z.string().optional(),
    system: z.string().optional(),
    n: z.number().int().min(1).max(maxCandidates).optional(),
    /** The system message's rubrics (instead of the active persona's). */
    rubrics: z.array(rubricSchema).optional(),
  })
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
  const given = args?.rubrics;
  const rubrics: RubricLookup = (s) => (given && s === system ? given : active && active.persona.system === s ? active.persona.rubrics : undefined);

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
    // The judge fallback scorer shares setup's grader: its grades are reused here, not asked again.
    const rubricGrading = ctx.bestOfNResources.rubricGrading(setup.rubricGrader, rubrics(system));
    yield* single(runBestOfN({ ...setup, input: { system, prompt }, n, signal, runId: session.sessionId, rubricGrading }));
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
    const picked = await pickSession(ctx, sessions, unreadable);
    if (!picked) return undefined;
    if (picked.problem !== undefined) throw new UserFacingError(picked.problem);
    session = picked.session;
  }
  if (!session) return undefined;
  const shown = ctx.bestOfN.adopt(session);
  ctx.candidates.show(shown.sessionId);
  return shown;
}

type SessionItem = vscode.QuickPickItem & { readonly session?: PanelSession; readonly problem?: string };

const deleteButton: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('trash'), tooltip: 'Delete this session' };

function sessionItems(sessions: readonly PanelSession[], unreadable: StoredSessions['unreadable']): SessionItem[] {
  const items: SessionItem[] = [...sessions].reverse().map((s) => {
    const marks = markCount(s);
    return { label: sessionLabel(s), description: new Date(s.createdAt).toLocaleString(), detail: `${statusLine(s)}${marks > 0 ? ` · ${marks} marked` : ''}`, session: s, buttons: [deleteButton] };
  });
  for (const u of unreadable) items.push({ label: `$(warning) ${vscode.workspace.asRelativePath(u.file)}`, detail: `Not opened: ${u.problem}. Fix or delete the file.`, problem: `${u.file} is ${u.problem}. Fix or delete the file.` });
  return items;
}

/** The session list, newest first; each session's trash button deletes it after a modal confirmation. */
async function pickSession(ctx: JanusContext, sessions: readonly PanelSession[], unreadable: StoredSessions['unreadable']): Promise<SessionItem | undefined> {
  const pick = vscode.window.createQuickPick<SessionItem>();
  pick.title = 'Janus: Open Best-of-N Session';
  pick.placeholder = 'A past session, newest first (the trash button deletes one)';
  pick.matchOnDescription = true;
  pick.matchOnDetail = true;
  let shown = [...sessions];
  pick.items = sessionItems(shown, unreadable);
  let confirming = false;
  try {
    return await new Promise<SessionItem | undefined>((resolve) => {
      pick.onDidAccept(() => resolve(pick.selectedItems[0]));
      // The modal takes focus and hides the list: that is not the user closing it.
      pick.onDidHide(() => {
        if (!confirming) resolve(undefined);
      });
      pick.onDidTriggerItemButton(async ({ item }) => {
        const session = item.session;
        if (!session) return;
        confirming = true;
        try {
          if (await confirmDeleteSession(ctx, session)) shown = shown.filter((s) => s.sessionId !== session.sessionId);
        } catch (error) {
          void vscode.window.showErrorMessage(`Could not delete the session: ${describeError(error)}`);
        } finally {
          confirming = false;
        }
        pick.items = sessionItems(shown, unreadable);
        pick.show();
      });
      pick.show();
    });
  } finally {
    pick.dispose();
  }
}

/**
 * Asks (modal) before deleting `session`: its `.janus/sessions` file and this window's copy go, so
 * Export Preference Pairs no longer includes its marks. Resolves with whether it was deleted.
 */
export async function confirmDeleteSession(ctx: JanusContext, session: PanelSession): Promise<boolean> {
  const marks = markCount(session);
  const answer = await vscode.window.showWarningMessage(
    `Delete the session "${sessionLabel(session)}"?`,
    { modal: true, detail: `Its file in .janus/sessions is deleted${marks > 0 ? ` and its ${marks} marks are no longer exported` : ''}. This cannot be undone.` },
    'Delete',
  );
  if (answer !== 'Delete') return false;
  await ctx.bestOfN.delete(session.sessionId);
  return true;
}

/**
 * Scores every finished candidate of the session again with the scorer the settings give now and,
 * with a judge, grades them on the rubrics again as the run did (a comparison's answers, or every
 * Best-of-N candidate); the new grades replace the old ones.
 */
export async function rescoreSession(sessions: BestOfNSessions, resources: BestOfNResources, sessionId: string): Promise<string> {
  const session = sessions.get(sessionId);
  if (!session) throw new Error('the session is gone');
  if (sessions.isBusy(sessionId)) throw new UserFacingError('The candidates are still being sampled or scored; wait or cancel first.');
  const lookup = sessions.rubrics(sessionId);
  // One grader for the scorer and the grades, so a judge fallback scorer's grades are reused.
  const grader = await resources.rubricGrader();
  const scorer = await resources.scorer(lookup, grader);
  const gradingOf = (system: string): RubricGradingSetting | undefined => {
    const rubrics = lookup(system);
    if (session.mode === 'bestOfN') return resources.rubricGrading(grader, rubrics);
    return grader && rubrics && rubrics.length > 0 ? { grader, rubrics } : undefined;
  };
  if (!scorer) throw new UserFacingError('No reward model or judge is configured: set janus.reward.baseUrl or janus.judge.baseUrl, then re-score.');
  const final = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Janus: re-scoring', cancellable: true }, (_progress, token) => {
    const controller = new AbortController();
    const sub = token.onCancellationRequested(() => controller.abort());
    return sessions
      .run(sessionId, controller.signal, async function* (signal) {
        const runs = session.groups.map((g, group) => ({ group, state: toCoreRun(g.run), system: g.system }));
        for (const { group, state, system } of runs) {
          if (state.runId === undefined) continue;
          for await (const event of rescoreRun(state, { scorer, input: { system, prompt: session.prompt }, signal, rubricGrading: gradingOf(system) })) yield { group, event };
        }
      })
      .finally(() => sub.dispose());
  });
  const errors = final?.groups.flatMap((g) => (g.run.scoreError ? [g.run.scoreError] : [])) ?? [];
  const scored = errors.length > 0 ? `Re-scoring failed: ${errors[0] ?? ''}` : `Re-scored with ${scorer.description}.`;
  const grades = final ? rubricGradeCounts(final) : { total: 0, failed: [] };
  if (grades.total === 0) return scored;
  const failed = grades.failed.length;
  return failed === 0 ? `${scored} Graded again on ${grades.total} rubric items.` : `${scored} Rubric grading failed for ${failed} of ${grades.total}: ${grades.failed[0] ?? ''}`;
}

/** The session's rubric grades (every graded candidate's) and the errors of the failed ones. */
function rubricGradeCounts(session: PanelSession): { readonly total: number; readonly failed: readonly string[] } {
  const items = session.groups.flatMap((g) => g.run.candidates.flatMap((c) => c.rubricGrades ?? []));
  return { total: items.length, failed: items.flatMap((g) => (g.error === undefined ? [] : [g.error])) };
}
