// Generate against the real local engine serving the tiny model: text streams into a new editor,
// cancel frees the server's slot, and the engine the extension starts never outlives it.
import * as assert from 'node:assert/strict';
import path from 'node:path';
import * as vscode from 'vscode';
import type { GenerateResult } from '../../src/extension/commands/generate';
import type { RunningEngine as ExtensionEngine } from '../../src/extension/localEngine';
import type { RunningEngine } from '../support/engineProcess';
import { startEngine } from '../support/engineProcess';
import { getTinyModel } from '../support/tinyModelFixture';
import { janus, janusExtension, resetUserSettings, setUserSetting } from './support/janusHost';
import { freePort } from '../support/closedPort';




interface Props {
  readonly total_slots: number | null;
  readonly idle_slots: number | null;
}

async function props(url: string): Promise<Props> {
  return (await (await fetch(`${url}/props`)).json()) as Props;
}

/** Polls the engine (a separate process: there is no event to wait for) until `check` holds. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves with the first untitled Markdown document that receives text. */
function firstStreamedDocument(): Promise<vscode.TextDocument> {
  return new Promise((resolve) => {
    const sub = vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document.uri.scheme === 'untitled' && e.document.languageId === 'markdown' && e.document.getText().length > 0) {
        sub.dispose();
        resolve(e.document);
      }
    });
  });
}

const touched = ['generator.baseUrl', 'generator.maxTokens', 'generator.seed', 'systemMessage', 'localEngine.modelPath', 'localEngine.port', 'localEngine.threads', 'localEngine.parallel'];

describe('generate: against the real local engine', function () {
  this.timeout(120_000);
  let engine: RunningEngine | undefined;

  before(async () => {
    const model = await getTinyModel();
    engine = await startEngine(['--model', model.modelPath]);
    await setUserSetting('generator.baseUrl', `${engine.url}/v1`);
    await setUserSetting('systemMessage', 'You are a terse assistant.');
    await setUserSetting('generator.maxTokens', 48);
    await setUserSetting('generator.seed', 7);
  });

  after(async () => {
    await resetUserSettings(touched);
    await engine?.stop();
  });

  it('shows the generator as ready', async () => {
    const api = await janus();
    assert.equal(await api.refreshGeneratorStatus(), 'ready');
  });

  it('streams the answer to the selection into a new Markdown editor beside it', async () => {
    await janus();
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the harness opens a workspace folder');
    const source = await vscode.window.showTextDocument(vscode.Uri.joinPath(folder.uri, 'prompt.md'), { viewColumn: vscode.ViewColumn.One });
    const whole = new vscode.Range(0, 0, source.document.lineCount, 0);
    source.selection = new vscode.Selection(whole.start, whole.end);
    const result = await vscode.commands.executeCommand<GenerateResult>('janus.generate');
    assert.ok(result, 'the command returned nothing');
    assert.equal(result.error, undefined);
    assert.ok(result.text.length > 0, 'no text arrived');
    assert.equal(result.finishReason, 'length');
    const editor = vscode.window.activeTextEditor;
    assert.equal(editor?.document.uri.toString(), result.uri);
    assert.equal(editor?.document.languageId, 'markdown');
    assert.equal(editor?.document.getText(), result.text);
    assert.equal(editor?.viewColumn, vscode.ViewColumn.Two, 'opened beside the prompt');
    assert.equal(source.document.getText().includes('sky is blue'), true, 'the prompt document is untouched');
    console.log(`    first text after ${result.firstTextMs?.toFixed(1)} ms through the extension`);
  });

  it('repeats the same text for the same seed', async () => {
    const first = await vscode.commands.executeCommand<GenerateResult>('janus.generate', { prompt: 'Count.' });
    const second = await vscode.commands.executeCommand<GenerateResult>('janus.generate', { prompt: 'Count.' });
    assert.equal(second?.text, first?.text);
  });

  it('cancel stops the request: the server frees its slot and no more text arrives', async () => {
    const api = await janus();
    assert.ok(engine);
    await setUserSetting('generator.maxTokens', 4000);
    const streamed = firstStreamedDocument();
    const pending = vscode.commands.executeCommand<GenerateResult>('janus.generate', { prompt: 'Write a long story.' });
    const document = await streamed;
    const slots = await props(engine.url);
    assert.ok(slots.idle_slots !== null && slots.total_slots !== null && slots.idle_slots < slots.total_slots, 'a slot is busy while generating');
    assert.equal(api.cancelAllRequests(), 1);
    const result = await pending;
    assert.equal(result?.cancelled, true);
    await until('the engine frees the slot', async () => {
      const p = await props(engine!.url);
      return p.idle_slots === p.total_slots;
    });
    const length = document.getText().length;
    assert.ok(length < 4000 * 8, 'the text stopped well before max tokens');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(document.getText().length, length, 'no text arrived after cancel');
    assert.equal(api.activeRequests(), 0);
  });

  it('Check Endpoints reports the engine ready, its slots and n > 1', async () => {
    await janus();
    const checks = await vscode.commands.executeCommand<Array<{ role: string; state?: string; result?: { slots?: number; parallelN?: boolean } }>>('janus.checkEndpoints');
    const generator = checks?.find((c) => c.role === 'generator');
    assert.equal(generator?.state, 'ready');
    assert.equal(generator?.result?.slots, 4);
    assert.equal(generator?.result?.parallelN, true);
  });
});

describe('local engine: started and stopped by the extension', function () {
  this.timeout(120_000);

  before(async () => {
    const model = await getTinyModel();
    await setUserSetting('localEngine.modelPath', model.modelPath);
    await setUserSetting('localEngine.port', await freePort());
    await setUserSetting('localEngine.threads', 1);
    await setUserSetting('localEngine.parallel', 2);
  });

  after(async () => {
    await resetUserSettings(touched);
  });

  async function start(): Promise<ExtensionEngine> {
    const engine = await vscode.commands.executeCommand<ExtensionEngine | undefined>('janus.startLocalEngine');
    assert.ok(engine, 'Start Local Engine returned nothing (see the Janus log)');
    assert.ok(isAlive(engine.pid));
    const health = await fetch(`${engine.baseUrl.replace(/\/v1$/, '')}/health`);
    assert.equal(health.status, 200);
    return engine;
  }

  it('Start Local Engine serves the configured model; Stop ends the process', async () => {
    const api = await janus();
    const engine = await start();
    assert.deepEqual(api.localEngine(), engine);
    // The engine takes only the key the extension made for this start: others get 401, while the
    // extension's own requests to that origin carry it (the key was never saved to SecretStorage).
    const stranger = await fetch(`${engine.baseUrl}/models`);
    assert.equal(stranger.status, 401);
    await setUserSetting('generator.baseUrl', engine.baseUrl);
    const checks = await vscode.commands.executeCommand<Array<{ role: string; state?: string }>>('janus.checkEndpoints');
    assert.equal(checks?.find((c) => c.role === 'generator')?.state, 'ready');
    await vscode.commands.executeCommand('janus.stopLocalEngine');
    assert.equal(isAlive(engine.pid), false, 'the engine process is gone');
    assert.equal(api.localEngine(), undefined);
    await assert.rejects(fetch(`${engine.baseUrl}/models`), 'nothing listens on the port any more');
  });

  it('deactivation leaves no engine process or server behind', async () => {
    const extension = await janusExtension();
    const engine = await start();
    // The host loaded the extension with Node's require: the same path gives the live module.
    const live = require(path.join(extension.extensionPath, 'dist', 'extension.js')) as { deactivate(): Promise<void> };
    await live.deactivate();
    assert.equal(isAlive(engine.pid), false, 'the engine process outlived deactivation');
    await assert.rejects(fetch(`${engine.baseUrl}/models`));
  });
});
