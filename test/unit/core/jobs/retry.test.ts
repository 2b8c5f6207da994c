import assert from 'node:assert/strict';
import type { RetryClock, RetryPolicy } from '../../../../src/core/jobs/retry';
import { abortableSleep, backoffDelayMs, nextDelayMs, parseRetryAfter, withRetry } from '../../../../src/core/jobs/retry';

const policy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000 };

/** A clock that records the waits instead of waiting. */
function recordingClock(): RetryClock & { waits: number[] } {
  const waits: number[] = [];
  let now = 0;
  return {
    waits,
    now: () => now,
    sleep: async (ms) => {
      waits.push(ms);
      now += ms;
    },
  };
}

function headers(values: Record<string, string>): (name: string) => string | undefined {
  return (name) => values[name];
}

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-23T12:00:00Z');
  it('reads delta-seconds', () => assert.equal(parseRetryAfter(headers({ 'retry-after': '3' }), now), 3000));
  it('reads fractional seconds', () => assert.equal(parseRetryAfter(headers({ 'retry-after': '0.5' }), now), 500));
  it('reads an HTTP date relative to now', () =>
    assert.equal(parseRetryAfter(headers({ 'retry-after': 'Mon, 23 Nov 2026 12:00:07 GMT' }), now), 7000));
  it('never returns a negative wait for a past date', () =>
    assert.equal(parseRetryAfter(headers({ 'retry-after': 'Mon, 23 Nov 2026 11:00:00 GMT' }), now), 0));
  it('prefers retry-after-ms', () =>
    assert.equal(parseRetryAfter(headers({ 'retry-after-ms': '250', 'retry-after': '9' }), now), 250));
  it('ignores garbage', () => {
    assert.equal(parseRetryAfter(headers({ 'retry-after': 'soon' }), now), undefined);
    assert.equal(parseRetryAfter(headers({}), now), undefined);
  });
});

describe('backoff', () => {
  it('doubles per attempt, caps, and jitters within [half, full]', () => {
    assert.equal(backoffDelayMs(1, policy, () => 0), 50);
    assert.equal(backoffDelayMs(1, policy, () => 1), 100);
    assert.equal(backoffDelayMs(3, policy, () => 1), 400);
    assert.equal(backoffDelayMs(10, policy, () => 1), 1000);
    assert.equal(backoffDelayMs(10, policy, () => 0), 500);
  });

  it('honours the server wait, gives up past maxRetryAfterMs and past maxAttempts', () => {
    assert.equal(nextDelayMs({ retry: true, retryAfterMs: 1234 }, 1, policy, () => 0), 1234);
    assert.equal(nextDelayMs({ retry: true, retryAfterMs: 60_000 }, 1, policy, () => 0), undefined);
    assert.equal(nextDelayMs({ retry: true }, 4, policy, () => 0), undefined);
    assert.equal(nextDelayMs({ retry: false }, 1, policy, () => 0), undefined);
  });
});

describe('withRetry', () => {
  it('retries transient failures with growing waits, then succeeds', async () => {
    const clock = recordingClock();
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw new Error('flaky');
        return 'ok';
      },
      { classify: () => ({ retry: true }), policy, clock, random: () => 1 },
    );
    assert.equal(result, 'ok');
    assert.equal(calls, 3);
    assert.deepEqual(clock.waits, [100, 200]);
  });

  it('stops after maxAttempts and rethrows the last error', async () => {
    const clock = recordingClock();
    let calls = 0;
    await assert.rejects(
      withRetry(
        async () => {
          calls++;
          throw new Error(`fail ${calls}`);
        },
        { classify: () => ({ retry: true }), policy, clock, random: () => 0 },
      ),
      /fail 4/,
    );
    assert.equal(calls, 4);
  });

  it('does not retry what the classifier rejects', async () => {
    let calls = 0;
    await assert.rejects(
      withRetry(
        async () => {
          calls++;
          throw new Error('401');
        },
        { classify: () => ({ retry: false }), policy, clock: recordingClock() },
      ),
    );
    assert.equal(calls, 1);
  });

  it('uses the retry-after the classifier found', async () => {
    const clock = recordingClock();
    let calls = 0;
    await withRetry(
      async () => {
        if (calls++ === 0) throw new Error('429');
        return 1;
      },
      { classify: () => ({ retry: true, retryAfterMs: 2500 }), policy, clock },
    );
    assert.deepEqual(clock.waits, [2500]);
  });

  it('an abort during the wait ends the retry loop at once', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const run = withRetry(
      async () => {
        throw new Error('down');
      },
      { classify: () => ({ retry: true, retryAfterMs: 4000 }), policy, signal: controller.signal },
    );
    setImmediate(() => controller.abort(new Error('cancelled by test')));
    await assert.rejects(run, /cancelled by test/);
    assert.ok(Date.now() - started < 1000);
  });

  it('abortableSleep rejects immediately on an aborted signal', async () => {
    await assert.rejects(abortableSleep(10_000, AbortSignal.abort()), { name: 'AbortError' });
  });
});
