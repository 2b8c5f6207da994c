/**
 * A webview page's side of the typed channel to the extension host: the VS Code API (acquired
 * once per page), sending, request ids, and listening with the protocol's zod schema so a
 * malformed message is dropped with a console warning instead of reaching the page's code.
 */
import type * as z from 'zod';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export interface HostConnection<Out> {
  send(message: Out): void;
  /** A request id unique within this page's life. */
  nextId(): string;
  getState(): unknown;
  setState(state: unknown): void;
}

/** Connects the page: `onMessage` gets every host message that `schema` accepts. */
export function connectToHost<In, Out>(label: string, schema: z.ZodType<In>, onMessage: (message: In) => void): HostConnection<Out> {
  const vscode = acquireVsCodeApi();
  let counter = 0;
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const parsed = schema.safeParse(event.data);
    if (parsed.success) onMessage(parsed.data);
    else console.warn(`${label}: ignored a malformed message`, parsed.error.issues[0]?.message);
  });
  return {
    send: (message) => vscode.postMessage(message),
    nextId: () => {
      counter += 1;
      return `${Date.now().toString(36)}-${counter}`;
    },
    getState: () => vscode.getState(),
    setState: (state) => vscode.setState(state),
  };
}
