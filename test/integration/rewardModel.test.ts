// The local engine's reward model in the real extension host: Start Local Engine loads
// janus.localEngine.rewardModelPath beside the generator, the status bar and Check Endpoints say what
// is loaded, and `janus.reward.kind: auto` ranks Best-of-N with the engine's reward model only when
// it has one (an engine without one never scores with its generator).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RunningEngine as ExtensionEngine } from '../../src/extension/localEngine';
import type { EndpointCheck } from '../../src/extension/commands/checkEndpoints';
import type { PanelSession } from '../../src/webview/candidates/model';
import { freePort } from '../support/closedPort';
import { startEngine } from '../support/engineProcess';
import { getTinyModel } from '../support/tinyModelFixture';
import { janus, resetUserSettings, setUserSetting } from './support/janusHost';

const touched = [
  'generator.baseUrl',
  'generator.maxTokens',
  'generator.seed',
  'reward.baseUrl',
  'reward.kind',
  'judge.baseUrl',
  'systemMessage',
  'localEngine.modelPath',
  'localEngine.rewardModelPath',
  'localEngine.port',
  'localEngine.threads',
  'localEngine.parallel',
];
const system = 'You are a terse assistant.';
const prompt = 'Name a colour.';

describe('local engine with a reward model: Start Local Engine, status, Check Endpoints, reward kind auto', function () {
  this.timeout(180_000);
  let engine: ExtensionEngine | undefined;

  before(async () => {
    const tiny = await getTinyModel();
    await setUserSetting('localEngine.modelPath', tiny.modelPath);
    await setUserSetting('localEngine.rewardModelPath', tiny.rewardModelPath);
    await setUserSetting('localEngine.port', await freePort());
    await setUserSetting('localEngine.threads', 1);
    await setUserSetting('localEngine.parallel', 2);
    await setUserSetting('reward.baseUrl', '');
    await setUserSetting('judge.baseUrl', '');
    await setUserSetting('systemMessage', system);
    await setUserSetting('generator.maxTokens', 12);
    await setUserSetting('generator.seed', 5);
  });

  after(async () => {
    if (engine) await vscode.commands.executeCommand('janus.stopLocalEngine');
    await resetUserSettings(touched);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Start Local Engine loads the reward model beside the generator', async () => {
    const api = await janus();
    engine = await vscode.commands.executeCommand<ExtensionEngine | undefined>('janus.startLocalEngine');
    assert.ok(engine, 'Start Local Engine returned nothing (see the Janus log)');
    assert.equal(engine.model, 'janus-tiny-test.gguf');
    assert.equal(engine.rewardModel, 'janus-tiny-rm.gguf');
    assert.deepEqual(api.localEngine(), engine);
    // The engine answers only the extension (its session key): a request without the key is refused.
    // What it loaded is read through the extension in the next test.
    assert.equal((await fetch(`${engine.baseUrl.replace(/\/v1$/, '')}/props`)).status, 401);
  });

  it('the status bar tooltip and Check Endpoints say what is loaded', async () => {
    const api = await janus();
    assert.ok(engine);
    await setUserSetting('generator.baseUrl', engine.baseUrl);
    assert.equal(await api.refreshGeneratorStatus(), 'ready');
    assert.match(api.generatorTooltip(), /Generator: janus-tiny-test/);
    assert.match(api.generatorTooltip(), /Reward model: janus-tiny-rm \(hidden 64, normalised, max_length 2048\)/);
    const checks = await vscode.commands.executeCommand<EndpointCheck[]>('janus.checkEndpoints');
    const generator = checks?.find((c) => c.role === 'generator');
    assert.equal(generator?.result?.rewardModel?.name, 'janus-tiny-rm');
    assert.deepEqual(generator?.result?.models.ids, ['janus-tiny-test']);
  });

  it('auto without a reward URL ranks Best-of-N with the engine\'s reward model, with the rewards it gives', async () => {
    assert.ok(engine);
    const session = await vscode.commands.executeCommand<PanelSession>('janus.generateBestOfN', { prompt, n: 2 });
    const group = session?.groups[0];
    assert.ok(group);
    assert.equal(group.scorer?.kind, 'local');
    assert.equal(group.scorer?.isRewardModel, true);
    const rewards = group.run.candidates.map((c) => c.reward);
    assert.ok(rewards.every((r) => typeof r === 'number'), JSON.stringify(rewards));
    const query = group.run.candidates.map((c) => `<s>[INST] ${system}\n${prompt} [/INST] ${c.text} </s>`);
    // The same reward model in an engine of the test's own (no session key): the same rewards.
    const tiny = await getTinyModel();
    const own = await startEngine(['--model', tiny.modelPath, '--reward-model', tiny.rewardModelPath, '--parallel', '1', '--context', '512', '--quiet']);
    try {
      const direct = ((await (await fetch(`${own.url}/get_reward`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })).json()) as { rewards: number[] }).rewards;
      direct.forEach((r, i) => assert.ok(Math.abs(r - (rewards[i] ?? NaN)) < 1e-6, `candidate ${i}: engine ${r}, panel ${rewards[i]}`));
    } finally {
      await own.stop();
    }
  });

  it('an engine without a reward model: auto does not score with it (no reward model, no judge: unscored), and the tooltip says none', async () => {
    const api = await janus();
    const tiny = await getTinyModel();
    const plain = await startEngine(['--model', tiny.modelPath, '--parallel', '2', '--context', '512', '--quiet']);
    try {
      await setUserSetting('generator.baseUrl', `${plain.url}/v1`);
      await setUserSetting('reward.baseUrl', plain.url);
      assert.equal(await api.refreshGeneratorStatus(), 'ready');
      assert.match(api.generatorTooltip(), /Reward model: none loaded/);
      const session = await vscode.commands.executeCommand<PanelSession>('janus.generateBestOfN', { prompt, n: 2 });
      const group = session?.groups[0];
      assert.ok(group);
      assert.equal(group.scorer, undefined, `scored by ${JSON.stringify(group.scorer)}`);
      assert.deepEqual(group.run.candidates.map((c) => c.reward), [undefined, undefined]);
    } finally {
      await setUserSetting('reward.baseUrl', '');
      await plain.stop();
    }
  });
});
