/**
 * Replies already paid for, keyed by (model identity, prompt text, sampling, sample number), kept
 * across runs in an append-only JSONL file: evaluating the same responses with the same judge
 * again costs nothing. Only useful replies are cached (a judge reply without a score is not).
 */
import type { TokenUsage } from '../endpoints/streamAssembly';
import { CheckpointWriter, readCheckpoint } from './checkpoint';

export interface CachedCall {
  readonly text: string;
  readonly usage?: TokenUsage | undefined;
}

export interface CallCache {
  get(key: string): CachedCall | undefined;
  put(key: string, value: CachedCall): Promise<void>;
  /** Flushes and releases the file, if any. */
  close(): Promise<void>;
}

function accept(value: unknown): { key: string; text: string; usage?: TokenUsage } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { key, text } = value as { key?: unknown; text?: unknown };
  return typeof key === 'string' && typeof text === 'string' ? (value as { key: string; text: string; usage?: TokenUsage }) : undefined;
}

export async function openCallCache(file: string): Promise<CallCache> {
  const read = await readCheckpoint(file, accept);
  const entries = new Map<string, CachedCall>(read.records.map((r) => [r.key, { text: r.text, usage: r.usage }]));
  const writer = new CheckpointWriter(file, read.endsMidLine);
  writer.open();
  return {
    get: (key) => entries.get(key),
    async put(key, value) {
      if (entries.has(key)) return;
      entries.set(key, value);
      writer.append({ key, text: value.text, ...(value.usage ? { usage: value.usage } : {}) });
    },
    close: async () => writer.close(),
  };
}

/** For hosts that want no cache (and for tests). */
export function memoryCallCache(): CallCache {
  const entries = new Map<string, CachedCall>();
  return { get: (key) => entries.get(key), put: async (key, value) => void entries.set(key, value), close: async () => undefined };
}
