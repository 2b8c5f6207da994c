// Synthesis from the Personas view: against the real local engine a finished message is kept as
// hand-written text; against an endless stream (the only way to be sure Cancel lands mid-stream,
// as in cancel.test.ts) Cancel closes the request and brings the previous message back. Then the
// active persona is cleared through the real quick pick.
import * as assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { pollUntil } from '../harness/poll.js';
import type { RunningEngine } from '../support/engineProcess';
import { startEngine } from '../support/engineProcess';
import { getTinyModel } from '../support/tinyModelFixture';
import type { ReplyServer } from '../unit/core/support/replyServer';
import { jsonReply, startReplyServer } from '../unit/core/support/replyServer';
import { runFromPalette, setUserSettings } from './janusUi';
import { openPersonasView, showExplorer } from './personaUi';
import { ui } from './support/session.js';
import { screenshot, waitForStatusBarItem } from './support/workbench.js';

function endlessStream(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const timer = setInterval(() => res.write(`data: ${JSON.stringify({ choices: [{ index: 0, text: 'word ' }] })}\n\n`), 100);
  res.on('close', () => clearInterval(timer));
}

describe('ui: synthesizing a system message in the Personas view', () => {
  let engine: RunningEngine | undefined;
  let endless: ReplyServer | undefined;

  before(async () => {
    const model = await getTinyModel();
    engine = await startEngine(['--model', model.modelPath]);
    await showExplorer(ui().page);
    await setUserSettings({ 'janus.generator.baseUrl': `${engine.url}/v1`, 'janus.generator.maxTokens': 64 }, { reload: true });
  });

  after(async () => {
    await setUserSettings({ 'janus.generator.baseUrl': undefined, 'janus.generator.maxTokens': undefined }, { reload: false });
    await engine?.stop();
    await endless?.close();
  });

  it('the engine writes the message; it is then kept like a hand-written one', async () => {
    const { page } = ui();
    const frame = await openPersonasView(page);
    await frame.locator('#new').click();
    if (await frame.locator('#discard').isVisible()) await frame.locator('#discard').click();
    const composed = await frame.locator('#system').inputValue();
    await frame.locator('#synthesize').click();
    await frame.locator('#status', { hasText: 'Synthesized by the generator' }).waitFor({ timeout: 120_000 });
    assert.notEqual(await frame.locator('#system').inputValue(), composed);
    assert.equal(await frame.locator('#recompose').isVisible(), true, 'a synthesised message counts as hand-written');
    assert.equal(await frame.locator('#synthesize').innerText(), 'Synthesize');
  });

  it('Cancel mid-stream closes the request and brings the previous message back', async () => {
    const { page } = ui();
    endless = await startReplyServer((req, res) => {
      if (req.url === '/health') return jsonReply(res, 200, { status: 'ok' });
      if (req.url === '/v1/models') return jsonReply(res, 200, { object: 'list', data: [{ id: 'endless', object: 'model' }] });
      if (req.url === '/v1/completions') return endlessStream(res);
      return jsonReply(res, 404, { error: { message: 'not here' } });
    });
    await showExplorer(page);
    await setUserSettings({ 'janus.generator.baseUrl': endless.baseUrl }, { reload: true });
    const frame = await openPersonasView(page);
    await frame.locator('#new').click();
    if (await frame.locator('#discard').isVisible()) await frame.locator('#discard').click();
    const composed = await frame.locator('#system').inputValue();
    await frame.locator('#synthesize').click();
    await pollUntil(async () => ((await frame.locator('#system').inputValue()).includes('word word') ? true : undefined), { timeoutMs: 30_000, intervalMs: 100, what: 'streamed words in the message' });
    assert.equal(await frame.locator('#synthesize').innerText(), 'Cancel');
    await screenshot(page, 'persona-view-synthesizing');
    await frame.locator('#synthesize').click();
    await frame.locator('#status', { hasText: 'Synthesis cancelled' }).waitFor({ timeout: 30_000 });
    await endless.clientClosed;
    assert.equal(await frame.locator('#system').inputValue(), composed, 'the message from before the synthesis is back');
    assert.equal(await frame.locator('#recompose').isVisible(), false, 'and it counts as composed again');
  });

  it('Select Active Persona: the quick pick clears the active persona', async () => {
    const { page } = ui();
    await runFromPalette('Janus: Select Active Persona');
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: 'No active persona' });
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(page, 'persona-select-active');
    await row.click();
    await waitForStatusBarItem(page, 'Janus: no persona');
  });
});
