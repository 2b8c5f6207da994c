import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { UserFacingError } from '../core/errors';
import type { Logger } from '../core/log';
import type { Settings } from '../core/settings';
import { contextKeys } from './constants';
import { hasEngineRuntime } from './engineRuntime';
import type { ApiKeyStore } from './secrets';

export type LocalEngineState = 'stopped' | 'starting' | 'running';

export interface RunningEngine {
  readonly pid: number;
  readonly port: number;
  /** `http://127.0.0.1:<port>/v1`, ready for `janus.generator.baseUrl`. */
  readonly baseUrl: string;
  /** File names of what it loaded: the generator, and the reward model or undefined. */
  readonly model: string;
  readonly rewardModel: string | undefined;
}

const readyLine = /Janus engine listening on (http:\/\/\S+)/;
/** Long enough for a 7B GGUF to load from a slow disk; the user can cancel sooner. */
const startTimeoutMs = 300_000;
const stopGraceMs = 3000;

/**
 * The local engine as a child process of the extension host: `<node> dist/cli.js serve ...`.
 * Owned by this disposable: stopped on "Stop Local Engine", on deactivate and when the extension
 * host exits, so no engine outlives the window that started it.
 */
export class LocalEngine implements vscode.Disposable {
  private child: ChildProcess | undefined;
  private running: RunningEngine | undefined;
  private starting: Promise<RunningEngine> | undefined;
  private readonly emitter = new vscode.EventEmitter<LocalEngineState>();
  readonly onDidChangeState = this.emitter.event;

  constructor(
    private readonly extensionPath: string,
    /** Where "Install Local Engine Runtime" puts node-llama-cpp (see engineRuntime.ts). */
    private readonly runtimeDir: string,
    private readonly log: Logger,
    /** Where the key made for each start is kept (in memory) for requests to the engine's origin. */
    private readonly keys: Pick<ApiKeyStore, 'useSessionKey'>,
  ) {}

  get state(): LocalEngineState {
    return this.running ? 'running' : this.starting ? 'starting' : 'stopped';
  }

  get engine(): RunningEngine | undefined {
    return this.running;
  }

  start(settings: Settings, signal?: AbortSignal): Promise<RunningEngine> {
    if (this.running) return Promise.resolve(this.running);
    this.starting ??= this.spawnEngine(settings, signal).finally(() => {
      this.starting = undefined;
      this.changed();
    });
    this.changed();
    return this.starting;
  }

  private async spawnEngine(settings: Settings, signal: AbortSignal | undefined): Promise<RunningEngine> {
    const modelPath = resolveModelPath(settings['localEngine.modelPath']);
    if (modelPath === undefined) {
      throw new UserFacingError('No model for the local engine: set janus.localEngine.modelPath to a Janus GGUF file (e.g. janus-7b.Q4_K_M.gguf).');
    }
    if (!existsSync(modelPath)) {
      throw new UserFacingError(`The model file ${modelPath} does not exist. Fix janus.localEngine.modelPath.`);
    }
    const rewardModelPath = resolveModelPath(settings['localEngine.rewardModelPath']);
    if (rewardModelPath !== undefined && !existsSync(rewardModelPath)) {
      throw new UserFacingError(`The reward model file ${rewardModelPath} does not exist. Fix janus.localEngine.rewardModelPath (a GGUF written by \`janus convert-rm\`), or clear it to start without a reward model.`);
    }
    const cli = path.join(this.extensionPath, 'dist', 'cli.js');
    if (!existsSync(cli)) {
      throw new UserFacingError('This build of Janus Studio has no local engine (dist/cli.js is missing). Rebuild the extension with "npm run build".');
    }
    const port = settings['localEngine.port'];
    const args = [cli, 'serve', '--model', modelPath, '--port', String(port), '--host', '127.0.0.1', '--parallel', String(settings['localEngine.parallel'])];
    if (settings['localEngine.threads'] > 0) args.push('--threads', String(settings['localEngine.threads']));
    if (rewardModelPath !== undefined) args.push('--reward-model', rewardModelPath);
    this.log.info(`Starting the local engine: ${path.basename(process.execPath)} ${args.map((a) => JSON.stringify(a)).join(' ')}`);
    // A fresh key per start, so other local users and processes cannot use this engine. It goes in
    // the environment (argv shows in `ps`) and to the origin-bound key lookup, never to disk.
    const apiKey = randomBytes(32).toString('base64url');
    const sessionKey = this.keys.useSessionKey([`http://127.0.0.1:${port}`, `http://localhost:${port}`], apiKey);
    // ELECTRON_RUN_AS_NODE makes the editor's own binary behave as plain Node for the child.
    const child = spawn(process.execPath, args, {
      cwd: this.extensionPath,
      env: {
        ...process.env,
        ELECTRON_RUN_AS_NODE: '1',
        JANUS_ENGINE_API_KEY: apiKey,
        ...(hasEngineRuntime(this.runtimeDir) ? { JANUS_ENGINE_RUNTIME: this.runtimeDir } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    this.child = child;
    const errorLines: string[] = [];
    const ready = new Promise<RunningEngine>((resolve, reject) => {
      const onLine = (line: string, isError: boolean): void => {
        if (isError) errorLines.push(line);
        if (errorLines.length > 20) errorLines.shift();
        this.log.info(`[engine] ${line}`);
        const match = readyLine.exec(line);
        if (match && child.pid !== undefined) resolve({ pid: child.pid, port, baseUrl: `http://127.0.0.1:${port}/v1`, model: path.basename(modelPath), rewardModel: rewardModelPath === undefined ? undefined : path.basename(rewardModelPath) });
      };
      forEachLine(child.stdout, (l) => onLine(l, false));
      forEachLine(child.stderr, (l) => onLine(l, true));
      child.once('error', (error) => {
        sessionKey.dispose();
        reject(new UserFacingError(`The local engine could not be started: ${error.message}. Show the log for details.`, { cause: error }));
      });
      child.once('exit', (code, sig) => reject(engineExitError(code, sig, errorLines)));
    });
    child.once('exit', (code, sig) => {
      sessionKey.dispose();
      this.log.info(`The local engine exited (${sig ?? `code ${code}`}).`);
      if (this.child === child) {
        this.child = undefined;
        this.running = undefined;
        this.changed();
      }
    });
    const timeout = AbortSignal.timeout(startTimeoutMs);
    const stopWaiting = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      this.running = await untilAborted(ready, stopWaiting, () =>
        timeout.aborted
          ? new UserFacingError(`The local engine did not get ready within ${startTimeoutMs / 1000} s. Show the log for what it printed.`)
          : new UserFacingError('Starting the local engine was cancelled.'),
      );
      this.log.info(`The local engine is ready on ${this.running.baseUrl} (pid ${this.running.pid}): generator ${this.running.model}, reward model ${this.running.rewardModel ?? 'none'}.`);
      return this.running;
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Stops the engine (SIGTERM, then SIGKILL after a grace period) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.log.info(`Stopping the local engine (pid ${child.pid}).`);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const killTimer = setTimeout(() => child.kill('SIGKILL'), stopGraceMs);
    await exited;
    clearTimeout(killTimer);
  }

  private changed(): void {
    this.emitter.fire(this.state);
    void vscode.commands.executeCommand('setContext', contextKeys.localEngineRunning, this.state === 'running');
  }

  dispose(): void {
    // Synchronous last resort (e.g. the host is exiting): deactivate awaits `stop()` first.
    this.child?.kill('SIGKILL');
    this.emitter.dispose();
  }
}

function resolveModelPath(setting: string): string | undefined {
  const trimmed = setting.trim();
  if (trimmed === '') return undefined;
  const expanded = trimmed.startsWith('~') ? path.join(os.homedir(), trimmed.slice(1)) : trimmed;
  if (path.isAbsolute(expanded)) return expanded;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  return path.resolve(folder ?? os.homedir(), expanded);
}

function engineExitError(code: number | null, signal: NodeJS.Signals | null, lines: readonly string[]): UserFacingError {
  const said = lines.join('\n');
  if (/node-llama-cpp/i.test(said) && /(not installed|cannot find|not found|ERR_MODULE_NOT_FOUND)/i.test(said)) {
    return new UserFacingError(
      'The local engine needs its llama.cpp runtime (node-llama-cpp), which is not installed. Run "Janus: Install Local Engine Runtime", or run llama.cpp\'s llama-server yourself and point janus.generator.baseUrl at it.',
    );
  }
  const last = lines.at(-1)?.trim();
  return new UserFacingError(`The local engine stopped before it was ready (${signal ?? `exit code ${code}`})${last ? `: ${last}` : ''}. Show the log for details.`);
}

function forEachLine(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  if (!stream) return;
  let buffer = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffer += chunk;
    const lines = buffer.split(/\r?\n/);
    buffer = lines.pop() ?? '';
    for (const line of lines) if (line !== '') onLine(line);
  });
  stream.on('end', () => {
    if (buffer !== '') onLine(buffer);
  });
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal, reason: () => Error): Promise<T> {
  if (signal.aborted) return Promise.reject(reason());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(reason());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
