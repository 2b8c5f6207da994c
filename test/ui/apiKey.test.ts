// API keys through the real UI: "Janus: Set API Key..." saves a key for the generator's origin,
// Generate sends it there, and a generator on another origin never receives it.
import * as assert from 'node:assert/strict';
import { pollUntil } from '../harness/poll.js';
import type { ReplyServer } from '../unit/core/support/replyServer';
import { jsonReply, sseCompletion, startReplyServer } from '../unit/core/support/replyServer';
import { ui } from './support/session.js';
import { generateFromPalette, runFromPalette, setUserSettings } from './janusUi';
import { runCommand, screenshot } from './support/workbench.js';

const key = 'sk-ui-test-0123456789';

/** An OpenAI-compatible endpoint that records who asked, and answers with a short stream. */
function recordingEndpoint(): Promise<ReplyServer> {
  return startReplyServer((req, res) => {
    if (req.url === '/health') return jsonReply(res, 200, { status: 'ok' });
    if (req.url === '/v1/models') return jsonReply(res, 200, { object: 'list', data: [{ id: 'recorder', object: 'model' }] });
    sseCompletion(res, ['Recorded', ' reply.']);
  });
}

/** Points the generator at `baseUrl` (a reload applies it). */
async function useGenerator(baseUrl: string): Promise<void> {
  await setUserSettings({ 'janus.generator.baseUrl': baseUrl, 'janus.generator.model': 'recorder', 'janus.systemMessage': 'You are brief.' }, { reload: true });
}

async function generateOnce(server: ReplyServer): Promise<string | undefined> {
  const { page } = ui();
  const before = server.requests.length;
  await generateFromPalette('Say hello.');
  const request = await pollUntil(() => server.requests.slice(before).find((r) => r.url === '/v1/completions'), {
    timeoutMs: 60_000,
    intervalMs: 100,
    what: 'a completion request at the recording endpoint',
  });
  const auth = request.headers['authorization'];
  // Leave no dirty editor behind: a reload would restore it and later suites would find it.
  await page.locator('.tabs-container .tab.active', { hasText: 'Recorded reply.' }).waitFor({ state: 'visible', timeout: 30_000 });
  await runFromPalette('View: Revert and Close Editor');
  return typeof auth === 'string' ? auth : undefined;
}

describe('ui: API keys are bound to their origin', () => {
  let home: ReplyServer | undefined;
  let elsewhere: ReplyServer | undefined;

  before(async () => {
    home = await recordingEndpoint();
    elsewhere = await recordingEndpoint();
  });

  after(async () => {
    // Leave the settings as the other suites expect them (they reload before reading them).
    await setUserSettings({ 'janus.generator.baseUrl': undefined, 'janus.generator.model': undefined, 'janus.systemMessage': undefined }, { reload: false });
    await home?.close();
    await elsewhere?.close();
  });

  it('Set API Key saves a key that Generate sends to that origin', async () => {
    assert.ok(home);
    await useGenerator(home.baseUrl);
    const { page } = ui();
    await runCommand(page, 'Janus: Set API Key...');
    const origin = new URL(home.baseUrl).origin;
    const pick = page.locator('.quick-input-list .monaco-list-row', { hasText: origin });
    await pick.first().waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(page, 'api-key-pick-origin');
    await pick.first().click();
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await input.getAttribute('type'), 'password', 'the key is typed into a password box');
    await input.fill(key);
    await page.keyboard.press('Enter');
    await page.locator('.notifications-toasts', { hasText: `Saved the API key for ${origin}` }).waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await generateOnce(home), `Bearer ${key}`);
  });

  it('a generator on another origin never receives that key', async () => {
    assert.ok(elsewhere);
    await useGenerator(elsewhere.baseUrl);
    const sent = await generateOnce(elsewhere);
    assert.notEqual(sent, `Bearer ${key}`);
    assert.ok(!JSON.stringify(elsewhere.requests.map((r) => r.headers)).includes(key), 'the key appears in no request to the other origin');
    await screenshot(page(), 'api-key-other-origin');
  });
});

function page(): ReturnType<typeof ui>['page'] {
  return ui().page;
}
