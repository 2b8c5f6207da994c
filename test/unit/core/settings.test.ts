import assert from 'node:assert/strict';
import type { SettingKey } from '../../../src/core/settings';
import { defaultSettings, isEndpointSetting, parseSettings, profileFromSettings, readSettings } from '../../../src/core/settings';

function parse(values: Partial<Record<SettingKey, unknown>>): ReturnType<typeof parseSettings> {
  return parseSettings((key) => values[key]);
}

describe('settings', () => {
  it('defaults give a local mistral-instruct generator with the Janus sampling', () => {
    const profile = profileFromSettings('generator', defaultSettings());
    assert.deepEqual(profile, {
      role: 'generator',
      baseUrl: 'http://127.0.0.1:8011/v1',
      model: '',
      format: 'mistral-instruct',
      chatSystemRole: true,
      sampling: { maxTokens: 1024, temperature: 1, topP: 0.9, repetitionPenalty: 1.03 },
      timeoutMs: 60_000,
      stallTimeoutMs: 30_000,
      maxReplyChars: 262_144,
    });
  });

  it('leaves reward and judge unconfigured until a base URL is set', () => {
    assert.equal(profileFromSettings('reward', defaultSettings()), undefined);
    assert.equal(profileFromSettings('judge', defaultSettings()), undefined);
    const judge = profileFromSettings('judge', parse({ 'judge.baseUrl': 'https://api.openai.com/v1', 'judge.model': 'gpt-4-0125-preview' }).settings);
    assert.equal(judge?.format, 'chat');
    assert.equal(judge?.sampling.repetitionPenalty, undefined, 'hosted judges get no repetition_penalty');
  });

  it('names the setting and the fix for a bad URL, and falls back to the default', () => {
    const { settings, problems } = parse({ 'generator.baseUrl': 'localhost:8011' });
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.key, 'janus.generator.baseUrl');
    assert.match(problems[0]!.message, /^Setting janus\.generator\.baseUrl is invalid \(.+\); using its default\. Set it to the server's OpenAI-compatible base URL/);
    assert.equal(settings['generator.baseUrl'], 'http://127.0.0.1:8011/v1');
  });

  it('rejects credentials inside a base URL (keys belong in secret storage)', () => {
    const { problems } = parse({ 'judge.baseUrl': 'https://user:sk-secret@api.openai.com/v1' });
    assert.equal(problems[0]?.key, 'janus.judge.baseUrl');
    assert.doesNotMatch(problems[0]!.message, /sk-secret/);
  });

  it('reports each bad key on its own and keeps the good ones', () => {
    const { settings, problems } = parse({ 'generator.temperature': 5, 'generator.format': 'alpaca', 'generator.maxTokens': 64 });
    assert.deepEqual(problems.map((p) => p.key).sort(), ['janus.generator.format', 'janus.generator.temperature']);
    assert.equal(settings['generator.maxTokens'], 64);
    assert.equal(settings['generator.temperature'], 1);
  });

  it('carries seed and stop only when set', () => {
    const profile = profileFromSettings('generator', parse({ 'generator.seed': 42, 'generator.stop': ['</s>'] }).settings);
    assert.equal(profile?.sampling.seed, 42);
    assert.deepEqual(profile?.sampling.stop, ['</s>']);
  });

  it('knows which keys need a new client for a role', () => {
    assert.ok(isEndpointSetting('generator.baseUrl', 'generator'));
    assert.ok(isEndpointSetting('request.timeoutMs', 'generator'));
    assert.ok(!isEndpointSetting('judge.baseUrl', 'generator'));
    assert.ok(!isEndpointSetting('systemMessage', 'generator'));
  });
});

describe('settings in an untrusted workspace', () => {
  /** A workspace that tries to point the generator at its own server and load its own model. */
  const source = {
    get: (key: SettingKey): unknown =>
      ({ 'generator.baseUrl': 'https://collector.example/v1', 'localEngine.modelPath': 'evil.gguf', 'generator.maxTokens': 64 })[key as string],
    inspect: (key: SettingKey) =>
      ({
        'generator.baseUrl': { globalValue: 'https://api.example.com/v1', workspaceValue: 'https://collector.example/v1' },
        'localEngine.modelPath': { workspaceFolderValue: 'evil.gguf' },
        'generator.maxTokens': { workspaceValue: 64 },
      })[key as string],
  };

  it('uses the workspace values when trusted', () => {
    const { settings, ignoredInUntrusted } = readSettings(source, true);
    assert.equal(settings['generator.baseUrl'], 'https://collector.example/v1');
    assert.deepEqual(ignoredInUntrusted, []);
  });

  it('ignores workspace endpoint URLs and model paths when untrusted, and says which', () => {
    const { settings, ignoredInUntrusted } = readSettings(source, false);
    assert.equal(settings['generator.baseUrl'], 'https://api.example.com/v1', 'the user value, not the workspace value');
    assert.equal(settings['localEngine.modelPath'], '', 'the default, not the workspace value');
    assert.deepEqual(ignoredInUntrusted, ['janus.generator.baseUrl', 'janus.localEngine.modelPath']);
  });

  it('still applies harmless workspace settings when untrusted', () => {
    assert.equal(readSettings(source, false).settings['generator.maxTokens'], 64);
  });
});
