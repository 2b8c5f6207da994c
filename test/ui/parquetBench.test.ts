// A Parquet bench through the real UI: Quick Open a .parquet (VS Code shows its binary-file
// editor), click "Open as Janus Bench" in the editor's title bar, and see the JSONL view with the
// bench lenses, read-only (typing into it is refused).
import * as assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { writeBenchParquet } from '../fixtures/bench/parquetBench';
import { syntheticInstance } from '../fixtures/bench/syntheticBench';
import { ui } from './support/session.js';
import { activeEditor, screenshot } from './support/workbench.js';

describe('ui: Parquet bench', () => {
  before(() => {
    const dir = path.join(ui().workspace.folder, 'hf');
    mkdirSync(dir, { recursive: true });
    writeBenchParquet(path.join(dir, 'multifaceted-bench.parquet'), Array.from({ length: 3 }, (_, i) => syntheticInstance(i)));
  });

  it('opens a .parquet as a read-only Janus bench from the editor title bar', async () => {
    const { page } = ui();
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget .quick-input-box input').fill('multifaceted-bench.parquet');
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: 'multifaceted-bench.parquet' }).filter({ visible: true });
    await row.first().waitFor({ state: 'visible', timeout: 60_000 });
    await row.first().click();
    await page.locator('.tabs-container .tab.active', { hasText: 'multifaceted-bench.parquet' }).waitFor({ state: 'visible', timeout: 60_000 });
    const action = page.locator('.editor-actions .action-label[aria-label*="Open as Janus Bench"]').filter({ visible: true });
    await action.first().waitFor({ state: 'visible', timeout: 60_000 });
    await screenshot(page, 'parquet-binary-editor');

    await action.first().click();
    await page.locator('.tabs-container .tab.active', { hasText: /multifaceted-bench-[0-9a-f]{12}\.jsonl/ }).waitFor({ state: 'visible', timeout: 60_000 });
    const lenses = activeEditor(page).locator('.contentWidgets .codelens-decoration');
    await lenses.filter({ hasText: /Janus bench · 3 instances/ }).first().waitFor({ state: 'visible', timeout: 60_000 });
    const titles = await lenses.allInnerTexts();
    assert.ok(titles.some((t) => /Evaluate/.test(t) && /Generate/.test(t)), `instance actions: ${titles.join(' | ')}`);
    await screenshot(page, 'parquet-opened-as-bench');

    await activeEditor(page).locator('.view-line').first().click();
    await page.keyboard.type('x');
    await page.locator('.monaco-editor-overlaymessage', { hasText: /read-only/i }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(page, 'parquet-view-read-only');
  });
});
