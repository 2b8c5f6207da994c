import assert from 'node:assert/strict';
import { ProgressTracker } from '../../../src/core/jobs/progress';
import { progressReporter } from '../../../src/core/jobs/progressReporter';
import { formatProgress } from '../../../src/core/jobs/progressText';

describe('job progress', () => {
  it('counts reused items apart from the rate, and gives ETA, tokens and cost', () => {
    let now = 0;
    const tracker = new ProgressTracker(100, () => now, { promptPerMillion: 10, completionPerMillion: 30 });
    tracker.reuse(40);
    now = 10_000;
    for (let i = 0; i < 20; i++) tracker.finish({ promptTokens: 1000, completionTokens: 100 });
    tracker.fail();
    const p = tracker.snapshot();
    assert.deepEqual([p.done, p.reused, p.failed, p.total], [60, 40, 1, 100]);
    assert.equal(p.ratePerSecond, 2, 'only the 20 calls made in this session, over 10 s');
    assert.equal(p.etaMs, (39 / 2) * 1000);
    assert.deepEqual([p.promptTokens, p.completionTokens], [20_000, 2000]);
    assert.equal(p.cost, (20_000 * 10 + 2000 * 30) / 1e6);
    assert.equal(formatProgress(p, 'judge calls'), '60/100 judge calls (60%) · 40 reused · 1 failed · 2.0/s · 22000 tokens · cost 0.2600 · ETA 20s');
  });

  it('has no ETA before the first call finished and none without prices', () => {
    const p = new ProgressTracker(10, () => 0).snapshot();
    assert.equal(p.etaMs, undefined);
    assert.equal(p.cost, undefined);
    assert.equal(formatProgress(p), '0/10 calls (0%) · 0.0/s');
  });

  it('rewrites one line on a TTY and prints throttled plain lines otherwise, always the last state', () => {
    let now = 0;
    const tracker = new ProgressTracker(3, () => now);
    const tty: string[] = [];
    const plain: string[] = [];
    const onTty = progressReporter({ write: (t) => void tty.push(t), isTTY: true }, 'calls', { now: () => now });
    const onPlain = progressReporter({ write: (t) => void plain.push(t), isTTY: false }, 'calls', { now: () => now, plainEveryMs: 5000 });
    for (let i = 0; i < 3; i++) {
      now += 1000;
      tracker.finish(undefined);
      onTty.update(tracker.snapshot());
      onPlain.update(tracker.snapshot());
    }
    onTty.finish();
    onPlain.finish();
    assert.ok(tty.slice(0, -1).every((t) => t.startsWith('\r\x1b[2K')));
    assert.equal(tty.at(-1), '\n');
    assert.equal(tty.length, 4);
    assert.deepEqual(plain.map((l) => l.split(' ')[0]), ['1/3', '3/3'], 'one line at the start, then the final state');
    assert.ok(plain.every((l) => l.endsWith('\n') && !l.includes('\r')));
  });
});
