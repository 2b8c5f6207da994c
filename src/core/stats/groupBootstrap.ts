import type { BootstrapOptions, Interval } from './bootstrap';
import { defaultLevel, defaultResamples, defaultSeed, quantileUnsorted, standardDeviation } from './bootstrap';
import { Xoshiro128 } from './random';

/**
 * Many means over one set of instances from one bootstrap: each resample draws n instances with
 * replacement once, and every group mean (overall, each dimension, each source, each source x
 * dimension cell) is taken over the drawn instances that belong to it. One draw serves every group,
 * so a summary with hundreds of groups costs about one bootstrap of the bench, and the intervals
 * are those of one joint resampling (a group's size varies between resamples, as it would between
 * samples of the bench; a resample that drew none of a small group's instances is left out of
 * that group's interval).
 */
export class GroupedValues {
  private readonly groupIds = new Map<string, number>();
  private readonly rows: { group: number; value: number }[][] = [];

  /** Adds `value` of instance `instance` (0-based, dense) to group `group`. */
  add(instance: number, group: string, value: number): void {
    let id = this.groupIds.get(group);
    if (id === undefined) {
      id = this.groupIds.size;
      this.groupIds.set(group, id);
    }
    while (this.rows.length <= instance) this.rows.push([]);
    this.rows[instance]?.push({ group: id, value });
  }

  private readonly rollups = new Map<string, string[]>();

  /**
   * A group that is the union of other groups (which must not share instances): its sums and counts
   * are added up from theirs in each resample instead of read again, e.g. the overall mean from the
   * sources, a dimension from its source x dimension cells. Halves the work of a summary.
   */
  addRollup(group: string, parts: readonly string[]): void {
    this.rollups.set(group, [...parts]);
  }

  get instances(): number {
    return this.rows.length;
  }

  /** Every group's mean with its percentile interval. */
  intervals(options: BootstrapOptions = {}): Map<string, Interval> {
    const resamples = options.resamples ?? defaultResamples;
    const level = options.level ?? defaultLevel;
    const n = this.rows.length;
    const groups = this.groupIds.size;
    const out = new Map<string, Interval>();
    if (n === 0 || groups === 0) return out;
    const rollups = [...this.rollups].map(([name, parts]) => ({ name, parts: Int32Array.from(parts.flatMap((p) => {
      const id = this.groupIds.get(p);
      return id === undefined ? [] : [id];
    })) }));
    const total = groups + rollups.length;
    // Members by group (compressed): group g's instances and values are entries starts[g] .. starts[g + 1].
    const starts = new Int32Array(groups + 1);
    this.rows.forEach((row) => row.forEach((c) => (starts[c.group + 1] = (starts[c.group + 1] ?? 0) + 1)));
    for (let g = 0; g < groups; g++) starts[g + 1] = (starts[g + 1] ?? 0) + (starts[g] ?? 0);
    const memberOf = new Int32Array(starts[groups] ?? 0);
    const valueOf = new Float64Array(starts[groups] ?? 0);
    const fill = Int32Array.from(starts.subarray(0, groups));
    const sums0 = new Float64Array(groups);
    this.rows.forEach((row, i) =>
      row.forEach((c) => {
        const at = fill[c.group] ?? 0;
        fill[c.group] = at + 1;
        memberOf[at] = i;
        valueOf[at] = c.value;
        sums0[c.group] = (sums0[c.group] ?? 0) + c.value;
      }),
    );
    // Resample means per group, float32 (enough for intervals shown to 2-3 decimals; half the memory).
    const means = new Float32Array(total * resamples);
    const sums = new Float64Array(groups);
    const counts = new Int32Array(groups);
    // How often each instance was drawn in this resample: a group's mean is then a weighted mean
    // over its members, read in order (no scattered writes per draw, which were the slow part).
    const drawn = new Int32Array(n);
    const rng = new Xoshiro128(options.seed ?? defaultSeed);
    for (let r = 0; r < resamples; r++) {
      drawn.fill(0);
      for (let k = 0; k < n; k++) {
        const i = rng.below(n);
        drawn[i] = (drawn[i] ?? 0) + 1;
      }
      const row = r * total;
      for (let g = 0; g < groups; g++) {
        let sum = 0;
        let count = 0;
        const end = starts[g + 1] ?? 0;
        for (let at = starts[g] ?? 0; at < end; at++) {
          const times = drawn[memberOf[at] ?? 0] ?? 0;
          sum += times * (valueOf[at] ?? 0);
          count += times;
        }
        sums[g] = sum;
        counts[g] = count;
        means[row + g] = count === 0 ? Number.NaN : sum / count;
      }
      rollups.forEach(({ parts }, j) => {
        let sum = 0;
        let count = 0;
        for (const part of parts) {
          sum += sums[part] ?? 0;
          count += counts[part] ?? 0;
        }
        means[row + groups + j] = count === 0 ? Number.NaN : sum / count;
      });
    }
    const tail = (1 - level) / 2;
    const groupSize = (g: number): number => (starts[g + 1] ?? 0) - (starts[g] ?? 0);
    const summarize = (name: string, column: number, mean: number, size: number): void => {
      // Resample-major storage (each resample's means written together); gathered per group here.
      let kept = 0;
      const gathered = new Float64Array(resamples);
      for (let r = 0; r < resamples; r++) {
        const m = means[r * total + column] ?? Number.NaN;
        if (!Number.isNaN(m)) gathered[kept++] = m;
      }
      const values = gathered.subarray(0, kept);
      out.set(name, { mean, low: quantileUnsorted(values, tail), high: quantileUnsorted(values, 1 - tail), n: size, standardError: standardDeviation(values) });
    };
    for (const [name, g] of this.groupIds) summarize(name, g, (sums0[g] ?? 0) / groupSize(g), groupSize(g));
    rollups.forEach(({ name, parts }, j) => {
      let sum = 0;
      let size = 0;
      for (const part of parts) {
        sum += sums0[part] ?? 0;
        size += groupSize(part);
      }
      if (size > 0) summarize(name, groups + j, sum / size, size);
    });
    return out;
  }
}
