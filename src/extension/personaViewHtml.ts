import type * as vscode from 'vscode';
import { webviewHtml } from './webviewHtml';

/** The Personas view's page (see `webviewHtml`): no data inlined, the script asks with `ready`. */
export function personaViewHtml(webview: vscode.Webview, root: vscode.Uri): string {
  return webviewHtml(webview, root, { bundle: 'personaEditor', title: 'Personas', loading: 'Loading personas…' });
}
