import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { parseRetryAfter } from '../jobs/retry';
import type { EndpointErrorContext } from './endpointError';
import { EndpointError, maskSecret, badResponseError, cancelledError, causeCode, httpError, interruptedError, timeoutError, unreachableError } from './endpointError';
import { StreamInterruptedError } from './sseRequest';

// Kept apart from endpointError.ts so that code which only shows or classifies errors does not
// load the `openai` package (the extension loads it on the first request, not at activation).

/**
 * Maps whatever the `openai` package (or fetch) threw into an `EndpointError`. Callers decide
 * "cancelled" and "stalled" themselves, since only they know which signal fired.
 */
export function toEndpointError(error: unknown, ctx: EndpointErrorContext, nowMs: number = Date.now()): EndpointError {
  if (error instanceof EndpointError) return error;
  // The original error is kept as `cause` and logged: mask the key in what the server said there too.
  if (error instanceof Error && ctx.secret !== undefined) error.message = maskSecret(error.message, ctx.secret);
  if (error instanceof APIConnectionTimeoutError) return timeoutError(ctx, error);
  if (error instanceof APIUserAbortError) return cancelledError(ctx);
  if (error instanceof StreamInterruptedError) return interruptedError(ctx, error.bytes, error.cause);
  if (error instanceof APIConnectionError) return unreachableError(ctx, error.cause ?? error);
  if (error instanceof APIError && typeof error.status === 'number') {
    const headers = error.headers;
    const retryAfter = headers ? parseRetryAfter((name) => headers.get(name), nowMs) : undefined;
    const body = error.error as { message?: unknown } | undefined;
    const detail = typeof body?.message === 'string' ? body.message : error.message;
    return httpError(ctx, error.status, detail, retryAfter, error);
  }
  if (error instanceof TypeError && causeCode(error) !== undefined) return unreachableError(ctx, error);
  return badResponseError(ctx, error instanceof Error ? error.message : String(error), error);
}
