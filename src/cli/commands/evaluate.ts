import { readFile } from 'node:fs/promises';
import type { Interval } from '../../core/stats/bootstrap';
import type { IntervalsJson } from '../../core/stats/evaluationStats';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { CliCommand } from '../command';
import { CliUsageError } from '../command';
import { readBenchFile } from '../../core/bench/loadBench';
import { readResponsesFile } from '../../core/bench/resultFiles';
import { EndpointClient } from '../../core/endpoints/client';
import { endpointProfileSchema, endpointProfileSchemaSaving } from '../../core/endpoints/profile';
import type { EndpointProfile, PromptFormat } from '../../core/endpoints/profile';
import type { EndpointFixNames } from '../../core/endpoints/endpointError';
import { cliFixNames, flagForProfilePath } from '../fixNames';
import type { EvaluationSummary } from '../../core/judge/aggregate';
import { openCallCache } from '../../core/jobs/callCache';
import { runEvaluationJob } from '../../core/jobs/evaluationJob';
import type { JobPrices } from '../../core/jobs/progress';
import { progressReporter } from '../../core/jobs/progressReporter';
import { createScheduler } from '../../core/jobs/scheduler';
import type { TextModel } from '../../core/jobs/textModel';
import { endpointTextModel } from '../../core/jobs/textModel';
import type { Logger } from '../../core/log';
import type { BenchInstance } from '../../core/bench/benchSchema';
import { defaultJudgeSystemPrompt, parseJudgeTemplate } from '../../core/prompts/judgePrompt';
import { runCliBatch } from './evaluateBatch';

const usage = `Usage: janus evaluate --bench <file> --responses <responses.json> --out <evaluation.json> --judge <url> [options]

Judges every (instance, rubric item) of a Multifaceted Bench file with an OpenAI-compatible chat
endpoint and writes the evaluation file in the original shape, plus <out stem>.summary.json.
Finished calls go to <out>.checkpoint.jsonl: run the same command again to resume after a crash or
Ctrl+C without repeating them. Replies are cached in <out dir>/.janus/cache/judge.jsonl. One run
at a time may write <out>: <out>.lock names the one that does.

  --bench           bench file (JSON list, JSONL or .parquet) or a folder of train-*.parquet shards
  --responses       responses file ({ "<id>": { "response": ... } })
  --out             evaluation file to write (with --runs > 1: <stem>.run1.json, ...)
  --judge           judge base URL, e.g. https://api.openai.com/v1
  --judge-model     judge model id (default: the first the server lists)
  --runs            judge runs over the bench, averaged (default 1; the paper used 3)
  --concurrency     judge calls at once (default 16)
  --rpm, --tpm      requests / tokens a minute (default unlimited)
  --max-attempts    calls per item when replies carry no score (default 5)
  --max-tokens, --temperature, --top-p   judge sampling (default 1024, 1.0, 0.9)
  --template        user-prompt template file ({instruction} {response} {reference_answer} {score_rubric})
  --system-prompt   judge system prompt file
  --price-prompt, --price-completion     prices per million tokens, for the cost estimate
  --timeout-ms      per call: wait for the reply (judge calls are not streamed, so 100 ms per
                    --max-tokens token is added) and longest silence inside it (default 60000 / 30000)
  --max-reply-chars longest judge reply accepted (default 262144); a longer one fails that item only
  --no-cache        neither read nor write the reply cache
  --batch           judge through the OpenAI Batch API instead (needs --judge-model): uploads the
                    requests, creates the batch, polls it (state in <out>.batch.json: the same
                    command resumes the same batch) and writes the same files
  --poll-ms         with --batch: milliseconds between looks at the batch (default 30000, growing while idle)
  --cancel-batch    cancel the pending batch of <out>; the same command with --batch then collects what finished

The API key comes from JANUS_API_KEY or OPENAI_API_KEY. Exit code 1 if any item ended unscored or
was not judged; the count is printed.`;

function positive(value: string | undefined, name: string, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new CliUsageError(`--${name} must be a positive ${integer ? 'integer' : 'number'}, not "${value}"`);
  return n;
}

export interface CliEndpoint {
  readonly role: 'generator' | 'judge';
  readonly baseUrl: string;
  readonly model: string | undefined;
  readonly format: PromptFormat;
  readonly sampling: Record<string, number | undefined>;
  /** Both the wait for the reply's headers and the longest silence inside a streamed reply. */
  readonly timeoutMs?: number | undefined;
  /** Longest reply text accepted, in characters (default 262144). */
  readonly maxReplyChars?: number | undefined;
  /** The command's flags, named by error messages instead of the editor's settings. */
  readonly fixNames?: EndpointFixNames | undefined;
}

/** An endpoint profile from command-line values; a bad value is a usage error. */
export function cliProfile(options: CliEndpoint): EndpointProfile {
  const sampling = Object.fromEntries(Object.entries(options.sampling).filter(([, v]) => v !== undefined));
  const timeouts = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs, stallTimeoutMs: options.timeoutMs };
  const schema = options.fixNames ? endpointProfileSchemaSaving(options.fixNames.saveKey) : endpointProfileSchema;
  const limit = options.maxReplyChars === undefined ? {} : { maxReplyChars: options.maxReplyChars };
  const parsed = schema.safeParse({ role: options.role, baseUrl: options.baseUrl, model: options.model ?? '', format: options.format, sampling, ...timeouts, ...limit });
  if (!parsed.success) {
    const { fixNames } = options;
    const where = (path: readonly PropertyKey[]): string => (fixNames ? flagForProfilePath(path, fixNames) : path.join('.'));
    throw new CliUsageError(`bad endpoint settings: ${parsed.error.issues.map((i) => `${where(i.path)}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

/** The key for the endpoints given on the command line. */
export function cliApiKey(): string | undefined {
  return process.env['JANUS_API_KEY'] || process.env['OPENAI_API_KEY'] || undefined;
}

/** A judge or generator model over an endpoint, for the CLI (key from the environment). */
export function cliTextModel(options: CliEndpoint & { readonly logger: Logger }): TextModel {
  const apiKey = cliApiKey();
  return endpointTextModel(new EndpointClient(cliProfile(options), { logger: options.logger, fixNames: options.fixNames, ...(apiKey ? { apiKey } : {}) }));
}

/** Warnings and errors to stderr; the rest only with JANUS_DEBUG. */
export const stderrLogger: Logger = {
  trace: () => undefined,
  debug: (m) => void (process.env['JANUS_DEBUG'] ? process.stderr.write(`${m}\n`) : undefined),
  info: (m) => void process.stderr.write(`${m}\n`),
  warn: (m) => void process.stderr.write(`warning: ${m}\n`),
  error: (m) => void process.stderr.write(`error: ${m}\n`),
};

/** Aborts on the first Ctrl+C (the job keeps what it finished); a second one exits at once. */
export function abortOnSigint(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\nstopping: finished calls are kept; run the same command again to continue (Ctrl+C again to quit now)\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}

function fmt(value: number | null): string {
  return value === null ? '-' : value.toFixed(3);
}

/** The summary as the CLI prints it: each mean with its 95% interval over instances when known. */
export function formatSummary(summary: EvaluationSummary, intervals?: IntervalsJson): string {
  const ci = (interval: Interval | null | undefined): string => (interval ? ` [${interval.low.toFixed(3)}, ${interval.high.toFixed(3)}]` : '');
  const spread = intervals?.betweenRuns && intervals.betweenRuns.runs > 1 ? `; between runs sd ${intervals.betweenRuns.sd.toFixed(3)}` : '';
  const lines = [`overall ${fmt(summary.overall)}${ci(intervals?.overall)} (${summary.runs.map((r) => `run ${r.run + 1}: ${fmt(r.mean)} over ${r.instances}`).join(', ')}${spread})`];
  if (intervals) lines.push(`  [95% bootstrap intervals over instances, ${intervals.resamples} resamples]`);
  lines.push('by dimension:');
  for (const [dimension, value] of Object.entries(summary.byDimension)) lines.push(`  ${dimension.padEnd(22)} ${fmt(value)}${ci(intervals?.byDimension[dimension])}`);
  const sources = Object.entries(summary.bySource).sort(([a], [b]) => a.localeCompare(b));
  lines.push(`by source (${sources.length}):`);
  for (const [source, s] of sources.slice(0, 30)) lines.push(`  ${source.padEnd(22)} ${fmt(s.mean)}${ci(intervals?.bySource[source])}  (${s.instances})`);
  if (sources.length > 30) lines.push(`  ... ${sources.length - 30} more in the summary file`);
  lines.push(`items: ${summary.items} · scored ${summary.scored} · unscored ${summary.unscored} · not judged ${summary.missing}`);
  return lines.join('\n');
}

/**
 * Which instances have no response (the first few and the count) and what to do: running the same
 * command again cannot help them. `items`: their rubric items over all runs.
 */
export function missingResponsesText(ids: readonly string[], items: number, responsesFile: string): string {
  const shown = ids.slice(0, 5).map((id) => JSON.stringify(id)).join(', ');
  const more = ids.length > 5 ? ` and ${ids.length - 5} more` : '';
  return `${ids.length} instance(s) have no response in ${responsesFile}: ${shown}${more}. Their ${items} rubric item(s) cannot be judged: generate the missing responses (janus generate with the same --out fills them in) or fix the ids, then evaluate again.`;
}

/** Rubric items (over `runs`) of the instances in `ids`. */
export function itemsOf(instances: readonly BenchInstance[], ids: readonly string[], runs: number): number {
  const missing = new Set(ids);
  return instances.reduce((n, i) => n + (missing.has(i.id) ? i.rubrics.length * runs : 0), 0);
}

export const evaluateCommand: CliCommand = {
  name: 'evaluate',
  summary: 'judge a responses file on a Multifaceted Bench file (resumable)',
  usage,
  async run(args: readonly string[]): Promise<number> {
    const names = ['bench', 'responses', 'out', 'judge', 'judge-model', 'runs', 'concurrency', 'rpm', 'tpm', 'max-attempts', 'max-tokens', 'temperature', 'top-p', 'template', 'system-prompt', 'price-prompt', 'price-completion', 'timeout-ms', 'poll-ms', 'max-reply-chars'];
    let values: Record<string, string | boolean | undefined>;
    try {
      const options: Record<string, { type: 'string' | 'boolean' }> = Object.fromEntries(names.map((n) => [n, { type: 'string' as const }]));
      options['no-cache'] = { type: 'boolean' };
      options['batch'] = { type: 'boolean' };
      options['cancel-batch'] = { type: 'boolean' };
      values = parseArgs({ args: [...args], strict: true, options }).values as Record<string, string | boolean | undefined>;
    } catch (error) {
      throw new CliUsageError((error as Error).message);
    }
    const text = (name: string): string | undefined => {
      const v = values[name];
      return typeof v === 'string' ? v : undefined;
    };
    for (const required of ['bench', 'responses', 'out', 'judge']) if (text(required) === undefined) throw new CliUsageError(`--${required} is required`);
    const out = path.resolve(text('out') ?? '');
    const runs = positive(text('runs'), 'runs', true) ?? 1;
    const pricePrompt = positive(text('price-prompt'), 'price-prompt', false);
    const priceCompletion = positive(text('price-completion'), 'price-completion', false);
    const prices: JobPrices | undefined = pricePrompt !== undefined || priceCompletion !== undefined ? { promptPerMillion: pricePrompt ?? 0, completionPerMillion: priceCompletion ?? 0 } : undefined;
    const endpoint: CliEndpoint = {
      role: 'judge',
      baseUrl: text('judge') ?? '',
      model: text('judge-model'),
      format: 'chat',
      sampling: { maxTokens: positive(text('max-tokens'), 'max-tokens', true), temperature: text('temperature') === undefined ? undefined : Number(text('temperature')), topP: positive(text('top-p'), 'top-p', false) },
      timeoutMs: positive(text('timeout-ms'), 'timeout-ms', true),
      maxReplyChars: positive(text('max-reply-chars'), 'max-reply-chars', true),
      fixNames: cliFixNames({ baseUrl: '--judge', model: '--judge-model', sampling: ['--max-tokens', '--temperature', '--top-p'] }),
    };
    const judge = cliTextModel({ ...endpoint, logger: stderrLogger });
    const templateFile = text('template');
    const template = templateFile === undefined ? undefined : parseJudgeTemplate(await readFile(templateFile, 'utf8'), templateFile);
    const systemFile = text('system-prompt');
    const systemPrompt = systemFile === undefined ? defaultJudgeSystemPrompt : (await readFile(systemFile, 'utf8')).trim();

    const instances = await readBenchFile(text('bench') ?? '');
    const responses = await readResponsesFile(text('responses') ?? '');
    const cacheFile = path.join(path.dirname(out), '.janus', 'cache', 'judge.jsonl');
    if (values['batch'] === true || values['cancel-batch'] === true) {
      const cache = values['no-cache'] === true ? undefined : await openCallCache(cacheFile);
      return runCliBatch({ endpoint, identity: judge.identity, instances, responses, responsesFile: text('responses') ?? '', runs, out, template, systemPrompt, cache, pollMs: positive(text('poll-ms'), 'poll-ms', true), cancel: values['cancel-batch'] === true });
    }
    const scheduler = createScheduler({ concurrency: positive(text('concurrency'), 'concurrency', true) ?? 16, requestsPerMinute: positive(text('rpm'), 'rpm', false), tokensPerMinute: positive(text('tpm'), 'tpm', false) });
    const cache = values['no-cache'] === true ? undefined : await openCallCache(cacheFile);
    const progress = progressReporter(process.stderr, 'judge calls');
    const sigint = abortOnSigint();
    let result;
    try {
      result = await runEvaluationJob({
        instances, responses, judge, scheduler, runs, outFile: out, checkpointFile: `${out}.checkpoint.jsonl`, cache, template, systemPrompt,
        maxAttempts: positive(text('max-attempts'), 'max-attempts', true), signal: sigint.signal, onProgress: (p) => progress.update(p), prices, logger: stderrLogger,
      });
    } finally {
      progress.finish();
      sigint.dispose();
      await cache?.close();
    }
    const withoutResponse = itemsOf(instances, result.missingResponses, runs);
    if (result.missingResponses.length > 0) process.stderr.write(`error: ${missingResponsesText(result.missingResponses, withoutResponse, text('responses') ?? '')}\n`);
    process.stdout.write(`${formatSummary(result.summary, result.intervals)}\nwrote ${[...result.files.evaluations, result.files.summary].join(', ')}\n`);
    if (result.cancelled) {
      process.stderr.write('cancelled: run the same command again to continue\n');
      return 130;
    }
    if (result.stoppedBy) process.stderr.write(`stopped: ${result.stoppedBy.message}\n`);
    const { unscored, missing } = result.summary;
    if (unscored > 0) process.stderr.write(`${unscored} rubric item(s) ended unscored (the judge's replies had no score); their replies are kept as feedback with score null\n`);
    const failed = missing - withoutResponse;
    if (failed > 0) process.stderr.write(`${failed} rubric item(s) were not judged (their calls failed); run the same command again to retry them\n`);
    return unscored > 0 || missing > 0 || result.stoppedBy ? 1 : 0;
  },
};
