// The CLI's reward, Best-of-N and Batch API errors name its flags and environment variables, never
// an editor setting or command (the extension's wording is covered by the reward and batch suites).
// Servers here only inject faults: a generator that answers, a reward server that does not.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { CliUsageError } from '../../../src/cli/command';
import { bestOfNCommand } from '../../../src/cli/commands/bestOfN';
import { evaluateCommand } from '../../../src/cli/commands/evaluate';
import { generateCommand } from '../../../src/cli/commands/generate';
import { httpUrlSchema } from '../../../src/core/endpoints/profile';
import { createOpenRlhfScorer } from '../../../src/core/reward/httpScorers';
import type { BatchServer } from '../../support/batchServer';
import { startBatchServer } from '../../support/batchServer';
import type { FaultyRewardServer } from '../../support/rewardServer';
import { downRewardUrl, startFaultyRewardServer } from '../../support/rewardServer';
import { useTempDir } from '../../support/tempDir';
import type { ReplyServer } from '../core/support/replyServer';
import { jsonReply, sseCompletion, startReplyServer } from '../core/support/replyServer';
import { runCommand } from './runCommand';

const editorNames = /janus\.[a-z]|Janus: |the reward kind/;

function sseChat(res: ServerResponse, text: string): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { role: 'assistant', content: text }, finish_reason: 'stop' }] })}\n\n`);
  res.end('data: [DONE]\n\n');
}

/** A generator that lists one model and answers every completion; a judge (chat) that never gives a score. */
function startGenerator(): Promise<ReplyServer> {
  return startReplyServer((req, res) => {
    if (req.method === 'GET' && req.url === '/v1/models') return jsonReply(res, 200, { object: 'list', data: [{ id: 'gen', object: 'model' }] });
    if (req.url === '/v1/completions') return sseCompletion(res, ['an ', 'answer']);
    if (req.url === '/v1/chat/completions') return sseChat(res, 'I would rather not grade this.');
    return jsonReply(res, 404, { error: { message: 'no such route' } });
  });
}

describe('CLI reward and batch errors name the flags, not the editor settings', () => {
  const dir = useTempDir('janus-cli-reward-flags-');
  let generator: ReplyServer | undefined;
  let reward: FaultyRewardServer | undefined;
  let batch: BatchServer | undefined;
  afterEach(async () => {
    await Promise.all([generator?.close(), reward?.close(), batch?.close()]);
    generator = reward = batch = undefined;
  });

  async function benchFile(name: string): Promise<string> {
    const bench = path.join(dir(), `${name}.bench.json`);
    const rubric = { criteria: 'c', score_descriptions: { '1': 'a', '2': 'b', '3': 'c', '4': 'd', '5': 'e' } };
    await writeFile(bench, JSON.stringify([{ id: 'a', index: 0, source: 's', system: 'sys', prompt: 'p', reference_answer: 'r', rubrics: [rubric] }]));
    return bench;
  }

  async function evaluateFiles(name: string): Promise<string[]> {
    const responses = path.join(dir(), `${name}.responses.json`);
    await writeFile(responses, JSON.stringify({ a: { response: 'an answer' } }));
    return ['--bench', await benchFile(name), '--responses', responses, '--out', path.join(dir(), name, 'eval.json'), '--no-cache', '--batch'];
  }

  const bestOfN = (args: readonly string[]): Promise<{ code: number; output: string }> =>
    runCommand(bestOfNCommand, ['--prompt', 'Explain tides.', '--n', '2', '--endpoint', generator?.baseUrl ?? '', ...args]);

  it('best-of-n: a reward server without /get_reward: check --reward-kind and --reward', async () => {
    generator = await startGenerator();
    reward = await startFaultyRewardServer({ kind: 'status', status: 404, body: '{"detail": "Not Found"}' });
    const { code, output } = await bestOfN(['--reward', reward.url]);
    assert.equal(code, 1);
    assert.match(output, /has no \/get_reward \(404\)\. Check --reward-kind \(OpenRLHF and the local engine serve \/get_reward, vLLM serves \/classify\) and --reward\./);
    assert.doesNotMatch(output, editorNames);
  });

  it('best-of-n: a reward server that refuses the connection: fix --reward', async function () {
    this.timeout(15_000); // the scorer retries a refused connection with backoff
    generator = await startGenerator();
    const { code, output } = await bestOfN(['--reward', await downRewardUrl(), '--reward-kind', 'vllm']);
    assert.equal(code, 1);
    assert.match(output, /refused the connection\. Start the local engine or fix --reward\./);
    assert.doesNotMatch(output, editorNames);
  });

  it('best-of-n --reward-kind judge: a judge that gives no score: check --reward-model', async () => {
    generator = await startGenerator();
    const { code, output } = await bestOfN(['--reward', generator.baseUrl, '--reward-kind', 'judge', '--reward-model', 'judge-1']);
    assert.equal(code, 1);
    assert.match(output, /gave no 1-5 score in 5 tries .*Check --reward-model: it must follow/);
    assert.doesNotMatch(output, editorNames);
  });

  it('best-of-n: a key in a URL is a usage error saying which variable holds it', async () => {
    generator = await startGenerator();
    const port = new URL(generator.baseUrl).port;
    await assert.rejects(runCommand(bestOfNCommand, ['--prompt', 'p', '--endpoint', `http://me:sk-secret@127.0.0.1:${port}/v1`]), (error: unknown) => {
      assert.ok(error instanceof CliUsageError);
      assert.match(error.message, /^--endpoint: must not contain a user name or password \(save the key in JANUS_API_KEY \(or OPENAI_API_KEY\)\)$/);
      return true;
    });
    await assert.rejects(bestOfN(['--reward', `http://me:sk-secret@127.0.0.1:${port}/v1`, '--reward-kind', 'judge']), (error: unknown) => {
      assert.ok(error instanceof CliUsageError);
      assert.equal(error.message, '--reward: must not contain a user name or password (save the key in JANUS_REWARD_API_KEY)');
      return true;
    });
  });

  it('generate --n: a reward server that refuses the connection: fix --reward', async function () {
    this.timeout(15_000);
    generator = await startGenerator();
    const { code, output } = await runCommand(generateCommand, ['--bench', await benchFile('gen'), '--out', path.join(dir(), 'gen', 'responses.json'), '--endpoint', generator.baseUrl, '--n', '2', '--reward', await downRewardUrl()]);
    assert.equal(code, 1);
    assert.match(output, /refused the connection\. Start the local engine or fix --reward\./);
    assert.doesNotMatch(output, editorNames);
  });

  it('evaluate --batch: a rejected key: set JANUS_API_KEY, not a command of the editor', async () => {
    batch = await startBatchServer({ uploadStatus: 401 });
    await assert.rejects(runCommand(evaluateCommand, [...(await evaluateFiles('key')), '--judge', batch.baseUrl, '--judge-model', 'gpt-4']), (error: unknown) => {
      assert.match(String(error), /rejected the API key \(401\)\. Save the right key for http:\/\/127\.0\.0\.1:\d+ in JANUS_API_KEY \(or OPENAI_API_KEY\)\./);
      assert.doesNotMatch(String(error), editorNames);
      return true;
    });
  });

  it('evaluate --batch without a model: set --judge-model', async () => {
    batch = await startBatchServer();
    await assert.rejects(runCommand(evaluateCommand, [...(await evaluateFiles('model')), '--judge', batch.baseUrl]), (error: unknown) => {
      assert.match(String(error), /needs the judge model id \(the Batch API does not pick one\): set --judge-model, e\.g\./);
      assert.doesNotMatch(String(error), editorNames);
      return true;
    });
    assert.equal(batch.calls['upload'] ?? 0, 0, 'nothing sent without a model');
  });

  it('without names from the host, the reward and URL messages still name the editor settings', async () => {
    reward = await startFaultyRewardServer({ kind: 'status', status: 404, body: 'no' });
    const scorer = createOpenRlhfScorer({ baseUrl: reward.url, retryPolicy: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 } });
    await assert.rejects(scorer.score([{ system: 's', prompt: 'p', response: 'r' }], new AbortController().signal), /Check the reward kind .* and janus\.reward\.baseUrl\./);
    const issue = httpUrlSchema.safeParse('http://me:pw@example.com/v1').error?.issues[0]?.message;
    assert.equal(issue, 'must not contain a user name or password (save the key with "Janus: Set API Key...")');
  });
});
