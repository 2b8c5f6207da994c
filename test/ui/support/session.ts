// One code-server + Chromium session shared by every UI test in a run: starting VS Code costs tens
// of seconds on this machine, so the root hooks (hooks.ts) start it once and stop it at the end.
import type { Browser, Page } from 'playwright-core';
import { launchChromium, recordConsole } from '../../harness/browser.js';
import { extensionHostLogs, installExtension, startCodeServer, type CodeServer } from '../../harness/codeServer.js';
import { vsixPath } from '../../harness/paths.js';
import { makeTestWorkspace, type TestWorkspace } from '../../harness/workspace.js';
import { waitForWorkbench } from './workbench.js';

export interface UiSession {
  page: Page;
  browser: Browser;
  server: CodeServer;
  workspace: TestWorkspace;
  /** Recent browser console lines (the extension host's console is forwarded there). */
  consoleText: () => string;
  /** Timings for the closing report: code-server start and workbench load. */
  timings: { codeServerMs: number; workbenchMs: number };
}

let current: UiSession | undefined;

export function ui(): UiSession {
  if (current === undefined) throw new Error('no UI session: run UI tests through test/harness/runUi.ts');
  return current;
}

export async function startUiSession(): Promise<UiSession> {
  const workspace = makeTestWorkspace('ui');
  const cleanups: Array<() => Promise<void> | void> = [() => workspace.dispose()];
  try {
    const vsix = vsixPath();
    installExtension(vsix, workspace.extensionsDir, workspace.userDataDir);
    const t0 = Date.now();
    const server = await startCodeServer({ userDataDir: workspace.userDataDir, extensionsDir: workspace.extensionsDir });
    cleanups.unshift(() => server.stop());
    const codeServerMs = Date.now() - t0;
    const browser = await launchChromium();
    cleanups.unshift(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const consoleText = recordConsole(page);
    const t1 = Date.now();
    try {
      await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace.folder)}`);
      await waitForWorkbench(page);
    } catch (error) {
      // The workbench never came up: everything that could say why, before the temp dir goes.
      console.log('\n===== code-server output =====\n' + server.output());
      console.log('\n===== extension host logs =====\n' + extensionHostLogs(workspace.userDataDir));
      console.log('\n===== browser console =====\n' + consoleText());
      throw error;
    }
    current = { page, browser, server, workspace, consoleText, timings: { codeServerMs, workbenchMs: Date.now() - t1 } };
    return current;
  } catch (error) {
    for (const cleanup of cleanups) await cleanup();
    throw error;
  }
}

export async function stopUiSession(): Promise<void> {
  const session = current;
  current = undefined;
  if (session === undefined) return;
  await session.browser.close();
  await session.server.stop();
  session.workspace.dispose();
}
