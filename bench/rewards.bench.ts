// Rewards per second from the tiny reward model served beside the tiny generator (`serve --model
// --reward-model`): 16 Janus-RM texts in one /get_reward request, short (one-line answers) and long
// (~500-token answers), median of several runs; and the engine's peak memory with both models.
import { readFileSync } from 'node:fs';
import { openRlhfRewardText } from '../src/core/reward/rewardText';
import type { RunningEngine } from '../test/support/engineProcess';
import { startEngine } from '../test/support/engineProcess';
import { getTinyModel } from '../test/support/tinyModelFixture';
import type { BenchRow } from './report';
import { median, report } from './report';

const REPEATS = 7;
const TEXTS = 16;

function texts(words: number): string[] {
  return Array.from({ length: TEXTS }, (_, i) =>
    openRlhfRewardText({
      system: `You are a patient tutor number ${i} who prefers short, concrete answers.`,
      prompt: `Explain idea ${i} to a novice.`,
      response: Array.from({ length: words }, (_, w) => ['the', 'idea', 'is', 'simple', 'and', 'you', 'can', 'use', 'it'][(w + i) % 9]).join(' '),
    }),
  );
}

async function rewardsPerSecond(engine: RunningEngine, query: readonly string[]): Promise<number> {
  const rates: number[] = [];
  for (let r = 0; r <= REPEATS; r++) {
    const started = performance.now();
    const res = await fetch(`${engine.url}/get_reward`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    const { rewards } = (await res.json()) as { rewards: number[] };
    if (rewards.length !== query.length) throw new Error(`got ${rewards.length} rewards for ${query.length} texts`);
    // The first run warms the context up and is not counted.
    if (r > 0) rates.push(rewards.length / ((performance.now() - started) / 1000));
  }
  return median(rates);
}

async function main(): Promise<void> {
  const tiny = await getTinyModel();
  const engine = await startEngine(['--model', tiny.modelPath, '--reward-model', tiny.rewardModelPath, '--parallel', '4', '--threads', '1', '--context', '1024', '--quiet']);
  try {
    const rows: BenchRow[] = [
      { metric: `rewards, ${TEXTS} short texts in one request`, value: await rewardsPerSecond(engine, texts(12)), unit: 'texts/s' },
      { metric: `rewards, ${TEXTS} ~500-token texts in one request`, value: await rewardsPerSecond(engine, texts(480)), unit: 'texts/s' },
    ];
    const status = readFileSync(`/proc/${engine.process.pid}/status`, 'utf8');
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    if (hwm) rows.push({ metric: 'engine peak RSS (generator + reward model)', value: Number(hwm) / 1024, unit: 'MB' });
    report('rewards', rows, { threads: 1, repeats: REPEATS, rewardModel: 'janus-tiny-rm (64 hidden, 2 layers)' });
  } finally {
    await engine.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
