import type * as vscode from 'vscode';
import type { EndpointClient } from '../core/endpoints/client';
import type { EndpointRole } from '../core/endpoints/profile';
import type { BenchTimings } from './bench/benchDocuments';
import { batchEvaluations } from './bench/batchEvaluations';
import type { JanusContext } from './context';
import type { RunningEngine } from './localEngine';
import type { PersonaViewProvider } from './personaView';
import type { WebviewTraffic } from './webviewChannel';
import type { HostMessage } from '../webview/personaEditor/protocol';
import type { GeneratorStatus } from './statusBar';
import type { PanelSession } from '../webview/candidates/model';
import type { HostMessage as CandidatesHostMessage } from '../webview/candidates/protocol';

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
  /** The generator status bar item's tooltip (what the engine has loaded, when it says). */
  generatorTooltip(): string;
  activeRequests(): number;
  /** Same path as pressing Cancel on every progress notification. */
  cancelAllRequests(): number;
  /** The Personas webview view, for the integration suites. */
  readonly personaView: {
    isResolved(): boolean;
    /** Message types in and out, in order (the real webview's `ready` shows up here). */
    traffic(): readonly WebviewTraffic[];
    /** Handles `message` as if the webview sent it; resolves with what the host posted meanwhile. */
    deliver(message: unknown): Promise<readonly HostMessage[]>;
  };
  /** The active persona's URI and the status bar text. */
  activePersona(): { readonly uri: string | null; readonly statusText: string };
  /** Bench parses so far: lens and hover requests must not add any for an unchanged document. */
  benchParses(): number;
  /** Milliseconds the last bench parse took. */
  benchLastParseMs(): number;
  /** Score-band marks (low / mid / high) last set on the visible editor of a bench. */
  benchBands(uri: string): { readonly low: number; readonly mid: number; readonly high: number } | undefined;
  /** Lenses the bench provider gives for a document now (timed by the suites without the RPC). */
  benchLensCount(document: vscode.TextDocument): number;
  /** Open-to-lenses timestamps and our own busy stretches for a bench document. */
  benchTimings(uri: string): BenchTimings | undefined;
  /** Edits handled by re-parsing only the edited bench instance. */
  benchReparses(): number;
  /** Batch API evaluations of the workspace (janus.judge.mode "batch"), for the integration suites. */
  readonly batches: {
    /** The status bar item's text while a batch is pending, else undefined. */
    statusText(): string | undefined;
    /** Resolves once the batch of this state file is collected (true) or polling ended without it (false). */
    whenFinished(stateFile: string): Promise<boolean>;
    /** Stops every poller as a window reload does; the state files stay. */
    stopPolling(): Promise<void>;
    /** What activation does after a reload: takes up pending batches; resolves with their count. */
    resumePending(): Promise<number>;
    /** Cancel Batch of the status bar's details; resolves with the batch's status after the request. */
    cancel(stateFile: string): Promise<string | undefined>;
  };
  /** The candidates panel (Best-of-N, Compare Personas), for the integration suites. */
  readonly candidates: {
    /** A session by id, or the one the panel shows. */
    session(sessionId?: string): PanelSession | undefined;
    /** Message types in and out, in order (the real page's `ready` shows up here). */
    traffic(): readonly WebviewTraffic[];
    /** Resolves once the page showing the current session has said `ready`. */
    ready(): Promise<void>;
    /** Handles `message` as if the page sent it; resolves with what the host posted meanwhile. */
    deliver(message: unknown): Promise<readonly CandidatesHostMessage[]>;
    /** Every message the host posts to the page from now on (dispose to stop). */
    onDidPost(listener: (message: CandidatesHostMessage) => void): { dispose(): void };
    /** What the session list's trash button does once confirmed; resolves with whether a file was removed. */
    deleteSession(sessionId: string): Promise<boolean>;
  };
}

export function createApi(ctx: JanusContext, activationMs: number, personaView: PersonaViewProvider): JanusApi {
  return {
    activationMs,
    endpointClient: (role) => ctx.clients.get(role),
    clientBuilds: () => ctx.clients.builds,
    localEngine: () => ctx.engine.engine,
    generatorStatus: () => ctx.status.status,
    refreshGeneratorStatus: () => ctx.status.refresh(),
    generatorTooltip: () => ctx.status.tooltip,
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
    benchParses: () => ctx.bench.documents.parses,
    benchLastParseMs: () => ctx.bench.documents.lastParseMs,
    benchBands: (uri) => ctx.bench.decorations.applied.get(uri),
    benchLensCount: (document) => ctx.bench.lenses.provideCodeLenses(document).length,
    benchTimings: (uri) => ctx.bench.documents.timings.get(uri),
    benchReparses: () => ctx.bench.documents.reparses,
    batches: {
      statusText: () => batchEvaluations(ctx).statusText(),
      whenFinished: async (stateFile) => (await batchEvaluations(ctx).whenFinished(stateFile))?.evaluation !== undefined,
      stopPolling: () => batchEvaluations(ctx).stopAll(),
      resumePending: () => batchEvaluations(ctx).resumePending(),
      cancel: async (stateFile) => (await batchEvaluations(ctx).cancel(stateFile))?.status,
    },
    candidates: {
      session: (sessionId) => {
        const id = sessionId ?? ctx.candidates.shownSession;
        return id === undefined ? undefined : ctx.bestOfN.get(id);
      },
      traffic: () => [...ctx.candidates.traffic],
      ready: () =>
        ctx.candidates.isReady
          ? Promise.resolve()
          : new Promise<void>((resolve) => {
              const sub = ctx.candidates.onDidBecomeReady(() => {
                sub.dispose();
                resolve();
              });
            }),
      onDidPost: (listener) => ctx.candidates.onDidPost(listener),
      deleteSession: (sessionId) => ctx.bestOfN.delete(sessionId),
      deliver: async (message) => {
        const posted: CandidatesHostMessage[] = [];
        const sub = ctx.candidates.onDidPost((m) => posted.push(m));
        try {
          await ctx.candidates.receive(message);
        } finally {
          sub.dispose();
        }
        return posted;
      },
    },
  };
}
