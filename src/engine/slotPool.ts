// A fixed set of generation slots (llama.cpp context sequences) handed out first come, first
// served. A request for n choices takes n slots at once, so it decodes them in one batch.

interface Waiter<T> {
  readonly count: number;
  readonly resolve: (slots: T[]) => void;
  readonly reject: (reason: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

export class SlotPool<T> {
  private readonly free: T[];
  private readonly queue: Waiter<T>[] = [];

  constructor(slots: readonly T[]) {
    this.free = [...slots];
    this.size = slots.length;
  }

  readonly size: number;

  get available(): number {
    return this.free.length;
  }

  get waiting(): number {
    return this.queue.length;
  }

  /** Resolves with `count` slots once they are free; rejects if `signal` aborts first. */
  acquire(count: number, signal?: AbortSignal): Promise<T[]> {
    if (count < 1 || count > this.size) {
      return Promise.reject(new RangeError(`cannot take ${count} of ${this.size} slots`));
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.queue.length === 0 && this.free.length >= count) {
      return Promise.resolve(this.free.splice(0, count));
    }
    return new Promise<T[]>((resolve, reject) => {
      const waiter: Waiter<T> = {
        count,
        resolve,
        reject,
        signal,
        onAbort: () => {
          const at = this.queue.indexOf(waiter);
          if (at >= 0) this.queue.splice(at, 1);
          reject(signal?.reason);
          this.dispatch();
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.queue.push(waiter);
    });
  }

  release(slots: readonly T[]): void {
    this.free.push(...slots);
    this.dispatch();
  }

  private dispatch(): void {
    // Strict FIFO: a big request at the head is not starved by smaller ones behind it.
    for (let head = this.queue[0]; head && this.free.length >= head.count; head = this.queue[0]) {
      this.queue.shift();
      head.signal?.removeEventListener('abort', head.onAbort);
      head.resolve(this.free.splice(0, head.count));
    }
  }
}
