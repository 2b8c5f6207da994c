import * as vscode from 'vscode';
import { z } from 'zod';
import { EndpointError } from '../../core/endpoints/endpointError';
import { UserFacingError } from '../../core/errors';
import { stateKeys } from '../constants';
import type { JanusContext } from '../context';
import { StreamingDocumentWriter } from '../documentWriter';
import { reportError } from '../notify';

/** Optional arguments, for keybindings and other extensions (and the integration suites). */
const generateArgsSchema = z
  .object({ prompt: z.string().optional(), system: z.string().optional() })
  .optional();

export interface GenerateResult {
  readonly uri: string;
  readonly text: string;
  readonly finishReason: string | null;
  readonly cancelled: boolean;
}

const maxRecent = 10;
const recentSchema = z.array(z.string());

/**
 * Janus: Generate. Streams the generator's answer to the selection (or a typed prompt) into a
 * new Markdown editor beside the current one, under a cancellable progress notification.
 */
export async function generate(ctx: JanusContext, rawArgs?: unknown): Promise<GenerateResult | undefined> {
  const parsedArgs = generateArgsSchema.safeParse(rawArgs);
  const args = parsedArgs.success ? parsedArgs.data : undefined;
  const client = await ctx.clients.get('generator');
  if (!client) {
    await reportError(ctx.log, 'Generate', new UserFacingError('No generator endpoint is configured: set janus.generator.baseUrl.'));
    return undefined;
  }
  const prompt = args?.prompt ?? (await askPrompt());
  if (prompt === undefined || prompt.trim() === '') return undefined;
  const system = args?.system ?? (await chooseSystemMessage(ctx));
  if (system === undefined) return undefined;
  await rememberSystemMessage(ctx, system);

  const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: '' });
  await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: false });
  const writer = new StreamingDocumentWriter(document);
  const started = performance.now();

  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Janus: generating', cancellable: true },
    async (progress, token) => {
      const request = ctx.requests.begin(token);
      let finishReason: string | null = null;
      let cancelled = false;
      let firstTokenMs: number | undefined;
      try {
        for await (const event of client.generateStream({ system, prompt }, request.signal)) {
          if (event.type === 'done') {
            finishReason = event.finishReason;
            break;
          }
          firstTokenMs ??= performance.now() - started;
          writer.append(event.text);
          progress.report({ message: `${writer.written + event.text.length} characters` });
          // Closing the output editor means the user no longer wants the text: stop the server too.
          if (!writer.writable) {
            cancelled = true;
            break;
          }
        }
      } catch (error) {
        if (error instanceof EndpointError && error.kind === 'cancelled') cancelled = true;
        else {
          await writer.flush();
          void reportError(ctx.log, 'Generate', error);
          return { uri: document.uri.toString(), text: document.getText(), finishReason, cancelled };
        }
      } finally {
        request.end();
      }
      await writer.flush();
      const elapsed = Math.round(performance.now() - started);
      ctx.log.info(
        `Generated ${document.getText().length} characters in ${elapsed} ms (first text after ${firstTokenMs === undefined ? '-' : Math.round(firstTokenMs)} ms, ${cancelled ? 'cancelled' : `finish: ${finishReason ?? 'unknown'}`}).`,
      );
      return { uri: document.uri.toString(), text: document.getText(), finishReason, cancelled };
    },
  );
}

async function askPrompt(): Promise<string | undefined> {
  const editor = vscode.window.activeTextEditor;
  const selected = editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : '';
  if (selected.trim() !== '') return selected;
  return vscode.window.showInputBox({ title: 'Janus: Generate', prompt: 'What should the model answer?', ignoreFocusOut: true });
}

function recentSystemMessages(ctx: JanusContext): string[] {
  const parsed = recentSchema.safeParse(ctx.extension.globalState.get(stateKeys.recentSystemMessages));
  return parsed.success ? parsed.data : [];
}

/** `undefined` means the user backed out; '' is a deliberate "no system message". */
async function chooseSystemMessage(ctx: JanusContext): Promise<string | undefined> {
  const configured = ctx.config.settings.systemMessage;
  if (configured.trim() !== '') return configured;
  const recent = recentSystemMessages(ctx);
  const typeNew = (): Thenable<string | undefined> =>
    vscode.window.showInputBox({
      title: 'Janus: System Message',
      prompt: 'The persona the answer should follow ("You are ... your responses ..."); leave empty for none. Set janus.systemMessage to skip this question.',
      ignoreFocusOut: true,
    });
  if (recent.length === 0) return typeNew();
  type Item = vscode.QuickPickItem & { readonly value?: string; readonly isNew?: boolean };
  const items: Item[] = [
    ...recent.map((value) => ({ label: value.length > 80 ? `${value.slice(0, 79)}…` : value, value })),
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    { label: '$(add) New system message...', isNew: true },
    { label: '$(circle-slash) No system message', value: '' },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'Janus: System Message', placeHolder: 'Which persona should the answer follow?' });
  if (!picked) return undefined;
  return picked.isNew ? typeNew() : picked.value;
}

async function rememberSystemMessage(ctx: JanusContext, system: string): Promise<void> {
  if (system.trim() === '' || system === ctx.config.settings.systemMessage) return;
  const recent = [system, ...recentSystemMessages(ctx).filter((s) => s !== system)].slice(0, maxRecent);
  await ctx.extension.globalState.update(stateKeys.recentSystemMessages, recent);
}
