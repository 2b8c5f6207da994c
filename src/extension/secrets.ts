import * as vscode from 'vscode';
import type { ApiKeySecretName } from '../core/endpoints/secrets';
import { apiKeySecretName, apiKeySecretPrefix, resolveApiKey } from '../core/endpoints/secrets';

/**
 * API keys in SecretStorage under origin-bound names; the only place keys are read or written.
 * Session keys (the local engine's, made fresh for each start) live here in memory only, under
 * the same origin-bound names, and win over a saved key for their origin while they last.
 */
export class ApiKeyStore implements vscode.Disposable {
  private readonly session = new Map<ApiKeySecretName, string>();
  private readonly sessionChanged = new vscode.EventEmitter<void>();

  constructor(private readonly secrets: vscode.SecretStorage) {}

  /** Fires when any key changes (saved or session), so clients using it can be rebuilt. */
  readonly onDidChange: vscode.Event<void> = (listener, thisArgs, disposables) => {
    const both = vscode.Disposable.from(
      this.secrets.onDidChange(() => listener.call(thisArgs)),
      this.sessionChanged.event(() => listener.call(thisArgs)),
    );
    disposables?.push(both);
    return both;
  };

  /** The key bound to this base URL's origin, never another origin's. */
  keyFor(baseUrl: string): Promise<string | undefined> {
    return resolveApiKey(baseUrl, (name: ApiKeySecretName) => Promise.resolve(this.session.get(name) ?? this.secrets.get(name)));
  }

  /**
   * Uses `key` for these base URLs' origins until the returned disposable is disposed; never
   * written to SecretStorage, so it ends with the window (or sooner) like the engine it opens.
   */
  useSessionKey(baseUrls: readonly string[], key: string): vscode.Disposable {
    const names = baseUrls.map(requireName);
    for (const name of names) this.session.set(name, key);
    this.sessionChanged.fire();
    return new vscode.Disposable(() => {
      let changed = false;
      for (const name of names) {
        if (this.session.get(name) === key) changed = this.session.delete(name) || changed;
      }
      if (changed) this.sessionChanged.fire();
    });
  }

  dispose(): void {
    this.session.clear();
    this.sessionChanged.dispose();
  }

  async hasKey(baseUrl: string): Promise<boolean> {
    return (await this.keyFor(baseUrl)) !== undefined;
  }

  /** Returns the origin the key was bound to, for telling the user. */
  async save(baseUrl: string, key: string): Promise<string> {
    const name = requireName(baseUrl);
    await this.secrets.store(name, key);
    return name.slice(apiKeySecretPrefix.length);
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
