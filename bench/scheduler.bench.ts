// Judge throughput of `janus evaluate` on a full-size synthetic bench (921 x 4 rubric items) against
// a judge of fixed latency + jitter (200 ms + up to 100 ms), compared in the same run with the ideal
// (concurrency / mean latency) and with the original scripts' schedule (batches of 100, each batch
// waiting for its slowest call). Also the CLI process's CPU time per judged call and peak memory.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseBenchText } from '../src/core/bench/benchFile';
import { EndpointClient } from '../src/core/endpoints/client';
import { endpointProfileSchema } from '../src/core/endpoints/profile';
import { defaultJudgeSystemPrompt, defaultJudgeTemplate, renderJudgePrompt } from '../src/core/prompts/judgePrompt';
import { syntheticBenchText } from '../test/fixtures/bench/syntheticBench';
import { startJudgeServer } from '../test/support/judgeServer';
import { cliPath } from '../test/support/engineProcess';
import { report } from './report';

const latencyMs = 200;
const jitterMs = 100;
const meanLatencyS = (latencyMs + jitterMs / 2) / 1000;
const concurrency = 32;

/** Runs the CLI under /usr/bin/time to read its CPU seconds and peak RSS. */
function timedCli(args: readonly string[]): Promise<{ code: number | null; wallS: number; cpuS: number; maxRssMb: number; stderr: string }> {
  return new Promise((resolve) => {
    const start = performance.now();
    const child = spawn('/usr/bin/time', ['-f', 'TIME %U %S %M', process.execPath, cliPath, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('exit', (code) => {
      const match = /TIME ([\d.]+) ([\d.]+) (\d+)/.exec(stderr);
      resolve({ code, wallS: (performance.now() - start) / 1000, cpuS: Number(match?.[1] ?? NaN) + Number(match?.[2] ?? NaN), maxRssMb: Number(match?.[3] ?? NaN) / 1024, stderr });
    });
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'janus-sched-bench-'));
  try {
    const benchText = syntheticBenchText(921);
    const benchFile = path.join(dir, 'bench.json');
    writeFileSync(benchFile, benchText);
    const instances = parseBenchText(benchText).instances;
    const responses = Object.fromEntries(instances.map((i) => [i.id, { response: `A short synthetic answer for instance ${i.id}.` }]));
    const responsesFile = path.join(dir, 'responses.json');
    writeFileSync(responsesFile, JSON.stringify(responses));
    const calls = instances.reduce((n, i) => n + i.rubrics.length, 0);

    // 1. Ours: the real CLI, whole process measured.
    const server = await startJudgeServer({ latencyMs, jitterMs });
    const ours = await timedCli(['evaluate', '--bench', benchFile, '--responses', responsesFile, '--out', path.join(dir, 'eval.json'), '--judge', server.baseUrl, '--concurrency', String(concurrency), '--no-cache']);
    if (ours.code !== 0) throw new Error(`evaluate failed (${ours.code}):\n${ours.stderr.slice(-2000)}`);
    const firstAt = server.requests[0]?.at ?? 0;
    const lastAt = server.requests.at(-1)?.at ?? 0;
    // Judging span: first request to the last reply (last arrival + its latency at most).
    const oursSpanS = (lastAt - firstAt) / 1000 + meanLatencyS;
    const oursRate = calls / oursSpanS;
    const idealRate = concurrency / meanLatencyS;
    await server.close();

    // 1b. Ours with as many calls in flight as the original's batches, for a like-for-like ratio.
    const wide = await startJudgeServer({ latencyMs, jitterMs });
    const ours100 = await timedCli(['evaluate', '--bench', benchFile, '--responses', responsesFile, '--out', path.join(dir, 'eval100.json'), '--judge', wide.baseUrl, '--concurrency', '100', '--no-cache']);
    if (ours100.code !== 0) throw new Error(`evaluate failed (${ours100.code}):\n${ours100.stderr.slice(-2000)}`);
    const ours100Rate = calls / (((wide.requests.at(-1)?.at ?? 0) - (wide.requests[0]?.at ?? 0)) / 1000 + meanLatencyS);
    await wide.close();

    // 2. The original schedule with the same client stack: batches of 100, each waiting for its slowest.
    const original = await startJudgeServer({ latencyMs, jitterMs });
    const profile = endpointProfileSchema.parse({ role: 'judge', baseUrl: original.baseUrl, model: 'fake-judge', format: 'chat', sampling: {} });
    const client = new EndpointClient(profile);
    const prompts = instances.flatMap((i) => i.rubrics.map((rubric) => renderJudgePrompt(defaultJudgeTemplate, { instruction: i.prompt, response: responses[i.id]?.response ?? '', referenceAnswer: i.reference_answer, rubric })));
    const signal = new AbortController().signal;
    const judgeOnce = async (prompt: string): Promise<void> => {
      for await (const event of client.generateStream({ system: defaultJudgeSystemPrompt, prompt }, signal)) void event;
    };
    const batch = async (size: number): Promise<number> => {
      const start = performance.now();
      for (let i = 0; i < prompts.length; i += size) await Promise.all(prompts.slice(i, i + size).map(judgeOnce));
      return (performance.now() - start) / 1000;
    };
    const batch100S = await batch(100);
    await original.close();

    report('scheduler', [
      { metric: 'judged calls', value: calls, unit: 'calls' },
      { metric: `ours: calls/s at concurrency ${concurrency}`, value: oursRate, unit: 'calls/s' },
      { metric: `ideal at concurrency ${concurrency} (C / mean latency)`, value: idealRate, unit: 'calls/s' },
      { metric: 'ours / ideal', value: oursRate / idealRate, unit: 'x', target: '>= 0.95', ok: oursRate / idealRate >= 0.95 },
      { metric: 'original schedule: batches of 100, calls/s', value: calls / batch100S, unit: 'calls/s' },
      { metric: 'original schedule / its ideal (100 / mean latency)', value: calls / batch100S / (100 / meanLatencyS), unit: 'x' },
      { metric: 'ours at concurrency 100, calls/s', value: ours100Rate, unit: 'calls/s' },
      { metric: 'ours / original, both 100 in flight', value: ours100Rate / (calls / batch100S), unit: 'x' },
      { metric: 'ours at 100 / its ideal', value: ours100Rate / (100 / meanLatencyS), unit: 'x' },
      { metric: 'CLI CPU time per judged call', value: (ours.cpuS * 1000) / calls, unit: 'ms', target: '< 1 ms', ok: (ours.cpuS * 1000) / calls < 1 },
      { metric: 'CLI peak memory (RSS)', value: ours.maxRssMb, unit: 'MB', target: '< 200 MB', ok: ours.maxRssMb < 200 },
      { metric: 'CLI wall time (start to exit)', value: ours.wallS, unit: 's' },
    ], { latencyMs, jitterMs, concurrency });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
