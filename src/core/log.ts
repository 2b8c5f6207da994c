/**
 * The logger core writes to. Each host implements it once: the extension with its "Janus" log
 * channel, the CLI with stderr. Core never decides where logs go.
 */
export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  /** `cause` is logged with its stack so a user report carries what went wrong underneath. */
  error(message: string, cause?: unknown): void;
}

/** For callers that have nowhere to log (tests, one-off probes). */
export const silentLogger: Logger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
