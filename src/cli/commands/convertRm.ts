import { parseArgs } from 'node:util';
import type { CliCommand } from '../command';
import { CliUsageError } from '../command';
import { convertRewardModel } from '../../engine/convertRm';

const usage = `Usage: janus convert-rm --checkpoint <dir|file.safetensors> --out <head.json> [--tensor <name>]

Writes the reward head file the local engine reads (\`janus serve --reward-head\`) from a Hugging Face
reward-model checkpoint such as Janus-RM-7B (OpenRLHF layout).

  --checkpoint  a .safetensors file, or a directory with model.safetensors.index.json or .safetensors shards
  --out         the reward head file to write (JSON)
  --tensor      the value head tensor (default: value_head.weight, or <value_head_prefix>.weight from config.json)

mean/std are taken from config.json beside the checkpoint when both are present, unless it says
normalize_reward: false.`;

function parse(args: readonly string[]): { checkpoint: string; out: string; tensor?: string } {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: { checkpoint: { type: 'string' }, out: { type: 'string' }, tensor: { type: 'string' } },
      allowPositionals: false,
      strict: true,
    }));
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
  if (values.checkpoint === undefined) throw new CliUsageError('--checkpoint is required');
  if (values.out === undefined) throw new CliUsageError('--out is required');
  return { checkpoint: values.checkpoint, out: values.out, ...(values.tensor !== undefined ? { tensor: values.tensor } : {}) };
}

export const convertRmCommand: CliCommand = {
  name: 'convert-rm',
  summary: 'write a reward head file from a safetensors reward-model checkpoint',
  usage,
  async run(args: readonly string[]): Promise<number> {
    const options = parse(args);
    const result = await convertRewardModel(options);
    process.stdout.write(
      `wrote ${options.out}: ${result.tensor.name} (${result.tensor.dtype}, hidden ${result.head.hiddenSize}), ${result.normalization}\n`,
    );
    return 0;
  },
};
