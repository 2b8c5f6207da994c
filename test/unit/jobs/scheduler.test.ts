import assert from 'node:assert/strict';
import { TokenBucket, createScheduler } from '../../../src/core/jobs/scheduler';
import { fakeClock } from './fakeClock';

/** Start times (fake ms) of every task, to check budgets over sliding windows. */
function maxInWindow(starts: readonly number[], windowMs: number): number {
  let best = 0;
  for (const from of starts) best = Math.max(best, starts.filter((t) => t >= from && t < from + windowMs).length);
  return best;
}

describe('scheduler', () => {
  it('never runs more than the concurrency cap and runs everything', async () => {
    const clock = fakeClock();
    const scheduler = createScheduler({ concurrency: 3 }, { clock });
    let running = 0;
    let peak = 0;
    const results = Array.from({ length: 10 }, (_, i) =>
      scheduler.run(async (signal) => {
        running++;
        peak = Math.max(peak, running);
        await clock.sleep(100 + i * 10, signal);
        running--;
        return i;
      }),
    );
    await clock.advance(10_000);
    assert.deepEqual(await Promise.all(results), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(peak, 3);
    assert.deepEqual(scheduler.stats, { queued: 0, running: 0, completed: 10, failed: 0, cancelled: 0 });
  });

  it('keeps submission order within a priority and runs lower priorities first', async () => {
    const clock = fakeClock();
    const scheduler = createScheduler({ concurrency: 1 }, { clock });
    const order: string[] = [];
    const task = (name: string) => async (signal: AbortSignal): Promise<void> => {
      order.push(name);
      await clock.sleep(10, signal);
    };
    const all = [
      scheduler.run(task('a')),
      scheduler.run(task('b')),
      scheduler.run(task('c')),
      scheduler.run(task('urgent'), { priority: -1 }),
      scheduler.run(task('late'), { priority: 5 }),
    ];
    await clock.advance(1000);
    await Promise.all(all);
    assert.deepEqual(order, ['a', 'urgent', 'b', 'c', 'late']);
  });

  it('has no batch barrier: a slow task does not hold back the others', async () => {
    const clock = fakeClock();
    const scheduler = createScheduler({ concurrency: 2 }, { clock });
    const finished: number[] = [];
    const slow = scheduler.run((signal) => clock.sleep(60_000, signal));
    const fast = Array.from({ length: 10 }, (_, i) => scheduler.run(async (signal) => {
      await clock.sleep(100, signal);
      finished.push(i);
    }));
    await clock.advance(1000);
    await Promise.all(fast);
    assert.equal(finished.length, 10, 'all fast tasks finished through the one free slot in 1 s');
    assert.equal(scheduler.stats.running, 1, 'the slow one is still running');
    await clock.advance(60_000);
    await slow;
  });

  it('holds requests a minute over every window', async () => {
    const clock = fakeClock();
    const scheduler = createScheduler({ concurrency: 50, requestsPerMinute: 60 }, { clock });
    const starts: number[] = [];
    const all = Array.from({ length: 150 }, () => scheduler.run(async () => void starts.push(clock.now())));
    for (let t = 0; t < 200; t++) await clock.advance(1000);
    await Promise.all(all);
    assert.equal(starts.length, 150);
    // A burst of 10 s of budget at the start, then one a second.
    assert.ok(maxInWindow(starts, 60_000) <= 60 + 10, `max ${maxInWindow(starts, 60_000)} starts in a minute`);
    assert.ok(starts.filter((t) => t < 60_000).length >= 60, 'the budget is used, not wasted');
  });

  it('holds tokens a minute and corrects estimates with reported usage', async () => {
    const clock = fakeClock();
    const scheduler = createScheduler({ concurrency: 50, tokensPerMinute: 6000 }, { clock, burstSeconds: 10 });
    const starts: number[] = [];
    const all = Array.from({ length: 20 }, () => scheduler.run(async () => void starts.push(clock.now()), { estimatedTokens: 1000 }));
    for (let t = 0; t < 240; t++) await clock.advance(1000);
    await Promise.all(all);
    assert.ok(maxInWindow(starts, 60_000) <= 7, `max ${maxInWindow(starts, 60_000)} starts of 1000 tokens in a minute at 6000 tpm`);

    // Reporting that each task used only 100 tokens lets the next ones start much sooner.
    const refunded: number[] = [];
    const t0 = clock.now();
    const more = Array.from({ length: 20 }, () =>
      scheduler.run(async (_signal, control) => {
        refunded.push(clock.now() - t0);
        control.reportTokens(100);
      }, { estimatedTokens: 1000 }),
    );
    for (let t = 0; t < 60; t++) await clock.advance(1000);
    await Promise.all(more);
    assert.ok(maxInWindow(refunded, 60_000) >= 20, `only ${maxInWindow(refunded, 60_000)} started in a minute despite refunds`);
  });

  it('aborting a queued task rejects it without running it', async () => {
    const clock = fakeClock();
    const scheduler = createScheduler({ concurrency: 1 }, { clock });
    const first = scheduler.run((signal) => clock.sleep(100, signal));
    const controller = new AbortController();
    let ran = false;
    const queued = scheduler.run(async () => void (ran = true), { signal: controller.signal });
    controller.abort(new Error('stop'));
    await assert.rejects(queued, /stop/);
    await clock.advance(200);
    await first;
    assert.equal(ran, false);
    assert.equal(scheduler.stats.cancelled, 1);
    assert.equal(scheduler.stats.queued, 0);
  });

  it('aborting a running task frees its slot at once, even if the task ignores the signal', async () => {
    const clock = fakeClock();
    const scheduler = createScheduler({ concurrency: 1 }, { clock });
    const controller = new AbortController();
    const stuck = scheduler.run(() => new Promise<void>(() => undefined), { signal: controller.signal });
    let nextStarted = false;
    const next = scheduler.run(async () => void (nextStarted = true));
    await clock.advance(10);
    assert.equal(nextStarted, false);
    controller.abort();
    await assert.rejects(stuck, { name: 'AbortError' });
    await clock.advance(10);
    await next;
    assert.equal(nextStarted, true);
    assert.equal(scheduler.stats.running, 0);
  });

  it('counts failures and passes the error through', async () => {
    const scheduler = createScheduler({ concurrency: 2 });
    await assert.rejects(scheduler.run(() => Promise.reject(new Error('boom'))), /boom/);
    await assert.rejects(scheduler.run(() => { throw new Error('sync'); }), /sync/);
    assert.equal(scheduler.stats.failed, 2);
  });

  it('lets a cost larger than the bucket start on a full bucket', () => {
    const bucket = new TokenBucket(600, 100, 0);
    assert.equal(bucket.waitMs(500, 0), 0);
    bucket.take(500, 0);
    // 400 in debt + 100 needed at 10 per second.
    assert.equal(bucket.waitMs(100, 0), 50_000);
  });
});

describe('scheduler with one signal shared by many tasks', () => {
  it('starts none of the queued tasks when the shared signal aborts', async () => {
    const clock = fakeClock();
    const scheduler = createScheduler({ concurrency: 1 }, { clock });
    const controller = new AbortController();
    let started = 0;
    const all = Array.from({ length: 10 }, () =>
      scheduler.run(async (signal) => {
        started++;
        await clock.sleep(100, signal);
      }, { signal: controller.signal }).catch(() => 'aborted'),
    );
    await clock.advance(10);
    controller.abort();
    assert.deepEqual(await Promise.all(all), Array(10).fill('aborted'));
    assert.equal(started, 1);
    assert.equal(scheduler.stats.cancelled, 10);
  });
});
