// Replies that are not the event stream asked for: a JSON body (a server that ignores `stream`),
// HTML, plain text, nothing, far too much, or a connection reset halfway. Each is either read
// correctly or a named EndpointError; never an empty text.
import assert from 'node:assert/strict';
import type { GenerationEvent } from '../../../../src/core/endpoints/client';
import { EndpointClient } from '../../../../src/core/endpoints/client';
import { EndpointError } from '../../../../src/core/endpoints/endpointError';
import { endpointTextModel } from '../../../../src/core/jobs/textModel';
import type { Handler, ReplyServer } from '../support/replyServer';
import { startReplyServer } from '../support/replyServer';
import { aProfile } from '../support/builders';

const input = { system: 'You grade.', prompt: 'Grade this.' };
const noRetry = { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 };
const chatBody = (content: string): string => JSON.stringify({ id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }], usage: { prompt_tokens: 7, completion_tokens: 3 } });

describe('EndpointClient: replies in another shape than asked', () => {
  let server: ReplyServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const start = async (handler: Handler, overrides: Parameters<typeof aProfile>[0] = {}): Promise<EndpointClient> => {
    server = await startReplyServer(handler);
    return new EndpointClient(aProfile({ baseUrl: server.baseUrl, format: 'chat', ...overrides }), { retryPolicy: noRetry });
  };
  const collect = async (client: EndpointClient, stream = true): Promise<GenerationEvent[]> => {
    const events: GenerationEvent[] = [];
    for await (const e of client.generateStream(input, new AbortController().signal, { stream })) events.push(e);
    return events;
  };
  const failure = async (client: EndpointClient, stream = true): Promise<EndpointError> => {
    try {
      const events = await collect(client, stream);
      assert.fail(`expected a failure, got ${JSON.stringify(events.at(-1))}`);
    } catch (error) {
      assert.ok(error instanceof EndpointError, `expected an EndpointError, got ${String(error)}`);
      return error;
    }
  };

  it('reads a JSON completion body sent to a streamed request (a server that ignores stream: true)', async () => {
    const client = await start((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(chatBody('Feedback: fine. [RESULT] 4'));
    });
    const events = await collect(client);
    assert.deepEqual(events.at(-1), { type: 'done', text: 'Feedback: fine. [RESULT] 4', finishReason: 'stop', usage: { promptTokens: 7, completionTokens: 3 } });
  });

  it('reads a raw-completions JSON body the same way', async () => {
    const client = await start((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ choices: [{ index: 0, text: 'plain text reply', finish_reason: 'length' }] }));
    }, { format: 'mistral-instruct' });
    const events = await collect(client);
    assert.equal(events.at(-1)?.text, 'plain text reply');
  });

  it('sends a judge call non-streamed (stream: false) and parses the one JSON body', async () => {
    const client = await start((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(chatBody('Feedback: ok [RESULT] 2'));
    }, { role: 'judge' });
    const completion = await endpointTextModel(client).complete(input, new AbortController().signal);
    assert.equal(completion.text, 'Feedback: ok [RESULT] 2');
    assert.equal((server?.requests[0]?.body as { stream?: unknown }).stream, false);
  });

  for (const [what, type, body, pattern] of [
    ['an HTML page', 'text/html', '<!doctype html><html><body>Welcome to nginx</body></html>', /text\/html body .*"<!doctype html><html><body>Welcome to nginx/],
    ['plain text', 'text/plain', 'Hello world\n', /text\/plain body that is neither an event stream nor a JSON completion: "Hello world"/],
    ['an empty body', 'application/json', '', /a reply without any completion choice/],
    ['a JSON body with no choices', 'application/json', '{"ok":true}', /a reply without any completion choice/],
    ['an event stream with no choices', 'text/event-stream', 'data: [DONE]\n\n', /a reply without any completion choice/],
  ] as const) {
    it(`fails with a named badResponse on ${what}, never an empty text`, async () => {
      for (const stream of [true, false]) {
        const client = await start((_req, res) => {
          res.writeHead(200, { 'content-type': type });
          res.end(body);
        });
        const error = await failure(client, stream);
        assert.equal(error.kind, 'badResponse');
        assert.match(error.message, pattern);
        await server?.close();
        server = undefined;
      }
    });
  }

  it('stops a reply over maxReplyChars with replyTooLarge (streamed and as one JSON body)', async () => {
    const big = 'x'.repeat(5000);
    const streamed = await start((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let i = 0; i < 10; i++) res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: big } }] })}\n\n`);
      res.end('data: [DONE]\n\n');
    }, { maxReplyChars: 20_000 });
    const error = await failure(streamed);
    assert.equal(error.kind, 'replyTooLarge');
    assert.match(error.message, /longer than 20000 characters.*Raise janus\.generator\.maxReplyChars/);
    await server?.close();
    const whole = await start((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(chatBody('y'.repeat(2_000_000)));
    }, { maxReplyChars: 20_000 });
    assert.equal((await failure(whole, false)).kind, 'replyTooLarge');
  });

  it('says a connection reset in the middle of a reply is an interruption after N bytes, not "could not be reached"', async () => {
    const client = await start((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'partial' } }] })}\n\n`, () => setTimeout(() => res.socket?.resetAndDestroy(), 20));
    });
    const error = await failure(client);
    assert.equal(error.kind, 'interrupted');
    assert.match(error.message, /closed the connection in the middle of a reply, after \d+ bytes had arrived/);
    assert.doesNotMatch(error.message, /could not be reached/);
  });

  it('a stream still receiving bytes (keep-alive comments) is not stalled; a silent one says how much text had come', async () => {
    const chunk = (content: string): string => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content } }] })}\n\n`;
    const alive = await start((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk('thinking'));
      let pings = 0;
      const timer = setInterval(() => {
        if (++pings < 6) return void res.write(': ping\n\n');
        clearInterval(timer);
        res.end(`${chunk(' done')}data: [DONE]\n\n`);
      }, 100);
    }, { stallTimeoutMs: 300 });
    assert.equal((await collect(alive)).at(-1)?.text, 'thinking done');
    await server?.close();
    const silent = await start((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk('partial'));
    }, { stallTimeoutMs: 300 });
    const error = await failure(silent);
    assert.equal(error.kind, 'stalled');
    assert.match(error.message, /stopped sending for 0\.3 s in the middle of a reply, after 7 characters of text/);
  });

  it('waits for a non-streamed reply as long as writing it may take (timeout + 100 ms a token), a streamed one only for its start', async () => {
    const slow = (): Handler => (_req, res) => {
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(chatBody('Feedback: ok [RESULT] 3'));
      }, 400);
    };
    const whole = await start(slow(), { timeoutMs: 200, sampling: { maxTokens: 5 } });
    assert.equal((await collect(whole, false)).at(-1)?.text, 'Feedback: ok [RESULT] 3');
    await server?.close();
    const streamed = await start(slow(), { timeoutMs: 200, sampling: { maxTokens: 5 } });
    assert.equal((await failure(streamed, true)).kind, 'timeout');
  });
});
