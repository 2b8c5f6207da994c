import * as vscode from 'vscode';
import type { EndpointProfile, EndpointRole } from '../core/endpoints/profile';
import type { Logger } from '../core/log';
import type { ParsedSettings, SettingKey, Settings } from '../core/settings';
import { profileFromSettings, readSettings, settingKeys } from '../core/settings';
import { configSection } from './constants';

export interface ConfigChange {
  /** Keys (without `janus.`) whose parsed value changed. */
  readonly keys: readonly SettingKey[];
}

/**
 * The one configuration module: a zod-parsed snapshot of `janus.*`, rebuilt when settings or
 * workspace trust change. In an untrusted workspace the restricted keys are read from user
 * settings only (VS Code does this too for declared keys; doing it here keeps it true on every
 * VS Code version and lets us tell the user).
 */
export class ConfigService implements vscode.Disposable {
  private parsed: ParsedSettings;
  private readonly emitter = new vscode.EventEmitter<ConfigChange>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly reported = new Set<string>();
  private toldAboutTrust = false;
  readonly onDidChange = this.emitter.event;

  constructor(private readonly log: Logger) {
    this.parsed = this.read();
    this.subscriptions.push(
      this.emitter,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(configSection)) this.refresh();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.refresh()),
    );
  }

  get settings(): Settings {
    return this.parsed.settings;
  }

  profile(role: EndpointRole): EndpointProfile | undefined {
    return profileFromSettings(role, this.parsed.settings);
  }

  private refresh(): void {
    const before = this.parsed.settings;
    this.parsed = this.read();
    const keys = settingKeys.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(this.parsed.settings[k]));
    if (keys.length > 0) {
      this.log.info(`Settings changed: ${keys.map((k) => `janus.${k}`).join(', ')}`);
      this.emitter.fire({ keys });
    }
  }

  private read(): ParsedSettings {
    const config = vscode.workspace.getConfiguration(configSection);
    const read = readSettings({ get: (key) => config.get(key), inspect: (key) => config.inspect(key) }, vscode.workspace.isTrusted);
    this.report(read, read.ignoredInUntrusted);
    return read;
  }

  /** Each problem is shown once per session; the log keeps every occurrence. */
  private report(parsed: ParsedSettings, ignoredInUntrusted: readonly string[]): void {
    for (const problem of parsed.problems) {
      this.log.warn(problem.message);
      if (this.reported.has(problem.message)) continue;
      this.reported.add(problem.message);
      void vscode.window.showWarningMessage(problem.message, 'Open Settings').then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', problem.key);
      });
    }
    if (ignoredInUntrusted.length > 0 && !this.toldAboutTrust) {
      this.toldAboutTrust = true;
      const message = `This workspace is not trusted, so its ${ignoredInUntrusted.join(', ')} setting${ignoredInUntrusted.length > 1 ? 's are' : ' is'} ignored: an untrusted folder must not redirect requests or API keys. Trust the workspace to use them.`;
      this.log.warn(message);
      void vscode.window.showWarningMessage(message, 'Manage Workspace Trust').then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
      });
    }
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }
}
