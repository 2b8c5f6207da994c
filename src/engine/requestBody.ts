// Reading a request's JSON body within bounds: a size cap per request (checked against
// Content-Length before a byte is read, and while reading), and one budget for the bytes all
// bodies being received hold together, so twenty slow uploads cannot pile up hundreds of MB.
// The server's own timeouts (see server.ts) end uploads that never finish.
import type http from 'node:http';
import { requireJsonContent } from './admission';
import { EngineHttpError } from './protocol';

/** The most any one body may hold. */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;
/**
 * A reward request's cap: up to 512 texts, each read only to its first 2048 tokens (about 8 KB of
 * English), fit in 4 MB; 8 MB leaves room for escapes and longer scripts while keeping twenty
 * concurrent uploads, with their parsed copies, well under the budget's memory.
 */
export const REWARD_BODY_BYTES = 8 * 1024 * 1024;
/** What all bodies being received may hold together. */
export const BODY_BUDGET_BYTES = 64 * 1024 * 1024;

const MB = 1024 * 1024;

/** Bytes held by bodies still being received, shared by one server's requests. */
export class BodyBudget {
  private held = 0;

  constructor(readonly limit = BODY_BUDGET_BYTES) {}

  get used(): number {
    return this.held;
  }

  take(bytes: number): boolean {
    if (this.held + bytes > this.limit) return false;
    this.held += bytes;
    return true;
  }

  give(bytes: number): void {
    this.held -= bytes;
  }
}

function tooLarge(limit: number, why: string): EngineHttpError {
  return new EngineHttpError(413, `The request body is over ${(limit / MB).toFixed(limit < MB ? 2 : 0)} MB (${why}); nothing this large fits this engine. Shorten the prompt or texts.`, 'invalid_request_error', 'request_too_large');
}

/**
 * The body parsed as JSON. It must be declared `application/json` (415 otherwise), be at most
 * `limit` bytes (413 without reading it when Content-Length says so) and fit the shared budget
 * (503 when other uploads hold it).
 */
export async function readJson(req: http.IncomingMessage, limit: number, budget: BodyBudget): Promise<unknown> {
  requireJsonContent(req);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit, `Content-Length ${declared}`);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      const buffer = chunk as Buffer;
      if (size + buffer.length > limit) throw tooLarge(limit, `${size + buffer.length} bytes received so far`);
      if (!budget.take(buffer.length)) {
        throw new EngineHttpError(503, `The engine is receiving ${Math.round(budget.used / MB)} MB of other request bodies; retry when those have arrived.`, 'unavailable_error', 'server_busy');
      }
      size += buffer.length;
      chunks.push(buffer);
    }
  } finally {
    budget.give(size);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new EngineHttpError(400, 'The request body is empty; send a JSON object.', 'invalid_request_error', 'invalid_json');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new EngineHttpError(400, `The request body is not valid JSON (${error instanceof Error ? error.message : String(error)}).`, 'invalid_request_error', 'invalid_json');
  }
}

/**
 * A generation body's cap: room for the longest prompt the context can take (`maxPromptChars`
 * characters, each at most 6 bytes as a JSON `\uXXXX` escape) plus the other fields.
 */
export function generationBodyLimit(maxPromptChars: number): number {
  return Math.min(MAX_BODY_BYTES, Math.max(MB, maxPromptChars * 6 + 64 * 1024));
}
