// The Personas view in a real browser: build a persona by clicks from the templates, watch the
// composed message follow, save it, open it again, make it active; screenshots in dark and light.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { parsePersonaText } from '../../src/core/preferences/personaText';
import { pollUntil } from '../harness/poll.js';
import { setUserSettings } from './janusUi';
import { ui } from './support/session.js';
import { activityBarItem, screenshot, waitForStatusBarItem } from './support/workbench.js';

/** The view's page: VS Code nests the extension's document in an inner frame of the webview. */
function personaFrame(page: Page): FrameLocator {
  // Webview views float above their pane in the DOM; the Personas view is the only webview open.
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

async function openPersonasView(page: Page): Promise<FrameLocator> {
  const item = activityBarItem(page, 'Janus');
  await item.waitFor({ state: 'visible', timeout: 60_000 });
  const expanded = await item.getAttribute('aria-expanded').catch(() => null);
  if (expanded !== 'true') await item.click();
  const frame = personaFrame(page);
  await frame.locator('#name').waitFor({ state: 'visible', timeout: 60_000 });
  // The templates arrive by message after `ready`: the subdimension lists fill then.
  await frame.locator('#sub-style option[value="tone"]').waitFor({ state: 'attached', timeout: 30_000 });
  // Away from the activity bar, whose hover tooltip would cover the view in screenshots.
  await page.mouse.move(900, 600);
  return frame;
}

async function systemText(frame: FrameLocator): Promise<string> {
  return frame.locator('#system').inputValue();
}

describe('ui: the Personas view', () => {
  after(async () => {
    await setUserSettings({ 'workbench.colorTheme': undefined }, { reload: false });
  });

  it('builds a persona from templates by clicks, the message follows, saves, reopens and sets it active', async () => {
    const { page, workspace } = ui();
    const frame = await openPersonasView(page);
    await screenshot(page, 'persona-view-new-light');

    await frame.locator('#name').fill('Clicked together');
    const before = await systemText(frame);
    await frame.locator('#sub-style').selectOption('tone');
    const toneTemplate = await frame.locator('#pref-style option:checked').innerText();
    assert.notEqual(toneTemplate, 'Custom: write your own');
    const afterTone = await systemText(frame);
    assert.notEqual(afterTone, before, 'the message followed the new subdimension');
    assert.ok(afterTone.includes(toneTemplate.split(' (')[0]!.toLowerCase()), `"${toneTemplate}" is in the message`);

    await frame.locator('#sub-background_knowledge').selectOption('expert');
    const options = frame.locator('#pref-informativeness option');
    const second = await options.nth(1).innerText();
    await frame.locator('#pref-informativeness').selectOption({ index: 1 });
    const composed = await systemText(frame);
    assert.ok(composed.includes(second.toLowerCase()), `"${second}" is in the message`);
    assert.match(composed, /^You are a peer who speaks at specialist level/);
    assert.equal(await frame.locator('#recompose').isVisible(), false, 'not hand-edited: no Recompose');
    assert.match(await frame.locator('#save').innerText(), /●/, 'the dirty dot shows');
    await screenshot(page, 'persona-view-built-light');

    await frame.locator('#save').click();
    await frame.locator('#status', { hasText: 'Saved' }).waitFor({ timeout: 30_000 });
    const file = path.join(workspace.folder, '.janus', 'personas', 'clicked-together.persona.json');
    assert.ok(existsSync(file), 'the persona file was written');
    const parsed = parsePersonaText(readFileSync(file, 'utf8'));
    assert.ok(parsed.ok, 'the written file is a valid persona');
    assert.equal(parsed.persona.system, composed);
    assert.doesNotMatch(await frame.locator('#save').innerText(), /●/, 'no dirty dot after saving');

    // Start a new one, then reopen the saved file from the picker.
    await frame.locator('#new').click();
    assert.equal(await frame.locator('#name').inputValue(), 'New persona');
    const label = await frame.locator('#file option', { hasText: 'clicked-together' }).innerText();
    await frame.locator('#file').selectOption({ label });
    await pollUntil(async () => ((await frame.locator('#name').inputValue()) === 'Clicked together' ? true : undefined), { timeoutMs: 30_000, intervalMs: 100, what: 'the saved persona loaded' });
    assert.equal(await frame.locator('#sub-style').inputValue(), 'tone');
    assert.equal(await systemText(frame), composed);

    // A hand edit keeps its text and offers Recompose.
    await frame.locator('#system').fill('You are mine. Your responses are short.');
    await frame.locator('#recompose').waitFor({ state: 'visible' });
    await frame.locator('#sub-harmlessness').selectOption('safety');
    assert.equal(await systemText(frame), 'You are mine. Your responses are short.');
    await screenshot(page, 'persona-view-hand-edited-light');
    await frame.locator('#recompose').click();
    assert.match(await systemText(frame), /^You are a peer/);

    await frame.locator('#setActive').click();
    await frame.locator('#setActive', { hasText: 'Active' }).waitFor({ timeout: 30_000 });
    await waitForStatusBarItem(page, 'Janus: Clicked together');
    await screenshot(page, 'persona-view-active-light');
  });

  it('is reachable by keyboard with a visible focus, and follows a dark theme', async () => {
    const { page } = ui();
    // The reload waits for the Explorer's rows: show the Explorer, not the Janus container.
    await activityBarItem(page, 'Explorer').click();
    await setUserSettings({ 'workbench.colorTheme': 'Default Dark Modern' }, { reload: true });
    const frame = await openPersonasView(page);
    await frame.locator('#name').focus();
    await page.keyboard.press('Tab');
    assert.equal(await frame.locator(':focus').getAttribute('id'), 'system', 'Tab moves from the name to the message');
    await frame.locator('#sub-style').focus();
    const outline = await frame.locator('#sub-style').evaluate((el) => getComputedStyle(el).outlineStyle);
    assert.notEqual(outline, 'none', 'the focused control shows an outline');
    await screenshot(page, 'persona-view-dark-keyboard');
    const background = await frame.locator('body').evaluate((el) => getComputedStyle(el).color);
    assert.notEqual(background, '', 'theme variables apply');
  });
});
