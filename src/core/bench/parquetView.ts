/**
 * The editor's view of a Parquet bench: a generated JSONL file, one row a line (so line n is row
 * n, id n), under `.janus/benches/<name>-<sha256 first 12>.jsonl`, with a manifest beside it
 * (`.source.json`) naming the Parquet, its hash and its rows. The hash in the name keys everything
 * the editor hangs on a bench file (run records, evaluation results, lenses) to that exact content:
 * a changed Parquet gets a new view, and the old view keeps the results that belong to the old rows.
 */
import { chmod, mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod';
import { UserFacingError } from '../errors';
import { writeFileAtomic } from '../files/atomicWrite';
import { scanParquetBench } from './parquetBench';
import { combinedSha256, parquetShards, sha256OfFile } from './parquetSource';

const manifestSchema = z.object({
  source: z.string(),
  sha256: z.string(),
  rows: z.number().int(),
  rubricColumn: z.enum(['rubrics', 'rubric']),
  files: z.array(z.object({ path: z.string(), rows: z.number().int(), sha256: z.string() })),
  view: z.string(),
});
export type ParquetViewManifest = z.infer<typeof manifestSchema>;

export interface ParquetView {
  /** The generated JSONL file. */
  readonly view: string;
  readonly manifest: ParquetViewManifest;
  /** True when a view of this exact content already existed and was reused. */
  readonly reused: boolean;
}

const shardName = /^(.*)-\d+-of-(\d+)\.parquet$/i;

/**
 * What to open for a Parquet path: a shard of several (`train-00000-of-00003.parquet`) stands for
 * its folder, since ids count on across the shards; any other file stands for itself.
 */
export function parquetViewTarget(file: string): string {
  const match = shardName.exec(path.basename(file));
  return match && Number(match[2]) > 1 ? path.dirname(file) : file;
}

function viewStem(target: string): string {
  const base = path.basename(target).replace(/\.parquet$/i, '');
  // A dataset's shards sit in data/: its repository folder names it better.
  return (base === 'data' ? path.basename(path.dirname(target)) : base).replace(/[^\w.-]+/g, '_') || 'bench';
}

export function manifestFileOf(view: string): string {
  return view.replace(/\.jsonl$/, '.source.json');
}

/** The bench's content hash without decoding it (the file's sha256, or the shards' combined one). */
export async function parquetBenchHash(target: string): Promise<string> {
  const files = await Promise.all((await parquetShards(target)).map(async (p) => ({ path: p, sha256: await sha256OfFile(p) })));
  return combinedSha256(files);
}

export async function readViewManifest(view: string): Promise<ParquetViewManifest | undefined> {
  try {
    const parsed = manifestSchema.safeParse(JSON.parse(await readFile(manifestFileOf(view), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The view of `target` (a `.parquet` file or a folder of shards) in `folder`: reused when one of the
 * same content exists, else written row group by row group (never the whole bench in memory) to a
 * temp file that is renamed into place, then made read-only.
 */
export async function writeParquetBenchView(target: string, folder: string): Promise<ParquetView> {
  const sha256 = await parquetBenchHash(target);
  const view = path.join(folder, `${viewStem(target)}-${sha256.slice(0, 12)}.jsonl`);
  const existing = await readViewManifest(view);
  if (existing?.sha256 === sha256 && (await stat(view).catch(() => undefined))?.isFile()) return { view, manifest: existing, reused: true };
  await mkdir(folder, { recursive: true });
  const temp = `${view}.${process.pid}.tmp`;
  const out = await open(temp, 'w');
  let lines: string[] = [];
  const flush = async (): Promise<void> => {
    if (lines.length > 0) await out.write(lines.join(''));
    lines = [];
  };
  let info;
  try {
    info = await scanParquetBench(target, async (value) => {
      lines.push(`${JSON.stringify(value)}\n`);
      if (lines.length >= 64) await flush();
    });
    await flush();
  } finally {
    await out.close();
  }
  if (info.sha256 !== sha256) throw new UserFacingError(`${target} changed while it was being read. Open it again once it is written.`);
  // A view from an earlier attempt is read-only: make it writable so the rename may replace it.
  await chmod(view, 0o644).catch(() => undefined);
  await rename(temp, view);
  await chmod(view, 0o444);
  const manifest: ParquetViewManifest = { source: target, sha256, rows: info.rows, rubricColumn: info.rubricColumn, files: [...info.files], view };
  await writeFileAtomic(manifestFileOf(view), `${JSON.stringify(manifest, null, 2)}\n`);
  return { view, manifest, reused: false };
}

/** Whether the Parquet a view was made from still has that content: `missing` when it is gone. */
export async function parquetViewState(manifest: ParquetViewManifest): Promise<'current' | 'changed' | 'missing'> {
  try {
    return (await parquetBenchHash(manifest.source)) === manifest.sha256 ? 'current' : 'changed';
  } catch {
    return 'missing';
  }
}
