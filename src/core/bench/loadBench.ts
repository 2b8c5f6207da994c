/** Reading a bench file for a job: every valid instance, or an error that says where to fix it. */
import { readFile, stat } from 'node:fs/promises';
import { UserFacingError } from '../errors';
import type { ParsedBench } from './benchFile';
import { parseBenchText } from './benchFile';
import type { BenchInstance } from './benchSchema';
import { readParquetBench } from './parquetBench';
import { isParquetPath } from './parquetSource';

/** `file:line:column: message` lines (1-based, as terminals and editors link them), at most `limit`. */
export function formatBenchProblems(file: string, parsed: ParsedBench, limit = 10): string {
  const lines = parsed.problems.slice(0, limit).map((p) => `${file}:${p.line + 1}:${p.column + 1}: ${p.message}`);
  const more = parsed.problems.length - limit;
  return lines.join('\n') + (more > 0 ? `\n... and ${more} more problem${more > 1 ? 's' : ''}` : '');
}

/**
 * A job runs only on a clean bench: a half-valid file would quietly change which instances (and
 * so which ids) are scored, and the numbers would not compare with a full run.
 */
export async function readBenchFile(file: string): Promise<readonly BenchInstance[]> {
  if (isParquetPath(file) || (await stat(file).catch(() => undefined))?.isDirectory()) return readParquetBenchForJob(file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UserFacingError(`Cannot read the bench file ${file}: ${(error as Error).message}`, { cause: error });
  }
  const parsed = parseBenchText(text);
  if (parsed.problems.length > 0) {
    throw new UserFacingError(`${file} has ${parsed.problems.length} problem${parsed.problems.length > 1 ? 's' : ''}; fix ${parsed.problems.length > 1 ? 'them' : 'it'} and run again:\n${formatBenchProblems(file, parsed)}`);
  }
  if (parsed.instances.length === 0) throw new UserFacingError(`${file} has no instances.`);
  return parsed.instances;
}

/** A Parquet bench (file or folder of shards) for a job: clean, or an error naming rows and columns. */
async function readParquetBenchForJob(target: string): Promise<readonly BenchInstance[]> {
  const bench = await readParquetBench(target);
  const count = bench.problems.length;
  if (count > 0) {
    const shown = bench.problems.slice(0, 10).map((p) => `${p.file}: ${p.message}`).join('\n');
    const more = count > 10 ? `\n... and ${count - 10} more problem${count - 10 > 1 ? 's' : ''}` : '';
    throw new UserFacingError(`${target} has ${count} problem${count > 1 ? 's' : ''}; fix ${count > 1 ? 'them' : 'it'} and run again (rows count from 0, as the ids):\n${shown}${more}`);
  }
  if (bench.instances.length === 0) throw new UserFacingError(`${target} has no rows.`);
  return bench.instances;
}
