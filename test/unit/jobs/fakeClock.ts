import type { RetryClock } from '../../../src/core/jobs/retry';

/** A clock that only moves when a test advances it; sleeps resolve in time order. */
export interface FakeClock extends RetryClock {
  /** Moves time forward, waking sleepers (and letting their follow-up work run) on the way. */
  advance(ms: number): Promise<void>;
}

export function fakeClock(start = 0): FakeClock {
  let now = start;
  let timers: { at: number; wake: () => void }[] = [];
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 20; i++) await Promise.resolve();
    await new Promise<void>((resolve) => setImmediate(resolve));
  };
  return {
    now: () => now,
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const timer = { at: now + ms, wake: resolve };
        timers.push(timer);
        signal?.addEventListener('abort', () => {
          timers = timers.filter((t) => t !== timer);
          reject(signal.reason);
        }, { once: true });
      });
    },
    async advance(ms) {
      const end = now + ms;
      await settle();
      for (;;) {
        const next = timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
        if (!next) break;
        timers = timers.filter((t) => t !== next);
        now = next.at;
        next.wake();
        await settle();
      }
      now = end;
      await settle();
    },
  };
}
