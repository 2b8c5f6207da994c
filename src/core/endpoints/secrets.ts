/**
 * API keys are bound to an origin (scheme://host:port). The key saved for https://api.openai.com
 * lives under `janus.apiKey:https://api.openai.com` and is only ever looked up for a base URL with
 * exactly that origin, so a workspace that points a profile elsewhere cannot collect it.
 */

export const apiKeySecretPrefix = 'janus.apiKey:';

/** The typed name of a secret holding one origin's API key. */
export type ApiKeySecretName = `janus.apiKey:${string}`;

/** Reads one secret; hosts implement it over their secret store. */
export type SecretLookup = (name: ApiKeySecretName) => Promise<string | undefined>;

/**
 * The normalised origin of an http(s) URL, or `undefined` for anything else. WHATWG URL parsing
 * lowercases the host, drops the scheme's default port and separates user info, so
 * `https://api.openai.com@evil.example` is evil.example, as a browser would see it.
 */
export function normaliseOrigin(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  if (parsed.hostname === '') return undefined;
  return parsed.origin;
}

export function apiKeySecretName(baseUrl: string): ApiKeySecretName | undefined {
  const origin = normaliseOrigin(baseUrl);
  return origin === undefined ? undefined : `${apiKeySecretPrefix}${origin}`;
}

/** The origin a secret name is bound to (for listing saved keys without reading them). */
export function originOfSecretName(name: string): string | undefined {
  if (!name.startsWith(apiKeySecretPrefix)) return undefined;
  const origin = name.slice(apiKeySecretPrefix.length);
  return normaliseOrigin(origin) === origin ? origin : undefined;
}

/** The key saved for exactly this base URL's origin, or `undefined`. Never any other key. */
export async function resolveApiKey(profileBaseUrl: string, lookup: SecretLookup): Promise<string | undefined> {
  const name = apiKeySecretName(profileBaseUrl);
  if (name === undefined) return undefined;
  const key = await lookup(name);
  return key === undefined || key === '' ? undefined : key;
}
