import * as vscode from 'vscode';
import { EndpointError } from '../core/endpoints/endpointError';
import { UserFacingError, describeError } from '../core/errors';
import type { Logger } from '../core/log';
import { commandIds } from './constants';

interface Action {
  readonly title: string;
  run(): Thenable<unknown>;
}

const showLog: Action = { title: 'Show Log', run: () => vscode.commands.executeCommand(commandIds.showLog) };
const startEngine: Action = { title: 'Start Local Engine', run: () => vscode.commands.executeCommand(commandIds.startLocalEngine) };
const setKey: Action = { title: 'Set API Key...', run: () => vscode.commands.executeCommand(commandIds.setApiKey) };
const installRuntime: Action = { title: 'Install Local Engine Runtime', run: () => vscode.commands.executeCommand(commandIds.installLocalEngineRuntime) };
const checkEndpoints: Action = { title: 'Check Endpoints', run: () => vscode.commands.executeCommand(commandIds.checkEndpoints) };

function openSettings(query: string): Action {
  return { title: 'Open Settings', run: () => vscode.commands.executeCommand('workbench.action.openSettings', query) };
}

function actionsFor(error: unknown): Action[] {
  if (error instanceof EndpointError) {
    const local = /^http:\/\/(127\.0\.0\.1|localhost)(:|$)/.test(error.origin);
    const prefix = `janus.${error.role ?? 'generator'}`;
    switch (error.kind) {
      case 'untrustedCertificate':
        return [openSettings(`${prefix}.baseUrl`), showLog];
      case 'unreachable':
        return local && error.role !== 'judge' ? [startEngine, openSettings(`${prefix}.baseUrl`), showLog] : [openSettings(`${prefix}.baseUrl`), showLog];
      case 'unauthorized':
        return [setKey, showLog];
      case 'modelNotFound':
        return [checkEndpoints, openSettings(`${prefix}.model`)];
      case 'notFound':
      case 'badRequest':
      case 'badResponse':
        return [openSettings(prefix), showLog];
      case 'timeout':
      case 'stalled':
        return [openSettings('janus.request'), showLog];
      default:
        return [showLog];
    }
  }
  if (error instanceof UserFacingError && /Install Local Engine Runtime/.test(error.message)) return [installRuntime, showLog];
  if (error instanceof UserFacingError && /janus\.localEngine\./.test(error.message)) return [openSettings('janus.localEngine'), showLog];
  return [showLog];
}

/**
 * Logs the error with its cause and shows its user message with buttons for the next step.
 * Unknown errors get a generic sentence: their text was not written for users.
 */
export async function reportError(log: Logger, context: string, error: unknown): Promise<void> {
  log.error(context, error);
  const message = error instanceof UserFacingError ? error.message : `${context}: ${describeError(error)}. Show the log for details.`;
  const actions = actionsFor(error);
  const choice = await vscode.window.showErrorMessage(message, ...actions.map((a) => a.title));
  await actions.find((a) => a.title === choice)?.run();
}
