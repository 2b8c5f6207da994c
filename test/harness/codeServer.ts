// Starts and stops code-server (a real VS Code server whose extension host runs on Node) for the
// integration and UI levels, and installs .vsix files into an extensions directory.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { codeServerBin } from './paths.js';
import { pollUntil } from './poll.js';

export interface CodeServerOptions {
  /** Fresh per run: VS Code state, logs (`logs/<stamp>/exthost*`) and `User/settings.json`. */
  userDataDir: string;
  extensionsDir: string;
  /** Written to `<userDataDir>/User/settings.json` before start. */
  settings?: Record<string, unknown>;
  /** How long to wait for the server to answer `/healthz`. */
  startTimeoutMs?: number;
  /** Fixed port (the bring-up command); tests leave it out and get a free one. */
  port?: number;
}

export interface CodeServer {
  readonly url: string;
  readonly port: number;
  readonly userDataDir: string;
  /** stdout and stderr of the server so far, for failure reports. */
  output(): string;
  /** Kills the whole process group (server, extension host, pty host) and waits until it is gone. */
  stop(): Promise<void>;
}

/** Settings that keep a test workbench quiet and deterministic: no welcome page, no update checks. */
export const quietSettings: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'update.mode': 'none',
  'window.restoreWindows': 'none',
};

export function writeUserSettings(userDataDir: string, settings: Record<string, unknown>): void {
  const userDir = path.join(userDataDir, 'User');
  mkdirSync(userDir, { recursive: true });
  writeFileSync(path.join(userDir, 'settings.json'), JSON.stringify(settings, null, 2));
}

/** Merges `values` into the user settings of a running server; VS Code applies the change live. */
export function updateUserSettings(userDataDir: string, values: Record<string, unknown>): void {
  const file = path.join(userDataDir, 'User', 'settings.json');
  const current: unknown = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  writeUserSettings(userDataDir, { ...(current as Record<string, unknown>), ...values });
}

/** Installs a .vsix into `extensionsDir` with code-server's own CLI (the path users take). */
export function installExtension(vsix: string, extensionsDir: string, userDataDir: string): void {
  if (!existsSync(vsix)) throw new Error(`${vsix} does not exist. Run \`npm run package\` first.`);
  const result = spawnSync(
    codeServerBin(),
    ['--install-extension', vsix, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir,
      '--config', path.join(userDataDir, 'config.yaml')],
    { encoding: 'utf8', timeout: 120_000 },
  );
  if (result.status !== 0) {
    throw new Error(`code-server --install-extension ${vsix} failed (${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`);
  }
}

// Live servers, so an interrupted launcher still takes its process groups down with it.
const live = new Set<ChildProcess>();
let exitHooksInstalled = false;
function killAllSync(): void {
  for (const child of live) killGroup(child, 'SIGKILL');
}
/** Installed with the first server rather than at import: importing this module changes nothing. */
function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.once('exit', killAllSync);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAllSync();
      process.exit(130);
    });
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const { userDataDir, extensionsDir } = options;
  mkdirSync(extensionsDir, { recursive: true });
  writeUserSettings(userDataDir, { ...quietSettings, ...options.settings });

  const args = [
    '--auth', 'none',
    // Port 0: the kernel picks a free port and code-server prints it, so two runs never collide.
    '--bind-addr', `127.0.0.1:${options.port ?? 0}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    // A config file of its own, so code-server never writes into the user's ~/.config.
    '--config', path.join(userDataDir, 'config.yaml'),
  ];
  // detached: a process group of its own, which stop() kills as a whole (extension host included).
  installExitHooks();
  const child = spawn(codeServerBin(), args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let output = '';
  let exited: string | undefined;
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.on('exit', (code, signal) => {
    exited = `code-server exited (${code ?? signal})`;
  });

  const stop = async (): Promise<void> => {
    const pid = child.pid;
    if (pid === undefined) return;
    killGroup(child, 'SIGTERM');
    const gone = await pollUntil(() => !groupAlive(pid), { timeoutMs: 10_000, intervalMs: 100 }).then(
      () => true,
      () => false,
    );
    if (!gone) {
      killGroup(child, 'SIGKILL');
      await pollUntil(() => !groupAlive(pid), { timeoutMs: 5_000, intervalMs: 100, what: 'code-server process group to exit' });
    }
    live.delete(child);
  };

  try {
    const port = await pollUntil(
      () => {
        if (exited !== undefined) throw new Error(`${exited} before listening:\n${output}`);
        const match = /HTTP server listening on https?:\/\/127\.0\.0\.1:(\d+)/.exec(output);
        return match?.[1] === undefined ? undefined : Number(match[1]);
      },
      { timeoutMs: options.startTimeoutMs ?? 120_000, intervalMs: 100, what: 'code-server to listen' },
    );
    const url = `http://127.0.0.1:${port}`;
    await pollUntil(
      async () => {
        if (exited !== undefined) throw new Error(`${exited}:\n${output}`);
        const reply = await fetch(`${url}/healthz`).catch(() => undefined);
        return reply?.ok === true ? true : undefined;
      },
      { timeoutMs: options.startTimeoutMs ?? 120_000, intervalMs: 250, what: `code-server at ${url}/healthz` },
    );
    return { url, port, userDataDir, output: () => output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The logs code-server keeps under `<userDataDir>/logs/<stamp>/`: remoteagent.log (server),
 * exthost1/remoteexthost.log (extension host) and exthost1/janus-studio.janus-studio/*.log (our
 * output channel); printed when a run fails.
 */
export function extensionHostLogs(userDataDir: string): string {
  const logsDir = path.join(userDataDir, 'logs');
  if (!existsSync(logsDir)) return `(no logs under ${logsDir})`;
  const files = (readdirSync(logsDir, { recursive: true }) as string[])
    .map((f) => path.join(logsDir, f))
    // The host's own log, the server's, and our extension's channels; built-in extensions' are noise.
    .filter((f) => statSync(f).isFile() && /(remoteexthost|remoteagent)\.log$|janus-studio\.janus-studio/.test(f));
  if (files.length === 0) return `(no extension host logs under ${logsDir})`;
  return files
    .map((f) => `----- ${path.relative(userDataDir, f)}\n${readFileSync(f, 'utf8').trimEnd()}`)
    .join('\n');
}
