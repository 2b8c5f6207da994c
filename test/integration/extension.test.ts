// The extension inside a real extension host: activation, its API, configuration changes
// rebuilding exactly the clients they affect, and setting problems falling back safely.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { JanusApi } from '../../src/extension/api';
import { extensionId, janus, recordMeasurement, resetUserSettings, setUserSetting } from './support/janusHost';




describe('extension: activation and configuration', () => {
  const touched = ['generator.model', 'generator.temperature', 'judge.model', 'judge.baseUrl', 'systemMessage', 'generator.baseUrl'];
  afterEach(async () => {
    await resetUserSettings(touched);
  });

  it('activates lazily, quickly, and returns its API', async () => {
    const extension = vscode.extensions.getExtension<JanusApi>(extensionId);
    assert.ok(extension);
    // Nothing has asked for the extension yet: lazy activation means it is still asleep.
    const wasActive = extension.isActive;
    const started = performance.now();
    const api = await extension.activate();
    const loadAndActivateMs = performance.now() - started;
    assert.equal(wasActive, false, 'the extension activated before anything needed it');
    assert.equal(typeof api.activationMs, 'number');
    assert.ok(api.activationMs < 500, `activate() took ${api.activationMs.toFixed(1)} ms`);
    recordMeasurement(extension.extensionPath, 'activation', { activateMs: api.activationMs, loadAndActivateMs });
  });

  it('builds the generator client from the defaults', async () => {
    const client = await (await janus()).endpointClient('generator');
    assert.ok(client);
    assert.equal(client.profile.baseUrl, 'http://127.0.0.1:8011/v1');
    assert.equal(client.profile.format, 'mistral-instruct');
    assert.equal(client.profile.sampling.repetitionPenalty, 1.03);
  });

  it('rebuilds the generator client when a generator setting changes, and only then', async () => {
    const api = await janus();
    const before = await api.endpointClient('generator');
    assert.equal(await api.endpointClient('generator'), before, 'the client is reused while nothing changes');

    await setUserSetting('systemMessage', 'You are terse.');
    await setUserSetting('judge.model', 'gpt-4-0125-preview');
    assert.equal(await api.endpointClient('generator'), before, 'unrelated settings keep the client');

    await setUserSetting('generator.model', 'janus-7b');
    const after = await api.endpointClient('generator');
    assert.notEqual(after, before);
    assert.equal(after?.profile.model, 'janus-7b');
  });

  it('configures the judge only once it has a base URL', async () => {
    const api = await janus();
    assert.equal(await api.endpointClient('judge'), undefined);
    await setUserSetting('judge.baseUrl', 'https://api.openai.com/v1');
    const judge = await api.endpointClient('judge');
    assert.equal(judge?.profile.format, 'chat');
    assert.equal(judge?.profile.sampling.repetitionPenalty, undefined);
  });

  it('falls back to the default for an invalid value instead of failing', async () => {
    const api = await janus();
    await setUserSetting('generator.temperature', 7);
    const client = await api.endpointClient('generator');
    assert.equal(client?.profile.sampling.temperature, 1);
    await setUserSetting('generator.baseUrl', 'localhost:8011');
    assert.equal((await api.endpointClient('generator'))?.profile.baseUrl, 'http://127.0.0.1:8011/v1');
  });

  it('shows "unreachable" in the status bar when nothing listens', async () => {
    const api = await janus();
    await setUserSetting('generator.baseUrl', 'http://127.0.0.1:9/v1');
    assert.equal(await api.refreshGeneratorStatus(), 'unreachable');
  });

  it('Generate against an unreachable endpoint reports it and opens no editor', async () => {
    await janus();
    await setUserSetting('generator.baseUrl', 'http://127.0.0.1:9/v1');
    const editorsBefore = vscode.window.visibleTextEditors.length;
    const documentsBefore = vscode.workspace.textDocuments.length;
    const result = await vscode.commands.executeCommand<{ error?: string; uri?: string }>('janus.generate', { prompt: 'Hi', system: '' });
    assert.equal(result?.error, 'unreachable');
    assert.equal(result?.uri, undefined);
    assert.equal(vscode.window.visibleTextEditors.length, editorsBefore);
    assert.equal(vscode.workspace.textDocuments.length, documentsBefore);
  });
});
