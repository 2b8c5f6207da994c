import * as vscode from 'vscode';
import type { BestOfNEvent } from '../core/bestOfN/events';
import type { SessionEntry } from '../core/export/preferencePairs';
import type { Rubric } from '../core/preferences/persona';
import type { PanelSession } from '../webview/candidates/model';
import { describeError, UserFacingError } from '../core/errors';
import type { Logger } from '../core/log';
import { silentLogger } from '../core/log';
import type { StoredSessions } from './bestOfNSessionStore';
import { SessionStore } from './bestOfNSessionStore';
import { applyGroupEvent, failed, interrupted, sessionEntries, withMark } from '../webview/candidates/model';
import type { CandidateMarkValue } from '../webview/candidates/protocol';

/** Where the command came from: the Insert and Replace actions write there. */
export interface SourceEditor {
  readonly uri: vscode.Uri;
  readonly viewColumn: vscode.ViewColumn | undefined;
  /** The selection when the command ran (Replace replaces it); undefined when it was empty. */
  readonly selection: vscode.Selection | undefined;
}

/** What the panel forwards to its webview. */
export type SessionUpdate =
  | { readonly type: 'event'; readonly sessionId: string; readonly group: number; readonly event: BestOfNEvent }
  | { readonly type: 'marked'; readonly sessionId: string; readonly group: number; readonly index: number; readonly mark: CandidateMarkValue | null }
  /** The session changed as a whole (it failed): the panel sends it again. */
  | { readonly type: 'session'; readonly sessionId: string }
  /** The session was deleted: a panel showing it closes. */
  | { readonly type: 'deleted'; readonly sessionId: string };

/** The judge's rubrics for a system message (the persona's), for scoring and re-scoring. */
export type RubricLookup = (system: string) => readonly Rubric[] | undefined;

interface LiveSession {
  session: PanelSession;
  readonly source: SourceEditor | undefined;
  readonly rubrics: RubricLookup;
  /** Aborts the session's runs (the panel's Cancel, the notification's Cancel, closing the panel). */
  controller: AbortController | undefined;
}

/** The first workspace folder's path (sessions are stored under it). */
function firstFolder(): string | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder?.uri.scheme === 'file' ? folder.uri.fsPath : undefined;
}

/**
 * The Best-of-N sessions of this window: each one's state built by the same reducer the panel
 * uses, so the host can send the whole session to a panel that (re)loads. Every session is also
 * stored in the workspace (`bestOfNSessionStore.ts`) when it starts, ends, and when a mark
 * changes, so export and Open Best-of-N Session see the sessions of earlier windows too. Sessions a
 * panel restores after a reload, or the user opens from disk, are adopted here.
 */
export class BestOfNSessions implements vscode.Disposable {
  private readonly sessions = new Map<string, LiveSession>();
  /** Deleted this window: never stored again (a panel restored with one would otherwise bring its file back). */
  private readonly deleted = new Set<string>();
  private readonly emitter = new vscode.EventEmitter<SessionUpdate>();
  readonly onDidUpdate = this.emitter.event;

  constructor(
    private readonly log: Logger = silentLogger,
    readonly store: SessionStore = new SessionStore(firstFolder),
  ) {}

  add(session: PanelSession, source: SourceEditor | undefined, rubrics: RubricLookup): void {
    this.sessions.set(session.sessionId, { session, source, rubrics, controller: undefined });
    this.persist(session.sessionId);
  }

  /** A session a restored panel brought back (or the user opened from disk): its unfinished runs died with their window. */
  adopt(session: PanelSession): PanelSession {
    const known = this.sessions.get(session.sessionId);
    if (known) return known.session;
    const restored = interrupted(session);
    this.sessions.set(session.sessionId, { session: restored, source: undefined, rubrics: () => undefined, controller: undefined });
    this.persist(session.sessionId);
    return restored;
  }

  /** Writes the session's current state to the workspace; a failure is logged, the session lives on. */
  private persist(sessionId: string): void {
    const session = this.sessions.get(sessionId)?.session;
    if (!session || this.deleted.has(sessionId)) return;
    this.store.save(session).catch((error: unknown) => this.log.warn(`Best-of-N: could not store session ${sessionId} (${describeError(error)}); it stays in this window only.`));
  }

  /** This window's sessions and the stored ones (this window's state wins), oldest first. */
  async allSessions(): Promise<StoredSessions> {
    await this.store.flush();
    const stored = await this.store.list();
    const live = new Map([...this.sessions.values()].map((l) => [l.session.sessionId, l.session]));
    const merged = [...stored.sessions.filter((s) => !live.has(s.sessionId)), ...live.values()];
    return { sessions: merged.sort((a, b) => a.createdAt - b.createdAt), unreadable: stored.unreadable };
  }

  get(sessionId: string): PanelSession | undefined {
    return this.sessions.get(sessionId)?.session;
  }

  source(sessionId: string): SourceEditor | undefined {
    return this.sessions.get(sessionId)?.source;
  }

  rubrics(sessionId: string): RubricLookup {
    return this.sessions.get(sessionId)?.rubrics ?? (() => undefined);
  }

  /**
   * Feeds a stream of (group, event) into the session until it ends or `signal` aborts; resolves
   * with the final session. One stream at a time per session: a second one (a re-score during a
   * run) is refused by the caller through `isBusy`.
   */
  async run(sessionId: string, signal: AbortSignal, start: (signal: AbortSignal) => AsyncIterable<{ readonly group: number; readonly event: BestOfNEvent }>): Promise<PanelSession | undefined> {
    const live = this.sessions.get(sessionId);
    if (!live) return undefined;
    const controller = new AbortController();
    live.controller = controller;
    const combined = AbortSignal.any([signal, controller.signal]);
    try {
      for await (const { group, event } of start(combined)) {
        live.session = applyGroupEvent(live.session, group, event);
        this.emitter.fire({ type: 'event', sessionId, group, event });
      }
    } catch (error) {
      // The stream itself failed (no generator, a bad setting): the panel must not wait forever.
      live.session = failed(live.session, describeError(error));
      this.emitter.fire({ type: 'session', sessionId });
      throw error;
    } finally {
      if (live.controller === controller) live.controller = undefined;
      this.persist(sessionId);
    }
    return live.session;
  }

  /**
   * Deletes a session: its stored file and this window's copy, so export no longer includes it.
   * A running session is refused (cancel it first). Resolves with whether a file was removed.
   */
  async delete(sessionId: string): Promise<boolean> {
    if (this.isBusy(sessionId)) throw new UserFacingError('This session is still running: cancel it first, then delete it.');
    this.deleted.add(sessionId);
    this.sessions.delete(sessionId);
    this.emitter.fire({ type: 'deleted', sessionId });
    return this.store.delete(sessionId);
  }

  isBusy(sessionId: string): boolean {
    return this.sessions.get(sessionId)?.controller !== undefined;
  }

  cancel(sessionId: string): boolean {
    const controller = this.sessions.get(sessionId)?.controller;
    controller?.abort();
    return controller !== undefined;
  }

  mark(sessionId: string, group: number, index: number, mark: CandidateMarkValue | null): boolean {
    const live = this.sessions.get(sessionId);
    const candidate = live?.session.groups[group]?.run.candidates[index];
    if (!live || !candidate) return false;
    live.session = withMark(live.session, group, index, mark);
    this.emitter.fire({ type: 'marked', sessionId, group, index, mark });
    this.persist(sessionId);
    return true;
  }

  /** Every session's finished candidates with their marks (stored sessions too), oldest session first. */
  async entries(): Promise<{ readonly entries: SessionEntry[]; readonly unreadable: StoredSessions['unreadable'] }> {
    const all = await this.allSessions();
    return { entries: all.sessions.flatMap(sessionEntries), unreadable: all.unreadable };
  }

  dispose(): void {
    for (const live of this.sessions.values()) live.controller?.abort();
    this.emitter.dispose();
  }
}
