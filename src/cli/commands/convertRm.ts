import { parseArgs } from 'node:util';
import type { CliCommand } from '../command';
import { CliUsageError } from '../command';
import type { ConvertProgress } from '../../engine/convertRm';
import { convertRewardModel } from '../../engine/convertRm';
import type { OutputType } from '../../engine/convert/tensorPlan';
import { writeHfClassifier } from '../../engine/hfClassifier';

const usage = `Usage: janus convert-rm --checkpoint <dir|file.safetensors> --out <rm.gguf> [--type f16|q8_0] [--tensor <name>]

Converts a Hugging Face reward model such as Janus-RM-7B (OpenRLHF layout: a Mistral/Llama backbone
plus value_head.weight) into one llama.cpp GGUF that \`janus serve --reward-model\` loads: the backbone
as tensors, the value head, mean/std and the 2048-token limit as metadata.

  --checkpoint  the checkpoint directory (config.json, tokenizer files, safetensors shards with or
                without model.safetensors.index.json), or one .safetensors file in such a directory
  --out         the GGUF file to write
  --type        f16 (default) or q8_0 (8-bit blocks, about half the size)
  --tensor      the value head tensor (default: value_head.weight, or <value_head_prefix>.weight)

mean/std are taken from config.json when both are present, unless it says normalize_reward: false.
Progress goes to stderr.

janus convert-rm --to hf-classifier --checkpoint <dir> --out <dir> [--tensor <name>]
  writes a one-label *ForSequenceClassification checkpoint (score.weight = the value head) that
  vLLM serves with its pooling runner; unchanged shards are hard-linked, not copied. It prints the
  vllm serve command.`;

interface ConvertRmArgs {
  readonly checkpoint: string;
  readonly out: string;
  readonly type: OutputType;
  readonly tensor?: string;
  readonly to?: 'hf-classifier';
}

function parse(args: readonly string[]): ConvertRmArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: { checkpoint: { type: 'string' }, out: { type: 'string' }, type: { type: 'string' }, tensor: { type: 'string' }, to: { type: 'string' } },
      allowPositionals: false,
      strict: true,
    }));
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
  if (values.checkpoint === undefined) throw new CliUsageError('--checkpoint is required');
  if (values.out === undefined) throw new CliUsageError('--out is required');
  const type = values.type ?? 'f16';
  if (type !== 'f16' && type !== 'q8_0') throw new CliUsageError(`--type must be f16 or q8_0, got "${type}"`);
  if (values.to !== undefined && values.to !== 'hf-classifier') throw new CliUsageError(`--to must be hf-classifier, got "${values.to}"`);
  return { checkpoint: values.checkpoint, out: values.out, type, ...(values.tensor !== undefined ? { tensor: values.tensor } : {}), ...(values.to !== undefined ? { to: values.to } : {}) };
}

function progressLine(p: ConvertProgress): string {
  const mb = p.sourceBytes / 1e6;
  const rate = p.seconds > 0 ? mb / p.seconds : 0;
  return `tensor ${p.index}/${p.count} ${p.name}: ${mb.toFixed(1)} MB read, ${rate.toFixed(1)} MB/s\n`;
}

export const convertRmCommand: CliCommand = {
  name: 'convert-rm',
  summary: 'convert a Hugging Face reward model (backbone + value head) into one GGUF',
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
    const result = await convertRewardModel({ ...options, onProgress: (p) => process.stderr.write(progressLine(p)) });
    const h = result.hparams;
    process.stdout.write(
      `wrote ${options.out} (${options.type}): ${result.tensorCount} tensors, ${h.layers} layers, hidden ${h.hidden}, ` +
        `${h.heads} heads / ${h.kvHeads} KV heads, vocabulary ${result.vocabulary.tokens.length} from ${result.vocabulary.source}; ` +
        `value head ${result.headTensor.name} (${result.headTensor.dtype}), ${result.normalization}\n`,
    );
    return 0;
  },
};
