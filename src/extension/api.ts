import type { EndpointClient } from '../core/endpoints/client';
import type { EndpointRole } from '../core/endpoints/profile';
import type { JanusContext } from './context';
import type { RunningEngine } from './localEngine';
import type { PersonaViewProvider, ViewTraffic } from './personaView';
import type { HostMessage } from '../webview/personaEditor/protocol';
import type { GeneratorStatus } from './statusBar';

/**
 * What `activate` returns: a small read-mostly view for the integration suites (and other
 * extensions). Nothing here exposes a key.
 */
export interface JanusApi {
  /** Milliseconds `activate()` took (module loading not included). */
  readonly activationMs: number;
  endpointClient(role: EndpointRole): Promise<EndpointClient | undefined>;
  /** Clients built so far; grows when a relevant setting changes. */
  clientBuilds(): number;
  localEngine(): RunningEngine | undefined;
  generatorStatus(): GeneratorStatus;
  refreshGeneratorStatus(): Promise<GeneratorStatus>;
  activeRequests(): number;
  /** Same path as pressing Cancel on every progress notification. */
  cancelAllRequests(): number;
  /** The Personas webview view, for the integration suites. */
  readonly personaView: {
    isResolved(): boolean;
    /** Message types in and out, in order (the real webview's `ready` shows up here). */
    traffic(): readonly ViewTraffic[];
    /** Handles `message` as if the webview sent it; resolves with what the host posted meanwhile. */
    deliver(message: unknown): Promise<readonly HostMessage[]>;
  };
  /** The active persona's URI and the status bar text. */
  activePersona(): { readonly uri: string | null; readonly statusText: string };
}

export function createApi(ctx: JanusContext, activationMs: number, personaView: PersonaViewProvider): JanusApi {
  return {
    activationMs,
    endpointClient: (role) => ctx.clients.get(role),
    clientBuilds: () => ctx.clients.builds,
    localEngine: () => ctx.engine.engine,
    generatorStatus: () => ctx.status.status,
    refreshGeneratorStatus: () => ctx.status.refresh(),
    activeRequests: () => ctx.requests.size,
    cancelAllRequests: () => ctx.requests.cancelAll(),
    personaView: {
      isResolved: () => personaView.resolved,
      traffic: () => [...personaView.traffic],
      deliver: async (message) => {
        const posted: HostMessage[] = [];
        const sub = personaView.onDidPost((m) => posted.push(m));
        try {
          await personaView.receive(message);
        } finally {
          sub.dispose();
        }
        return posted;
      },
    },
    activePersona: () => ({ uri: ctx.personas.uri, statusText: ctx.personas.statusText }),
  };
}
