// Best-of-N on the local engine (tiny model, 4 slots, value head), ratios taken in one run:
// - wall time of best-of-4 (sample, score, rank) against one candidate (Janus: Generate's work),
//   for both strategies: one request with n = 4, and 4 requests through the scheduler;
// - the floor under that ratio: the engine alone (n = 4 against n = 1), and node-llama-cpp alone in
//   this process (4 sequences against 1, bench/directLlama.ts);
// - time from the last candidate to the ranking, against one reward request for the same 4 texts.
import { runBestOfN } from '../src/core/bestOfN/bestOfN';
import type { BestOfNOptions } from '../src/core/bestOfN/bestOfN';
import type { EndpointProfile } from '../src/core/endpoints/profile';
import { endpointProfileSchema } from '../src/core/endpoints/profile';
import { createScheduler } from '../src/core/jobs/scheduler';
import { createRewardScorer } from '../src/core/reward/createScorer';
import type { RewardScorer } from '../src/core/reward/scorer';
import { startEngine } from '../test/support/engineProcess';
import { getTinyModel } from '../test/support/tinyModelFixture';
import { directLlama } from './directLlama';
import type { BenchRow } from './report';
import { median, report } from './report';

const TOKENS = 128;
const REPEATS = 15;
const input = { system: 'You are a patient tutor who explains with examples.', prompt: 'Explain recursion.' };

interface Timing {
  readonly wallMs: number;
  /** From the last `candidateDone` to `ranked` (NaN when not ranked). */
  readonly lastToRankedMs: number;
  readonly texts: string[];
}

async function timeRun(options: BestOfNOptions): Promise<Timing> {
  const started = performance.now();
  let lastDone = NaN;
  let ranked = NaN;
  const texts: string[] = [];
  for await (const event of runBestOfN(options)) {
    if (event.type === 'candidateDone') {
      lastDone = performance.now();
      texts[event.index] = event.text;
    }
    if (event.type === 'ranked') ranked = performance.now();
    if (event.type === 'candidateError' || event.type === 'scoreError') throw new Error(event.message);
  }
  return { wallMs: performance.now() - started, lastToRankedMs: ranked - lastDone, texts };
}

async function main(): Promise<void> {
  const tiny = await getTinyModel();
  const engine = await startEngine(['--model', tiny.modelPath, '--reward-model', tiny.rewardModelPath, '--parallel', '4', '--threads', '1', '--context', '1024', '--quiet']);
  const rows: BenchRow[] = [];
  const direct = await directLlama(tiny.modelPath, `[INST] ${input.system}\n${input.prompt} [/INST] `, { sequences: 4, contextSize: 1024 });
  try {
    const profileFor = (seed: number): EndpointProfile =>
      endpointProfileSchema.parse({ role: 'generator', baseUrl: `${engine.url}/v1`, model: '', format: 'mistral-instruct', sampling: { maxTokens: TOKENS, repetitionPenalty: 1.03, seed } });
    const scorer: RewardScorer = createRewardScorer({ kind: 'local', baseUrl: engine.url });
    const base = (seed: number, n: number): BestOfNOptions => ({ generator: { profile: profileFor(seed) }, input, n, scheduler: createScheduler({ concurrency: 4 }) });

    const single: number[] = [];
    const viaN: Timing[] = [];
    const parallel: Timing[] = [];
    const samplingOnly: number[] = [];
    const rawN: number[] = [];
    const rawNStreamed: number[] = [];
    const rawOne: number[] = [];
    /** The engine alone (plain fetch, no client, no scoring): the floor any client can reach. */
    const raw = async (seed: number, n: number, stream: boolean, into: number[]): Promise<void> => {
      const started = performance.now();
      const res = await fetch(`${engine.url}/v1/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: `[INST] ${input.system}\n${input.prompt} [/INST] `, n, max_tokens: TOKENS, temperature: 1, top_p: 0.9, repetition_penalty: 1.03, seed, stream }),
      });
      await res.text();
      into.push(performance.now() - started);
    };
    const directN: number[] = [];
    const directOne: number[] = [];
    const rewardOnly: number[] = [];
    await direct.run(4, 8);
    await timeRun({ ...base(1, 4), scorer, capabilities: { parallelN: true, slots: 4 } }); // warm-up
    for (let r = 0; r < REPEATS; r++) {
      const seed = 1000 + r * 10;
      const steps: (() => Promise<void>)[] = [
        async () => void single.push((await timeRun(base(seed, 1))).wallMs),
        async () => void viaN.push(await timeRun({ ...base(seed, 4), scorer, capabilities: { parallelN: true, slots: 4 } })),
        async () => void parallel.push(await timeRun({ ...base(seed, 4), scorer })),
        async () => void samplingOnly.push((await timeRun({ ...base(seed, 4), capabilities: { parallelN: true, slots: 4 } })).wallMs),
        () => raw(seed, 4, false, rawN),
        () => raw(seed, 4, true, rawNStreamed),
        () => raw(seed, 1, true, rawOne),
        async () => void directN.push(await direct.run(4, TOKENS)),
        async () => void directOne.push(await direct.run(1, TOKENS)),
      ];
      // Rotate the order so no path always runs first on a cooler (or warmer) machine.
      for (let i = 0; i < steps.length; i++) await steps[(i + r) % steps.length]?.();
      // One reward request for the same four texts: the floor of "last candidate to ranking".
      const texts = (viaN.at(-1)?.texts ?? []).map((response) => ({ ...input, response }));
      const started = performance.now();
      await scorer.score(texts, new AbortController().signal);
      rewardOnly.push(performance.now() - started);
    }

    const singleMs = median(single);
    const nMs = median(viaN.map((t) => t.wallMs));
    const parallelMs = median(parallel.map((t) => t.wallMs));
    const rewardMs = median(rewardOnly);
    rows.push({ metric: 'one candidate (generation only)', value: singleMs, unit: 'ms' });
    rows.push({ metric: 'best-of-4, one request with n = 4', value: nMs, unit: 'ms' });
    rows.push({ metric: 'best-of-4, 4 scheduled requests', value: parallelMs, unit: 'ms' });
    rows.push({ metric: 'best-of-4 sampling only, n = 4 (no scoring)', value: median(samplingOnly), unit: 'ms' });
    rows.push({ metric: 'engine alone: n = 1, streamed', value: median(rawOne), unit: 'ms' });
    rows.push({ metric: 'engine alone: n = 4, streamed', value: median(rawNStreamed), unit: 'ms' });
    rows.push({ metric: 'engine alone: n = 4, not streamed', value: median(rawN), unit: 'ms' });
    rows.push({ metric: 'engine alone: n = 4 / n = 1 (the floor)', value: median(rawNStreamed) / median(rawOne), unit: 'x' });
    rows.push({ metric: `node-llama-cpp alone: 4 sequences, ${TOKENS} tokens each`, value: median(directN), unit: 'ms' });
    rows.push({ metric: `node-llama-cpp alone: 1 sequence, ${TOKENS} tokens`, value: median(directOne), unit: 'ms' });
    rows.push({ metric: 'node-llama-cpp alone: 4 / 1 (the library\'s floor)', value: median(directN) / median(directOne), unit: 'x' });
    rows.push({ metric: 'best-of-4 / one candidate (n = 4)', value: nMs / singleMs, unit: 'x', target: '< 1.5x', ok: nMs / singleMs < 1.5 });
    rows.push({ metric: 'best-of-4 / one candidate (4 requests)', value: parallelMs / singleMs, unit: 'x', target: '< 1.5x', ok: parallelMs / singleMs < 1.5 });
    rows.push({ metric: 'one reward request, 4 texts', value: rewardMs, unit: 'ms' });
    // What this product adds on top of what the engine itself needs: client, events, scheduler.
    const floorMs = median(rawNStreamed) + rewardMs;
    rows.push({ metric: 'best-of-4 (n = 4) / (engine n = 4 + reward)', value: nMs / floorMs, unit: 'x' });
    for (const [name, timings] of [['n = 4', viaN], ['4 requests', parallel]] as const) {
      const lastToRanked = median(timings.map((t) => t.lastToRankedMs));
      const budget = 50 + rewardMs;
      rows.push({ metric: `last candidate -> ranking (${name})`, value: lastToRanked, unit: 'ms', target: `< 50 ms + reward (${budget.toFixed(1)} ms)`, ok: lastToRanked < budget });
      rows.push({ metric: `  of which not the reward request (${name})`, value: lastToRanked - rewardMs, unit: 'ms' });
    }
  } finally {
    await direct.dispose();
    await engine.stop();
  }
  report('bestOfN', rows, { tokensPerCandidate: TOKENS, repeats: REPEATS, slots: 4, threads: 1, model: 'tiny generated Llama (seed 1)' });
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
