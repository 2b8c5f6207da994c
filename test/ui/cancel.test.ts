// Cancel through the real UI: the progress notification's Cancel button stops the stream, and the
// server sees its connection closed (so a real server frees the slot).
import * as assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { pollUntil } from '../harness/poll.js';
import type { ReplyServer } from '../unit/core/support/replyServer';
import { jsonReply, startReplyServer } from '../unit/core/support/replyServer';
import { generateFromPalette, runFromPalette, setUserSettings } from './janusUi';
import { ui } from './support/session.js';
import { readActiveEditorText, screenshot } from './support/workbench.js';

/** Streams one word every 100 ms for as long as the client listens; resolves `closed` then. */
function endlessStream(res: ServerResponse, closed: () => void): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const timer = setInterval(() => res.write(`data: ${JSON.stringify({ choices: [{ index: 0, text: 'word ' }] })}\n\n`), 100);
  res.on('close', () => {
    clearInterval(timer);
    closed();
  });
}

describe('ui: cancelling a generation', () => {
  let server: ReplyServer | undefined;
  let markClosed: () => void = () => undefined;
  const completionClosed = new Promise<number>((resolve) => (markClosed = () => resolve(Date.now())));

  before(async () => {
    server = await startReplyServer((req, res) => {
      if (req.url === '/health') return jsonReply(res, 200, { status: 'ok' });
      if (req.url === '/v1/models') return jsonReply(res, 200, { object: 'list', data: [{ id: 'endless', object: 'model' }] });
      if (req.url === '/v1/completions') return endlessStream(res, markClosed);
      return jsonReply(res, 404, { error: { message: 'not here' } });
    });
    await setUserSettings({ 'janus.generator.baseUrl': server.baseUrl, 'janus.systemMessage': 'You are endless.' }, { reload: true });
  });

  after(async () => {
    await setUserSettings({ 'janus.generator.baseUrl': undefined, 'janus.systemMessage': undefined }, { reload: false });
    await server?.close();
  });

  it('the notification\'s Cancel stops the stream and closes the connection', async () => {
    assert.ok(server);
    const { page } = ui();
    await generateFromPalette('Go on forever.');
    await pollUntil(async () => ((await readActiveEditorText(page)).includes('word word') ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 100,
      what: 'streamed words in the new editor',
    });
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'Janus: generating' });
    await toast.waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(page, 'cancel-before');
    const clicked = Date.now();
    await toast.locator('.monaco-button', { hasText: 'Cancel' }).click();
    const closedAt = await completionClosed;
    assert.ok(closedAt - clicked < 5000, `the server saw the stream closed ${closedAt - clicked} ms after Cancel`);
    await toast.waitFor({ state: 'hidden', timeout: 30_000 });
    // The editor renders asynchronously: the text must settle, and then stay as it is.
    let last = '';
    const settled = await pollUntil(
      async () => {
        const now = await readActiveEditorText(page);
        const same = now === last;
        last = now;
        return same ? now : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 300, what: 'the editor text to stop changing after Cancel' },
    );
    assert.ok(settled.startsWith('word word'));
    await screenshot(page, 'cancel-after');
    // Leave no dirty editor for a later reload to restore.
    await runFromPalette('View: Revert and Close Editor');
  });
});
