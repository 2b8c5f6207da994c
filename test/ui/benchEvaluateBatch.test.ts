// Batch mode through the real UI: with janus.judge.mode "batch", "Janus: Evaluate Bench" submits
// the bench as one Batch API batch and returns; the status bar follows the batch; clicking it lists
// the pending batch; when the batch ends, a notification says so and the lenses show its scores.
// The Batch API is the fake one (no hosted API is reachable here); it ends the batch after a set
// number of looks, so the pending state is seen on any machine.
import * as assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pollUntil } from '../harness/poll.js';
import { repoRoot } from '../harness/paths.js';
import type { BatchServer } from '../support/batchServer';
import { startBatchServer } from '../support/batchServer';
import { ui } from './support/session.js';
import { setUserSettings } from './janusUi';
import { activeEditor, runCommand, screenshot, waitForStatusBarItem } from './support/workbench.js';

const sample = path.join(repoRoot, 'test', 'fixtures', 'sampleWorkspace', 'bench', 'multifaceted-bench.sample.json');
const settings = ['janus.judge.baseUrl', 'janus.judge.format', 'janus.judge.model', 'janus.judge.mode', 'janus.judge.batchPollMs'];

describe('ui: bench evaluation as a Batch API batch', () => {
  let server: BatchServer | undefined;

  before(async () => {
    // Pending for 1000 looks (the test ends it when it has seen the pending state).
    server = await startBatchServer({ looksToFinish: 1000 });
    // A bench of its own, so no earlier live run of the sample bench is offered for resuming.
    const dir = path.join(ui().workspace.folder, 'batched');
    mkdirSync(dir, { recursive: true });
    copyFileSync(sample, path.join(dir, 'batched-bench.json'));
    const count = (JSON.parse(readFileSync(sample, 'utf8')) as unknown[]).length;
    const responses = Object.fromEntries(Array.from({ length: count }, (_, i) => [String(i), { response: `A batched answer to instance ${i}.` }]));
    writeFileSync(path.join(dir, 'batched_responses.json'), JSON.stringify(responses, null, 4));
    await setUserSettings(
      { 'janus.judge.baseUrl': server.baseUrl, 'janus.judge.format': 'chat', 'janus.judge.model': 'fake-judge', 'janus.judge.mode': 'batch', 'janus.judge.batchPollMs': 200 },
      { reload: true },
    );
  });

  after(async () => {
    await setUserSettings(Object.fromEntries(settings.map((k) => [k, undefined])), { reload: false });
    await server?.close();
  });

  it('submits, shows the pending batch in the status bar, then its scores in the lenses', async () => {
    const { page } = ui();
    assert.ok(server);
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget .quick-input-box input').fill('batched-bench.json');
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: 'batched-bench.json' }).filter({ visible: true });
    await row.first().waitFor({ state: 'visible', timeout: 60_000 });
    await row.first().click();
    await page.locator('.tabs-container .tab.active', { hasText: 'batched-bench.json' }).waitFor({ state: 'visible', timeout: 60_000 });

    await runCommand(page, 'Janus: Evaluate Bench');
    const pick = page.locator('.quick-input-list .monaco-list-row', { hasText: 'batched_responses.json' }).filter({ visible: true });
    await pick.first().waitFor({ state: 'visible', timeout: 60_000 });
    await pick.first().click();

    const status = await waitForStatusBarItem(page, /Janus batch: .*\d+\/12/, 60_000);
    assert.equal(server.calls['upload'], 1, 'one input file uploaded');
    assert.equal(server.calls['create'], 1, 'one batch created');
    assert.equal(server.uploads[0]?.trim().split('\n').length, 12, 'one request per instance and rubric');
    assert.equal(server.chats.length, 0, 'nothing judged live');
    // The bench's header says the same as the status bar, next to the header lens.
    const editorLenses = activeEditor(page).locator('.contentWidgets .codelens-decoration');
    await pollUntil(async () => ((await editorLenses.allInnerTexts()).some((t) => /Janus bench · 3 instances · no results yet\s*\|\s*batch in_progress \d+\/12/.test(t)) ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 250,
      what: 'the pending batch in the bench\'s header lens',
    });
    await screenshot(page, 'bench-batch-pending');

    // The status bar item lists the pending batch.
    await page.locator('.part.statusbar .statusbar-item', { hasText: 'Janus batch' }).first().click();
    const pending = page.locator('.quick-input-list .monaco-list-row', { hasText: 'batched-bench.json' }).filter({ visible: true });
    await pending.first().waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await pending.first().innerText(), /fake-judge/);
    await screenshot(page, 'bench-batch-details');
    await page.keyboard.press('Escape');

    server.finishAfter(0);
    const done = page.locator('.notifications-toasts .notification-toast', { hasText: /Batch evaluation of batched-bench\.json finished: mean \d\.\d\d \[\d\.\d\d, \d\.\d\d\] over 3 instances/ });
    await done.waitFor({ state: 'visible', timeout: 60_000 });
    const lenses = activeEditor(page).locator('.contentWidgets .codelens-decoration');
    await pollUntil(
      async () => ((await lenses.allInnerTexts()).some((t) => /\d\.\d\d · style \d · knowledge \d · informativeness \d · harmlessness \d/.test(t)) ? true : undefined),
      { timeoutMs: 30_000, intervalMs: 250, what: 'score lenses from the batch' },
    );
    await pollUntil(async () => ((await page.locator('.part.statusbar .statusbar-item', { hasText: 'Janus batch' }).count()) === 0 ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 250,
      what: 'the batch status bar item to go once the batch ended',
    });
    const header = (await editorLenses.allInnerTexts()).find((t) => t.startsWith('Janus bench'));
    assert.match(header ?? '', /^Janus bench · 3 instances · .*batched_evaluation\.json: mean \d\.\d\d \[\d\.\d\d, \d\.\d\d\]$/, 'the header lost the batch and shows the full run');
    await screenshot(page, 'bench-batch-scored');
    assert.ok(status.includes('Janus batch'), status);
  });
});
