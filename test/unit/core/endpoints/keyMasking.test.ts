// The key in use never reaches a message, a log or a file, whatever its shape; a key in the base
// URL is refused before anything is sent.
import assert from 'node:assert/strict';
import { EndpointClient } from '../../../../src/core/endpoints/client';
import { EndpointError } from '../../../../src/core/endpoints/endpointError';
import { endpointProfileSchema } from '../../../../src/core/endpoints/profile';
import type { ReplyServer } from '../support/replyServer';
import { startReplyServer } from '../support/replyServer';
import { aProfile } from '../support/builders';

// Not shaped like sk-...: the old pattern-only masking let these through.
const key = 'ZX81q7Tn4W2mVb9LcR5yHs3KdJ8';
const input = { system: 's', prompt: 'p' };
const noRetry = { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 };

async function failureOf(client: EndpointClient): Promise<EndpointError> {
  try {
    for await (const _ of client.generateStream(input, new AbortController().signal)) void _;
  } catch (error) {
    assert.ok(error instanceof EndpointError, String(error));
    return error;
  }
  assert.fail('expected a failure');
}

describe('API key masking', () => {
  let server: ReplyServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  for (const [what, status, type, body] of [
    ['a 400 echoing the whole key', 400, 'application/json', JSON.stringify({ error: { message: `Invalid header: Bearer ${key} is not allowed for this model` } })],
    ['a 500 echoing a piece of it', 500, 'application/json', JSON.stringify({ error: { message: `key ${key.slice(0, 12)}**** failed upstream` } })],
    ['a 200 HTML page echoing it', 200, 'text/html', `<html>token=${key}</html>`],
  ] as const) {
    it(`masks the key in use in the message and the logged cause: ${what}`, async () => {
      server = await startReplyServer((_req, res) => {
        res.writeHead(status, { 'content-type': type });
        res.end(body);
      });
      const client = new EndpointClient(aProfile({ baseUrl: server.baseUrl }), { apiKey: key, retryPolicy: noRetry });
      const error = await failureOf(client);
      assert.equal(server.requests[0]?.headers['authorization'], `Bearer ${key}`, 'the key was sent');
      const shown = `${error.message} ${String((error.cause as Error | undefined)?.message ?? '')}`;
      assert.match(error.message, /\[redacted\]/);
      assert.ok(!shown.includes(key.slice(0, 10)), shown);
      assert.ok(!shown.includes(key.slice(-10)), shown);
    });
  }

  it('refuses a base URL carrying a key in its query or user info, without echoing the key', () => {
    for (const url of [`https://api.example.com/v1?api-key=${key}`, `https://api.example.com/v1?api_key=${key}`, `https://api.example.com/v1?key=${key}`, `https://user:${key}@api.example.com/v1`]) {
      const parsed = endpointProfileSchema.safeParse({ role: 'judge', baseUrl: url, model: '', format: 'chat', sampling: {} });
      assert.equal(parsed.success, false, url);
      const message = parsed.error?.issues.map((i) => i.message).join(' ') ?? '';
      assert.match(message, /must not (carry a key in its query|contain a user name or password)/);
      assert.ok(!message.includes(key), message);
    }
    assert.equal(endpointProfileSchema.safeParse({ role: 'judge', baseUrl: 'https://x.openai.azure.com/v1?api-version=2024-10-21', model: '', format: 'chat', sampling: {} }).success, true, 'other query parameters are fine');
  });
});
