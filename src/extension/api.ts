import type { EndpointClient } from '../core/endpoints/client';
import type { EndpointRole } from '../core/endpoints/profile';
import type { JanusContext } from './context';
import type { RunningEngine } from './localEngine';
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
}

export function createApi(ctx: JanusContext, activationMs: number): JanusApi {
  return {
    activationMs,
    endpointClient: (role) => ctx.clients.get(role),
    clientBuilds: () => ctx.clients.builds,
    localEngine: () => ctx.engine.engine,
    generatorStatus: () => ctx.status.status,
    refreshGeneratorStatus: () => ctx.status.refresh(),
    activeRequests: () => ctx.requests.size,
    cancelAllRequests: () => ctx.requests.cancelAll(),
  };
}
