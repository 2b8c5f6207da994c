import type { BootstrapOptions, Interval } from './bootstrap';
import { defaultLevel, defaultResamples, defaultSeed, quantileUnsorted, standardDeviation } from './bootstrap';
import { seedState } from './random';

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
    // Compressed rows: instance i's contributions are entries offsets[i] .. offsets[i + 1].
    const offsets = new Int32Array(n + 1);
    this.rows.forEach((row, i) => (offsets[i + 1] = (offsets[i] ?? 0) + row.length));
    const groupOf = new Int32Array(offsets[n] ?? 0);
    const valueOf = new Float64Array(offsets[n] ?? 0);
    const sums0 = new Float64Array(groups);
    const counts0 = new Int32Array(groups);
    this.rows.forEach((row, i) =>
      row.forEach((c, j) => {
        const at = (offsets[i] ?? 0) + j;
        groupOf[at] = c.group;
        valueOf[at] = c.value;
        sums0[c.group] = (sums0[c.group] ?? 0) + c.value;
        counts0[c.group] = (counts0[c.group] ?? 0) + 1;
      }),
    );
    // Resample means per group, float32 (enough for intervals shown to 2-3 decimals; half the memory).
    const means = new Float32Array(groups * resamples);
    const sums = new Float64Array(groups);
    const counts = new Int32Array(groups);
    const state = seedState(options.seed ?? defaultSeed);
    let s0 = state[0] ?? 0;
    let s1 = state[1] ?? 0;
    let s2 = state[2] ?? 0;
    let s3 = state[3] ?? 0;
    for (let r = 0; r < resamples; r++) {
      sums.fill(0);
      counts.fill(0);
      for (let k = 0; k < n; k++) {
        // xoshiro128**, stepped inline as in bootstrapMeans.
        const out32 = Math.imul((Math.imul(s1, 5) << 7) | (Math.imul(s1, 5) >>> 25), 9) >>> 0;
        const t = s1 << 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = (s3 << 11) | (s3 >>> 21);
        const i = Math.floor((out32 / 4294967296) * n);
        const end = offsets[i + 1] ?? 0;
        for (let at = offsets[i] ?? 0; at < end; at++) {
          const g = groupOf[at] ?? 0;
          sums[g] = (sums[g] ?? 0) + (valueOf[at] ?? 0);
          counts[g] = (counts[g] ?? 0) + 1;
        }
      }
      const row = r * groups;
      for (let g = 0; g < groups; g++) means[row + g] = (counts[g] ?? 0) === 0 ? Number.NaN : (sums[g] ?? 0) / (counts[g] ?? 1);
    }
    const tail = (1 - level) / 2;
    for (const [name, g] of this.groupIds) {
      // Resample-major storage (each resample's means written together); gathered per group here.
      let kept = 0;
      const gathered = new Float64Array(resamples);
      for (let r = 0; r < resamples; r++) {
        const m = means[r * groups + g] ?? Number.NaN;
        if (!Number.isNaN(m)) gathered[kept++] = m;
      }
      const values = gathered.subarray(0, kept);
      out.set(name, {
        mean: (sums0[g] ?? 0) / (counts0[g] ?? 1),
        low: quantileUnsorted(values, tail),
        high: quantileUnsorted(values, 1 - tail),
        n: counts0[g] ?? 0,
        standardError: standardDeviation(values),
      });
    }
    return out;
  }
}
