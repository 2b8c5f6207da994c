import type { BootstrapOptions } from './bootstrap';
import { bootstrapMeans, defaultLevel, defaultResamples, defaultSeed, quantileUnsorted } from './bootstrap';
import { Xoshiro128 } from './random';

/**
 * Two runs on the same bench compared instance by instance: the mean of (b - a) with a paired
 * bootstrap interval, a two-sided p-value from a paired permutation (sign-flip) test on the instance
 * means, and the counts that moved. Instances present on one side only are listed, never dropped
 * silently: the comparison is over the instances both sides scored.
 */

export interface PairedOptions extends BootstrapOptions {
  /** Sign-flip permutations for the p-value (default 10,000). */
  readonly permutations?: number;
  /** Differences smaller than this count as ties (default 1e-9: equal scores). */
  readonly tieTolerance?: number;
  /** How many of the biggest movers each way to report (default 5). */
  readonly movers?: number;
}

export interface Mover {
  readonly id: string;
  readonly a: number;
  readonly b: number;
  readonly delta: number;
}

export interface PairedComparison {
  /** Instances scored on both sides. */
  readonly n: number;
  readonly meanA: number;
  readonly meanB: number;
  /** mean(b - a) over the paired instances. */
  readonly difference: number;
  readonly low: number;
  readonly high: number;
  readonly level: number;
  /** Two-sided p-value of "no difference" (paired permutation test). */
  readonly pValue: number;
  readonly better: number;
  readonly worse: number;
  readonly tied: number;
  /** Largest gains of b over a, biggest first. */
  readonly biggestGains: readonly Mover[];
  /** Largest losses of b against a, biggest first. */
  readonly biggestLosses: readonly Mover[];
  /** Ids scored in b but not in a, and the other way round. */
  readonly missingInA: readonly string[];
  readonly missingInB: readonly string[];
}

/** The paired comparison of instance means `a` and `b`; undefined when no instance is on both sides. */
export function comparePaired(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>, options: PairedOptions = {}): PairedComparison | undefined {
  const resamples = options.resamples ?? defaultResamples;
  const permutations = options.permutations ?? defaultResamples;
  const level = options.level ?? defaultLevel;
  const seed = options.seed ?? defaultSeed;
  const tolerance = options.tieTolerance ?? 1e-9;
  if (!Number.isInteger(permutations) || permutations < 1) throw new RangeError(`permutations must be a positive integer (got ${permutations})`);
  const movers: Mover[] = [];
  const missingInB: string[] = [];
  for (const [id, valueA] of a) {
    const valueB = b.get(id);
    if (valueB === undefined) missingInB.push(id);
    else movers.push({ id, a: valueA, b: valueB, delta: valueB - valueA });
  }
  const missingInA = [...b.keys()].filter((id) => !a.has(id));
  const n = movers.length;
  if (n === 0) return undefined;
  const deltas = Float64Array.from(movers, (m) => m.delta);
  let sumA = 0;
  let sumB = 0;
  let sumDelta = 0;
  let better = 0;
  let worse = 0;
  for (const m of movers) {
    sumA += m.a;
    sumB += m.b;
    sumDelta += m.delta;
    if (m.delta > tolerance) better++;
    else if (m.delta < -tolerance) worse++;
  }
  const difference = sumDelta / n;
  const tail = (1 - level) / 2;
  const means = bootstrapMeans(deltas, resamples, seed);
  const pValue = signFlipPValue(deltas, permutations, seed ^ 0x5bd1e995);
  const count = options.movers ?? 5;
  const byDelta = [...movers].sort((x, y) => y.delta - x.delta || (x.id < y.id ? -1 : 1));
  return {
    n,
    meanA: sumA / n,
    meanB: sumB / n,
    difference,
    low: quantileUnsorted(means, tail),
    high: quantileUnsorted(means, 1 - tail),
    level,
    pValue,
    better,
    worse,
    tied: n - better - worse,
    biggestGains: byDelta.filter((m) => m.delta > tolerance).slice(0, count),
    biggestLosses: byDelta.filter((m) => m.delta < -tolerance).reverse().slice(0, count),
    missingInA,
    missingInB,
  };
}

/**
 * Under "no difference" each instance's delta is as likely to have either sign, so flipping signs at
 * random gives the null distribution of the mean delta. p = (hits + 1) / (permutations + 1), which
 * is never 0 and is exact in size for a finite number of permutations.
 */
function signFlipPValue(deltas: Float64Array, permutations: number, seed: number): number {
  const n = deltas.length;
  let observed = 0;
  for (let i = 0; i < n; i++) observed += deltas[i] ?? 0;
  observed = Math.abs(observed);
  // Relative slack so float rounding of equal sums never turns a tie into a miss.
  const threshold = observed - 1e-12 * Math.max(1, observed);
  // One 32-bit draw gives 32 signs.
  const rng = new Xoshiro128(seed);
  let hits = 0;
  for (let p = 0; p < permutations; p++) {
    let sum = 0;
    let bits = 0;
    for (let i = 0; i < n; i++) {
      if ((i & 31) === 0) bits = rng.next();
      const value = deltas[i] ?? 0;
      sum += (bits >>> (i & 31)) & 1 ? value : -value;
    }
    if (Math.abs(sum) >= threshold) hits++;
  }
  return (hits + 1) / (permutations + 1);
}
