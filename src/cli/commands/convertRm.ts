import { parseArgs } from 'node:util';
import type { CliCommand } from '../command';
import { CliUsageError } from '../command';
import { convertRewardModel } from '../../engine/convertRm';
import { writeHfClassifier } from '../../engine/hfClassifier';

const usage = `Usage: janus convert-rm --checkpoint <dir|file.safetensors> --out <head.json> [--tensor <name>]

Writes the reward head file the local engine reads (\`janus serve --reward-head\`) from a Hugging Face
reward-model checkpoint such as Janus-RM-7B (OpenRLHF layout).

  --checkpoint  a .safetensors file, or a directory with model.safetensors.index.json or .safetensors shards
  --out         the reward head file to write (JSON)
  --tensor      the value head tensor (default: value_head.weight, or <value_head_prefix>.weight from config.json)

mean/std are taken from config.json beside the checkpoint when both are present, unless it says
normalize_reward: false.

janus convert-rm --to hf-classifier --checkpoint <dir> --out <dir> [--tensor <name>]
  writes a one-label *ForSequenceClassification checkpoint (score.weight = the value head) that
  vLLM serves with its pooling runner; unchanged shards are hard-linked, not copied. It prints the
  vllm serve command.`;

function parse(args: readonly string[]): { checkpoint: string; out: string; tensor?: string; to?: string } {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: { checkpoint: { type: 'string' }, out: { type: 'string' }, tensor: { type: 'string' }, to: { type: 'string' } },
      allowPositionals: false,
      strict: true,
    }));
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
  if (values.checkpoint === undefined) throw new CliUsageError('--checkpoint is required');
  if (values.out === undefined) throw new CliUsageError('--out is required');
  if (values.to !== undefined && values.to !== 'hf-classifier') throw new CliUsageError(`--to must be hf-classifier, got "${values.to}"`);
  return { checkpoint: values.checkpoint, out: values.out, ...(values.tensor !== undefined ? { tensor: values.tensor } : {}), ...(values.to !== undefined ? { to: values.to } : {}) };
}

export const convertRmCommand: CliCommand = {
  name: 'convert-rm',
  summary: 'write a reward head file from a safetensors reward-model checkpoint',
  usage,
  async run(args: readonly string[]): Promise<number> {
    const options = parse(args);
    if (options.to === 'hf-classifier') {
      const written = await writeHfClassifier(options);
      process.stdout.write(
        `wrote ${options.out}: ${written.architecture}, num_labels 1, score.weight = ${written.head} (left out: ${written.dropped.join(', ')}); ` +
          `${written.reused.length} shard(s) reused, ${written.rewritten.length} rewritten\nserve it with: ${written.serveCommand}\n`,
      );
      return 0;
    }
    const result = await convertRewardModel(options);
    process.stdout.write(
      `wrote ${options.out}: ${result.tensor.name} (${result.tensor.dtype}, hidden ${result.head.hiddenSize}), ${result.normalization}\n`,
    );
    return 0;
  },
};
