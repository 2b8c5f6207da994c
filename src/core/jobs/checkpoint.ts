/**
 * The append-only checkpoint of a job: one JSON line per finished call, so a cancelled, crashed or
 * reloaded job resumes without repeating a call that was already paid for. A crash can cut the
 * last line short; reading skips a line that does not parse (it is only ever the unfinished last
 * one) and the next append starts on a fresh line.
 */
import { closeSync, createReadStream, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { UserFacingError, describeError } from '../errors';

export interface CheckpointRead<T> {
  readonly records: T[];
  /** Lines that did not parse or did not fit the record shape (a crash's truncated tail). */
  readonly skipped: number;
  /** Whether the file ends mid-line, so the next append needs a newline first. */
  readonly endsMidLine: boolean;
}

/**
 * Lines longer than this are skipped unparsed (counted in `skipped`): no record a job writes comes
 * near it (replies are capped far below), and reading one would hold it as a string at once.
 */
export const maxCheckpointLineBytes = 16 * 1024 * 1024;

/**
 * Reads every record `accept` recognises; a missing file is an empty checkpoint. The file is read
 * as a stream, line by line, so neither a huge file nor a huge line can exceed a string's length.
 */
export async function readCheckpoint<T>(file: string, accept: (value: unknown) => T | undefined, maxLineBytes = maxCheckpointLineBytes): Promise<CheckpointRead<T>> {
  const records: T[] = [];
  let skipped = 0;
  let parts: Buffer[] = [];
  let length = 0;
  let overlong = false;
  let lastByte = -1;
  const endLine = (): void => {
    if (overlong) skipped++;
    else if (length > 0) {
      const line = Buffer.concat(parts, length).toString('utf8');
      if (line.trim() !== '') {
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch {
          value = undefined;
        }
        const record = value === undefined ? undefined : accept(value);
        if (record === undefined) skipped++;
        else records.push(record);
      }
    }
    parts = [];
    length = 0;
    overlong = false;
  };
  const add = (piece: Buffer): void => {
    if (overlong || piece.length === 0) return;
    if (length + piece.length > maxLineBytes) {
      overlong = true;
      parts = [];
      length = 0;
      return;
    }
    parts.push(piece);
    length += piece.length;
  };
  try {
    for await (const chunk of createReadStream(file)) {
      const buffer = chunk as Buffer;
      let start = 0;
      for (let newline = buffer.indexOf(10); newline >= 0; newline = buffer.indexOf(10, start)) {
        add(buffer.subarray(start, newline));
        endLine();
        start = newline + 1;
      }
      add(buffer.subarray(start));
      if (buffer.length > 0) lastByte = buffer[buffer.length - 1] ?? -1;
    }
  } catch (error) {
    // ENOTDIR: a parent is a file, so there is no checkpoint (writing will say why it cannot).
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { records: [], skipped: 0, endsMidLine: false };
    throw error;
  }
  const endsMidLine = lastByte !== -1 && lastByte !== 10;
  endLine();
  return { records, skipped, endsMidLine };
}

/**
 * Appends records, one line each, with a synchronous write: when `append` returns, the line is in
 * the file (the page cache: the process may die, the machine must not), so a call never counts as
 * done before its record is safe from a SIGKILL. One small `writeSync` costs a few microseconds
 * (see bench/checkpointAppend.ts), less than the thread-pool hop of an async write.
 */
export class CheckpointWriter {
  private fd: number | undefined;
  private needsNewline: boolean;

  constructor(
    readonly file: string,
    endsMidLine = false,
  ) {
    this.needsNewline = endsMidLine;
  }

  /**
   * Opens the file for appending (creating its folder). Call it before the first paid call: a
   * folder that cannot be written then fails the job before anything is spent.
   */
  open(): void {
    if (this.fd !== undefined) return;
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      this.fd = openSync(this.file, 'a');
    } catch (error) {
      throw fileWriteError(this.file, error);
    }
  }

  /** Writes one line; throws a `UserFacingError` naming the file and the cause when it cannot. */
  append(record: unknown): void {
    this.open();
    const bytes = Buffer.from(`${this.needsNewline ? '\n' : ''}${JSON.stringify(record)}\n`);
    try {
      for (let offset = 0; offset < bytes.length; ) offset += writeSync(this.fd ?? -1, bytes, offset);
      this.needsNewline = false;
    } catch (error) {
      // Part of the line may be in the file: the next one starts on a fresh line.
      this.needsNewline = true;
      this.close();
      throw fileWriteError(this.file, error);
    }
  }

  close(): void {
    const fd = this.fd;
    this.fd = undefined;
    if (fd !== undefined) closeSync(fd);
  }
}

/** Why a file could not be written, in the user's terms: permission, read-only, full disk (and the path). */
export function fileWriteError(file: string, error: unknown): UserFacingError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  let what: string;
  if (code === 'EACCES' || code === 'EPERM') what = `no permission to write there (${code}). Choose a folder you can write to, or fix its permissions`;
  else if (code === 'EROFS') what = 'the file system is read-only (EROFS). Choose a writable folder';
  else if (code === 'ENOSPC' || code === 'EDQUOT') what = `the disk is full (${code}). Free disk space`;
  else if (code === 'ENOTDIR' || code === 'EISDIR') what = `a path component is not what it should be (${code}). Choose another output path`;
  else what = describeError(error);
  return new UserFacingError(`Cannot write ${file}: ${what}, then run again; calls already recorded are kept.`, { cause: error });
}
