// A reward server that only misbehaves. The happy path runs against the real local engine (which
// serves /get_reward and /pooling); this one injects what the engine never does: being down, slow,
// the wrong number of scores, or garbage. It never returns a correct set of scores, so no test can
// pass on numbers that came from here. It records each request so tests can check what was sent.
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type RewardFault =
  /** Answers 503 only after `delayMs` (longer than the client's timeout in tests). */
  | { readonly kind: 'slow'; readonly delayMs: number }
  /** `delta` more (or fewer, when negative) scores than texts, in the shape of the route asked. */
  | { readonly kind: 'wrongCount'; readonly delta: number }
  /** A bare `NaN` where a score belongs, as Python's json.dumps writes it. */
  | { readonly kind: 'nan' }
  /** `value` as the last score (null, a string, a list of several numbers...). */
  | { readonly kind: 'nonNumber'; readonly value: unknown }
  | { readonly kind: 'notJson' }
  /** Valid JSON of the wrong shape. */
  | { readonly kind: 'wrongShape' }
  | { readonly kind: 'status'; readonly status: number; readonly body: string };

export interface SentRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: unknown;
}

export interface FaultyRewardServer {
  readonly url: string;
  readonly requests: SentRequest[];
  close(): Promise<void>;
}

function textsIn(body: unknown): number {
  const record = (body ?? {}) as { query?: unknown; input?: unknown };
  const texts = record.query ?? record.input;
  return Array.isArray(texts) ? texts.length : 1;
}

/** A placeholder score that no correct scorer may surface: faults never carry a full valid set. */
const junk = 0.25;

function scoresBody(path: string, values: readonly unknown[], raw = false): string {
  if (raw) {
    // Only used for NaN: JSON.stringify cannot write it.
    const list = values.map(String).join(', ');
    return path === '/classify' ? `{"data": [${values.map((v, i) => `{"index": ${i}, "label": "LABEL_0", "probs": [${String(v)}], "num_classes": 1}`).join(', ')}]}` : `{"rewards": [${list}]}`;
  }
  return JSON.stringify(path === '/classify' ? classifyBody(values) : { rewards: values });
}

/** vLLM's /classify reply as its docs show it (id, object, created, model, data rows, usage). */
export function classifyBody(values: readonly unknown[], numClasses = 1): unknown {
  return {
    id: 'classify-9bf17f2847b046c7b2d5495f4b4f9682',
    object: 'list',
    created: 1745383213,
    model: 'janus-rm-7b-classifier',
    data: values.map((v, i) => ({ index: i, label: 'LABEL_0', probs: numClasses === 1 ? [v] : [v, v], num_classes: numClasses })),
    usage: { prompt_tokens: 10 * values.length, total_tokens: 10 * values.length, completion_tokens: 0, prompt_tokens_details: null },
  };
}

function reply(res: ServerResponse, status: number, text: string): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(text);
}

export async function startFaultyRewardServer(fault: RewardFault): Promise<FaultyRewardServer> {
  const requests: SentRequest[] = [];
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const body = text === '' ? undefined : (JSON.parse(text) as unknown);
      requests.push({ method: req.method ?? '', path, headers: req.headers, body });
      const n = textsIn(body);
      switch (fault.kind) {
        case 'slow': {
          const timer = setTimeout(() => reply(res, 503, '{"error": {"message": "too slow"}}'), fault.delayMs);
          timers.add(timer);
          return;
        }
        case 'wrongCount':
          return reply(res, 200, scoresBody(path, Array.from({ length: Math.max(0, n + fault.delta) }, () => junk)));
        case 'nan':
          return reply(res, 200, scoresBody(path, Array.from({ length: n }, (_, i) => (i === n - 1 ? 'NaN' : junk)), true));
        case 'nonNumber':
          return reply(res, 200, scoresBody(path, Array.from({ length: n }, (_, i) => (i === n - 1 ? fault.value : junk))));
        case 'notJson':
          return reply(res, 200, '<html>Bad Gateway</html>');
        case 'wrongShape':
          return reply(res, 200, JSON.stringify({ scores: Array.from({ length: n }, () => junk) }));
        case 'status':
          return reply(res, fault.status, fault.body);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A URL on 127.0.0.1 where nothing listens (a port just bound and released): the server is down. */
export async function downRewardUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
