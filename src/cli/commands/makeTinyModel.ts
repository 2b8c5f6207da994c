import { parseArgs } from 'node:util';
import type { CliCommand } from '../command';
import { CliUsageError } from '../command';
import { createTinyLlamaWeights, createTinyRewardModel, loadTinyVocabulary, tinyRewardSeed, writeTinyLlamaGguf, writeTinyRewardGguf } from '../../engine/tinyModel';

const usage = `Usage: janus make-tiny-model --out <file.gguf> [--reward-model <rm.gguf>] [--seed N]

Writes a tiny random-weight Llama GGUF (about 16 MB, Mistral's real 32k vocabulary, read from the
development package mistral-tokenizer-js) that the local engine can serve, for trying the product and
for tests; its text is nonsense. With --reward-model, also writes a SEPARATE tiny reward model (its own
random backbone from its own seed, no LM head, the value head and mean/std in its metadata, laid out
as \`janus convert-rm\` writes one) for \`janus serve --model <file.gguf> --reward-model <rm.gguf>\`.
The same seed always writes the same bytes.

  --out           the generator GGUF file to write
  --reward-model  also write a tiny reward model GGUF
  --seed          a non-negative integer (default 1); the reward model uses a seed derived from it`;

interface MakeTinyModelArgs {
  readonly out: string;
  readonly rewardModel?: string;
  readonly seed: number;
}

function parse(args: readonly string[]): MakeTinyModelArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: { out: { type: 'string' }, 'reward-model': { type: 'string' }, 'reward-head': { type: 'string' }, seed: { type: 'string' } },
      allowPositionals: false,
      strict: true,
    }));
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
  if (values['reward-head'] !== undefined) {
    throw new CliUsageError('--reward-head is gone: a head is never applied to the generator. Use --reward-model <rm.gguf> to write a separate tiny reward model.');
  }
  if (values.out === undefined) throw new CliUsageError('--out is required');
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new CliUsageError(`--seed must be an integer from 0 to 4294967295, got "${values.seed ?? ''}"`);
  }
  const rewardModel = values['reward-model'];
  return { out: values.out, seed, ...(rewardModel !== undefined ? { rewardModel } : {}) };
}

export const makeTinyModelCommand: CliCommand = {
  name: 'make-tiny-model',
  summary: 'write a tiny random-weight Llama GGUF (and a tiny reward model) for trying the engine',
  usage,
  async run(args: readonly string[]): Promise<number> {
    const options = parse(args);
    const vocab = await loadTinyVocabulary();
    await writeTinyLlamaGguf(options.out, createTinyLlamaWeights(options.seed, vocab));
    process.stdout.write(`model: ${options.out}\n`);
    if (options.rewardModel !== undefined) {
      await writeTinyRewardGguf(options.rewardModel, createTinyRewardModel(tinyRewardSeed(options.seed), vocab));
      process.stdout.write(`reward model: ${options.rewardModel}\n`);
    }
    return 0;
  },
};
