// Every path the harness uses, derived from this file's location, the environment or os.tmpdir(),
// so nothing machine-specific is committed.
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const CODE_SERVER_VERSION = '4.100.3';

/** The reusable download/install cache outside the repo; .ci/setup uses the same default. */
export function cacheDir(): string {
  return process.env['JANUS_CACHE'] ?? path.join(os.homedir(), '.cache', 'janus-studio');
}

/** Where .ci/setup installs code-server; JANUS_CODE_SERVER points at another binary. */
export function codeServerBin(): string {
  const fromEnv = process.env['JANUS_CODE_SERVER'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const bin = path.join(cacheDir(), `code-server-${CODE_SERVER_VERSION}`, 'node_modules', '.bin', 'code-server');
  if (!existsSync(bin)) {
    throw new Error(`code-server ${CODE_SERVER_VERSION} not found at ${bin}. Run \`bash .ci/setup\` first.`);
  }
  return bin;
}

/** Debian's chromium by default (DESIGN.md); JANUS_CHROMIUM points elsewhere. */
export function chromiumPath(): string {
  return process.env['JANUS_CHROMIUM'] ?? '/usr/bin/chromium';
}

export const fixtureWorkspace = path.join(repoRoot, 'test', 'fixtures', 'workspace');
export const integrationIndex = path.join(repoRoot, 'out', 'integration', 'index.js');
export const testOutputDir = path.join(repoRoot, '.test-output');
export const screenshotDir = path.join(testOutputDir, 'screenshots');

export function vsixPath(): string {
  return process.env['JANUS_VSIX'] ?? path.join(repoRoot, 'janus-studio.vsix');
}

/** The file test/integration/index.ts writes inside the workspace folder (env vars never reach it). */
export const RESULTS_FILE_NAME = '.janus-test-results.json';

export function makeTempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `janus-${prefix}-`));
}
