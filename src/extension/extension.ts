import * as vscode from 'vscode';
import { describeError } from '../core/errors';
import type { JanusApi } from './api';
import { resumeBatchEvaluationsLater } from './bench/batchEvaluations';
import { createApi } from './api';
import { registerCommands } from './commands/table';
import type { JanusContext } from './context';
import { createJanusContext } from './context';
import { registerViews } from './views';

let current: JanusContext | undefined;

export function activate(extension: vscode.ExtensionContext): JanusApi {
  const started = performance.now();
  try {
    current = createJanusContext(extension);
    registerCommands(current);
    const personaView = registerViews(current);
    resumeBatchEvaluationsLater(current);
    const activationMs = performance.now() - started;
    current.log.info(`Janus Studio ${String(extension.extension.packageJSON.version)} activated in ${activationMs.toFixed(1)} ms.`);
    return createApi(current, activationMs, personaView);
  } catch (error) {
    void vscode.window.showErrorMessage(`Janus Studio could not start: ${describeError(error)}. Reload the window; if it happens again, report it with the "Janus" log.`);
    throw error;
  }
}

/** Stops requests and the local engine before VS Code disposes the rest. */
export async function deactivate(): Promise<void> {
  const ctx = current;
  current = undefined;
  if (!ctx) return;
  ctx.requests.cancelAll();
  await ctx.engine.stop();
}
