import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * A fresh temp directory for the enclosing mocha `describe`, removed after its tests. Call it in the
 * describe body; read the returned getter inside tests (the directory exists only once `before` ran).
 */
export function useTempDir(prefix: string): () => string {
  let dir: string | undefined;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  });
  after(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });
  return () => {
    if (dir === undefined) throw new Error('useTempDir: the directory is only there inside tests');
    return dir;
  };
}
