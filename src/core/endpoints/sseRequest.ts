/**
 * Streamed completions over `node:http(s)` instead of the `openai` package's fetch: a judge run
 * makes thousands of calls, and the package's request building, undici's fetch and web streams
 * cost about three times the CPU of a plain keep-alive request per call (measured by the scheduler
 * benchmark). Failures are thrown as the `openai` package's own error classes, so
 * `toEndpointError` maps both paths to the same `EndpointError`s; the SSE parsing follows the
 * package's (`data:` lines joined, `[DONE]` ends, a chunk with an `error` field throws).
 */
import http from 'node:http';
import https from 'node:https';
import { StringDecoder } from 'node:string_decoder';
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';

export interface SseRequest {
  /** Path under the base URL, e.g. `/chat/completions`. */
  readonly path: string;
  readonly body: unknown;
  readonly signal: AbortSignal;
  /** Longest wait for the response headers (as the `openai` package's `timeout`). */
  readonly timeoutMs: number;
}

/**
 * One keep-alive agent per origin, shared by every client of that server (Best-of-N makes a
 * client per candidate). Idle sockets are unref'd by the agent: they never keep a process alive.
 */
const agents = new Map<string, http.Agent>();

function agentFor(url: URL): http.Agent {
  let agent = agents.get(url.origin);
  if (!agent) {
    agent = url.protocol === 'https:' ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
    agents.set(url.origin, agent);
  }
  return agent;
}

export class SseTransport {
  private readonly secure: boolean;

  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
  ) {
    this.secure = baseUrl.startsWith('https:');
  }

  /** The base URL joined with `path` the way the `openai` package joins them. */
  url(path: string): URL {
    return new URL(this.baseUrl + (this.baseUrl.endsWith('/') && path.startsWith('/') ? path.slice(1) : path));
  }

  /** Sends the request; resolves with its parsed SSE chunks once a 2xx status and headers arrived. */
  post(request: SseRequest): Promise<AsyncIterable<unknown>> {
    const { signal } = request;
    if (signal.aborted) return Promise.reject(new APIUserAbortError());
    // Encoded once: its length and the bytes sent (a string would be measured, then encoded).
    const payload = Buffer.from(JSON.stringify(request.body));
    const send = this.secure ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const url = this.url(request.path);
      const req = send(url, {
        method: 'POST',
        agent: agentFor(url),
        headers: {
          accept: 'application/json',
          'content-type': 'application/json',
          'content-length': payload.length,
          authorization: `Bearer ${this.apiKey}`,
          'user-agent': 'janus-studio',
        },
      });
      let settled = false;
      const fail = (error: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        reject(error);
      };
      const onAbort = (): void => {
        req.destroy();
        fail(new APIUserAbortError());
      };
      const timer = setTimeout(() => {
        req.destroy();
        fail(new APIConnectionTimeoutError());
      }, request.timeoutMs);
      signal.addEventListener('abort', onAbort, { once: true });
      req.once('error', (error) => fail(new APIConnectionError({ cause: error })));
      req.once('response', (res) => {
        clearTimeout(timer);
        const status = res.statusCode ?? 0;
        if (status < 200 || status >= 300) {
          void readAll(res).then(
            (text) => fail(statusError(status, text, res.headers)),
            (error: unknown) => fail(new APIConnectionError({ cause: error as Error })),
          );
          return;
        }
        settled = true;
        resolve(sseChunks(res, signal, () => signal.removeEventListener('abort', onAbort)));
      });
      req.end(payload);
    });
  }
}

function webHeaders(headers: http.IncomingHttpHeaders): Headers {
  const out = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') out.set(name, value);
    else if (Array.isArray(value)) for (const v of value) out.append(name, v);
  }
  return out;
}

/** The error the `openai` package throws for this status and body. */
function statusError(status: number, text: string, headers: http.IncomingHttpHeaders): APIError {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return APIError.generate(status, json as object | undefined, json === undefined ? text : undefined, webHeaders(headers));
}

async function readAll(res: http.IncomingMessage): Promise<string> {
  res.setEncoding('utf8');
  let text = '';
  for await (const chunk of res) text += chunk as string;
  return text;
}

/**
 * The `data:` payloads of an event stream, parsed. A stream closed by `signal` ends quietly (as the
 * `openai` package's does; callers check their own signals); one the server cuts short throws.
 * `done` runs when the stream ends.
 */
async function* sseChunks(res: http.IncomingMessage, signal: AbortSignal, done: () => void): AsyncGenerator<unknown, void, undefined> {
  const headers = res.headers;
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let data: string[] = [];
  let event: string | null = null;
  let finished = false;
  try {
    for await (const chunk of res) {
      pending += decoder.write(chunk as Buffer);
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.charCodeAt(newline - 1) === 13 ? pending.slice(0, newline - 1) : pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        if (line === '') {
          if (event === null && data.length === 0) continue;
          const text = data.join('\n');
          const name = event;
          data = [];
          event = null;
          if (finished) continue;
          if (text.startsWith('[DONE]')) {
            finished = true;
            continue;
          }
          const parsed = JSON.parse(text) as { error?: object; message?: string } | null;
          if (name === 'error') throw new APIError(undefined, parsed?.error, parsed?.message, undefined);
          if (parsed?.error) throw new APIError(undefined, parsed.error, undefined, webHeaders(headers));
          yield parsed;
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? '' : line.slice(colon + 1);
        if (value.startsWith(' ')) value = value.slice(1);
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
      }
    }
  } catch (error) {
    if (error instanceof APIError || error instanceof SyntaxError) throw error;
    if (signal.aborted) return;
    throw new APIConnectionError({ cause: error as Error });
  } finally {
    done();
    // Stopping early (or a throw) must close the connection so the server frees its slot.
    if (!res.complete) res.destroy();
  }
}
