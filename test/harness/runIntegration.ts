// Integration level: runs out/integration/**/*.test.js inside a real VS Code extension host.
//
//   node --import tsx test/harness/runIntegration.ts          (after `npm run build`)
//
// Default host: code-server (from .ci/setup) opened in headless Debian Chromium with DESIGN.md's
// payload (extensionDevelopmentPath = this repo, extensionTestsPath = out/integration/index.js).
// JANUS_TEST_HOST=electron runs the same index under a desktop VS Code that @vscode/test-electron
// downloads (needs access to update.code.visualstudio.com, which this project's CI machine lacks,
// and a display on Linux: `JANUS_TEST_HOST=electron xvfb-run -a node --import tsx ...`).
//
// Env: JANUS_STATS_FILE (write the results for test/runAll.mjs), JANUS_INTEGRATION_TIMEOUT_MS
// (whole run, default 900 s: a guard against a hung host, not a speed limit), JANUS_KEEP_TMP=1 (keep the temp workspace and logs).
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { launchChromium, recordConsole } from './browser.js';
import { extensionHostLogs, startCodeServer } from './codeServer.js';
import { cacheDir, integrationIndex, RESULTS_FILE_NAME, repoRoot } from './paths.js';
import { pollUntil } from './poll.js';
import { formatResults, isSuiteStats, type SuiteStats } from './stats.js';
import { makeTestWorkspace, type TestWorkspace } from './workspace.js';

const timeoutMs = Number(process.env['JANUS_INTEGRATION_TIMEOUT_MS'] ?? 900_000);

function readResults(file: string): SuiteStats | undefined {
  if (!existsSync(file)) return undefined;
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!isSuiteStats(parsed)) throw new Error(`${file} is not a results file`);
  return parsed;
}

/** `vscode-remote://` URIs name files on the code-server machine, which is this one. */
function remoteUri(port: number, absPath: string): string {
  return `vscode-remote://127.0.0.1:${port}${absPath}`;
}

async function runInCodeServer(ws: TestWorkspace): Promise<SuiteStats> {
  const started = Date.now();
  const server = await startCodeServer({ userDataDir: ws.userDataDir, extensionsDir: ws.extensionsDir });
  console.log(`code-server ready at ${server.url} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const browser = await launchChromium();
  let consoleText = (): string => '';
  try {
    const page = await browser.newPage();
    consoleText = recordConsole(page);
    const payload = [
      ['extensionDevelopmentPath', remoteUri(server.port, repoRoot)],
      ['extensionTestsPath', remoteUri(server.port, integrationIndex)],
    ];
    const url = `${server.url}/?folder=${encodeURIComponent(ws.folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const opened = Date.now();
    await page.goto(url, { timeout: timeoutMs });
    const resultsFile = path.join(ws.folder, RESULTS_FILE_NAME);
    const stats = await pollUntil(() => readResults(resultsFile), {
      timeoutMs: Math.max(timeoutMs - (Date.now() - started), 1_000),
      intervalMs: 250,
      what: `${resultsFile} from the extension host`,
    });
    console.log(`extension host ran the suites ${((Date.now() - opened) / 1000).toFixed(1)} s after page load`);
    if (stats.failures > 0 || stats.crash !== undefined) {
      printDiagnostics(ws, server.output(), consoleText());
    }
    return stats;
  } catch (error) {
    printDiagnostics(ws, server.output(), consoleText());
    throw error;
  } finally {
    await browser.close();
    await server.stop();
  }
}

function printDiagnostics(ws: TestWorkspace, serverOutput: string, consoleText: string): void {
  console.log('\n===== code-server output =====\n' + serverOutput.trimEnd());
  console.log('\n===== extension host logs =====\n' + extensionHostLogs(ws.userDataDir));
  console.log('\n===== browser console (extension host console is forwarded here) =====\n' + consoleText);
}

async function runInElectron(ws: TestWorkspace): Promise<SuiteStats> {
  const { runTests } = await import('@vscode/test-electron');
  const resultsFile = path.join(ws.folder, RESULTS_FILE_NAME);
  try {
    await runTests({
      // Downloads go to the shared cache, not `.vscode-test/` in the repo.
      cachePath: path.join(cacheDir(), 'vscode-test'),
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: integrationIndex,
      launchArgs: [ws.folder, '--disable-workspace-trust', '--user-data-dir', ws.userDataDir,
        '--extensions-dir', ws.extensionsDir],
    });
  } catch (error) {
    // A failing suite makes VS Code exit non-zero; the results file still says which tests failed.
    if (!existsSync(resultsFile)) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`@vscode/test-electron could not run VS Code (it downloads a build from update.code.visualstudio.com and needs a display, e.g. xvfb-run, on Linux): ${reason}`);
    }
  }
  const stats = readResults(resultsFile);
  if (stats === undefined) throw new Error(`VS Code exited without writing ${resultsFile}`);
  return stats;
}

async function main(): Promise<number> {
  if (!existsSync(integrationIndex)) {
    throw new Error(`${integrationIndex} is missing. Run \`npm run build\` first.`);
  }
  const host = process.env['JANUS_TEST_HOST'] ?? 'code-server';
  const ws = makeTestWorkspace('integration');
  rmSync(path.join(ws.folder, RESULTS_FILE_NAME), { force: true });
  let stats: SuiteStats;
  try {
    console.log(`integration tests in ${host}, workspace ${ws.folder}`);
    if (host === 'code-server') stats = await runInCodeServer(ws);
    else if (host === 'electron') stats = await runInElectron(ws);
    else throw new Error(`JANUS_TEST_HOST=${host}: expected code-server or electron`);
  } catch (error) {
    stats = { passes: 0, failures: 0, pending: 0, tests: [], crash: error instanceof Error ? error.message : String(error) };
  } finally {
    ws.dispose();
  }
  console.log(formatResults(stats));
  const statsFile = process.env['JANUS_STATS_FILE'];
  if (statsFile !== undefined && statsFile !== '') writeFileSync(statsFile, JSON.stringify(stats, null, 2));
  return stats.failures > 0 || stats.crash !== undefined ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
