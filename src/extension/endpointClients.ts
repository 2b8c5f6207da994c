import type * as vscode from 'vscode';
import type { EndpointClient } from '../core/endpoints/client';
import type { EndpointRole } from '../core/endpoints/profile';
import { endpointRoles } from '../core/endpoints/profile';
import type { Logger } from '../core/log';
import { isEndpointSetting } from '../core/settings';
import type { ConfigService } from './config';
import type { ApiKeyStore } from './secrets';

/**
 * One client per role, built on first use and rebuilt only when a setting of that role (or its
 * API key) changes: requests in flight keep the client they started with.
 */
export class EndpointClients implements vscode.Disposable {
  private readonly cache = new Map<EndpointRole, Promise<EndpointClient | undefined>>();
  private readonly subscriptions: vscode.Disposable[];
  /** How many clients have been built; the integration tests read it through the extension API. */
  builds = 0;

  constructor(
    private readonly config: ConfigService,
    private readonly keys: ApiKeyStore,
    private readonly log: Logger,
  ) {
    this.subscriptions = [
      config.onDidChange((change) => {
        for (const role of endpointRoles) {
          if (change.keys.some((k) => isEndpointSetting(k, role))) this.invalidate(role);
        }
      }),
      keys.onDidChange(() => {
        for (const role of endpointRoles) this.invalidate(role);
      }),
    ];
  }

  get(role: EndpointRole): Promise<EndpointClient | undefined> {
    let client = this.cache.get(role);
    if (!client) {
      client = this.build(role);
      this.cache.set(role, client);
    }
    return client;
  }

  private async build(role: EndpointRole): Promise<EndpointClient | undefined> {
    const profile = this.config.profile(role);
    if (!profile) return undefined;
    const apiKey = await this.keys.keyFor(profile.baseUrl);
    // Loaded on first use: the openai package is not needed to activate.
    const { EndpointClient } = await import('../core/endpoints/client');
    this.builds++;
    this.log.debug(`Built the ${role} client for ${profile.baseUrl} (${profile.format}${apiKey ? ', with its API key' : ''}).`);
    return new EndpointClient(profile, { apiKey, logger: this.log });
  }

  invalidate(role: EndpointRole): void {
    this.cache.delete(role);
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
    this.cache.clear();
  }
}
