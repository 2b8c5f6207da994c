import * as vscode from 'vscode';
import { describeError } from '../core/errors';
import type { Logger } from '../core/log';
import type { PanelSession } from '../webview/candidates/model';
import type { HostMessage, WebviewMessage } from '../webview/candidates/protocol';
import { hostMessageSchema, panelStateSchema, webviewMessageSchema } from '../webview/candidates/protocol';
import type { BestOfNSessions, SessionUpdate } from './bestOfNSession';
import type { BestOfNResources } from './bestOfNSetup';
import { runCandidateAction } from './candidateActions';
import { rescoreSession } from './commands/bestOfN';
import { commandIds, panelTypes } from './constants';
import type { WebviewTraffic } from './webviewChannel';
import { WebviewChannel } from './webviewChannel';
import { webviewHtml } from './webviewHtml';

export interface CandidatesPanelDeps {
  readonly extension: vscode.ExtensionContext;
  readonly log: Logger;
  readonly sessions: BestOfNSessions;
  readonly resources: BestOfNResources;
}

/**
 * The candidates panel: one webview panel showing one session at a time. The host sends nothing
 * until the page says `ready`, then the whole session, then each event as it happens; every
 * incoming message is parsed with the protocol's zod schema. A serializer brings the panel back
 * after a reload from the state the page saved.
 */
export class CandidatesPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private shown: string | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly panelSubscriptions: vscode.Disposable[] = [];
  private readonly channel: WebviewChannel<WebviewMessage, HostMessage>;
  private readonly readyEmitter = new vscode.EventEmitter<string | undefined>();
  /** Fires with the shown session's id when the page says `ready`. */
  readonly onDidBecomeReady = this.readyEmitter.event;

  constructor(private readonly deps: CandidatesPanelDeps) {
    this.channel = new WebviewChannel({
      label: 'Candidates panel',
      log: deps.log,
      inbound: webviewMessageSchema,
      outbound: hostMessageSchema,
      webview: () => this.panel?.webview,
      handle: (message) => this.handle(message),
      failureReply: (message, error) =>
        'id' in message ? { type: 'result', replyTo: message.id, ok: false, message: `${message.type} failed: ${describeError(error)}` } : undefined,
    });
    this.subscriptions.push(
      this.channel,
      this.readyEmitter,
      deps.sessions.onDidUpdate((update) => void this.forward(update)),
      vscode.window.registerWebviewPanelSerializer(panelTypes.candidates, {
        deserializeWebviewPanel: async (panel, state: unknown) => this.restore(panel, state),
      }),
    );
  }

  private get root(): vscode.Uri {
    return vscode.Uri.joinPath(this.deps.extension.extensionUri, 'dist', 'webview');
  }

  get traffic(): readonly WebviewTraffic[] {
    return this.channel.traffic;
  }

  get onDidPost(): vscode.Event<HostMessage> {
    return this.channel.onDidPost;
  }

  get shownSession(): string | undefined {
    return this.shown;
  }

  get isReady(): boolean {
    return this.ready;
  }

  /** Opens the panel (or reveals it) on `sessionId`. */
  show(sessionId: string): void {
    this.shown = sessionId;
    if (!this.panel) {
      const panel = vscode.window.createWebviewPanel(panelTypes.candidates, 'Janus Candidates', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: true, localResourceRoots: [this.root] });
      this.attach(panel);
      return;
    }
    this.panel.reveal(undefined, true);
    void this.sendSession();
  }

  private restore(panel: vscode.WebviewPanel, state: unknown): void {
    const parsed = panelStateSchema.safeParse(state);
    if (parsed.success) this.shown = this.deps.sessions.adopt(parsed.data.session).sessionId;
    else this.deps.log.warn('Candidates panel: the restored state did not parse; the panel opens empty.');
    this.attach(panel);
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.disposePanel();
    this.panel = panel;
    this.ready = false;
    panel.iconPath = vscode.Uri.joinPath(this.deps.extension.extensionUri, 'media', 'janus.svg');
    panel.webview.options = { enableScripts: true, localResourceRoots: [this.root] };
    panel.webview.html = webviewHtml(panel.webview, this.root, { bundle: 'candidates', title: 'Janus Candidates', loading: 'Loading candidates…' });
    this.panelSubscriptions.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw)),
      panel.onDidDispose(() => {
        // Closing the panel means the user no longer wants these candidates: stop their requests.
        if (this.shown) this.deps.sessions.cancel(this.shown);
        this.disposePanel();
        this.panel = undefined;
      }),
    );
  }

  /** Handles one message as if the page sent it; resolves when its handling is complete. */
  receive(raw: unknown): Promise<void> {
    return this.channel.receive(raw);
  }

  private async handle(message: WebviewMessage): Promise<void> {
    const { sessions } = this.deps;
    switch (message.type) {
      case 'ready':
        this.ready = true;
        await this.sendSession();
        this.readyEmitter.fire(this.shown);
        return;
      case 'cancel':
        sessions.cancel(message.sessionId);
        return;
      case 'mark': {
        const ok = sessions.mark(message.sessionId, message.group, message.index, message.mark);
        await this.post({ type: 'result', replyTo: message.id, ok, message: ok ? '' : 'That candidate is no longer in this session.' });
        return;
      }
      case 'action': {
        const text = sessions.get(message.sessionId)?.groups[message.group]?.run.candidates[message.index]?.text;
        if (text === undefined) throw new Error('that candidate is no longer in this session');
        const said = await runCandidateAction(message.action, text, sessions.source(message.sessionId));
        await this.post({ type: 'result', replyTo: message.id, ok: true, message: said });
        return;
      }
      case 'rescore': {
        const said = await rescoreSession(this.deps.sessions, this.deps.resources, message.sessionId);
        await this.post({ type: 'result', replyTo: message.id, ok: true, message: said });
        return;
      }
      case 'export':
        await vscode.commands.executeCommand(commandIds.exportPreferencePairs);
        return;
      case 'openSessions':
        await vscode.commands.executeCommand(commandIds.openBestOfNSession);
        return;
    }
  }

  private async sendSession(): Promise<void> {
    const session: PanelSession | undefined = this.shown === undefined ? undefined : this.deps.sessions.get(this.shown);
    if (!session || !this.ready) return;
    await this.post({ type: 'session', session });
  }

  private async forward(update: SessionUpdate): Promise<void> {
    // Its session is gone (deleted from the session list): nothing left to show.
    if (update.type === 'deleted') {
      if (update.sessionId !== this.shown) return;
      this.shown = undefined;
      this.panel?.dispose();
      return;
    }
    // Before `ready` the page is not listening; it gets the whole session when it is.
    if (!this.ready || update.sessionId !== this.shown) return;
    if (update.type === 'session') await this.sendSession();
    else if (update.type === 'event') await this.post({ type: 'event', sessionId: update.sessionId, group: update.group, event: update.event });
    else await this.post(update);
  }

  private post(message: HostMessage): Promise<void> {
    return this.channel.post(message);
  }

  private disposePanel(): void {
    for (const d of this.panelSubscriptions.splice(0)) d.dispose();
  }

  dispose(): void {
    this.disposePanel();
    this.panel?.dispose();
    for (const d of this.subscriptions) d.dispose();
  }
}
