// The test runner VS Code loads through `extensionTestsPath`: it runs inside the real extension host
// (code-server's, or a desktop VS Code's under @vscode/test-electron), so the suites get the real
// `vscode` API. Bundled by esbuild to out/integration/index.js (CommonJS, `mocha` external).
//
// Results go to a file inside the first workspace folder: the launcher cannot pass environment
// variables through the browser URL that starts this host, but it knows the folder it opened.
import { readdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type MochaType from 'mocha';
import * as vscode from 'vscode';
import type { SuiteStats, TestResult } from '../harness/stats.js';

const RESULTS_FILE_NAME = '.janus-test-results.json';

/** mocha is ESM with a default export; `require` of it (Node >= 20.19) yields the namespace. */
function loadMocha(): typeof MochaType {
  const loaded: unknown = require('mocha');
  if (typeof loaded === 'function') return loaded as typeof MochaType;
  const fromDefault: unknown = (loaded as { default?: unknown }).default;
  if (typeof fromDefault === 'function') return fromDefault as typeof MochaType;
  throw new Error('require("mocha") returned neither a constructor nor a module with a default export');
}

function resultsPath(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (folder === undefined) throw new Error('integration tests need a workspace folder to write results into');
  return path.join(folder.uri.fsPath, RESULTS_FILE_NAME);
}

/** Temp file then rename: the launcher polls for the file and must never read half of it. */
function writeResults(file: string, stats: SuiteStats): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(stats, null, 2));
  renameSync(tmp, file);
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message || (error.stack ?? String(error)).split('\n')[0] || error.name;
  return String(error);
}

export async function run(): Promise<void> {
  const file = resultsPath();
  const stats: SuiteStats = { passes: 0, failures: 0, pending: 0, tests: [] };
  try {
    const Mocha = loadMocha();
    // Long timeout: the first activation in a cold extension host on 2 cores takes seconds.
    const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec' });
    const testFiles = (readdirSync(__dirname, { recursive: true }) as string[])
      .filter((f) => f.endsWith('.test.js'))
      // The activation suite checks a host nothing has activated yet, so it runs first.
      .sort((a, b) => Number(b === 'extension.test.js') - Number(a === 'extension.test.js') || a.localeCompare(b))
      .map((f) => path.join(__dirname, f));
    for (const f of testFiles) mocha.addFile(f);

    await new Promise<void>((resolve) => {
      const runner = mocha.run(() => resolve());
      const record = (test: MochaType.Runnable, result: Omit<TestResult, 'title'>): void => {
        stats.tests.push({ title: test.fullTitle(), ...result });
      };
      runner.on('pass', (test) => {
        stats.passes += 1;
        record(test, { state: 'passed', ...(test.duration === undefined ? {} : { durationMs: test.duration }) });
      });
      // Also fires for failing hooks, which count as failures too.
      runner.on('fail', (test, error: unknown) => {
        stats.failures += 1;
        record(test, { state: 'failed', error: errorText(error) });
      });
      runner.on('pending', (test) => {
        stats.pending += 1;
        record(test, { state: 'pending' });
      });
    });
    if (testFiles.length === 0) stats.crash = `no *.test.js files next to ${__filename}`;
  } catch (error) {
    stats.crash = `integration runner crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
  }
  writeResults(file, stats);
  if (stats.crash !== undefined) throw new Error(stats.crash);
  if (stats.failures > 0) throw new Error(`${stats.failures} integration test(s) failed`);
}
