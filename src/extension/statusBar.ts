import * as vscode from 'vscode';
import type { EndpointState, ProbeResult } from '../core/endpoints/probe';
import { describeRewardModel, endpointState, probeEndpoint } from '../core/endpoints/probe';
import { displayOrigin } from '../core/endpoints/profile';
import type { Logger } from '../core/log';
import { isEndpointSetting } from '../core/settings';
import type { ConfigService } from './config';
import { commandIds, contextKeys } from './constants';
import type { LocalEngine } from './localEngine';
import type { ApiKeyStore } from './secrets';

export type GeneratorStatus = EndpointState | 'notConfigured' | 'checking';

const look: Record<GeneratorStatus, { readonly text: string; readonly tip: string }> = {
  checking: { text: '$(sync~spin) Janus', tip: 'Checking the generator endpoint...' },
  ready: { text: '$(check) Janus: ready', tip: 'The generator is ready.' },
  loading: { text: '$(loading~spin) Janus: loading', tip: 'The generator is loading its model.' },
  unreachable: { text: '$(debug-disconnect) Janus: unreachable', tip: 'The generator cannot be reached. Start the local engine or fix janus.generator.baseUrl.' },
  noKey: { text: '$(key) Janus: no key', tip: 'The generator needs an API key: run "Janus: Set API Key...".' },
  modelMissing: { text: '$(warning) Janus: model?', tip: 'The generator does not serve the configured model: fix janus.generator.model.' },
  error: { text: '$(warning) Janus', tip: 'The generator answered unexpectedly.' },
  notConfigured: { text: '$(circle-slash) Janus', tip: 'No generator: set janus.generator.baseUrl.' },
};

/** "Generator: x. Reward model: y (...)" (or "none loaded") from a probe; the reward line only for a Janus engine. */
function loadedModels(result: ProbeResult): string | undefined {
  const generator = result.models.ids.length > 0 ? `Generator: ${result.models.ids.join(', ')}` : undefined;
  const reward = result.rewardModel !== undefined ? `Reward model: ${describeRewardModel(result.rewardModel)}` : undefined;
  const lines = [generator, reward].filter((l) => l !== undefined);
  return lines.length > 0 ? lines.join('\n') : undefined;
}

/** While a model loads, look again this often, until it is ready or fails. */
const loadingPollMs = 2000;

/**
 * The generator's state in the status bar; click opens "Check Endpoints". Probed on creation,
 * when generator settings, keys or the local engine change, and every 2 s while loading.
 */
export class GeneratorStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('janus.generatorStatus', vscode.StatusBarAlignment.Right, 100);
  private readonly subscriptions: vscode.Disposable[] = [];
  private pollTimer: ReturnType<typeof setTimeout> | undefined;
  private probeRun = 0;
  private current: GeneratorStatus = 'checking';
  private readonly emitter = new vscode.EventEmitter<GeneratorStatus>();
  readonly onDidChange = this.emitter.event;

  constructor(
    private readonly config: ConfigService,
    private readonly keys: ApiKeyStore,
    engine: LocalEngine,
    private readonly log: Logger,
  ) {
    this.item.name = 'Janus Generator';
    this.item.command = commandIds.checkEndpoints;
    this.subscriptions.push(
      this.item,
      this.emitter,
      config.onDidChange((c) => {
        if (c.keys.some((k) => isEndpointSetting(k, 'generator'))) void this.refresh();
      }),
      keys.onDidChange(() => void this.refresh()),
      engine.onDidChangeState(() => void this.refresh()),
    );
    this.show('checking', undefined);
    this.item.show();
    void this.refresh();
  }

  get status(): GeneratorStatus {
    return this.current;
  }

  get tooltip(): string {
    return typeof this.item.tooltip === 'string' ? this.item.tooltip : '';
  }

  /** Probes the generator now; a newer refresh supersedes an older one still in flight. */
  async refresh(result?: ProbeResult): Promise<GeneratorStatus> {
    clearTimeout(this.pollTimer);
    const run = ++this.probeRun;
    const profile = this.config.profile('generator');
    if (!profile) {
      this.show('notConfigured', undefined);
      return this.current;
    }
    const apiKey = await this.keys.keyFor(profile.baseUrl);
    const probed = result ?? (await probeEndpoint(profile, { apiKey, timeoutMs: 3000 }));
    if (run !== this.probeRun) return this.current;
    const state = endpointState(probed, apiKey !== undefined);
    this.log.debug(`Generator ${displayOrigin(profile.baseUrl)}: ${state} (${probed.elapsedMs} ms)`);
    this.show(state, displayOrigin(profile.baseUrl), loadedModels(probed));
    if (state === 'loading') this.pollTimer = setTimeout(() => void this.refresh(), loadingPollMs);
    return state;
  }

  private show(state: GeneratorStatus, origin: string | undefined, models?: string): void {
    this.current = state;
    const { text, tip } = look[state];
    this.item.text = text;
    this.item.tooltip = `${origin ? `${origin}\n` : ''}${tip}\n${models ? `${models}\n` : ''}Click to check all endpoints.`;
    this.item.backgroundColor = state === 'unreachable' || state === 'error' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    void vscode.commands.executeCommand('setContext', contextKeys.generatorState, state);
    this.emitter.fire(state);
  }

  dispose(): void {
    clearTimeout(this.pollTimer);
    this.probeRun++;
    for (const d of this.subscriptions) d.dispose();
  }
}
