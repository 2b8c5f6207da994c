// Reading a full-size Multifaceted Bench Parquet (921 rows, written here in the published schema,
// Snappy, as Hugging Face serves it) to instances, against the 300 ms target, with the JSON
// parse of the same bench as the yardstick from the same run. Peak memory is measured in fresh
// child processes (one read each, max RSS against a child that only loads the modules), also for
// the editor's view of a 10x and a 30x bench in 1000-row groups: it streams, so memory follows a
// row group, not the file.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseBenchText } from '../src/core/bench/benchFile';
import { readParquetBench } from '../src/core/bench/parquetBench';
import { writeParquetBenchView } from '../src/core/bench/parquetView';
import { writeBenchParquet } from '../test/fixtures/bench/parquetBench';
import { syntheticBenchText, syntheticInstance } from '../test/fixtures/bench/syntheticBench';
import { median, report } from './report';

type ChildTask = 'load' | 'read' | 'view';

/** In a child: do one task, print max RSS in MB. */
async function child(task: ChildTask, file: string): Promise<void> {
  if (task === 'read') await readParquetBench(file);
  if (task === 'view') await writeParquetBenchView(file, path.join(path.dirname(file), 'views'));
  process.stdout.write(`${process.resourceUsage().maxRSS / 1024}\n`);
}

function peakMb(task: ChildTask, file: string): number {
  const run = spawnSync(process.execPath, ['--import=tsx', __filename, '--child', task, file], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`child ${task} failed: ${run.stderr}`);
  return Number(run.stdout.trim());
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'janus-parquet-bench-'));
  try {
    const rows = Array.from({ length: 921 }, (_, i) => syntheticInstance(i));
    const file = writeBenchParquet(path.join(dir, 'train-00000-of-00001.parquet'), rows);
    const jsonl = syntheticBenchText(921, 'jsonl');
    const json = syntheticBenchText(921, 'json');
    const big = writeBenchParquet(path.join(dir, 'big.parquet'), Array.from({ length: 9210 }, (_, i) => syntheticInstance(i)), { rowGroupSize: 1000 });
    const bigger = writeBenchParquet(path.join(dir, 'bigger.parquet'), Array.from({ length: 27630 }, (_, i) => syntheticInstance(i)), { rowGroupSize: 1000 });

    const first = performance.now();
    const bench = await readParquetBench(file);
    const cold = performance.now() - first;
    if (bench.instances.length !== 921 || bench.problems.length > 0) throw new Error('the benchmark file did not read clean');
    const times: number[] = [];
    const cpuTimes: number[] = [];
    const jsonTimes: number[] = [];
    const loadBefore = os.loadavg()[0] ?? 0;
    for (let round = 0; round < 9; round++) {
      const start = performance.now();
      const cpu = process.cpuUsage();
      await readParquetBench(file);
      times.push(performance.now() - start);
      const used = process.cpuUsage(cpu);
      cpuTimes.push((used.user + used.system) / 1000);
      const t = performance.now();
      parseBenchText(jsonl);
      jsonTimes.push(performance.now() - t);
    }
    const load = peakMb('load', file);
    const read = peakMb('read', file);
    const view = peakMb('view', big);
    const view3 = peakMb('view', bigger);
    const m = median(times);
    report('parquetRead', [
      { metric: 'rows', value: 921, unit: '' },
      { metric: 'Parquet file (Snappy, one row group)', value: Math.round(statSync(file).size / 1e4) / 100, unit: 'MB' },
      { metric: 'same bench as JSONL / as indented JSON', value: Math.round(jsonl.length / 1e4) / 100, unit: `MB / ${(json.length / 1e6).toFixed(2)} MB` },
      { metric: 'read to instances (median of 9)', value: m, unit: 'ms', target: '< 300 ms', ok: m < 300 },
      { metric: 'read to instances, CPU time (median of 9)', value: median(cpuTimes), unit: 'ms' },
      { metric: 'read to instances, first call in the process', value: cold, unit: 'ms' },
      { metric: 'JSONL parse with positions, same bench', value: median(jsonTimes), unit: 'ms' },
      { metric: 'Parquet read / JSONL parse', value: m / median(jsonTimes), unit: 'x' },
      { metric: 'peak RSS: modules loaded only', value: load, unit: 'MB' },
      { metric: 'peak RSS: read 921 rows to instances', value: read, unit: 'MB' },
      { metric: 'peak RSS: editor view of 9210 rows (1000-row groups)', value: view, unit: 'MB' },
      { metric: 'peak RSS: editor view of 27630 rows (1000-row groups)', value: view3, unit: 'MB' },
      { metric: '9210-row / 27630-row Parquet file', value: Math.round(statSync(big).size / 1e4) / 100, unit: `MB / ${(statSync(bigger).size / 1e6).toFixed(2)} MB` },
      // This machine is shared: wall times stretch with the load, CPU time much less.
      { metric: 'load average (1 min) before / after the rounds', value: loadBefore, unit: `/ ${(os.loadavg()[0] ?? 0).toFixed(2)} on ${os.availableParallelism()} CPUs` },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const at = process.argv.indexOf('--child');
if (at >= 0) void child(process.argv[at + 1] as ChildTask, process.argv[at + 2] ?? '');
else void main();
