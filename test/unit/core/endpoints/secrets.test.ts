import assert from 'node:assert/strict';
import type { ApiKeySecretName } from '../../../../src/core/endpoints/secrets';
import { apiKeySecretName, normaliseOrigin, originOfSecretName, resolveApiKey } from '../../../../src/core/endpoints/secrets';

/** A secret store holding one key, saved for https://api.openai.com. */
function storeWithOpenAiKey(): { lookup: (name: ApiKeySecretName) => Promise<string | undefined>; asked: string[] } {
  const saved = new Map<string, string>([[apiKeySecretName('https://api.openai.com/v1')!, 'sk-test-123']]);
  const asked: string[] = [];
  return {
    asked,
    lookup: async (name) => {
      asked.push(name);
      return saved.get(name);
    },
  };
}

describe('origin-bound API keys', () => {
  it('names the secret after the normalised origin', () => {
    assert.equal(apiKeySecretName('https://API.OpenAI.com:443/v1/'), 'janus.apiKey:https://api.openai.com');
    assert.equal(apiKeySecretName('http://127.0.0.1:8011/v1'), 'janus.apiKey:http://127.0.0.1:8011');
    assert.equal(apiKeySecretName('ftp://example.com'), undefined);
    assert.equal(apiKeySecretName('not a url'), undefined);
  });

  it('returns the key for the same origin, whatever the path', async () => {
    const { lookup } = storeWithOpenAiKey();
    assert.equal(await resolveApiKey('https://api.openai.com/v1', lookup), 'sk-test-123');
    assert.equal(await resolveApiKey('https://api.openai.com:443/other/path', lookup), 'sk-test-123');
  });

  const elsewhere = [
    'http://evil.example/v1',
    'https://api.openai.com.evil.example/v1',
    'https://api.openai.com@evil.example/v1',
    'https://evil.example/https://api.openai.com',
    'http://api.openai.com/v1',
    'https://api.openai.com:8443/v1',
    'https://api.openai.co/v1',
    'https://sub.api.openai.com/v1',
    'https://evil.example/?u=https://api.openai.com',
  ];
  for (const url of elsewhere) {
    it(`never sends the key to ${url}`, async () => {
      const { lookup, asked } = storeWithOpenAiKey();
      assert.equal(await resolveApiKey(url, lookup), undefined);
      assert.ok(asked.every((name) => name !== 'janus.apiKey:https://api.openai.com'), `asked for ${asked.join(', ')}`);
    });
  }

  it('reads origins back from secret names and rejects tampered ones', () => {
    assert.equal(originOfSecretName('janus.apiKey:https://api.openai.com'), 'https://api.openai.com');
    assert.equal(originOfSecretName('janus.apiKey:https://api.openai.com/v1'), undefined);
    assert.equal(originOfSecretName('other:https://api.openai.com'), undefined);
    assert.equal(normaliseOrigin('https://[::1]:8011/v1'), 'https://[::1]:8011');
  });
});
