import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type * as vscode from 'vscode';
import type { BenchInstance } from '../../core/bench/benchSchema';
import type { EvaluationSummary } from '../../core/judge/aggregate';
import type { Logger } from '../../core/log';
import type { IntervalsComputer, IntervalsJson } from '../../core/stats/evaluationStats';
import { computeIntervalsHere } from '../../core/stats/evaluationStats';
import type { PairedComparison } from '../../core/stats/paired';
import { comparePaired } from '../../core/stats/paired';
import type { StatsRequest, StatsResponse } from './statsProtocol';

type Pending = { resolve: (value: StatsResponse['result']) => void; reject: (error: Error) => void };
type Request = StatsRequest extends infer R ? (R extends StatsRequest ? Omit<R, 'id'> : never) : never;

/**
 * The extension host's side of the statistics worker: started on first use, one request at a time
 * matched by id, ended with the extension. When the worker file is missing (a development build
 * without it) or the worker dies, the work runs in this thread and the log says so once.
 */
export class StatsWorkerClient implements vscode.Disposable {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private warned = false;

  constructor(
    private readonly workerFile: string,
    private readonly log: Logger,
  ) {}

  /** The computer Evaluate Bench hands the jobs: the summary's intervals, in the worker. */
  readonly intervals: IntervalsComputer = async (instances: readonly BenchInstance[], summary: EvaluationSummary): Promise<IntervalsJson> => {
    const result = await this.ask({ kind: 'intervals', instances, summary });
    return result === undefined ? computeIntervalsHere(instances, summary) : (result as IntervalsJson);
  };

  async paired(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): Promise<PairedComparison | undefined> {
    const result = await this.ask({ kind: 'paired', a, b });
    return result === undefined ? comparePaired(a, b) : ((result as PairedComparison | null) ?? undefined);
  }

  /** The worker's answer, or undefined when it cannot run (the caller then computes here). */
  private async ask(request: Request): Promise<StatsResponse['result'] | undefined> {
    const worker = this.start();
    if (!worker) return undefined;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...request, id });
    });
  }

  private start(): Worker | undefined {
    if (this.worker) return this.worker;
    if (!existsSync(this.workerFile)) {
      this.fallback(`the statistics worker ${path.basename(this.workerFile)} is missing`);
      return undefined;
    }
    const worker = new Worker(this.workerFile);
    worker.unref();
    worker.on('message', (response: StatsResponse) => {
      const waiting = this.pending.get(response.id);
      this.pending.delete(response.id);
      if (response.error !== undefined) waiting?.reject(new Error(`statistics worker: ${response.error}`));
      else waiting?.resolve(response.result);
    });
    const fail = (error: Error): void => {
      this.worker = undefined;
      this.fallback(`the statistics worker stopped (${error.message})`);
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (this.worker === worker && code !== 0) fail(new Error(`exit code ${code}`));
      if (this.worker === worker) this.worker = undefined;
    });
    this.worker = worker;
    return worker;
  }

  private fallback(why: string): void {
    if (this.warned) return;
    this.warned = true;
    this.log.warn(`${why}: statistics run on the extension host thread instead.`);
  }

  dispose(): void {
    const worker = this.worker;
    this.worker = undefined;
    for (const waiting of this.pending.values()) waiting.reject(new Error('the extension is shutting down'));
    this.pending.clear();
    void worker?.terminate();
  }
}
