// The local engine, measured in one run so ratios hold on a noisy shared machine:
// - HTTP server overhead: tokens/s through the server against node-llama-cpp called directly
//   (bench/directLlama.ts: the engine's context and sampling, in this process);
// - batching: aggregate tokens/s of n = 4 in one request against four requests one after another,
//   through the server and, for the floor, with node-llama-cpp alone;
// - thread count: tokens/s with 1 and 2 llama.cpp threads (why the default is cores - 1);
// - rewards/s for a batch of 16 texts; the engine's peak resident memory.
import { readFileSync } from 'node:fs';
import type { RunningEngine } from '../test/support/engineProcess';
import { startEngine } from '../test/support/engineProcess';
import { getTinyModel } from '../test/support/tinyModelFixture';
import { directLlama } from './directLlama';
import type { BenchRow } from './report';
import { median, report } from './report';

const PROMPT = '[INST] You are a patient tutor who explains with examples.\nExplain recursion. [/INST] ';
const TOKENS = 256;
const REPEATS = 7;

async function complete(engine: RunningEngine, body: Record<string, unknown>): Promise<{ ms: number; tokens: number }> {
  const started = performance.now();
  const res = await fetch(`${engine.url}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: PROMPT, ignore_eos: true, temperature: 1, top_p: 0.9, ...body }),
  });
  const json = (await res.json()) as { usage: { completion_tokens: number } };
  return { ms: performance.now() - started, tokens: json.usage.completion_tokens };
}

/** One request of TOKENS tokens through the server; tokens per second as the client sees them. */
async function serverOnce(engine: RunningEngine, stream: boolean): Promise<number> {
  if (!stream) {
    const { ms, tokens } = await complete(engine, { max_tokens: TOKENS });
    return tokens / (ms / 1000);
  }
  const started = performance.now();
  const res = await fetch(`${engine.url}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: PROMPT, ignore_eos: true, temperature: 1, top_p: 0.9, max_tokens: TOKENS, stream: true }),
  });
  const text = await res.text();
  const usage = /"completion_tokens":(\d+)/.exec(text);
  return Number(usage?.[1] ?? NaN) / ((performance.now() - started) / 1000);
}

async function serverTokensPerSecond(engine: RunningEngine, stream: boolean): Promise<number> {
  const rates: number[] = [];
  for (let r = 0; r < REPEATS; r++) rates.push(await serverOnce(engine, stream));
  return median(rates);
}

function peakRssMb(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmHWM:\s+(\d+) kB/.exec(status);
  return match?.[1] ? Number(match[1]) / 1024 : NaN;
}

async function main(): Promise<void> {
  const tiny = await getTinyModel();
  const rows: BenchRow[] = [];

  const engine = await startEngine(['--model', tiny.modelPath, '--reward-model', tiny.rewardModelPath, '--parallel', '4', '--threads', '1', '--context', '1024', '--quiet']);
  const runner = await directLlama(tiny.modelPath, PROMPT, { sequences: 4, contextSize: 1024 });
  const directRate = async (): Promise<number> => TOKENS / ((await runner.run(1, TOKENS)) / 1000);
  try {
    await complete(engine, { max_tokens: 8 }); // warm-up
    await runner.run(4, 8);
    // Direct and server runs interleave, in a rotating order, so machine noise hits all three alike.
    const directRates: number[] = [];
    const servedRates: number[] = [];
    const streamedRates: number[] = [];
    const steps = [
      async (): Promise<void> => void directRates.push(await directRate()),
      async (): Promise<void> => void servedRates.push(await serverOnce(engine, false)),
      async (): Promise<void> => void streamedRates.push(await serverOnce(engine, true)),
    ];
    for (let r = 0; r < REPEATS * 2; r++) {
      for (let i = 0; i < steps.length; i++) await steps[(i + r) % steps.length]?.();
    }
    const direct = median(directRates);
    const served = median(servedRates);
    const streamed = median(streamedRates);
    const overhead = (direct / served - 1) * 100;
    const streamOverhead = (direct / streamed - 1) * 100;
    rows.push({ metric: 'direct node-llama-cpp, 1 sequence', value: direct, unit: 'tok/s' });
    rows.push({ metric: 'through HTTP server, not streamed', value: served, unit: 'tok/s' });
    rows.push({ metric: 'through HTTP server, streamed', value: streamed, unit: 'tok/s' });
    rows.push({ metric: 'server overhead (not streamed)', value: overhead, unit: '%', target: '< 5 %', ok: overhead < 5 });
    rows.push({ metric: 'server overhead (streamed)', value: streamOverhead, unit: '%', target: '< 5 %', ok: streamOverhead < 5 });

    const batched: number[] = [];
    const sequential: number[] = [];
    const directBatched: number[] = [];
    const directSequential: number[] = [];
    await complete(engine, { max_tokens: 8, n: 4 }); // warm-up of all four slots
    const half = TOKENS / 2;
    const batchSteps = [
      async (): Promise<void> => {
        const one = await complete(engine, { max_tokens: half, n: 4 });
        batched.push(one.tokens / (one.ms / 1000));
      },
      async (): Promise<void> => {
        const started = performance.now();
        let tokens = 0;
        for (let i = 0; i < 4; i++) tokens += (await complete(engine, { max_tokens: half })).tokens;
        sequential.push(tokens / ((performance.now() - started) / 1000));
      },
      async (): Promise<void> => void directBatched.push((4 * half) / ((await runner.run(4, half)) / 1000)),
      async (): Promise<void> => {
        let ms = 0;
        for (let i = 0; i < 4; i++) ms += await runner.run(1, half);
        directSequential.push((4 * half) / (ms / 1000));
      },
    ];
    // Rotate the order so no side always runs on a warmer (or busier) machine.
    for (let r = 0; r < REPEATS * 2; r++) {
      for (let i = 0; i < batchSteps.length; i++) await batchSteps[(i + r) % batchSteps.length]?.();
    }
    await runner.dispose();
    const speedup = median(batched) / median(sequential);
    rows.push({ metric: 'n = 4 in one batch, aggregate', value: median(batched), unit: 'tok/s' });
    rows.push({ metric: '4 sequential requests, aggregate', value: median(sequential), unit: 'tok/s' });
    rows.push({ metric: 'batching speed-up', value: speedup, unit: 'x', target: '>= 1.5x', ok: speedup >= 1.5 });
    rows.push({ metric: 'node-llama-cpp alone: 4 sequences in one batch', value: median(directBatched), unit: 'tok/s' });
    rows.push({ metric: 'node-llama-cpp alone: 4 sequential generations', value: median(directSequential), unit: 'tok/s' });
    rows.push({ metric: 'node-llama-cpp alone: batching speed-up (the floor)', value: median(directBatched) / median(directSequential), unit: 'x' });

    const texts = Array.from({ length: 16 }, (_, i) => `<s>[INST] Persona ${i}: you like short answers.\nExplain item ${i}. [/INST] Answer number ${i} with a few words of text. </s>`);
    const rewardRates: number[] = [];
    for (let r = 0; r < REPEATS; r++) {
      const started = performance.now();
      const res = await fetch(`${engine.url}/get_reward`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: texts }) });
      const { rewards } = (await res.json()) as { rewards: number[] };
      rewardRates.push(rewards.length / ((performance.now() - started) / 1000));
    }
    rows.push({ metric: 'rewards, batch of 16 texts', value: median(rewardRates), unit: 'texts/s' });
    const rss = peakRssMb(engine.process.pid);
    rows.push({ metric: 'engine peak resident memory', value: rss, unit: 'MB', target: '< 250 MB', ok: rss < 250 });
  } finally {
    await engine.stop();
  }

  // Thread count: the same single-sequence generation with 1 and 2 llama.cpp threads.
  for (const threads of [1, 2]) {
    const e = await startEngine(['--model', tiny.modelPath, '--parallel', '1', '--threads', String(threads), '--context', '1024', '--quiet']);
    try {
      await complete(e, { max_tokens: 8 });
      rows.push({ metric: `--threads ${threads}, 1 sequence`, value: await serverTokensPerSecond(e, false), unit: 'tok/s' });
    } finally {
      await e.stop();
    }
  }
  report('engine', rows, { tokensPerRequest: TOKENS, repeats: REPEATS, model: 'tiny generated Llama (seed 1)' });
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
