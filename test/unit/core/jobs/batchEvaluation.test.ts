// The Batch API judge job against a fake Batch API over real HTTP (no hosted API is reachable, and
// the faults need injecting): the uploaded file is judgeBatchInput's, the evaluation file is the
// live job's for the same replies, resume after a crash uploads and creates exactly once, and
// failed / expired / cancelled batches, error lines and replies without a score end as described.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { readBenchFile } from '../../../../src/core/bench/loadBench';
import type { ResponsesFile } from '../../../../src/core/bench/resultFiles';
import { readEvaluationFile } from '../../../../src/core/bench/resultFiles';
import { EndpointClient } from '../../../../src/core/endpoints/client';
import type { BatchEvaluationOptions } from '../../../../src/core/jobs/batchEvaluation';
import { BatchJobError, batchJudgeOf, cancelBatchEvaluation, pollBatchEvaluation, readBatchState, runBatchEvaluation, submitBatchEvaluation } from '../../../../src/core/jobs/batchEvaluation';
import { memoryCallCache } from '../../../../src/core/jobs/callCache';
import { evaluationOutputs, runEvaluationJob } from '../../../../src/core/jobs/evaluationJob';
import { createScheduler } from '../../../../src/core/jobs/scheduler';
import { endpointTextModel } from '../../../../src/core/jobs/textModel';
import { openaiBatchApi } from '../../../../src/core/judge/openaiBatchApi';
import { judgeBatchInput } from '../../../../src/core/judge/batchFiles';
import type { BatchServer, BatchServerOptions } from '../../../support/batchServer';
import { startBatchServer } from '../../../support/batchServer';
import { expectedScore, startJudgeServer } from '../../../support/judgeServer';
import { useTempDir } from '../../../support/tempDir';
import { aProfile } from '../support/builders';

const benchFile = path.resolve(__dirname, '..', '..', '..', 'fixtures', 'bench', 'small.bench.json');

describe('Batch API evaluation job', function () {
  this.timeout(20_000);
  const dir = useTempDir('janus-batch-');
  let servers: BatchServer[] = [];
  let folder = 0;

  afterEach(async () => {
    await Promise.all(servers.map((s) => s.close()));
    servers = [];
  });

  async function setup(serverOptions: BatchServerOptions = {}, extra: Partial<BatchEvaluationOptions> = {}): Promise<{ server: BatchServer; options: BatchEvaluationOptions; responses: ResponsesFile }> {
    const server = await startBatchServer(serverOptions);
    servers.push(server);
    const instances = await readBenchFile(benchFile);
    const responses: ResponsesFile = Object.fromEntries(instances.map((i) => [i.id, { response: `An answer for ${i.id}.` }]));
    const profile = aProfile({ role: 'judge', baseUrl: server.baseUrl, model: 'fake-judge', format: 'chat', sampling: { maxTokens: 256, temperature: 0, topP: 1 } });
    const judge = batchJudgeOf(endpointTextModel(new EndpointClient(profile)).identity, profile);
    const run = path.join(dir(), `run${++folder}`);
    const options: BatchEvaluationOptions = {
      instances, responses, judge, outFile: path.join(run, 'm_evaluation.json'), checkpointFile: path.join(run, 'checkpoint.jsonl'), stateFile: path.join(run, 'batch.json'),
      api: openaiBatchApi({ baseUrl: server.baseUrl, model: 'fake-judge' }), poll: { intervalMs: 5, maxIntervalMs: 20 }, ...extra,
    };
    return { server, options, responses };
  }

  it('uploads judgeBatchInput\'s file once, polls to the end and writes what the live job writes for the same replies', async () => {
    const { server, options, responses } = await setup({ looksToFinish: 3 });
    const states: string[] = [];
    const result = await runBatchEvaluation({ ...options, onState: (s) => states.push(`${s.phase}:${s.status ?? '-'}`) });
    assert.deepEqual(server.uploads, [judgeBatchInput({ instances: options.instances, responses, model: 'fake-judge', sampling: { maxTokens: 256, temperature: 0, topP: 1 } })]);
    assert.deepEqual([server.calls['upload'], server.calls['create']], [1, 1]);
    assert.equal(server.batches[0]?.metadata['janus_run'], path.basename(path.dirname(options.stateFile)));
    assert.deepEqual(states.slice(0, 3), ['prepared:-', 'uploaded:-', 'submitted:validating']);
    assert.ok(states.includes('submitted:in_progress'), states.join(' '));
    assert.equal(states.at(-1), 'done:completed');
    assert.equal(result.evaluation?.summary.scored, 16);
    const state = await readBatchState(options.stateFile);
    assert.deepEqual([state?.phase, state?.status, state?.counts, state?.result], ['done', 'completed', { total: 16, completed: 16, failed: 0 }, { scored: 16, unscored: 0, notJudged: 0 }]);

    // The live job with the same judge replies (the fake judge scores by the same prompt hash).
    const live = await startJudgeServer();
    try {
      const profile = aProfile({ role: 'judge', baseUrl: server.baseUrl, model: 'fake-judge', format: 'chat', sampling: { maxTokens: 256, temperature: 0, topP: 1 } });
      // The same identity (the batch server's URL), served by the live fake judge.
      const client = new EndpointClient({ ...profile, baseUrl: live.baseUrl });
      const judge = { ...endpointTextModel(client), identity: options.judge.identity };
      const out = path.join(dir(), 'live', 'm_evaluation.json');
      await runEvaluationJob({ instances: options.instances, responses, judge, scheduler: createScheduler({ concurrency: 4 }), outFile: out, checkpointFile: `${out}.ckpt` });
      assert.equal(await readFile(options.outFile, 'utf8'), await readFile(out, 'utf8'), 'the evaluation file is the live job\'s');
      assert.equal(await readFile(evaluationOutputs(options.outFile, 1).summary, 'utf8'), await readFile(evaluationOutputs(out, 1).summary, 'utf8'), 'and so is the summary');
      // Its checkpoint is the live job's too: a live resume on it makes no call.
      const before = live.requests.length;
      const resumed = await runEvaluationJob({ instances: options.instances, responses, judge, scheduler: createScheduler({ concurrency: 4 }), outFile: options.outFile, checkpointFile: options.checkpointFile });
      assert.equal(live.requests.length, before);
      assert.equal(resumed.summary.scored, 16);
    } finally {
      await live.close();
    }
  });

  it('reads lines in any order, error-file lines and replies without a score as unscored with the reason, and a live resume judges just those', async () => {
    const { options, responses } = await setup({
      reply: ({ customId }) => (customId === '0_1' ? { kind: 'text', text: 'I cannot grade this.' } : customId === '1_2' ? { kind: 'error', message: 'The model is overloaded' } : { kind: 'score' }),
    });
    const result = await runBatchEvaluation(options);
    assert.deepEqual(result.evaluation?.unscored.map((u) => [u.key, u.reason]), [['0/0/1', 'the reply has no score'], ['0/1/2', 'The model is overloaded']]);
    assert.deepEqual([result.evaluation?.summary.scored, result.evaluation?.summary.unscored], [14, 2]);
    const file = await readEvaluationFile(options.outFile);
    assert.equal(file['0']?.score[1], null);
    assert.equal(file['0']?.feedback[1], 'I cannot grade this.');
    assert.equal(file['1']?.score[2], null);
    assert.equal(file['1']?.feedback[2], 'Batch request failed: The model is overloaded');
    const input = judgeBatchInput({ instances: options.instances, responses, model: 'fake-judge', sampling: options.judge.sampling });
    const user = (customId: string): string => (JSON.parse(input.split('\n').find((l) => l.includes(`"custom_id":"${customId}"`)) ?? '{}') as { body: { messages: { content: string }[] } }).body.messages[1]?.content ?? '';
    assert.equal(file['0']?.score[0], expectedScore(user('0_0')), 'scored lines keep the judge\'s score whatever their order');
    const checkpoint = (await readFile(options.checkpointFile, 'utf8')).trim().split('\n');
    assert.equal(checkpoint.length, 14, 'only scored items go to the checkpoint');

    const live = await startJudgeServer();
    try {
      const client = new EndpointClient(aProfile({ role: 'judge', baseUrl: live.baseUrl, model: 'fake-judge', format: 'chat', sampling: options.judge.sampling }));
      const judge = { ...endpointTextModel(client), identity: options.judge.identity };
      const rerun = await runEvaluationJob({ instances: options.instances, responses, judge, scheduler: createScheduler({ concurrency: 2 }), outFile: options.outFile, checkpointFile: options.checkpointFile });
      assert.deepEqual(live.requests.map((r) => r.user).sort(), [user('0_1'), user('1_2')].sort(), 'the live resume asks for exactly the unscored items');
      assert.equal(rerun.summary.scored, 16);
    } finally {
      await live.close();
    }
  });

  it('evaluating again after a batch with unscored items sends just those as a new batch', async () => {
    let healthy = false;
    const { server, options, responses } = await setup({ reply: ({ customId }) => (!healthy && (customId === 'budget-1_0' || customId === '3_3') ? { kind: 'text', text: 'Hmm.' } : { kind: 'score' }) });
    const first = await runBatchEvaluation(options);
    assert.equal(first.evaluation?.summary.unscored, 2);
    healthy = true;
    const second = await runBatchEvaluation(options);
    const leftovers = new Set(['budget-1_0', '3_3']);
    assert.equal(server.uploads[1], judgeBatchInput({ instances: options.instances, responses, model: 'fake-judge', sampling: options.judge.sampling, include: (id) => leftovers.has(id) }));
    assert.deepEqual([second.state.requests, second.state.previous?.map((p) => [p.batchId, p.requests])], [2, [['batch_1', 16]]]);
    assert.deepEqual([second.evaluation?.summary.scored, second.evaluation?.summary.unscored], [16, 0]);
    // Nothing left: evaluating once more rewrites the files from what is kept, without a batch.
    await runBatchEvaluation(options);
    assert.equal(server.calls['upload'], 2);
  });

  it('resumes after a crash between creating the batch and its end: one upload and one create in total, then only polling', async () => {
    const { server, options } = await setup({ looksToFinish: 4 });
    const crash = new AbortController();
    const submitted = await submitBatchEvaluation(options);
    assert.equal(submitted.phase, 'submitted');
    // The "crashed" process was polling when it died.
    const stopped = await pollBatchEvaluation({ ...options, signal: crash.signal, onState: (s) => s.status === 'in_progress' && crash.abort() });
    assert.equal(stopped.stopped, true);
    assert.equal(stopped.evaluation, undefined);
    // A new process runs the whole command again.
    const resumed = await runBatchEvaluation(options);
    assert.deepEqual([server.calls['upload'], server.calls['create'], server.batches.length], [1, 1, 1]);
    assert.equal(resumed.evaluation?.summary.scored, 16);
    // Done: running again writes the same files from the kept output, no new batch.
    const again = await runBatchEvaluation(options);
    assert.deepEqual([server.calls['upload'], server.calls['create']], [1, 1]);
    assert.equal(again.evaluation?.summary.scored, 16);
  });

  it('finds the batch a crash created before its id was saved, instead of creating a second one', async () => {
    const { server, options } = await setup();
    await submitBatchEvaluation(options);
    // Back to "uploaded", as if the process died right after the create call returned.
    const state = await readBatchState(options.stateFile);
    const { writeFileAtomic } = await import('../../../../src/core/files/atomicWrite');
    await writeFileAtomic(options.stateFile, JSON.stringify({ ...state, phase: 'uploaded', batchId: undefined, status: undefined }));
    const result = await runBatchEvaluation(options);
    assert.deepEqual([server.calls['upload'], server.calls['create'], server.batches.length], [1, 1, 1]);
    assert.equal(result.state.batchId, server.batches[0]?.id);
    assert.equal(result.evaluation?.summary.scored, 16);
  });

  it('does not send items the checkpoint or the cache already has', async () => {
    const cache = memoryCallCache();
    const first = await setup({}, { cache });
    await runBatchEvaluation(first.options);
    // Another run folder, same judge and inputs: every reply is in the cache.
    const second = await setup({}, { cache });
    const result = await runBatchEvaluation({ ...second.options, api: first.options.api, judge: first.options.judge });
    assert.equal(first.server.calls['upload'], 1, 'nothing new was uploaded');
    assert.equal(result.state.requests, 0);
    assert.equal(result.evaluation?.summary.scored, 16);
  });

  it('a failed batch ends with its errors in the message and nothing judged', async () => {
    const { options } = await setup({ outcome: 'failed', failedErrors: [{ code: 'invalid_json_line', message: 'This line is not parseable as valid JSON.', line: 3 }] });
    await assert.rejects(runBatchEvaluation(options), (error: unknown) => {
      assert.ok(error instanceof BatchJobError);
      assert.match(error.message, /Batch batch_1 failed at http:\/\/127\.0\.0\.1:\d+: line 3: This line is not parseable as valid JSON\. \(invalid_json_line\)/);
      return true;
    });
    const state = await readBatchState(options.stateFile);
    assert.deepEqual([state?.phase, state?.status], ['done', 'failed']);
  });

  it('an expired batch keeps the replies that finished; the rest is not judged', async () => {
    const { options } = await setup({ outcome: 'expired', finishedBeforeEnd: 5 });
    const result = await runBatchEvaluation(options);
    assert.equal(result.state.status, 'expired');
    assert.deepEqual([result.evaluation?.summary.scored, result.evaluation?.summary.missing, result.state.result?.notJudged], [5, 11, 11]);
  });

  it('cancel asks the server, keeps the state, and collects what finished before it', async () => {
    const { server, options } = await setup({ looksToFinish: 1000, finishedBeforeEnd: 3 });
    await submitBatchEvaluation(options);
    const cancelled = await cancelBatchEvaluation(options);
    assert.equal(cancelled?.status, 'cancelling');
    assert.equal(server.calls['cancel'], 1);
    const result = await pollBatchEvaluation(options);
    assert.equal(result.state.status, 'cancelled');
    assert.equal(result.evaluation?.summary.scored, 3);
    const state = await readBatchState(options.stateFile);
    assert.equal(state?.batchId, server.batches[0]?.id, 'the state is kept');
  });

  it('an upload the server rejects (too large, bad key) says so and submits nothing; a look that fails once is retried', async () => {
    const rejected = await setup({ uploadStatus: 413 });
    await assert.rejects(submitBatchEvaluation(rejected.options), /Uploading the batch input \(16 requests, [\d.]+ MB\) to .* failed: .*413.* at most 50,000 requests and 200 MB/);
    assert.equal(rejected.server.calls['create'], 0);
    assert.equal((await readBatchState(rejected.options.stateFile))?.phase, 'prepared');

    const unauthorized = await setup({ uploadStatus: 401 });
    await assert.rejects(submitBatchEvaluation(unauthorized.options), /Uploading the batch input .* failed: Endpoint http:\/\/127\.0\.0\.1:\d+ rejected the API key \(401\)\. Save the right key .* Nothing was submitted/);

    const flaky = await setup({ lookStatus: (n) => (n === 1 ? 503 : undefined) });
    const result = await runBatchEvaluation(flaky.options);
    assert.equal(result.evaluation?.summary.scored, 16);
  });

  it('a batch whose inputs changed since it was submitted is not read into the new items', async () => {
    const { options, responses } = await setup();
    await submitBatchEvaluation(options);
    const changed = { ...responses, '1': { response: 'Another answer.' } };
    await assert.rejects(pollBatchEvaluation({ ...options, responses: changed }), /The bench, the responses or the judge settings changed since batch batch_1 was submitted/);
    assert.equal((await readBatchState(options.stateFile))?.phase, 'submitted', 'the state is kept');
    const restored = await pollBatchEvaluation(options);
    assert.equal(restored.evaluation?.summary.scored, 16);
  });

  it('a completed batch without an output file is an error that keeps the state', async () => {
    const { options } = await setup({ dropOutputFile: true });
    await assert.rejects(runBatchEvaluation(options), /completed without an output or error file/);
    assert.equal((await readBatchState(options.stateFile))?.phase, 'submitted');
  });
});
