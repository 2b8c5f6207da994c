// Self-test of the UI harness: if these fail, the product's UI tests cannot be trusted either.
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ui } from './support/session.js';
import {
  activityBarItem,
  readActiveEditorText,
  readStatusBar,
  runCommand,
  screenshot,
} from './support/workbench.js';

interface InstalledManifest {
  contributes?: { viewsContainers?: { activitybar?: Array<{ id: string; title: string }> } };
}

/** The manifest of the .vsix as code-server installed it (not the repo's, which may be newer). */
function installedManifest(extensionsDir: string): InstalledManifest {
  const dir = readdirSync(extensionsDir).find((d) => d.startsWith('janus-studio.janus-studio'));
  assert.ok(dir, `janus-studio.janus-studio is not installed in ${extensionsDir}`);
  return JSON.parse(readFileSync(path.join(extensionsDir, dir, 'package.json'), 'utf8')) as InstalledManifest;
}

describe('ui harness', () => {
  it('loads the workbench and writes a screenshot', async () => {
    const file = await screenshot(ui().page, 'harness-workbench');
    assert.ok(existsSync(file) && statSync(file).size > 10_000, `screenshot ${file} is missing or empty`);
  });

  it('reads the status bar', async () => {
    const items = await readStatusBar(ui().page);
    assert.ok(items.length > 0, 'no status-bar items found');
  });

  it('runs a command from the palette and reads the editor', async () => {
    const { page } = ui();
    await runCommand(page, 'File: New Untitled Text File');
    await page.keyboard.type('typed by the UI harness');
    assert.equal(await readActiveEditorText(page), 'typed by the UI harness');
    await screenshot(page, 'harness-untitled-editor');
    await runCommand(page, 'View: Revert and Close Editor');
  });

  it('shows the Janus activity-bar container when the extension contributes one', async function () {
    const { page, workspace } = ui();
    const containers = installedManifest(workspace.extensionsDir).contributes?.viewsContainers?.activitybar ?? [];
    const janus = containers.find((c) => c.title === 'Janus');
    if (janus === undefined) this.skip();
    const item = activityBarItem(page, 'Janus');
    await item.waitFor({ state: 'visible', timeout: 60_000 });
    await item.click({ force: true });
    await screenshot(page, 'harness-janus-container');
  });
});
