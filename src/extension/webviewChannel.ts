import * as vscode from 'vscode';
import type * as z from 'zod';
import type { Logger } from '../core/log';

/** One line of the message log the integration suites read. */
export interface WebviewTraffic {
  readonly direction: 'in' | 'out';
  readonly type: string;
}

export interface WebviewChannelOptions<In extends { type: string }, Out extends { type: string }> {
  /** Names the webview in log lines ("Personas view", "Candidates panel"). */
  readonly label: string;
  readonly log: Logger;
  readonly inbound: z.ZodType<In>;
  readonly outbound: z.ZodType<Out>;
  /** The page's webview while one is shown; messages posted without one are logged and dropped. */
  readonly webview: () => vscode.Webview | undefined;
  readonly handle: (message: In) => Promise<void>;
  /** The reply to a request whose handling threw, if the message expects one. */
  readonly failureReply: (message: In, error: unknown) => Out | undefined;
}

/**
 * The typed message channel between the host and one webview page: every message in is parsed
 * with the protocol's zod schema (a malformed one is logged and ignored), every message out is
 * checked by the page's own schema before it leaves, and both directions are logged as traffic.
 */
export class WebviewChannel<In extends { type: string }, Out extends { type: string }> implements vscode.Disposable {
  readonly traffic: WebviewTraffic[] = [];
  private readonly posted = new vscode.EventEmitter<Out>();
  readonly onDidPost = this.posted.event;

  constructor(private readonly options: WebviewChannelOptions<In, Out>) {}

  /** Handles one message as if the page sent it; resolves when its handling is complete. */
  async receive(raw: unknown): Promise<void> {
    const { label, log, inbound } = this.options;
    const parsed = inbound.safeParse(raw);
    if (!parsed.success) {
      log.warn(`${label}: ignored a malformed message (${parsed.error.issues[0]?.message ?? 'unknown'}).`);
      return;
    }
    const message = parsed.data;
    this.traffic.push({ direction: 'in', type: message.type });
    try {
      await this.options.handle(message);
    } catch (error) {
      log.error(`${label}: ${message.type} failed`, error);
      const reply = this.options.failureReply(message, error);
      if (reply !== undefined) await this.post(reply);
    }
  }

  async post(message: Out): Promise<void> {
    // The schema also guards the host: a message the page would reject never leaves.
    const checked = this.options.outbound.parse(message);
    this.traffic.push({ direction: 'out', type: checked.type });
    this.posted.fire(checked);
    await this.options.webview()?.postMessage(checked);
  }

  dispose(): void {
    this.posted.dispose();
  }
}
