// Sessions stored in the workspace, on a real folder: what is saved is what comes back, the last
// of several quick saves wins, nothing half-written is left, and a file that is not a session is
// named with its problem and never touched.
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BestOfNEvent } from '../../../src/core/bestOfN/events';
import { parseSessionText, SessionStore } from '../../../src/extension/bestOfNSessionStore';
import type { PanelSession } from '../../../src/webview/candidates/model';
import { applyGroupEvent, newSession, withMark } from '../../../src/webview/candidates/model';
import { useTempDir } from '../../support/tempDir';

/** Without the keys JSON leaves out (explicit undefineds of the in-memory state). */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

function finished(sessionId: string, createdAt: number): PanelSession {
  let s = newSession({ sessionId, mode: 'compare', prompt: 'Why?', groups: [{ label: 'A', system: 'a', grading: 'judge' }, { label: 'B', system: 'b', grading: 'noRubrics' }], hasSelection: false, createdAt });
  const events: BestOfNEvent[] = [
    { runId: `${sessionId}:0`, seq: 0, type: 'started', n: 1, strategy: 'parallel', seed: 3, scorer: undefined },
    { runId: `${sessionId}:0`, seq: 1, type: 'candidateDone', index: 0, text: 'Because — “quoted” ✓', finishReason: 'stop', tokens: 5, tokensEstimated: true },
    { runId: `${sessionId}:0`, seq: 2, type: 'rubricGrading', index: 0, criteria: ['Terse?'] },
    { runId: `${sessionId}:0`, seq: 3, type: 'rubricGraded', index: 0, rubric: 0, score: 4, feedback: 'Short.' },
    { runId: `${sessionId}:0`, seq: 4, type: 'done', cancelled: false },
  ];
  for (const e of events) s = applyGroupEvent(s, 0, e);
  return withMark(s, 0, 0, 'chosen');
}

describe('Best-of-N session store', () => {
  const tmp = useTempDir('janus-sessions-');

  it('saves each session as .janus/sessions/<id>.json and lists them back, oldest first', async () => {
    const store = new SessionStore(() => path.join(tmp(), 'one'));
    const later = finished('b2', 20);
    const earlier = finished('a1', 10);
    assert.equal(await store.save(later), true);
    assert.equal(await store.save(earlier), true);
    assert.equal(store.fileFor('a1'), path.join(tmp(), 'one', '.janus', 'sessions', 'a1.json'));
    const listed = await store.list();
    assert.deepEqual(plain(listed.sessions), plain([earlier, later]));
    assert.deepEqual(listed.unreadable, []);
    assert.deepEqual(plain(await store.load('b2')), plain(later));
    assert.equal(await store.load('missing'), undefined);
  });

  it('quick saves of one session land in order: the last state is on disk, no temp file left', async () => {
    const store = new SessionStore(() => path.join(tmp(), 'two'));
    const base = finished('s', 1);
    const states = [base, withMark(base, 0, 0, 'rejected'), withMark(base, 0, 0, null), withMark(base, 0, 0, 'chosen')];
    await Promise.all(states.map((s) => store.save(s)));
    await store.flush();
    assert.deepEqual(plain(await store.load('s')), plain(states.at(-1)));
    assert.deepEqual(await readdir(path.join(tmp(), 'two', '.janus', 'sessions')), ['s.json']);
  });

  it('a file that is not a session is listed with its problem and left as it was', async () => {
    const store = new SessionStore(() => path.join(tmp(), 'three'));
    await store.save(finished('good', 1));
    const dir = path.join(tmp(), 'three', '.janus', 'sessions');
    await writeFile(path.join(dir, 'broken.json'), '{"janusSession": 1, "session": {');
    await writeFile(path.join(dir, 'other.json'), '{"janusSession": 1, "savedAt": "x", "session": {"sessionId": "x"}}');
    const listed = await store.list();
    assert.deepEqual(listed.sessions.map((s) => s.sessionId), ['good']);
    assert.deepEqual(listed.unreadable.map((u) => path.basename(u.file)), ['broken.json', 'other.json']);
    assert.match(listed.unreadable[0]!.problem, /not valid JSON/);
    assert.match(listed.unreadable[1]!.problem, /not a Janus session file \(.+ at session\.\w+\)/);
    assert.equal(await readFile(path.join(dir, 'broken.json'), 'utf8'), '{"janusSession": 1, "session": {');
    await assert.rejects(store.load('broken'), /broken\.json is not valid JSON .*Fix or delete the file/);
  });

  it('delete removes the session\'s file after its pending write, and it is no longer listed', async () => {
    const store = new SessionStore(() => path.join(tmp(), 'five'));
    await store.save(finished('keep', 1));
    // A write still under way when the delete comes: the delete waits for it, so no file is left.
    const pending = store.save(finished('gone', 2));
    assert.equal(await store.delete('gone'), true);
    await pending;
    assert.deepEqual(await readdir(path.join(tmp(), 'five', '.janus', 'sessions')), ['keep.json']);
    assert.deepEqual((await store.list()).sessions.map((s) => s.sessionId), ['keep']);
    assert.equal(await store.delete('gone'), false, 'already gone');
    assert.equal(await store.delete('../keep'), false, 'not a session id');
    assert.equal(await new SessionStore(() => undefined).delete('keep'), false);
  });

  it('no workspace folder, or an id that is not a safe file name: nothing is written', async () => {
    assert.equal(await new SessionStore(() => undefined).save(finished('x', 1)), false);
    assert.deepEqual(await new SessionStore(() => undefined).list(), { sessions: [], unreadable: [] });
    const store = new SessionStore(() => path.join(tmp(), 'four'));
    assert.equal(await store.save({ ...finished('x', 1), sessionId: '../escape' }), false);
    assert.equal(parseSessionText('[]').ok, false);
  });
});
