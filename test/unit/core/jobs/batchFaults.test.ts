// The Batch API judge job against a Batch API that answers in the wrong shape: a non-JSON reply to
// the upload, batch objects without a status, and many looks at a pending batch (listeners).
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import path from 'node:path';
import { readBenchFile } from '../../../../src/core/bench/loadBench';
import { EndpointClient } from '../../../../src/core/endpoints/client';
import type { BatchEvaluationOptions } from '../../../../src/core/jobs/batchEvaluation';
import { batchJudgeOf, pollBatchEvaluation, readBatchState, runBatchEvaluation, submitBatchEvaluation } from '../../../../src/core/jobs/batchEvaluation';
import { endpointTextModel } from '../../../../src/core/jobs/textModel';
import { openaiBatchApi } from '../../../../src/core/judge/openaiBatchApi';
import type { BatchServer, BatchServerOptions } from '../../../support/batchServer';
import { startBatchServer } from '../../../support/batchServer';
import { useTempDir } from '../../../support/tempDir';
import { aProfile } from '../support/builders';

const benchFile = path.resolve(__dirname, '..', '..', '..', 'fixtures', 'bench', 'small.bench.json');

describe('Batch API evaluation job: replies in the wrong shape', function () {
  this.timeout(20_000);
  const dir = useTempDir('janus-batchfaults-');
  let servers: BatchServer[] = [];
  let folder = 0;
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.close()));
    servers = [];
  });

  async function setup(serverOptions: BatchServerOptions, extra: Partial<BatchEvaluationOptions> = {}): Promise<{ server: BatchServer; options: BatchEvaluationOptions }> {
    const server = await startBatchServer(serverOptions);
    servers.push(server);
    const instances = await readBenchFile(benchFile);
    const responses = Object.fromEntries(instances.map((i) => [i.id, { response: `An answer for ${i.id}.` }]));
    const profile = aProfile({ role: 'judge', baseUrl: server.baseUrl, model: 'fake-judge', format: 'chat', sampling: { maxTokens: 256, temperature: 0, topP: 1 } });
    const judge = batchJudgeOf(endpointTextModel(new EndpointClient(profile)).identity, profile);
    const run = path.join(dir(), `run${++folder}`);
    const options: BatchEvaluationOptions = {
      instances, responses, judge, outFile: path.join(run, 'm_evaluation.json'), checkpointFile: path.join(run, 'checkpoint.jsonl'), stateFile: path.join(run, 'batch.json'),
      api: openaiBatchApi({ baseUrl: server.baseUrl, model: 'fake-judge' }), poll: { intervalMs: 1, maxIntervalMs: 1 }, ...extra,
    };
    return { server, options };
  }

  it('a non-JSON reply to the upload is an error naming what came back; nothing is created or marked done', async () => {
    const { server, options } = await setup({ uploadReply: { type: 'text/html', body: '<html><body>Please log in</body></html>' } });
    await assert.rejects(submitBatchEvaluation(options), /Uploading the batch input .* failed: .*(not a file object|cannot read).*Please log in/);
    assert.equal(server.calls['create'], 0);
    assert.notEqual((await readBatchState(options.stateFile))?.phase, 'done');
  });

  it('a batch object without a status fails with a clear message instead of polling forever', async () => {
    const { server, options } = await setup({ omitStatus: true });
    const started = Date.now();
    await assert.rejects(runBatchEvaluation(options), /batch object without a valid "status"/);
    assert.ok(server.calls['retrieve']! <= 1, `${server.calls['retrieve']} looks`);
    assert.ok(Date.now() - started < 5000);
  });

  it('30 looks at a pending batch leave no listener behind on the signal, and no MaxListenersExceededWarning', async () => {
    const { server, options } = await setup({ looksToFinish: 31 });
    const controller = new AbortController();
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      await submitBatchEvaluation({ ...options, signal: controller.signal });
      const before = getEventListeners(controller.signal, 'abort').length;
      const result = await pollBatchEvaluation({ ...options, signal: controller.signal });
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(server.calls['retrieve'], 31);
      assert.equal(result.evaluation?.summary.scored, 16);
      assert.equal(getEventListeners(controller.signal, 'abort').length, before, 'listener count stable');
      assert.deepEqual(warnings.filter((w) => w === 'MaxListenersExceededWarning'), []);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
