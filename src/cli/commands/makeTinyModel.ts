import { parseArgs } from 'node:util';
import type { CliCommand } from '../command';
import { CliUsageError } from '../command';
import { writeRewardHead } from '../../engine/rewardHead';
import { createTinyLlamaWeights, createTinyRewardHead, loadTinyVocabulary, writeTinyLlamaGguf } from '../../engine/tinyModel';

const usage = `Usage: janus make-tiny-model --out <file.gguf> [--reward-head <file.json>] [--seed N]

Writes a tiny random-weight Llama GGUF (about 16 MB, Mistral's real 32k vocabulary, read from the
development package mistral-tokenizer-js) that the local engine
can serve, for trying the product and for tests; its text is nonsense. With --reward-head, also writes
a matching random value head. The same seed always writes the same bytes.

  --out          the GGUF file to write
  --reward-head  also write a reward head file for this model
  --seed         a non-negative integer (default 1)`;

interface MakeTinyModelArgs {
  readonly out: string;
  readonly rewardHead?: string;
  readonly seed: number;
}

function parse(args: readonly string[]): MakeTinyModelArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: { out: { type: 'string' }, 'reward-head': { type: 'string' }, seed: { type: 'string' } },
      allowPositionals: false,
      strict: true,
    }));
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
  if (values.out === undefined) throw new CliUsageError('--out is required');
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new CliUsageError(`--seed must be an integer from 0 to 4294967295, got "${values.seed ?? ''}"`);
  }
  const rewardHead = values['reward-head'];
  return { out: values.out, seed, ...(rewardHead !== undefined ? { rewardHead } : {}) };
}

export const makeTinyModelCommand: CliCommand = {
  name: 'make-tiny-model',
  summary: 'write a tiny random-weight Llama GGUF (and reward head) for trying the engine',
  usage,
  async run(args: readonly string[]): Promise<number> {
    const options = parse(args);
    const weights = createTinyLlamaWeights(options.seed, await loadTinyVocabulary());
    await writeTinyLlamaGguf(options.out, weights);
    process.stdout.write(`model: ${options.out}\n`);
    if (options.rewardHead !== undefined) {
      await writeRewardHead(options.rewardHead, createTinyRewardHead(weights));
      process.stdout.write(`reward head: ${options.rewardHead}\n`);
    }
    return 0;
  },
};
