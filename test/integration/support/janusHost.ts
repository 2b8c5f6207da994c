// Helpers the integration suites share: reach the live extension and change user settings the
// way a user would, waiting for the extension host to see the change (an event, not a sleep).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { JanusApi } from '../../../src/extension/api';

export const extensionId = 'janus-studio.janus-studio';

export async function janusExtension(): Promise<vscode.Extension<JanusApi>> {
  const extension = vscode.extensions.getExtension<JanusApi>(extensionId);
  assert.ok(extension, `${extensionId} is not installed`);
  await extension.activate();
  return extension;
}

export async function janus(): Promise<JanusApi> {
  return (await janusExtension()).exports;
}

/** Updates a `janus.*` user setting and resolves once the extension host has seen the change. */
export async function setUserSetting(key: string, value: unknown): Promise<void> {
  const config = vscode.workspace.getConfiguration('janus');
  if (JSON.stringify(config.inspect(key)?.globalValue) === JSON.stringify(value)) return;
  const seen = new Promise<void>((resolve) => {
    const sub = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`janus.${key}`)) {
        sub.dispose();
        resolve();
      }
    });
  });
  await config.update(key, value, vscode.ConfigurationTarget.Global);
  await seen;
}

export async function resetUserSettings(keys: readonly string[]): Promise<void> {
  for (const key of keys) await setUserSetting(key, undefined);
}
