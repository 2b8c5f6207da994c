import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import * as z from 'zod';
import type { CliCommand } from '../command';
import { CliUsageError } from '../command';
import { runBestOfN } from '../../core/bestOfN/bestOfN';
import type { BestOfNState } from '../../core/bestOfN/runState';
import { applyBestOfNEvent, candidatesInRankOrder, initialBestOfNState } from '../../core/bestOfN/runState';
import { EndpointClient } from '../../core/endpoints/client';
import { endpointState, probeEndpoint } from '../../core/endpoints/probe';
import type { EndpointProfile } from '../../core/endpoints/profile';
import type { EndpointFixNames } from '../../core/endpoints/endpointError';
import { defaultSampling, endpointProfileSchemaSaving } from '../../core/endpoints/profile';
import { normaliseOrigin } from '../../core/endpoints/secrets';
import { createScheduler } from '../../core/jobs/scheduler';
import type { Rubric } from '../../core/preferences/persona';
import { rubricSchema } from '../../core/preferences/persona';
import { createRewardScorer } from '../../core/reward/createScorer';
import type { RewardScorer, RewardScorerKind } from '../../core/reward/scorer';
import { rewardScorerKinds } from '../../core/reward/scorer';
import { cliFixNames, cliRewardFixNames } from '../fixNames';

const usage = `Usage: janus best-of-n --system <text|@file> --prompt <text|@file> --endpoint <url> [options]

Samples N answers to one prompt under one system message (persona), scores them with a reward
model and prints them best first.

Options:
  --system <text|@file>     the system message (@path reads a file; default: none)
  --prompt <text|@file>     the user's prompt (required)
  --n <count>               candidates (default 4)
  --endpoint <url>          the generator's OpenAI-compatible base URL, e.g. http://127.0.0.1:8011/v1 (required)
  --model <id>              generator model (default: the first the server lists)
  --format <format>         mistral-instruct (raw completions, exact Janus text; default) or chat
  --max-tokens <n>          default ${defaultSampling.maxTokens}
  --temperature <t>         default ${defaultSampling.temperature}
  --top-p <p>               default ${defaultSampling.topP}
  --seed <n>                candidate i samples with seed + i
  --reward <url>            the reward server (the judge's base URL with --reward-kind judge);
                            none: candidates are printed unranked
  --reward-kind <kind>      openrlhf (default), vllm, local or judge (rubric grades, not a reward model)
  --reward-model <id>       model for vLLM /pooling or the judge
  --rubrics <@file>         judge rubrics: a persona file, a bench instance or a JSON list of rubrics
  --early-stop <margin>     stop sampling once the leader leads every other scored candidate by this much
  --concurrency <n>         generation requests at once (default: n)
  --json                    print [{rank, reward, text, index, status, finishReason, tokens}], best first

Keys: JANUS_API_KEY (or OPENAI_API_KEY) is sent to --endpoint; JANUS_REWARD_API_KEY to --reward,
else the endpoint's key only when --reward has the same origin.`;

const options = {
  system: { type: 'string' },
  prompt: { type: 'string' },
  n: { type: 'string' },
  endpoint: { type: 'string' },
  model: { type: 'string' },
  format: { type: 'string' },
  'max-tokens': { type: 'string' },
  temperature: { type: 'string' },
  'top-p': { type: 'string' },
  seed: { type: 'string' },
  reward: { type: 'string' },
  'reward-kind': { type: 'string' },
  'reward-model': { type: 'string' },
  rubrics: { type: 'string' },
  'early-stop': { type: 'string' },
  concurrency: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof options; strict: true }>>['values'];

function parse(args: readonly string[]): Values {
  try {
    return parseArgs({ args: [...args], options, strict: true }).values;
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
}

function numberOption(value: string | undefined, name: string, check: (n: number) => boolean, rule: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !check(n)) throw new CliUsageError(`--${name} must be ${rule}, got "${value}"`);
  return n;
}

/** `@path` reads the file (one trailing newline dropped, as editors add it); anything else is the text. */
async function textOption(value: string | undefined, name: string): Promise<string | undefined> {
  if (value === undefined || !value.startsWith('@')) return value;
  try {
    return (await readFile(value.slice(1), 'utf8')).replace(/\r?\n$/, '');
  } catch (error) {
    throw new Error(`cannot read --${name} file ${value.slice(1)} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

const rubricList = z.array(rubricSchema).min(1);
/** A bare list, a persona file (`rubrics`) or a bench instance (`rubrics`, or `rubric` in older files). */
const rubricsFile = z.union([rubricList, z.looseObject({ rubrics: rubricList }).transform((o) => o.rubrics), z.looseObject({ rubric: rubricList }).transform((o) => o.rubric)]);

async function readRubrics(value: string | undefined): Promise<Rubric[] | undefined> {
  const text = await textOption(value, 'rubrics');
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('--rubrics must be JSON: a list of rubrics, a persona file or a bench instance');
  }
  const parsed = rubricsFile.safeParse(json);
  if (!parsed.success) throw new Error(`--rubrics holds no valid rubrics (${parsed.error.issues[0]?.message ?? 'wrong shape'}); each needs "criteria" and "score_descriptions" 1-5`);
  return parsed.data;
}

/** What messages tell the user to fix: the generator's flags, or the reward flags for the judge fallback. */
const generatorNames = cliFixNames({ baseUrl: '--endpoint', model: '--model', format: '--format', sampling: ['--max-tokens', '--temperature', '--top-p', '--seed'] });
const judgeNames: EndpointFixNames = { ...cliFixNames({ baseUrl: '--reward', model: '--reward-model', sampling: ['--max-tokens', '--temperature', '--top-p'] }), saveKey: cliRewardFixNames.saveKey };

function profileFrom(values: Values, role: 'generator' | 'judge', baseUrl: string, model: string | undefined): EndpointProfile {
  const parsed = endpointProfileSchemaSaving((role === 'judge' ? judgeNames : generatorNames).saveKey).safeParse({
    role,
    baseUrl,
    model: model ?? '',
    format: role === 'judge' ? 'chat' : (values.format ?? 'mistral-instruct'),
    sampling: {
      maxTokens: numberOption(values['max-tokens'], 'max-tokens', (n) => Number.isInteger(n) && n >= 1, 'a whole number of at least 1'),
      temperature: numberOption(values.temperature, 'temperature', (n) => n >= 0 && n <= 2, 'a number from 0 to 2'),
      topP: numberOption(values['top-p'], 'top-p', (n) => n > 0 && n <= 1, 'a number above 0 and at most 1'),
      ...(role === 'generator' ? { repetitionPenalty: defaultSampling.repetitionPenalty } : {}),
      ...(role === 'generator' && values.seed !== undefined ? { seed: numberOption(values.seed, 'seed', Number.isInteger, 'a whole number') } : {}),
    },
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const flag = issue?.path[0] === 'baseUrl' ? (role === 'judge' ? '--reward' : '--endpoint') : `--${String(issue?.path.at(-1) ?? 'format')}`;
    throw new CliUsageError(`${flag}: ${issue?.message ?? 'invalid value'}`);
  }
  return parsed.data;
}

function rewardKey(endpoint: string, reward: string, endpointKey: string | undefined): string | undefined {
  const own = process.env['JANUS_REWARD_API_KEY'];
  if (own) return own;
  return normaliseOrigin(endpoint) === normaliseOrigin(reward) ? endpointKey : undefined;
}

async function scorerFrom(values: Values, endpointKey: string | undefined): Promise<RewardScorer | undefined> {
  const kindValue = values['reward-kind'] ?? 'openrlhf';
  if (!(rewardScorerKinds as readonly string[]).includes(kindValue)) throw new CliUsageError(`--reward-kind must be one of ${rewardScorerKinds.join(', ')}, got "${kindValue}"`);
  const kind = kindValue as RewardScorerKind;
  if (values.reward === undefined) {
    if (values['reward-kind'] !== undefined) throw new CliUsageError(`--reward-kind ${kind} needs --reward <url>`);
    return undefined;
  }
  const apiKey = rewardKey(values.endpoint ?? '', values.reward, endpointKey);
  if (kind === 'judge') {
    const profile = profileFrom(values, 'judge', values.reward, values['reward-model']);
    return createRewardScorer({
      kind,
      client: new EndpointClient(profile, { apiKey, fixNames: judgeNames }),
      scheduler: createScheduler({ concurrency: 8 }),
      rubrics: await readRubrics(values.rubrics),
      modelFixName: judgeNames.model,
    });
  }
  if (normaliseOrigin(values.reward) === undefined) throw new CliUsageError(`--reward must be an http(s) URL, got "${values.reward}"`);
  return createRewardScorer({ kind, baseUrl: values.reward, model: values['reward-model'], apiKey, fixNames: cliRewardFixNames });
}

function printText(state: BestOfNState): void {
  const lines: string[] = [];
  const ranked = new Set(state.order);
  for (const c of candidatesInRankOrder(state)) {
    if (c.status === 'failed') continue;
    const rank = ranked.has(c.index) ? `#${state.order.indexOf(c.index) + 1}` : c.status === 'stopped' ? 'stopped early' : 'unranked';
    const reward = c.reward === undefined ? 'no reward' : `reward ${c.reward.toFixed(4)}`;
    const facts = [`candidate ${c.index + 1}`, ...(c.tokens === undefined ? [] : [`${c.tokensEstimated ? '~' : ''}${c.tokens} tokens`]), ...(c.finishReason ? [c.finishReason] : [])];
    lines.push(`${rank}  ${reward}  (${facts.join(', ')})`, c.text, '');
  }
  process.stdout.write(lines.join('\n'));
}

function printJson(state: BestOfNState): void {
  const ranked = new Set(state.order);
  const rows = candidatesInRankOrder(state)
    .filter((c) => c.status !== 'failed')
    .map((c) => ({
      rank: ranked.has(c.index) ? state.order.indexOf(c.index) + 1 : null,
      reward: c.reward ?? null,
      text: c.text,
      index: c.index,
      status: c.status,
      finishReason: c.finishReason,
      tokens: c.tokens ?? null,
      tokensEstimated: c.tokensEstimated,
    }));
  process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
}

export const bestOfNCommand: CliCommand = {
  name: 'best-of-n',
  summary: 'sample N answers, rank them by a reward model, print them best first',
  usage,
  async run(args) {
    const values = parse(args);
    const prompt = await textOption(values.prompt, 'prompt');
    if (prompt === undefined) throw new CliUsageError('--prompt <text|@file> is required');
    if (values.endpoint === undefined) throw new CliUsageError('--endpoint <url> is required');
    const system = (await textOption(values.system, 'system')) ?? '';
    const n = numberOption(values.n, 'n', (v) => Number.isInteger(v) && v >= 1 && v <= 64, 'a whole number from 1 to 64') ?? 4;
    const concurrency = numberOption(values.concurrency, 'concurrency', (v) => Number.isInteger(v) && v >= 1, 'a whole number of at least 1') ?? n;
    const margin = numberOption(values['early-stop'], 'early-stop', (v) => v >= 0, 'a number of at least 0');
    const profile = profileFrom(values, 'generator', values.endpoint, values.model);
    const apiKey = process.env['JANUS_API_KEY'] || process.env['OPENAI_API_KEY'] || undefined;
    const scorer = await scorerFrom(values, apiKey);

    const controller = new AbortController();
    const onSigint = (): void => controller.abort();
    process.once('SIGINT', onSigint);
    try {
      const probe = await probeEndpoint(profile, { apiKey, testN: n > 1, signal: controller.signal, timeoutMs: 10_000 });
      const state0 = endpointState(probe, apiKey !== undefined);
      if (state0 === 'unreachable') throw new Error(`${probe.origin} could not be reached. Start the server (or \`janus serve\`) or fix --endpoint.`);
      if (state0 === 'noKey') throw new Error(`${probe.origin} needs an API key: set JANUS_API_KEY.`);
      if (state0 === 'modelMissing') throw new Error(`${probe.origin} does not serve "${profile.model}" (it lists ${probe.models.ids.join(', ')}). Fix --model.`);
      let state = initialBestOfNState();
      const events = runBestOfN({
        generator: { profile, apiKey, fixNames: generatorNames },
        input: { system, prompt },
        n,
        scheduler: createScheduler({ concurrency }),
        scorer,
        capabilities: { parallelN: probe.parallelN, slots: probe.slots },
        earlyStop: margin === undefined ? undefined : { margin },
        signal: controller.signal,
      });
      for await (const event of events) state = applyBestOfNEvent(state, event);
      if (state.cancelled) throw new Error('cancelled.');
      for (const c of state.candidates) if (c.error) process.stderr.write(`janus best-of-n: candidate ${c.index + 1} failed: ${c.error}\n`);
      if (values.json) printJson(state);
      else printText(state);
      if (!scorer) process.stderr.write('janus best-of-n: no --reward given, so the candidates are not scored or ranked.\n');
      if (state.scoreError) {
        process.stderr.write(`janus best-of-n: ${state.scoreError} The candidates above are unscored.\n`);
        return 1;
      }
      return state.candidates.some((c) => c.status === 'done') ? 0 : 1;
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
};
