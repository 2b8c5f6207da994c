// Mocha root hooks for the UI level (loaded with `--require` by test/harness/runUi.ts): start the
// shared session once, screenshot every failing test, print diagnostics, stop everything at the end.
import type { Context } from 'mocha';
import { extensionHostLogs } from '../../harness/codeServer.js';
import { WORKBENCH_TIMEOUT_MS, screenshot } from './workbench.js';
import { startUiSession, stopUiSession, ui } from './session.js';

let anyFailed = false;

export const mochaHooks = {
  async beforeAll(this: Context): Promise<void> {
    this.timeout(WORKBENCH_TIMEOUT_MS + 120_000);
    const session = await startUiSession();
    const { codeServerMs, workbenchMs } = session.timings;
    console.log(`  code-server up in ${(codeServerMs / 1000).toFixed(1)} s, workbench loaded in ${(workbenchMs / 1000).toFixed(1)} s`);
  },

  async afterEach(this: Context): Promise<void> {
    const test = this.currentTest;
    if (test?.state !== 'failed') return;
    anyFailed = true;
    const file = await screenshot(ui().page, `FAILED-${test.fullTitle()}`).catch((e: unknown) => `(no screenshot: ${String(e)})`);
    console.log(`  screenshot of the failure: ${file}`);
  },

  async afterAll(this: Context): Promise<void> {
    this.timeout(60_000);
    try {
      if (anyFailed) {
        const session = ui();
        console.log('\n===== extension host logs =====\n' + extensionHostLogs(session.workspace.userDataDir));
        console.log('\n===== browser console =====\n' + session.consoleText());
      }
    } finally {
      await stopUiSession();
    }
  },
};
