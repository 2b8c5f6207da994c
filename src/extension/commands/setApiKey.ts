import * as vscode from 'vscode';
import { endpointRoles } from '../../core/endpoints/profile';
import { normaliseOrigin } from '../../core/endpoints/secrets';
import type { JanusContext } from '../context';

/**
 * Janus: Set API Key... The key is bound to the origin the user picks here and is only ever sent
 * there. An empty key deletes the saved one.
 */
export async function setApiKey(ctx: JanusContext): Promise<void> {
  const origins = new Map<string, string[]>();
  for (const role of endpointRoles) {
    const profile = ctx.config.profile(role);
    const origin = profile && normaliseOrigin(profile.baseUrl);
    if (origin) origins.set(origin, [...(origins.get(origin) ?? []), role]);
  }
  type Item = vscode.QuickPickItem & { readonly origin?: string };
  const items: Item[] = [...origins].map(([origin, roles]) => ({ label: origin, description: roles.join(', '), origin }));
  items.push({ label: '$(globe) Another URL...' });
  const picked = await vscode.window.showQuickPick(items, { title: 'Janus: Set API Key', placeHolder: 'Which endpoint is the key for?' });
  if (!picked) return;
  const origin = picked.origin ?? (await askOrigin());
  if (!origin) return;
  const key = await vscode.window.showInputBox({
    title: `API key for ${origin}`,
    prompt: `Stored in VS Code's secret storage and sent only to ${origin}. Leave empty to delete the saved key.`,
    password: true,
    ignoreFocusOut: true,
  });
  if (key === undefined) return;
  if (key.trim() === '') {
    await ctx.keys.delete(origin);
    ctx.log.info(`Deleted the API key for ${origin}.`);
    void vscode.window.showInformationMessage(`Deleted the API key for ${origin}.`);
    return;
  }
  const bound = await ctx.keys.save(origin, key.trim());
  ctx.log.info(`Saved an API key for ${bound}.`);
  void vscode.window.showInformationMessage(`Saved the API key for ${bound}. It is sent only to that origin.`);
}

async function askOrigin(): Promise<string | undefined> {
  const url = await vscode.window.showInputBox({
    title: 'Janus: Set API Key',
    prompt: 'The endpoint URL the key belongs to, e.g. https://api.openai.com/v1',
    ignoreFocusOut: true,
    validateInput: (value) => (normaliseOrigin(value) ? undefined : 'Enter an http:// or https:// URL.'),
  });
  return url === undefined ? undefined : normaliseOrigin(url);
}
