/**
 * The append-only checkpoint of a job: one JSON line per finished call, so a cancelled, crashed or
 * reloaded job resumes without repeating a call that was already paid for. A crash can cut the
 * last line short; reading skips a line that does not parse (it is only ever the unfinished last
 * one) and the next append starts on a fresh line.
 */
import type { FileHandle } from 'node:fs/promises';
import { mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';

export interface CheckpointRead<T> {
  readonly records: T[];
  /** Lines that did not parse or did not fit the record shape (a crash's truncated tail). */
  readonly skipped: number;
  /** Whether the file ends mid-line, so the next append needs a newline first. */
  readonly endsMidLine: boolean;
}

/** Reads every record `accept` recognises; a missing file is an empty checkpoint. */
export async function readCheckpoint<T>(file: string, accept: (value: unknown) => T | undefined): Promise<CheckpointRead<T>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], skipped: 0, endsMidLine: false };
    throw error;
  }
  const records: T[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      skipped++;
      continue;
    }
    const record = accept(value);
    if (record === undefined) skipped++;
    else records.push(record);
  }
  return { records, skipped, endsMidLine: text.length > 0 && !text.endsWith('\n') };
}

/**
 * Appends records, one line each, through one open file handle. Lines that arrive while a write
 * is in flight, or within `gatherMs` of the first line after a successful write, go out together
 * in one write (a group commit): a judge run finishes hundreds of calls a second, and a write per
 * line (a hop to libuv's thread pool and back each) was a visible share of the CLI's CPU time. An
 * append resolves only once its line is in the file, so nothing is reported done before that.
 */
export class CheckpointWriter {
  private handle: Promise<FileHandle> | undefined;
  private buffer: string[] = [];
  private waiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  private writing: Promise<void> | undefined;
  private needsNewline: boolean;
  private wroteOk = false;

  constructor(
    readonly file: string,
    endsMidLine = false,
    private readonly gatherMs = 50,
  ) {
    this.needsNewline = endsMidLine;
  }

  append(record: unknown): Promise<void> {
    this.buffer.push(`${this.needsNewline ? '\n' : ''}${JSON.stringify(record)}\n`);
    this.needsNewline = false;
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.writing ??= this.drain();
    return done;
  }

  private async drain(): Promise<void> {
    // Not before the first write, nor after a failed one: a disk that cannot take the checkpoint
    // must stop the job at once, not after another window of calls.
    if (this.wroteOk && this.gatherMs > 0) await new Promise((resolve) => setTimeout(resolve, this.gatherMs));
    while (this.buffer.length > 0) {
      const text = this.buffer.join('');
      const waiters = this.waiters;
      this.buffer = [];
      this.waiters = [];
      try {
        this.handle ??= mkdir(path.dirname(this.file), { recursive: true }).then(() => open(this.file, 'a'));
        await (await this.handle).write(text);
        this.wroteOk = true;
        for (const w of waiters) w.resolve();
      } catch (error) {
        // A full disk fails these lines' callers; the next append tries again with a fresh handle.
        this.handle = undefined;
        this.wroteOk = false;
        for (const w of waiters) w.reject(error);
      }
    }
    this.writing = undefined;
  }

  /** Resolves when every append so far has reached the file. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Flushes and closes the file handle. */
  async close(): Promise<void> {
    await this.flush();
    const handle = this.handle;
    this.handle = undefined;
    if (handle) await (await handle).close();
  }
}
