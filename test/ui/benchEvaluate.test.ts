// The user's path through the real UI: open the sample bench, run "Janus: Evaluate Bench" from the
// palette, pick the responses file beside it, and see the score lenses above each instance and
// the results report. The judge is the fault-injecting judge server (scores are a hash of the
// prompt), for a deterministic, fast judge over real HTTP.
import * as assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pollUntil } from '../harness/poll.js';
import { repoRoot } from '../harness/paths.js';
import type { JudgeServer } from '../support/judgeServer';
import { startJudgeServer } from '../support/judgeServer';
import { ui } from './support/session.js';
import { setUserSettings } from './janusUi';
import { activeEditor, runCommand, screenshot } from './support/workbench.js';

const sample = path.join(repoRoot, 'test', 'fixtures', 'sampleWorkspace', 'bench', 'multifaceted-bench.sample.json');

describe('ui: bench evaluation', () => {
  let judge: JudgeServer | undefined;

  before(async () => {
    judge = await startJudgeServer({ latencyMs: 20 });
    const dir = path.join(ui().workspace.folder, 'bench');
    mkdirSync(dir, { recursive: true });
    copyFileSync(sample, path.join(dir, 'multifaceted-bench.sample.json'));
    const count = (JSON.parse(readFileSync(sample, 'utf8')) as unknown[]).length;
    const responses = Object.fromEntries(Array.from({ length: count }, (_, i) => [String(i), { response: `A short answer to instance ${i}, with numbered steps.` }]));
    writeFileSync(path.join(dir, 'sample_responses.json'), JSON.stringify(responses, null, 4));
    await setUserSettings({ 'janus.judge.baseUrl': judge.baseUrl, 'janus.judge.format': 'chat', 'janus.judge.model': 'fake-judge' }, { reload: true });
  });

  after(async () => {
    await setUserSettings({ 'janus.judge.baseUrl': undefined, 'janus.judge.format': undefined, 'janus.judge.model': undefined, 'workbench.colorTheme': undefined }, { reload: false });
    await judge?.close();
  });

  it('shows score lenses above each instance after Evaluate Bench from the palette', async () => {
    const { page } = ui();
    // Quick Open by name.
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget .quick-input-box input').fill('multifaceted-bench.sample.json');
    // The file search answers after the input: Enter before the row shows would open nothing.
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: 'multifaceted-bench.sample.json' }).filter({ visible: true });
    await row.first().waitFor({ state: 'visible', timeout: 60_000 });
    await row.first().click();
    await page.locator('.tabs-container .tab.active', { hasText: 'multifaceted-bench.sample.json' }).waitFor({ state: 'visible', timeout: 60_000 });
    const lenses = activeEditor(page).locator('.contentWidgets .codelens-decoration');
    await lenses.filter({ hasText: /Janus bench · 3 instances · no results yet/ }).first().waitFor({ state: 'visible', timeout: 60_000 });
    await screenshot(page, 'bench-opened');

    await runCommand(page, 'Janus: Evaluate Bench');
    const pick = page.locator('.quick-input-list .monaco-list-row', { hasText: 'sample_responses.json' }).filter({ visible: true });
    await pick.first().waitFor({ state: 'visible', timeout: 60_000 });
    await screenshot(page, 'bench-pick-responses');
    await pick.first().click();
    const done = page.locator('.notifications-toasts .notification-toast', { hasText: /Bench evaluated: mean \d\.\d\d \[\d\.\d\d, \d\.\d\d\] over 3 instances/ });
    await done.waitFor({ state: 'visible', timeout: 60_000 });
    assert.equal(judge?.requests.length, 12, 'one judge call per instance and rubric');

    const titles = await pollUntil(
      async () => {
        const texts = await lenses.allInnerTexts();
        return texts.some((t) => /\d\.\d\d · style \d · knowledge \d · informativeness \d · harmlessness \d/.test(t)) ? texts : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: 'score lenses in the bench editor' },
    );
    assert.ok(titles.some((t) => /Evaluate/.test(t) && /Feedback/.test(t)), `actions beside the scores: ${titles.join(' | ')}`);
    assert.ok(titles.some((t) => /sample_evaluation\.json: mean \d\.\d\d \[\d\.\d\d, \d\.\d\d\]/.test(t)), `the header names the run: ${titles.join(' | ')}`);
    await screenshot(page, 'bench-scored-lenses');

    await done.getByRole('button', { name: 'Show Results' }).click();
    const preview = page.locator('.tabs-container .tab', { hasText: /Preview .*summary/ });
    await preview.first().waitFor({ state: 'visible', timeout: 60_000 });
    // The preview renders in a webview's inner frame: wait for the report's heading there.
    const rendered = await pollUntil(
      async () => {
        for (const frame of page.frames()) {
          if (frame.isDetached()) continue;
          const text = await frame.locator('body').innerText({ timeout: 1000 }).catch(() => '');
          if (/Overall: \d\.\d\d/.test(text) && /By dimension/.test(text)) return frame;
        }
        return undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: 'the rendered results report' },
    );
    const chart = rendered.locator('img[alt="Mean score per dimension"]');
    await chart.waitFor({ state: 'visible', timeout: 30_000 });
    assert.ok(((await chart.boundingBox())?.width ?? 0) > 100, 'the bar chart image loaded');
    await screenshot(page, 'bench-results-report');
  });

  it('after a window reload (dark theme) the bench shows the latest run\'s scores again, with the hover feedback', async () => {
    const { page } = ui();
    await setUserSettings({ 'workbench.colorTheme': 'Default Dark Modern' }, { reload: true });
    const tab = page.locator('.tabs-container .tab', { hasText: 'multifaceted-bench.sample.json' });
    await tab.first().waitFor({ state: 'visible', timeout: 60_000 });
    await tab.first().click();
    const lenses = activeEditor(page).locator('.contentWidgets .codelens-decoration');
    await lenses.filter({ hasText: /\d\.\d\d · style \d · knowledge \d/ }).first().waitFor({ state: 'visible', timeout: 60_000 });
    // Hover the first rubric's criteria text: the judge's score and feedback for that rubric.
    const criteria = activeEditor(page).locator('.view-line span', { hasText: 'Is the explanation short and plain' }).first();
    await criteria.waitFor({ state: 'visible', timeout: 30_000 });
    await criteria.hover();
    const hover = page.locator('.monaco-hover', { hasText: /style: \d \/ 5/ });
    await hover.first().waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await hover.first().innerText(), /meets the rubric in part/);
    await screenshot(page, 'bench-scored-dark-hover');
  });
});
