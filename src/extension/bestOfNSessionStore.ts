/**
 * Best-of-N and Compare Personas sessions on disk: one JSON file per session under the workspace's
 * `.janus/sessions/<id>.json` (candidates, rewards, rubric grades, marks), each write atomic. So a
 * session outlives the window: Export Preference Pairs reads every stored session, and a past one
 * can be opened in the candidates panel again. No `vscode` import: unit-tested on a real folder.
 */
import { readdir, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
// A namespace import lets esbuild drop zod's unused parts (about 370 KB of locales) from the bundle.
import * as z from 'zod';
import { writeFileAtomic } from '../core/files/atomicWrite';
import type { PanelSession } from '../webview/candidates/model';
import { panelSessionSchema } from '../webview/candidates/protocol';

export const sessionFolder = '.janus/sessions';

/** The file's shape: a format marker (so other JSON files in the folder are recognised as such) and the session. */
const storedSessionSchema = z.object({ janusSession: z.literal(1), savedAt: z.string(), session: panelSessionSchema });

/** A file in the folder that is not a readable session: shown to the user, never overwritten. */
export interface UnreadableSession {
  readonly file: string;
  readonly problem: string;
}

export interface StoredSessions {
  /** Oldest first (by `createdAt`). */
  readonly sessions: readonly PanelSession[];
  readonly unreadable: readonly UnreadableSession[];
}

/** Session ids are UUIDs; anything else would not make a safe file name. */
const safeId = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export function sessionText(session: PanelSession, savedAt = new Date()): string {
  return `${JSON.stringify({ janusSession: 1, savedAt: savedAt.toISOString(), session }, null, 1)}\n`;
}

/** The session in a stored file's text, or a message that says what is wrong with it. */
export function parseSessionText(text: string): { readonly ok: true; readonly session: PanelSession } | { readonly ok: false; readonly problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch (error) {
    return { ok: false, problem: `not valid JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  const parsed = storedSessionSchema.safeParse(json);
  if (parsed.success) return { ok: true, session: parsed.data.session };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  return { ok: false, problem: `not a Janus session file (${issue?.message ?? 'unknown shape'}${where})` };
}

/** The sessions of one workspace folder. `folder` is the workspace folder's path, asked at each use. */
export class SessionStore {
  /** One write at a time per session, in order: the last state asked for is the one left on disk. */
  private readonly writes = new Map<string, Promise<void>>();

  constructor(private readonly folder: () => string | undefined) {}

  /** `.janus/sessions` of the workspace, or undefined without a folder (then nothing is stored). */
  get directory(): string | undefined {
    const root = this.folder();
    return root === undefined ? undefined : path.join(root, ...sessionFolder.split('/'));
  }

  fileFor(sessionId: string): string | undefined {
    const dir = this.directory;
    return dir === undefined || !safeId.test(sessionId) ? undefined : path.join(dir, `${sessionId}.json`);
  }

  /** Writes the session (atomically), after any write of it still under way; false when there is no folder. */
  save(session: PanelSession): Promise<boolean> {
    const file = this.fileFor(session.sessionId);
    if (file === undefined) return Promise.resolve(false);
    const previous = this.writes.get(session.sessionId) ?? Promise.resolve();
    const text = sessionText(session);
    const next = previous.catch(() => undefined).then(() => writeFileAtomic(file, text));
    this.writes.set(session.sessionId, next);
    void next.finally(() => {
      if (this.writes.get(session.sessionId) === next) this.writes.delete(session.sessionId);
    }).catch(() => undefined);
    return next.then(() => true);
  }

  /** Resolves once every write asked for so far has ended. */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.writes.values()]);
  }

  /**
   * Deletes the session's file once its writes under way have ended; false when there was none
   * (or no folder). The caller stops saving the session first, or a later save writes it again.
   */
  async delete(sessionId: string): Promise<boolean> {
    const file = this.fileFor(sessionId);
    if (file === undefined) return false;
    await this.writes.get(sessionId)?.catch(() => undefined);
    try {
      await unlink(file);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }

  async load(sessionId: string): Promise<PanelSession | undefined> {
    const file = this.fileFor(sessionId);
    if (file === undefined) return undefined;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const parsed = parseSessionText(text);
    if (!parsed.ok) throw new Error(`${file} is ${parsed.problem}. Fix or delete the file.`);
    return parsed.session;
  }

  /** Every `*.json` in the folder: the sessions, and the files that are not readable sessions. */
  async list(): Promise<StoredSessions> {
    const dir = this.directory;
    if (dir === undefined) return { sessions: [], unreadable: [] };
    let names: string[];
    try {
      names = (await readdir(dir)).filter((name) => name.endsWith('.json') && !name.startsWith('.'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { sessions: [], unreadable: [] };
      throw error;
    }
    const sessions: PanelSession[] = [];
    const unreadable: UnreadableSession[] = [];
    await Promise.all(
      names.map(async (name) => {
        const file = path.join(dir, name);
        const parsed = parseSessionText(await readFile(file, 'utf8'));
        if (parsed.ok) sessions.push(parsed.session);
        else unreadable.push({ file, problem: parsed.problem });
      }),
    );
    sessions.sort((a, b) => a.createdAt - b.createdAt || a.sessionId.localeCompare(b.sessionId));
    unreadable.sort((a, b) => a.file.localeCompare(b.file));
    return { sessions, unreadable };
  }
}
