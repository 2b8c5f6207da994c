// `npm start`: brings up the product doing its main job on this machine — the local engine on a
// model, code-server with the packaged extension installed, and a sample workspace wired to the
// engine — then prints the URL and runs until Ctrl+C, stopping everything it started.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { installExtension, startCodeServer } from './codeServer.js';
import { repoRoot, vsixPath } from './paths.js';

const cache = process.env['JANUS_CACHE'] ?? path.join(os.homedir(), '.cache', 'janus-studio');
const enginePort = Number(process.env['JANUS_ENGINE_PORT'] ?? 8011);
const editorPort = Number(process.env['JANUS_PORT'] ?? 8080);
const cli = path.join(repoRoot, 'dist', 'cli.js');

function say(line: string): void {
  process.stdout.write(`[janus] ${line}\n`);
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { cwd: repoRoot, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal})`);
}

/**
 * The user's models, or the tiny generated ones (random weights: real inference, nonsense text): a
 * generator and a SEPARATE tiny reward model, so Best-of-N is ranked by a reward model's own network.
 */
function chooseModel(): { model: string; rewardModel?: string } {
  const given = process.env['JANUS_MODEL'];
  if (given) {
    if (!existsSync(given)) throw new Error(`JANUS_MODEL=${given} does not exist. Point it at a GGUF build of janus-7b.`);
    say(`Model: ${given}`);
    const rm = process.env['JANUS_REWARD_MODEL'];
    if (rm && !existsSync(rm)) throw new Error(`JANUS_REWARD_MODEL=${rm} does not exist. Point it at a reward model written by \`janus convert-rm\`.`);
    if (rm) say(`Reward model: ${rm}`);
    return rm ? { model: path.resolve(given), rewardModel: path.resolve(rm) } : { model: path.resolve(given) };
  }
  const dir = path.join(cache, 'models');
  const model = path.join(dir, 'janus-tiny-test.gguf');
  const rewardModel = path.join(dir, 'janus-tiny-rm.gguf');
  if (!existsSync(model) || !existsSync(rewardModel)) {
    mkdirSync(dir, { recursive: true });
    run(process.execPath, [cli, 'make-tiny-model', '--out', model, '--reward-model', rewardModel]);
  }
  say('No JANUS_MODEL given: using the tiny generated test model and tiny reward model. Their weights are random,');
  say('so the text is nonsense, but every token and reward comes from real llama.cpp inference. Set JANUS_MODEL=<janus-7b.gguf>');
  say('(and JANUS_REWARD_MODEL=<janus-rm-7b.gguf>) for real answers.');
  return { model, rewardModel };
}

/** A copy of the sample workspace outside the repo, kept across runs so the user's edits survive. */
function prepareWorkspace(): string {
  const workspace = path.join(cache, 'sample-workspace');
  if (!existsSync(workspace)) cpSync(path.join(repoRoot, 'test', 'fixtures', 'sampleWorkspace'), workspace, { recursive: true });
  const settingsFile = path.join(workspace, '.vscode', 'settings.json');
  const settings = JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;
  settings['janus.generator.baseUrl'] = `http://127.0.0.1:${enginePort}/v1`;
  writeFileSync(settingsFile, `${JSON.stringify(settings, null, 2)}\n`);
  return workspace;
}

async function startEngine(model: string, rewardModel: string | undefined): Promise<{ stop: () => void }> {
  const args = [cli, 'serve', '--model', model, '--port', String(enginePort), '--quiet'];
  if (rewardModel) args.push('--reward-model', rewardModel);
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      process.stdout.write(chunk.toString().replace(/^(?=.)/gm, '[engine] '));
      if (/Janus engine listening on/.test(output)) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the local engine exited (${code}) before it was ready`)));
  });
  return { stop: () => child.kill('SIGTERM') };
}

async function main(): Promise<void> {
  say('Packaging the extension (npm run package)...');
  run('npm', ['run', 'package', '--silent']);
  const { model, rewardModel } = chooseModel();
  const engine = await startEngine(model, rewardModel);
  // Registered before code-server starts, so the engine is stopped first whatever exits the process.
  let server: Awaited<ReturnType<typeof startCodeServer>> | undefined;
  const shutdown = async (): Promise<void> => {
    say('Stopping code-server and the local engine...');
    engine.stop();
    await server?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
  process.on('exit', () => engine.stop());
  const workspace = prepareWorkspace();
  const dataDir = path.join(cache, 'bring-up');
  const userDataDir = path.join(dataDir, 'user-data');
  const extensionsDir = path.join(dataDir, 'extensions');
  mkdirSync(userDataDir, { recursive: true });
  installExtension(vsixPath(), extensionsDir, userDataDir);
  server = await startCodeServer({ userDataDir, extensionsDir, port: editorPort, settings: { 'workbench.colorTheme': 'Default Dark Modern' } });
  const url = `${server.url}/?folder=${encodeURIComponent(workspace)}`;
  say('');
  say(`Janus Studio is running: open ${url}`);
  say(`Local engine: http://127.0.0.1:${enginePort}/v1 (janus.generator.baseUrl in the sample workspace points there).`);
  say('Open prompt.md, select the question and run "Janus: Generate" from the command palette. Ctrl+C stops everything.');
}

main().catch((error: unknown) => {
  process.stderr.write(`[janus] could not bring up Janus Studio: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
