// A deterministic judge over real HTTP (OpenAI chat completions, streamed) for fault injection and
// fixed latency only: replies without a score, 429 with retry-after, 500, stalls, garbage. Judging
// quality is never tested against it: its scores are a hash of the prompt.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopbackServer';

export interface JudgeRequest {
  /** 0-based arrival order. */
  readonly index: number;
  readonly system: string;
  readonly user: string;
  /** How many requests with this same user prompt arrived before this one. */
  readonly repeat: number;
  /** Arrival time (Date.now()). */
  readonly at: number;
  /** The request's `stream` field. */
  readonly stream: unknown;
}

export type JudgeAction =
  | { readonly kind: 'score' } // `Feedback: ... [RESULT] n` with n from the prompt's hash
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'status'; readonly status: number; readonly retryAfter?: string; readonly message?: string }
  | { readonly kind: 'stall' } // headers, then nothing
  | { readonly kind: 'garbage' } // 200 with a body that is not a chat completion stream
  | { readonly kind: 'json' } // the score reply as one chat.completion JSON body, whatever `stream` says
  | { readonly kind: 'html' }; // 200 with an HTML page (a proxy's or a login page)

export interface JudgeServerOptions {
  readonly plan?: (request: JudgeRequest) => JudgeAction;
  /** Fixed latency before the reply, plus a uniform jitter in [0, jitterMs), seeded. */
  readonly latencyMs?: number;
  readonly jitterMs?: number;
}

export interface JudgeServer {
  readonly baseUrl: string;
  readonly requests: JudgeRequest[];
  /** User prompts whose reply was fully written (for "no finished call is repeated" checks). */
  readonly completed: string[];
  close(): Promise<void>;
}

export function expectedScore(user: string): number {
  return (createHash('sha256').update(user).digest()[0] ?? 0) % 5 + 1;
}

/** A streamed chat completion of `text` (two content chunks, then usage and [DONE]). */
export function sseChat(res: ServerResponse, text: string): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const chunk = (delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}): string =>
    `data: ${JSON.stringify({ id: 'j', object: 'chat.completion.chunk', created: 0, model: 'fake-judge', choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;
  const half = Math.floor(text.length / 2);
  res.write(chunk({ role: 'assistant', content: text.slice(0, half) }, null));
  res.write(chunk({ content: text.slice(half) }, null));
  res.write(chunk({}, 'stop', { usage: { prompt_tokens: 500, completion_tokens: 60, total_tokens: 560 } }));
  res.end('data: [DONE]\n\n');
}

export async function startJudgeServer(options: JudgeServerOptions = {}): Promise<JudgeServer> {
  const requests: JudgeRequest[] = [];
  const completed: string[] = [];
  const seen = new Map<string, number>();
  let seed = 12345;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'GET' && req.url?.endsWith('/models')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ object: 'list', data: [{ id: 'fake-judge', object: 'model' }] }));
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { messages?: { role: string; content: string }[]; stream?: unknown };
      const system = body.messages?.find((m) => m.role === 'system')?.content ?? '';
      const user = body.messages?.find((m) => m.role === 'user')?.content ?? '';
      const repeat = seen.get(user) ?? 0;
      seen.set(user, repeat + 1);
      const request: JudgeRequest = { index: requests.length, system, user, repeat, at: Date.now(), stream: body.stream };
      requests.push(request);
      const action = options.plan?.(request) ?? { kind: 'score' };
      const delay = (options.latencyMs ?? 0) + random() * (options.jitterMs ?? 0);
      const reply = (): void => {
        if (res.destroyed) return;
        switch (action.kind) {
          case 'score':
            sseChat(res, `Feedback: The response meets the rubric in part. [RESULT] ${expectedScore(user)}`);
            break;
          case 'text':
            sseChat(res, action.text);
            break;
          case 'status':
            res.writeHead(action.status, { 'content-type': 'application/json', ...(action.retryAfter ? { 'retry-after': action.retryAfter } : {}) });
            res.end(JSON.stringify({ error: { message: action.message ?? `status ${action.status}`, type: 'fake', code: null } }));
            return;
          case 'stall':
            res.writeHead(200, { 'content-type': 'text/event-stream' });
            res.flushHeaders();
            return;
          case 'json':
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ id: 'j', object: 'chat.completion', model: 'fake-judge', choices: [{ index: 0, message: { role: 'assistant', content: `Feedback: The response meets the rubric in part. [RESULT] ${expectedScore(user)}` }, finish_reason: 'stop' }] }));
            break;
          case 'html':
            res.writeHead(200, { 'content-type': 'text/html' });
            res.end('<!doctype html><html><body><h1>Welcome to nginx!</h1></body></html>');
            return;
          case 'garbage':
            res.writeHead(200, { 'content-type': 'text/event-stream' });
            res.end('data: {not json at all\n\n');
            return;
        }
        completed.push(user);
      };
      if (delay > 0) setTimeout(reply, delay);
      else reply();
    });
  });
  const listening = await listenOnLoopback(server);
  return { ...listening, requests, completed };
}
