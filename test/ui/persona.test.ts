// The Personas view in a real browser: build a persona by clicks from the templates, watch the
// composed message follow, save it, open it again, make it active; screenshots in dark and light.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Frame } from 'playwright-core';
import { serializePersona } from '../../src/core/preferences/persona';
import { parsePersonaText } from '../../src/core/preferences/personaText';
import { pollUntil } from '../harness/poll.js';
import { setUserSettings } from './janusUi';
import { ui } from './support/session.js';
import { openPersonasView, showExplorer } from './personaUi';
import { activityBarItem, screenshot, waitForStatusBarItem } from './support/workbench.js';

/** Picks a file in the view's picker, discarding unsaved edits when the view asks. */
async function pickFile(frame: Frame, name: string): Promise<void> {
  const option = frame.locator('#file option', { hasText: name });
  await option.waitFor({ state: 'attached', timeout: 30_000 });
  await frame.locator('#file').selectOption({ label: await option.innerText() });
  if (await frame.locator('#discard').isVisible()) await frame.locator('#discard').click();
}

async function systemText(frame: Frame): Promise<string> {
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

    // Hidden and shown again: the page is rebuilt (no retainContextWhenHidden) from its saved state.
    await frame.locator('#name').fill('Unsaved rename');
    await activityBarItem(page, 'Explorer').click({ force: true });
    await page.locator('.part.sidebar .title-label', { hasText: 'Personas' }).waitFor({ state: 'hidden', timeout: 30_000 });
    const shown = await openPersonasView(page);
    assert.equal(await shown.locator('#name').inputValue(), 'Unsaved rename', 'the unsaved edit survived hiding the view');
    assert.match(await shown.locator('#save').innerText(), /●/);
    await shown.locator('#name').fill('Clicked together');
  });

  it('comes back after a reload, is reachable by keyboard with a visible focus, and follows dark and high-contrast themes', async () => {
    const { page } = ui();
    // The reload waits for the Explorer's rows: show the Explorer, not the Janus container.
    await showExplorer(page);
    await setUserSettings({ 'workbench.colorTheme': 'Default Dark Modern' }, { reload: true });
    const frame = await openPersonasView(page);
    assert.equal(await frame.locator('#name').inputValue(), 'Clicked together', 'the view came back with its state after the reload');
    await frame.locator('#name').focus();
    await page.keyboard.press('Tab');
    assert.equal(await frame.locator(':focus').getAttribute('id'), 'system', 'Tab moves from the name to the message');
    await frame.locator('#sub-style').focus();
    const outline = await frame.locator('#sub-style').evaluate((el) => getComputedStyle(el).outlineStyle);
    assert.notEqual(outline, 'none', 'the focused control shows an outline');
    await screenshot(page, 'persona-view-dark-keyboard');
    const darkText = await frame.locator('body').evaluate((el) => getComputedStyle(el).color);

    await showExplorer(page);
    await setUserSettings({ 'workbench.colorTheme': 'Default High Contrast' }, { reload: true });
    const contrast = await openPersonasView(page);
    const contrastText = await contrast.locator('body').evaluate((el) => getComputedStyle(el).color);
    assert.notEqual(contrastText, darkText, 'the page takes its colours from the theme');
    await screenshot(page, 'persona-view-high-contrast');
  });

  it('shows what is wrong with an invalid file and never writes over it', async () => {
    const { page, workspace } = ui();
    const frame = await openPersonasView(page);
    const file = path.join(workspace.folder, '.janus', 'personas', 'broken.persona.json');
    const text = '{\n  "name": "Broken",\n  "preference_set": [],\n  "system": 42\n}\n';
    writeFileSync(file, text);
    await pickFile(frame, 'broken');
    const problems = frame.locator('#problems');
    await problems.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await problems.innerText(), /Line 4, column 13: "system" must be a string/);
    assert.equal(await frame.locator('#form').isVisible(), false, 'no made-up persona is shown for the file');
    await screenshot(page, 'persona-view-invalid-file-dark');
    await frame.locator('#openInEditor').click();
    await page.locator('.tabs-container .tab.active', { hasText: 'broken.persona.json' }).waitFor({ timeout: 30_000 });
    assert.equal(readFileSync(file, 'utf8'), text);
  });

  it('a change on disk while the view has edits: the view says so, and saving asks before overwriting', async () => {
    const { page, workspace } = ui();
    const frame = await openPersonasView(page);
    await pickFile(frame, 'clicked-together');
    await pollUntil(async () => ((await frame.locator('#name').inputValue()) === 'Clicked together' ? true : undefined), { timeoutMs: 30_000, intervalMs: 100, what: 'the persona loaded' });
    await frame.locator('#name').fill('Edited in the view');
    const file = path.join(workspace.folder, '.janus', 'personas', 'clicked-together.persona.json');
    const parsed = parsePersonaText(readFileSync(file, 'utf8'));
    assert.ok(parsed.ok);
    writeFileSync(file, serializePersona({ ...parsed.persona, name: 'Edited on disk' }));
    await frame.locator('#keepMine').waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(page, 'persona-view-external-change-dark');
    await frame.locator('#keepMine').click();
    assert.equal(await frame.locator('#name').inputValue(), 'Edited in the view', 'the view kept its edit');
    await frame.locator('#save').click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await dialog.innerText(), /changed since the Personas view opened it/);
    await screenshot(page, 'persona-view-overwrite-question-dark');
    await dialog.getByRole('button', { name: 'Overwrite' }).click();
    await frame.locator('#status', { hasText: 'Saved' }).waitFor({ timeout: 30_000 });
    const saved = parsePersonaText(readFileSync(file, 'utf8'));
    assert.ok(saved.ok);
    assert.equal(saved.persona.name, 'Edited in the view');
  });
});
