/**
 * The append-only checkpoint of a job: one JSON line per finished call, so a cancelled, crashed or
 * reloaded job resumes without repeating a call that was already paid for. A crash can cut the
 * last line short; reading skips a line that does not parse (it is only ever the unfinished last
 * one) and the next append starts on a fresh line.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
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
 * Appends records one line at a time. Appends are serialised so two calls finishing together
 * never interleave their bytes.
 */
export class CheckpointWriter {
  private chain: Promise<void> = Promise.resolve();
  private needsNewline: boolean;

  constructor(
    readonly file: string,
    endsMidLine = false,
  ) {
    this.needsNewline = endsMidLine;
  }

  append(record: unknown): Promise<void> {
    const line = `${this.needsNewline ? '\n' : ''}${JSON.stringify(record)}\n`;
    this.needsNewline = false;
    const next = this.chain.then(async () => {
      await mkdir(path.dirname(this.file), { recursive: true });
      await appendFile(this.file, line, 'utf8');
    });
    // A failed append (full disk) is reported to its caller; later appends still get their turn.
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Resolves when every append so far has reached the file. */
  flush(): Promise<void> {
    return this.chain;
  }
}
