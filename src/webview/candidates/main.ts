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
import { connectToHost } from '../shared/host';

const host = connectToHost<HostMessage, WebviewMessage>('Janus candidates', hostMessageSchema, onHostMessage);
const { send, nextId } = host;
const restored = panelStateSchema.safeParse(host.getState());
let session: PanelSession | undefined = restored.success ? restored.data.session : undefined;
let notice = '';
let frame: number | undefined;

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
    if (session) host.setState({ session });
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

renderPanel(app, session, intents, notice);
send({ type: 'ready' });
