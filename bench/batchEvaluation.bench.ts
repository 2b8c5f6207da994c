// The Batch API judge job on a full-size synthetic bench (921 instances x 4 rubrics) with the
// paper's 3 judge runs, against the fake Batch API over HTTP: the input file's size and request
// count against the Batch API's limits (200 MB, 50,000 requests a file), and the time and memory
// of the two ends that run here: preparing + uploading, and downloading + writing the results.
// The fake server runs in its own process, so time and memory are the job's alone.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseBenchText } from '../src/core/bench/benchFile';
import { EndpointClient } from '../src/core/endpoints/client';
import { endpointProfileSchema } from '../src/core/endpoints/profile';
import type { BatchEvaluationOptions } from '../src/core/jobs/batchEvaluation';
import { batchJudgeOf, pollBatchEvaluation, submitBatchEvaluation } from '../src/core/jobs/batchEvaluation';
import { endpointTextModel } from '../src/core/jobs/textModel';
import { openaiBatchApi } from '../src/core/judge/openaiBatchApi';
import { syntheticBenchText } from '../test/fixtures/bench/syntheticBench';
import { report } from './report';

const runs = 3;

/** The fake Batch API in a child process; resolves with its base URL. */
function serverProcess(): Promise<{ baseUrl: string; stop(): void }> {
  const script = `import('${path.join(__dirname, '..', 'test', 'support', 'batchServer.ts').replace(/\\/g, '/')}').then(async (m) => { const s = await (m.startBatchServer ?? m.default.startBatchServer)({ looksToFinish: 1 }); process.stdout.write(s.baseUrl + '\\n'); })`;
  const child = spawn(process.execPath, ['--import=tsx', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const line = /^(http\S+)\n/.exec(out);
      if (line?.[1]) resolve({ baseUrl: line[1], stop: () => child.kill() });
    });
    child.once('exit', (code) => reject(new Error(`the fake Batch API exited (${code})`)));
  });
}

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; wallS: number; cpuS: number }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result = await work();
  const used = process.cpuUsage(cpu);
  return { result, wallS: (performance.now() - start) / 1000, cpuS: (used.user + used.system) / 1e6 };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'janus-batch-bench-'));
  const server = await serverProcess();
  try {
    const instances = parseBenchText(syntheticBenchText(921)).instances;
    const responses = Object.fromEntries(instances.map((i) => [i.id, { response: `A synthetic answer for instance ${i.id}, a few sentences long. `.repeat(8) }]));
    const profile = endpointProfileSchema.parse({ role: 'judge', baseUrl: server.baseUrl, model: 'fake-judge', format: 'chat', sampling: {} });
    const options: BatchEvaluationOptions = {
      instances, responses, runs, judge: batchJudgeOf(endpointTextModel(new EndpointClient(profile)).identity, profile),
      outFile: path.join(dir, 'eval.json'), checkpointFile: path.join(dir, 'checkpoint.jsonl'), stateFile: path.join(dir, 'batch.json'),
      api: openaiBatchApi({ baseUrl: server.baseUrl, model: 'fake-judge' }), poll: { intervalMs: 5 },
    };
    const rssBeforeMb = process.memoryUsage().rss / 1048576;
    const submit = await timed(() => submitBatchEvaluation(options));
    const peakAfterSubmitMb = process.resourceUsage().maxRSS / 1024;
    const collect = await timed(() => pollBatchEvaluation(options));
    const inputBytes = (await readFile(path.join(dir, 'batch.input.jsonl'))).length;
    const outputBytes = (await readFile(path.join(dir, 'batch.output.jsonl'))).length;
    const requests = submit.result.requests;
    const scored = collect.result.evaluation?.summary.scored ?? 0;
    if (scored !== requests) throw new Error(`scored ${scored} of ${requests}`);
    report('batchEvaluation', [
      { metric: `requests (921 x 4 rubrics x ${runs} runs)`, value: requests, unit: 'requests', target: '<= 50,000 a batch', ok: requests <= 50_000 },
      { metric: 'input file', value: inputBytes / 1e6, unit: 'MB', target: '<= 200 MB', ok: inputBytes <= 200e6 },
      { metric: 'prepare + upload + create: wall', value: submit.wallS, unit: 's' },
      { metric: 'prepare + upload + create: CPU', value: submit.cpuS, unit: 's' },
      { metric: 'output file', value: outputBytes / 1e6, unit: 'MB' },
      { metric: 'poll + download + results: wall', value: collect.wallS, unit: 's' },
      { metric: 'poll + download + results: CPU', value: collect.cpuS, unit: 's' },
      { metric: 'CPU per request, both ends', value: ((submit.cpuS + collect.cpuS) * 1000) / requests, unit: 'ms' },
      { metric: 'RSS before the job (bench loaded)', value: rssBeforeMb, unit: 'MB' },
      { metric: 'peak RSS after prepare + upload', value: peakAfterSubmitMb, unit: 'MB' },
      { metric: 'peak RSS at the end (results written)', value: process.resourceUsage().maxRSS / 1024, unit: 'MB' },
    ], { runs });
  } finally {
    server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
