// The user's path through the real UI: the command palette runs "Janus: Generate" against the
// local engine, the answer streams into a new editor, and the status bar says the generator is ready.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pollUntil } from '../harness/poll.js';
import type { RunningEngine } from '../support/engineProcess';
import { startEngine } from '../support/engineProcess';
import { getTinyModel } from '../support/tinyModelFixture';
import { ui } from './support/session.js';
import { activeEditor, readActiveEditorText, runCommand, screenshot, waitForStatusBarItem, waitForWorkbench } from './support/workbench.js';

/** Merges `janus.*` values into the session's user settings; code-server applies them live. */
function setUserSettings(userDataDir: string, values: Record<string, unknown>): void {
  const file = path.join(userDataDir, 'User', 'settings.json');
  const current = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  writeFileSync(file, JSON.stringify({ ...current, ...values }, null, 2));
}

describe('ui: Janus: Generate', () => {
  let engine: RunningEngine | undefined;

  before(async () => {
    const model = await getTinyModel();
    engine = await startEngine(['--model', model.modelPath]);
    setUserSettings(ui().workspace.userDataDir, {
      'janus.generator.baseUrl': `${engine.url}/v1`,
      'janus.generator.maxTokens': 48,
      'janus.systemMessage': 'You are a patient teacher who explains with everyday examples.',
    });
    // code-server does not notice a settings file changed behind its back: reload to read it.
    const { page } = ui();
    await runCommand(page, 'Developer: Reload Window');
    await waitForWorkbench(page);
  });

  after(async () => {
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
        const tab = await page.locator('.tabs-container .tab.active').innerText().catch(() => '');
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
