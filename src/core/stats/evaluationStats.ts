import type { BenchInstance } from '../bench/benchSchema';
import type { EvaluationSummary } from '../judge/aggregate';
import { rubricDimension } from '../judge/aggregate';
import type { BootstrapOptions, Interval } from './bootstrap';
import { bootstrapMean, defaultLevel, defaultResamples, standardDeviation } from './bootstrap';

/**
 * The uncertainty of an evaluation's means. Between instances: a bootstrap over instances (each
 * instance's judge runs averaged first), for the overall mean, each rubric dimension and each
 * source. Between runs: the spread of the judge runs' overall means, reported separately because
 * it says how much the judge itself moves, not how much the bench sample does.
 */

export interface RunSpread {
  readonly runs: number;
  /** Sample standard deviation of the runs' means (0 for one run). */
  readonly sd: number;
  readonly min: number;
  readonly max: number;
}

export interface EvaluationIntervals {
  readonly overall: Interval | undefined;
  readonly byDimension: ReadonlyMap<string, Interval>;
  readonly bySource: ReadonlyMap<string, Interval>;
  /** Source -> dimension -> interval: the persona x dimension view's cells. */
  readonly bySourceDimension: ReadonlyMap<string, ReadonlyMap<string, Interval>>;
  readonly betweenRuns: RunSpread | undefined;
}

function push(groups: Map<string, number[]>, key: string, value: number): void {
  const list = groups.get(key);
  if (list) list.push(value);
  else groups.set(key, [value]);
}

function intervals(groups: Map<string, number[]>, options: BootstrapOptions): Map<string, Interval> {
  const out = new Map<string, Interval>();
  for (const [key, values] of [...groups].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
    const interval = bootstrapMean(values, options);
    if (interval) out.set(key, interval);
  }
  return out;
}

/** Intervals for every mean of `summary` (from `summarize` over the same instances). */
export function evaluationIntervals(instances: readonly BenchInstance[], summary: EvaluationSummary, options: BootstrapOptions = {}): EvaluationIntervals {
  const overall: number[] = [];
  const byDimension = new Map<string, number[]>();
  const bySource = new Map<string, number[]>();
  const bySourceDimension = new Map<string, Map<string, number[]>>();
  for (const instance of instances) {
    const scores = Object.hasOwn(summary.perInstance, instance.id) ? summary.perInstance[instance.id] : undefined;
    if (scores === undefined || scores.mean === null) continue;
    overall.push(scores.mean);
    push(bySource, instance.source, scores.mean);
    // One value per instance and dimension: the mean of that dimension's rubric items (usually one).
    const dimensionScores = new Map<string, number[]>();
    scores.byRubric.forEach((score, index) => {
      if (score !== null) push(dimensionScores, rubricDimension(instance, index), score);
    });
    let cells = bySourceDimension.get(instance.source);
    if (!cells) {
      cells = new Map();
      bySourceDimension.set(instance.source, cells);
    }
    for (const [dimension, values] of dimensionScores) {
      const value = values.reduce((a, b) => a + b, 0) / values.length;
      push(byDimension, dimension, value);
      push(cells, dimension, value);
    }
  }
  const runMeans = summary.runs.map((r) => r.mean).filter((m): m is number => m !== null);
  return {
    overall: bootstrapMean(overall, options),
    byDimension: intervals(byDimension, options),
    bySource: intervals(bySource, options),
    bySourceDimension: new Map([...bySourceDimension].map(([source, cells]) => [source, intervals(cells, options)])),
    betweenRuns: runMeans.length === 0 ? undefined : { runs: runMeans.length, sd: standardDeviation(runMeans), min: Math.min(...runMeans), max: Math.max(...runMeans) },
  };
}

/** The intervals as the summary file stores them (plain objects; ids and sources as own keys). */
export interface IntervalsJson {
  readonly level: number;
  readonly resamples: number;
  readonly unit: 'instance';
  readonly overall: Interval | null;
  readonly byDimension: Readonly<Record<string, Interval>>;
  readonly bySource: Readonly<Record<string, Interval>>;
  readonly bySourceDimension: Readonly<Record<string, Readonly<Record<string, Interval>>>>;
  readonly betweenRuns: RunSpread | null;
}

export function intervalsJson(value: EvaluationIntervals, options: BootstrapOptions = {}): IntervalsJson {
  return {
    level: options.level ?? defaultLevel,
    resamples: options.resamples ?? defaultResamples,
    unit: 'instance',
    overall: value.overall ?? null,
    byDimension: Object.fromEntries(value.byDimension),
    bySource: Object.fromEntries(value.bySource),
    bySourceDimension: Object.fromEntries([...value.bySourceDimension].map(([source, cells]) => [source, Object.fromEntries(cells)])),
    betweenRuns: value.betweenRuns ?? null,
  };
}

/** `4.17 [4.09, 4.25]`: a mean with its interval, as lenses and summaries show it. */
export function formatInterval(interval: Pick<Interval, 'mean' | 'low' | 'high'>, digits = 2): string {
  return `${interval.mean.toFixed(digits)} [${interval.low.toFixed(digits)}, ${interval.high.toFixed(digits)}]`;
}

/** `+0.07 [+0.01, +0.13]`: a signed difference with its interval. */
export function formatSignedInterval(value: number, low: number, high: number, digits = 2): string {
  const signed = (v: number): string => `${v >= 0 ? '+' : '-'}${Math.abs(v).toFixed(digits)}`;
  return `${signed(value)} [${signed(low)}, ${signed(high)}]`;
}

/** A p-value as people read it: `p = 0.02`, `p < 0.001`. */
export function formatPValue(p: number): string {
  return p < 0.001 ? 'p < 0.001' : `p = ${p < 0.01 ? p.toFixed(3) : p.toFixed(2)}`;
}
