// The statistics of a full-size evaluation: 921 instances x 4 rubrics x 3 judge runs, 10,000
// resamples. Measures the bootstrap of every mean a summary shows (overall, 4 dimensions, 123
// sources, the source x dimension cells), the paired comparison of two such evaluations, and the
// whole `janus compare` process on their files (when dist/cli.js is built). Rounds interleave the
// measurements; medians are reported. Target (issue 11): under 300 ms in the CLI.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseBenchText } from '../src/core/bench/benchFile';
import type { BenchInstance } from '../src/core/bench/benchSchema';
import type { JudgedItem } from '../src/core/judge/aggregate';
import { summarize } from '../src/core/judge/aggregate';
import { evaluationIntervals } from '../src/core/stats/evaluationStats';
import { compareEvaluationRuns, readEvaluationRuns } from '../src/core/stats/evaluationRuns';
import { seededUniform } from '../src/core/stats/random';
import { syntheticBenchText } from '../test/fixtures/bench/syntheticBench';
import { median, report } from './report';

const instances: BenchInstance[] = parseBenchText(syntheticBenchText(921, 'json')).entries.flatMap((e) => (e.instance ? [e.instance] : []));

function judged(seed: number, shift: number): JudgedItem[] {
  const u = seededUniform(seed);
  const items: JudgedItem[] = [];
  const quality = instances.map(() => 2.5 + 2 * u());
  for (let run = 0; run < 3; run++) {
    instances.forEach((instance, i) => {
      instance.rubrics.forEach((_, r) => items.push({ run, id: instance.id, rubricIndex: r, score: Math.max(1, Math.min(5, Math.round((quality[i] ?? 3) + shift + (u() - 0.5) * 2))) }));
    });
  }
  return items;
}

const a = judged(1, 0);
const b = judged(1, 0.1);
const summaryA = summarize(instances, a, 3);

/** The evaluation files `evaluate --runs 3` writes: <stem>.run1.json ... in the original shape. */
function writeRuns(dir: string, stem: string, items: readonly JudgedItem[]): string {
  for (let run = 0; run < 3; run++) {
    const file: Record<string, unknown> = {};
    for (const instance of instances) {
      const score = instance.rubrics.map((_, r) => items.find((x) => x.run === run && x.id === instance.id && x.rubricIndex === r)?.score ?? null);
      file[instance.id] = { id: instance.id, source: instance.source, system: instance.system, prompt: instance.prompt, reference_answer: instance.reference_answer, rubric: instance.rubrics, response: 'r', feedback: score.map(() => 'f'), score };
    }
    writeFileSync(path.join(dir, `${stem}.run${run + 1}.json`), JSON.stringify(file));
  }
  return path.join(dir, `${stem}.json`);
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'janus-stats-bench-'));
const fileA = writeRuns(dir, 'a', a);
const fileB = writeRuns(dir, 'b', b);
const cli = path.join(__dirname, '..', 'dist', 'cli.js');

const times = { intervals: [] as number[], paired: [] as number[], cli: [] as number[], cliBaseline: [] as number[] };
async function main(): Promise<void> {
  const [sideA, sideB] = await Promise.all([readEvaluationRuns(fileA), readEvaluationRuns(fileB)]);
  for (let round = 0; round < 5; round++) {
    let start = performance.now();
    evaluationIntervals(instances, summaryA);
    times.intervals.push(performance.now() - start);
    start = performance.now();
    compareEvaluationRuns(sideA, sideB);
    times.paired.push(performance.now() - start);
    if (existsSync(cli)) {
      start = performance.now();
      const run = spawnSync(process.execPath, [cli, 'compare', fileA, fileB], { encoding: 'utf8' });
      times.cli.push(performance.now() - start);
      if (run.status !== 0) throw new Error(`janus compare failed: ${run.stderr}`);
      // The same process's fixed cost: start, read and parse both files, no resampling worth counting.
      start = performance.now();
      spawnSync(process.execPath, [cli, 'compare', fileA, fileB, '--resamples', '100'], { encoding: 'utf8' });
      times.cliBaseline.push(performance.now() - start);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  const rows = [
    { metric: 'summary intervals (overall, 4 dims, 123 sources, cells), 10,000 resamples', value: median(times.intervals), unit: 'ms', target: '< 300 ms', ok: median(times.intervals) < 300 },
    { metric: 'paired comparison of two 921-instance runs (bootstrap + permutations)', value: median(times.paired), unit: 'ms' },
  ];
  if (times.cli.length > 0) {
    rows.push(
      { metric: 'janus compare, whole process (2 x 3 run files, 10,000 resamples)', value: median(times.cli), unit: 'ms', target: '< 300 ms', ok: median(times.cli) < 300 },
      { metric: 'janus compare, whole process, 100 resamples (start + read files)', value: median(times.cliBaseline), unit: 'ms' },
    );
  }
  report('stats', rows, { instances: instances.length, runs: 3, resamples: 10_000, rounds: 5 });
}

void main();
