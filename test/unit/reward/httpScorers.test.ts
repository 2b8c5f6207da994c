// The reward scorers' requests and their handling of every bad reply. The fake server only
// misbehaves; correct replies come from the real local engine in test/engine/bestOfN.test.ts.
import assert from 'node:assert/strict';
import { createRewardScorer } from '../../../src/core/reward/createScorer';
import type { RewardScorer } from '../../../src/core/reward/scorer';
import { RewardError } from '../../../src/core/reward/scorer';
import type { FaultyRewardServer, RewardFault } from '../../support/rewardServer';
import { classifyBody, downRewardUrl, startFaultyRewardServer } from '../../support/rewardServer';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const fastRetry = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 1000 };
const items = [
  { system: 'You are terse.', prompt: 'Say hi.', response: 'Hi.' },
  { system: 'You are terse.', prompt: 'Say hi.', response: 'Hello there!' },
];

async function rewardError(promise: Promise<unknown>): Promise<RewardError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof RewardError, `expected a RewardError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected scoring to fail');
}

describe('reward scorers over HTTP', () => {
  let server: FaultyRewardServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function scorerFor(kind: 'openrlhf' | 'vllm' | 'local', fault: RewardFault, extra: { model?: string; apiKey?: string; timeoutMs?: number; path?: string } = {}): Promise<RewardScorer> {
    server = await startFaultyRewardServer(fault);
    return createRewardScorer({ kind, baseUrl: `${server.url}${extra.path ?? ''}`, model: extra.model, apiKey: extra.apiKey, timeoutMs: extra.timeoutMs, retryPolicy: fastRetry });
  }

  it('OpenRLHF: POSTs every text in one {"query": [...]} to /get_reward (a /v1 base is dropped)', async () => {
    const scorer = await scorerFor('openrlhf', { kind: 'wrongCount', delta: 1 }, { path: '/v1', apiKey: 'rk-secret-123456' });
    await rewardError(scorer.score(items, new AbortController().signal));
    assert.equal(server?.requests.length, 1);
    const sent = server?.requests[0];
    assert.equal(sent?.method, 'POST');
    assert.equal(sent?.path, '/get_reward');
    assert.equal(sent?.headers['authorization'], 'Bearer rk-secret-123456');
    assert.deepEqual(sent?.body, { query: ['<s>[INST] You are terse.\nSay hi. [/INST] Hi. </s>', '<s>[INST] You are terse.\nSay hi. [/INST] Hello there! </s>'] });
    assert.equal(scorer.isRewardModel, true);
  });

  it('local engine: the same /get_reward contract', async () => {
    const scorer = await scorerFor('local', { kind: 'wrongCount', delta: -1 });
    await rewardError(scorer.score(items, new AbortController().signal));
    assert.equal(server?.requests[0]?.path, '/get_reward');
    assert.equal(scorer.kind, 'local');
  });

  it('vLLM: POSTs {model, input, use_activation: false} to /classify with texts that leave the BOS to the tokenizer', async () => {
    const scorer = await scorerFor('vllm', { kind: 'wrongCount', delta: 1 }, { model: 'janus-rm-7b' });
    await rewardError(scorer.score(items, new AbortController().signal));
    assert.equal(server?.requests[0]?.path, '/classify');
    assert.deepEqual(server?.requests[0]?.body, {
      model: 'janus-rm-7b',
      input: ['[INST] You are terse.\nSay hi. [/INST] Hi. </s>', '[INST] You are terse.\nSay hi. [/INST] Hello there! </s>'],
      use_activation: false,
    });
  });

  it('vLLM: no model field when none is configured', async () => {
    const scorer = await scorerFor('vllm', { kind: 'wrongCount', delta: 1 });
    await rewardError(scorer.score(items, new AbortController().signal));
    assert.deepEqual(Object.keys(server?.requests[0]?.body as object), ['input', 'use_activation']);
  });

  it('vLLM: reads the raw score of each row of the documented /classify reply, in index order; two labels are refused', async () => {
    const rows = classifyBody([-1.75, 3.28125]) as { data: unknown[] };
    let body: unknown = { ...rows, data: [...rows.data].reverse() };
    const paths: string[] = [];
    const fake = createServer((req, res) => {
      paths.push(req.url ?? '');
      req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body)));
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    try {
      const baseUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}/v1`;
      const scorer = createRewardScorer({ kind: 'vllm', baseUrl });
      assert.deepEqual(await scorer.score(items, new AbortController().signal), [-1.75, 3.28125]);
      assert.deepEqual(paths, ['/classify'], 'at the server root, not under /v1');
      body = classifyBody([0.2, 0.8], 2);
      const error = await rewardError(scorer.score(items, new AbortController().signal));
      assert.equal(error.kind, 'notANumber');
      assert.match(error.message, /a list of 2 values.*janus convert-rm --to hf-classifier/);
    } finally {
      await new Promise<void>((resolve) => fake.close(() => resolve()));
    }
  });

  for (const kind of ['openrlhf', 'vllm'] as const) {
    it(`${kind}: too few and too many scores are a wrongCount error, never a partial list`, async () => {
      for (const delta of [-1, 1]) {
        const scorer = await scorerFor(kind, { kind: 'wrongCount', delta });
        const error = await rewardError(scorer.score(items, new AbortController().signal));
        assert.equal(error.kind, 'wrongCount');
        assert.match(error.message, new RegExp(`returned ${2 + delta} scores? for 2 texts, so none can be matched`));
        await server?.close();
        server = undefined;
      }
    });

    it(`${kind}: NaN, null, a string or a list of several numbers is notANumber`, async () => {
      for (const fault of [{ kind: 'nan' }, { kind: 'nonNumber', value: null }, { kind: 'nonNumber', value: '0.7' }, { kind: 'nonNumber', value: [0.1, 0.2] }] as const) {
        const scorer = await scorerFor(kind, fault);
        const error = await rewardError(scorer.score(items, new AbortController().signal));
        assert.equal(error.kind, 'notANumber', `${JSON.stringify(fault)}: ${error.message}`);
        assert.match(error.message, /not a number|No scores were used/);
        await server?.close();
        server = undefined;
      }
    });

    it(`${kind}: a body that is not JSON, or JSON of another shape, is badReply naming the reward kind`, async () => {
      let scorer = await scorerFor(kind, { kind: 'notJson' });
      let error = await rewardError(scorer.score(items, new AbortController().signal));
      assert.equal(error.kind, 'badReply');
      assert.match(error.message, /not JSON \(<html>Bad Gateway<\/html>\)/);
      await server?.close();
      scorer = await scorerFor(kind, { kind: 'wrongShape' });
      error = await rewardError(scorer.score(items, new AbortController().signal));
      assert.equal(error.kind, 'badReply');
      assert.match(error.message, /Check the reward kind/);
    });
  }

  it('a server that is down: one request error that says what to fix, after the retries', async () => {
    const scorer = createRewardScorer({ kind: 'openrlhf', baseUrl: await downRewardUrl(), retryPolicy: fastRetry });
    const error = await rewardError(scorer.score(items, new AbortController().signal));
    assert.equal(error.kind, 'request');
    assert.match(error.message, /^Reward scoring failed: Endpoint http:\/\/127\.0\.0\.1:\d+ refused the connection\. .*janus\.reward\.baseUrl/);
  });

  it('a slow server: a timeout error after the configured time, not a hang', async () => {
    const scorer = await scorerFor('openrlhf', { kind: 'slow', delayMs: 5000 }, { timeoutMs: 150 });
    const started = performance.now();
    const error = await rewardError(scorer.score(items, new AbortController().signal));
    assert.ok(performance.now() - started < 3000);
    assert.equal(error.kind, 'request');
    assert.match(error.message, /did not answer within 0\.2 s/);
  });

  it('5xx is retried, then reported with the server\'s words; 404 names the routes', async () => {
    let scorer = await scorerFor('openrlhf', { kind: 'status', status: 500, body: '{"detail": "CUDA out of memory"}' });
    let error = await rewardError(scorer.score(items, new AbortController().signal));
    assert.equal(server?.requests.length, 3, 'retried up to the policy');
    assert.match(error.message, /failed \(500\): CUDA out of memory/);
    await server?.close();
    scorer = await scorerFor('vllm', { kind: 'status', status: 404, body: '{"detail": "Not Found"}' });
    error = await rewardError(scorer.score(items, new AbortController().signal));
    assert.equal(server?.requests.length, 1, '404 is not retried');
    assert.match(error.message, /has no \/classify \(404\)\. Check the reward kind/);
  });

  it('cancellation: an aborted signal ends scoring with kind cancelled', async () => {
    const scorer = await scorerFor('openrlhf', { kind: 'slow', delayMs: 5000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await rewardError(scorer.score(items, controller.signal));
    assert.equal(error.kind, 'cancelled');
  });

  it('no items: no request', async () => {
    const scorer = await scorerFor('openrlhf', { kind: 'notJson' });
    assert.deepEqual(await scorer.score([], new AbortController().signal), []);
    assert.equal(server?.requests.length, 0);
  });
});
