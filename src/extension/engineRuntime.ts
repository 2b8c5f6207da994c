import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { UserFacingError } from '../core/errors';
import type { Logger } from '../core/log';
import { nodeLlamaCppVersion } from '../engine/nodeLlamaCpp';

/**
 * llama.cpp's native binaries (node-llama-cpp, tens of MB per platform) are not in the universal
 * package. "Install Local Engine Runtime" puts them in the extension's global storage with the
 * user's own npm; the engine finds them there through JANUS_ENGINE_RUNTIME.
 */
export function engineRuntimeDir(globalStoragePath: string): string {
  return path.join(globalStoragePath, 'engine-runtime');
}

export function hasEngineRuntime(dir: string): boolean {
  return existsSync(path.join(dir, 'node_modules', 'node-llama-cpp', 'package.json'));
}

/** Runs `npm install node-llama-cpp@<version>` into `dir`, logging npm's output. */
export async function installEngineRuntime(dir: string, log: Logger, signal: AbortSignal): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const args = ['install', '--prefix', dir, '--no-audit', '--no-fund', '--omit=dev', `node-llama-cpp@${nodeLlamaCppVersion}`];
  log.info(`Installing the local engine runtime: ${npm} ${args.join(' ')}`);
  await new Promise<void>((resolve, reject) => {
    // A shell only on Windows, where npm is a .cmd script; the arguments are ours, never user text.
    const child = spawn(npm, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32', signal });
    const tail: string[] = [];
    const onData = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split(/\r?\n/)) {
        if (line.trim() === '') continue;
        log.info(`[npm] ${line}`);
        tail.push(line);
        if (tail.length > 5) tail.shift();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (signal.aborted) reject(new UserFacingError('Installing the local engine runtime was cancelled.'));
      else if (error.code === 'ENOENT') reject(new UserFacingError('npm was not found. Install Node.js (it brings npm), then run "Janus: Install Local Engine Runtime" again, or point janus.generator.baseUrl at a llama.cpp server.', { cause: error }));
      else reject(new UserFacingError(`npm could not be started: ${error.message}. Show the log for details.`, { cause: error }));
    });
    child.once('exit', (code) => {
      if (code === 0) resolve();
      else if (!signal.aborted) reject(new UserFacingError(`npm install node-llama-cpp failed (exit code ${code})${tail.length > 0 ? `: ${tail.at(-1)}` : ''}. Show the log for npm's output.`));
    });
  });
  if (!hasEngineRuntime(dir)) throw new UserFacingError('npm finished but node-llama-cpp is not where the engine looks for it. Show the log for npm\'s output.');
}
