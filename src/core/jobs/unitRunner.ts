/**
 * Runs the units of a job (one generation, one judged rubric item) with a checkpoint: each
 * finished unit is appended as one JSON line, a rerun takes finished units from the file instead
 * of calling again, and cancelling keeps everything finished so far. Units make their own
 * scheduler calls, so one unit may be several requests (a judge retried for a missing score).
 */
import { setMaxListeners } from 'node:events';
import type { TokenUsage } from '../endpoints/streamAssembly';
import { EndpointError } from '../endpoints/endpointError';
import { UserFacingError, describeError } from '../errors';
import type { Logger } from '../log';
import { silentLogger } from '../log';
import type { CallCache } from './callCache';
import { CheckpointWriter, readCheckpoint } from './checkpoint';
import type { JobPrices, JobProgress } from './progress';
import { ProgressTracker } from './progress';
import type { RequestScheduler } from './scheduler';

export interface UnitOutcome<R> {
  readonly result: R;
  /** Tokens spent on the unit in this session (all attempts). */
  readonly usage?: TokenUsage | undefined;
  /** True when the result came from the cache, with no call. */
  readonly reused?: boolean;
}

export interface JobUnit<R> {
  readonly key: string;
  /**
   * Hash of everything that decides the result; a checkpoint record with another one is stale.
   * Read only when there is a checkpoint to match and once the unit finished, so it may be a lazy
   * getter (a fresh run then renders and hashes each prompt once, when it is sent).
   */
  readonly fingerprint: string;
  run(signal: AbortSignal): Promise<UnitOutcome<R>>;
}

export interface RunUnitsOptions<R> {
  readonly units: readonly JobUnit<R>[];
  readonly checkpointFile: string;
  /**
   * Recognises a result read back from the checkpoint line of `key` (anything else, including a
   * result that belongs to another key, is skipped and its unit runs again).
   */
  readonly acceptResult: (value: unknown, key: string) => R | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((progress: JobProgress) => void) | undefined;
  readonly prices?: JobPrices | undefined;
  readonly logger?: Logger | undefined;
  /** Failures in a row (no success between) after which the job stops: the endpoint is down. */
  readonly maxConsecutiveFailures?: number | undefined;
  /** The scheduler the units call through: its rate-limit pauses show in the progress. */
  readonly scheduler?: RequestScheduler | undefined;
  /** Units started but not finished at most (each may wait in the scheduler). Default 256. */
  readonly maxInFlight?: number | undefined;
  readonly now?: (() => number) | undefined;
}

/** What every checkpointed job takes besides its own inputs. */
export interface JobHostOptions {
  readonly scheduler: RequestScheduler;
  readonly outFile: string;
  readonly checkpointFile: string;
  readonly cache?: CallCache | undefined;
  /** Aborting keeps everything finished so far (checkpoint and final files). */
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((progress: JobProgress) => void) | undefined;
  readonly prices?: JobPrices | undefined;
  readonly logger?: Logger | undefined;
}

/** The outcome fields every job result shares. */
export interface JobOutcome {
  readonly failures: readonly UnitFailure[];
  readonly cancelled: boolean;
  /** Why the job stopped early (a rejected key, an endpoint that is down, a full disk). */
  readonly stoppedBy: Error | undefined;
  readonly progress: JobProgress;
}

export interface UnitFailure {
  readonly key: string;
  readonly message: string;
}

export interface RunUnitsResult<R> extends JobOutcome {
  readonly results: ReadonlyMap<string, R>;
}

/** Errors no retry of another unit can fix: stop the job instead of failing every unit alike. */
export function isFatalError(error: unknown): boolean {
  return error instanceof EndpointError && (error.kind === 'unauthorized' || error.kind === 'notFound' || error.kind === 'modelNotFound');
}

interface CheckpointLine {
  readonly key: string;
  readonly fingerprint: string;
  readonly result: unknown;
}

function acceptLine(value: unknown): CheckpointLine | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { key, fingerprint } = value as { key?: unknown; fingerprint?: unknown };
  return typeof key === 'string' && typeof fingerprint === 'string' && 'result' in value ? (value as CheckpointLine) : undefined;
}

export async function runUnits<R>(options: RunUnitsOptions<R>): Promise<RunUnitsResult<R>> {
  const logger = options.logger ?? silentLogger;
  const read = await readCheckpoint(options.checkpointFile, acceptLine);
  if (read.skipped > 0) logger.warn(`${options.checkpointFile}: skipped ${read.skipped} unreadable line(s) (a run cut short writes at most one); those calls run again.`);
  const results = new Map<string, R>();
  const fingerprints = read.records.length === 0 ? new Map<string, string>() : new Map(options.units.map((u) => [u.key, u.fingerprint]));
  for (const line of read.records) {
    if (fingerprints.get(line.key) !== line.fingerprint) continue;
    const result = options.acceptResult(line.result, line.key);
    if (result !== undefined) results.set(line.key, result);
  }
  const tracker = new ProgressTracker(options.units.length, options.now, options.prices);
  tracker.reuse(results.size);
  const scheduler = options.scheduler;
  const emit = (): void => {
    if (!options.onProgress) return;
    const pausedMs = scheduler?.rateLimit?.pausedMs ?? 0;
    options.onProgress(pausedMs > 0 ? { ...tracker.snapshot(), rateLimitedMs: pausedMs } : tracker.snapshot());
  };
  emit();
  // While a rate limit pauses the scheduler nothing finishes: tick the countdown once a second.
  let ticker: ReturnType<typeof setInterval> | undefined;
  const stopTicker = (): void => {
    clearInterval(ticker);
    ticker = undefined;
  };
  const unsubscribe = scheduler?.onRateLimited?.(() => {
    emit();
    ticker ??= setInterval(() => {
      if ((scheduler.rateLimit?.pausedMs ?? 0) <= 0) stopTicker();
      emit();
    }, 1000);
  });

  const writer = new CheckpointWriter(options.checkpointFile, read.endsMidLine);
  // Before the first paid call: a folder that cannot be written stops the job here.
  writer.open();
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  // Every queued call listens on this one signal: thousands of listeners are expected, not a leak.
  setMaxListeners(0, signal);
  const failures: UnitFailure[] = [];
  const maxInARow = options.maxConsecutiveFailures ?? 10;
  let inARow = 0;
  let stoppedBy: Error | undefined;
  const halt = (error: Error): void => {
    stoppedBy ??= error;
    stop.abort(error);
  };

  const pending = options.units.filter((u) => !results.has(u.key));
  const runOne = async (unit: JobUnit<R>): Promise<void> => {
    let outcome: UnitOutcome<R>;
    try {
      outcome = await unit.run(signal);
    } catch (error) {
      if (signal.aborted) return;
      failures.push({ key: unit.key, message: describeError(error) });
      tracker.fail();
      inARow++;
      logger.warn(`${unit.key}: ${describeError(error)}`);
      if (isFatalError(error)) halt(error as Error);
      else if (inARow >= maxInARow) halt(new UserFacingError(`Stopped after ${inARow} failed calls in a row (last: ${describeError(error)}). Finished calls are kept; rerun to continue.`, { cause: error }));
      emit();
      return;
    }
    try {
      writer.append({ key: unit.key, fingerprint: unit.fingerprint, result: outcome.result });
    } catch (error) {
      halt(error as Error);
      return;
    }
    inARow = 0;
    results.set(unit.key, outcome.result);
    if (outcome.reused) tracker.reuse();
    else tracker.finish(outcome.usage);
    emit();
  };
  // A bounded window of units in flight, not all at once: thousands of queued promises, abort
  // listeners and prompt strings cost memory and CPU while the scheduler could only run a few.
  const window = Math.max(1, options.maxInFlight ?? 256);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let unit = pending[next++]; unit !== undefined && !signal.aborted; unit = pending[next++]) await runOne(unit);
  };
  try {
    await Promise.all(Array.from({ length: Math.min(window, pending.length) }, worker));
  } finally {
    unsubscribe?.();
    stopTicker();
  }
  writer.close();
  return { results, failures, cancelled: options.signal?.aborted ?? false, stoppedBy, progress: tracker.snapshot() };
}
