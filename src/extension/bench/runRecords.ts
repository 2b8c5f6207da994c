import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import { writeFileAtomic } from '../../core/files/atomicWrite';
import type { RunFolder } from '../../core/jobs/runFolder';
import { newRunId, runFolder } from '../../core/jobs/runFolder';

/**
 * `run.json` in each editor-started run folder: which inputs the run was for, so a later command
 * finds the unfinished run to resume (same inputs) and the latest results of a bench after a reload.
 */
export interface RunRecord {
  readonly kind: 'evaluate' | 'generate';
  readonly runId: string;
  /** Absolute paths. */
  readonly bench: string;
  readonly responses?: string | undefined;
  /** The model's identity (judge or generator): another model's run is not resumed. */
  readonly model: string;
  readonly runs: number;
  /** Instance ids when the run covers only some (a lens's Evaluate), else absent. */
  readonly ids?: readonly string[] | undefined;
  readonly output: string;
  readonly startedAt: string;
  readonly finished: boolean;
}

const recordName = 'run.json';

/** Where `.janus/` lives for a file: its workspace folder, else its own folder. */
export function runsRoot(file: vscode.Uri): string {
  return vscode.workspace.getWorkspaceFolder(file)?.uri.fsPath ?? path.dirname(file.fsPath);
}

export async function listRuns(root: string): Promise<RunRecord[]> {
  const dir = path.join(root, '.janus', 'runs');
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const records = await Promise.all(
    names.map(async (name) => {
      try {
        return JSON.parse(await readFile(path.join(dir, name, recordName), 'utf8')) as RunRecord;
      } catch {
        // A folder without a readable record (the CLI's, or a crash before it was written) is not ours to list.
        return undefined;
      }
    }),
  );
  // Run ids start with an ISO time, so the name order is the time order.
  return records.filter((r): r is RunRecord => r !== undefined && typeof r.runId === 'string').sort((a, b) => b.runId.localeCompare(a.runId));
}

function sameIds(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** The newest unfinished run for exactly these inputs, if any. */
export async function findUnfinishedRun(root: string, wanted: Omit<RunRecord, 'runId' | 'output' | 'startedAt' | 'finished'>): Promise<RunRecord | undefined> {
  return (await listRuns(root)).find(
    (r) => !r.finished && r.kind === wanted.kind && r.bench === wanted.bench && r.responses === wanted.responses && r.model === wanted.model && r.runs === wanted.runs && sameIds(r.ids, wanted.ids),
  );
}

/** The newest finished whole-bench evaluation of `bench`, if any. */
export async function latestEvaluation(root: string, bench: string): Promise<RunRecord | undefined> {
  return (await listRuns(root)).find((r) => r.finished && r.kind === 'evaluate' && r.bench === bench && r.ids === undefined);
}

/** The newest finished responses file generated for `bench`. */
export async function latestResponses(root: string, bench: string): Promise<RunRecord | undefined> {
  return (await listRuns(root)).find((r) => r.finished && r.kind === 'generate' && r.bench === bench);
}

export function folderOf(root: string, record: Pick<RunRecord, 'runId' | 'output'>): RunFolder {
  return runFolder(root, record.runId, path.basename(record.output));
}

export function newRunRecord(root: string, fields: Omit<RunRecord, 'runId' | 'output' | 'startedAt' | 'finished'>, outputName: string): RunRecord {
  const runId = newRunId(fields.kind);
  return { ...fields, runId, output: runFolder(root, runId, outputName).output, startedAt: new Date().toISOString(), finished: false };
}

export async function saveRunRecord(root: string, record: RunRecord): Promise<void> {
  const folder = folderOf(root, record);
  await writeFileAtomic(path.join(folder.dir, recordName), `${JSON.stringify(record, null, 2)}\n`);
}

/** `janus_responses.json` -> `janus`; any other name -> its stem. */
export function modelNameOf(responsesFile: string): string {
  const base = path.basename(responsesFile).replace(/\.json$/i, '');
  return base.replace(/_responses$/, '') || 'model';
}
