// Helpers the Janus UI suites share: change user settings (code-server does not watch the file, so
// a reload applies them), run palette commands by keyboard, and generate from the palette.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ui } from './support/session.js';
import { runCommand, waitForWorkbench } from './support/workbench.js';

function settingsFile(): string {
  return path.join(ui().workspace.userDataDir, 'User', 'settings.json');
}

/** Merges `values` into the user settings (`undefined` removes a key); reloads when asked. */
export async function setUserSettings(values: Record<string, unknown>, options: { reload: boolean }): Promise<void> {
  const file = settingsFile();
  const current = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  const next = { ...current, ...values };
  for (const [key, value] of Object.entries(values)) if (value === undefined) delete next[key];
  writeFileSync(file, JSON.stringify(next, null, 2));
  if (options.reload) {
    await runFromPalette('Developer: Reload Window');
    await waitForWorkbench(ui().page);
  }
}

/** Runs a palette command by its exact title (see `runCommand`, which skips stale hidden rows). */
export async function runFromPalette(title: string): Promise<void> {
  await runCommand(ui().page, title);
}

/** Palette -> "Janus: Generate" -> types the prompt into the input box (no selection is open). */
export async function generateFromPalette(prompt: string): Promise<void> {
  const { page } = ui();
  await runFromPalette('Janus: Generate');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 60_000 });
  await input.fill(prompt);
  await page.keyboard.press('Enter');
}

/** Closes the candidates panel's tab, so the suites after a Best-of-N suite start from a clean editor area. */
export async function closeCandidatesPanel(page: Page): Promise<void> {
  const tab = page.locator('.tabs-container .tab', { hasText: 'Janus Candidates' });
  if ((await tab.count()) === 0) return;
  await tab.first().hover();
  await tab.first().locator('.codicon-close').click();
  await tab.first().waitFor({ state: 'detached', timeout: 30_000 });
}
