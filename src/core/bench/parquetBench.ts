/**
 * A Multifaceted Bench Parquet (Hugging Face's `kaist-ai/Multifaceted-Bench`, either revision) read
 * into the same instances as a JSON or JSONL bench. Ids are row positions counted from 0 across the
 * shards, as the original scripts number them. Row groups are decoded one at a time and only the
 * bench columns are read, so memory follows the largest row group, not the file. A problem in a row
 * is reported by row and column ("row 17, column rubrics[2].score_descriptions: no "3"") and keeps
 * the other rows; a problem with a column stops the file, since no row could be read right.
 */
import { parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';
import type { Compressors, FileMetaData } from 'hyparquet';
import type * as z from 'zod';
import { UserFacingError } from '../errors';
import type { BenchColumns, RubricColumn } from './parquetColumns';
import { checkBenchColumns, preferenceFields, scoreKeys, textColumns } from './parquetColumns';
import type { ParquetFile } from './parquetSource';
import { combinedSha256, openParquetFile, parquetShards, sha256OfFile } from './parquetSource';
import type { BenchInstance } from './benchSchema';
import { BENCH_FIELD_HELP, rawBenchInstanceSchema } from './benchSchema';

/** One row as a JSON bench instance would hold it (nulls kept, so they can be reported). */
export type BenchRow = Record<string, unknown>;

export interface ParquetBenchFile {
  readonly path: string;
  readonly rows: number;
  readonly sha256: string;
}

export interface ParquetBenchInfo {
  /** The files read, in order (one, or the shards). */
  readonly files: readonly ParquetBenchFile[];
  /** The content hash: the file's sha256, or the shards' combined one. */
  readonly sha256: string;
  readonly rows: number;
  readonly rubricColumn: RubricColumn;
}

export interface ParquetProblem {
  readonly message: string;
  /** The row (its id), when the problem is in one row. */
  readonly row?: number;
  readonly file: string;
}

export interface ParquetBench extends ParquetBenchInfo {
  /** The valid instances, in row order. */
  readonly instances: readonly BenchInstance[];
  readonly problems: readonly ParquetProblem[];
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function pick(value: unknown, keys: readonly string[], inner?: (key: string, v: unknown) => unknown): unknown {
  const r = record(value);
  if (!r) return value;
  return Object.fromEntries(keys.filter((k) => k in r).map((k) => [k, inner ? inner(k, r[k]) : r[k]]));
}

/** A decoded Parquet row as plain JSON: the bench fields only, in the published order. */
function toBenchRow(row: Record<string, unknown>, columns: BenchColumns): BenchRow {
  const list = (v: unknown, each: (item: unknown) => unknown): unknown => (Array.isArray(v) ? v.map(each) : v);
  const rubric = (item: unknown): unknown => pick(item, ['criteria', 'score_descriptions'], (k, v) => (k === 'score_descriptions' ? pick(v, scoreKeys) : v));
  const out: BenchRow = { source: row['source'] };
  // preference_set is optional in the bench: a null one is left out, as a JSON bench would.
  if (columns.hasPreferenceSet && row['preference_set'] != null) out['preference_set'] = list(row['preference_set'], (p) => pick(p, preferenceFields));
  for (const name of textColumns.slice(1)) out[name] = row[name];
  out[columns.rubricColumn] = list(row[columns.rubricColumn], rubric);
  return out;
}

function columnPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

function rowMessage(issue: z.core.$ZodIssue, row: number): string {
  const path = issue.path;
  const last = path[path.length - 1];
  const help = typeof last === 'string' ? BENCH_FIELD_HELP[last] : undefined;
  const where = `row ${row}, column ${columnPath(path)}`;
  if (issue.code === 'invalid_type' && typeof last === 'string' && (scoreKeys as readonly string[]).includes(last)) {
    return `row ${row}, column ${columnPath(path.slice(0, -1))}: no "${last}" (${help ?? 'a description'}); every rubric needs all five.`;
  }
  if (issue.code === 'invalid_type' && (issue.input === null || issue.input === undefined)) return `${where}: empty (null); write ${help ?? 'a value'}.`;
  if (issue.code === 'too_small') return `${where}: empty; write ${help ?? 'some text'}.`;
  return `${where}: ${issue.message}.`;
}

/** The instance of one row, or the problems that keep it out. */
export function benchRowInstance(value: BenchRow, row: number): { instance?: BenchInstance; problems: string[] } {
  const result = rawBenchInstanceSchema.safeParse(value);
  if (!result.success) return { problems: result.error.issues.map((issue) => rowMessage(issue, row)) };
  const data = result.data;
  const rubrics = data.rubrics ?? data.rubric;
  if (!rubrics) return { problems: [`row ${row}, column rubrics: empty (null); write ${BENCH_FIELD_HELP['rubrics'] ?? 'rubrics'}.`] };
  const instance: BenchInstance = {
    id: String(row),
    index: row,
    source: data.source,
    system: data.system,
    prompt: data.prompt,
    reference_answer: data.reference_answer,
    ...(data.preference_set ? { preference_set: data.preference_set } : {}),
    rubrics,
  };
  return { instance, problems: [] };
}

/**
 * hyparquet decodes Snappy (Hugging Face's default) and uncompressed pages itself. The other codecs
 * come from hyparquet-compressors, loaded only for a file that uses one: it is 100 KB of bundle and
 * starts a WebAssembly module when loaded, which opening a Snappy file should not pay for.
 */
async function decompressorsFor(metadata: FileMetaData): Promise<Compressors | undefined> {
  const codecs = new Set(metadata.row_groups.flatMap((g) => g.columns.map((c) => c.meta_data?.codec ?? 'UNCOMPRESSED')));
  if ([...codecs].every((c) => c === 'UNCOMPRESSED' || c === 'SNAPPY')) return undefined;
  return (await import('hyparquet-compressors')).compressors;
}

async function fileColumns(file: ParquetFile): Promise<{ metadata: FileMetaData; columns: BenchColumns }> {
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(file.buffer);
  } catch (error) {
    throw new UserFacingError(`${file.path}: cannot read its Parquet footer (${(error as Error).message}). The file is damaged; download it again.`, { cause: error });
  }
  const { columns, problems } = checkBenchColumns(parquetSchema(metadata));
  if (!columns) throw new UserFacingError(`${file.path} is not a Multifaceted Bench Parquet:\n${problems.map((p) => `${file.path}: ${p}`).join('\n')}`);
  return { metadata, columns };
}

/**
 * Reads every row, one row group at a time, handing each to `visit` with its id (its position
 * across the shards). Column problems throw before any row is visited.
 */
export async function scanParquetBench(target: string, visit: (value: BenchRow, row: number, file: string) => void | Promise<void>): Promise<ParquetBenchInfo> {
  const paths = await parquetShards(target);
  const files: ParquetBenchFile[] = [];
  let rubricColumn: RubricColumn | undefined;
  let next = 0;
  for (const p of paths) {
    const file = await openParquetFile(p);
    try {
      const { metadata, columns } = await fileColumns(file);
      if (rubricColumn !== undefined && rubricColumn !== columns.rubricColumn) throw new UserFacingError(`${p} has a "${columns.rubricColumn}" column where the shards before it have "${rubricColumn}": the shards come from different revisions of the bench.`);
      rubricColumn = columns.rubricColumn;
      const compressors = await decompressorsFor(metadata);
      let start = 0;
      for (const [group, rowGroup] of metadata.row_groups.entries()) {
        const end = start + Number(rowGroup.num_rows);
        let rows: Record<string, unknown>[];
        try {
          rows = await parquetReadObjects({ file: file.buffer, metadata, columns: [...columns.read], rowStart: start, rowEnd: end, ...(compressors ? { compressors } : {}) });
        } catch (error) {
          throw new UserFacingError(`${p}: cannot decode row group ${group} (rows ${next + start} to ${next + end - 1}): ${(error as Error).message}. The file is damaged; download it again.`, { cause: error });
        }
        for (const [i, row] of rows.entries()) await visit(toBenchRow(row, columns), next + start + i, p);
        start = end;
      }
      files.push({ path: p, rows: start, sha256: await sha256OfFile(p) });
      next += start;
    } finally {
      await file.close();
    }
  }
  return { files, sha256: combinedSha256(files), rows: next, rubricColumn: rubricColumn ?? 'rubrics' };
}

/** The whole bench: valid instances and every row problem (a broken row never hides the rest). */
export async function readParquetBench(target: string): Promise<ParquetBench> {
  const instances: BenchInstance[] = [];
  const problems: ParquetProblem[] = [];
  const info = await scanParquetBench(target, (value, row, file) => {
    const result = benchRowInstance(value, row);
    if (result.instance) instances.push(result.instance);
    for (const message of result.problems) problems.push({ message, row, file });
  });
  return { ...info, instances, problems };
}
