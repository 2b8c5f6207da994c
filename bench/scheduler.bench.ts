// Judge throughput of `janus evaluate` on a full-size synthetic bench (921 x 4 rubric items) against
// a judge of fixed latency + jitter (200 ms + up to 100 ms), compared in the same run with the ideal
// (concurrency / mean latency) and with the original scripts' schedule (batches of 100, each batch
// waiting for its slowest call). Also the CLI process's CPU time per judged call and peak memory.
// Each measurement runs JANUS_BENCH_REPEATS times (default 3), interleaved; the table has medians.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseBenchText } from '../src/core/bench/benchFile';
import { EndpointClient } from '../src/core/endpoints/client';
import { endpointProfileSchema } from '../src/core/endpoints/profile';
import { defaultJudgeSystemPrompt, defaultJudgeTemplate, renderJudgePrompt } from '../src/core/prompts/judgePrompt';
import { syntheticBenchText } from '../test/fixtures/bench/syntheticBench';
import { startJudgeServer } from '../test/support/judgeServer';
import { cliPath } from '../test/support/engineProcess';
import { median, report } from './report';

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

/** Runs of each measurement, interleaved in rotating order (the machine is shared: medians). */
const repeats = Math.max(1, Number(process.env['JANUS_BENCH_REPEATS'] ?? 3));

interface CliRun {
  readonly rate: number;
  readonly cpuS: number;
  readonly maxRssMb: number;
  readonly wallS: number;
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
    const evaluateArgs = (out: string, judge: string, c: number): string[] =>
      ['evaluate', '--bench', benchFile, '--responses', responsesFile, '--out', path.join(dir, out), '--judge', judge, '--concurrency', String(c), '--no-cache'];

    // Ours: the real CLI, whole process measured (user + sys CPU and peak RSS from start to exit,
    // so node's start, loading the bundle, parsing the 10 MB bench and writing the files count).
    const ours = async (c: number): Promise<CliRun> => {
      const server = await startJudgeServer({ latencyMs, jitterMs });
      try {
        const run = await timedCli(evaluateArgs(`eval${c}.json`, server.baseUrl, c));
        if (run.code !== 0) throw new Error(`evaluate failed (${run.code}):\n${run.stderr.slice(-2000)}`);
        // Judging span: first request to the last reply (last arrival + its latency at most).
        const spanS = ((server.requests.at(-1)?.at ?? 0) - (server.requests[0]?.at ?? 0)) / 1000 + meanLatencyS;
        return { rate: calls / spanS, cpuS: run.cpuS, maxRssMb: run.maxRssMb, wallS: run.wallS };
      } finally {
        await server.close();
      }
    };

    // The CLI's fixed cost: the same command against a judge that refuses every connection (it
    // stops after 10 failed calls), so what is left of the full run's CPU is per judged call.
    const fixed = async (): Promise<CliRun> => {
      const closed = await new Promise<number>((resolve) => {
        const probe = createServer().listen(0, '127.0.0.1', () => {
          const { port } = probe.address() as AddressInfo;
          probe.close(() => resolve(port));
        });
      });
      const run = await timedCli([...evaluateArgs('fixed.json', `http://127.0.0.1:${closed}/v1`, concurrency), '--max-attempts', '1']);
      return { rate: 0, cpuS: run.cpuS, maxRssMb: run.maxRssMb, wallS: run.wallS };
    };

    // The original schedule with the same client stack: batches of 100, each waiting for its slowest.
    const prompts = instances.flatMap((i) => i.rubrics.map((rubric) => renderJudgePrompt(defaultJudgeTemplate, { instruction: i.prompt, response: responses[i.id]?.response ?? '', referenceAnswer: i.reference_answer, rubric })));
    const original = async (): Promise<number> => {
      const server = await startJudgeServer({ latencyMs, jitterMs });
      try {
        const profile = endpointProfileSchema.parse({ role: 'judge', baseUrl: server.baseUrl, model: 'fake-judge', format: 'chat', sampling: {} });
        const client = new EndpointClient(profile);
        const signal = new AbortController().signal;
        const judgeOnce = async (prompt: string): Promise<void> => {
          for await (const event of client.generateStream({ system: defaultJudgeSystemPrompt, prompt }, signal)) void event;
        };
        const start = performance.now();
        for (let i = 0; i < prompts.length; i += 100) await Promise.all(prompts.slice(i, i + 100).map(judgeOnce));
        return calls / ((performance.now() - start) / 1000);
      } finally {
        await server.close();
      }
    };

    const runs32: CliRun[] = [];
    const runs100: CliRun[] = [];
    const fixedRuns: CliRun[] = [];
    const originalRates: number[] = [];
    const steps: (() => Promise<void>)[] = [
      async () => void runs32.push(await ours(concurrency)),
      async () => void runs100.push(await ours(100)),
      async () => void originalRates.push(await original()),
      async () => void fixedRuns.push(await fixed()),
    ];
    for (let r = 0; r < repeats; r++) {
      for (let k = 0; k < steps.length; k++) await steps[(r + k) % steps.length]?.();
      process.stderr.write(`round ${r + 1}/${repeats}: CPU ${runs32.map((x) => x.cpuS.toFixed(2)).join(', ')} s, RSS ${runs32.map((x) => x.maxRssMb.toFixed(0)).join(', ')} MB\n`);
    }

    const oursRate = median(runs32.map((x) => x.rate));
    const idealRate = concurrency / meanLatencyS;
    const originalRate = median(originalRates);
    const ours100Rate = median(runs100.map((x) => x.rate));
    const cpuS = median(runs32.map((x) => x.cpuS));
    const fixedS = median(fixedRuns.map((x) => x.cpuS));
    const rssMb = median(runs32.map((x) => x.maxRssMb));
    const perCallMs = (cpuS * 1000) / calls;
    report('scheduler', [
      { metric: 'judged calls', value: calls, unit: 'calls' },
      { metric: 'runs of each measurement (medians below)', value: repeats, unit: 'runs' },
      { metric: `ours: calls/s at concurrency ${concurrency}`, value: oursRate, unit: 'calls/s' },
      { metric: `ideal at concurrency ${concurrency} (C / mean latency)`, value: idealRate, unit: 'calls/s' },
      { metric: 'ours / ideal', value: oursRate / idealRate, unit: 'x', target: '>= 0.95', ok: oursRate / idealRate >= 0.95 },
      { metric: 'original schedule: batches of 100, calls/s', value: originalRate, unit: 'calls/s' },
      { metric: 'original schedule / its ideal (100 / mean latency)', value: originalRate / (100 / meanLatencyS), unit: 'x' },
      { metric: 'ours at concurrency 100, calls/s', value: ours100Rate, unit: 'calls/s' },
      { metric: 'ours / original, both 100 in flight', value: ours100Rate / originalRate, unit: 'x' },
      { metric: 'ours at 100 / its ideal', value: ours100Rate / (100 / meanLatencyS), unit: 'x' },
      { metric: 'CLI CPU time per judged call (whole process, user+sys, start to exit)', value: perCallMs, unit: 'ms', target: '< 1 ms', ok: perCallMs < 1 },
      { metric: 'CLI CPU time, whole run', value: cpuS, unit: 's' },
      { metric: 'CLI CPU time without judge calls (start, bench parse, files; judge refused)', value: fixedS, unit: 's' },
      { metric: 'CLI CPU time per judged call beyond that', value: ((cpuS - fixedS) * 1000) / calls, unit: 'ms' },
      { metric: 'CLI peak memory (RSS)', value: rssMb, unit: 'MB', target: '< 200 MB', ok: rssMb < 200 },
      { metric: 'CLI wall time (start to exit)', value: median(runs32.map((x) => x.wallS)), unit: 's' },
    ], { latencyMs, jitterMs, concurrency, repeats, cpuSeconds: runs32.map((x) => x.cpuS), rssMb: runs32.map((x) => x.maxRssMb) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
