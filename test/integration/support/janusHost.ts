// Helpers the integration suites share: reach the live extension and change user settings the
// way a user would, waiting for the extension host to see the change (an event, not a sleep).
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
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

/**
 * Records a measurement in `<repo>/.test-output/measurements/integration.json` (the extension
 * under development lives in the repo): numbers for the closing report, never a pass/fail limit.
 */
export function recordMeasurement(extensionPath: string, name: string, value: unknown): void {
  const dir = path.join(extensionPath, '.test-output', 'measurements');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'integration.json');
  const current = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  writeFileSync(file, JSON.stringify({ ...current, [name]: value, recordedAt: new Date().toISOString() }, null, 2));
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
