// The judge fallback's protocol: one call per (candidate, rubric item), the mean as the score,
// retries on replies without a score, and an error instead of a number when none comes. The judge
// is a scripted server (no real judge model runs here); the nonsense-text case runs against the
// real engine in test/engine/bestOfN.test.ts.
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { EndpointClient } from '../../../src/core/endpoints/client';
import { endpointProfileSchema } from '../../../src/core/endpoints/profile';
import { createScheduler } from '../../../src/core/jobs/scheduler';
import type { Rubric } from '../../../src/core/preferences/persona';
import { defaultJudgeSystemPrompt } from '../../../src/core/prompts/judgePrompt';
import { createJudgeScorer, createRubricGrader, judgeInput, systemMessageRubric } from '../../../src/core/reward/judgeScorer';
import { RewardError } from '../../../src/core/reward/scorer';
import type { RecordedRequest, ReplyServer } from '../core/support/replyServer';
import { jsonReply, startReplyServer } from '../core/support/replyServer';

function rubric(criteria: string): Rubric {
  return { criteria, score_descriptions: { '1': 'bad', '2': 'weak', '3': 'fair', '4': 'good', '5': 'ideal — très bien' } };
}

function sseChat(res: ServerResponse, text: string): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { role: 'assistant', content: text }, finish_reason: null }] })}\n\n`);
  res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
  res.end('data: [DONE]\n\n');
}

function userText(req: RecordedRequest): string {
  const messages = (req.body as { messages: { role: string; content: string }[] }).messages;
  return messages.find((m) => m.role === 'user')?.content ?? '';
}

const items = [
  { system: 'You are a pirate.', prompt: 'Explain tides.', response: 'Arr, the moon pulls.' },
  { system: 'You are a pirate.', prompt: 'Explain tides.', response: 'Gravity.' },
];
const fastRetry = { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 };

describe('judge fallback scorer', () => {
  let server: ReplyServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  function clientFor(url: string): EndpointClient {
    const profile = endpointProfileSchema.parse({ role: 'judge', baseUrl: url, model: 'judge-1', format: 'chat', sampling: {} });
    return new EndpointClient(profile, { retryPolicy: fastRetry });
  }

  it('grades every candidate on every rubric item and scores the mean; says it is not a reward model', async () => {
    // A deterministic judge: rubric "clarity" gets 2, "depth" gets 5, whatever the response.
    server = await startReplyServer((req, res) => sseChat(res, `Feedback: fine. [RESULT] ${userText(req).includes('"criteria": "depth"') ? 5 : 2}`));
    const scorer = createJudgeScorer({ client: clientFor(server.baseUrl), scheduler: createScheduler({ concurrency: 3 }), rubrics: [rubric('clarity'), rubric('depth')] });
    assert.equal(scorer.isRewardModel, false);
    assert.match(scorer.description, /not a reward model/);
    assert.deepEqual(await scorer.score(items, new AbortController().signal), [3.5, 3.5]);
    assert.equal(server.requests.length, 4, 'one call per candidate and rubric item');
    const first = server.requests[0];
    const messages = (first?.body as { messages: { role: string; content: string }[] }).messages;
    assert.equal(messages[0]?.content, defaultJudgeSystemPrompt);
    const user = userText(first as RecordedRequest);
    assert.match(user, /## Instruction\nExplain tides\.\n/);
    assert.doesNotMatch(user, /pirate/, 'the instruction is the prompt alone; the persona reaches the judge through the rubric');
    assert.doesNotMatch(user, /Reference answer/i, 'Best-of-N has no reference answer');
    assert.match(user, /"5": "ideal \\u2014 tr\\u00e8s bien"/, 'the rubric as Python json.dumps writes it');
  });

  it('retries a reply without a score, then uses the score it gets', async () => {
    let calls = 0;
    server = await startReplyServer((_req, res) => sseChat(res, ++calls === 1 ? 'I think it is good.' : 'Feedback: ok [RESULT] 4'));
    const scorer = createJudgeScorer({ client: clientFor(server.baseUrl), scheduler: createScheduler({ concurrency: 1 }), rubrics: [rubric('clarity')] });
    assert.deepEqual(await scorer.score([items[0]!], new AbortController().signal), [4]);
    assert.equal(server.requests.length, 2);
  });

  it('no score after maxAttempts: a judgeUnreadable error, never a made-up number', async () => {
    server = await startReplyServer((_req, res) => sseChat(res, 'Lovely answer, no notes.'));
    const scorer = createJudgeScorer({ client: clientFor(server.baseUrl), scheduler: createScheduler({ concurrency: 2 }), rubrics: [rubric('clarity')], maxAttempts: 3 });
    await assert.rejects(scorer.score([items[0]!], new AbortController().signal), (error: unknown) => {
      assert.ok(error instanceof RewardError);
      assert.equal(error.kind, 'judgeUnreadable');
      assert.match(error.message, /no 1-5 score in 3 tries \(last reply: "Lovely answer, no notes\."\)/);
      return true;
    });
    assert.equal(server.requests.length, 3);
  });

  it('a failing judge is a request error naming the judge', async () => {
    server = await startReplyServer((_req, res) => jsonReply(res, 401, { error: { message: 'bad key sk-abcdefghijkl' } }));
    const scorer = createJudgeScorer({ client: clientFor(server.baseUrl), scheduler: createScheduler({ concurrency: 2 }) });
    await assert.rejects(scorer.score(items, new AbortController().signal), (error: unknown) => {
      assert.ok(error instanceof RewardError);
      assert.equal(error.kind, 'request');
      assert.match(error.message, /^Judge scoring failed: Endpoint http:\/\/127\.0\.0\.1:\d+ rejected the API key/);
      assert.doesNotMatch(error.message, /sk-/);
      return true;
    });
  });

  it('rubrics by system message, and the system-message rubric when a persona has none', async () => {
    server = await startReplyServer((_req, res) => sseChat(res, 'Feedback: x [RESULT] 3'));
    const scorer = createJudgeScorer({
      client: clientFor(server.baseUrl),
      scheduler: createScheduler({ concurrency: 4 }),
      rubrics: (system) => (system === 'A' ? [rubric('r1'), rubric('r2')] : undefined),
    });
    await scorer.score([{ ...items[0]!, system: 'A' }, { ...items[0]!, system: 'B likes brevity' }], new AbortController().signal);
    assert.equal(server.requests.length, 3);
    const fallback = server.requests.map(userText).filter((u) => u.includes('B likes brevity'));
    assert.equal(fallback.length, 1);
    assert.equal(judgeInput({ ...items[0]!, system: 'B' }, systemMessageRubric('B')).prompt.includes('System message: B'), true);
  });
  it('a rubric grader gives score and feedback, and a scorer sharing it makes no call twice', async () => {
    server = await startReplyServer((req, res) => sseChat(res, `Feedback: on ${userText(req).includes('"criteria": "depth"') ? 'depth' : 'clarity'}. [RESULT] ${userText(req).includes('"criteria": "depth"') ? 5 : 2}`));
    const grader = createRubricGrader({ client: clientFor(server.baseUrl), scheduler: createScheduler({ concurrency: 2 }) });
    const signal = new AbortController().signal;
    assert.deepEqual(await grader.grade(items[0]!, rubric('depth'), signal), { score: 5, feedback: 'Feedback: on depth.' });
    assert.equal(server.requests.length, 1);
    // The judge fallback scores with the same grader: the grade it already has is not asked again.
    const scorer = createJudgeScorer({ client: clientFor(server.baseUrl), scheduler: createScheduler({ concurrency: 2 }), rubrics: [rubric('clarity'), rubric('depth')], grader });
    assert.deepEqual(await scorer.score([items[0]!], signal), [3.5]);
    assert.equal(server.requests.length, 2, 'only clarity was new');
    assert.deepEqual(await grader.grade(items[0]!, rubric('clarity'), signal), { score: 2, feedback: 'Feedback: on clarity.' });
    assert.equal(server.requests.length, 2);
  });

  it('a grade that failed is asked again, not remembered as a failure', async () => {
    let calls = 0;
    server = await startReplyServer((_req, res) => (++calls === 1 ? jsonReply(res, 500, { error: { message: 'down' } }) : sseChat(res, 'Fine. [RESULT] 4')));
    const grader = createRubricGrader({ client: new EndpointClient(endpointProfileSchema.parse({ role: 'judge', baseUrl: server.baseUrl, model: 'judge-1', format: 'chat', sampling: {} }), { retryPolicy: { ...fastRetry, maxAttempts: 1 } }), scheduler: createScheduler({ concurrency: 1 }) });
    await assert.rejects(grader.grade(items[0]!, rubric('x'), new AbortController().signal));
    assert.equal((await grader.grade(items[0]!, rubric('x'), new AbortController().signal)).score, 4);
    assert.equal(calls, 2);
  });
});
