import assert from 'node:assert/strict';
import type { GenerationEvent } from '../../../../src/core/endpoints/client';
import { EndpointClient } from '../../../../src/core/endpoints/client';
import { EndpointError } from '../../../../src/core/endpoints/endpointError';
import type { ReplyServer } from '../support/replyServer';
import { jsonReply, sseCompletion, startReplyServer } from '../support/replyServer';
import { aProfile } from '../support/builders';
import { closedPort } from '../../../support/closedPort';

const fastRetry = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 2000 };
const input = { system: 'You are terse.', prompt: 'Say hi.' };

async function collect(stream: AsyncIterable<GenerationEvent>): Promise<GenerationEvent[]> {
  const events: GenerationEvent[] = [];
  for await (const e of stream) events.push(e);
  return events;
}

async function failure(promise: Promise<unknown>): Promise<EndpointError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof EndpointError, `expected EndpointError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

describe('EndpointClient.generateStream', () => {
  let server: ReplyServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('sends the exact Janus text and sampling to /v1/completions and streams deltas', async () => {
    server = await startReplyServer((_req, res) => sseCompletion(res, ['Hi', ' there', '.']));
    const client = new EndpointClient(aProfile({ baseUrl: server.baseUrl }), { apiKey: 'k1' });
    const events = await collect(client.generateStream(input, new AbortController().signal));
    assert.deepEqual(events.filter((e) => e.type === 'delta').map((e) => e.text), ['Hi', ' there', '.']);
    assert.deepEqual(events.at(-1), { type: 'done', text: 'Hi there.', finishReason: 'stop', usage: undefined });
    const req = server.requests[0]!;
    assert.equal(req.url, '/v1/completions');
    assert.equal(req.headers['authorization'], 'Bearer k1');
    assert.deepEqual(req.body, {
      model: 'janus-test',
      prompt: '[INST] You are terse.\nSay hi. [/INST] ',
      stream: true,
      max_tokens: 1024,
      temperature: 1,
      top_p: 0.9,
      repetition_penalty: 1.03,
    });
  });

  it('sends system and user messages to /v1/chat/completions in chat format', async () => {
    server = await startReplyServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { role: 'assistant', content: 'Yo' } }] })}\n\n`);
      res.end(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`);
    });
    const client = new EndpointClient(aProfile({ baseUrl: server.baseUrl, format: 'chat', sampling: { seed: 7 } }));
    const events = await collect(client.generateStream(input, new AbortController().signal));
    assert.deepEqual(events.at(-1), { type: 'done', text: 'Yo', finishReason: 'stop', usage: undefined });
    const body = server.requests[0]!.body as Record<string, unknown>;
    assert.equal(server.requests[0]!.url, '/v1/chat/completions');
    assert.deepEqual(body['messages'], [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Say hi.' },
    ]);
    assert.equal(body['seed'], 7);
    assert.equal('repetition_penalty' in body, false, 'no repetition_penalty unless configured');
  });

  it('uses the first listed model when none is configured', async () => {
    server = await startReplyServer((req, res) =>
      req.url === '/v1/models' ? jsonReply(res, 200, { object: 'list', data: [{ id: 'tiny', object: 'model' }] }) : sseCompletion(res, ['x']),
    );
    const client = new EndpointClient(aProfile({ baseUrl: server.baseUrl, model: '' }));
    await collect(client.generateStream(input, new AbortController().signal));
    assert.equal((server.requests[1]!.body as { model: string }).model, 'tiny');
  });

  it('maps a refused connection to "unreachable" with what to do', async () => {
    const port = await closedPort();
    const client = new EndpointClient(aProfile({ baseUrl: `http://127.0.0.1:${port}/v1` }), { retryPolicy: { ...fastRetry, maxAttempts: 1 } });
    const error = await failure(collect(client.generateStream(input, new AbortController().signal)));
    assert.equal(error.kind, 'unreachable');
    assert.equal(error.role, 'generator', 'hosts open the settings of the role that failed');
    assert.equal(error.message, `Endpoint http://127.0.0.1:${port} refused the connection. Start the local engine or fix janus.generator.baseUrl.`);
  });

  it('maps 401 to "unauthorized" without echoing the server text (which may quote the key)', async () => {
    server = await startReplyServer((_req, res) => jsonReply(res, 401, { error: { message: 'Incorrect API key provided: sk-abc*****xyz', type: 'invalid_request_error' } }));
    const client = new EndpointClient(aProfile({ baseUrl: server.baseUrl }), { apiKey: 'sk-abcdefxyz', retryPolicy: fastRetry });
    const error = await failure(collect(client.generateStream(input, new AbortController().signal)));
    assert.equal(error.kind, 'unauthorized');
    assert.doesNotMatch(error.message, /sk-/);
    assert.match(error.message, /Set API Key/);
    assert.equal(server.requests.length, 1, '401 is not retried');
  });

  it('retries 429 after the server\'s retry-after, then streams', async () => {
    let calls = 0;
    server = await startReplyServer((_req, res) =>
      calls++ === 0 ? jsonReply(res, 429, { error: { message: 'slow down' } }, { 'retry-after-ms': '30' }) : sseCompletion(res, ['ok']),
    );
    const client = new EndpointClient(aProfile({ baseUrl: server.baseUrl }), { retryPolicy: fastRetry });
    const events = await collect(client.generateStream(input, new AbortController().signal));
    assert.equal(events.at(-1)?.type === 'done' && events.at(-1)?.type, 'done');
    assert.equal(server.requests.length, 2);
  });

  it('gives up on repeated 500s with a "server" error naming the status', async () => {
    server = await startReplyServer((_req, res) => jsonReply(res, 500, { error: { message: 'boom' } }));
    const client = new EndpointClient(aProfile({ baseUrl: server.baseUrl }), { retryPolicy: fastRetry });
    const error = await failure(collect(client.generateStream(input, new AbortController().signal)));
    assert.equal(error.kind, 'server');
    assert.match(error.message, /\(500\): boom/);
    assert.equal(server.requests.length, 3);
  });

  it('maps a 404 about the model to "modelNotFound" naming the setting', async () => {
    server = await startReplyServer((_req, res) => jsonReply(res, 404, { error: { message: 'The model `nope` does not exist.' } }));
    const client = new EndpointClient(aProfile({ baseUrl: server.baseUrl, model: 'nope' }), { retryPolicy: fastRetry });
    const error = await failure(collect(client.generateStream(input, new AbortController().signal)));
    assert.equal(error.kind, 'modelNotFound');
    assert.equal(
      error.message,
      `Endpoint ${new URL(server.baseUrl).origin} does not serve model "nope": The model \`nope\` does not exist. Fix janus.generator.model ("Janus: Check Endpoints" lists the served models).`,
    );
  });

  it('stops a stream that goes silent and says which setting to raise', async () => {
    server = await startReplyServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, text: 'part' }] })}\n\n`);
      // ...and nothing more.
    });
    const client = new EndpointClient(aProfile({ baseUrl: server.baseUrl, stallTimeoutMs: 150 }));
    const seen: string[] = [];
    const error = await failure(
      (async () => {
        for await (const e of client.generateStream(input, new AbortController().signal)) if (e.type === 'delta') seen.push(e.text);
      })(),
    );
    assert.equal(error.kind, 'stalled');
    assert.match(error.message, /janus\.request\.stallTimeoutMs/);
    assert.deepEqual(seen, ['part']);
    await server.clientClosed;
  });

  it('cancelling closes the HTTP stream so the server can free its slot', async () => {
    server = await startReplyServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const timer = setInterval(() => res.write(`data: ${JSON.stringify({ choices: [{ index: 0, text: 'x' }] })}\n\n`), 10);
      res.on('close', () => clearInterval(timer));
    });
    const client = new EndpointClient(aProfile({ baseUrl: server.baseUrl }));
    const controller = new AbortController();
    let deltas = 0;
    const error = await failure(
      (async () => {
        for await (const e of client.generateStream(input, controller.signal)) {
          if (e.type === 'delta' && ++deltas === 3) controller.abort();
        }
      })(),
    );
    assert.equal(error.kind, 'cancelled');
    assert.equal(deltas, 3);
    await server.clientClosed;
  });

  it('times out when the server never answers', async () => {
    server = await startReplyServer(() => undefined);
    const client = new EndpointClient(aProfile({ baseUrl: server.baseUrl, timeoutMs: 150 }), { retryPolicy: fastRetry });
    const error = await failure(collect(client.generateStream(input, new AbortController().signal)));
    assert.equal(error.kind, 'timeout');
    assert.match(error.message, /janus\.request\.timeoutMs/);
  });
});

