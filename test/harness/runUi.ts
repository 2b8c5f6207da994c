// UI level: drives code-server with the packaged .vsix installed, in headless Debian Chromium.
//
//   node --import tsx test/harness/runUi.ts [mocha args]     (after `npm run package`)
//
// A mocha run of test/ui/**/*.test.ts in a child process, whose root hooks
// (test/ui/support/hooks.ts) install the .vsix into a fresh extensions dir, start code-server on a
// temp copy of test/fixtures/workspace, open it in Chromium once, and stop everything at the end.
// Env: JANUS_VSIX (default ./janus-studio.vsix), JANUS_STATS_FILE (counts for test/runAll.mjs),
// JANUS_KEEP_TMP=1. Screenshots land in .test-output/screenshots/.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, screenshotDir, vsixPath } from './paths.js';

async function main(): Promise<number> {
  const vsix = vsixPath();
  if (!existsSync(vsix)) {
    console.error(`${vsix} is missing. Run \`npm run package\` first (or set JANUS_VSIX).`);
    return 1;
  }
  // A FAILED-*.png from an earlier run would mislead. Only those go: other screenshots may belong to
  // a UI run someone else has going in the same checkout.
  if (existsSync(screenshotDir)) {
    for (const f of readdirSync(screenshotDir)) {
      if (f.startsWith('FAILED-')) rmSync(path.join(screenshotDir, f), { force: true });
    }
  }
  const mochaBin = path.join(repoRoot, 'node_modules', 'mocha', 'bin', 'mocha.js');
  const args = [
    mochaBin,
    '--import=tsx',
    '--require', 'test/ui/support/hooks.ts',
    '--reporter', path.join('test', 'harness', 'statsReporter.cjs'),
    // Steps in a real browser are slow and vary with the machine's load; each one has its own wait.
    '--timeout', '180000',
    '--slow', '15000',
    'test/ui/**/*.test.ts',
    ...process.argv.slice(2),
  ];
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: 'inherit' });
  // Forward an interrupt so the child's hooks stop code-server and Chromium.
  const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
