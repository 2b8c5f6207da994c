/**
 * The header lens's statistics: the shown run's mean with its bootstrap interval over the bench's
 * instances, and in compare mode the paired verdict against the base run. Pure (no `vscode`); the
 * result is cached per loaded run and set of instances, because lenses are asked for on every edit
 * and scroll while the numbers only change with the results.
 */
import type { Interval } from '../../core/stats/bootstrap';
import { bootstrapMean } from '../../core/stats/bootstrap';
import { formatInterval, formatPValue, formatSignedInterval } from '../../core/stats/evaluationStats';
import type { PairedComparison } from '../../core/stats/paired';
import { comparePaired } from '../../core/stats/paired';
import type { InstanceResult } from './scoreFormat';

type Results = ReadonlyMap<string, InstanceResult>;

/** Instance id -> mean, for the ids given that the run scored. */
export function instanceMeans(ids: readonly string[], byId: Results): Map<string, number> {
  const means = new Map<string, number>();
  for (const id of ids) {
    const mean = byId.get(id)?.mean;
    if (mean !== null && mean !== undefined) means.set(id, mean);
  }
  return means;
}

const intervals = new WeakMap<Results, { key: string; value: Interval | undefined }>();
const comparisons = new WeakMap<Results, WeakMap<Results, { key: string; value: PairedComparison | undefined }>>();

/** The shown run's mean over `ids` with its 95% interval (cached). */
export function meanInterval(ids: readonly string[], byId: Results): Interval | undefined {
  const key = ids.join('\u0000');
  const cached = intervals.get(byId);
  if (cached?.key === key) return cached.value;
  const value = bootstrapMean([...instanceMeans(ids, byId).values()]);
  intervals.set(byId, { key, value });
  return value;
}

/** shown - base over `ids`, paired by instance (cached). */
export function pairedVerdict(ids: readonly string[], shown: Results, base: Results): PairedComparison | undefined {
  const key = ids.join('\u0000');
  let byBase = comparisons.get(shown);
  if (!byBase) {
    byBase = new WeakMap();
    comparisons.set(shown, byBase);
  }
  const cached = byBase.get(base);
  if (cached?.key === key) return cached.value;
  const value = comparePaired(instanceMeans(ids, base), instanceMeans(ids, shown));
  byBase.set(base, { key, value });
  return value;
}

/** `mean 4.17 [4.09, 4.25]`, or `mean –` with nothing scored. */
export function meanWithInterval(interval: Interval | undefined): string {
  return interval ? `mean ${formatInterval(interval)}` : 'mean –';
}

/** `+0.07 [+0.01, +0.13], p = 0.02, 212 better / 170 worse` (tied and unpaired left to the tooltip). */
export function verdictText(paired: PairedComparison | undefined): string {
  if (!paired) return 'no instance scored in both';
  return `${formatSignedInterval(paired.difference, paired.low, paired.high)}, ${formatPValue(paired.pValue)}, ${paired.better} better / ${paired.worse} worse`;
}
