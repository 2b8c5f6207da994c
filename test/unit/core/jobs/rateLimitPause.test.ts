import assert from 'node:assert/strict';
import path from 'node:path';
import type { BenchInstance } from '../../../../src/core/bench/benchSchema';
import { EndpointClient } from '../../../../src/core/endpoints/client';
import { endpointProfileSchema } from '../../../../src/core/endpoints/profile';
import { runEvaluationJob } from '../../../../src/core/jobs/evaluationJob';
import type { JobProgress } from '../../../../src/core/jobs/progress';
import { formatProgress } from '../../../../src/core/jobs/progressText';
import { createScheduler } from '../../../../src/core/jobs/scheduler';
import { endpointTextModel } from '../../../../src/core/jobs/textModel';
import type { JudgeServer } from '../../../support/judgeServer';
import { startJudgeServer } from '../../../support/judgeServer';
import { useTempDir } from '../../../support/tempDir';
import { fakeClock } from '../../jobs/fakeClock';

describe('scheduler: global pause on rate limits', () => {
  it('starts nothing while a rate limit pauses it, then runs everything', async () => {
    const clock = fakeClock();
    const scheduler = createScheduler({ concurrency: 4 }, { clock });
    const pauses: number[] = [];
    scheduler.onRateLimited?.((ms) => pauses.push(ms));
    const starts: number[] = [];
    const first = scheduler.run(async (_signal, control) => {
      starts.push(clock.now());
      control.rateLimited(1000);
      await control.ready();
      return 'retried after the pause';
    });
    await clock.advance(0);
    const rest = Array.from({ length: 6 }, (_, i) =>
      scheduler.run(async (signal) => {
        starts.push(clock.now());
        await clock.sleep(10, signal);
        return i;
      }),
    );
    await clock.advance(999);
    assert.deepEqual(starts, [0], 'no task started during the pause');
    assert.deepEqual(pauses, [1000]);
    assert.equal(scheduler.rateLimit?.pausedMs, 1);
    await clock.advance(100);
    assert.equal(await first, 'retried after the pause');
    assert.deepEqual(await Promise.all(rest), [0, 1, 2, 3, 4, 5]);
    assert.ok(starts.slice(1).every((t) => t >= 1000), `started at ${starts.join(', ')}`);
    assert.equal(scheduler.rateLimit?.pausedMs, 0);
  });

  it('halves the concurrency when limits keep coming, and wins slots back one per calm round', async () => {
    const clock = fakeClock();
    const scheduler = createScheduler({ concurrency: 8 }, { clock });
    const limitOnce = (): Promise<void> =>
      scheduler.run(async (_signal, control) => {
        control.rateLimited(100);
        await control.ready();
      });
    const calls = (n: number): Promise<void[]> => Promise.all(Array.from({ length: n }, () => scheduler.run((signal) => clock.sleep(10, signal))));
    const first = limitOnce();
    await clock.advance(200);
    await first;
    assert.equal(scheduler.rateLimit?.concurrency, 8, 'one storm only pauses');
    const second = limitOnce();
    await clock.advance(200);
    await second;
    assert.equal(scheduler.rateLimit?.concurrency, 4, 'a second storm before a calm round halves the concurrency');
    let running = 0;
    let peak = 0;
    const measured = Array.from({ length: 4 }, () =>
      scheduler.run(async (signal) => {
        peak = Math.max(peak, ++running);
        await clock.sleep(10, signal);
        running--;
      }),
    );
    await clock.advance(100);
    await Promise.all(measured);
    assert.equal(peak, 4, 'the lowered concurrency is in force');
    assert.equal(scheduler.rateLimit?.concurrency, 5, 'a round of 4 calls without a limit gives one slot back');
    const recovery = calls(5 + 6 + 7);
    await clock.advance(1000);
    await recovery;
    assert.equal(scheduler.rateLimit?.concurrency, 8, 'back to the configured cap, never above');
  });
});

describe('evaluation job under a 429 storm (real client, fake judge injecting 429s)', () => {
  const dir = useTempDir('janus-ratelimit-');
  let server: JudgeServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const rubric = (criteria: string) => ({ criteria, score_descriptions: { '1': 'a', '2': 'b', '3': 'c', '4': 'd', '5': 'e' } });
  const bench: BenchInstance[] = Array.from({ length: 8 }, (_, i) => ({
    id: String(i), index: i, source: 'a', system: `sys ${i}`, prompt: `prompt ${i}`, reference_answer: `ref ${i}`,
    rubrics: [rubric(`c${i}-0`), rubric(`c${i}-1`), rubric(`c${i}-2`), rubric(`c${i}-3`)],
  }));
  const responses = Object.fromEntries(bench.map((b) => [b.id, { response: `answer ${b.id}` }]));

  it('sends no request while the pause lasts, shows it in the progress, and judges every item', async function () {
    this.timeout(20_000);
    const latencyMs = 100;
    // Requests 8-10 are limited with retry-after 1.5 s while the other slots keep being served:
    // without a shared pause, those slots would go on sending a request every 100 ms.
    server = await startJudgeServer({
      latencyMs,
      plan: (r) => (r.index >= 8 && r.index <= 10 ? { kind: 'status', status: 429, retryAfter: '1.5', message: 'Rate limit reached for requests' } : { kind: 'score' }),
    });
    const profile = endpointProfileSchema.parse({ role: 'judge', baseUrl: server.baseUrl, model: 'fake-judge', format: 'chat', sampling: {} });
    const scheduler = createScheduler({ concurrency: 4 });
    const progress: JobProgress[] = [];
    const out = path.join(dir(), 'storm', 'eval.json');
    const result = await runEvaluationJob({
      instances: bench, responses, judge: endpointTextModel(new EndpointClient(profile)), scheduler, outFile: out, checkpointFile: `${out}.checkpoint.jsonl`, onProgress: (p) => progress.push(p),
    });

    assert.equal(result.summary.scored, 32, 'every item judged');
    assert.equal(result.failures.length, 0);
    const limited = server.requests.filter((r) => r.index >= 8 && r.index <= 10);
    const firstLimitSentAt = (limited[0]?.at ?? NaN) + latencyMs;
    // The pause runs from the first 429 to 1.5 s later; allow for the reply's way back and a busy machine.
    const during = server.requests.filter((r) => r.at > firstLimitSentAt + 150 && r.at < firstLimitSentAt + 1400);
    assert.deepEqual(during.map((r) => r.index), [], 'requests sent during the pause');
    const retried = server.requests.filter((r) => r.at >= firstLimitSentAt + 1400);
    assert.ok(retried.length >= 3, 'the limited calls were retried after the pause');
    const paused = progress.filter((p) => (p.rateLimitedMs ?? 0) > 0);
    assert.ok(paused.length > 0, 'the pause reached the progress');
    assert.match(formatProgress(paused[0] as JobProgress, 'judge calls'), /rate limited: waiting [12] s/);
  });
});
