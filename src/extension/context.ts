import path from 'node:path';
import type * as vscode from 'vscode';
import { ActivePersona } from './activePersona';
import { ActiveRequests } from './activeRequests';
import { BenchFeatures } from './bench/benchFeatures';
import { StatsWorkerClient } from './bench/statsWorkerClient';
import { BestOfNSessions } from './bestOfNSession';
import { BestOfNResources } from './bestOfNSetup';
import { CandidatesPanel } from './candidatesPanel';
import { ConfigService } from './config';
import { logChannelName } from './constants';
import { EndpointClients } from './endpointClients';
import { engineRuntimeDir } from './engineRuntime';
import { LocalEngine } from './localEngine';
import { PersonaDiagnostics } from './personaDiagnostics';
import { ChannelLogger } from './log';
import { ApiKeyStore } from './secrets';
import { GeneratorStatusBar } from './statusBar';

/** Everything the commands need, built once per activation and disposed with the extension. */
export interface JanusContext {
  readonly extension: vscode.ExtensionContext;
  readonly log: ChannelLogger;
  readonly config: ConfigService;
  readonly keys: ApiKeyStore;
  readonly clients: EndpointClients;
  readonly engine: LocalEngine;
  readonly status: GeneratorStatusBar;
  readonly requests: ActiveRequests;
  /** The workspace's active persona (status bar item, Generate's system message). */
  readonly personas: ActivePersona;
  readonly personaDiagnostics: PersonaDiagnostics;
  /** Best-of-N and Compare Personas sessions of this window (marks for export included). */
  readonly bestOfN: BestOfNSessions;
  /** Schedulers and probe results Best-of-N runs share. */
  readonly bestOfNResources: BestOfNResources;
  readonly candidates: CandidatesPanel;
  /** Bench files and documents scored against the persona: parses, results, lenses, Problems. */
  readonly bench: BenchFeatures;
  /** Bootstraps and paired tests, off the extension host's thread. */
  readonly stats: StatsWorkerClient;
}

export function createJanusContext(extension: vscode.ExtensionContext): JanusContext {
  const log = ChannelLogger.create(logChannelName);
  const own = <T extends vscode.Disposable>(d: T): T => {
    extension.subscriptions.push(d);
    return d;
  };
  own(log);
  const config = own(new ConfigService(log));
  const keys = own(new ApiKeyStore(extension.secrets));
  const clients = own(new EndpointClients(config, keys, log));
  const engine = own(new LocalEngine(extension.extensionPath, engineRuntimeDir(extension.globalStorageUri.fsPath), log, keys));
  const status = own(new GeneratorStatusBar(config, keys, engine, log));
  const requests = own(new ActiveRequests());
  const personas = own(new ActivePersona(extension.workspaceState));
  const personaDiagnostics = own(new PersonaDiagnostics());
  const bestOfN = own(new BestOfNSessions(log));
  const bestOfNResources = own(new BestOfNResources({ config, clients, keys, engine, log }));
  const candidates = own(new CandidatesPanel({ extension, log, sessions: bestOfN, resources: bestOfNResources }));
  const bench = own(new BenchFeatures(config, log));
  const stats = own(new StatsWorkerClient(path.join(extension.extensionPath, 'dist', 'statsWorker.js'), log));
  return { extension, log, config, keys, clients, engine, status, requests, personas, personaDiagnostics, bestOfN, bestOfNResources, candidates, bench, stats };
}
