/**
 * One run per output at a time: a lock file beside the output (`<out>.lock`; in the editor's run
 * folder, beside its output too) holding the owner's pid, host and start time. Two runs on one
 * output would each pay for every call. The editor and the CLI take the same lock through this.
 * A lock whose owner is a dead process on this host is stale and is taken over, with a message.
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as z from 'zod';
import { UserFacingError } from '../errors';
import type { Logger } from '../log';
import { fileWriteError } from './checkpoint';

const ownerSchema = z.object({ pid: z.number().int().positive(), host: z.string(), startedAt: z.string() });
export type RunLockOwner = z.output<typeof ownerSchema>;

export interface RunLock {
  readonly file: string;
  /** Removes the lock file (only if it is still ours). */
  release(): void;
}

export function runLockFile(outFile: string): string {
  return `${outFile}.lock`;
}

function readOwner(file: string): RunLockOwner | undefined {
  try {
    const parsed = ownerSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `pid` is a live process on this machine (EPERM: alive, but another user's). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function describeOwner(owner: RunLockOwner): string {
  return `process ${owner.pid} on ${owner.host}, started ${owner.startedAt}`;
}

/** Takes the lock of the run writing `outFile`, or throws a `UserFacingError` naming the run that holds it. */
export function acquireRunLock(outFile: string, logger?: Logger, now: Date = new Date()): RunLock {
  const file = runLockFile(outFile);
  const me: RunLockOwner = { pid: process.pid, host: os.hostname(), startedAt: now.toISOString() };
  for (let attempt = 0; ; attempt++) {
    let fd: number;
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      fd = openSync(file, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw fileWriteError(file, error);
      const owner = readOwner(file);
      if (owner === undefined) {
        throw new UserFacingError(`Another run may be writing ${outFile}: its lock ${file} is unreadable. If no other run is going, delete ${file} and run again.`);
      }
      const stale = owner.host === me.host && !alive(owner.pid);
      if (!stale || attempt > 0) {
        const ifGone = owner.host === me.host ? '' : ` If that run is gone, delete ${file} and run again.`;
        throw new UserFacingError(`Another run is writing ${outFile} (${describeOwner(owner)}). Wait for it to finish or stop it; two runs on one output would pay for every call twice.${ifGone}`);
      }
      logger?.warn(`Taking over ${file}: the run that held it (${describeOwner(owner)}) is no longer running.`);
      try {
        unlinkSync(file);
      } catch {
        // Another run took it over first: the next attempt reads its owner.
      }
      continue;
    }
    try {
      writeSync(fd, `${JSON.stringify(me)}\n`);
    } finally {
      closeSync(fd);
    }
    return {
      file,
      release: () => {
        const owner = readOwner(file);
        if (owner?.pid === me.pid && owner.host === me.host) unlinkSync(file);
      },
    };
  }
}

/** Runs `job` holding the lock of `outFile`; released however the job ends. */
export async function withRunLock<T>(outFile: string, logger: Logger | undefined, job: () => Promise<T>): Promise<T> {
  const lock = acquireRunLock(outFile, logger);
  try {
    return await job();
  } finally {
    lock.release();
  }
}
