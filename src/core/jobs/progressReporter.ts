/**
 * Progress for a terminal-like sink: one line rewritten in place on a TTY, plain lines at most
 * every `plainEveryMs` otherwise (so CI logs stay readable), and always the final state.
 */
import type { JobProgress } from './progress';
import { formatProgress } from './progressText';

export interface TextSink {
  write(text: string): void;
  readonly isTTY?: boolean | undefined;
}

export interface ProgressReporter {
  update(progress: JobProgress): void;
  /** Ends the in-place line (TTY) or prints the last state (plain). */
  finish(): void;
}

export function progressReporter(sink: TextSink, unit: string, options: { readonly plainEveryMs?: number; readonly now?: () => number } = {}): ProgressReporter {
  const now = options.now ?? (() => Date.now());
  const every = sink.isTTY ? 100 : (options.plainEveryMs ?? 5000);
  let last: JobProgress | undefined;
  let printedAt = -Infinity;
  let printed: JobProgress | undefined;
  const print = (p: JobProgress): void => {
    const line = formatProgress(p, unit);
    sink.write(sink.isTTY ? `\r\x1b[2K${line}` : `${line}\n`);
    printed = p;
    printedAt = now();
  };
  return {
    update(progress) {
      last = progress;
      if (now() - printedAt >= every) print(progress);
    },
    finish() {
      if (last && last !== printed) print(last);
      if (sink.isTTY && printed) sink.write('\n');
    },
  };
}
