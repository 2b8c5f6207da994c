/**
 * Streamed replies arrive as chunks of per-choice deltas: `choices[i].text` from
 * `/v1/completions`, `choices[i].delta.content` from `/v1/chat/completions`. This turns both into
 * one shape and assembles each choice's text, finish reason and the usage some servers append.
 * The shapes are read defensively: OpenAI-compatible servers differ in what they leave out.
 */

export interface ChoiceDelta {
  readonly index: number;
  readonly text: string;
  readonly finishReason: string | null;
}

export interface TokenUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
}

export interface ChunkDeltas {
  readonly deltas: readonly ChoiceDelta[];
  readonly usage?: TokenUsage;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

function readUsage(chunk: Record<string, unknown>): TokenUsage | undefined {
  const usage = record(chunk['usage']);
  if (!usage) return undefined;
  const prompt = usage['prompt_tokens'];
  const completion = usage['completion_tokens'];
  if (typeof prompt !== 'number' || typeof completion !== 'number') return undefined;
  return { promptTokens: prompt, completionTokens: completion };
}

function readChoices(chunk: unknown, text: (choice: Record<string, unknown>) => unknown): ChunkDeltas {
  const body = record(chunk) ?? {};
  const choices = Array.isArray(body['choices']) ? body['choices'] : [];
  const deltas: ChoiceDelta[] = [];
  for (const [position, raw] of choices.entries()) {
    const choice = record(raw);
    if (!choice) continue;
    const index = typeof choice['index'] === 'number' ? choice['index'] : position;
    const value = text(choice);
    const finish = choice['finish_reason'];
    deltas.push({
      index,
      text: typeof value === 'string' ? value : '',
      finishReason: typeof finish === 'string' ? finish : null,
    });
  }
  const usage = readUsage(body);
  return usage ? { deltas, usage } : { deltas };
}

/** Deltas of one `/v1/completions` stream chunk. */
export function completionChunkDeltas(chunk: unknown): ChunkDeltas {
  return readChoices(chunk, (choice) => choice['text']);
}

/**
 * Deltas of one `/v1/chat/completions` stream chunk (role-only and empty deltas give ''), or of a
 * whole non-streamed reply (its `message.content`).
 */
export function chatChunkDeltas(chunk: unknown): ChunkDeltas {
  return readChoices(chunk, (choice) => record(choice['delta'])?.['content'] ?? record(choice['message'])?.['content']);
}

export interface AssembledChoice {
  readonly index: number;
  readonly text: string;
  readonly finishReason: string | null;
}

/** Accumulates chunks; `choices()` is the reply so far, ordered by choice index. */
export class StreamAssembler {
  private readonly parts = new Map<number, string[]>();
  private readonly finish = new Map<number, string>();
  private lastUsage: TokenUsage | undefined;

  push(chunk: ChunkDeltas): void {
    for (const delta of chunk.deltas) {
      let parts = this.parts.get(delta.index);
      if (!parts) {
        parts = [];
        this.parts.set(delta.index, parts);
      }
      if (delta.text !== '') parts.push(delta.text);
      if (delta.finishReason !== null) this.finish.set(delta.index, delta.finishReason);
    }
    if (chunk.usage) this.lastUsage = chunk.usage;
  }

  text(index = 0): string {
    return (this.parts.get(index) ?? []).join('');
  }

  finishReason(index = 0): string | null {
    return this.finish.get(index) ?? null;
  }

  get usage(): TokenUsage | undefined {
    return this.lastUsage;
  }

  choices(): AssembledChoice[] {
    return [...this.parts.keys()]
      .sort((a, b) => a - b)
      .map((index) => ({ index, text: this.text(index), finishReason: this.finishReason(index) }));
  }
}
