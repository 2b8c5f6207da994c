/**
 * The OpenAI Batch API as the batch judge job needs it: upload the input file, create a batch,
 * look at it, cancel it, download its output and error files. The implementation over the `openai`
 * package is `openaiBatchApi.ts`, kept apart so that code which only reads batch states does not
 * load the package (the extension loads it on the first request, not at activation).
 */

export const batchStatuses = ['validating', 'failed', 'in_progress', 'finalizing', 'completed', 'expired', 'cancelling', 'cancelled'] as const;
export type BatchStatus = (typeof batchStatuses)[number];

/** Statuses after which the batch never changes again. */
export function isTerminalStatus(status: BatchStatus): boolean {
  return status === 'failed' || status === 'completed' || status === 'expired' || status === 'cancelled';
}

export interface BatchCounts {
  readonly total: number;
  readonly completed: number;
  readonly failed: number;
}

/** What the job reads of a batch object. */
export interface BatchInfo {
  readonly id: string;
  readonly status: BatchStatus;
  readonly inputFileId: string;
  readonly outputFileId: string | null;
  readonly errorFileId: string | null;
  readonly counts: BatchCounts | undefined;
  /** `errors.data` of a failed batch, as "line 3: message (code)". */
  readonly errors: readonly string[];
}

export interface BatchApi {
  /** Uploads the JSONL input file at `file` as `name` with `purpose: 'batch'`; returns its file id. */
  uploadInput(name: string, file: string, signal?: AbortSignal): Promise<string>;
  create(inputFileId: string, metadata: Record<string, string>, signal?: AbortSignal): Promise<BatchInfo>;
  retrieve(batchId: string, signal?: AbortSignal): Promise<BatchInfo>;
  /** The most recent batches (one page), to find one created just before a crash. */
  recent(signal?: AbortSignal): Promise<BatchInfo[]>;
  cancel(batchId: string, signal?: AbortSignal): Promise<BatchInfo>;
  fileText(fileId: string, signal?: AbortSignal): Promise<string>;
}

