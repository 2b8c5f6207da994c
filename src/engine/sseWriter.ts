// The streamed answer of one generation: OpenAI-shaped SSE chunks (`data: {...}\n\n`, one choice
// each, demultiplexed by `choices[].index`), written cheaply enough that streaming costs about what
// not streaming does:
// - every chunk is a precomputed prefix (id, object, created, model) + the choice index + the
//   JSON-escaped text + a fixed suffix; only the delta is escaped, no object is built or serialised;
// - writes are coalesced in time: the first chunk leaves at once (first-token latency), later ones
//   wait until `intervalMs` has passed since the last write and then leave together in one socket
//   write. A slow model (a token every > intervalMs) still sends every token as it comes; a fast one
//   costs one write (syscall, client wake-up) per interval instead of one per token.
// Every delta stays its own chunk, in the order it was produced: a client that counts a choice's
// pieces (core/bestOfN/tokenCounts.ts) still gets one per token.
import type http from 'node:http';
import type { FinishReason, Usage } from './protocol';

/** Long enough to fold several tokens of a fast model into one write, far below what anyone sees. */
export const STREAM_INTERVAL_MS = 8;

export type StreamKind = 'completion' | 'chat';

export interface StreamIdentity {
  readonly kind: StreamKind;
  readonly id: string;
  readonly created: number;
  readonly model: string;
}

export class ChoiceStreamWriter {
  /** `data: {"id":..,"object":..,"created":..,"model":..,"choices":[{"index":` */
  private readonly head: string;
  private readonly object: string;
  /** Chat: choices whose first chunk (the one with `role`) has gone out. */
  private readonly started = new Set<number>();
  /** Chunks formatted and waiting for the next write. */
  private buffer = '';
  private lastWrite = -Infinity;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly res: http.ServerResponse,
    private readonly identity: StreamIdentity,
    private readonly intervalMs = STREAM_INTERVAL_MS,
  ) {
    this.object = identity.kind === 'chat' ? 'chat.completion.chunk' : 'text_completion';
    this.head = `data: {"id":${JSON.stringify(identity.id)},"object":${JSON.stringify(this.object)},"created":${identity.created},"model":${JSON.stringify(identity.model)},"choices":[{"index":`;
  }

  /** Starts the event stream (status and headers leave at once). */
  open(): void {
    this.res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    this.res.flushHeaders();
  }

  delta(index: number, text: string): void {
    if (text === '') return;
    this.buffer += this.chunk(index, text, null);
    this.schedule();
  }

  /** A choice ended: its finish chunk. */
  done(index: number, finishReason: FinishReason): void {
    this.buffer += this.chunk(index, '', finishReason);
    this.schedule();
  }

  /** Everything held, the usage chunk and `data: [DONE]`, then the response ends. */
  end(usage: Usage): void {
    this.clearTimer();
    if (this.res.writableEnded) return;
    const body = { id: this.identity.id, object: this.object, created: this.identity.created, model: this.identity.model, choices: [], usage };
    this.res.end(`${this.buffer}data: ${JSON.stringify(body)}\n\n` + 'data: [DONE]\n\n');
    this.buffer = '';
  }

  /** Writes whatever is held now (before an error event, say). */
  flush(): void {
    this.clearTimer();
    this.write();
  }

  /** Drops a scheduled write (the client went away). */
  close(): void {
    this.clearTimer();
  }

  private schedule(): void {
    const sinceLast = performance.now() - this.lastWrite;
    if (sinceLast >= this.intervalMs) {
      this.flush();
    } else {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, this.intervalMs - sinceLast);
    }
  }

  private write(): void {
    if (this.buffer === '' || this.res.writableEnded || this.res.destroyed) return;
    this.res.write(this.buffer);
    this.buffer = '';
    this.lastWrite = performance.now();
  }

  /** One chunk, byte for byte what JSON.stringify of the chunk object gives. */
  private chunk(index: number, text: string, finishReason: FinishReason | null): string {
    const finish = finishReason === null ? 'null' : `"${finishReason}"`;
    if (this.identity.kind === 'completion') {
      return `${this.head}${index},"text":${JSON.stringify(text)},"logprobs":null,"finish_reason":${finish}}]}\n\n`;
    }
    let delta: string;
    if (finishReason !== null && text === '') {
      delta = '{}';
    } else if (this.started.has(index)) {
      delta = `{"content":${JSON.stringify(text)}}`;
    } else {
      this.started.add(index);
      delta = `{"role":"assistant","content":${JSON.stringify(text)}}`;
    }
    return `${this.head}${index},"delta":${delta},"logprobs":null,"finish_reason":${finish}}]}\n\n`;
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
