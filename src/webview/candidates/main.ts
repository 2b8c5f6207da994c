/**
 * The candidates panel's script: keeps the session (`model.ts`), renders it (`dom.ts`) and talks
 * to the host only through the typed protocol. Runs in the webview; imports no `vscode`.
 */
import './style.css';
import type { PanelSession } from './model';
import { applyGroupEvent, toCoreEvent, withMark } from './model';
import type { HostMessage, WebviewMessage } from './protocol';
import { hostMessageSchema, panelStateSchema } from './protocol';
import type { PanelIntents } from './dom';
import { renderPanel } from './dom';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const restored = panelStateSchema.safeParse(vscode.getState());
let session: PanelSession | undefined = restored.success ? restored.data.session : undefined;
let notice = '';
let counter = 0;
let frame: number | undefined;

function send(message: WebviewMessage): void {
  vscode.postMessage(message);
}

function nextId(): string {
  counter += 1;
  return `${Date.now().toString(36)}-${counter}`;
}

const app = document.getElementById('app') ?? document.body;

const intents: PanelIntents = {
  cancel: () => session && send({ type: 'cancel', sessionId: session.sessionId }),
  rescore: () => session && send({ type: 'rescore', id: nextId(), sessionId: session.sessionId }),
  exportPairs: () => send({ type: 'export' }),
  openSessions: () => send({ type: 'openSessions' }),
  action: (group, index, action) => session && send({ type: 'action', id: nextId(), sessionId: session.sessionId, group, index, action }),
  mark: (group, index, mark) => session && send({ type: 'mark', id: nextId(), sessionId: session.sessionId, group, index, mark }),
};

/** Deltas arrive far faster than frames: state changes at once, the DOM once per frame. */
function scheduleRender(): void {
  if (frame !== undefined) return;
  frame = requestAnimationFrame(() => {
    frame = undefined;
    renderPanel(app, session, intents, notice);
    if (session) vscode.setState({ session });
  });
}

function onHostMessage(message: HostMessage): void {
  switch (message.type) {
    case 'session':
      session = message.session;
      notice = '';
      break;
    case 'event':
      if (session?.sessionId !== message.sessionId) return;
      session = applyGroupEvent(session, message.group, toCoreEvent(message.event));
      break;
    case 'marked':
      if (session?.sessionId !== message.sessionId) return;
      session = withMark(session, message.group, message.index, message.mark);
      break;
    case 'result':
      notice = message.message;
      break;
  }
  scheduleRender();
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const parsed = hostMessageSchema.safeParse(event.data);
  if (parsed.success) onHostMessage(parsed.data);
  else console.warn('Janus candidates: ignored a malformed message', parsed.error.issues[0]?.message);
});

renderPanel(app, session, intents, notice);
send({ type: 'ready' });
