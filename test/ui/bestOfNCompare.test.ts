// Compare Personas through the real UI: two persona files in the workspace, the palette command,
// a multi-select pick, and the candidates panel in compare mode with one rewarded answer each;
// then Best-of-N under the teacher persona (rubric chips on every card) and deleting that session
// from the session list (trash button, modal).
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { newPersona } from '../../src/core/preferences/composer';
import { serializePersona } from '../../src/core/preferences/persona';
import { starterPreferenceSet } from '../../src/core/preferences/templates';
import { pollUntil } from '../harness/poll.js';
import type { RunningEngine } from '../support/engineProcess';
import type { JudgeServer } from '../support/judgeServer';
import { startJudgeServer } from '../support/judgeServer';
import { startEngine } from '../support/engineProcess';
import { getTinyModel } from '../support/tinyModelFixture';
import { closeCandidatesPanel, runFromPalette, setUserSettings } from './janusUi';
import { ui } from './support/session.js';
import { answerQuickInput, screenshot, waitForStatusBarItem } from './support/workbench.js';

/** The candidates panel's page once its header says `heading` ("Compare Personas", "Best-of-4"). */
async function panelFrame(page: Page, heading: string): Promise<Frame> {
  return pollUntil(
    async () => {
      for (const frame of page.frames()) {
        const title = await frame.locator('main#app header.top h1').innerText({ timeout: 200 }).catch(() => '');
        if (title === heading) return frame;
      }
      return undefined;
    },
    { timeoutMs: 60_000, intervalMs: 200, what: `the candidates panel on ${heading}` },
  );
}

describe('ui: Janus: Compare Personas', () => {
  let engine: RunningEngine | undefined;
  let judge: JudgeServer | undefined;

  before(async () => {
    const { workspace } = ui();
    const folder = path.join(workspace.folder, '.janus', 'personas');
    mkdirSync(folder, { recursive: true });
    const descriptions = { '1': 'Not at all.', '2': 'Barely.', '3': 'Partly.', '4': 'Mostly.', '5': 'Fully.' };
    const teacher = {
      ...newPersona('Patient teacher', starterPreferenceSet()),
      system: 'You are a patient teacher who explains with everyday examples.',
      rubrics: [
        { criteria: 'Does the answer explain with an everyday example?', score_descriptions: descriptions },
        { criteria: 'Is the explanation patient and step by step?', score_descriptions: descriptions },
        { criteria: 'Is the answer correct?', score_descriptions: descriptions },
      ],
    };
    const expert = { ...newPersona('Terse expert', starterPreferenceSet()), system: 'You are a terse expert; your responses are one precise sentence.' };
    writeFileSync(path.join(folder, 'patient-teacher.persona.json'), serializePersona(teacher));
    writeFileSync(path.join(folder, 'terse-expert.persona.json'), serializePersona(expert));
    const model = await getTinyModel();
    engine = await startEngine(['--model', model.modelPath, '--reward-model', model.rewardModelPath, '--parallel', '4', '--context', '1024']);
    // A scripted judge (scores from a hash of the prompt): what is checked is the panel, not judging.
    judge = await startJudgeServer();
    await setUserSettings({ 'janus.generator.baseUrl': `${engine.url}/v1`, 'janus.reward.baseUrl': engine.url, 'janus.judge.baseUrl': judge.baseUrl, 'janus.judge.model': 'fake-judge', 'janus.generator.maxTokens': 80, 'workbench.colorTheme': 'Default Light Modern' }, { reload: true });
  });

  after(async () => {
    await setUserSettings({ 'janus.generator.baseUrl': undefined, 'janus.reward.baseUrl': undefined, 'janus.judge.baseUrl': undefined, 'janus.judge.model': undefined, 'janus.generator.maxTokens': undefined, 'workbench.colorTheme': undefined }, { reload: false });
    await engine?.stop();
    await judge?.close();
    await closeCandidatesPanel(ui().page);
  });

  it('answers one prompt under two picked personas, side by side with their rewards and the teacher\'s rubric scores', async () => {
    const { page } = ui();
    await runFromPalette('Janus: Compare Personas');
    await answerQuickInput(page, 'How do magnets work?');
    const rows = page.locator('.quick-input-list .monaco-list-row').filter({ visible: true });
    for (const name of ['Patient teacher', 'Terse expert']) {
      const row = rows.filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${name}$`) }) }).first();
      await row.waitFor({ state: 'visible', timeout: 60_000 });
      await row.locator('input[type="checkbox"], .monaco-checkbox, .quick-input-list-checkbox').first().click();
    }
    await screenshot(page, 'compare-pick-light');
    await page.keyboard.press('Enter');
    const frame = await panelFrame(page, 'Compare Personas');
    await pollUntil(async () => ((await frame.locator('header.top .status').innerText()) === 'Ranked' ? true : undefined), { timeoutMs: 90_000, intervalMs: 100, what: 'both personas ranked' });
    assert.deepEqual(await frame.locator('.group h2').allInnerTexts(), ['Patient teacher', 'Terse expert']);
    const rewards = await frame.locator('.card .reward').allInnerTexts();
    assert.equal(rewards.length, 2);
    assert.ok(rewards.every((r) => /^reward -?\d/.test(r)), rewards.join(', '));
    assert.equal(await frame.locator('.card.best').count(), 1, 'one answer is flagged across personas');
    assert.match(await frame.locator('.card.best header').innerText(), /Highest reward/);
    const [first, second] = rewards.map((r) => Number(r.replace('reward ', '')));
    const leaderGroup = await frame.locator('.group').filter({ has: frame.locator('.card.best') }).locator('h2').innerText();
    assert.equal(leaderGroup, (first ?? 0) >= (second ?? 0) ? 'Patient teacher' : 'Terse expert', 'the flag is on the higher reward');
    // Side by side needs room for two 280 px columns; earlier suites may have left an editor group
    // beside the panel, so give the window the width a desktop would have before measuring.
    const viewport = page.viewportSize();
    await page.setViewportSize({ width: 2400, height: viewport?.height ?? 900 });
    const boxes = await pollUntil(async () => {
      const tops = await frame.locator('.group').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().top));
      return tops.length === 2 && tops[0] === tops[1] ? tops : undefined;
    }, { timeoutMs: 10_000, intervalMs: 100, what: 'the two personas side by side' }).catch(async () => frame.locator('.group').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().top)));
    if (viewport) await page.setViewportSize(viewport);
    assert.equal(boxes[0], boxes[1], 'the personas sit side by side');
    // The teacher has three rubrics: a chip each with the judge's score, and their mean; the expert has none.
    const teacherColumn = frame.locator('.group').filter({ has: frame.locator('h2', { hasText: 'Patient teacher' }) });
    const chips = teacherColumn.locator('.rubrics .chip summary');
    assert.deepEqual((await chips.allInnerTexts()).map((t) => /^R\d [1-5]\/5$/.test(t)), [true, true, true], (await chips.allInnerTexts()).join(', '));
    assert.match(await teacherColumn.locator('.rubric-mean').innerText(), /^mean [1-5]\.\d\d$/);
    assert.match((await chips.first().getAttribute('title')) ?? '', /everyday example[\s\S]*Feedback: /, 'criteria and feedback on hover');
    await chips.first().click();
    assert.match(await teacherColumn.locator('.rubrics .chip[open] .feedback').innerText(), /Feedback/, 'opened, the chip shows the feedback');
    const expertColumn = frame.locator('.group').filter({ has: frame.locator('h2', { hasText: 'Terse expert' }) });
    assert.match(await expertColumn.locator('.rubric-note').innerText(), /no rubrics/);
    assert.match(await frame.locator('.card .facts').first().innerText(), /~?\d+ tokens/);
    await page.mouse.move(1400, 880);
    await screenshot(page, 'compare-ranked-light');
  });

  it('Generate Best-of-N under the teacher: every card gets its rubric chips; the session list\'s trash button deletes a session after a modal', async () => {
    const { page, workspace } = ui();
    await runFromPalette('Janus: Select Active Persona');
    const teacher = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Patient teacher' }).first();
    await teacher.waitFor({ state: 'visible', timeout: 30_000 });
    await teacher.click();
    await waitForStatusBarItem(page, 'Patient teacher');
    const sessions = path.join(workspace.folder, '.janus', 'sessions');
    const before = new Set(existsSync(sessions) ? readdirSync(sessions) : []);
    await runFromPalette('Janus: Generate Best-of-N');
    await answerQuickInput(page, 'How does a fridge keep food cold?');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await pollUntil(async () => ((await input.inputValue().catch(() => '')) === '4' ? true : undefined), { timeoutMs: 30_000, intervalMs: 100, what: 'the N input box' });
    await page.keyboard.press('Enter');
    const frame = await panelFrame(page, 'Best-of-4');
    await pollUntil(async () => ((await frame.locator('header.top .status').innerText()) === 'Ranked' ? true : undefined), { timeoutMs: 120_000, intervalMs: 100, what: 'ranked and graded' });
    const cards = frame.locator('.card');
    assert.equal(await cards.count(), 4);
    for (let i = 0; i < 4; i++) {
      const chips = await cards.nth(i).locator('.card-rubrics .chip summary').allInnerTexts();
      assert.deepEqual(chips.map((t) => /^R\d [1-5]\/5$/.test(t)), [true, true, true], `card ${i}: ${chips.join(', ')}`);
      assert.match(await cards.nth(i).locator('.card-rubrics .rubric-mean').innerText(), /^mean [1-5]\.\d\d$/);
    }
    const rewards = (await frame.locator('.card .reward').allInnerTexts()).map((t) => Number(t.replace('reward ', '')));
    assert.deepEqual(rewards, [...rewards].sort((a, b) => b - a), 'the reward still ranks');
    await page.mouse.move(1400, 880);
    await screenshot(page, 'bestofn-rubrics-light');
    const created = readdirSync(sessions).filter((f) => !before.has(f));
    assert.equal(created.length, 1, `one new session file: ${created.join(', ')}`);
    // Sessions…: the newest (this one) first; its trash button asks, then deletes the file.
    await frame.locator('button[data-key="sessions"]').click();
    const newest = page.locator('.quick-input-list .monaco-list-row').first();
    await newest.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await newest.innerText(), /Best-of-4: How does a fridge/);
    await newest.hover();
    await newest.locator('.action-label.codicon-trash').click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await dialog.innerText(), /Delete the session "Best-of-4: How does a fridge/);
    await screenshot(page, 'bestofn-delete-session-light');
    await dialog.locator('.monaco-button', { hasText: /^Delete$/ }).click();
    await pollUntil(async () => (existsSync(path.join(sessions, created[0]!)) ? undefined : true), { timeoutMs: 10_000, intervalMs: 100, what: 'the session file deleted' });
    const first = page.locator('.quick-input-list .monaco-list-row').first();
    await first.waitFor({ state: 'visible', timeout: 30_000 });
    assert.doesNotMatch(await first.innerText(), /How does a fridge/, 'the list no longer has it');
    await page.keyboard.press('Escape');
    await runFromPalette('Janus: Select Active Persona');
    const none = page.locator('.quick-input-list .monaco-list-row', { hasText: 'No active persona' });
    await none.waitFor({ state: 'visible', timeout: 30_000 });
    await none.click();
  });
});
