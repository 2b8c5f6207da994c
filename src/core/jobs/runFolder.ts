/**
 * Where an editor-started job keeps its files: `<root>/.janus/runs/<run id>/`, one folder per run,
 * so a reload finds the checkpoint to resume and the results view finds every run to compare.
 */
import path from 'node:path';

export interface RunFolder {
  readonly dir: string;
  readonly checkpoint: string;
  /** The job's output: the responses file or the evaluation file. */
  readonly output: string;
  /** The reply cache shared by every run under `root`. */
  readonly cache: string;
}

/** A sortable, file-name-safe id: `2026-11-23T20-14-05-123Z-evaluate`. */
export function newRunId(kind: 'evaluate' | 'generate', now: Date = new Date()): string {
  return `${now.toISOString().replace(/[:.]/g, '-')}-${kind}`;
}

export function runFolder(root: string, runId: string, outputName: string): RunFolder {
  if (!/^[\w.-]+$/.test(runId) || runId.startsWith('.')) throw new Error(`not a run id: ${runId}`);
  const dir = path.join(root, '.janus', 'runs', runId);
  return { dir, checkpoint: path.join(dir, 'checkpoint.jsonl'), output: path.join(dir, outputName), cache: path.join(root, '.janus', 'cache', 'calls.jsonl') };
}
