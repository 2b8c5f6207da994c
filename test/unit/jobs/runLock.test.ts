import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { acquireRunLock, runLockFile } from '../../../src/core/jobs/runLock';
import type { Logger } from '../../../src/core/log';
import { silentLogger } from '../../../src/core/log';
import { useTempDir } from '../../support/tempDir';

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { ...silentLogger, warnings, warn: (m) => void warnings.push(m) };
}

describe('run lock', () => {
  const dir = useTempDir('janus-lock-');

  it('refuses a second run on the same output, naming the owner; free again after release', () => {
    const out = path.join(dir(), 'e.json');
    const lock = acquireRunLock(out);
    const owner = JSON.parse(readFileSync(runLockFile(out), 'utf8')) as { pid: number; host: string; startedAt: string };
    assert.deepEqual([owner.pid, owner.host], [process.pid, os.hostname()]);
    assert.throws(() => acquireRunLock(out), new RegExp(`Another run is writing .*e\\.json \\(process ${process.pid} on ${os.hostname()}, started ${owner.startedAt}\\)\\. Wait for it to finish or stop it`));
    lock.release();
    assert.equal(existsSync(runLockFile(out)), false);
    acquireRunLock(out).release();
  });

  it('takes over a stale lock whose owner is a dead process on this host, with a message', () => {
    const out = path.join(dir(), 'stale.json');
    const dead = spawnSync(process.execPath, ['-e', 'process.pid']).pid ?? 0;
    writeFileSync(runLockFile(out), JSON.stringify({ pid: dead, host: os.hostname(), startedAt: '2026-01-01T00:00:00.000Z' }));
    const logger = recordingLogger();
    const lock = acquireRunLock(out, logger);
    assert.equal(logger.warnings.length, 1);
    assert.match(logger.warnings[0] ?? '', new RegExp(`Taking over .*stale\\.json\\.lock: the run that held it \\(process ${dead} on .*\\) is no longer running`));
    assert.equal((JSON.parse(readFileSync(runLockFile(out), 'utf8')) as { pid: number }).pid, process.pid);
    lock.release();
  });

  it('does not take over a lock held on another host (it cannot tell): says to delete it if that run is gone', () => {
    const out = path.join(dir(), 'remote.json');
    writeFileSync(runLockFile(out), JSON.stringify({ pid: 1, host: 'other-machine', startedAt: '2026-01-01T00:00:00.000Z' }));
    assert.throws(() => acquireRunLock(out), /process 1 on other-machine.*If that run is gone, delete .*remote\.json\.lock and run again/);
  });
});
