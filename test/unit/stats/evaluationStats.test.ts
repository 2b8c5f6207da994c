import assert from 'node:assert/strict';
import { formatSummary } from '../../../src/cli/commands/evaluate';
import type { BenchInstance } from '../../../src/core/bench/benchSchema';
import type { JudgedItem } from '../../../src/core/judge/aggregate';
import { summarize } from '../../../src/core/judge/aggregate';
import { evaluationIntervals, intervalsJson } from '../../../src/core/stats/evaluationStats';
import { seededUniform } from '../../../src/core/stats/random';

const rubric = { criteria: 'c', score_descriptions: { '1': 'a', '2': 'b', '3': 'c', '4': 'd', '5': 'e' } };
const dimensions = ['style', 'background_knowledge', 'informativeness', 'harmlessness'];

function bench(n: number): BenchInstance[] {
  return Array.from({ length: n }, (_, i) => ({
    id: String(i),
    index: i,
    source: i % 3 === 0 ? 'koala' : 'mt_bench',
    system: '',
    prompt: 'p',
    reference_answer: 'r',
    rubrics: [rubric, rubric, rubric, rubric],
    preference_set: dimensions.map((dimension) => ({ dimension, subdimension: 's', preference: 'p', description: 'd' })),
  }));
}

/** Judge scores 1-5: an instance-level quality plus rubric and run noise. */
function judged(instances: readonly BenchInstance[], runs: number, seed: number): JudgedItem[] {
  const u = seededUniform(seed);
  const items: JudgedItem[] = [];
  const quality = instances.map(() => 2 + 3 * u());
  for (let run = 0; run < runs; run++) {
    instances.forEach((instance, i) => {
      for (let r = 0; r < 4; r++) items.push({ run, id: instance.id, rubricIndex: r, score: Math.max(1, Math.min(5, Math.round((quality[i] ?? 3) + (u() - 0.5) * 1.5))) });
    });
  }
  return items;
}

function sampleSd(values: readonly number[]): number {
  const m = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / (values.length - 1));
}

describe('stats: evaluation intervals', () => {
  const instances = bench(300);
  const summary = summarize(instances, judged(instances, 3, 9), 3);
  const intervals = evaluationIntervals(instances, summary);

  it('resamples instances (runs averaged inside), matching the normal-theory width', () => {
    const means = Object.values(summary.perInstance).map((s) => s.mean ?? 0);
    const overall = intervals.overall;
    assert.ok(overall);
    assert.equal(overall.n, 300);
    assert.ok(Math.abs(overall.mean - means.reduce((a, b) => a + b, 0) / means.length) < 1e-12);
    // Independent check: the bootstrap half-width of a mean is close to 1.96 s / sqrt(n).
    const expected = (1.96 * sampleSd(means)) / Math.sqrt(means.length);
    const half = (overall.high - overall.low) / 2;
    assert.ok(Math.abs(half - expected) / expected < 0.08, `half ${half} vs ${expected}`);
  });

  it('gives every dimension, source and source x dimension cell its own interval', () => {
    assert.deepEqual([...intervals.byDimension.keys()].sort(), [...dimensions].sort());
    assert.deepEqual([...intervals.bySource.keys()], ['koala', 'mt_bench']);
    assert.equal(intervals.bySource.get('koala')?.n, 100);
    assert.equal(intervals.bySourceDimension.get('mt_bench')?.get('style')?.n, 200);
    const members = intervals.cellInstances.get('koala')?.get('harmlessness') ?? [];
    assert.equal(members.length, 100);
    assert.deepEqual(members[0], ['0', summary.perInstance['0']?.byRubric[3]]);
    for (const interval of intervals.byDimension.values()) assert.ok(interval.low < interval.mean && interval.mean < interval.high);
  });

  it('reports the spread between judge runs apart from the interval between instances', () => {
    const runMeans = summary.runs.map((r) => r.mean ?? 0);
    assert.equal(intervals.betweenRuns?.runs, 3);
    assert.ok(Math.abs((intervals.betweenRuns?.sd ?? -1) - sampleSd(runMeans)) < 1e-12);
  });

  it('prints each mean of the CLI summary with its interval', () => {
    const text = formatSummary(summary, intervalsJson(intervals));
    assert.match(text, /^overall \d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\] \(run 1: .*; between runs sd 0\.\d{3}\)/);
    assert.match(text, /\n {2}style {18}\d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\]/);
    assert.match(text, /\n {2}koala {18}\d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\] {2}\(100\)/);
    // Without intervals (an old summary), the plain means.
    assert.doesNotMatch(formatSummary(summary), /\[/);
  });
});
