import { Xoshiro128 } from './random';

/**
 * Percentile bootstrap intervals for a mean. The caller passes one value per resampling unit: for
 * Multifaceted Bench that is one instance (its rubric scores averaged, judge runs averaged), never
 * one rubric item, because an instance's four scores are correlated and resampling them as if
 * independent would make the interval too narrow.
 */

export const defaultResamples = 10_000;
export const defaultLevel = 0.95;
/** Fixed default seed: the same files always give the same interval. */
export const defaultSeed = 0x6a616e75;

export interface BootstrapOptions {
  readonly resamples?: number;
  readonly level?: number;
  readonly seed?: number;
}

export interface Interval {
  readonly mean: number;
  readonly low: number;
  readonly high: number;
  /** Resampling units (instances) the mean is over. */
  readonly n: number;
  /** Standard deviation of the bootstrap means: the standard error between instances. */
  readonly standardError: number;
}

/** The value at quantile q of sorted values (linear interpolation between order statistics). */
export function quantileSorted(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  const lower = sorted[below] ?? Number.NaN;
  const upper = sorted[above] ?? Number.NaN;
  return lower + (upper - lower) * (position - below);
}

/**
 * Moves the k-th smallest value of `values` to index k, smaller ones before it and larger after
 * (Hoare's selection, O(n) on average): two quantiles of 10,000 bootstrap means without a sort,
 * which mattered for the hundreds of small groups (sources, cells) a summary has.
 */
function select(values: Float64Array, k: number, from = 0, to = values.length - 1): void {
  let left = from;
  let right = to;
  while (right > left) {
    const pivot = values[(left + right) >> 1] ?? 0;
    let i = left;
    let j = right;
    while (i <= j) {
      while ((values[i] ?? 0) < pivot) i++;
      while ((values[j] ?? 0) > pivot) j--;
      if (i <= j) {
        const t = values[i] ?? 0;
        values[i] = values[j] ?? 0;
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return;
  }
}

/** Quantile q of `values` (as `quantileSorted` would give after sorting); reorders `values`. */
export function quantileUnsorted(values: Float64Array, q: number): number {
  if (values.length === 0) return Number.NaN;
  const position = (values.length - 1) * Math.min(1, Math.max(0, q));
  const below = Math.floor(position);
  select(values, below);
  const lower = values[below] ?? Number.NaN;
  if (below + 1 >= values.length || position === below) return lower;
  // The next order statistic is the smallest value above index `below`.
  let upper = Number.POSITIVE_INFINITY;
  for (let i = below + 1; i < values.length; i++) upper = Math.min(upper, values[i] ?? upper);
  return lower + (upper - lower) * (position - below);
}

function checkOptions(options: BootstrapOptions): { resamples: number; level: number; seed: number } {
  const resamples = options.resamples ?? defaultResamples;
  const level = options.level ?? defaultLevel;
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`resamples must be a positive integer (got ${resamples})`);
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be between 0 and 1 (got ${level})`);
  return { resamples, level, seed: options.seed ?? defaultSeed };
}

/**
 * Means of `resamples` resamples (with replacement) of `values`, in drawing order (n x resamples
 * draws: 9.2 million for the full bench).
 */
export function bootstrapMeans(values: ArrayLike<number>, resamples: number, seed: number): Float64Array {
  const n = values.length;
  const data = Float64Array.from(values);
  const means = new Float64Array(resamples);
  const rng = new Xoshiro128(seed);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += data[rng.below(n)] ?? 0;
    means[r] = sum / n;
  }
  return means;
}

function standardDeviation(values: ArrayLike<number>): number {
  const n = values.length;
  if (n < 2) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i] ?? 0;
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += ((values[i] ?? 0) - mean) ** 2;
  return Math.sqrt(squares / (n - 1));
}

/** The mean of `values` with its percentile bootstrap interval; undefined for no values. */
export function bootstrapMean(values: ArrayLike<number>, options: BootstrapOptions = {}): Interval | undefined {
  const n = values.length;
  if (n === 0) return undefined;
  const { resamples, level, seed } = checkOptions(options);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i] ?? 0;
  const mean = sum / n;
  const means = bootstrapMeans(values, resamples, seed);
  const tail = (1 - level) / 2;
  const standardError = standardDeviation(means);
  return { mean, low: quantileUnsorted(means, tail), high: quantileUnsorted(means, 1 - tail), n, standardError };
}

export { standardDeviation };
