// A namespace import lets esbuild drop zod's unused parts (about 370 KB of locales) from the bundle.
import * as z from 'zod';

/**
 * An endpoint profile: everything needed to talk to one OpenAI-compatible server in one role.
 * API keys are deliberately absent: they live in secret storage and are bound to the profile's
 * origin (see secrets.ts), so a profile can be logged or shown without leaking anything.
 */

export const endpointRoles = ['generator', 'reward', 'judge'] as const;
export type EndpointRole = (typeof endpointRoles)[number];

/** `mistral-instruct`: raw `/v1/completions` with the exact Janus text; `chat`: `/v1/chat/completions`. */
export const promptFormats = ['mistral-instruct', 'chat'] as const;
export type PromptFormat = (typeof promptFormats)[number];

/** Defaults from the Janus paper's sampling for open models. */
export const defaultSampling = {
  maxTokens: 1024,
  temperature: 1.0,
  topP: 0.9,
  repetitionPenalty: 1.03,
} as const;

export const defaultTimeouts = {
  /** Until the server sends response headers: covers model loading and prompt processing. */
  timeoutMs: 60_000,
  /** Longest silence inside a streamed reply before the request counts as stalled. */
  stallTimeoutMs: 30_000,
} as const;

/** Longest reply text accepted (characters): a judge reply is a few hundred; a runaway server's is not. */
export const defaultMaxReplyChars = 256 * 1024;

/** How the editor says where a key goes (see `EndpointFixNames.saveKey`). */
export const editorSaveKey = 'with "Janus: Set API Key..."';

/** Query parameter names that carry a key or token (`?api-key=`, `?key=`, `?access_token=`...). */
const keyParameter = /^(api[-_]?key|key|apikey|token|access[-_]?token|auth|secret|password)$/i;

/**
 * An http(s) URL without credentials; `new URL` accepts much more than an endpoint can be.
 * `saveKey` ends the message about a key in the URL: the host's way to save one.
 */
export const httpUrlSchemaSaving = (saveKey: string) => z.string().trim().superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a URL` });
    return;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    ctx.addIssue({ code: 'custom', message: `"${value}" must start with http:// or https://` });
  } else if (url.username !== '' || url.password !== '') {
    ctx.addIssue({ code: 'custom', message: `must not contain a user name or password (save the key ${saveKey})` });
  } else {
    // Named, never echoed: the value is the key. A URL is logged, shown and written to summaries.
    const keyParam = [...url.searchParams.keys()].find((name) => keyParameter.test(name));
    if (keyParam !== undefined) ctx.addIssue({ code: 'custom', message: `must not carry a key in its query ("${keyParam}=..."): remove it and save the key ${saveKey}` });
  }
});

export const httpUrlSchema = httpUrlSchemaSaving(editorSaveKey);

export const samplingSchema = z.object({
  maxTokens: z.number().int().min(1).default(defaultSampling.maxTokens),
  temperature: z.number().min(0).max(2).default(defaultSampling.temperature),
  topP: z.number().gt(0).max(1).default(defaultSampling.topP),
  /** Sent as an extra body field only when set: hosted OpenAI APIs reject unknown fields. */
  repetitionPenalty: z.number().gt(0).optional(),
  seed: z.number().int().optional(),
  stop: z.array(z.string()).optional(),
});
export type Sampling = z.output<typeof samplingSchema>;

/** The profile schema whose URL check says where the key goes in the host's words (the CLI: an environment variable). */
export const endpointProfileSchemaSaving = (saveKey: string) => z.object({
  role: z.enum(endpointRoles),
  baseUrl: httpUrlSchemaSaving(saveKey),
  /** Empty: use the first model the server lists (a local llama.cpp server has exactly one). */
  model: z.string().trim(),
  format: z.enum(promptFormats),
  /** False for chat templates without a system role: the system message joins the user turn. */
  chatSystemRole: z.boolean().default(true),
  sampling: samplingSchema,
  timeoutMs: z.number().int().min(1).default(defaultTimeouts.timeoutMs),
  stallTimeoutMs: z.number().int().min(1).default(defaultTimeouts.stallTimeoutMs),
  maxReplyChars: z.number().int().min(1).default(defaultMaxReplyChars),
});

export const endpointProfileSchema = endpointProfileSchemaSaving(editorSaveKey);
export type EndpointProfile = z.output<typeof endpointProfileSchema>;
export type EndpointProfileInput = z.input<typeof endpointProfileSchema>;

/** The settings key prefix of a role, used in every message that tells the user what to fix. */
export function settingPrefix(role: EndpointRole): string {
  return `janus.${role}`;
}

/** scheme://host:port of a base URL, for messages ("Endpoint http://127.0.0.1:8011 ..."). */
export function displayOrigin(baseUrl: string): string {
  try {
    return new URL(baseUrl).origin;
  } catch {
    return baseUrl;
  }
}
