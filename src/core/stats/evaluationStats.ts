import type { BenchInstance } from '../bench/benchSchema';
import type { EvaluationSummary } from '../judge/aggregate';
import { rubricDimension } from '../judge/aggregate';
import type { BootstrapOptions, Interval } from './bootstrap';
import { defaultLevel, defaultResamples, standardDeviation } from './bootstrap';
import { GroupedValues } from './groupBootstrap';

/**
 * The uncertainty of an evaluation's means. Between instances: one bootstrap over instances (each
 * instance's judge runs averaged first) serves the overall mean, each rubric dimension, each source
 * and each source x dimension cell (groupBootstrap.ts). Between runs: the spread of the judge runs' overall means, reported separately because
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
  /** Source -> dimension -> the cell's instances as [id, score] (score: the dimension's mean over runs). */
  readonly cellInstances: ReadonlyMap<string, ReadonlyMap<string, readonly (readonly [string, number])[]>>;
  readonly betweenRuns: RunSpread | undefined;
}

/** Intervals for every mean of `summary` (from `summarize` over the same instances). */
export function evaluationIntervals(instances: readonly BenchInstance[], summary: EvaluationSummary, options: BootstrapOptions = {}): EvaluationIntervals {
  const values = new GroupedValues();
  const cellInstances = new Map<string, Map<string, [string, number][]>>();
  let row = 0;
  for (const instance of instances) {
    const scores = Object.hasOwn(summary.perInstance, instance.id) ? summary.perInstance[instance.id] : undefined;
    if (scores === undefined || scores.mean === null) continue;
    values.add(row, `s\u0000${instance.source}`, scores.mean);
    // One value per instance and dimension: the mean of that dimension's rubric items (usually one).
    const dimensionScores = new Map<string, number[]>();
    scores.byRubric.forEach((score, index) => {
      if (score === null) return;
      const dimension = rubricDimension(instance, index);
      const list = dimensionScores.get(dimension);
      if (list) list.push(score);
      else dimensionScores.set(dimension, [score]);
    });
    for (const [dimension, list] of dimensionScores) {
      const value = list.reduce((a, b) => a + b, 0) / list.length;
      values.add(row, `c\u0000${instance.source}\u0000${dimension}`, value);
      const cells = cellInstances.get(instance.source) ?? new Map<string, [string, number][]>();
      cellInstances.set(instance.source, cells);
      const members = cells.get(dimension) ?? [];
      cells.set(dimension, members);
      members.push([instance.id, value]);
    }
    row++;
  }
  // The overall mean is the union of the sources, a dimension the union of its cells: rolled up.
  const sources = [...new Set(instances.map((i) => i.source))];
  values.addRollup('o', sources.map((source) => `s\u0000${source}`));
  const dimensions = new Set<string>();
  for (const cells of cellInstances.values()) for (const dimension of cells.keys()) dimensions.add(dimension);
  for (const dimension of dimensions) values.addRollup(`d\u0000${dimension}`, sources.map((source) => `c\u0000${source}\u0000${dimension}`));
  const all = values.intervals(options);
  const byDimension = new Map<string, Interval>();
  const bySource = new Map<string, Interval>();
  const bySourceDimension = new Map<string, Map<string, Interval>>();
  for (const [key, interval] of [...all].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
    const [kind, first = '', second = ''] = key.split('\u0000');
    if (kind === 'd') byDimension.set(first, interval);
    else if (kind === 's') bySource.set(first, interval);
    else if (kind === 'c') {
      const cells = bySourceDimension.get(first) ?? new Map<string, Interval>();
      cells.set(second, interval);
      bySourceDimension.set(first, cells);
    }
  }
  const runMeans = summary.runs.map((r) => r.mean).filter((m): m is number => m !== null);
  return {
    overall: all.get('o'),
    byDimension,
    bySource,
    bySourceDimension,
    cellInstances,
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
  /** The instances of each source x dimension cell, `[id, score]`, so the report can list them (absent in older summaries). */
  readonly cellInstances?: Readonly<Record<string, Readonly<Record<string, readonly (readonly [string, number])[]>>>>;
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
    cellInstances: Object.fromEntries([...value.cellInstances].map(([source, cells]) => [source, Object.fromEntries(cells)])),
    betweenRuns: value.betweenRuns ?? null,
  };
}

/**
 * How a host computes a summary's intervals: in this thread by default (the CLI), or off the
 * thread (the extension host hands the work to a worker so the editor's extensions never wait on it).
 */
export type IntervalsComputer = (instances: readonly BenchInstance[], summary: EvaluationSummary) => Promise<IntervalsJson>;

export const computeIntervalsHere: IntervalsComputer = (instances, summary) => Promise.resolve(intervalsJson(evaluationIntervals(instances, summary)));

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
