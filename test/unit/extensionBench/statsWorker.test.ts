import assert from 'node:assert/strict';
import path from 'node:path';
import * as esbuild from 'esbuild';
import type { BenchInstance } from '../../../src/core/bench/benchSchema';
import type { JudgedItem } from '../../../src/core/judge/aggregate';
import { summarize } from '../../../src/core/judge/aggregate';
import type { Logger } from '../../../src/core/log';
import { computeIntervalsHere } from '../../../src/core/stats/evaluationStats';
import { comparePaired } from '../../../src/core/stats/paired';
import { seededUniform } from '../../../src/core/stats/random';
import { StatsWorkerClient } from '../../../src/extension/bench/statsWorkerClient';
import { useTempDir } from '../../support/tempDir';

const rubric = { criteria: 'c', score_descriptions: { '1': 'a', '2': 'b', '3': 'c', '4': 'd', '5': 'e' } };

function evaluation(n: number): { instances: BenchInstance[]; items: JudgedItem[] } {
  const u = seededUniform(3);
  const instances: BenchInstance[] = Array.from({ length: n }, (_, i) => ({ id: String(i), index: i, source: `s${i % 40}`, system: '', prompt: 'p', reference_answer: 'r', rubrics: [rubric, rubric, rubric, rubric] }));
  const items = instances.flatMap((instance) => [0, 1, 2, 3].map((rubricIndex) => ({ run: 0, id: instance.id, rubricIndex, score: 1 + Math.floor(u() * 5) })));
  return { instances, items };
}

function logger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const noop = (): void => undefined;
  return { warnings, info: noop, debug: noop, error: noop, trace: noop, warn: (message: string) => void warnings.push(message) };
}

describe('statistics worker', function () {
  this.timeout(60_000);
  const dir = useTempDir('janus-stats-worker-');

  async function buildWorker(): Promise<string> {
    const outfile = path.join(dir(), 'statsWorker.js');
    await esbuild.build({ entryPoints: ['src/extension/bench/statsWorker.ts'], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile, logLevel: 'silent' });
    return outfile;
  }

  it('computes the same intervals and paired test as this thread, without blocking it', async () => {
    const { instances, items } = evaluation(921);
    const summary = summarize(instances, items, 1);
    const client = new StatsWorkerClient(await buildWorker(), logger());
    try {
      // The event loop's longest gap while the worker resamples: ticks every 5 ms keep coming.
      let longest = 0;
      let last = performance.now();
      const ticker = setInterval(() => {
        const now = performance.now();
        longest = Math.max(longest, now - last);
        last = now;
      }, 5);
      const inWorker = await client.intervals(instances, summary);
      clearInterval(ticker);
      const start = performance.now();
      const here = await computeIntervalsHere(instances, summary);
      const blocking = performance.now() - start;
      assert.deepEqual(inWorker, here);
      assert.ok(longest < blocking, `longest event-loop gap ${longest.toFixed(0)} ms while the worker ran; the same work here blocks ${blocking.toFixed(0)} ms`);
      const a = new Map(instances.map((x, i) => [x.id, 3 + (i % 3)]));
      const b = new Map(instances.map((x, i) => [x.id, 3 + (i % 4)]));
      assert.deepEqual(await client.paired(a, b), comparePaired(a, b));
    } finally {
      client.dispose();
    }
  });

  it('falls back to this thread, once logged, when the worker file is missing', async () => {
    const { instances, items } = evaluation(50);
    const summary = summarize(instances, items, 1);
    const log = logger();
    const client = new StatsWorkerClient(path.join(dir(), 'missing.js'), log);
    assert.deepEqual(await client.intervals(instances, summary), await computeIntervalsHere(instances, summary));
    await client.intervals(instances, summary);
    assert.equal(log.warnings.length, 1);
    assert.match(log.warnings[0] ?? '', /statistics worker missing\.js is missing: statistics run on the extension host thread/);
    client.dispose();
  });
});
