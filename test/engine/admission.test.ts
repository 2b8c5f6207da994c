// Who the local engine answers: a web page in the user's browser must not be able to drive it
// (no-cors POSTs, DNS rebinding), and with a key set, nobody without the key.
import assert from 'node:assert/strict';
import http from 'node:http';
import OpenAI from 'openai';
import type { RunningEngine } from '../support/engineProcess';
import { startEngine } from '../support/engineProcess';
import { getTinyModel } from '../support/tinyModelFixture';

interface Answer {
  readonly status: number;
  readonly body: string;
}

/** A raw request (fetch would not let a test set Host, Origin or a bare body as a page sends them). */
function request(url: string, options: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<Answer> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers: options.headers ?? {}, setHost: !(options.headers && 'host' in options.headers) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

function errorOf(answer: Answer): { message: string; type: string; code: string } {
  return (JSON.parse(answer.body) as { error: { message: string; type: string; code: string } }).error;
}

const completion = JSON.stringify({ prompt: '[INST] Hi [/INST] ', max_tokens: 2 });

describe('local engine: admission (Host, Origin, content type, API key)', function () {
  this.timeout(120_000);
  let open: RunningEngine;
  let keyed: RunningEngine;
  const key = 'test-key-7f3a9c';

  before(async () => {
    const tiny = await getTinyModel();
    open = await startEngine(['--model', tiny.modelPath, '--parallel', '1', '--context', '128', '--quiet', '--allow-origin', 'http://app.example:3000']);
    // The key comes through the environment, as the extension passes it (argv would show in `ps`).
    keyed = await startEngine(['--model', tiny.modelPath, '--parallel', '1', '--context', '128', '--quiet'], 60_000, { ...process.env, JANUS_ENGINE_API_KEY: key });
  });
  after(async () => {
    await open.stop();
    await keyed.stop();
  });

  it('answers only to Host names of its own address (no DNS rebinding)', async () => {
    const port = new URL(open.url).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
      assert.equal((await request(open.url, { path: '/health', headers: { host } })).status, 200, host);
    }
    for (const host of [`evil.example:${port}`, `127.0.0.1.nip.io:${port}`, 'localhost', `localhost:${Number(port) + 1}`, '']) {
      const answer = await request(open.url, { method: 'POST', path: '/v1/completions', headers: { host, 'content-type': 'application/json' }, body: completion });
      assert.equal(answer.status, 403, `Host ${host}`);
      assert.equal(errorOf(answer).code, 'host_not_allowed');
      assert.match(errorOf(answer).message, new RegExp(`127\\.0\\.0\\.1:${port}`));
    }
  });

  it('refuses a web page: an Origin not allowed, or a body not declared JSON', async () => {
    // What a page's no-cors fetch sends: an Origin and a text/plain body.
    const page = await request(open.url, { method: 'POST', path: '/v1/completions', headers: { origin: 'https://evil.example', 'content-type': 'text/plain;charset=UTF-8' }, body: completion });
    assert.equal(page.status, 403);
    assert.equal(errorOf(page).type, 'permission_error');
    assert.match(errorOf(page).message, /--allow-origin https:\/\/evil\.example/);
    const nullOrigin = await request(open.url, { path: '/v1/models', headers: { origin: 'null' } });
    assert.equal(nullOrigin.status, 403);
    // Without an Origin (curl, Node): the content type alone decides.
    const plain = await request(open.url, { method: 'POST', path: '/v1/completions', headers: { 'content-type': 'text/plain' }, body: completion });
    assert.equal(plain.status, 415);
    assert.equal(errorOf(plain).code, 'unsupported_media_type');
    const none = await request(open.url, { method: 'POST', path: '/v1/completions', body: completion });
    assert.equal(none.status, 415);
    const form = await request(open.url, { method: 'POST', path: '/get_reward', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '{"query":["a"]}' });
    assert.equal(form.status, 415);
    // The allowed origin, and JSON with a charset, are served.
    const allowed = await request(open.url, { method: 'POST', path: '/v1/completions', headers: { origin: 'http://app.example:3000', 'content-type': 'application/json; charset=utf-8' }, body: completion });
    assert.equal(allowed.status, 200, allowed.body);
  });

  it('with a key, serves only requests that carry it (health stays open)', async () => {
    assert.equal((await request(keyed.url, { path: '/health' })).status, 200);
    const without = await request(keyed.url, { method: 'POST', path: '/v1/completions', headers: { 'content-type': 'application/json' }, body: completion });
    assert.equal(without.status, 401);
    assert.equal(errorOf(without).code, 'invalid_api_key');
    assert.equal((await request(keyed.url, { path: '/v1/models', headers: { authorization: 'Bearer wrong' } })).status, 401);
    assert.equal((await request(keyed.url, { path: '/v1/models', headers: { authorization: key } })).status, 401, 'the Bearer scheme is required');
    // The OpenAI client sends the key as a Bearer token and gets served.
    const client = new OpenAI({ baseURL: `${keyed.url}/v1`, apiKey: key, maxRetries: 0 });
    const reply = await client.completions.create({ model: '', prompt: '[INST] Hi [/INST] ', max_tokens: 3, seed: 1 });
    assert.equal(reply.choices.length, 1);
    const wrong = new OpenAI({ baseURL: `${keyed.url}/v1`, apiKey: 'nope', maxRetries: 0 });
    await assert.rejects(wrong.models.list(), (error: unknown) => error instanceof OpenAI.AuthenticationError);
    assert.doesNotMatch(keyed.output(), new RegExp(key), 'the key is never printed');
  });
});
