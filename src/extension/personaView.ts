import * as vscode from 'vscode';
import { EndpointError } from '../core/endpoints/endpointError';
import { describeError } from '../core/errors';
import type { HostMessage, WebviewMessage } from '../webview/personaEditor/protocol';
import { hostMessageSchema, webviewMessageSchema } from '../webview/personaEditor/protocol';
import type { JanusContext } from './context';
import { personaFolder, isPersonaPath, textHash } from './personaFiles';
import { synthesizeSystemMessage } from './personaModel';
import { createPersonaFile, listPersonaFiles, loadTemplates, newPersonaUri, readPersona, writePersonaFile } from './personaStore';
import { personaViewHtml } from './personaViewHtml';
import type { WebviewTraffic } from './webviewChannel';
import { WebviewChannel } from './webviewChannel';
import type { WriteResult } from './personaStore';

/**
 * The Personas sidebar: a webview view whose script renders the editor and sends intents. Every
 * incoming message is parsed with the protocol's zod schema; replies carry the request's id. The
 * host remembers which file the view has open and tells it when that file changes elsewhere.
 */
export class PersonaViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private readonly requests = new Map<string, AbortController>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly viewSubscriptions: vscode.Disposable[] = [];
  /** The file the view has open and the hash of the text it last saw. */
  private open: { uri: string; hash: string } | undefined;
  private readonly channel: WebviewChannel<WebviewMessage, HostMessage>;

  constructor(private readonly ctx: JanusContext) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.persona.json');
    const templates = vscode.workspace.createFileSystemWatcher('**/.janus/templates/*.json');
    const refresh = (): void => void this.sendWorkspace();
    this.channel = new WebviewChannel({
      label: 'Personas view',
      log: ctx.log,
      inbound: webviewMessageSchema,
      outbound: hostMessageSchema,
      webview: () => this.view?.webview,
      handle: (message) => this.handle(message),
      failureReply: (message, error) => ('id' in message ? { type: 'saved', replyTo: message.id, ok: false, message: describeError(error) } : undefined),
    });
    this.subscriptions.push(
      this.channel,
      watcher,
      templates,
      watcher.onDidCreate(refresh),
      watcher.onDidDelete(refresh),
      watcher.onDidChange((uri) => void this.checkExternal(uri)),
      templates.onDidCreate(refresh),
      templates.onDidChange(refresh),
      templates.onDidDelete(refresh),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0 && isPersonaPath(e.document.uri.path)) void this.checkExternal(e.document.uri);
      }),
      ctx.personas.onDidChange(refresh),
    );
  }

  get resolved(): boolean {
    return this.view !== undefined;
  }

  get traffic(): readonly WebviewTraffic[] {
    return this.channel.traffic;
  }

  get onDidPost(): vscode.Event<HostMessage> {
    return this.channel.onDidPost;
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.disposeView();
    this.view = view;
    const root = vscode.Uri.joinPath(this.ctx.extension.extensionUri, 'dist', 'webview');
    view.webview.options = { enableScripts: true, localResourceRoots: [root] };
    view.webview.html = personaViewHtml(view.webview, root);
    this.viewSubscriptions.push(
      view.webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw)),
      view.onDidDispose(() => {
        // Without retainContextWhenHidden a hidden view's page is gone: stop what it started.
        this.disposeView();
        this.view = undefined;
      }),
    );
  }

  /** Handles one message as if the webview sent it; resolves when its handling is complete. */
  receive(raw: unknown): Promise<void> {
    return this.channel.receive(raw);
  }

  private async handle(message: WebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        return this.sendWorkspace();
      case 'open':
        return this.openFile(message.id, vscode.Uri.parse(message.uri));
      case 'save':
        return this.save(message);
      case 'synthesize':
        return this.synthesize(message.id, message.preferenceSet);
      case 'cancel':
        this.requests.get(message.id)?.abort();
        return;
      case 'setActive': {
        await this.ctx.personas.set(message.uri === null ? null : vscode.Uri.parse(message.uri));
        await this.post({ type: 'activeSet', replyTo: message.id, activeUri: this.ctx.personas.uri });
        return;
      }
      case 'openInEditor':
        await vscode.window.showTextDocument(vscode.Uri.parse(message.uri), { preview: false });
        return;
    }
  }

  async sendWorkspace(): Promise<void> {
    if (!this.view) return;
    const [files, templates] = await Promise.all([listPersonaFiles(), loadTemplates(this.ctx.log)]);
    await this.post({ type: 'workspace', files, templates, activeUri: this.ctx.personas.uri, personaFolder });
  }

  private async openFile(id: string, uri: vscode.Uri): Promise<void> {
    const read = await readPersona(uri);
    const label = vscode.workspace.asRelativePath(uri);
    this.open = { uri: uri.toString(), hash: read.hash };
    const result = read.result.ok
      ? { ok: true as const, persona: read.result.persona, hash: read.hash }
      : { ok: false as const, problems: read.result.problems.map((p) => ({ message: p.message, line: p.line, column: p.column })) };
    await this.post({ type: 'loaded', replyTo: id, uri: uri.toString(), label, result });
  }

  private async save(message: Extract<WebviewMessage, { type: 'save' }>): Promise<void> {
    let uri = message.uri === null ? undefined : vscode.Uri.parse(message.uri);
    let written: WriteResult;
    // The save's own edit is not a change "elsewhere": stop watching the file while writing.
    const watching = this.open;
    this.open = undefined;
    if (uri) {
      written = await writePersonaFile(uri, message.persona, message.baseHash);
    } else {
      uri = await newPersonaUri(message.persona.name);
      written = uri ? await createPersonaFile(uri, message.persona) : { ok: false as const, message: 'Open a folder first: personas are saved in the workspace.' };
    }
    if (!written.ok) {
      this.open = watching;
      await this.post({ type: 'saved', replyTo: message.id, ok: false, message: written.message });
      return;
    }
    this.open = { uri: written.uri.toString(), hash: written.hash };
    await this.post({ type: 'saved', replyTo: message.id, ok: true, uri: written.uri.toString(), label: vscode.workspace.asRelativePath(written.uri), hash: written.hash });
    if (message.uri === null) await this.sendWorkspace();
  }

  /** Tells the view when the file it has open now holds text it has not seen. */
  private async checkExternal(uri: vscode.Uri): Promise<void> {
    const open = this.open;
    if (!open || open.uri !== uri.toString()) return;
    const hash = textHash((await vscode.workspace.openTextDocument(uri)).getText());
    if (hash === open.hash) return;
    this.open = { uri: open.uri, hash };
    await this.post({ type: 'externalChange', uri: open.uri, hash });
  }

  private async synthesize(id: string, preferenceSet: Extract<WebviewMessage, { type: 'synthesize' }>['preferenceSet']): Promise<void> {
    const controller = new AbortController();
    this.requests.set(id, controller);
    // Registered with the shared requests too, so deactivation and "cancel all" reach it.
    const request = this.ctx.requests.begin();
    const signal = AbortSignal.any([request.signal, controller.signal]);
    try {
      const text = await vscode.window.withProgress({ location: { viewId: 'janus.personas' } }, () =>
        synthesizeSystemMessage(this.ctx, preferenceSet, signal, (delta) => void this.post({ type: 'synthDelta', replyTo: id, text: delta })),
      );
      await this.post({ type: 'synthDone', replyTo: id, text });
    } catch (error) {
      const cancelled = error instanceof EndpointError && error.kind === 'cancelled';
      if (!cancelled) this.ctx.log.error('Synthesis failed', error);
      await this.post({ type: 'synthError', replyTo: id, cancelled, message: cancelled ? 'Synthesis cancelled.' : describeError(error) });
    } finally {
      request.end();
      this.requests.delete(id);
    }
  }

  private post(message: HostMessage): Promise<void> {
    return this.channel.post(message);
  }

  private disposeView(): void {
    for (const controller of this.requests.values()) controller.abort();
    this.requests.clear();
    for (const d of this.viewSubscriptions.splice(0)) d.dispose();
  }

  dispose(): void {
    this.disposeView();
    for (const d of this.subscriptions) d.dispose();
  }
}
