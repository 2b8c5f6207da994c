// The user's path through the real UI: the command palette runs "Janus: Generate" against the
// local engine, the answer streams into a new editor, and the status bar says the generator is ready.
import * as assert from 'node:assert/strict';
import { pollUntil } from '../harness/poll.js';
import type { RunningEngine } from '../support/engineProcess';
import { startEngine } from '../support/engineProcess';
import { getTinyModel } from '../support/tinyModelFixture';
import { ui } from './support/session.js';
import { setUserSettings } from './janusUi';
import { activeEditor, readActiveEditorText, runCommand, screenshot, waitForStatusBarItem } from './support/workbench.js';

describe('ui: Janus: Generate', () => {
  let engine: RunningEngine | undefined;

  before(async () => {
    const model = await getTinyModel();
    engine = await startEngine(['--model', model.modelPath]);
    await setUserSettings(
      {
        'janus.generator.baseUrl': `${engine.url}/v1`,
        'janus.generator.maxTokens': 48,
        'janus.systemMessage': 'You are a patient teacher who explains with everyday examples.',
      },
      { reload: true },
    );
  });

  after(async () => {
    await setUserSettings({ 'janus.generator.baseUrl': undefined, 'janus.generator.maxTokens': undefined, 'janus.systemMessage': undefined }, { reload: false });
    await engine?.stop();
  });

  it('streams the answer into a new editor from the command palette', async () => {
    const { page } = ui();
    await runCommand(page, 'Janus: Generate');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 60_000 });
    await screenshot(page, 'generate-prompt-input');
    await input.fill('Explain why the sky is blue to a curious ten-year-old.');
    await page.keyboard.press('Enter');
    const text = await pollUntil(
      async () => {
        const tab = await page.locator('.editor-group-container.active .tabs-container .tab.active').innerText().catch(() => '');
        const shown = tab.includes('Untitled') ? await readActiveEditorText(page) : '';
        return shown.trim().length > 0 ? shown : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: 'generated text in a new untitled editor' },
    );
    assert.ok(text.length > 0);
    await activeEditor(page).waitFor({ state: 'visible' });
    // The notification goes away when the stream has finished.
    await page.locator('.notifications-toasts .notification-toast', { hasText: 'Janus: generating' }).waitFor({ state: 'hidden', timeout: 60_000 });
    await screenshot(page, 'generate-output');
  });

  it('shows the generator as ready in the status bar', async () => {
    const { page } = ui();
    const item = await waitForStatusBarItem(page, 'Janus: ready');
    assert.match(item, /Janus: ready/);
    await screenshot(page, 'generate-status-ready');
  });
});
