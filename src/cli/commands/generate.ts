import path from 'node:path';
import { parseArgs } from 'node:util';
import type { CliCommand } from '../command';
import { CliUsageError } from '../command';
import { readBenchFile } from '../../core/bench/loadBench';
import { defaultSampling, promptFormats } from '../../core/endpoints/profile';
import type { PromptFormat } from '../../core/endpoints/profile';
import { runGenerationJob } from '../../core/jobs/generationJob';
import { progressReporter } from '../../core/jobs/progressReporter';
import { createScheduler } from '../../core/jobs/scheduler';
import { maxCandidates } from '../../core/bestOfN/bestOfN';
import type { EndpointProfile } from '../../core/endpoints/profile';
import type { EndpointFixNames } from '../../core/endpoints/endpointError';
import { cliFixNames, cliRewardFixNames } from '../fixNames';
import { normaliseOrigin } from '../../core/endpoints/secrets';
import { bestOfNSampler } from '../../core/jobs/bestOfNSampler';
import type { ResponseSampler } from '../../core/jobs/generationJob';
import { createRewardScorer } from '../../core/reward/createScorer';
import type { CliEndpoint } from './evaluate';
import { abortOnSigint, cliApiKey, cliProfile, cliTextModel, stderrLogger } from './evaluate';

const usage = `Usage: janus generate --bench <file> --out <responses.json> --endpoint <url> [options]

Generates one response per instance of a Multifaceted Bench file (system message + prompt) and
writes the responses file in the original shape ({ "<id>": { "response": ... } }). Finished
generations go to <out>.checkpoint.jsonl: run the same command again to resume.

  --bench               bench file (JSON list, JSONL or .parquet) or a folder of train-*.parquet shards
  --out                 responses file to write
  --endpoint            generator base URL, e.g. http://127.0.0.1:8080/v1
  --model               model id (default: the first the server lists)
  --format              mistral-instruct (raw /v1/completions with the Janus text; default) or chat
  --concurrency         generations at once (default 4)
  --max-tokens, --temperature, --top-p, --repetition-penalty, --seed
                        sampling (default 1024, 1.0, 0.9, and 1.03 for mistral-instruct)
  --timeout-ms          per call: wait for the reply to start, and longest silence inside it
  --n                   best-of-N: sample N candidates per instance and keep the reward model's best
                        (written with its "reward"); needs --reward
  --reward              reward server URL
  --reward-kind         openrlhf (default), vllm or local (the local engine's value head)
  --reward-model        model for vLLM /pooling

The API key comes from JANUS_API_KEY or OPENAI_API_KEY; the reward server gets JANUS_REWARD_API_KEY,
else the same key only when it has the endpoint's origin.`;

function num(value: string | undefined, name: string, check: (n: number) => boolean, what: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !check(n)) throw new CliUsageError(`--${name} must be ${what}, not "${value}"`);
  return n;
}

const httpRewardKinds = ['openrlhf', 'vllm', 'local'] as const;

function bestOfN(values: Record<string, string | undefined>, n: number, profile: EndpointProfile, fixNames: EndpointFixNames | undefined): ResponseSampler {
  const reward = values['reward'];
  if (reward === undefined || normaliseOrigin(reward) === undefined) throw new CliUsageError('--n needs --reward <url>: the reward server that ranks the candidates');
  const kind = values['reward-kind'] ?? 'openrlhf';
  if (!(httpRewardKinds as readonly string[]).includes(kind)) throw new CliUsageError(`--reward-kind must be ${httpRewardKinds.join(', ')} for bench generation, not "${kind}"`);
  const apiKey = cliApiKey();
  const rewardKey = process.env['JANUS_REWARD_API_KEY'] || (normaliseOrigin(reward) === normaliseOrigin(profile.baseUrl) ? apiKey : undefined);
  const scorer = createRewardScorer({ kind: kind as (typeof httpRewardKinds)[number], baseUrl: reward, model: values['reward-model'], apiKey: rewardKey, fixNames: cliRewardFixNames });
  return bestOfNSampler({ generator: { profile, ...(apiKey ? { apiKey } : {}), logger: stderrLogger, fixNames }, n, scorer });
}

export const generateCommand: CliCommand = {
  name: 'generate',
  summary: 'generate responses for every instance of a Multifaceted Bench file (resumable)',
  usage,
  async run(args: readonly string[]): Promise<number> {
    const names = ['bench', 'out', 'endpoint', 'model', 'format', 'concurrency', 'max-tokens', 'temperature', 'top-p', 'repetition-penalty', 'seed', 'n', 'reward', 'reward-kind', 'reward-model', 'timeout-ms'];
    let values: Record<string, string | undefined>;
    try {
      values = parseArgs({ args: [...args], strict: true, options: Object.fromEntries(names.map((n) => [n, { type: 'string' as const }])) }).values as Record<string, string | undefined>;
    } catch (error) {
      throw new CliUsageError((error as Error).message);
    }
    for (const required of ['bench', 'out', 'endpoint']) if (values[required] === undefined) throw new CliUsageError(`--${required} is required`);
    const format = (values['format'] ?? 'mistral-instruct') as PromptFormat;
    if (!promptFormats.includes(format)) throw new CliUsageError(`--format must be ${promptFormats.join(' or ')}, not "${format}"`);
    const n = num(values['n'], 'n', (x) => Number.isInteger(x) && x >= 1 && x <= maxCandidates, `a whole number from 1 to ${maxCandidates}`) ?? 1;
    const positiveInt = (x: number): boolean => Number.isInteger(x) && x > 0;
    const endpoint: CliEndpoint = {
      role: 'generator',
      baseUrl: values['endpoint'] ?? '',
      model: values['model'],
      format,
      sampling: {
        maxTokens: num(values['max-tokens'], 'max-tokens', positiveInt, 'a positive integer'),
        temperature: num(values['temperature'], 'temperature', (x) => x >= 0 && x <= 2, 'between 0 and 2'),
        topP: num(values['top-p'], 'top-p', (x) => x > 0 && x <= 1, 'in (0, 1]'),
        // The paper's open-model sampling; hosted chat APIs reject the field, so only for the Janus format.
        repetitionPenalty: num(values['repetition-penalty'], 'repetition-penalty', (x) => x > 0, 'positive') ?? (format === 'mistral-instruct' ? defaultSampling.repetitionPenalty : undefined),
        seed: num(values['seed'], 'seed', Number.isInteger, 'an integer'),
      },
      timeoutMs: num(values['timeout-ms'], 'timeout-ms', positiveInt, 'a positive integer'),
      fixNames: cliFixNames({ baseUrl: '--endpoint', model: '--model', format: '--format', sampling: ['--max-tokens', '--temperature', '--top-p', '--repetition-penalty', '--seed'] }),
    };
    const generator = n > 1 || values['reward'] !== undefined ? bestOfN(values, n, cliProfile(endpoint), endpoint.fixNames) : cliTextModel({ ...endpoint, logger: stderrLogger });
    const out = path.resolve(values['out'] ?? '');
    const instances = await readBenchFile(values['bench'] ?? '');
    const scheduler = createScheduler({ concurrency: num(values['concurrency'], 'concurrency', positiveInt, 'a positive integer') ?? 4 });
    const progress = progressReporter(process.stderr, 'generations');
    const sigint = abortOnSigint();
    let result;
    try {
      result = await runGenerationJob({ instances, generator, scheduler, outFile: out, checkpointFile: `${out}.checkpoint.jsonl`, signal: sigint.signal, onProgress: (p) => progress.update(p), logger: stderrLogger });
    } finally {
      progress.finish();
      sigint.dispose();
    }
    const written = Object.keys(result.responses).length;
    process.stdout.write(`wrote ${out}: ${written} of ${instances.length} responses\n`);
    if (result.cancelled) {
      process.stderr.write('cancelled: run the same command again to continue\n');
      return 130;
    }
    if (result.stoppedBy) process.stderr.write(`stopped: ${result.stoppedBy.message}\n`);
    if (written < instances.length) process.stderr.write(`${instances.length - written} instance(s) have no response yet; run the same command again to retry them\n`);
    return written < instances.length ? 1 : 0;
  },
};
