// Playwright helpers for driving the VS Code workbench that code-server serves. Every wait is a
// Playwright auto-wait or a bounded poll; selectors are the workbench's stable part classes.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { screenshotDir } from '../../harness/paths.js';
import { pollUntil } from '../../harness/poll.js';

/** Cold start on a 2-core machine: first page load, extension host start and activation. */
export const WORKBENCH_TIMEOUT_MS = 120_000;

/** Waits until the workbench has rendered its parts and the extension host reports itself running. */
export async function waitForWorkbench(page: Page, timeoutMs = WORKBENCH_TIMEOUT_MS): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('.part.statusbar').waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('.part.activitybar').waitFor({ state: 'visible', timeout: timeoutMs });
  // The explorer lists the workspace only after the remote connection works end to end.
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ state: 'visible', timeout: timeoutMs });
}

/**
 * Opens the command palette, types `title` and runs the entry whose label is exactly `title`
 * (the first row alone is not enough: recently used and fuzzy matches can rank above it).
 */
export async function runCommand(page: Page, title: string, timeoutMs = 30_000): Promise<void> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  // Only visible rows: after a window reload the palette can keep a stale, hidden copy of a row
  // in the DOM, and waiting for that one to become visible would wait forever.
  const rows = page.locator('.quick-input-list .monaco-list-row').filter({ visible: true });
  const exact = rows.filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) });
  // Right after a (re)load the workbench answers before extensions have registered their
  // commands: a palette opened then lacks them, so close it and ask again until the deadline.
  await pollUntil(
    async () => {
      await page.keyboard.press('F1');
      if (!(await input.waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false))) {
        // Focus inside a webview can swallow F1: give the focus back to an editor tab and ask again.
        await page.locator('.part.editor .tabs-container .tab').first().click({ force: true }).catch(() => undefined);
        return undefined;
      }
      // Something else taking the focus (an editor a command opens, a notification) can close the
      // palette between the check above and typing: then ask again rather than wait on a hidden box.
      const typed = await input.fill(`>${title}`, { timeout: 3_000 }).then(() => true, () => false);
      if (!typed) return undefined;
      const found = await exact.first().waitFor({ state: 'visible', timeout: 3_000 }).then(() => true, () => false);
      if (!found) {
        await page.keyboard.press('Escape');
        return undefined;
      }
      // The same race can hide the row just found: click it, or start over.
      return (await exact.first().click({ timeout: 3_000 }).then(() => true, () => false)) ? true : undefined;
    },
    { timeoutMs: Math.max(timeoutMs, 60_000), intervalMs: 250, what: `the palette to list and run "${title}"` },
  );
  // The palette is done once its command-mode text is gone: hidden, or replaced by the command's
  // own input box (a command that asks for something keeps the widget open).
  await pollUntil(
    async () => {
      const visible = await input.isVisible().catch(() => false);
      const value = visible ? await input.inputValue().catch(() => '') : '';
      return !visible || !value.startsWith('>') ? true : undefined;
    },
    { timeoutMs, intervalMs: 100, what: `the palette to run "${title}"` },
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Types `text` into the open quick input (an input box or a quick pick a command showed) and accepts. */
export async function answerQuickInput(page: Page, text: string, timeoutMs = 60_000): Promise<void> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  await input.fill(text);
  await page.keyboard.press('Enter');
}

/** The text of every visible status-bar item, left to right. */
export async function readStatusBar(page: Page): Promise<string[]> {
  const items = page.locator('.part.statusbar .statusbar-item');
  const texts = await items.allInnerTexts();
  return texts.map((t) => t.trim()).filter((t) => t !== '');
}

/** Polls the status bar until an item contains `text` (items appear after activation). */
export async function waitForStatusBarItem(page: Page, text: string | RegExp, timeoutMs = 60_000): Promise<string> {
  return pollUntil(
    async () => (await readStatusBar(page)).find((t) => (typeof text === 'string' ? t.includes(text) : text.test(t))),
    { timeoutMs, intervalMs: 250, what: `a status-bar item matching ${String(text)}` },
  );
}

/** The active editor's rendered lines (only what is on screen), with VS Code's nbsp as spaces. */
export async function readActiveEditorText(page: Page): Promise<string> {
  const lines = activeEditor(page).locator('.view-lines .view-line');
  const texts = await lines.allInnerTexts();
  // Lines are absolutely positioned and may come in any DOM order: sort by their `top`.
  const tops = await lines.evaluateAll((els) => els.map((el) => Number.parseFloat((el as HTMLElement).style.top) || 0));
  return texts
    .map((text, i) => ({ text: text.replace(/\u00a0/g, ' '), top: tops[i] ?? 0 }))
    .sort((a, b) => a.top - b.top)
    .map((l) => l.text)
    .join('\n');
}

export function activeEditor(page: Page): Locator {
  // In a diff editor the modified side is the one being edited; the original side is read-only.
  return page.locator('.editor-group-container.active .monaco-editor:not(.original-in-monaco-diff-editor)').first();
}

/** Saves `<name>.png` under .test-output/screenshots/ and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path: file });
  return file;
}

/**
 * The activity-bar entry of a view container, by its title (e.g. "Janus"). Click it with
 * `{ force: true }`: a badge (e.g. "3 unsaved files") can sit over the icon's centre, and the
 * click still reaches the entry through it.
 */
export function activityBarItem(page: Page, title: string): Locator {
  return page.locator(`.part.activitybar .action-item .action-label[aria-label^="${title}"]`);
}
