import type * as vscode from 'vscode';
import type { ApiKeySecretName } from '../core/endpoints/secrets';
import { apiKeySecretName, resolveApiKey } from '../core/endpoints/secrets';

/** API keys in SecretStorage under origin-bound names; the only place keys are read or written. */
export class ApiKeyStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  /** Fires with the secret name when any key changes, so clients using it can be rebuilt. */
  get onDidChange(): vscode.Event<vscode.SecretStorageChangeEvent> {
    return this.secrets.onDidChange;
  }

  /** The key bound to this base URL's origin, never another origin's. */
  keyFor(baseUrl: string): Promise<string | undefined> {
    return resolveApiKey(baseUrl, (name: ApiKeySecretName) => Promise.resolve(this.secrets.get(name)));
  }

  async hasKey(baseUrl: string): Promise<boolean> {
    return (await this.keyFor(baseUrl)) !== undefined;
  }

  /** Returns the origin the key was bound to, for telling the user. */
  async save(baseUrl: string, key: string): Promise<string> {
    const name = requireName(baseUrl);
    await this.secrets.store(name, key);
    return name.slice('janus.apiKey:'.length);
  }

  async delete(baseUrl: string): Promise<void> {
    await this.secrets.delete(requireName(baseUrl));
  }
}

function requireName(baseUrl: string): ApiKeySecretName {
  const name = apiKeySecretName(baseUrl);
  if (name === undefined) throw new Error(`"${baseUrl}" is not an http(s) URL, so no key can be bound to it.`);
  return name;
}
