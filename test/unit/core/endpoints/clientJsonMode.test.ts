import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import type { GenerationEvent } from '../../../../src/core/endpoints/client';
import { EndpointClient } from '../../../../src/core/endpoints/client';
import type { ReplyServer } from '../support/replyServer';
import { sseCompletion, startReplyServer } from '../support/replyServer';
import { aProfile } from '../support/builders';

async function drain(stream: AsyncIterable<GenerationEvent>): Promise<void> {
  for await (const event of stream) void event;
}

function chatReply(_req: unknown, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.end(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: '{}' }, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`);
}

describe('EndpointClient JSON mode', () => {
  let server: ReplyServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('asks a chat endpoint for a JSON object only when asked', async () => {
    server = await startReplyServer(chatReply);
    const client = new EndpointClient(aProfile({ baseUrl: server.baseUrl, format: 'chat' }));
    await drain(client.generateStream({ system: 's', prompt: 'p' }, new AbortController().signal, { jsonMode: true }));
    await drain(client.generateStream({ system: 's', prompt: 'p' }, new AbortController().signal));
    const [withJson, without] = server.requests.map((r) => r.body as Record<string, unknown>);
    assert.deepEqual(withJson?.['response_format'], { type: 'json_object' });
    assert.equal(without !== undefined && 'response_format' in without, false);
  });

  it('sends no response_format to raw completions, which have no such field', async () => {
    server = await startReplyServer((_req, res) => sseCompletion(res, ['{}']));
    const client = new EndpointClient(aProfile({ baseUrl: server.baseUrl }));
    await drain(client.generateStream({ system: 's', prompt: 'p' }, new AbortController().signal, { jsonMode: true }));
    assert.equal('response_format' in (server.requests[0]!.body as Record<string, unknown>), false);
  });
});
