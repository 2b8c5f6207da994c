/**
 * Where a Parquet bench's bytes come from: one `.parquet` file, or a folder of Hugging Face
 * `train-*.parquet` shards read in name order (their rows numbered on from one shard to the next,
 * as `datasets.load_dataset` concatenates them). Files are read by range through a file handle,
 * so a reader holds one row group at a time, never the whole file; and they are hashed (sha256)
 * so results can name the exact content they were computed from.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { AsyncBuffer } from 'hyparquet';
import { UserFacingError } from '../errors';

const magic = 'PAR1';
const shardPattern = /^train-.*\.parquet$/i;

/** True for a path that names a Parquet file (by extension; the content is checked on reading). */
export function isParquetPath(file: string): boolean {
  return /\.parquet$/i.test(file);
}

/**
 * The files a bench path stands for: the file itself, or the folder's `train-*.parquet` shards in
 * name order (also inside its `data/` folder, the layout of a downloaded dataset repository).
 */
export async function parquetShards(target: string): Promise<string[]> {
  let info;
  try {
    info = await stat(target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserFacingError(code === 'ENOENT' ? `The bench ${target} does not exist. Check the path.` : `Cannot read the bench ${target} (${code ?? String(error)}).`, { cause: error });
  }
  if (!info.isDirectory()) return [target];
  for (const folder of [target, path.join(target, 'data')]) {
    const names = await readdir(folder).catch(() => [] as string[]);
    const shards = names.filter((n) => shardPattern.test(n)).sort();
    if (shards.length > 0) return shards.map((n) => path.join(folder, n));
  }
  const others = (await readdir(target)).filter(isParquetPath);
  const hint = others.length > 0 ? ` It has ${others.slice(0, 3).join(', ')}${others.length > 3 ? ', ...' : ''}: pass one of them with --bench.` : '';
  throw new UserFacingError(`The folder ${target} has no train-*.parquet shards (nor has its data/ folder).${hint}`);
}

/** A file open for ranged reads, as hyparquet wants it; close it when done. */
export interface ParquetFile {
  readonly path: string;
  readonly buffer: AsyncBuffer;
  close(): Promise<void>;
}

async function readRange(handle: FileHandle, start: number, end: number): Promise<ArrayBuffer> {
  const bytes = new Uint8Array(Math.max(0, end - start));
  let done = 0;
  while (done < bytes.length) {
    const { bytesRead } = await handle.read(bytes, done, bytes.length - done, start + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return bytes.buffer;
}

/**
 * Opens a Parquet file after checking its frame: `PAR1` at both ends. A file that starts right but
 * ends wrong was cut short (an interrupted download), which deserves its own advice.
 */
export async function openParquetFile(file: string): Promise<ParquetFile> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserFacingError(code === 'ENOENT' ? `The bench ${file} does not exist. Check the path.` : `Cannot read the bench ${file} (${code ?? String(error)}).`, { cause: error });
  }
  try {
    const { size } = await handle.stat();
    const head = size >= 4 ? Buffer.from(await readRange(handle, 0, 4)).toString('latin1') : '';
    const tail = size >= 8 ? Buffer.from(await readRange(handle, size - 4, size)).toString('latin1') : '';
    if (head !== magic) throw new UserFacingError(`${file} is not a Parquet file (it does not start with "PAR1"). Pass a .parquet file as published, or a JSON / JSONL bench.`);
    if (tail !== magic || size < 12) throw new UserFacingError(`${file} is cut short: it starts like a Parquet file but its footer is missing (${size} bytes). Download it again.`);
    return { path: file, buffer: { byteLength: size, slice: (start, end) => readRange(handle, start, end ?? size) }, close: () => handle.close() };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * The content hash of a bench: the file's sha256, or for shards the sha256 of their
 * "name<TAB>sha256" lines in order (renaming, adding or changing any shard changes it).
 */
export function combinedSha256(files: readonly { readonly path: string; readonly sha256: string }[]): string {
  const only = files.length === 1 ? files[0] : undefined;
  if (only) return only.sha256;
  return createHash('sha256').update(files.map((f) => `${path.basename(f.path)}\t${f.sha256}\n`).join('')).digest('hex');
}
