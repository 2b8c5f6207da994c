import * as vscode from 'vscode';
import { displayOrigin } from '../../core/endpoints/profile';
import { configSection } from '../constants';
import type { JanusContext } from '../context';
import { engineRuntimeDir, installEngineRuntime } from '../engineRuntime';
import type { RunningEngine } from '../localEngine';
import { reportError } from '../notify';

/** Janus: Start Local Engine. Waits (cancellably) until the engine has loaded its model. */
export async function startLocalEngine(ctx: JanusContext): Promise<RunningEngine | undefined> {
  try {
    const engine = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Janus: starting the local engine', cancellable: true },
      async (_progress, token) => {
        const request = ctx.requests.begin(token);
        try {
          return await ctx.engine.start(ctx.config.settings, request.signal);
        } finally {
          request.end();
        }
      },
    );
    // Not awaited: the command's caller should not wait on the user reading a notification.
    void offerToUseEngine(ctx, engine);
    return engine;
  } catch (error) {
    void reportError(ctx.log, 'Start Local Engine', error);
    return undefined;
  }
}

/** The engine is only useful if the generator points at it: offer to do that in one click. */
async function offerToUseEngine(ctx: JanusContext, engine: RunningEngine): Promise<void> {
  const current = ctx.config.profile('generator')?.baseUrl;
  if (current !== undefined && displayOrigin(current) === displayOrigin(engine.baseUrl)) {
    void vscode.window.showInformationMessage(`The local engine is ready on ${displayOrigin(engine.baseUrl)}.`);
    return;
  }
  const use = 'Use for Generator';
  const choice = await vscode.window.showInformationMessage(
    `The local engine is ready on ${displayOrigin(engine.baseUrl)}, but janus.generator.baseUrl points to ${current ?? 'nothing'}.`,
    use,
  );
  if (choice === use) await vscode.workspace.getConfiguration(configSection).update('generator.baseUrl', engine.baseUrl, vscode.ConfigurationTarget.Global);
}

export async function stopLocalEngine(ctx: JanusContext): Promise<void> {
  if (ctx.engine.state === 'stopped') {
    void vscode.window.showInformationMessage('The local engine is not running.');
    return;
  }
  await ctx.engine.stop();
  void vscode.window.showInformationMessage('The local engine has stopped.');
}

/** Janus: Install Local Engine Runtime. node-llama-cpp into global storage, with the user's npm. */
export async function installLocalEngineRuntime(ctx: JanusContext): Promise<boolean> {
  const dir = engineRuntimeDir(ctx.extension.globalStorageUri.fsPath);
  try {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Janus: installing the local engine runtime (node-llama-cpp)', cancellable: true },
      async (_progress, token) => {
        const request = ctx.requests.begin(token);
        try {
          await installEngineRuntime(dir, ctx.log, request.signal);
        } finally {
          request.end();
        }
      },
    );
  } catch (error) {
    void reportError(ctx.log, 'Install Local Engine Runtime', error);
    return false;
  }
  ctx.log.info(`The local engine runtime is installed in ${dir}.`);
  void vscode.window.showInformationMessage('The local engine runtime is installed. Start the engine with "Janus: Start Local Engine".');
  return true;
}
