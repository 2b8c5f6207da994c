// Best-of-N through the real UI: the palette runs "Janus: Generate Best-of-N" against the local
// engine with its reward head; the candidates panel streams the cards, then ranks them with their
// rewards, the best highlighted; the panel comes back after a reload; light and dark screenshots.
import * as assert from 'node:assert/strict';
import type { Frame, Page } from 'playwright-core';
import { pollUntil } from '../harness/poll.js';
import type { RunningEngine } from '../support/engineProcess';
import { startEngine } from '../support/engineProcess';
import { getTinyModel } from '../support/tinyModelFixture';
import { closeCandidatesPanel, runFromPalette, setUserSettings } from './janusUi';
import { ui } from './support/session.js';
import { answerQuickInput, screenshot } from './support/workbench.js';

/** The candidates panel's page: the frame whose document has the panel's header. */
async function candidatesFrame(page: Page): Promise<Frame> {
  return pollUntil(
    async () => {
      for (const frame of page.frames()) {
        const found = await frame.locator('main#app header.top h1').count().catch(() => 0);
        if (found > 0) return frame;
      }
      return undefined;
    },
    { timeoutMs: 60_000, intervalMs: 200, what: 'the candidates panel page' },
  );
}

async function status(frame: Frame): Promise<string> {
  return frame.locator('header.top .status').innerText();
}

async function waitForStatus(frame: Frame, expected: RegExp): Promise<void> {
  await pollUntil(async () => (expected.test(await status(frame).catch(() => '')) ? true : undefined), { timeoutMs: 90_000, intervalMs: 100, what: `panel status ${String(expected)}` });
}

/** Palette -> Generate Best-of-N -> prompt -> N (Enter keeps janus.bestOfN.n). */
async function generateBestOfN(page: Page, prompt: string): Promise<void> {
  await runFromPalette('Janus: Generate Best-of-N');
  await answerQuickInput(page, prompt);
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await pollUntil(async () => ((await input.inputValue().catch(() => '')) === '4' ? true : undefined), { timeoutMs: 30_000, intervalMs: 100, what: 'the N input box with the setting\'s 4' });
  await page.keyboard.press('Enter');
}

/** Rewards in card order, as the page shows them. */
async function shownRewards(frame: Frame): Promise<number[]> {
  const texts = await frame.locator('.card .reward').allInnerTexts();
  return texts.map((t) => Number(t.replace('reward ', '')));
}

async function checkRanked(frame: Frame): Promise<void> {
  const cards = frame.locator('.card');
  assert.equal(await cards.count(), 4);
  const rewards = await shownRewards(frame);
  assert.ok(rewards.every(Number.isFinite), `4 rewards shown: ${rewards.join(', ')}`);
  assert.deepEqual(rewards, [...rewards].sort((a, b) => b - a), 'best first');
  assert.deepEqual(await frame.locator('.card .rank').allInnerTexts(), ['#1', '#2', '#3', '#4']);
  const best = frame.locator('.card.best');
  assert.equal(await best.count(), 1);
  assert.match(await best.locator('header').innerText(), /#1[\s\S]*Best/);
  assert.equal(await frame.locator('svg.spread rect.bar').count(), 4, 'one bar per reward in the spread chart');
  assert.match(await frame.locator('.card').first().locator('.facts').innerText(), /\d+ chars/);
  assert.equal(await frame.locator('.banner').count(), 0, 'a reward model scored: no fallback or error banner');
}

describe('ui: Janus: Generate Best-of-N', () => {
  let engine: RunningEngine | undefined;

  before(async () => {
    const model = await getTinyModel();
    engine = await startEngine(['--model', model.modelPath, '--reward-model', model.rewardModelPath, '--parallel', '4', '--context', '4096']);
    await setUserSettings(
      {
        'janus.generator.baseUrl': `${engine.url}/v1`,
        'janus.reward.baseUrl': engine.url,
        // Seed 21 makes two of the four candidates run to the full 2000 tokens on the tiny model
        // (same seed, same text), so the open panel is seen sampling however fast the machine is.
        'janus.generator.maxTokens': 2000,
        'janus.generator.seed': 21,
        'janus.systemMessage': 'You are a patient teacher who explains with everyday examples.',
        'workbench.colorTheme': 'Default Light Modern',
      },
      { reload: true },
    );
  });

  after(async () => {
    await setUserSettings(
      { 'janus.generator.baseUrl': undefined, 'janus.reward.baseUrl': undefined, 'janus.generator.maxTokens': undefined, 'janus.generator.seed': undefined, 'janus.systemMessage': undefined, 'workbench.colorTheme': undefined },
      { reload: false },
    );
    await engine?.stop();
    await closeCandidatesPanel(ui().page);
  });

  it('streams 4 candidates into the panel, then ranks them by reward with the best highlighted (light)', async () => {
    const { page } = ui();
    await generateBestOfN(page, 'Explain why the sky is blue to a curious ten-year-old.');
    const frame = await candidatesFrame(page);
    await frame.locator('.card.sampling').first().waitFor({ state: 'visible', timeout: 60_000 });
    await pollUntil(async () => ((await frame.locator('.card .text').first().innerText()).length > 20 ? true : undefined), { timeoutMs: 30_000, intervalMs: 50, what: 'streamed text in a card' });
    assert.match(await status(frame), /Sampling \d\/4/);
    assert.equal(await frame.locator('button[data-key="cancel"]').isVisible(), true, 'Cancel shows while running');
    await screenshot(page, 'bestofn-streaming-light');
    await waitForStatus(frame, /^Ranked$/);
    await checkRanked(frame);
    await page.mouse.move(1400, 880);
    await screenshot(page, 'bestofn-ranked-light');
  });

  it('marks by keyboard: Tab reaches a card\'s buttons and Enter toggles Chosen', async () => {
    const { page } = ui();
    const frame = await candidatesFrame(page);
    const chosen = frame.locator('.card.best button', { hasText: 'Chosen' });
    await chosen.focus();
    await page.keyboard.press('Enter');
    await frame.locator('.card.best .badge.chosen').waitFor({ timeout: 30_000 });
    const button = frame.locator('.card.best button', { hasText: 'Chosen' });
    assert.equal(await button.getAttribute('aria-pressed'), 'true');
    assert.equal(await frame.locator(':focus').getAttribute('data-key'), await button.getAttribute('data-key'), 'focus stays on the button after the re-render');
    const outline = await button.evaluate((el) => getComputedStyle(el).outlineStyle);
    assert.notEqual(outline, 'none', 'the focused button shows an outline');
    assert.match(await frame.locator('button[data-key="export"]').innerText(), /1 marked/);
  });

  it('comes back after a reload with its ranked candidates and marks, and follows a dark theme', async () => {
    const { page } = ui();
    await setUserSettings({ 'workbench.colorTheme': 'Default Dark Modern' }, { reload: true });
    const frame = await candidatesFrame(page);
    await waitForStatus(frame, /^Ranked$/);
    await checkRanked(frame);
    assert.equal(await frame.locator('.card.best .badge.chosen').count(), 1, 'the mark survived the reload');
    await page.mouse.move(1400, 880);
    await screenshot(page, 'bestofn-restored-dark');
  });

  it('streams and ranks in the dark theme too', async () => {
    const { page } = ui();
    await generateBestOfN(page, 'Give me three tips for learning to juggle.');
    const frame = await candidatesFrame(page);
    await frame.locator('.card.sampling').first().waitFor({ state: 'visible', timeout: 60_000 });
    await pollUntil(async () => ((await frame.locator('.card .text').first().innerText()).length > 20 ? true : undefined), { timeoutMs: 30_000, intervalMs: 50, what: 'streamed text in a card' });
    await screenshot(page, 'bestofn-streaming-dark');
    await waitForStatus(frame, /^Ranked$/);
    await checkRanked(frame);
    await page.mouse.move(1400, 880);
    await screenshot(page, 'bestofn-ranked-dark');
  });

  it('a reward server that is down: the candidates show unscored under an error banner', async () => {
    const { page } = ui();
    await setUserSettings({ 'janus.reward.baseUrl': 'http://127.0.0.1:9', 'janus.generator.maxTokens': 60 }, { reload: true });
    await generateBestOfN(page, 'Name a colour.');
    const frame = await candidatesFrame(page);
    await waitForStatus(frame, /^Done \(not ranked\)$/);
    const banner = frame.locator('.banner.scoreError');
    await banner.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await banner.innerText(), /unscored and nothing is ranked/);
    assert.deepEqual(await frame.locator('.card .reward').allInnerTexts(), ['unscored', 'unscored', 'unscored', 'unscored']);
    assert.equal(await frame.locator('.card.best').count(), 0);
    await page.mouse.move(1400, 880);
    await screenshot(page, 'bestofn-score-error-dark');
  });
});
