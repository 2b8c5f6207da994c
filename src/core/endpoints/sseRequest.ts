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
  /** Most bytes one event (or a whole JSON body) may hold before the reply is refused as too large. */
  readonly maxBytes?: number | undefined;
  /** Called whenever body bytes arrive (a keep-alive comment too): the stream is not stalled. */
  readonly onBytes?: (() => void) | undefined;
}

/**
 * A 2xx body that is neither an event stream nor a JSON completion (an HTML page, plain text), or
 * one over the size limit: mapped to a named `EndpointError` by `toEndpointError`, never retried.
 */
export class UnreadableBodyError extends Error {
  override readonly name = 'UnreadableBodyError';
  constructor(
    message: string,
    readonly tooLarge = false,
  ) {
    super(message);
  }
}

/**
 * A connection that failed after part of the reply arrived: not "could not be reached". `bytes`
 * is how much of the body had arrived.
 */
export class StreamInterruptedError extends Error {
  override readonly name = 'StreamInterruptedError';
  constructor(
    readonly bytes: number,
    options: { cause: unknown },
  ) {
    super(`the connection closed after ${bytes} bytes of the reply`, options);
  }
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
        resolve(replyChunks(res, signal, request.maxBytes ?? Number.POSITIVE_INFINITY, () => signal.removeEventListener('abort', onAbort), request.onBytes));
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

/** What a body starting with `text` is: SSE, one JSON document, or neither (undefined: not known yet). */
function sniff(text: string): 'sse' | 'json' | 'other' | undefined {
  const start = text.search(/\S/);
  if (start < 0) return undefined;
  const first = text[start];
  if (first === '{' || first === '[') return 'json';
  if (first === ':') return 'sse';
  const line = /^[^\r\n]*/.exec(text.slice(start))?.[0] ?? '';
  if (/^(data|event|id|retry)(:|$)/.test(line)) return 'sse';
  // Wait for the end of the first line before calling it something else (up to a short limit).
  return line.length < text.length - start || line.length > 16 ? 'other' : undefined;
}

function snippet(text: string): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  return clean.length > 80 ? `${clean.slice(0, 79)}…` : clean;
}

/**
 * The reply's chunks: the `data:` payloads of an event stream, parsed, or (from a server that
 * ignores `stream: true`, or when none was asked) the one JSON completion of the body. A stream
 * closed by `signal` ends quietly (as the `openai` package's does; callers check their own
 * signals); one the server cuts short throws. `done` runs when the reply ends.
 */
async function* replyChunks(res: http.IncomingMessage, signal: AbortSignal, maxBytes: number, done: () => void, onBytes?: () => void): AsyncGenerator<unknown, void, undefined> {
  const headers = res.headers;
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let data: string[] = [];
  let dataLength = 0;
  let event: string | null = null;
  let finished = false;
  let mode: 'sse' | 'json' | 'other' | undefined;
  let received = 0;
  const tooLarge = (): UnreadableBodyError => new UnreadableBodyError(`a reply over the ${maxBytes} bytes it may have`, true);
  try {
    for await (const chunk of res) {
      received += (chunk as Buffer).length;
      onBytes?.();
      pending += decoder.write(chunk as Buffer);
      mode ??= sniff(pending);
      if (mode === undefined) continue;
      if (mode === 'other') throw new UnreadableBodyError(`a ${headers['content-type'] ?? 'untyped'} body that is neither an event stream nor a JSON completion: "${snippet(pending)}"`);
      if (mode === 'json') {
        if (pending.length > maxBytes) throw tooLarge();
        continue;
      }
      if (pending.length > maxBytes) throw tooLarge();
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.charCodeAt(newline - 1) === 13 ? pending.slice(0, newline - 1) : pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        if (line === '') {
          if (event === null && data.length === 0) continue;
          const text = data.join('\n');
          const name = event;
          data = [];
          dataLength = 0;
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
        else if (field === 'data') {
          dataLength += value.length;
          if (dataLength > maxBytes) throw tooLarge();
          data.push(value);
        }
      }
    }
    pending += decoder.end();
    if (mode === undefined && pending.trim() !== '') throw new UnreadableBodyError(`a ${headers['content-type'] ?? 'untyped'} body that is neither an event stream nor a JSON completion: "${snippet(pending)}"`);
    if (mode === 'json') {
      const parsed = JSON.parse(pending) as { error?: object } | null;
      if (parsed?.error) throw new APIError(undefined, parsed.error, undefined, webHeaders(headers));
      yield parsed;
    }
  } catch (error) {
    if (error instanceof APIError || error instanceof SyntaxError || error instanceof UnreadableBodyError) throw error;
    if (signal.aborted) return;
    throw received > 0 ? new StreamInterruptedError(received, { cause: error }) : new APIConnectionError({ cause: error as Error });
  } finally {
    done();
    // Stopping early (or a throw) must close the connection so the server frees its slot.
    if (!res.complete) res.destroy();
  }
}
