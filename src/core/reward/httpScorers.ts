/**
 * Reward servers over HTTP: OpenRLHF's `/get_reward`, vLLM's `/classify` (the reward model served
 * as a one-label sequence classifier, `janus convert-rm --to hf-classifier`), and the local engine
 * (which serves `/get_reward` with the same contract). vLLM applies a sigmoid to a one-label
 * classifier's output unless asked not to: the request says `use_activation: false`, so the score
 * is the value head's raw output. All N texts go in one request; the reply is
 * parsed with zod and must hold exactly one finite number per text, or nothing is used.
 */
// A namespace import lets esbuild drop zod's unused parts (about 370 KB of locales) from the bundle.
import * as z from 'zod';
import type { EndpointErrorContext, EndpointFixNames } from '../endpoints/endpointError';
import { EndpointError, httpError, retryDecisionFor, serverDetail, settingFixNames, timeoutError, unreachableError } from '../endpoints/endpointError';
import { serverRoot } from '../endpoints/probe';
import { displayOrigin } from '../endpoints/profile';
import type { RetryGate, RetryPolicy } from '../jobs/retry';
import { defaultRetryPolicy, parseRetryAfter, withRetry } from '../jobs/retry';
import type { RequestScheduler } from '../jobs/scheduler';
import type { RewardItem } from './rewardText';
import { openRlhfRewardText, poolingRewardText } from './rewardText';
import type { RewardScorer } from './scorer';
import { RewardError } from './scorer';

export interface HttpScorerOptions {
  /** The reward server; a trailing `/v1` is dropped (`/get_reward` and `/pooling` live at the root). */
  readonly baseUrl: string;
  /** Sent as `model` to vLLM; empty or absent: the server's only model. */
  readonly model?: string | undefined;
  readonly apiKey?: string | undefined;
  /** Per attempt, until the whole reply has arrived. Default 60 s. */
  readonly timeoutMs?: number | undefined;
  readonly retryPolicy?: RetryPolicy | undefined;
  /** When given, each request waits for a slot of this scheduler, and its 429s pause it. */
  readonly scheduler?: RequestScheduler | undefined;
  readonly fetch?: typeof fetch | undefined;
  /** What messages tell the user to fix (the CLI's flags); default: the editor's settings. */
  readonly fixNames?: RewardFixNames | undefined;
}

/** The endpoint's names plus the one that picks the kind of reward server. */
export interface RewardFixNames extends EndpointFixNames {
  /** E.g. `--reward-kind`; the editor's messages say "the reward kind". */
  readonly kind: string;
}

const settingNames: RewardFixNames = { ...settingFixNames('reward'), kind: 'the reward kind' };

const defaultTimeoutMs = 60_000;

type Kind = 'openrlhf' | 'vllm' | 'local';

const kindNames: Record<Kind, string> = { openrlhf: 'OpenRLHF reward server', vllm: 'vLLM classifier', local: 'local engine' };

const openRlhfReply = z.looseObject({ rewards: z.array(z.unknown()) });
/** vLLM's `/classify`: `{data: [{index, label, probs: [one value per label], num_classes}]}`. */
const classifyReply = z.looseObject({
  data: z.array(z.looseObject({ index: z.number().int().nonnegative().optional(), probs: z.unknown() })),
});

class HttpRewardScorer implements RewardScorer {
  readonly isRewardModel = true;
  readonly description: string;
  private readonly origin: string;
  private readonly ctx: EndpointErrorContext;
  private readonly names: RewardFixNames;

  constructor(
    readonly kind: Kind,
    private readonly options: HttpScorerOptions,
  ) {
    this.origin = displayOrigin(options.baseUrl);
    this.description = `${this.origin} (${kindNames[kind]})`;
    const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
    this.names = options.fixNames ?? settingNames;
    this.ctx = { role: 'reward', baseUrl: options.baseUrl, model: options.model ?? '', timeoutMs, stallTimeoutMs: timeoutMs, fixNames: this.names };
  }

  private get path(): string {
    return this.kind === 'vllm' ? '/classify' : '/get_reward';
  }

  async score(items: readonly RewardItem[], signal: AbortSignal, callerGate?: RetryGate): Promise<number[]> {
    if (items.length === 0) return [];
    const body =
      this.kind === 'vllm'
        ? { ...(this.options.model ? { model: this.options.model } : {}), input: items.map(poolingRewardText), use_activation: false }
        : { query: items.map(openRlhfRewardText) };
    // A 429 pauses the scheduler the request went through (its own), else the caller's.
    const send = (taskSignal: AbortSignal, gate: RetryGate | undefined): Promise<unknown> =>
      withRetry(() => this.post(body, taskSignal), { classify: retryDecisionFor, policy: this.options.retryPolicy ?? defaultRetryPolicy, signal: taskSignal, gate });
    let reply: unknown;
    try {
      reply = this.options.scheduler ? await this.options.scheduler.run(send, { signal }) : await send(signal, callerGate);
    } catch (error) {
      if (signal.aborted) throw new RewardError('cancelled', 'Reward scoring was cancelled.', { cause: error });
      if (error instanceof RewardError) throw error;
      const message = error instanceof EndpointError ? error.message : String(error);
      throw new RewardError('request', `Reward scoring failed: ${message}`, { cause: error });
    }
    return this.kind === 'vllm' ? this.readClassify(reply, items.length) : this.readRewards(reply, items.length);
  }

  /** One attempt: the parsed JSON body of a 2xx reply, or an `EndpointError` (retryable or not). */
  private async post(body: unknown, signal: AbortSignal): Promise<unknown> {
    const timeout = AbortSignal.timeout(this.ctx.timeoutMs);
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.options.apiKey) headers['authorization'] = `Bearer ${this.options.apiKey}`;
    let status: number;
    let text: string;
    let retryAfter: number | undefined;
    try {
      const response = await (this.options.fetch ?? fetch)(`${serverRoot(this.options.baseUrl)}${this.path}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        signal: AbortSignal.any([signal, timeout]),
      });
      status = response.status;
      retryAfter = parseRetryAfter((name) => response.headers.get(name), Date.now());
      text = await response.text();
    } catch (error) {
      if (signal.aborted) throw error;
      if (timeout.aborted) throw timeoutError(this.ctx, error);
      throw unreachableError(this.ctx, error);
    }
    if (status === 404) {
      throw new EndpointError('notFound', `${this.origin} has no ${this.path} (404). Check ${this.names.kind} (OpenRLHF and the local engine serve /get_reward, vLLM serves /classify) and ${this.names.baseUrl}.`, this.origin, 404);
    }
    if (status < 200 || status >= 300) throw httpError(this.ctx, status, errorDetail(text), retryAfter);
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      if (/\b(NaN|-?Infinity)\b/.test(text)) {
        throw new RewardError('notANumber', `${this.description} returned a score that is not a number (${serverDetail(text)}). No scores were used; check the reward model's log.`, { cause: error });
      }
      throw new RewardError('badReply', `${this.description} answered with something that is not JSON (${serverDetail(text) || 'an empty body'}). Check that ${this.names.baseUrl} points at a ${kindNames[this.kind]}.`, { cause: error });
    }
  }

  private readRewards(reply: unknown, expected: number): number[] {
    const parsed = openRlhfReply.safeParse(reply);
    if (!parsed.success) throw this.shapeError('{"rewards": [...]}', reply);
    return this.finiteScores(parsed.data.rewards, expected);
  }

  private readClassify(reply: unknown, expected: number): number[] {
    const parsed = classifyReply.safeParse(reply);
    if (!parsed.success) throw this.shapeError('{"data": [{"index", "probs"}, ...]}', reply);
    const rows = parsed.data.data;
    this.checkCount(rows.length, expected);
    // vLLM sends rows in input order with an index; order by index when every row has one.
    const ordered = new Array<unknown>(rows.length);
    for (const [position, row] of rows.entries()) {
      const index = row.index ?? position;
      if (index >= rows.length || ordered[index] !== undefined) {
        throw new RewardError('badReply', `${this.description} returned rows with indexes that do not match the ${expected} texts sent. No scores were used.`);
      }
      ordered[index] = oneLabel(row.probs);
    }
    return this.finiteScores(ordered, expected);
  }

  private checkCount(got: number, expected: number): void {
    if (got === expected) return;
    throw new RewardError('wrongCount', `${this.description} returned ${got} score${got === 1 ? '' : 's'} for ${expected} text${expected === 1 ? '' : 's'}, so none can be matched to a candidate. Check that ${this.names.baseUrl} points at a reward model server and that it scores every text it is sent.`);
  }

  private finiteScores(values: readonly unknown[], expected: number): number[] {
    this.checkCount(values.length, expected);
    return values.map((value, index) => {
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      const shown = Array.isArray(value) ? `a list of ${value.length} values` : JSON.stringify(value) ?? String(value);
      throw new RewardError('notANumber', `${this.description} returned ${shown} as the score of text ${index + 1}, not a number. No scores were used. A reward model must give one number per text (for vLLM: a one-label classifier written by \`janus convert-rm --to hf-classifier\`).`);
    });
  }

  private shapeError(expected: string, reply: unknown): RewardError {
    return new RewardError('badReply', `${this.description} answered ${serverDetail(JSON.stringify(reply))}, not ${expected}. Check ${this.names.kind} (openrlhf, vllm or local) and ${this.names.baseUrl}.`);
  }
}

/** A one-label classifier's `probs` is `[x]`; anything else (several labels) is returned as is for the check. */
function oneLabel(probs: unknown): unknown {
  return Array.isArray(probs) && probs.length === 1 ? probs[0] : probs;
}

function errorDetail(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } | string; detail?: unknown };
    if (typeof body.error === 'string') return body.error;
    if (typeof body.error?.message === 'string') return body.error.message;
    if (typeof body.detail === 'string') return body.detail;
  } catch {
    // Not JSON: the text itself is the detail.
  }
  return text;
}

export function createOpenRlhfScorer(options: HttpScorerOptions): RewardScorer {
  return new HttpRewardScorer('openrlhf', options);
}

export function createPoolingScorer(options: HttpScorerOptions): RewardScorer {
  return new HttpRewardScorer('vllm', options);
}

/** The local engine started with `--reward-model`: OpenRLHF's contract on the engine's own port. */
export function createLocalEngineScorer(options: HttpScorerOptions): RewardScorer {
  return new HttpRewardScorer('local', options);
}
