import * as vscode from 'vscode';
import { viewIds } from './constants';
import type { JanusContext } from './context';

/**
 * Until the persona editor arrives, the Personas view has an empty tree so VS Code shows its
 * welcome content (Generate, Check Endpoints) instead of "no data provider".
 */
export function registerViews(ctx: JanusContext): void {
  const empty: vscode.TreeDataProvider<vscode.TreeItem> = {
    getChildren: () => [],
    getTreeItem: (item) => item,
  };
  ctx.extension.subscriptions.push(vscode.window.registerTreeDataProvider(viewIds.personas, empty));
}
