import * as vscode from 'vscode';

/** A live Evaluate Bench or Generate Responses job on one bench (the whole bench, or a lens's instances). */
export interface LiveBenchJob {
  readonly kind: 'evaluate' | 'generate';
  /** The instances a lens's Evaluate judges; undefined for the whole bench. */
  readonly ids: readonly string[] | undefined;
  readonly title: string;
  readonly done: number;
  readonly total: number;
  /** Stops this job only (as its progress notification's Cancel does). */
  cancel(): void;
}

/** What a job's runner holds: progress in, end in `finally`. */
export interface LiveBenchJobHandle {
  report(done: number, total: number): void;
  end(): void;
}

/** A pending Batch API evaluation of one bench, as the status bar item says it. */
export interface PendingBenchBatch {
  readonly stateFile: string;
  /** `batchStatusText`: "<status> <done>/<total>". */
  readonly status: string;
}

/** How often, at most, progress moves the lenses (the editor re-asks every lens provider per event). */
const throttleMs = 250;

/**
 * What runs on each bench now: live jobs (with their progress) and pending batches, so the bench's
 * lenses can say so. Changes are announced at most every 250 ms; starts and ends included.
 */
export class BenchActivity implements vscode.Disposable {
  private readonly jobs = new Map<string, Set<LiveBenchJob & { done: number; total: number }>>();
  private readonly batches = new Map<string, Map<string, PendingBenchBatch>>();
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private timer: NodeJS.Timeout | undefined;
  private lastFired = 0;
  private disposed = false;
  /** How many jobs have ended so far: what they wrote may change what a bench's header offers. */
  ended = 0;

  /** Registers a running job on `bench`; the handle reports its progress and ends it. */
  begin(bench: vscode.Uri, job: { kind: LiveBenchJob['kind']; ids: readonly string[] | undefined; title: string; cancel: () => void }): LiveBenchJobHandle {
    const key = bench.toString();
    const entry = { ...job, done: 0, total: 0 };
    let set = this.jobs.get(key);
    if (!set) this.jobs.set(key, (set = new Set()));
    set.add(entry);
    this.changed();
    return {
      report: (done, total) => {
        entry.done = done;
        entry.total = total;
        this.changed();
      },
      end: () => {
        const current = this.jobs.get(key);
        if (!current?.delete(entry)) return;
        if (current.size === 0) this.jobs.delete(key);
        this.ended++;
        this.changed();
      },
    };
  }

  /** The bench's live jobs, oldest first. */
  jobsOf(bench: vscode.Uri): readonly LiveBenchJob[] {
    return [...(this.jobs.get(bench.toString()) ?? [])];
  }

  /** The instances of `bench` a lens's Evaluate is judging now (empty when none). */
  evaluating(bench: vscode.Uri): ReadonlySet<string> {
    const set = this.jobs.get(bench.toString());
    if (!set) return empty;
    const ids = new Set<string>();
    for (const job of set) if (job.kind === 'evaluate' && job.ids) for (const id of job.ids) ids.add(id);
    return ids;
  }

  /** Sets the pending batches of every bench at once (the batch poller's whole state). */
  setBatches(byBench: ReadonlyMap<string, readonly PendingBenchBatch[]>): void {
    let same = byBench.size === this.batches.size;
    for (const [bench, list] of byBench) {
      const current = this.batches.get(bench);
      if (!current || current.size !== list.length || list.some((b) => current.get(b.stateFile)?.status !== b.status)) same = false;
    }
    if (same) return;
    this.batches.clear();
    for (const [bench, list] of byBench) this.batches.set(bench, new Map(list.map((b) => [b.stateFile, b])));
    this.changed();
  }

  batchesOf(bench: vscode.Uri): readonly PendingBenchBatch[] {
    return [...(this.batches.get(bench.toString())?.values() ?? [])];
  }

  /** Fires now when the last event is older than the throttle, else once when it has passed. */
  private changed(): void {
    if (this.timer || this.disposed) return;
    const wait = Math.max(0, this.lastFired + throttleMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.lastFired = Date.now();
      this.emitter.fire();
    }, wait);
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.emitter.dispose();
  }
}

const empty: ReadonlySet<string> = new Set();
