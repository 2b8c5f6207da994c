import * as vscode from 'vscode';
// A namespace import lets esbuild drop zod's unused parts (about 370 KB of locales) from the bundle.
import * as z from 'zod';
import type { EndpointClient } from '../../core/endpoints/client';
import type { EndpointErrorKind } from '../../core/endpoints/endpointError';
import { EndpointError } from '../../core/endpoints/endpointError';
import { UserFacingError } from '../../core/errors';
import type { JanusInput } from '../../core/prompts/janusFormat';
import { stateKeys } from '../constants';
import type { JanusContext } from '../context';
import { StreamingDocumentWriter } from '../documentWriter';
import { reportError } from '../notify';

/** Optional arguments, for keybindings and other extensions (and the integration suites). */
const generateArgsSchema = z
  .object({ prompt: z.string().optional(), system: z.string().optional() })
  .optional();

export interface GenerateResult {
  /** The output document; absent when no text arrived. */
  readonly uri: string | undefined;
  readonly text: string;
  readonly finishReason: string | null;
  readonly cancelled: boolean;
  readonly error: EndpointErrorKind | 'other' | undefined;
  /** Milliseconds from the command's start to the first streamed text (before any editor work). */
  readonly firstTextMs: number | undefined;
  /** Milliseconds from the command's start until the first text was in the output document. */
  readonly firstEditMs: number | undefined;
}

const maxRecent = 10;
const recentSchema = z.array(z.string());

/**
 * Janus: Generate. Streams the generator's answer to the selection (or a typed prompt) into a
 * new Markdown editor beside the current one, under a cancellable progress notification.
 */
export async function generate(ctx: JanusContext, rawArgs?: unknown): Promise<GenerateResult | undefined> {
  const started = performance.now();
  const parsedArgs = generateArgsSchema.safeParse(rawArgs);
  const args = parsedArgs.success ? parsedArgs.data : undefined;
  const client = await ctx.clients.get('generator');
  if (!client) {
    void reportError(ctx.log, 'Generate', new UserFacingError('No generator endpoint is configured: set janus.generator.baseUrl.'));
    return undefined;
  }
  const prompt = args?.prompt ?? (await askPrompt());
  if (prompt === undefined || prompt.trim() === '') return undefined;
  const system = args?.system ?? (await chooseSystemMessage(ctx));
  if (system === undefined) return undefined;
  // Not awaited: a storage round trip should not delay the request.
  void rememberSystemMessage(ctx, system).catch((error: unknown) => ctx.log.error('Could not remember the system message', error));

  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Janus: generating', cancellable: true },
    (progress, token) => streamIntoEditor(ctx, client, { system, prompt }, { progress, token, started }),
  );
}

/**
 * The output editor opens with the first text, so a request that fails before answering leaves
 * the editor layout as it was.
 */
async function streamIntoEditor(
  ctx: JanusContext,
  client: EndpointClient,
  input: JanusInput,
  run: { readonly progress: vscode.Progress<{ message?: string }>; readonly token: vscode.CancellationToken; readonly started: number },
): Promise<GenerateResult> {
  const { progress, token, started } = run;
  const request = ctx.requests.begin(token);
  let writer: StreamingDocumentWriter | undefined;
  let shown: Promise<void> | undefined;
  let document: vscode.TextDocument | undefined;
  let finishReason: string | null = null;
  let cancelled = false;
  let error: EndpointErrorKind | 'other' | undefined;
  let firstTextMs: number | undefined;
  let firstEditMs: number | undefined;
  try {
    for await (const event of client.generateStream(input, request.signal)) {
      if (event.type === 'done') {
        finishReason = event.finishReason;
        break;
      }
      if (!writer) {
        firstTextMs = performance.now() - started;
        // The first text is the document's initial content: one renderer round trip, not two.
        document = await vscode.workspace.openTextDocument({ language: 'markdown', content: event.text });
        firstEditMs = performance.now() - started;
        // Beside the editor the prompt came from; with no editor open, in the one group there is.
        // Not awaited here: showing an editor costs a renderer round trip (hundreds of ms in a
        // browser), and the text can stream into the document meanwhile.
        const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
        shown = Promise.resolve(vscode.window.showTextDocument(document, { viewColumn: column, preview: false })).then(
          () => undefined,
          (cause: unknown) => ctx.log.error('Could not show the output editor', cause),
        );
        writer = new StreamingDocumentWriter(document, event.text.length);
        continue;
      }
      writer.append(event.text);
      progress.report({ message: `${writer.written} characters` });
      // Closing the output editor means the user no longer wants the text: stop the server too.
      if (!writer.writable) {
        cancelled = true;
        break;
      }
    }
  } catch (caught) {
    if (caught instanceof EndpointError && caught.kind === 'cancelled') cancelled = true;
    else {
      error = caught instanceof EndpointError ? caught.kind : 'other';
      void reportError(ctx.log, 'Generate', caught);
    }
  } finally {
    request.end();
  }
  await writer?.flush();
  await shown;
  const text = document?.getText() ?? '';
  const outcome = error ? `failed: ${error}` : cancelled ? 'cancelled' : `finish: ${finishReason ?? 'unknown'}`;
  ctx.log.info(
    `Generated ${text.length} characters in ${Math.round(performance.now() - started)} ms (first text after ${firstTextMs === undefined ? '-' : Math.round(firstTextMs)} ms, ${outcome}).`,
  );
  return { uri: document?.uri.toString(), text, finishReason, cancelled, error, firstTextMs, firstEditMs };
}

/** The selection of the active editor, else a typed prompt (shared with Best-of-N and Compare Personas). */
export async function askPrompt(title = 'Janus: Generate'): Promise<string | undefined> {
  const editor = vscode.window.activeTextEditor;
  const selected = editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : '';
  if (selected.trim() !== '') return selected;
  return vscode.window.showInputBox({ title, prompt: 'What should the model answer?', ignoreFocusOut: true });
}

export function recentSystemMessages(ctx: JanusContext): string[] {
  const parsed = recentSchema.safeParse(ctx.extension.globalState.get(stateKeys.recentSystemMessages));
  return parsed.success ? parsed.data : [];
}

/**
 * Precedence: the active persona, then `janus.systemMessage`, then a pick of recent messages.
 * `undefined` means the user backed out; '' is a deliberate "no system message".
 */
export async function chooseSystemMessage(ctx: JanusContext): Promise<string | undefined> {
  // An unreadable or invalid active persona throws: generating in another persona would mislead.
  const active = await ctx.personas.read();
  if (active) return active.persona.system;
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

export async function rememberSystemMessage(ctx: JanusContext, system: string): Promise<void> {
  if (system.trim() === '' || system === ctx.config.settings.systemMessage) return;
  const recent = [system, ...recentSystemMessages(ctx).filter((s) => s !== system)].slice(0, maxRecent);
  await ctx.extension.globalState.update(stateKeys.recentSystemMessages, recent);
}
