import * as vscode from 'vscode';
import { viewIds } from './constants';
import type { JanusContext } from './context';
import { PersonaViewProvider } from './personaView';

/** The Personas webview view in the Janus container; returned so the test API can reach it. */
export function registerViews(ctx: JanusContext): PersonaViewProvider {
  const provider = new PersonaViewProvider(ctx);
  ctx.extension.subscriptions.push(provider, vscode.window.registerWebviewViewProvider(viewIds.personas, provider));
  return provider;
}
