// A fake OpenAI Batch API over real HTTP (files upload/content, batches create/retrieve/list/cancel,
// and live chat completions at the same base URL, as the real API) for the batch judge: no hosted API is reachable from the tests, and the faults worth testing
// (failed, expired, cancelled batches, error-file lines, replies without a score, rejected uploads,
// a look that fails) have to be injected. Its replies are the live fake judge's (`judgeServer.ts`):
// a score from the prompt's hash, so a batch and a live run of the same bench can be compared.
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import { expectedScore, sseChat } from './judgeServer';
import { listenOnLoopback } from './loopbackServer';

export type BatchReply =
  | { readonly kind: 'score' }
  | { readonly kind: 'text'; readonly text: string }
  /** A line in the error file. */
  | { readonly kind: 'error'; readonly message: string };

export interface BatchServerOptions {
  /** The reply to one request of the input file (`customId` is empty for a live chat request). */
  readonly reply?: (request: { readonly customId: string; readonly user: string }) => BatchReply;
  /** How the batch ends, after `looksToFinish` looks (retrieve calls) since its creation. Default completed. */
  readonly outcome?: 'completed' | 'failed' | 'expired';
  readonly looksToFinish?: number;
  /** Expired and cancelled batches finish this many requests first (their output is partial). */
  readonly finishedBeforeEnd?: number;
  /** Errors a failed batch lists. */
  readonly failedErrors?: readonly { readonly code: string; readonly message: string; readonly line?: number }[];
  /** An HTTP status for the upload (e.g. 413, 401) instead of accepting it. */
  readonly uploadStatus?: number;
  /** An HTTP status for the nth look (1-based) instead of the batch. */
  readonly lookStatus?: (look: number) => number | undefined;
  /** A completed batch without its output file (the server lost it). */
  readonly dropOutputFile?: boolean;
  /** A 200 reply to the upload with this body and content type instead of a file object (a proxy's page). */
  readonly uploadReply?: { readonly type: string; readonly body: string };
  /** Batch objects without their `status` field (a server that is not quite the Batch API). */
  readonly omitStatus?: boolean;
}

export interface FakeBatch {
  id: string;
  inputFileId: string;
  status: string;
  looks: number;
  createdAt: number;
  metadata: Record<string, string>;
  outputFileId: string | null;
  errorFileId: string | null;
  requests: { customId: string; user: string }[];
  cancelRequested: boolean;
  total: number;
  completed: number;
  failed: number;
}

export interface BatchServer {
  readonly baseUrl: string;
  /** Every uploaded file's text, in order. */
  readonly uploads: string[];
  readonly batches: FakeBatch[];
  /** Calls by kind: upload, create, retrieve, list, cancel, content. */
  readonly calls: Record<string, number>;
  /** User prompts of live chat completion requests, in order. */
  readonly chats: string[];
  /** From now on, batches end at their nth look (0: at the next one). */
  finishAfter(looks: number): void;
  close(): Promise<void>;
}

/** The fake judge's scored reply (as `judgeServer.ts` writes it). */
function scoredReply(user: string): string {
  return `Feedback: The response meets the rubric in part. [RESULT] ${expectedScore(user)}`;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function apiError(res: ServerResponse, status: number, message: string): void {
  json(res, status, { error: { message, type: 'invalid_request_error', code: null } });
}

export async function startBatchServer(options: BatchServerOptions = {}): Promise<BatchServer> {
  const files = new Map<string, string>();
  const uploads: string[] = [];
  const chats: string[] = [];
  const batches: FakeBatch[] = [];
  const calls: Record<string, number> = { upload: 0, create: 0, retrieve: 0, list: 0, cancel: 0, content: 0 };
  let looks = 0;
  let looksToFinish = options.looksToFinish ?? 2;

  const replyLine = (batch: FakeBatch, r: { customId: string; user: string }, i: number): { out?: string; err?: string } => {
    const action = options.reply?.(r) ?? { kind: 'score' };
    if (action.kind === 'error') {
      return { err: JSON.stringify({ id: `batch_req_${i}`, custom_id: r.customId, response: null, error: { code: 'server_error', message: action.message } }) };
    }
    const content = action.kind === 'text' ? action.text : scoredReply(r.user);
    return {
      out: JSON.stringify({
        id: `batch_req_${i}`,
        custom_id: r.customId,
        response: { status_code: 200, request_id: `req_${i}`, body: { id: `chatcmpl-${i}`, object: 'chat.completion', model: 'fake-judge', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] } },
        error: null,
      }),
    };
  };

  /** Ends the batch: output and error files of the requests it got to, output lines in reverse order. */
  const finish = (batch: FakeBatch, status: string, count: number): void => {
    const out: string[] = [];
    const err: string[] = [];
    batch.requests.slice(0, count).forEach((r, i) => {
      const line = replyLine(batch, r, i);
      if (line.out) out.push(line.out);
      if (line.err) err.push(line.err);
    });
    // Out of order, as the real API may return them.
    out.reverse();
    if (out.length > 0 && !options.dropOutputFile) {
      batch.outputFileId = `file-out-${batch.id}`;
      files.set(batch.outputFileId, `${out.join('\n')}\n`);
    }
    if (err.length > 0) {
      batch.errorFileId = `file-err-${batch.id}`;
      files.set(batch.errorFileId, `${err.join('\n')}\n`);
    }
    batch.status = status;
    batch.completed = out.length;
    batch.failed = err.length;
  };

  const view = (b: FakeBatch): Record<string, unknown> => ({
    id: b.id,
    object: 'batch',
    endpoint: '/v1/chat/completions',
    errors: b.status === 'failed' ? { object: 'list', data: (options.failedErrors ?? [{ code: 'invalid_request', message: 'the input file is invalid' }]).map((e) => ({ ...e, param: null, line: e.line ?? null })) } : null,
    input_file_id: b.inputFileId,
    completion_window: '24h',
    ...(options.omitStatus ? {} : { status: b.status }),
    output_file_id: b.outputFileId,
    error_file_id: b.errorFileId,
    created_at: b.createdAt,
    request_counts: { total: b.total, completed: b.completed, failed: b.failed },
    metadata: b.metadata,
  });

  const look = (b: FakeBatch): void => {
    b.looks++;
    if (['completed', 'failed', 'expired', 'cancelled'].includes(b.status)) return;
    if (b.cancelRequested) {
      finish(b, 'cancelled', Math.min(options.finishedBeforeEnd ?? 0, b.requests.length));
      return;
    }
    const end = looksToFinish;
    if (b.looks >= end) {
      const outcome = options.outcome ?? 'completed';
      if (outcome === 'failed') b.status = 'failed';
      else if (outcome === 'expired') finish(b, 'expired', Math.min(options.finishedBeforeEnd ?? 0, b.requests.length));
      else finish(b, 'completed', b.requests.length);
    } else {
      b.status = b.looks < end - 1 ? 'in_progress' : 'finalizing';
      b.completed = Math.floor((b.requests.length * b.looks) / end);
    }
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://x');
        const route = url.pathname.replace(/^\/v1/, '');
        const body = Buffer.concat(chunks);
        if (req.method === 'GET' && route === '/models') return json(res, 200, { object: 'list', data: [{ id: 'fake-judge', object: 'model' }] });
        if (req.method === 'POST' && route === '/chat/completions') {
          const params = JSON.parse(body.toString('utf8')) as { messages: { role: string; content: string }[] };
          const user = params.messages.find((m) => m.role === 'user')?.content ?? '';
          chats.push(user);
          const action = options.reply?.({ customId: '', user }) ?? { kind: 'score' };
          if (action.kind === 'error') return apiError(res, 500, action.message);
          return sseChat(res, action.kind === 'text' ? action.text : scoredReply(user));
        }
        if (req.method === 'POST' && route === '/files') {
          calls['upload']!++;
          if (options.uploadStatus !== undefined) return apiError(res, options.uploadStatus, options.uploadStatus === 413 ? 'File too large' : `upload rejected (${options.uploadStatus})`);
          if (options.uploadReply) {
            res.writeHead(200, { 'content-type': options.uploadReply.type });
            res.end(options.uploadReply.body);
            return;
          }
          const form = await new Response(body, { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData();
          const file = form.get('file');
          if (form.get('purpose') !== 'batch' || !(file instanceof Blob)) return apiError(res, 400, 'expected purpose=batch and a file');
          const text = await file.text();
          const id = `file-in-${uploads.length + 1}`;
          uploads.push(text);
          files.set(id, text);
          return json(res, 200, { id, object: 'file', bytes: body.length, created_at: 0, filename: 'input.jsonl', purpose: 'batch', status: 'processed' });
        }
        if (req.method === 'POST' && route === '/batches') {
          calls['create']!++;
          const params = JSON.parse(body.toString('utf8')) as { input_file_id: string; endpoint: string; completion_window: string; metadata?: Record<string, string> };
          const input = files.get(params.input_file_id);
          if (input === undefined) return apiError(res, 404, `No such file: ${params.input_file_id}`);
          if (params.endpoint !== '/v1/chat/completions' || params.completion_window !== '24h') return apiError(res, 400, 'bad endpoint or completion_window');
          const requests = input
            .split('\n')
            .filter((l) => l.trim() !== '')
            .map((l) => {
              const line = JSON.parse(l) as { custom_id: string; body: { messages: { role: string; content: string }[] } };
              return { customId: line.custom_id, user: line.body.messages.find((m) => m.role === 'user')?.content ?? '' };
            });
          const batch: FakeBatch = {
            id: `batch_${batches.length + 1}`,
            inputFileId: params.input_file_id,
            status: 'validating',
            looks: 0,
            createdAt: batches.length,
            metadata: params.metadata ?? {},
            outputFileId: null,
            errorFileId: null,
            requests,
            cancelRequested: false,
            total: requests.length,
            completed: 0,
            failed: 0,
          };
          batches.push(batch);
          return json(res, 200, view(batch));
        }
        if (req.method === 'GET' && route === '/batches') {
          calls['list']!++;
          return json(res, 200, { object: 'list', data: [...batches].reverse().map(view), has_more: false, first_id: null, last_id: null });
        }
        const batchMatch = /^\/batches\/([^/]+)(\/cancel)?$/.exec(route);
        if (batchMatch) {
          const batch = batches.find((b) => b.id === batchMatch[1]);
          if (!batch) return apiError(res, 404, `No batch found with id '${batchMatch[1]}'`);
          if (req.method === 'POST' && batchMatch[2]) {
            calls['cancel']!++;
            if (!['completed', 'failed', 'expired', 'cancelled'].includes(batch.status)) {
              batch.cancelRequested = true;
              batch.status = 'cancelling';
            }
            return json(res, 200, view(batch));
          }
          calls['retrieve']!++;
          looks++;
          const status = options.lookStatus?.(looks);
          if (status !== undefined) return apiError(res, status, `look ${looks} failed`);
          look(batch);
          return json(res, 200, view(batch));
        }
        const contentMatch = /^\/files\/([^/]+)\/content$/.exec(route);
        if (req.method === 'GET' && contentMatch) {
          calls['content']!++;
          const text = files.get(contentMatch[1] ?? '');
          if (text === undefined) return apiError(res, 404, `No such File object: ${contentMatch[1]}`);
          res.writeHead(200, { 'content-type': 'application/octet-stream' });
          return res.end(text);
        }
        return apiError(res, 404, `no route ${req.method} ${route}`);
      })();
    });
  });
  const listening = await listenOnLoopback(server);
  return { ...listening, uploads, chats, batches, calls, finishAfter: (n) => void (looksToFinish = n) };
}
