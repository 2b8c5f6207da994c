import assert from 'node:assert/strict';
import { SlotPool } from '../../../src/engine/slotPool';

describe('SlotPool', () => {
  it('hands out free slots at once and queues the rest first come, first served', async () => {
    const pool = new SlotPool(['a', 'b', 'c']);
    const first = await pool.acquire(2);
    assert.deepEqual(first, ['a', 'b']);
    const order: string[] = [];
    const big = pool.acquire(3).then((s) => order.push(`big:${s.length}`));
    const small = pool.acquire(1).then(() => order.push('small'));
    await Promise.resolve();
    assert.deepEqual(order, [], 'the small request does not jump the big one at the head');
    pool.release(first);
    await big;
    assert.deepEqual(order, ['big:3']);
    pool.release(['a', 'b', 'c']);
    await small;
    assert.deepEqual(order, ['big:3', 'small']);
  });

  it('drops an aborted waiter and lets the next one through', async () => {
    const pool = new SlotPool([1]);
    const held = await pool.acquire(1);
    const controller = new AbortController();
    const aborted = pool.acquire(1, controller.signal);
    const next = pool.acquire(1);
    controller.abort(new Error('client went away'));
    await assert.rejects(aborted, /client went away/);
    assert.equal(pool.waiting, 1);
    pool.release(held);
    assert.deepEqual(await next, [1]);
  });

  it('refuses more slots than it has', async () => {
    await assert.rejects(new SlotPool([1, 2]).acquire(3), RangeError);
  });
});
