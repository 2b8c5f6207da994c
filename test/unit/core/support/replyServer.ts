import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP server on 127.0.0.1 whose replies each test scripts: the client under test goes
 * through its whole stack (openai package, fetch, sockets). Only bad-behaviour cases use it; the
 * happy path runs against the real local engine in the integration suites.
 */
export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: unknown;
}

export interface ReplyServer {
  readonly baseUrl: string;
  readonly requests: RecordedRequest[];
  /** Resolves when the client closed a connection the server was still writing to. */
  readonly clientClosed: Promise<void>;
  close(): Promise<void>;
}

export type Handler = (req: RecordedRequest, res: ServerResponse) => void | Promise<void>;

export async function startReplyServer(handler: Handler): Promise<ReplyServer> {
  const requests: RecordedRequest[] = [];
  let markClosed: () => void = () => undefined;
  const clientClosed = new Promise<void>((resolve) => (markClosed = resolve));
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: text === '' ? undefined : JSON.parse(text) as unknown };
      requests.push(recorded);
      res.on('close', () => {
        if (!res.writableFinished) markClosed();
      });
      void handler(recorded, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    clientClosed,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Writes an SSE stream of completion chunks, one per text piece, then [DONE]. */
export function sseCompletion(res: ServerResponse, pieces: readonly string[], finishReason = 'stop'): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  pieces.forEach((text, i) => {
    const finish = i === pieces.length - 1 ? finishReason : null;
    res.write(`data: ${JSON.stringify({ object: 'text_completion', choices: [{ index: 0, text, finish_reason: finish }] })}\n\n`);
  });
  res.end('data: [DONE]\n\n');
}

export function jsonReply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
