// Best-of-N's requests take part in the scheduler's global pause: a 429 on a candidate's request,
// on the reward request or on a judge-fallback call stops every other request from going out until
// the server's wait is over. The servers inject the 429s and fix the latency; the time of each
// request's arrival is what is checked.
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import type { BestOfNEvent } from '../../../src/core/bestOfN/events';
import { runBestOfN } from '../../../src/core/bestOfN/bestOfN';
import type { GeneratorCapabilities } from '../../../src/core/bestOfN/bestOfN';
import type { EarlyStopSetting } from '../../../src/core/bestOfN/ranking';
import { EndpointClient } from '../../../src/core/endpoints/client';
import { endpointProfileSchema } from '../../../src/core/endpoints/profile';
import type { RequestScheduler } from '../../../src/core/jobs/scheduler';
import { createScheduler } from '../../../src/core/jobs/scheduler';
import { createOpenRlhfScorer } from '../../../src/core/reward/httpScorers';
import { createJudgeScorer } from '../../../src/core/reward/judgeScorer';
import type { RewardScorer } from '../../../src/core/reward/scorer';
import { aProfile } from '../core/support/builders';
import type { RecordedRequest, ReplyServer } from '../core/support/replyServer';
import { jsonReply, sseCompletion, startReplyServer } from '../core/support/replyServer';

const input = { system: 'You are terse.', prompt: 'Say hi.' };
const retryAfterS = 1;
const latencyMs = 100;

/** A server that answers `reply` after `latencyMs` and records when each request arrived. */
async function timedServer(reply: (req: RecordedRequest, res: ServerResponse, index: number) => void): Promise<{ server: ReplyServer; arrivals: { url: string; at: number }[]; limitedAt: number[] }> {
  const arrivals: { url: string; at: number }[] = [];
  const limitedAt: number[] = [];
  const server = await startReplyServer((req, res) => {
    const index = arrivals.length;
    arrivals.push({ url: req.url, at: Date.now() });
    setTimeout(() => reply(req, res, index), latencyMs);
  });
  return { server, arrivals, limitedAt };
}

function limit(res: ServerResponse, limitedAt: number[]): void {
  limitedAt.push(Date.now());
  jsonReply(res, 429, { error: { message: 'Rate limit reached for requests' } }, { 'retry-after': String(retryAfterS) });
}

/** Requests that arrived while the pause was on (from a little after the 429 to a little before its end). */
function sentDuringPause(arrivals: readonly { url: string; at: number }[], limitedAt: number, url: string): number {
  return arrivals.filter((a) => a.url === url && a.at > limitedAt + 30 && a.at < limitedAt + retryAfterS * 1000 - 100).length;
}

async function run(options: { baseUrl: string; n: number; scheduler: RequestScheduler; scorer?: RewardScorer; earlyStop?: EarlyStopSetting; capabilities?: GeneratorCapabilities }): Promise<BestOfNEvent[]> {
  const events: BestOfNEvent[] = [];
  const generator = { profile: aProfile({ baseUrl: options.baseUrl, sampling: { maxTokens: 8 } }) };
  for await (const event of runBestOfN({ generator, input, ...options })) events.push(event);
  return events;
}

describe('Best-of-N requests and the global 429 pause', () => {
  const servers: ReplyServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it("a candidate's 429 pauses the other candidates' requests, then every candidate finishes", async function () {
    this.timeout(10_000);
    const { server, arrivals, limitedAt } = await timedServer((_req, res, index) => (index === 2 ? limit(res, limitedAt) : sseCompletion(res, ['hi ', String(index)])));
    servers.push(server);
    // Two slots for eight candidates: without the pause, the free slot sends a request every 100 ms.
    const events = await run({ baseUrl: server.baseUrl, n: 8, scheduler: createScheduler({ concurrency: 2 }) });
    assert.equal(limitedAt.length, 1);
    assert.equal(sentDuringPause(arrivals, limitedAt[0] ?? NaN, '/v1/completions'), 0, `arrivals after the 429: ${arrivals.map((a) => a.at - (limitedAt[0] ?? 0)).join(', ')} ms`);
    assert.equal(events.filter((e) => e.type === 'candidateDone').length, 8, 'the limited candidate was retried after the pause');
    assert.equal(arrivals.length, 9);
  });

  it("the one n-choice request's 429 pauses the scheduler it went through", async () => {
    const { server, limitedAt } = await timedServer((_req, res, index) => (index === 0 ? limit(res, limitedAt) : sseCompletion(res, ['hi'])));
    servers.push(server);
    const scheduler = createScheduler({ concurrency: 2 });
    const pauses: number[] = [];
    scheduler.onRateLimited?.((ms) => pauses.push(ms));
    const events = await run({ baseUrl: server.baseUrl, n: 2, scheduler, capabilities: { parallelN: true } });
    assert.deepEqual(pauses, [retryAfterS * 1000]);
    assert.ok(events.some((e) => e.type === 'started' && e.strategy === 'n'));
  });

  it("the reward server's 429 pauses the candidates still to be sampled", async function () {
    this.timeout(10_000);
    const generator = await timedServer((_req, res) => sseCompletion(res, ['an answer']));
    const rewards = await timedServer((req, res, index) => {
      if (index === 0) return limit(res, rewards.limitedAt);
      const texts = (req.body as { query: unknown[] }).query;
      jsonReply(res, 200, { rewards: texts.map((_, i) => i / 10) });
    });
    servers.push(generator.server, rewards.server);
    // Early stop scores each candidate as it finishes, so the reward request goes out while six
    // candidates still wait for one of the two slots; the margin is never reached.
    const scorer = createOpenRlhfScorer({ baseUrl: rewards.server.baseUrl });
    const events = await run({ baseUrl: generator.server.baseUrl, n: 8, scheduler: createScheduler({ concurrency: 2 }), scorer, earlyStop: { margin: 1e9 } });
    const limitedAt = rewards.limitedAt[0] ?? NaN;
    assert.equal(rewards.limitedAt.length, 1);
    assert.equal(sentDuringPause(generator.arrivals, limitedAt, '/v1/completions'), 0, `completions after the reward 429: ${generator.arrivals.map((a) => a.at - limitedAt).join(', ')} ms`);
    assert.equal(events.filter((e) => e.type === 'scored').length, 8, 'every candidate scored once the pause was over');
  });

  it("a judge-fallback call's 429 pauses the other judge calls", async function () {
    this.timeout(10_000);
    const judge = await timedServer((_req, res, index) => {
      if (index === 1) return limit(res, judge.limitedAt);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { role: 'assistant', content: 'Fine. [RESULT] 4' }, finish_reason: 'stop' }] })}\n\n`);
      res.end('data: [DONE]\n\n');
    });
    servers.push(judge.server);
    const profile = endpointProfileSchema.parse({ role: 'judge', baseUrl: judge.server.baseUrl, model: 'judge-1', format: 'chat', sampling: {} });
    const scorer = createJudgeScorer({ client: new EndpointClient(profile), scheduler: createScheduler({ concurrency: 2 }) });
    const items = Array.from({ length: 8 }, (_, i) => ({ system: 'You are a pirate.', prompt: 'Explain tides.', response: `answer ${i}` }));
    assert.deepEqual(await scorer.score(items, new AbortController().signal), items.map(() => 4));
    const limitedAt = judge.limitedAt[0] ?? NaN;
    assert.equal(sentDuringPause(judge.arrivals, limitedAt, '/v1/chat/completions'), 0, `judge calls after the 429: ${judge.arrivals.map((a) => a.at - limitedAt).join(', ')} ms`);
    assert.equal(judge.arrivals.length, 9);
  });
});
