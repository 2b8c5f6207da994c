import { describeError } from '../errors';
import type { EndpointProfile } from './profile';
import { displayOrigin } from './profile';

/**
 * Learns what a server supports by asking it, not by guessing from its name: `/health` (llama.cpp
 * and vLLM; 503 while a model loads), `/v1/models`, llama.cpp's `/props` (slot count) and whether
 * `n` > 1 works. Plain fetch with short timeouts: a probe must answer quickly even when the
 * server does not.
 */

export type HealthState = 'ok' | 'loading' | 'absent' | 'unreachable' | 'error';

export interface ProbeResult {
  readonly role: EndpointProfile['role'];
  readonly origin: string;
  readonly health: { readonly state: HealthState; readonly status?: number };
  readonly models: {
    readonly status?: number;
    readonly ids: readonly string[];
    /** `undefined` when the list could not be read or no model is configured. */
    readonly configuredModelFound: boolean | undefined;
  };
  /** llama.cpp's parallel slots (`-np`), when the server tells. */
  readonly slots: number | undefined;
  /** Whether one request with `n: 2` returned two choices; `undefined` when not tried. */
  readonly parallelN: boolean | undefined;
  /** The Janus engine's reward model from `/props`: null when it has none, undefined when the server does not say. */
  readonly rewardModel: LoadedRewardModel | null | undefined;
  readonly elapsedMs: number;
}

/** What a Janus engine's `/props` says about the reward model it loaded beside the generator. */
export interface LoadedRewardModel {
  readonly name: string;
  readonly hiddenSize: number | undefined;
  readonly normalized: boolean | undefined;
  readonly maxLength: number | undefined;
}

export interface ProbeOptions {
  readonly apiKey?: string | undefined;
  readonly fetch?: typeof fetch;
  /** Per request. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Sends a one-token completion with `n: 2`; off for paid APIs unless asked. */
  readonly testN?: boolean;
}

/** The server root for non-OpenAI paths: the base URL without its trailing `/v1`. */
export function serverRoot(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
}

function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

interface Reply {
  readonly status: number | undefined;
  readonly body: unknown;
}

async function request(url: string, init: RequestInit, options: ProbeOptions): Promise<Reply> {
  const doFetch = options.fetch ?? fetch;
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 5000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (options.apiKey) headers['authorization'] = `Bearer ${options.apiKey}`;
  try {
    const response = await doFetch(url, { ...init, headers, signal });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Not JSON: keep the text (vLLM's /health answers with an empty body).
    }
    return { status: response.status, body };
  } catch (error) {
    if (options.signal?.aborted) throw error;
    return { status: undefined, body: describeError(error) };
  }
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function healthState(reply: Reply): HealthState {
  if (reply.status === undefined) return 'unreachable';
  if (reply.status === 200) return 'ok';
  if (reply.status === 503) return 'loading';
  if (reply.status === 404 || reply.status === 401 || reply.status === 403) return 'absent';
  return 'error';
}

function modelIds(body: unknown): string[] {
  const data = field(body, 'data');
  if (!Array.isArray(data)) return [];
  return data.map((m) => field(m, 'id')).filter((id): id is string => typeof id === 'string');
}

function slotCount(body: unknown): number | undefined {
  const slots = field(body, 'total_slots');
  return typeof slots === 'number' && Number.isInteger(slots) && slots > 0 ? slots : undefined;
}

/** `reward_model` of a Janus engine's `/props`; undefined when the server is not one (no such field). */
export function loadedRewardModel(props: unknown): LoadedRewardModel | null | undefined {
  const value = field(props, 'reward_model');
  if (value === null) return null;
  const name = field(value, 'name');
  if (typeof name !== 'string') return undefined;
  const number = (key: string): number | undefined => {
    const v = field(value, key);
    return typeof v === 'number' ? v : undefined;
  };
  const normalized = field(value, 'normalized');
  return { name, hiddenSize: number('hidden_size'), normalized: typeof normalized === 'boolean' ? normalized : undefined, maxLength: number('max_length') };
}

/** Asks `/props` of the server at `root` whether it is a Janus engine with a reward model loaded. */
export async function probeRewardModel(root: string, options: ProbeOptions = {}): Promise<LoadedRewardModel | null | undefined> {
  const reply = await request(joinUrl(serverRoot(root), '/props'), { method: 'GET' }, options);
  return reply.status === 200 ? loadedRewardModel(reply.body) : undefined;
}

/** "janus-rm-7b (hidden 4096, normalised, max_length 2048)", or "none loaded". */
export function describeRewardModel(model: LoadedRewardModel | null): string {
  if (model === null) return 'none loaded';
  const facts = [
    model.hiddenSize !== undefined ? `hidden ${model.hiddenSize}` : undefined,
    model.normalized === undefined ? undefined : model.normalized ? 'normalised' : 'not normalised',
    model.maxLength !== undefined ? `max_length ${model.maxLength}` : undefined,
  ].filter((f) => f !== undefined);
  return facts.length > 0 ? `${model.name} (${facts.join(', ')})` : model.name;
}

async function tryParallelN(profile: EndpointProfile, model: string, options: ProbeOptions): Promise<boolean> {
  const chat = profile.format === 'chat';
  const body = chat
    ? { model, messages: [{ role: 'user', content: 'Hi' }], max_tokens: 1, n: 2 }
    : { model, prompt: '[INST] Hi [/INST] ', max_tokens: 1, n: 2 };
  const reply = await request(joinUrl(profile.baseUrl, chat ? '/chat/completions' : '/completions'), { method: 'POST', body: JSON.stringify(body) }, options);
  const choices = field(reply.body, 'choices');
  return reply.status === 200 && Array.isArray(choices) && choices.length >= 2;
}

export async function probeEndpoint(profile: EndpointProfile, options: ProbeOptions = {}): Promise<ProbeResult> {
  const started = performance.now();
  const root = serverRoot(profile.baseUrl);
  const [health, models, props] = await Promise.all([
    request(joinUrl(root, '/health'), { method: 'GET' }, options),
    request(joinUrl(profile.baseUrl, '/models'), { method: 'GET' }, options),
    request(joinUrl(root, '/props'), { method: 'GET' }, options),
  ]);
  const ids = models.status === 200 ? modelIds(models.body) : [];
  const configuredModelFound = profile.model === '' || models.status !== 200 ? undefined : ids.includes(profile.model);
  const state = healthState(health);
  const usable = (state === 'ok' || state === 'absent') && models.status === 200 && configuredModelFound !== false;
  const model = profile.model !== '' ? profile.model : (ids[0] ?? 'default');
  const parallelN = options.testN && usable && profile.role !== 'reward' ? await tryParallelN(profile, model, options) : undefined;
  return {
    role: profile.role,
    origin: displayOrigin(profile.baseUrl),
    health: health.status === undefined ? { state } : { state, status: health.status },
    models: models.status === undefined ? { ids, configuredModelFound } : { status: models.status, ids, configuredModelFound },
    slots: props.status === 200 ? slotCount(props.body) : undefined,
    parallelN,
    rewardModel: props.status === 200 ? loadedRewardModel(props.body) : undefined,
    elapsedMs: Math.round(performance.now() - started),
  };
}

/** What the status bar shows for a generator. */
export type EndpointState = 'ready' | 'loading' | 'unreachable' | 'noKey' | 'modelMissing' | 'error';

export function endpointState(result: ProbeResult, hasKey: boolean): EndpointState {
  if (result.health.state === 'loading') return 'loading';
  if (result.health.state === 'unreachable' && result.models.status === undefined) return 'unreachable';
  if (result.models.status === 401 || result.models.status === 403) return hasKey ? 'error' : 'noKey';
  if (result.models.status !== 200) return result.health.state === 'ok' ? 'ready' : 'error';
  if (result.models.configuredModelFound === false) return 'modelMissing';
  return 'ready';
}

/** A readable report of one probe, one fact a line, each problem with what to do. */
export function describeProbe(result: ProbeResult, profile: EndpointProfile, hasKey: boolean): string[] {
  const key = `janus.${profile.role}`;
  const lines = [`${profile.role}: ${result.origin} (${profile.format}, model ${profile.model === '' ? 'chosen by the server' : `"${profile.model}"`})`];
  const state = endpointState(result, hasKey);
  const health = result.health.status === undefined ? result.health.state : `${result.health.state} (${result.health.status})`;
  lines.push(`  health: ${health}`);
  if (result.models.status === 200) lines.push(`  models: ${result.models.ids.length === 0 ? '(none listed)' : result.models.ids.join(', ')}`);
  if (result.slots !== undefined) lines.push(`  slots: ${result.slots}`);
  if (result.parallelN !== undefined) lines.push(`  n > 1 in one request: ${result.parallelN ? 'yes' : 'no (Best-of-N sends one request per candidate)'}`);
  if (result.rewardModel !== undefined) lines.push(`  reward model: ${describeRewardModel(result.rewardModel)}`);
  const advice: Record<EndpointState, string> = {
    ready: '  state: ready',
    loading: '  state: loading its model; wait and check again',
    unreachable: `  state: unreachable; start the server (or the local engine) or fix ${key}.baseUrl`,
    noKey: `  state: needs an API key; run "Janus: Set API Key..." for ${result.origin}`,
    modelMissing: `  state: the server does not list "${profile.model}"; fix ${key}.model`,
    error: `  state: unexpected replies (models: ${result.models.status ?? 'none'}); check ${key}.baseUrl and the key`,
  };
  lines.push(advice[state]);
  lines.push(`  probed in ${result.elapsedMs} ms`);
  return lines;
}
