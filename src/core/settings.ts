// A namespace import lets esbuild drop zod's unused parts (about 370 KB of locales) from the bundle.
import * as z from 'zod';
import type { EndpointProfile, EndpointRole } from './endpoints/profile';
import {
  defaultSampling,
  defaultMaxReplyChars,
  defaultTimeouts,
  endpointProfileSchema,
  httpUrlSchema,
  promptFormats,
} from './endpoints/profile';

/**
 * The `janus.*` settings: one zod schema per key (without the `janus.` prefix), with the sentence
 * that tells the user how to fix a bad value. The manifest's `contributes.configuration` describes
 * the same keys and defaults; a unit test keeps the two in agreement.
 */

interface SettingSpec<S extends z.ZodType> {
  readonly schema: S;
  /** Completes "janus.x is invalid: <problem>. <fix>" */
  readonly fix: string;
}

function spec<S extends z.ZodType>(schema: S, fix: string): SettingSpec<S> {
  return { schema, fix };
}

/** An empty string means "not configured"; anything else must be an endpoint URL. */
const optionalUrl = z.union([z.literal(''), httpUrlSchema]);
const urlFix = 'Set it to the server\'s OpenAI-compatible base URL, e.g. http://127.0.0.1:8011/v1.';
const formatFix = 'Use "mistral-instruct" (raw completions, exact Janus text) or "chat".';

export const settingSpecs = {
  'generator.baseUrl': spec(optionalUrl.default('http://127.0.0.1:8011/v1'), urlFix),
  'generator.model': spec(z.string().default(''), 'Set it to a model id the server lists, or leave it empty.'),
  'generator.format': spec(z.enum(promptFormats).default('mistral-instruct'), formatFix),
  'generator.chatSystemRole': spec(z.boolean().default(true), 'Use true or false.'),
  'generator.maxTokens': spec(z.number().int().min(1).default(defaultSampling.maxTokens), 'Use a whole number of at least 1.'),
  'generator.temperature': spec(z.number().min(0).max(2).default(defaultSampling.temperature), 'Use a number from 0 to 2.'),
  'generator.topP': spec(z.number().gt(0).max(1).default(defaultSampling.topP), 'Use a number above 0 and at most 1.'),
  'generator.repetitionPenalty': spec(z.number().gt(0).default(defaultSampling.repetitionPenalty), 'Use a number above 0 (1 means no penalty).'),
  'generator.seed': spec(z.number().int().nullable().default(null), 'Use a whole number, or null for a random seed.'),
  'generator.stop': spec(z.array(z.string()).default([]), 'Use a list of strings.'),
  'reward.baseUrl': spec(optionalUrl.default(''), urlFix),
  'reward.model': spec(z.string().default(''), 'Set it to the reward model id, or leave it empty.'),
  'reward.kind': spec(z.enum(['auto', 'openrlhf', 'vllm', 'local', 'judge']).default('auto'), 'Use "auto", "openrlhf", "vllm", "local" or "judge".'),
  'judge.baseUrl': spec(optionalUrl.default(''), urlFix),
  'judge.model': spec(z.string().default(''), 'Set it to the judge model id, e.g. gpt-4-0125-preview.'),
  'judge.format': spec(z.enum(promptFormats).default('chat'), formatFix),
  'judge.chatSystemRole': spec(z.boolean().default(true), 'Use true or false.'),
  'judge.maxTokens': spec(z.number().int().min(1).default(defaultSampling.maxTokens), 'Use a whole number of at least 1.'),
  'judge.temperature': spec(z.number().min(0).max(2).default(defaultSampling.temperature), 'Use a number from 0 to 2.'),
  'judge.topP': spec(z.number().gt(0).max(1).default(defaultSampling.topP), 'Use a number above 0 and at most 1.'),
  'judge.mode': spec(z.enum(['live', 'batch']).default('live'), 'Use "live" (one request per item) or "batch" (the OpenAI Batch API).'),
  'judge.maxReplyChars': spec(z.number().int().min(1000).default(defaultMaxReplyChars), 'Use a number of characters, at least 1000.'),
  'judge.batchPollMs': spec(z.number().int().min(10).default(30_000), 'Use milliseconds between looks at a pending batch, at least 10.'),
  'request.timeoutMs': spec(z.number().int().min(1000).default(defaultTimeouts.timeoutMs), 'Use milliseconds, at least 1000.'),
  'request.stallTimeoutMs': spec(z.number().int().min(1000).default(defaultTimeouts.stallTimeoutMs), 'Use milliseconds, at least 1000.'),
  'localEngine.modelPath': spec(z.string().default(''), 'Set it to the path of a Janus GGUF file.'),
  'localEngine.rewardModelPath': spec(z.string().default(''), 'Set it to the path of a reward model GGUF written by `janus convert-rm`, or leave it empty.'),
  'localEngine.port': spec(z.number().int().min(1).max(65535).default(8011), 'Use a port number from 1 to 65535.'),
  'localEngine.threads': spec(z.number().int().min(0).default(0), 'Use 0 (automatic: cores - 1) or a thread count.'),
  'localEngine.parallel': spec(z.number().int().min(1).max(64).default(4), 'Use a number of parallel sequences from 1 to 64.'),
  'bestOfN.n': spec(z.number().int().min(1).max(64).default(4), 'Use a whole number of candidates from 1 to 64.'),
  'bestOfN.earlyStopMargin': spec(z.number().min(0).nullable().default(null), 'Use a reward margin of at least 0, or null to sample every candidate to the end.'),
  'bestOfN.gradeRubrics': spec(z.boolean().default(true), 'Use true (the judge grades every candidate on the persona\'s rubrics) or false.'),
  'evaluation.runs': spec(z.number().int().min(1).max(10).default(1), 'Use a whole number of judge runs from 1 to 10 (3 reproduces the paper).'),
  'evaluation.problemThreshold': spec(z.number().min(1).max(5).default(3), 'Use a score from 1 to 5; instances scored below it are listed in Problems.'),
  'jobs.concurrency': spec(z.number().int().min(1).max(256).default(8), 'Use a whole number of requests at once from 1 to 256.'),
  'jobs.requestsPerMinute': spec(z.number().int().min(1).nullable().default(null), 'Use a whole number of at least 1, or null for no limit.'),
  'jobs.tokensPerMinute': spec(z.number().int().min(1).nullable().default(null), 'Use a whole number of at least 1, or null for no limit.'),
  'jobs.promptPricePerMillion': spec(z.number().min(0).nullable().default(null), 'Use a price per million prompt tokens (0 or more), or null to show no cost.'),
  'jobs.completionPricePerMillion': spec(z.number().min(0).nullable().default(null), 'Use a price per million completion tokens (0 or more), or null to show no cost.'),
  systemMessage: spec(z.string().default(''), 'Use a string.'),
} as const;

export type SettingKey = keyof typeof settingSpecs;
export type Settings = { readonly [K in SettingKey]: z.output<(typeof settingSpecs)[K]['schema']> };
export const settingKeys = Object.keys(settingSpecs) as SettingKey[];

/**
 * Keys a workspace must not set while untrusted: they decide where requests (and with them
 * prompts and API keys) go, or which file the local engine loads. Listed in the manifest's
 * `capabilities.untrustedWorkspaces.restrictedConfigurations` too.
 */
export const restrictedSettingKeys: readonly SettingKey[] = [
  'generator.baseUrl',
  'reward.baseUrl',
  'judge.baseUrl',
  'localEngine.modelPath',
  'localEngine.rewardModelPath',
];

/** Settings whose keys sit under `janus.<role>.`: a change there needs a new client for that role. */
export function isEndpointSetting(key: string, role: EndpointRole): boolean {
  return key.startsWith(`${role}.`) || key.startsWith('request.');
}

export interface SettingProblem {
  /** The full key, e.g. `janus.generator.baseUrl`. */
  readonly key: string;
  /** Names the setting, the problem and the fix. */
  readonly message: string;
}

export interface ParsedSettings {
  readonly settings: Settings;
  readonly problems: readonly SettingProblem[];
}

/**
 * Parses each key on its own: one bad value becomes a problem naming that key and falls back to
 * its default, so a typo in one setting never disables the rest.
 */
export function parseSettings(read: (key: SettingKey) => unknown): ParsedSettings {
  const values: Record<string, unknown> = {};
  const problems: SettingProblem[] = [];
  for (const key of settingKeys) {
    const { schema, fix } = settingSpecs[key];
    const raw = read(key);
    const result = schema.safeParse(raw);
    if (result.success) {
      values[key] = result.data;
      continue;
    }
    const issue = result.error.issues[0]?.message ?? 'invalid value';
    problems.push({ key: `janus.${key}`, message: `Setting janus.${key} is invalid (${issue}); using its default. ${fix}` });
    values[key] = schema.parse(undefined);
  }
  return { settings: values as Settings, problems };
}

/** What VS Code's `inspect()` tells about one key, the layers that matter here. */
export interface SettingLayers {
  readonly globalValue?: unknown;
  readonly workspaceValue?: unknown;
  readonly workspaceFolderValue?: unknown;
}

export interface SettingsSource {
  /** The effective value, every layer applied. */
  get(key: SettingKey): unknown;
  inspect(key: SettingKey): SettingLayers | undefined;
}

export interface ReadSettings extends ParsedSettings {
  /** Restricted keys (full names) whose workspace values were ignored because of trust. */
  readonly ignoredInUntrusted: readonly string[];
}

/**
 * Reads the settings the way trust allows: in an untrusted workspace a restricted key takes its
 * user value (or default) and never the workspace's, so a cloned folder cannot send requests,
 * prompts or keys to a server of its choosing.
 */
export function readSettings(source: SettingsSource, trusted: boolean): ReadSettings {
  const ignoredInUntrusted: string[] = [];
  const parsed = parseSettings((key) => {
    if (trusted || !restrictedSettingKeys.includes(key)) return source.get(key);
    const layers = source.inspect(key);
    if (layers?.workspaceValue !== undefined || layers?.workspaceFolderValue !== undefined) ignoredInUntrusted.push(`janus.${key}`);
    return layers?.globalValue;
  });
  return { ...parsed, ignoredInUntrusted };
}

/** The defaults of every key, as `parseSettings` would produce them with nothing set. */
export function defaultSettings(): Settings {
  return parseSettings(() => undefined).settings;
}

/**
 * The profile of one role, or `undefined` when its base URL is empty (not configured). Roles
 * without their own sampling keys use the Janus defaults.
 */
export function profileFromSettings(role: EndpointRole, s: Settings): EndpointProfile | undefined {
  const timeouts = { timeoutMs: s['request.timeoutMs'], stallTimeoutMs: s['request.stallTimeoutMs'] };
  switch (role) {
    case 'generator': {
      if (s['generator.baseUrl'] === '') return undefined;
      const seed = s['generator.seed'];
      const stop = s['generator.stop'];
      return endpointProfileSchema.parse({
        role,
        baseUrl: s['generator.baseUrl'],
        model: s['generator.model'],
        format: s['generator.format'],
        chatSystemRole: s['generator.chatSystemRole'],
        sampling: {
          maxTokens: s['generator.maxTokens'],
          temperature: s['generator.temperature'],
          topP: s['generator.topP'],
          repetitionPenalty: s['generator.repetitionPenalty'],
          ...(seed === null ? {} : { seed }),
          ...(stop.length === 0 ? {} : { stop }),
        },
        ...timeouts,
      });
    }
    case 'reward':
      if (s['reward.baseUrl'] === '') return undefined;
      return endpointProfileSchema.parse({
        role,
        baseUrl: s['reward.baseUrl'],
        model: s['reward.model'],
        format: 'mistral-instruct',
        sampling: {},
        ...timeouts,
      });
    case 'judge':
      if (s['judge.baseUrl'] === '') return undefined;
      return endpointProfileSchema.parse({
        role,
        baseUrl: s['judge.baseUrl'],
        model: s['judge.model'],
        format: s['judge.format'],
        chatSystemRole: s['judge.chatSystemRole'],
        sampling: {
          maxTokens: s['judge.maxTokens'],
          temperature: s['judge.temperature'],
          topP: s['judge.topP'],
        },
        ...timeouts,
        maxReplyChars: s['judge.maxReplyChars'],
      });
  }
}
