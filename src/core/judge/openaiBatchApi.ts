/**
 * The Batch API through the `openai` package, like every other call (`endpoints/client.ts`); its
 * own retries are off, the job decides what to retry. Errors become `EndpointError`s whose message
 * names the origin and what to do.
 */
import { createReadStream } from 'node:fs';
import { OpenAI, toFile } from 'openai';
import * as z from 'zod';
import type { EndpointErrorContext, EndpointFixNames } from '../endpoints/endpointError';
import { EndpointError, badResponseError, cancelledError } from '../endpoints/endpointError';
import { toEndpointError } from '../endpoints/openaiErrors';
import type { BatchApi, BatchInfo } from './batchApi';
import { batchStatuses } from './batchApi';

export interface BatchApiOptions {
  readonly baseUrl: string;
  readonly apiKey?: string | undefined;
  /** The judge model, for messages. */
  readonly model: string;
  /** Per HTTP call; uploads of large inputs need more than a chat call's wait for headers. */
  readonly timeoutMs?: number | undefined;
  readonly fetch?: typeof fetch | undefined;
  /** What error messages tell the user to fix (the CLI's flags); default: the editor's settings. */
  readonly fixNames?: EndpointFixNames | undefined;
}

type OpenAIBatch = Awaited<ReturnType<OpenAI['batches']['retrieve']>>;

/**
 * What the job relies on in a batch object. The `openai` package returns whatever the body was
 * (a string for a non-JSON page): checked here, so a wrong shape is an error, never a batch with no
 * status polled forever or an upload with no file id taken as done.
 */
const batchShape = z.object({ id: z.string().min(1), status: z.enum(batchStatuses), input_file_id: z.string() }).loose();
const fileShape = z.object({ id: z.string().min(1) }).loose();

function describeBody(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  const clean = text.replace(/\s+/g, ' ').trim();
  return clean.length > 80 ? `${clean.slice(0, 79)}…` : clean;
}

function checked<T>(ctx: EndpointErrorContext, shape: z.ZodType<T>, what: string, value: unknown): T {
  const parsed = shape.safeParse(value);
  if (parsed.success) return parsed.data;
  const status = typeof value === 'object' && value !== null && 'id' in value ? ` without a valid "status" (one of ${batchStatuses.join(', ')})` : '';
  throw badResponseError(ctx, `${what}${status}: "${describeBody(value)}"`);
}

function batchInfo(batch: OpenAIBatch): BatchInfo {
  const counts = batch.request_counts;
  return {
    id: batch.id,
    status: batch.status,
    inputFileId: batch.input_file_id,
    outputFileId: batch.output_file_id ?? null,
    errorFileId: batch.error_file_id ?? null,
    counts: counts ? { total: counts.total, completed: counts.completed, failed: counts.failed } : undefined,
    errors: (batch.errors?.data ?? []).map((e) => `${e.line === null || e.line === undefined ? '' : `line ${e.line}: `}${e.message ?? 'error'}${e.code ? ` (${e.code})` : ''}`),
  };
}

/** The Batch API of the judge's OpenAI-compatible server. */
export function openaiBatchApi(options: BatchApiOptions): BatchApi {
  const timeoutMs = options.timeoutMs ?? 600_000;
  const openai = new OpenAI({
    baseURL: options.baseUrl,
    apiKey: options.apiKey ?? 'no-key',
    maxRetries: 0,
    timeout: timeoutMs,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const ctx: EndpointErrorContext = { role: 'judge', baseUrl: options.baseUrl, model: options.model, timeoutMs, stallTimeoutMs: timeoutMs, fixNames: options.fixNames, secret: options.apiKey };
  const call = async <T>(signal: AbortSignal | undefined, run: (o: { signal?: AbortSignal }) => Promise<T>): Promise<T> => {
    // A signal of its own per call: the package leaves its abort listener on the signal it gets,
    // and a job's signal lives through hundreds of looks (MaxListenersExceededWarning after 11).
    const local = new AbortController();
    const onAbort = (): void => local.abort(signal?.reason);
    if (signal?.aborted) local.abort(signal.reason);
    else signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await run(signal ? { signal: local.signal } : {});
    } catch (error) {
      if (error instanceof EndpointError) throw error;
      throw signal?.aborted ? cancelledError(ctx) : toEndpointError(error, ctx);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  };
  const batch = (value: unknown): BatchInfo => batchInfo(checked(ctx, batchShape, 'a batch object', value) as unknown as OpenAIBatch);
  return {
    uploadInput: (name, file, signal) =>
      call(signal, async (o) => checked(ctx, fileShape, 'not a file object', await openai.files.create({ file: await toFile(createReadStream(file), name, { type: 'application/jsonl' }), purpose: 'batch' }, o)).id),
    create: (inputFileId, metadata, signal) => call(signal, async (o) => batch(await openai.batches.create({ input_file_id: inputFileId, endpoint: '/v1/chat/completions', completion_window: '24h', metadata }, o))),
    retrieve: (batchId, signal) => call(signal, async (o) => batch(await openai.batches.retrieve(batchId, o))),
    recent: (signal) => call(signal, async (o) => (await openai.batches.list({ limit: 100 }, o)).data.map(batch)),
    cancel: (batchId, signal) => call(signal, async (o) => batch(await openai.batches.cancel(batchId, o))),
    fileText: (fileId, signal) => call(signal, async (o) => (await openai.files.content(fileId, o)).text()),
  };
}
