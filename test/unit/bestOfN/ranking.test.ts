import assert from 'node:assert/strict';
import { chooseStrategy } from '../../../src/core/bestOfN/bestOfN';
import { comparePersonas } from '../../../src/core/bestOfN/comparePersonas';
import { endpointProfileSchema } from '../../../src/core/endpoints/profile';
import { createScheduler } from '../../../src/core/jobs/scheduler';
import { EventQueue } from '../../../src/core/bestOfN/eventQueue';
import { earlyStopDecision, rankByReward } from '../../../src/core/bestOfN/ranking';

describe('Best-of-N ranking', () => {
  it('ranks by reward, highest first', () => {
    assert.deepEqual(rankByReward([0.1, 2.5, -1, 0.7]), [1, 3, 0, 2]);
  });

  it('keeps index order among ties, whatever the input order of equal scores', () => {
    assert.deepEqual(rankByReward([1, 3, 1, 3, 1]), [1, 3, 0, 2, 4]);
    assert.deepEqual(rankByReward([0, 0, 0]), [0, 1, 2]);
  });

  it('leaves unscored candidates out instead of ranking them on a guess', () => {
    assert.deepEqual(rankByReward([undefined, -5, undefined, 4]), [3, 1]);
    assert.deepEqual(rankByReward([undefined, undefined]), []);
  });

  it('handles negative and large rewards without overflow tricks', () => {
    assert.deepEqual(rankByReward([-1e308, 1e308, 0]), [1, 2, 0]);
  });
});

describe('Best-of-N early stop rule', () => {
  it('stops when the leader leads every other scored candidate by at least the margin', () => {
    assert.deepEqual(earlyStopDecision([3, 1, undefined, undefined], { margin: 2 }), { leader: 0, margin: 2 });
    assert.deepEqual(earlyStopDecision([1, 4.5, 2, undefined], { margin: 2 }), { leader: 1, margin: 2.5 });
  });

  it('does not stop below the margin', () => {
    assert.equal(earlyStopDecision([3, 1.5, undefined], { margin: 2 }), undefined);
    assert.equal(earlyStopDecision([3, 0, 2, undefined], { margin: 2 }), undefined, 'the runner-up, not the last, sets the margin');
  });

  it('never decides on one score: a lone reward has no margin', () => {
    assert.equal(earlyStopDecision([10, undefined, undefined], { margin: 0 }), undefined);
    assert.equal(earlyStopDecision([10, undefined, undefined], { margin: 0, minScored: 1 }), undefined);
  });

  it('waits for minScored scores', () => {
    assert.equal(earlyStopDecision([5, 0, undefined, undefined], { margin: 1, minScored: 3 }), undefined);
    assert.deepEqual(earlyStopDecision([5, 0, 1, undefined], { margin: 1, minScored: 3 }), { leader: 0, margin: 4 });
  });

  it('a tie at the top is margin 0: stops only for a margin of 0 or less, and the lower index leads', () => {
    assert.equal(earlyStopDecision([2, 2, undefined], { margin: 0.01 }), undefined);
    assert.deepEqual(earlyStopDecision([2, 2, undefined], { margin: 0 }), { leader: 0, margin: 0 });
  });
});

describe('Best-of-N sampling strategy', () => {
  it('uses one request with n only when the probe said n > 1 works and the slots allow it', () => {
    assert.equal(chooseStrategy(4, { parallelN: true, slots: 4 }), 'n');
    assert.equal(chooseStrategy(4, { parallelN: true, slots: undefined }), 'n');
    assert.equal(chooseStrategy(4, { parallelN: true, slots: 2 }), 'parallel');
    assert.equal(chooseStrategy(4, { parallelN: false, slots: 8 }), 'parallel');
    assert.equal(chooseStrategy(4, { parallelN: undefined }), 'parallel');
    assert.equal(chooseStrategy(4, undefined), 'parallel');
    assert.equal(chooseStrategy(1, { parallelN: true }), 'parallel');
  });
});

describe('EventQueue', () => {
  it('delivers pushed items in order to a waiting consumer and ends on close', async () => {
    const queue = new EventQueue<number>();
    const seen: number[] = [];
    const consumer = (async () => {
      for await (const item of queue.drain()) seen.push(item);
    })();
    queue.push(1);
    await new Promise((resolve) => setImmediate(resolve));
    queue.push(2);
    queue.push(3);
    queue.close();
    queue.push(4);
    await consumer;
    assert.deepEqual(seen, [1, 2, 3]);
  });
});

describe('Compare Personas input', () => {
  it('takes 2 to 4 personas and says so otherwise, before any request', async () => {
    const profile = endpointProfileSchema.parse({ role: 'generator', baseUrl: 'http://127.0.0.1:1/v1', model: 'm', format: 'mistral-instruct', sampling: {} });
    for (const count of [1, 5]) {
      const personas = Array.from({ length: count }, (_, i) => ({ name: `p${i}`, system: `s${i}` }));
      const run = comparePersonas({ generator: { profile }, scheduler: createScheduler({ concurrency: 1 }), prompt: 'q', personas });
      await assert.rejects(run.next(), new RegExp(`takes 2 to 4 personas, not ${count}`));
    }
  });
});
