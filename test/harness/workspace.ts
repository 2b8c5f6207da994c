// A throwaway copy of test/fixtures/workspace plus fresh user-data and extensions dirs, so every run
// starts from the same state and never writes into the repo.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fixtureWorkspace, makeTempDir } from './paths.js';

export interface TestWorkspace {
  /** The temp dir holding everything below; removed by dispose(). */
  root: string;
  /** The folder VS Code opens (copy of the fixture workspace). */
  folder: string;
  userDataDir: string;
  extensionsDir: string;
  dispose(): void;
}

// Not yet disposed; removed on exit too, so an interrupted run (Ctrl+C) leaves no temp dir.
const pending = new Set<string>();
let exitHookInstalled = false;

function removeTree(root: string): void {
  pending.delete(root);
  // JANUS_KEEP_TMP=1 keeps logs and the workspace for a post-mortem.
  if (process.env['JANUS_KEEP_TMP'] === '1') {
    console.log(`kept ${root}`);
    return;
  }
  rmSync(root, { recursive: true, force: true });
}

export function makeTestWorkspace(prefix: string): TestWorkspace {
  const root = makeTempDir(prefix);
  pending.add(root);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => [...pending].forEach(removeTree));
  }
  const folder = path.join(root, 'workspace');
  cpSync(fixtureWorkspace, folder, { recursive: true });
  const userDataDir = path.join(root, 'user-data');
  const extensionsDir = path.join(root, 'extensions');
  mkdirSync(userDataDir, { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  return {
    root,
    folder,
    userDataDir,
    extensionsDir,
    dispose: () => {
      if (pending.has(root)) removeTree(root);
    },
  };
}
