// The n-choice stream against servers that behave unusually: choices out of order and several in
// one chunk, fewer choices than asked, a stall, a 429 before the first byte. The ordinary case
// runs against the real engine in test/engine/bestOfN.test.ts.
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import type { ChoiceEvent } from '../../../src/core/bestOfN/choiceStream';
import { streamChoices } from '../../../src/core/bestOfN/choiceStream';
import { EndpointError } from '../../../src/core/endpoints/endpointError';
import type { ReplyServer } from '../core/support/replyServer';
import { jsonReply, startReplyServer } from '../core/support/replyServer';
import { aProfile } from '../core/support/builders';

const input = { system: 'You are terse.', prompt: 'Say hi.' };
const fastRetry = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 2000 };

function sse(res: ServerResponse, chunks: readonly { index: number; text: string; finish?: string }[][]): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const choices of chunks) {
    res.write(`data: ${JSON.stringify({ object: 'text_completion', choices: choices.map((c) => ({ index: c.index, text: c.text, finish_reason: c.finish ?? null })) })}\n\n`);
  }
  res.end('data: [DONE]\n\n');
}

async function collect(stream: AsyncIterable<ChoiceEvent>): Promise<{ events: ChoiceEvent[]; error: unknown }> {
  const events: ChoiceEvent[] = [];
  try {
    for await (const event of stream) events.push(event);
  } catch (error) {
    return { events, error };
  }
  return { events, error: undefined };
}

describe('streamChoices (one request, n choices)', () => {
  let server: ReplyServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('sends n with the Janus text and demultiplexes choices that arrive out of order', async () => {
    server = await startReplyServer((_req, res) =>
      sse(res, [
        [{ index: 2, text: 'C1' }, { index: 0, text: 'A1' }],
        [{ index: 1, text: 'B1' }],
        [{ index: 0, text: 'A2', finish: 'stop' }, { index: 2, text: 'C2' }],
        [{ index: 1, text: '', finish: 'length' }, { index: 2, text: '', finish: 'stop' }],
      ]),
    );
    const profile = aProfile({ baseUrl: server.baseUrl, sampling: { seed: 7 } });
    const { events, error } = await collect(streamChoices({ profile, retryPolicy: fastRetry }, input, 3, new AbortController().signal));
    assert.equal(error, undefined);
    const done = events.filter((e) => e.type === 'done');
    assert.deepEqual(done, [
      { type: 'done', index: 0, text: 'A1A2', finishReason: 'stop', pieces: 2 },
      { type: 'done', index: 1, text: 'B1', finishReason: 'length', pieces: 1 },
      { type: 'done', index: 2, text: 'C1C2', finishReason: 'stop', pieces: 2 },
    ]);
    assert.deepEqual(events.filter((e) => e.type === 'delta' && e.index === 2).map((e) => (e.type === 'delta' ? e.text : '')), ['C1', 'C2']);
    const body = server.requests[0]?.body as Record<string, unknown>;
    assert.equal(body['n'], 3);
    assert.equal(body['seed'], 7);
    assert.equal(body['prompt'], '[INST] You are terse.\nSay hi. [/INST] ');
  });

  it('a server that sends fewer choices than asked: the ones it sent, then a badResponse error', async () => {
    server = await startReplyServer((_req, res) => sse(res, [[{ index: 0, text: 'only', finish: 'stop' }]]));
    const { events, error } = await collect(streamChoices({ profile: aProfile({ baseUrl: server.baseUrl }), retryPolicy: fastRetry }, input, 2, new AbortController().signal));
    assert.deepEqual(events.filter((e) => e.type === 'done').map((e) => (e.type === 'done' ? e.index : -1)), [0]);
    assert.ok(error instanceof EndpointError);
    assert.equal(error.kind, 'badResponse');
    assert.match(error.message, /1 of 2 choices/);
  });

  it('choices that never send a finish reason are done when the stream ends', async () => {
    server = await startReplyServer((_req, res) => sse(res, [[{ index: 1, text: 'b' }, { index: 0, text: 'a' }]]));
    const { events, error } = await collect(streamChoices({ profile: aProfile({ baseUrl: server.baseUrl }), retryPolicy: fastRetry }, input, 2, new AbortController().signal));
    assert.equal(error, undefined);
    assert.deepEqual(events.filter((e) => e.type === 'done'), [
      { type: 'done', index: 0, text: 'a', finishReason: null, pieces: 1 },
      { type: 'done', index: 1, text: 'b', finishReason: null, pieces: 1 },
    ]);
  });

  it('429 before the first byte is retried; a stall mid-stream is a stalled error', async () => {
    let calls = 0;
    server = await startReplyServer((_req, res) => {
      if (++calls === 1) return jsonReply(res, 429, { error: { message: 'slow down' } }, { 'retry-after-ms': '5' });
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, text: 'x', finish_reason: null }] })}\n\n`);
      // ...and then nothing.
    });
    const profile = aProfile({ baseUrl: server.baseUrl, stallTimeoutMs: 100 });
    const { events, error } = await collect(streamChoices({ profile, retryPolicy: fastRetry }, input, 2, new AbortController().signal));
    assert.equal(calls, 2);
    assert.deepEqual(events, [{ type: 'delta', index: 0, text: 'x' }]);
    assert.ok(error instanceof EndpointError);
    assert.equal(error.kind, 'stalled');
  });

  it('an aborted signal ends the stream with cancelled and closes the connection', async () => {
    server = await startReplyServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, text: 'x', finish_reason: null }] })}\n\n`);
    });
    const controller = new AbortController();
    const stream = streamChoices({ profile: aProfile({ baseUrl: server.baseUrl }), retryPolicy: fastRetry }, input, 2, controller.signal);
    const first = await stream.next();
    assert.deepEqual(first.value, { type: 'delta', index: 0, text: 'x' });
    controller.abort();
    await assert.rejects(stream.next(), (error: unknown) => error instanceof EndpointError && error.kind === 'cancelled');
    await server.clientClosed;
  });
});
