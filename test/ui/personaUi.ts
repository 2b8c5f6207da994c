// Helpers the Personas UI suites share: find the view's page among other webviews, open the view
// without toggling it closed, and show the Explorer before a window reload.
import type { Frame, Page } from 'playwright-core';
import { pollUntil } from '../harness/poll.js';
import { activityBarItem } from './support/workbench.js';

/**
 * The view's page: VS Code nests the extension's document in an inner frame of a webview iframe,
 * and other webviews (panels) may be open too, so the page is found by its title.
 */
export async function personaFrame(page: Page): Promise<Frame> {
  return pollUntil(
    async () => {
      for (const frame of page.frames()) {
        if (frame.isDetached()) continue;
        const title = await frame.title().catch(() => '');
        if (title === 'Personas' && (await frame.locator('#app').count().catch(() => 0)) > 0) return frame;
      }
      return undefined;
    },
    { timeoutMs: 60_000, intervalMs: 200, what: 'the Personas view page' },
  );
}

/** Shows the Explorer (window reloads wait for its rows); clicking it while shown would hide it. */
export async function showExplorer(page: Page): Promise<void> {
  if (!(await page.locator('.explorer-folders-view').isVisible().catch(() => false))) await activityBarItem(page, 'Explorer').click({ force: true });
}

export async function openPersonasView(page: Page): Promise<Frame> {
  const item = activityBarItem(page, 'Janus');
  await item.waitFor({ state: 'visible', timeout: 60_000 });
  // Clicking the container's icon while it is open would close it.
  const open = await page.locator('.part.sidebar .title-label', { hasText: 'Personas' }).isVisible().catch(() => false);
  if (!open) await item.click({ force: true });
  const frame = await personaFrame(page);
  // The workspace (files, templates) arrives by message after `ready`; the page says when.
  await frame.locator('main#app[aria-busy="false"]').waitFor({ state: 'attached', timeout: 60_000 });
  await frame.locator('#file').waitFor({ state: 'visible', timeout: 30_000 });
  // Away from the activity bar, whose hover tooltip would cover the view in screenshots.
  await page.mouse.move(900, 600);
  await page.locator('.workbench-hover-container, .monaco-hover.workbench-hover').first().waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
  return frame;
}

