// `npm test`: type-checks, builds, packages, then runs every test level in order and ends with one line,
// `N passed, N failed`, over all of them. Each suite reports its counts through a stats file
// (test/harness/statsReporter.cjs for mocha runs, the launchers for the integration level); a suite
// that ends without one counts as 1 failed under its own name, so a crash can never look green.
//
// Levels: unit (core, no VS Code), engine (local llama.cpp engine; skipped only when it has no test
// files), integration (inside code-server's extension host), ui (Chromium driving code-server with
// the packaged .vsix). Needs `bash .ci/setup` once (code-server, Chromium).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const reporter = path.join('test', 'harness', 'statsReporter.cjs');
const mochaBin = path.join(repoRoot, 'node_modules', 'mocha', 'bin', 'mocha.js');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
// No suite may hang CI (90 minutes for everything): past this, its process group is killed.
const SUITE_LIMIT_MS = Number(process.env.JANUS_SUITE_LIMIT_MS ?? 20 * 60_000);

const statsDir = mkdtempSync(path.join(os.tmpdir(), 'janus-stats-'));

function hasTestFiles(dir) {
  const abs = path.join(repoRoot, dir);
  if (!existsSync(abs)) return false;
  return readdirSync(abs, { recursive: true }).some((f) => String(f).endsWith('.test.ts'));
}

// After a suite has written its results, it gets this long to exit; a process still alive then has
// left something running (a server, a timer, a child), which is a failure in itself.
const EXIT_GRACE_MS = 60_000;

/**
 * Runs a command in its own process group with inherited output. Resolves to its exit code, and
 * `lingered: true` when it was killed for not exiting after writing `statsFile`.
 */
function run(command, args, env = {}, statsFile = undefined) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: repoRoot,
      stdio: 'inherit',
      detached: true,
      env: { ...process.env, ...env },
    });
    let lingered = false;
    const killGroup = (signal) => {
      try {
        process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    const limit = setTimeout(() => {
      console.error(`\n${command} ${args.join(' ')}: no result after ${SUITE_LIMIT_MS / 60_000} min, killing it`);
      killGroup('SIGKILL');
    }, SUITE_LIMIT_MS);
    // Bounded polling (1 s) for the results file, then a grace period before the kill.
    let graceDeadline;
    const watch = setInterval(() => {
      if (statsFile === undefined || !existsSync(statsFile)) return;
      graceDeadline ??= Date.now() + EXIT_GRACE_MS;
      if (Date.now() < graceDeadline) return;
      lingered = true;
      console.error(`\n${command}: results written but still running after ${EXIT_GRACE_MS / 1000} s, killing it`);
      killGroup('SIGKILL');
    }, 1_000);
    const onSignal = () => killGroup('SIGTERM');
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    child.on('error', (error) => {
      console.error(`${command}: ${error.message}`);
    });
    child.on('close', (code, signal) => {
      clearTimeout(limit);
      clearInterval(watch);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve({ code: code ?? (signal ? 128 : 1), lingered });
    });
  });
}

const mochaSuite = (glob, extra = []) => ({
  command: process.execPath,
  args: [mochaBin, '--import=tsx', '--reporter', reporter, ...extra, glob],
});

const suites = [
  { name: 'unit', dir: 'test/unit', needs: [], ...mochaSuite('test/unit/**/*.test.ts') },
  {
    name: 'engine',
    dir: 'test/engine',
    needs: [],
    skipWhenEmpty: true,
    ...mochaSuite('test/engine/**/*.test.ts', ['--timeout', '60000']),
  },
  {
    name: 'integration',
    needs: ['build'],
    command: process.execPath,
    args: ['--import', 'tsx', path.join('test', 'harness', 'runIntegration.ts')],
  },
  {
    name: 'ui',
    needs: ['build', 'package'],
    command: process.execPath,
    args: ['--import', 'tsx', path.join('test', 'harness', 'runUi.ts')],
  },
];

/** @typedef {{ name: string, passed: number, failed: number, pending: number, seconds: number, note: string, failures: string[] }} Row */
/** @type {Row[]} */
const rows = [];
const failedSteps = new Set();

function secondsSince(start) {
  return (Date.now() - start) / 1000;
}

function banner(text) {
  console.log(`\n${'='.repeat(78)}\n== ${text}\n${'='.repeat(78)}`);
}

function readStats(file) {
  if (!existsSync(file)) return undefined;
  try {
    const stats = JSON.parse(readFileSync(file, 'utf8'));
    return typeof stats.passes === 'number' && typeof stats.failures === 'number' ? stats : undefined;
  } catch {
    return undefined;
  }
}

// typecheck first: esbuild and tsx strip types without checking them, so without it a type error
// could land with every suite green. It blocks no suite, but counts as a failure of its own.
for (const step of ['typecheck', 'build', 'package']) {
  banner(`npm run ${step}`);
  const start = Date.now();
  const { code } = await run(npm, ['run', step]);
  if (code !== 0) {
    failedSteps.add(step);
    rows.push({
      name: step,
      passed: 0,
      failed: 1,
      pending: 0,
      seconds: secondsSince(start),
      note: `npm run ${step} exited with ${code}`,
      failures: [`${step}: npm run ${step} exited with ${code}`],
    });
  }
}

for (const suite of suites) {
  banner(`suite: ${suite.name}`);
  const start = Date.now();
  const blocked = suite.needs.filter((s) => failedSteps.has(s));
  if (blocked.length > 0) {
    const note = `not run: npm run ${blocked.join(', ')} failed`;
    console.log(note);
    rows.push({ name: suite.name, passed: 0, failed: 1, pending: 0, seconds: 0, note, failures: [`${suite.name}: ${note}`] });
    continue;
  }
  if (suite.skipWhenEmpty && !hasTestFiles(suite.dir)) {
    const note = `skipped: no ${suite.dir}/**/*.test.ts`;
    console.log(note);
    rows.push({ name: suite.name, passed: 0, failed: 0, pending: 0, seconds: 0, note, failures: [] });
    continue;
  }
  const statsFile = path.join(statsDir, `${suite.name}.json`);
  const { code, lingered } = await run(suite.command, suite.args, { JANUS_STATS_FILE: statsFile }, statsFile);
  const stats = readStats(statsFile);
  const seconds = secondsSince(start);
  if (stats === undefined) {
    const note = `crashed without results (exit ${code})`;
    rows.push({ name: suite.name, passed: 0, failed: 1, pending: 0, seconds, note, failures: [`${suite.name}: ${note}`] });
    continue;
  }
  const failures = (stats.tests ?? [])
    .filter((t) => t.state === 'failed')
    .map((t) => `${suite.name}: ${t.title}${t.error ? ` -- ${String(t.error).split('\n')[0]}` : ''}`);
  let failed = stats.failures;
  let note = '';
  if (stats.crash) {
    failed += 1;
    note = 'crashed';
    failures.push(`${suite.name}: ${String(stats.crash).split('\n')[0]}`);
  } else if (lingered) {
    failed += 1;
    note = `did not exit within ${EXIT_GRACE_MS / 1000} s of finishing`;
    failures.push(`${suite.name}: ${note} (something was left running)`);
  } else if (code !== 0 && failed === 0) {
    // Tests all passed but the process failed (a hook, an unhandled rejection): still a failure.
    failed = 1;
    note = `exited with ${code}`;
    failures.push(`${suite.name}: exited with ${code} although no test failed`);
  }
  rows.push({ name: suite.name, passed: stats.passes, failed, pending: stats.pending, seconds, note, failures });
}

rmSync(statsDir, { recursive: true, force: true });

banner('summary');
const pad = (value, width) => String(value).padStart(width);
console.log(`${'suite'.padEnd(12)}${pad('passed', 8)}${pad('failed', 8)}${pad('pending', 9)}${pad('time', 10)}  note`);
for (const r of rows) {
  console.log(
    `${r.name.padEnd(12)}${pad(r.passed, 8)}${pad(r.failed, 8)}${pad(r.pending, 9)}${pad(`${r.seconds.toFixed(1)} s`, 10)}  ${r.note}`,
  );
}
const allFailures = rows.flatMap((r) => r.failures);
if (allFailures.length > 0) {
  console.log('\nfailed:');
  for (const f of allFailures) console.log(`  - ${f}`);
}
const passed = rows.reduce((n, r) => n + r.passed, 0);
const failed = rows.reduce((n, r) => n + r.failed, 0);
console.log(`\n${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
