/**
 * Errors whose message is written for the user: it says what happened and what to do next, and
 * never contains a secret. Hosts show `message` as is and log `cause` for the details.
 */
export class UserFacingError extends Error {
  override readonly name: string = 'UserFacingError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A readable one-line description of anything thrown, for logs. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

/** True when `error` is what an aborted `AbortSignal` throws, whichever API threw it. */
export function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'APIUserAbortError');
}
