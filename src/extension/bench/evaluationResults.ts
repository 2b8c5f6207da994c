import path from 'node:path';
import * as vscode from 'vscode';
import type { EvaluationFile } from '../../core/bench/resultFiles';
import { readEvaluationFile } from '../../core/bench/resultFiles';
import type { Logger } from '../../core/log';
import type { InstanceResult } from './scoreFormat';
import { instanceResult } from './scoreFormat';
import { latestEvaluation, runsRoot } from './runRecords';

/** One evaluation file's results, by instance id. */
export interface LoadedEvaluation {
  readonly file: string;
  /** What the user sees: the run folder's name, or the file name. */
  readonly label: string;
  readonly byId: ReadonlyMap<string, InstanceResult>;
  /** The responses file the run judged, when known: a lens's Resume judges the rest of it. */
  readonly responses?: string | undefined;
}

/** What a bench document shows: one run, or one run compared with a base run. */
export interface BenchSelection {
  readonly shown: LoadedEvaluation;
  readonly base?: LoadedEvaluation | undefined;
}

export function loadedEvaluation(file: string, evaluation: EvaluationFile): LoadedEvaluation {
  const byId = new Map<string, InstanceResult>();
  for (const [id, entry] of Object.entries(evaluation)) byId.set(id, instanceResult(entry.score, entry.feedback));
  const parent = path.basename(path.dirname(file));
  return { file, label: /-evaluate$/.test(parent) ? `${parent.replace(/-evaluate$/, '')}/${path.basename(file)}` : path.basename(file), byId };
}

export async function readLoadedEvaluation(file: string): Promise<LoadedEvaluation> {
  return loadedEvaluation(file, await readEvaluationFile(file));
}

/**
 * Which results each bench document shows. Without a choice the newest finished evaluation of the
 * bench in `.janus/runs/` is shown, so scores come back after a reload without asking.
 */
export class EvaluationResults implements vscode.Disposable {
  private readonly selections = new Map<string, BenchSelection | null>();
  private readonly pending = new Map<string, Promise<void>>();
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  /** Fires with the bench whose results changed: lenses, hovers, decorations and Problems follow. */
  readonly onDidChange = this.emitter.event;

  constructor(private readonly log: Logger) {}

  /** The results a bench shows now; starts looking for the latest run the first time it is asked. */
  get(bench: vscode.Uri): BenchSelection | undefined {
    const key = bench.toString();
    const selection = this.selections.get(key);
    if (selection === undefined && !this.pending.has(key) && bench.scheme === 'file') this.pending.set(key, this.discover(bench));
    return selection ?? undefined;
  }

  /** Resolves once the first look for a bench's latest run is over (for tests and commands). */
  async ready(bench: vscode.Uri): Promise<BenchSelection | undefined> {
    this.get(bench);
    await this.pending.get(bench.toString());
    return this.get(bench);
  }

  private async discover(bench: vscode.Uri): Promise<void> {
    try {
      const record = await latestEvaluation(runsRoot(bench), bench.fsPath);
      if (record && this.selections.get(bench.toString()) === undefined) {
        this.set(bench, { shown: { ...(await readLoadedEvaluation(record.output)), responses: record.responses } });
        return;
      }
    } catch (error) {
      this.log.warn(`Could not load the latest evaluation of ${bench.fsPath}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!this.selections.has(bench.toString())) this.selections.set(bench.toString(), null);
  }

  set(bench: vscode.Uri, selection: BenchSelection | null): void {
    this.selections.set(bench.toString(), selection);
    this.emitter.fire(bench);
  }

  /** Results of a partial run (a lens's Evaluate) replace those instances in the shown run. */
  patch(bench: vscode.Uri, partial: LoadedEvaluation): void {
    const current = this.get(bench);
    if (!current) {
      this.set(bench, { shown: partial });
      return;
    }
    const byId = new Map(current.shown.byId);
    for (const [id, result] of partial.byId) byId.set(id, result);
    this.set(bench, { ...current, shown: { ...current.shown, byId } });
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
